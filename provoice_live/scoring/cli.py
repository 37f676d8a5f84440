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
from types import SimpleNamespace


def add_judge_arguments(p: argparse.ArgumentParser) -> None:
    """The options that choose the input's extras, the judge and the patience (shared with `report`)."""
    p.add_argument("--corpus", metavar="DIR", help="fill absent ground truth and cue windows from this corpus")
    p.add_argument("--official-data", metavar="DATA_JSON",
                   help="the official data.json, to score a folder of official <uuid>_response.json files")
    p.add_argument("--judge", action="append", metavar="SPEC",
                   help="'heuristic' (default, offline) or 'openai:MODEL' (any OpenAI-compatible endpoint); "
                        "given more than once, every judge rates and their agreement is reported")
    p.add_argument("--judge-repeats", type=int, default=1, metavar="N",
                   help="ask each LLM judge every verdict N times and report R_acc's spread, per-sample "
                        "agreement and Fleiss' kappa (default 1)")
    p.add_argument("--judge-temperature", type=float, metavar="T",
                   help="the LLM judge's sampling temperature (default 0 for one repeat, 1 for several)")
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
    p.add_argument("input", nargs="+", metavar="RUN|PREDICTIONS|FOLDER",
                   help="a run directory, a predictions.jsonl file, or a folder of official response files; "
                        "several: each is scored, and an ESS sweep's recall against SNR drawn side by side")
    add_judge_arguments(p)
    p.add_argument("--json", metavar="FILE", help="write the figures as JSON (the shape in docs/FORMATS.md)")
    p.add_argument("--markdown", metavar="FILE", help="write the tables as Markdown")
    p.add_argument("--csv", metavar="FILE", help="write the figures as CSV (section, task, metric, value)")
    p.add_argument("--plot-snr", metavar="PNG", help="draw recall and latency against the sound's SNR (ESS sweeps)")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print the tables")


def scores_from_args(args: argparse.Namespace):
    """Load the input and score it as the options say: (Scores, ScoringInput)."""
    from ..errors import ProvoiceError
    from .inputs import load_scoring_input
    from .agreement import score_with_raters
    from .judges import make_raters

    if args.patience < 0:
        raise ProvoiceError(f"--patience must be >= 0, not {args.patience}")
    inp = load_scoring_input(args.input, corpus=args.corpus, official_data=args.official_data)
    raters = make_raters(args.judge or ["heuristic"], args.judge_repeats, args.judge_temperature,
                         base_url=args.base_url, api_key_env=args.api_key_env,
                         cache_path=args.judge_cache or inp.cache_path, concurrency=args.judge_concurrency)
    scores = score_with_raters(inp.predictions, raters, args.patience, label=inp.label,
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
    import json

    from rich.console import Console

    from ..errors import ProvoiceError
    from ..run.directory import atomic_write_text
    from .tables import print_sections, render_terminal, snr_section

    console = Console(highlight=False)
    if len(args.input) == 1:
        args.input = args.input[0]
        scores, _ = scores_from_args(args)
        runs = [(scores.label, scores)]
        if not args.quiet:
            render_terminal(scores, console)
        for path in write_outputs(scores, args.json, args.markdown, args.csv):
            console.print(f"wrote {path}")
    else:
        if args.markdown or args.csv:
            raise ProvoiceError("--markdown and --csv take one input; several runs: use --json, or compare")
        args.inputs = args.input
        runs = score_inputs(args)
        if not args.quiet:
            for label, scores in runs:
                console.print(f"== {label}", style="bold")
                render_terminal(scores, console)
            if any(s.by_snr for _, s in runs):
                print_sections([snr_section(runs)], console)
        if args.json:
            path = Path(args.json)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, json.dumps({"runs": [{"label": label, "scores": s.to_json()} for label, s in runs]},
                                               indent=2, ensure_ascii=False) + "\n")
            console.print(f"wrote {path}")
    if args.plot_snr:
        from ..report.plots import plot_snr

        if not any(s.by_snr for _, s in runs):
            raise ProvoiceError("--plot-snr: no sample carries a sound level (build the corpus with --sound-snr-db)")
        console.print(f"wrote {plot_snr(runs, args.plot_snr)}")
    return 0


# ---- compare ------------------------------------------------------------------------------------

def add_compare_arguments(p: argparse.ArgumentParser) -> None:
    """`provoice-live compare RUN RUN ...` (scoring/compare.py): the first run is the baseline."""
    p.add_argument("inputs", nargs="+", metavar="RUN", help="run directories or predictions files (the first is the baseline)")
    add_judge_arguments(p)
    p.add_argument("--resamples", type=int, default=2000, metavar="N", help="bootstrap resamples (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="the bootstrap's seed (default 0)")
    p.add_argument("--level", type=float, default=0.95, help="confidence level of the intervals (default 0.95)")
    p.add_argument("--html", metavar="FILE", help="write one HTML page with every table")
    p.add_argument("--json", metavar="FILE", help="write the runs' figures and the deltas as JSON")
    p.add_argument("--markdown", metavar="FILE", help="write the tables as Markdown")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print the tables")


def score_inputs(args: argparse.Namespace) -> list[tuple[str, object]]:
    """Score every input of `args.inputs` with the same options: [(label, Scores)], labels made unique."""
    import copy

    out, seen = [], {}
    for path in args.inputs:
        one = copy.copy(args)
        one.input = path
        scores, _ = scores_from_args(one)
        label = scores.label or str(path)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label} #{seen[label]}"
        out.append((label, scores))
    return out


def compare_main(args: argparse.Namespace) -> int:
    import html as _html
    import json

    from rich.console import Console

    from ..errors import ProvoiceError
    from ..report.html import CSS
    from ..run.directory import atomic_write_text
    from .compare import compare, sections
    from .tables import print_sections, sections_html, sections_markdown

    if len(args.inputs) < 2:
        raise ProvoiceError("compare needs at least two runs")
    if not 100 <= args.resamples <= 1_000_000:
        raise ProvoiceError(f"--resamples must be between 100 and 1000000, not {args.resamples}")
    if not 0.5 <= args.level < 1.0:
        raise ProvoiceError(f"--level must be in [0.5, 1), not {args.level}")
    cmp = compare(score_inputs(args), args.resamples, args.seed, args.level)
    secs = sections(cmp)
    console = Console(highlight=False)
    if not args.quiet:
        print_sections(secs, console)
    title = "ProVoice-Bench comparison: " + ", ".join(label for label, _ in cmp.runs)
    pages = {
        args.json: lambda: json.dumps(cmp.to_json(), indent=2, ensure_ascii=False) + "\n",
        args.markdown: lambda: "\n".join([f"# {title}", ""] + sections_markdown(secs)).rstrip() + "\n",
        args.html: lambda: (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{_html.escape(title)}'
                            f"</title><style>{CSS}</style></head><body><header><h1>{_html.escape(title)}</h1></header>"
                            f"<main>{sections_html(secs)}</main></body></html>\n"),
    }
    for path, render in pages.items():
        if path:
            p = Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(p, render())
            console.print(f"wrote {p}")
    return 0


compare_command = SimpleNamespace(add_arguments=add_compare_arguments, main=compare_main)
