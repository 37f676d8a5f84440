"""Orchestration: scenes -> `render_script` -> `audio/<id>.wav` + a `Sample` per scene -> manifest.

Layout of a corpus being built in OUT:
- `parts/<id>.scene.json`: the scene (from templates, an LLM or the official release), written
  before its audio, so an interrupted LLM build does not pay for its scenes twice;
- `audio/<id>.wav`: 16 kHz PCM16 mono; `parts/<id>.json`: the sample's manifest line. Both are
  written atomically (a temp file, then a rename), the record last: a sample is finished when its
  record exists beside its wav, and a rerun skips finished samples (resume);
- at the end `manifest.jsonl` (in id order, via `write_manifest`), `skipped.jsonl` (samples that
  could not be made, with reasons: an unusable sound, an error) and `build.json` (the settings).

Determinism: the same inputs, seed and options give byte-identical wav files, `manifest.jsonl`,
`skipped.jsonl` and `build.json`, whatever `--workers`, `--limit` or the order of work. Each
sample's randomness comes from its own seed, derived from (corpus seed, sample id) by
`scenes.plan`; every stage draws from its own generator spawned from it (`render`); the TTS gives
the same audio for a line whatever it spoke before (`tts`); the noise bank's babble is spoken once
per process from fixed texts and voices; files are written in id order. `test_pipeline` builds
with 1 and 2 workers and compares hashes. Rendering runs in a `ProcessPoolExecutor` (spawned
processes) when `workers > 1`; each worker process builds its TTS, sound bank and noise bank once.

Provenance: every sample's `meta.build` holds `builder` (`provoice-live <version>`) and
`inputs_sha256`, the SHA-256 of what its audio is made from (the scene JSON, its seed and the
render settings, see `inputs_sha256`); `build.json` holds the builder and a SHA-256 over the
settings and every sample's inputs hash, in id order.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from ... import FORMAT_VERSION
from ...errors import ProvoiceError
from ...jsontext import dumps
from ..consistency import timing_problems
from ..loader import write_manifest
from ..sample import ContextUpdate, CueWindow, Sample
from .scenes import PlanItem, make_scene, plan
from .script import Scene

log = logging.getLogger(__name__)

RATE = 16000
PARTS = "parts"
AUDIO = "audio"
SKIPPED = "skipped.jsonl"

# The paper's split (200 samples, 50 a task), half positive; and a small balanced one.
PRESETS: dict[str, dict[tuple[str, bool], int]] = {
    "demo": {(t, lab): 6 for t in ("PIC", "LTM", "CFC", "ESS") for lab in (True, False)},
    "paper": {("CFC", True): 180, ("CFC", False): 180, ("LTM", True): 125, ("LTM", False): 125,
              ("PIC", True): 211, ("PIC", False): 211, ("ESS", True): 75, ("ESS", False): 75},
}


@dataclass(frozen=True)
class RenderConfig:
    """How scenes become audio. Holds no secrets: API keys are read from `*_api_key_env`."""

    tts: str = "espeak"  # "espeak", "neural" (hibari + Piper, eSpeak for the rest) or "openai:MODEL"
    tts_base_url: str | None = None
    tts_api_key_env: str = "OPENAI_API_KEY"
    esc50: str | None = None
    cochlscene: str | None = None
    rate: int = RATE


@dataclass
class Job:
    """One sample to make: its id, seed, template (for the record) and how to get its scene."""

    id: str
    seed: int
    scene: Callable[[], Scene] | None = None  # called only when the sample is not finished yet
    template: str | None = None
    label: bool | None = None  # when known before the scene is made (template and LLM plans)


@dataclass
class BuildResult:
    out: Path
    built: list[str] = field(default_factory=list)  # made in this run
    reused: list[str] = field(default_factory=list)  # finished by an earlier run
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {id, reason, kind}
    seconds: float = 0.0
    audio_s: float = 0.0

    @property
    def samples(self) -> int:
        return len(self.built) + len(self.reused)


# --- files ---------------------------------------------------------------------------------
def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _paths(out: Path, sid: str) -> tuple[Path, Path, Path]:
    return out / AUDIO / f"{sid}.wav", out / PARTS / f"{sid}.json", out / PARTS / f"{sid}.scene.json"


def is_finished(out: Path, sid: str) -> bool:
    wav, record, _ = _paths(out, sid)
    return wav.is_file() and record.is_file()


# --- the worker side -----------------------------------------------------------------------
_BANKS: dict[RenderConfig, tuple[Any, Any, Any]] = {}


def make_tts(config: RenderConfig):
    from .tts import EspeakTTS, NeuralTTS, OpenAISpeechTTS

    if config.tts == "espeak":
        return EspeakTTS()
    if config.tts == "neural":
        return NeuralTTS()
    if config.tts.startswith("openai:") and len(config.tts) > len("openai:"):
        return OpenAISpeechTTS(config.tts.split(":", 1)[1], config.tts_base_url, api_key_env=config.tts_api_key_env)
    raise ProvoiceError(f"unknown TTS {config.tts!r}: use 'espeak', 'neural' or 'openai:MODEL'")


def banks(config: RenderConfig) -> tuple[Any, Any, Any]:
    """(tts, sounds, noise) for this process, built once per configuration."""
    if config not in _BANKS:
        from .noise import CochlSceneBank, SynthNoiseBank
        from .sounds import Esc50SoundBank, SynthSoundBank

        tts = make_tts(config)
        sounds = Esc50SoundBank(config.esc50, fallback=SynthSoundBank()) if config.esc50 else SynthSoundBank()
        noise = CochlSceneBank(config.cochlscene) if config.cochlscene else SynthNoiseBank()
        _BANKS[config] = (tts, sounds, noise)
    return _BANKS[config]


def builder_version() -> str:
    from ... import __version__

    return f"provoice-live {__version__}"


def _sha256_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=True,
                                     separators=(",", ":")).encode()).hexdigest()


def inputs_sha256(scene: Scene, seed: int, config: RenderConfig) -> str:
    """SHA-256 of a sample's inputs: its scene (as JSON, None fields left out), its seed and the
    render settings (as given: the --esc50/--cochlscene folders by path, not by content)."""
    return _sha256_json({"scene": json.loads(scene.model_dump_json(exclude_none=True)), "seed": seed,
                         "render": asdict(config)})


def sample_from(scene: Scene, rendered, seed: int, audio_rel: str, build: dict[str, str] | None = None,
                located=None) -> Sample:
    """The manifest line of a rendered scene: timing truth from the render, the rest from the scene;
    `build` (builder, inputs_sha256) goes to `meta.build`; `located` (a `locator.CueLocation`)
    replaces the cue line's span with the located cue's words."""
    cue_line = next((ln for ln in scene.script.lines if ln.role == "cue"), None)
    cue = rendered.cue if located is None else located.window
    meta = {
        **{k: v for k, v in scene.meta.items() if k != "locate_cue"}, "seed": seed, "template": scene.template,
        "voices": {k: v.name for k, v in rendered.voices.items()},
        "duration_s": round(rendered.duration_s, 3),
        "gain_db": round(rendered.gain_db, 2),
        **{k: v for k, v in rendered.meta.items() if k in ("noise_scene", "snr_db")},
        **({"build": build} if build else {}),
    }
    if rendered.cue is not None and cue_line is not None:
        meta["cue_kind"] = "trigger" if scene.label else "near_miss"
    if located is not None:
        meta["cue_location"] = located.record()
    cues = None
    if scene.meta.get("cue_lines"):  # a long session: every real cue's span (segments are in script order)
        cues = [CueWindow(start_s=rendered.segments[i].start_s, end_s=rendered.segments[i].end_s)
                for i in scene.meta["cue_lines"]]
        meta["near_misses_s"] = [[rendered.segments[i].start_s, rendered.segments[i].end_s]
                                 for i in scene.meta.get("near_miss_lines", [])]
    return Sample(
        id=scene.id, task=scene.task, label=scene.label, audio=audio_rel,
        digital_context=scene.digital_context, instruction=scene.instruction,
        monitor_from_s=round(rendered.monitor_from_s, 4), cue=cue, cues=cues,
        semantic_cue=scene.semantic_cue, tools=scene.tools, gt_response=scene.gt_response,
        gt_tool_calls=scene.gt_tool_calls, segments=rendered.segments, meta=meta,
    )


def render_one(out: str, scene_json: str, seed: int, config: RenderConfig) -> dict[str, Any]:
    """Render one scene and write its wav and record. Runs in a worker process.

    Returns `{id, status: "ok"|"skipped", reason?, audio_s?}`; only a bug raises.
    """
    import numpy as np

    from ...audio import write_wav
    from .render import render_script
    from .sounds import UnusableSound

    scene = Scene.model_validate_json(scene_json)
    root = Path(out)
    wav, record, _ = _paths(root, scene.id)
    tts, sounds, noise = banks(config)
    try:
        rendered = render_script(scene.script, np.random.default_rng(seed), tts=tts, sounds=sounds,
                                 noise=noise, rate=config.rate, sound_snr_db=scene.meta.get("sound_snr_db"))
    except UnusableSound as exc:
        return {"id": scene.id, "status": "skipped", "kind": "sound", "reason": str(exc), "sounds": exc.sounds}
    except ProvoiceError as exc:
        return {"id": scene.id, "status": "skipped", "kind": "error", "reason": str(exc)}
    located = None
    if scene.meta.get("locate_cue") and scene.label:  # the re-voiced release: find the cue's words
        from .cues import locate_in_render

        located = locate_in_render(scene, rendered, tts)
        if located.window is None:
            return {"id": scene.id, "status": "skipped", "kind": "cue", "reason": "; ".join(located.notes)}
    try:
        build = {"builder": builder_version(), "inputs_sha256": inputs_sha256(scene, seed, config)}
        sample = sample_from(scene, rendered, seed, f"{AUDIO}/{scene.id}.wav", build, located)
        if scene.meta.get("context_variant"):
            sample = context_variant(sample, scene.meta["context_variant"], rendered.duration_s)
    except ValueError as exc:  # pydantic: e.g. a positive whose script has no cue line
        return {"id": scene.id, "status": "skipped", "kind": "invalid", "reason": _one_line(exc)}
    problems = timing_problems(sample, rendered.duration_s)
    if problems:  # the one definition of a consistent sample: never write one that `validate` refuses
        return {"id": scene.id, "status": "skipped", "kind": "invalid",
                "reason": "; ".join(f"field {f!r}: {r}" for f, r in problems)}
    tmp = wav.with_name(f".{wav.stem}.{os.getpid()}.tmp.wav")
    write_wav(tmp, rendered.audio, rendered.rate)
    os.replace(tmp, wav)
    _atomic_write_text(record, sample.model_dump_json(exclude_none=True))
    return {"id": scene.id, "status": "ok", "audio_s": rendered.duration_s}


def _one_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(f"field {'.'.join(map(str, e['loc'])) or 'sample'!r}: {e['msg']}" for e in errors())
    return str(exc).splitlines()[0]


# --- the driver ----------------------------------------------------------------------------
def template_jobs(items: Iterable[PlanItem]) -> list[Job]:
    return [Job(it.id, it.seed, (lambda it=it: _keyed(make_scene(it.template, it.label, it.seed, it.id), it)),
                it.template, it.label) for it in items]


def _keyed(scene: Scene, item: PlanItem) -> Scene:
    if item.key:
        scene.meta["plan_key"] = item.key
    return scene


def long_jobs(seed: int, limit: int | None = None) -> list[Job]:
    """The `long` preset: one monitoring session per length of `long.LONG_MINUTES`."""
    import numpy as np

    from .long import LONG_MINUTES, long_scene

    jobs = []
    for k, minutes in enumerate(LONG_MINUTES[:limit] if limit else LONG_MINUTES):
        sid = f"long{k + 1:02d}"
        sseed = int(np.random.SeedSequence([seed, k, int(minutes)]).generate_state(1)[0])
        jobs.append(Job(sid, sseed, lambda m=minutes, s=sseed, i=sid: long_scene(m, s, i), "long", True))
    return jobs


def preset_jobs(preset: str, seed: int, limit: int | None = None) -> list[Job]:
    if preset == "long":
        return long_jobs(seed, limit)
    if preset not in PRESETS:
        raise ProvoiceError(f"unknown preset {preset!r}: choose one of {sorted(PRESETS) + ['long']}")
    items = plan(PRESETS[preset], seed)
    return template_jobs(items[:limit] if limit else items)


def snr_id(sid: str, snr_db: float) -> str:
    """The id of a scene's copy at one sound level: `<id>.snr10`, `<id>.snr-5`."""
    return f"{sid}.snr{snr_db:g}"


def is_ess_job(job: Job) -> bool:
    """Whether a template job makes an ESS scene (LLM and official jobs are checked when made)."""
    return job.template is None or job.template == "llm" or job.template.lower().startswith("ess")


def sound_snr_jobs(jobs: list[Job], levels: list[float]) -> list[Job]:
    """An ESS loudness sweep: every ESS job once per level, with the same seed (the same voices,
    gaps, sound and bed: only the sound event's level differs). Other tasks have no sound event and
    are dropped. The level travels in the scene's `meta.sound_snr_db` (and so into the manifest)."""
    out = []
    for job in jobs:
        if not is_ess_job(job):
            continue
        for level in levels:
            def scene(job=job, level=level) -> Scene:
                base = job.scene()
                if base.task != "ESS":
                    raise ProvoiceError(f"sample {job.id!r}: --sound-snr-db needs ESS scenes, not {base.task}")
                return base.model_copy(update={"id": snr_id(base.id, level),
                                               "meta": {**base.meta, "sound_snr_db": level, "sweep_of": base.id}})
            out.append(Job(snr_id(job.id, level), job.seed, scene, job.template))
    return out


CONTEXT_VARIANTS = ("late", "withdrawn")
LATE_AFTER_S = 1.0  # the record arrives this long after the statement ends
WITHDRAWN_BEFORE_S = 1.0  # the record is withdrawn at most this long before the statement starts


def cfc_update_jobs(jobs: list[Job]) -> list[Job]:
    """Digital context that changes mid-stream: for every positive CFC job, two variants made from
    the same scene (the same audio), whose conflict depends on a `context_updates` entry:

    * `<id>.late` (positive): the app states start empty and the records arrive (a merge patch)
      `LATE_AFTER_S` after the wrong statement ends: the conflict appears only after the update,
      and the cue window is the update's moment;
    * `<id>.withdrawn` (negative): the records are withdrawn (a merge patch setting each app to
      null) before the statement: the conflict is gone by the time it is said.

    Which jobs are positive CFC is known only when the scene is made; the others make no variant
    (they are skipped with kind "variant")."""
    out = []
    for job in jobs:
        if job.label is False or (job.template not in (None, "llm") and not job.template.lower().startswith("cfc")):
            continue
        for variant in CONTEXT_VARIANTS:
            def scene(job=job, variant=variant) -> Scene:
                base = job.scene()
                if base.task != "CFC" or not base.label or not (base.digital_context or {}).get("app_states"):
                    raise ProvoiceError(f"sample {job.id!r}: a context variant needs a positive CFC scene with app states")
                update = {"id": f"{base.id}.{variant}", "meta": {**base.meta, "context_variant": variant,
                                                                   "variant_of": base.id}}
                if variant == "withdrawn":
                    update.update(label=False, gt_response="", gt_tool_calls=[],
                                  semantic_cue=base.semantic_cue + " But the records were withdrawn before it was "
                                                                   "said: nothing contradicts it any more.")
                else:
                    update["semantic_cue"] = (base.semantic_cue + " The records arrive only after it was said: "
                                              "the conflict appears with the update.")
                return base.model_copy(update=update)
            out.append(Job(f"{job.id}.{variant}", job.seed, scene, job.template, variant == "late"))
    return out


def context_variant(sample: Sample, variant: str, duration_s: float) -> Sample:
    """The manifest line of a context variant (see `cfc_update_jobs`), timed from the rendered cue."""
    ctx = sample.digital_context or {}
    apps = ctx.get("app_states") or {}
    cue = sample.cue
    if variant == "late":
        at = round(min(cue.end_s + LATE_AFTER_S, max(cue.end_s, duration_s - 0.5)), 3)
        return sample.model_copy(update={
            "meta": {**(sample.meta or {}), "statement_s": [cue.start_s, cue.end_s]},
            "digital_context": {**ctx, "app_states": {}},
            "context_updates": [ContextUpdate(at_s=at, patch={"app_states": apps})],
            "cue": CueWindow(start_s=at, end_s=at)})
    at = round(max(sample.monitor_from_s, cue.start_s - min(WITHDRAWN_BEFORE_S, cue.start_s / 2)), 3)
    return sample.model_copy(update={
        "context_updates": [ContextUpdate(at_s=at, patch={"app_states": {app: None for app in apps}})]})


def _progress(enabled: bool):
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), disable=not enabled, transient=False)


def _scene_for(out: Path, job: Job, skipped: list[dict]) -> Scene | None:
    """The job's scene: cached in parts/ or made now (and cached). None when it cannot be made."""
    _, _, cached = _paths(out, job.id)
    if cached.is_file():
        try:
            return Scene.model_validate_json(cached.read_text(encoding="utf-8"))
        except ValueError:
            log.warning("ignoring the unreadable cached scene %s", cached)
    try:
        scene = job.scene()
    except ProvoiceError as exc:
        skipped.append({"id": job.id, "kind": "scene", "reason": str(exc)})
        return None
    _atomic_write_text(cached, scene.model_dump_json(exclude_none=True))
    return scene


def _make_scenes(out: Path, jobs: list[Job], skipped: list[dict], threads: int):
    """Each job's scene (or None), in job order; with `threads` > 1 made concurrently."""
    if threads <= 1:
        for job in jobs:
            yield _scene_for(out, job, skipped)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(threads) as pool:
        yield from pool.map(lambda j: _scene_for(out, j, skipped), jobs)


def build(jobs: list[Job], out: str | Path, *, config: RenderConfig = RenderConfig(), workers: int = 1,
          progress: bool = True, settings: dict[str, Any] | None = None, scene_workers: int = 1,
          pre_skipped: list[dict[str, Any]] | None = None) -> BuildResult:
    """Make every job's sample in OUT (resuming finished ones) and write the manifest.

    `scene_workers` threads make scenes at once (for LLM scenes; templates need one);
    `pre_skipped` lists samples dropped before the build (they go to skipped.jsonl too).
    """
    out = Path(out)
    (out / AUDIO).mkdir(parents=True, exist_ok=True)
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result = BuildResult(out, skipped=list(pre_skipped or []))
    ids = [j.id for j in jobs]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ProvoiceError(f"duplicate sample ids in the build: {dup[:5]}")
    pending: list[Job] = []
    for job in jobs:
        if is_finished(out, job.id):
            result.reused.append(job.id)
        else:
            pending.append(job)
    seeds = {j.id: j.seed for j in jobs}
    with _progress(progress) as bar:
        scenes_task = bar.add_task("scenes", total=len(pending))
        audio_task = bar.add_task("audio", total=len(jobs), completed=len(result.reused))
        scenes: list[Scene] = []
        for scene in _make_scenes(out, pending, result.skipped, scene_workers):
            if scene is not None:
                scenes.append(scene)
            bar.advance(scenes_task)
        bar.update(audio_task, total=len(result.reused) + len(scenes))
        for res in _render_all(out, scenes, seeds, config, workers):
            if res["status"] == "ok":
                result.built.append(res["id"])
                result.audio_s += res["audio_s"]
            else:
                result.skipped.append({k: res[k] for k in ("id", "kind", "reason", "sounds") if k in res})
            bar.advance(audio_task)
    _finish(out, ids, result, config, settings)
    result.seconds = time.perf_counter() - started
    return result


def _render_all(out: Path, scenes: list[Scene], seeds: dict[str, int], config: RenderConfig, workers: int):
    args = [(str(out), s.model_dump_json(exclude_none=True), seeds[s.id], config) for s in scenes]
    if workers <= 1 or len(args) <= 1:
        for a in args:
            yield render_one(*a)
        return
    import multiprocessing

    # spawn, not fork: the parent runs threads (the progress bar) and may hold eSpeak's state
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        running = set()
        queue = iter(args)
        for a in queue:  # keep at most 2 jobs per worker in flight: scene JSON stays small in memory
            running.add(pool.submit(render_one, *a))
            if len(running) >= 2 * workers:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for f in done:
                    yield f.result()
        for f in running:
            yield f.result()


def _finish(out: Path, ids: list[str], result: BuildResult, config: RenderConfig,
            settings: dict[str, Any] | None) -> None:
    samples = []
    for sid in sorted(ids):  # id order: the manifest's order tells nothing about task or label
        _, record, _ = _paths(out, sid)
        if is_finished(out, sid):
            samples.append(Sample.model_validate_json(record.read_text(encoding="utf-8")))
    if samples:
        write_manifest(out, samples)
    skipped_path = out / SKIPPED
    result.skipped.sort(key=lambda s: (s["id"], s.get("kind", "")))  # scene threads finish in any order
    if result.skipped:
        _atomic_write_text(skipped_path, "".join(dumps(s) + "\n" for s in result.skipped))
    elif skipped_path.exists():
        skipped_path.unlink()
    hashes = [((s.meta.get("build") or {}).get("inputs_sha256")) for s in samples]
    info = {"format": FORMAT_VERSION, "samples": len(samples), "skipped": len(result.skipped),
            "render": asdict(config), **(settings or {}), "builder": builder_version(),
            "inputs_sha256": _sha256_json({"settings": settings or {}, "render": asdict(config),
                                           "samples": [[s.id, h] for s, h in zip(samples, hashes)]})}
    _atomic_write_text(out / "build.json", dumps(info, indent=2) + "\n")
