"""`provoice-live validate DIR`: report every problem of a corpus and exit non-zero if any."""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("corpus", metavar="DIR", help="a corpus directory (manifest.jsonl beside its audio)")
    p.add_argument("--no-audio", action="store_true", help="check the manifest only, not the audio files")


def main(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    from .loader import _parse_manifest, validate_corpus
    from pathlib import Path

    # soft_wrap: a problem is one line at any terminal width (a path is never broken, grep finds it)
    console = Console(stderr=False, highlight=False, soft_wrap=True)
    problems = validate_corpus(args.corpus, check_audio=not args.no_audio)
    if problems:
        for p in problems:
            console.print(f"[red]problem[/red] {escape(str(p))}")
        console.print(f"{len(problems)} problem(s) in {escape(str(args.corpus))}")
        return 1
    samples, _ = _parse_manifest(Path(args.corpus))
    counts: dict[tuple[str, bool], int] = {}
    for _, s in samples:
        counts[(s.task, s.label)] = counts.get((s.task, s.label), 0) + 1
    summary = ", ".join(f"{t} {counts.get((t, True), 0)}+/{counts.get((t, False), 0)}-"
                        for t in ("PIC", "LTM", "CFC", "ESS") if (t, True) in counts or (t, False) in counts)
    console.print(f"ok: {len(samples)} samples ({summary})")
    return 0
