"""`provoice-live import-provoice --data data.json --tools new_tools.json [--audio-dir DIR] --out CORPUS`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


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
    from .fidelity import fidelity_report
    from .importer import import_release

    summary = import_release(args.data, args.tools, args.out, audio_dir=args.audio_dir, copy=args.copy,
                             workers=args.workers, progress=not args.no_progress)
    print(f"imported {summary['samples']} samples into {args.out}"
          + (f"; {summary['skipped']} skipped (see {Path(args.out) / 'skipped.jsonl'})" if summary["skipped"] else ""))
    print(fidelity_report(args.data, args.out).table())
    return 0 if summary["samples"] else 1
