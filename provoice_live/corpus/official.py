"""The official ProVoice-Bench release (`data.json`, `new_tools.json`, `audios/<uuid>.wav`).

Two uses (see `reference/PROVOICE-FORMAT.md` for the format):
- `provoice-live import-provoice --data data.json --tools new_tools.json [--audio-dir DIR] --out CORPUS`
  converts the release to our corpus: task names mapped, label from the model turn, `parameters`
  read as arguments, instruction from User1's first turn (LTM, ESS), digital context = `user_states`,
  semantic cue = scenario description + cues, audio hard-linked (or copied) into the corpus. The
  clips carry no timestamps, so timing is found in the audio and marked `derived`: the last human
  turn of a positive by aligning its words with faster-whisper word timestamps; for ESS the sound
  event, an energetic stretch outside speech (webrtcvad) after the instruction; `monitor_from_s`
  is the end of the located instruction turn. Samples whose audio is missing are listed in
  `skipped.jsonl`, not faked.
- `official_jobs(...)` turns the same records into `Scene`s for `build-corpus --from data.json`,
  which re-voices them with the pipeline (exact timing).

Both share `parse_record`, the one mapping from an official record to our fields.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import ProvoiceError, SampleError
from .loader import read_json_file, read_tool_file
from .sample import ID_PATTERN, CueWindow, ToolCall, ToolSchema
from ..jsontext import dumps

log = logging.getLogger(__name__)

TASK_MAP = {"single_turn_taking": "PIC", "long_turn_taking": "LTM", "digital_memory": "CFC",
            "environment_sensing": "ESS"}
SPEAKERS = {"1": "user1", "2": "user2"}
SOUND_TURN = re.compile(r"^\W*(?:the\s+)?sound\s+of\s+(?:an?\s+|the\s+)?(.+?)\W*$", re.I)


@dataclass
class Turn:
    speaker: str  # user1 | user2 | sound
    text: str  # what is said, or the sound's name for a sound turn


@dataclass
class Record:
    """An official sample in our terms (no audio timing yet)."""

    id: str
    task: str
    label: bool
    audio_filepath: str
    digital_context: dict[str, Any] | None
    semantic_cue: str
    instruction: str | None
    gt_response: str
    gt_tool_calls: list[ToolCall]
    turns: list[Turn]  # the human and environment turns before the model turn
    genders: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def cue_turn(self) -> int | None:
        """The trigger: the last turn before the model's (positives only)."""
        return len(self.turns) - 1 if self.label and self.turns else None

    @property
    def instruction_turn(self) -> int | None:
        if self.task not in ("LTM", "ESS"):
            return None
        return next((i for i, t in enumerate(self.turns) if t.speaker == "user1"), None)


# --- reading -------------------------------------------------------------------------------
def _load_json(path: str | Path, what: str) -> Any:
    return read_json_file(path, what)


def read_tools(path: str | Path) -> list[ToolSchema]:
    """`new_tools.json` (chat-completions form) as our flat tool schemas."""
    return read_tool_file(path, "tools")


def read_data(path: str | Path) -> list[dict[str, Any]]:
    data = _load_json(path, "data")
    if not isinstance(data, list):
        raise ProvoiceError(f"{str(path)!r} must hold a list of samples")
    return data


def _arguments(call: dict[str, Any], sid: str, i: int) -> dict[str, Any]:
    args = call.get("parameters", call.get("arguments", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except json.JSONDecodeError as exc:
            raise SampleError(sid, f"tool_calls.{i}.parameters", f"not JSON ({exc.msg})") from exc
    if not isinstance(args, dict):
        raise SampleError(sid, f"tool_calls.{i}.parameters", "must be an object")
    return args


def _semantic_cue(cues: Any) -> str:
    if not isinstance(cues, dict):
        return str(cues or "")
    parts = [str(cues.get("description") or "").strip()]
    for c in cues.get("cues") or []:
        if isinstance(c, dict):
            parts.append(f"[{c.get('modality', 'audio')} cue] {c.get('description', '')}".strip())
    return " ".join(p for p in parts if p)


def sound_name(content: str) -> str:
    """The class in an environment turn: '(Sound of door_wood_knock)' -> 'door_wood_knock'."""
    m = SOUND_TURN.match(content.strip())
    return (m.group(1) if m else content.strip(" ()")).strip()


def parse_record(raw: Any, index: int) -> Record:
    """One official sample as a `Record`; a bad field raises `SampleError` naming it."""
    if not isinstance(raw, dict):
        raise SampleError(f"#{index}", None, "an official sample must be a JSON object")
    meta = raw.get("meta") or {}
    sid = str(meta.get("uuid") or f"official-{index:05d}")
    if not re.match(ID_PATTERN, sid):
        raise SampleError(sid, "meta.uuid", "is not usable as an id ([A-Za-z0-9_.-]+)")
    task = TASK_MAP.get(str(meta.get("task_name", "")))
    if task is None:
        raise SampleError(sid, "meta.task_name", f"unknown task {meta.get('task_name')!r}; expected one of {sorted(TASK_MAP)}")
    conv = raw.get("conversation") or {}
    turns_raw = conv.get("conversation_list")
    if not isinstance(turns_raw, list) or not turns_raw:
        raise SampleError(sid, "conversation.conversation_list", "is missing or empty")
    turns: list[Turn] = []
    model = None
    for i, t in enumerate(turns_raw):
        if not isinstance(t, dict):
            raise SampleError(sid, f"conversation.conversation_list.{i}", "must be an object")
        who = str(t.get("user", ""))
        if who == "model":
            model = t
            break  # the ground truth closes the conversation
        content = str(t.get("content") or "").strip()
        if who == "environment":
            turns.append(Turn("sound", sound_name(content)))
        elif who in SPEAKERS:
            if content:
                turns.append(Turn(SPEAKERS[who], content))
        else:
            raise SampleError(sid, f"conversation.conversation_list.{i}.user", f"unknown speaker {who!r}")
    calls_raw = (model or {}).get("tool_calls") or []
    calls = [ToolCall(name=str(c.get("name", "")), arguments=_arguments(c, sid, i)) for i, c in enumerate(calls_raw)
             if isinstance(c, dict)]
    response = str((model or {}).get("content") or "").strip()
    label = bool(model is not None and (response or calls))
    genders = {SPEAKERS[str(u.get("user"))]: u.get("user_gender") for u in conv.get("user_infos") or []
               if isinstance(u, dict) and str(u.get("user")) in SPEAKERS and u.get("user_gender") in ("male", "female")}
    rec = Record(
        id=sid, task=task, label=label, audio_filepath=str(raw.get("audio_filepath") or f"audios/{sid}.wav"),
        digital_context=raw.get("user_states") if isinstance(raw.get("user_states"), dict) else None,
        semantic_cue=_semantic_cue(raw.get("scenario_cues")), instruction=None,
        gt_response=response if label else "", gt_tool_calls=calls if label else [], turns=turns, genders=genders,
        meta={"source": "provoice-bench", "uuid": sid, "task_name": meta.get("task_name")},
    )
    k = rec.instruction_turn
    rec.instruction = rec.turns[k].text if k is not None else None
    if label and not turns:
        raise SampleError(sid, "conversation.conversation_list", "a positive has no turn before the model's")
    return rec


def read_records(data: str | Path) -> tuple[list[Record], list[dict[str, Any]]]:
    """All parseable records, and the unparseable ones as skip entries {id, kind, reason}."""
    records, bad = [], []
    seen: set[str] = set()
    for i, raw in enumerate(read_data(data)):
        try:
            rec = parse_record(raw, i)
        except SampleError as exc:
            bad.append({"id": exc.sample_id, "kind": "record", "reason": str(exc)})
            continue
        if rec.id in seen:
            bad.append({"id": rec.id, "kind": "record", "reason": "duplicate uuid"})
            continue
        seen.add(rec.id)
        records.append(rec)
    return records, bad


# --- finding timing in the audio -----------------------------------------------------------
_TOKEN = re.compile(r"[a-z0-9']+")


def tokens(text: str) -> list[str]:
    return [t.strip("'") for t in _TOKEN.findall(text.lower().replace("’", "'")) if t.strip("'")]


def _main_run(indices: list[int], words: list[Any], max_skip: int = 4, max_pause_s: float = 1.5) -> list[int]:
    """The largest run of matched word indices with no jump over `max_skip` words or `max_pause_s`."""
    runs: list[list[int]] = [[indices[0]]]
    for i in indices[1:]:
        prev = runs[-1][-1]
        if i - prev > max_skip or words[i].start_s - words[prev].end_s > max_pause_s:
            runs.append([i])
        else:
            runs[-1].append(i)
    return max(runs, key=len)


def align_turns(words: list[Any], turns: list[str]) -> list[tuple[float, float] | None]:
    """Each turn's span in the audio from ASR words (`.text`, `.start_s`, `.end_s`).

    The reference words of all turns are aligned with the heard words (difflib); a turn spans its
    matched words. Unmatched (misheard) words between two turns go to one side or the other of the
    longest pause among them; those before the first turn or after the last join it unless a pause
    over 1.5 s separates them.
    """
    hyp: list[str] = []
    hyp_word: list[int] = []
    for wi, w in enumerate(words):
        for tok in tokens(w.text):
            hyp.append(tok)
            hyp_word.append(wi)
    ref: list[str] = []
    owner: list[int] = []
    for ti, text in enumerate(turns):
        for tok in tokens(text):
            ref.append(tok)
            owner.append(ti)
    matched: dict[int, list[int]] = {}
    for block in difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            matched.setdefault(owner[block.a + k], []).append(hyp_word[block.b + k])
    for ti, ws in matched.items():  # stray matches of common words elsewhere: keep the main run
        matched[ti] = _main_run(sorted(set(ws)), words)
    lo = {ti: min(ws) for ti, ws in matched.items()}
    hi = {ti: max(ws) for ti, ws in matched.items()}
    order = sorted(lo, key=lo.get)
    pause = lambda i: words[i + 1].start_s - words[i].end_s  # the pause after heard word i
    for a, b in zip(order, order[1:]):  # unmatched words between two turns: split at the longest pause
        if lo[b] > hi[a] + 1:
            cut = max(range(hi[a], lo[b]), key=pause)
            hi[a], lo[b] = cut, cut + 1
    if order:  # the first and last turns take the misheard words at their outer edges
        first, last = order[0], order[-1]
        while lo[first] > 0 and pause(lo[first] - 1) < 1.5:
            lo[first] -= 1
        while hi[last] + 1 < len(words) and pause(hi[last]) < 1.5:
            hi[last] += 1
    return [(words[lo[t]].start_s, words[hi[t]].end_s) if t in lo else None for t in range(len(turns))]


FRAME_MS = 30
ACTIVE_DB = 9.0  # a frame is active when this far above the clip's noise floor


@dataclass
class Levels:
    """Frame levels of a clip (30 ms frames at 16 kHz): `level` dB per frame, the noise `floor`
    (the 10th-percentile frame level) and the frames' start times `t`."""

    x: Any  # the clip at 16 kHz
    t: Any
    level: Any
    floor: float
    n: int  # samples per frame

    @classmethod
    def of(cls, x, rate: int) -> "Levels":
        import numpy as np

        from ..audio import resample

        x = resample(x, rate, 16000) if rate != 16000 else x
        n = 16000 * FRAME_MS // 1000
        frames = len(x) // n
        grid = np.asarray(x[: frames * n], dtype=np.float64).reshape(frames, n)
        level = 10 * np.log10(np.mean(grid ** 2, axis=1) + 1e-12) if frames else np.zeros(0)
        return cls(x, np.arange(frames) * FRAME_MS / 1000.0, level,
                   float(np.percentile(level, 10)) if frames else 0.0, n)

    @property
    def active(self):
        return self.level > self.floor + ACTIVE_DB

    def trim(self, span: tuple[float, float]) -> tuple[float, float]:
        """Shrink a span to its first and last active frames (ASR word times run over at the edges)."""
        import numpy as np

        inside = np.flatnonzero(self.active & (self.t >= span[0] - 0.01) & (self.t + FRAME_MS / 1000 <= span[1] + 0.01))
        if len(inside) == 0:
            return span
        return float(self.t[inside[0]]), float(self.t[inside[-1]] + FRAME_MS / 1000)


def _runs(flags, t, gap_s: float) -> list[tuple[float, float]]:
    """Spans of consecutive true frames, bridging gaps up to `gap_s`."""
    import numpy as np

    out: list[list[float]] = []
    for i in np.flatnonzero(flags):
        start, end = float(t[i]), float(t[i] + FRAME_MS / 1000.0)
        if out and start - out[-1][1] <= gap_s:
            out[-1][1] = end
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def sound_regions(x, rate: int, speech: list[tuple[float, float]], after_s: float = 0.0,
                  use_vad: bool = True, min_s: float = 0.09, merge_s: float = 2.0) -> list[tuple[float, float, float]]:
    """Energetic stretches outside speech, after `after_s`: [(start, end, energy)], loudest first.

    A frame (30 ms) counts when it is active (`ACTIVE_DB` over the noise floor) and not speech:
    not from 0.2 s before to 0.6 s after a recognised word (`speech`: the reverberation tail), nor (when `use_vad`) in a run of webrtcvad
    speech frames that holds a recognised word. (webrtcvad alone calls many tonal sounds speech, so
    its runs count as speech only where the recogniser heard words.)
    Frames closer than `merge_s` are merged into one stretch (events pause inside: knocks come in
    groups, phones ring in a cadence).
    """
    import numpy as np
    import webrtcvad

    from ..audio import to_pcm16

    lv = Levels.of(x, rate)
    frames, n, t = len(lv.level), lv.n, lv.t
    if frames == 0:
        return []
    keep = lv.active & (t >= after_s)
    near = lambda s, e, before, after: (t + FRAME_MS / 1000.0 > s - before) & (t < e + after)
    for s, e in speech:
        keep &= ~near(s, e, 0.2, 0.6)  # after a word: its reverberation tail
    if use_vad:  # webrtcvad's speech runs that hold recognised words are speech too (their edges)
        vad = webrtcvad.Vad(3)
        pcm = to_pcm16(lv.x[: frames * n])
        voiced = np.array([vad.is_speech(pcm[2 * i * n: 2 * (i + 1) * n], 16000) for i in range(frames)])
        for start, end in _runs(voiced, t, gap_s=0.3):
            if any(s < end and e > start for s, e in speech):
                keep &= ~near(start, end, 0.0, 0.0)
    regions: list[list[float]] = []
    for i in np.flatnonzero(keep):
        start, end = t[i], t[i] + FRAME_MS / 1000.0
        power = float(10 ** (lv.level[i] / 10))
        if regions and start - regions[-1][1] <= merge_s:
            regions[-1][1] = end
            regions[-1][2] += power
        else:
            regions.append([start, end, power])
    out = [(float(s), float(e), p) for s, e, p in regions if e - s >= min_s]
    return sorted(out, key=lambda r: -r[2])


def heard_words(x, rate: int, missing_last: Callable[[list], bool], passes: int = 4) -> list:
    """ASR words of a clip with timestamps. Whisper sometimes stops early (a far-field voice after a
    near one): while `missing_last(words)` says the last turn was not heard and audio remains, the
    rest of the clip after the last heard word is transcribed again."""
    from ..asr import transcribe

    duration = len(x) / rate
    words: list = []
    start = 0.0
    for _ in range(passes):
        utterances = transcribe(x[int(start * rate):], rate, word_timestamps=True, offset_s=start)
        new = [w for u in utterances for w in u.words if w.start_s >= start - 0.05]
        words += new
        if not new or not missing_last(words) or words[-1].end_s > duration - 1.0:
            break
        start = words[-1].end_s
    return words


@dataclass
class Located:
    cue: CueWindow | None
    monitor_from_s: float
    method: str
    notes: list[str] = field(default_factory=list)


def locate(rec: Record, x, rate: int) -> Located:
    """The derived cue window and monitoring start of an official clip."""
    speech_turns = [(i, t) for i, t in enumerate(rec.turns) if t.speaker != "sound"]
    texts = [t.text for _, t in speech_turns]
    words = heard_words(x, rate, lambda ws: align_turns(ws, texts)[-1] is None if texts else False)
    levels = Levels.of(x, rate)
    spans = [levels.trim(sp) if sp else None for sp in align_turns(words, texts)]
    span_of = {i: spans[k] for k, (i, _) in enumerate(speech_turns)}
    notes: list[str] = []
    monitor = 0.0
    k = rec.instruction_turn
    if k is not None:
        if span_of.get(k):
            monitor = span_of[k][1]
        else:
            notes.append("instruction turn not found in the audio; monitoring from 0")
    cue, method = None, "none"
    c = rec.cue_turn
    if c is not None and rec.turns[c].speaker == "sound":
        speech = [(w.start_s, w.end_s) for w in words]
        regions = sound_regions(x, rate, speech, after_s=monitor)
        if regions:
            start, end, _ = regions[0]
            cue, method = CueWindow(start_s=start, end_s=end, derived=True), "sound-outside-speech"
    elif c is not None and span_of.get(c):
        start, end = span_of[c]
        cue, method = CueWindow(start_s=max(start, monitor), end_s=max(end, monitor), derived=True), "whisper-align"
    if rec.label and cue is None:
        notes.append("cue not found in the audio")
    return Located(cue, round(monitor, 3), method, notes)


# --- import --------------------------------------------------------------------------------
def _find_audio(rec: Record, data_dir: Path, audio_dir: Path | None) -> Path | None:
    rel = Path(rec.audio_filepath)
    bases = [audio_dir, data_dir] if audio_dir else [data_dir]
    for base in bases:
        for cand in (base / rel, base / rel.name):
            if cand.is_file():
                return cand
    return None


def _place_audio(src: Path, dst: Path, copy: bool) -> str:
    if dst.is_file():
        return "kept"
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    if not copy:
        try:
            os.link(src, tmp)
            os.replace(tmp, dst)
            return "linked"
        except OSError:
            pass
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)
    return "copied"


def import_one(rec: Record, src: str, out: str, copy: bool) -> dict[str, Any]:
    """Place one clip in the corpus, locate its timing, write its record. Runs in a worker."""
    from ..audio import load_audio
    from .builder.pipeline import AUDIO, _atomic_write_text, _paths
    from .sample import Sample

    root = Path(out)
    dst = root / AUDIO / f"{rec.id}{Path(src).suffix.lower() or '.wav'}"
    how = _place_audio(Path(src), dst, copy)
    try:
        x, rate = load_audio(dst, rec.id)
    except SampleError as exc:
        return {"id": rec.id, "status": "skipped", "kind": "audio", "reason": str(exc)}
    try:
        found = locate(rec, x, rate)
    except Exception as exc:  # a recogniser failure on one clip must not stop the import
        log.exception("locating the cue of %s failed", rec.id)
        return {"id": rec.id, "status": "skipped", "kind": "error", "reason": f"locating the cue failed: {exc}"}
    if rec.label and found.cue is None:
        return {"id": rec.id, "status": "skipped", "kind": "cue", "reason": "; ".join(found.notes)}
    sample = Sample(
        id=rec.id, task=rec.task, label=rec.label, audio=f"{AUDIO}/{dst.name}",
        digital_context=rec.digital_context, instruction=rec.instruction,
        monitor_from_s=found.monitor_from_s, cue=found.cue, semantic_cue=rec.semantic_cue,
        tools=[], gt_response=rec.gt_response, gt_tool_calls=rec.gt_tool_calls,
        meta={**rec.meta, "cue_method": found.method, "audio_placed": how, "notes": found.notes or None},
    )
    _, record, _ = _paths(root, rec.id)
    _atomic_write_text(record, sample.model_dump_json(exclude_none=True))
    return {"id": rec.id, "status": "ok"}


def import_release(data: str | Path, tools: str | Path | None, out: str | Path, *, audio_dir: str | Path | None = None,
                   copy: bool = False, workers: int = 1, progress: bool = True) -> dict[str, Any]:
    """Convert the release into a corpus in `out` (resumable). Returns a summary."""
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing

    from .builder.pipeline import AUDIO, PARTS, SKIPPED, _atomic_write_text, _progress
    from .builder.templates.tools import CATALOGUE
    from .loader import write_manifest
    from .sample import Sample

    started = time.perf_counter()
    out = Path(out)
    (out / AUDIO).mkdir(parents=True, exist_ok=True)
    (out / PARTS).mkdir(parents=True, exist_ok=True)
    tool_set = read_tools(tools) if tools else list(CATALOGUE.values())
    records, skipped = read_records(data)
    data_dir = Path(data).resolve().parent
    adir = Path(audio_dir) if audio_dir else None
    todo = []
    for rec in records:
        src = _find_audio(rec, data_dir, adir)
        if src is None:
            skipped.append({"id": rec.id, "kind": "audio", "reason": f"audio {rec.audio_filepath!r} not found"})
            continue
        finished = any((out / AUDIO).glob(f"{rec.id}.*")) and (out / PARTS / f"{rec.id}.json").is_file()
        if not finished:
            todo.append((rec, str(src), str(out), copy))
    with _progress(progress) as bar:
        task = bar.add_task("import", total=len(todo))
        if workers <= 1:
            results = []
            for args in todo:
                results.append(import_one(*args))
                bar.advance(task)
        else:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                results = []
                for r in pool.map(import_one, *zip(*todo)) if todo else []:
                    results.append(r)
                    bar.advance(task)
    skipped += [{k: r[k] for k in ("id", "kind", "reason")} for r in results if r["status"] != "ok"]
    samples = []
    for rec in records:
        record = out / PARTS / f"{rec.id}.json"
        if record.is_file():
            s = Sample.model_validate_json(record.read_text(encoding="utf-8"))
            samples.append(s.model_copy(update={"tools": tool_set}))
    if samples:
        write_manifest(out, samples)
    skipped_path = out / SKIPPED
    if skipped:
        _atomic_write_text(skipped_path, "".join(dumps(s) + "\n" for s in skipped))
    elif skipped_path.exists():
        skipped_path.unlink()
    summary = {"format": 1, "source": str(data), "samples": len(samples), "skipped": len(skipped),
               "seconds": round(time.perf_counter() - started, 2)}
    _atomic_write_text(out / "import.json", dumps(summary, indent=2) + "\n")
    return summary


# --- re-voicing (build-corpus --from) ------------------------------------------------------
def record_scene(rec: Record, tools: list[ToolSchema]):
    """The official record as a `Scene` for the pipeline: roles from the turn positions."""
    from .builder.script import Line, Scene, Script, Speaker

    lines = []
    for i, t in enumerate(rec.turns):
        role = "instruction" if i == rec.instruction_turn else "cue" if i == rec.cue_turn else "talk"
        if t.speaker == "sound":
            lines.append(Line(speaker="sound", sound=t.text, role=role))
        else:
            lines.append(Line(speaker=t.speaker, text=t.text, role=role))
    used = {ln.speaker for ln in lines}
    speakers = [Speaker(id=s, gender=rec.genders.get(s, "female" if s == "user1" else "male"))
                for s in ("user1", "user2") if s in used or s == "user1"]
    offered = {t.name for t in tools}
    extra = [ToolSchema(name=c.name, description="(from the official ground truth)",
                        parameters={"type": "object", "properties": {k: {"type": "string"} for k in c.arguments}})
             for c in rec.gt_tool_calls if c.name not in offered]
    return Scene(id=rec.id, task=rec.task, label=rec.label, template="provoice-bench",
                 digital_context=rec.digital_context, instruction=rec.instruction, semantic_cue=rec.semantic_cue,
                 tools=list(tools) + extra, gt_response=rec.gt_response, gt_tool_calls=rec.gt_tool_calls,
                 script=Script(speakers=speakers, lines=lines), meta=dict(rec.meta))


def official_jobs(data: str | Path, tools: str | Path | None, seed: int):
    """(pipeline jobs, skip entries) for re-voicing the release. Without `tools`, our catalogue."""
    from .builder.pipeline import Job
    from .builder.scenes import sample_seed
    from .builder.templates.tools import CATALOGUE

    tool_set = read_tools(tools) if tools else list(CATALOGUE.values())
    records, skipped = read_records(data)
    jobs = []
    for rec in records:
        if rec.task in ("LTM", "ESS") and rec.instruction_turn != 0:
            skipped.append({"id": rec.id, "kind": "record", "reason": f"{rec.task}: User1's instruction is not the first turn"})
            continue
        jobs.append(Job(rec.id, sample_seed(seed, rec.id), (lambda rec=rec: record_scene(rec, tool_set)), "provoice-bench"))
    return jobs, skipped


# --- the command ---------------------------------------------------------------------------
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, metavar="data.json", help="the release's data.json")
    p.add_argument("--tools", metavar="new_tools.json", help="the release's global tool set")
    p.add_argument("--audio-dir", metavar="DIR", help="where audios/<uuid>.wav live (default: beside data.json)")
    p.add_argument("--out", required=True, metavar="CORPUS", help="the corpus directory to write")
    p.add_argument("--copy", action="store_true", help="copy the audio instead of hard-linking it")
    p.add_argument("--workers", type=int, default=1, help="processes locating cue windows (each loads whisper)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    summary = import_release(args.data, args.tools, args.out, audio_dir=args.audio_dir, copy=args.copy,
                             workers=args.workers, progress=not args.no_progress)
    print(f"imported {summary['samples']} samples into {args.out}"
          + (f"; {summary['skipped']} skipped (see {Path(args.out) / 'skipped.jsonl'})" if summary["skipped"] else ""))
    return 0 if summary["samples"] else 1
