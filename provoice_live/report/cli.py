"""`provoice-live report RUN --out DIR`: an HTML page with the tables, latency histograms and a
timeline picture per session (see `report/html.py`). Takes the same judge options as `score`.

    provoice-live report runs/demo --out runs/demo/report
    provoice-live report runs/demo --out report --judge openai:gpt-4o-mini --max-timelines 50
"""

from __future__ import annotations

import argparse


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..scoring.cli import add_judge_arguments

    p.add_argument("input", metavar="RUN", help="a run directory (or a predictions file: tables only)")
    p.add_argument("--out", required=True, metavar="DIR", help="where to write index.html and its pictures")
    p.add_argument("--max-timelines", type=int, default=200, metavar="N",
                   help="at most N session timelines, errors and mistakes first (default 200)")
    add_judge_arguments(p)


def main(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..scoring.cli import scores_from_args
    from .html import make_report

    scores, inp = scores_from_args(args)
    index = make_report(args.input, args.out, scores=scores, max_timelines=max(0, args.max_timelines),
                        patience_s=args.patience, corpus=args.corpus)
    Console(highlight=False).print(f"wrote {index}")
    return 0
