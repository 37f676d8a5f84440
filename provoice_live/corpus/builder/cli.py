"""`provoice-live build-corpus`: build a corpus with the paper's synthesis pipeline.

    provoice-live build-corpus --preset demo|paper --seed N --out DIR [--workers N] [--limit N]
        [--llm MODEL --base-url URL [--api-key-env NAME]]
        [--tts espeak|neural|openai:MODEL --tts-base-url URL] [--esc50 DIR] [--cochlscene DIR]
    provoice-live build-corpus --from data.json [--tools new_tools.json] --out DIR ...   (re-voice)
    provoice-live build-corpus --list-templates

Scenes come from the template library (default), an LLM (`--llm`), or the official release
(`--from`); audio from eSpeak NG (default) or an OpenAI-compatible speech endpoint. A rerun with
the same arguments resumes: finished samples are kept.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--preset", default="demo", help="demo (48 samples, balanced), paper (1,182, the paper's split) or long (monitoring "
                        "sessions of 10, 20 and 30 minutes: one standing request, near misses, a few real cues)")
    p.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    p.add_argument("--out", metavar="DIR", help="the corpus directory to write (required unless --list-templates)")
    p.add_argument("--workers", type=int, default=1, help="render processes (default 1)")
    p.add_argument("--limit", type=int, help="build only the first N samples of the preset (still balanced)")
    p.add_argument("--from", dest="from_data", metavar="data.json", help="re-voice the official release's scripts")
    p.add_argument("--tools", metavar="new_tools.json", help="with --from: the release's tool set")
    p.add_argument("--llm", metavar="MODEL", help="write scenes with this chat model instead of the templates")
    p.add_argument("--base-url", metavar="URL", help="the OpenAI-compatible endpoint of --llm")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="NAME",
                   help="environment variable holding the API key (default OPENAI_API_KEY)")
    p.add_argument("--llm-concurrency", type=int, default=4, help="scenes requested at once from --llm")
    p.add_argument("--tts", default="espeak",
                   help="espeak (default), neural (hibari and Piper voices, eSpeak for other speakers) or openai:MODEL")
    p.add_argument("--tts-base-url", metavar="URL", help="the endpoint of --tts openai:MODEL")
    p.add_argument("--esc50", metavar="DIR", help="an ESC-50 folder (meta/esc50.csv, audio/) for sound events")
    p.add_argument("--cochlscene", metavar="DIR", help="a CochlScene folder (<Class>/*.wav) for ambient noise")
    p.add_argument("--sound-snr-db", metavar="DB,DB,...",
                   help="an ESS loudness sweep: every ESS scene of the preset once per level, the sound event "
                        "this many dB above the speech and ambient bed under it (e.g. 20,10,5,0,-5)")
    p.add_argument("--cfc-updates", action="store_true",
                   help="add, for every positive CFC scene, a variant whose conflict appears only after a "
                        "mid-stream context update (.late) and one where an update removes it (.withdrawn)")
    p.add_argument("--list-templates", action="store_true", help="list the scene templates and exit")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _list_templates() -> int:
    from rich.console import Console
    from rich.table import Table

    from .scenes import list_templates

    table = Table("template", "task", "labels", "summary")
    rows = list_templates()
    for r in rows:
        table.add_row(r["name"], r["task"], "/".join(r["labels"]), r["summary"])
    Console().print(table)
    print(f"{len(rows)} templates")
    return 0


def parse_levels(text: str) -> list[float]:
    """`20,10,5,0,-5` -> [20.0, 10.0, 5.0, 0.0, -5.0]: finite, distinct, within +-60 dB."""
    import math

    from ...errors import ProvoiceError

    try:
        levels = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise ProvoiceError(f"--sound-snr-db takes numbers separated by commas, not {text!r}") from None
    if not levels or any(not math.isfinite(v) or abs(v) > 60 for v in levels) or len(set(levels)) != len(levels):
        raise ProvoiceError(f"--sound-snr-db needs distinct levels between -60 and 60 dB, not {text!r}")
    return levels


def main(args: argparse.Namespace) -> int:
    from ...errors import ProvoiceError

    if args.list_templates:
        return _list_templates()
    if not args.out:
        raise ProvoiceError("--out DIR is required")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from . import pipeline

    config = pipeline.RenderConfig(tts=args.tts, tts_base_url=args.tts_base_url, tts_api_key_env=args.api_key_env,
                                   esc50=args.esc50, cochlscene=args.cochlscene)
    levels = parse_levels(args.sound_snr_db) if args.sound_snr_db else None
    settings = {"seed": args.seed, "preset": None if args.from_data else args.preset, "limit": args.limit,
                "sound_snr_db": levels, "cfc_updates": bool(args.cfc_updates),
                "scenes": "official" if args.from_data else ("llm" if args.llm else "templates"),
                "llm": {"model": args.llm, "base_url": args.base_url} if args.llm else None,
                "from": args.from_data}
    pre_skipped: list[dict] = []
    if args.from_data:
        from ..official import official_jobs

        jobs, pre_skipped = official_jobs(args.from_data, args.tools, args.seed)
        jobs = jobs[: args.limit] if args.limit and not levels else jobs
    else:
        jobs = pipeline.preset_jobs(args.preset, args.seed, None if levels else args.limit)
        if args.llm:
            from .llm import LLMClient, llm_scene
            from .scenes import plan

            client = LLMClient(args.llm, args.base_url, api_key_env=args.api_key_env)
            items = {it.id: it for it in plan(pipeline.PRESETS[args.preset], args.seed)}
            for job in jobs:
                job.scene = (lambda it=items[job.id]: llm_scene(client, it))
                job.template = "llm"
    if levels:  # the limit counts ESS scenes, each made once per level
        ess = [j for j in jobs if pipeline.is_ess_job(j)]
        jobs = pipeline.sound_snr_jobs(ess[: args.limit] if args.limit else ess, levels)
    if args.cfc_updates:
        jobs = jobs + pipeline.cfc_update_jobs(jobs)
    result = pipeline.build(jobs, args.out, config=config, workers=args.workers, progress=not args.no_progress,
                            settings=settings, scene_workers=args.llm_concurrency if args.llm else 1,
                            pre_skipped=pre_skipped)
    print(f"{result.samples} samples in {args.out} ({len(result.built)} built, {len(result.reused)} kept) "
          f"in {result.seconds:.1f} s; {result.audio_s / 60:.1f} min of audio made")
    if result.skipped:
        print(f"{len(result.skipped)} skipped: see {os.path.join(args.out, pipeline.SKIPPED)}")
    from .sounds import sound_report

    print(sound_report(result.skipped, config.esc50))
    if args.from_data:  # what of the release made it, and how surely its cues were located
        import json

        from ..official.fidelity import fidelity_report

        report = fidelity_report(args.from_data, args.out)
        pipeline._atomic_write_text(Path(args.out) / "fidelity.json", json.dumps(report.to_json(), indent=2) + "\n")
        print(report.table())
    errors = [s for s in result.skipped if s["kind"] not in ("sound", "record")]
    return 1 if errors or not result.samples else 0
