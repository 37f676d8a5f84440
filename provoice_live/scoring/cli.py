"""`provoice-live score RUN|PREDICTIONS.jsonl|OFFICIAL_FOLDER`: the paper's tables and the timing table.

    provoice-live score runs/demo                       # heuristic (offline) judge, tables printed
    provoice-live score runs/demo --json scores.json --markdown scores.md --csv scores.csv
    provoice-live score preds.jsonl --corpus corpora/demo --judge openai:gpt-4o-mini
    provoice-live score output/qwen3omni_base --official-data data.json --judge openai:qwen3-80b \\
        --base-url http://localhost:8000/v1

The LLM judge's key comes from the environment (OPENAI_API_KEY, or the variable `--api-key-env`
names); its verdicts are cached in `judge_cache.jsonl` beside the input, so a rerun calls nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_judge_arguments(p: argparse.ArgumentParser) -> None:
    """The options that choose the input's extras, the judge and the patience (shared with `report`)."""
    p.add_argument("--corpus", metavar="DIR", help="fill absent ground truth and cue windows from this corpus")
    p.add_argument("--official-data", metavar="DATA_JSON",
                   help="the official data.json, to score a folder of official <uuid>_response.json files")
    p.add_argument("--judge", default="heuristic", metavar="SPEC",
                   help="'heuristic' (default, offline) or 'openai:MODEL' (any OpenAI-compatible endpoint)")
    p.add_argument("--base-url", metavar="URL", help="the judge endpoint, e.g. http://localhost:8000/v1")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="NAME",
                   help="the environment variable holding the judge's API key (default OPENAI_API_KEY)")
    p.add_argument("--judge-concurrency", type=int, default=8, metavar="N", help="judge requests in flight (default 8)")
    p.add_argument("--judge-cache", metavar="FILE", help="verdict cache (default: judge_cache.jsonl beside the input)")
    p.add_argument("--patience", type=float, default=5.0, metavar="S",
                   help="seconds after the cue end within which an interjection is timely (default 5)")
    p.add_argument("--include-suspect", action="store_true",
                   help="keep timing-suspect real-time sessions in the latency figures (left out by default)")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="RUN|PREDICTIONS|FOLDER",
                   help="a run directory, a predictions.jsonl file, or a folder of official response files")
    add_judge_arguments(p)
    p.add_argument("--json", metavar="FILE", help="write the figures as JSON (the shape in docs/FORMATS.md)")
    p.add_argument("--markdown", metavar="FILE", help="write the tables as Markdown")
    p.add_argument("--csv", metavar="FILE", help="write the figures as CSV (section, task, metric, value)")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print the tables")


def scores_from_args(args: argparse.Namespace):
    """Load the input and score it as the options say: (Scores, ScoringInput)."""
    from ..errors import ProvoiceError
    from .inputs import load_scoring_input
    from .judges import make_judge
    from .scores import score_predictions

    if args.patience < 0:
        raise ProvoiceError(f"--patience must be >= 0, not {args.patience}")
    inp = load_scoring_input(args.input, corpus=args.corpus, official_data=args.official_data)
    judge = make_judge(args.judge, base_url=args.base_url, api_key_env=args.api_key_env,
                       cache_path=args.judge_cache or inp.cache_path, concurrency=args.judge_concurrency)
    scores = score_predictions(inp.predictions, judge, args.patience, label=inp.label,
                               include_suspect=args.include_suspect)
    scores.notes.extend(inp.notes)
    return scores, inp


def write_outputs(scores, json_path: str | None = None, markdown_path: str | None = None,
                  csv_path: str | None = None) -> list[Path]:
    """Write the requested files atomically; return their paths."""
    from ..run.directory import atomic_write_text
    from .tables import to_csv, to_json_text, to_markdown

    written = []
    for path, render in ((json_path, to_json_text), (markdown_path, to_markdown), (csv_path, to_csv)):
        if path:
            p = Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(p, render(scores))
            written.append(p)
    return written


def main(args: argparse.Namespace) -> int:
    from rich.console import Console

    from .tables import render_terminal

    scores, _ = scores_from_args(args)
    console = Console(highlight=False)
    if not args.quiet:
        render_terminal(scores, console)
    for path in write_outputs(scores, args.json, args.markdown, args.csv):
        console.print(f"wrote {path}")
    return 0
