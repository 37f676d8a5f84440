"""Real-time factor of the offline agent: its processing time over the audio time, on this machine.

Runs the demo corpus (built into a temporary folder unless --corpus is given) through the engine
under the lockstep clock, where the stream waits for the agent: the session's `compute_s` (the
agent's drain time: VAD, sound detection, speech recognition and rules) over its audio seconds is
the real-time factor. Below 1 the agent keeps up live; the goal is below 0.3 on 2 cores.

    python bench/bench_offline_agent.py [--corpus DIR] [--limit N] [--asr-threads 2] [--append]
    python bench/bench_offline_agent.py --corpus DIR --run RUN_DIR [--append]   # figures of a finished run
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
from collections import defaultdict
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="a corpus directory (default: build the demo preset in a temp folder)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N samples")
    ap.add_argument("--asr-threads", type=int, default=2, help="CPU threads of the speech recogniser")
    ap.add_argument("--append", action="store_true", help="append the figures to bench/RESULTS.md")
    ap.add_argument("--run", help="only report on this finished lockstep run of the offline agent over --corpus")
    args = ap.parse_args()

    from provoice_live.corpus.builder.pipeline import build, preset_jobs
    from provoice_live.corpus.loader import load_corpus
    from provoice_live.engine.runner import run_corpus_async
    from provoice_live.engine.session import SessionConfig
    from provoice_live.run import SessionResult

    tmp = Path(tempfile.mkdtemp(prefix="bench-offline-"))
    corpus = Path(args.corpus) if args.corpus else tmp / "demo"
    run_dir = Path(args.run) if args.run else tmp / "run"
    if not args.corpus:
        build(preset_jobs("demo", 0), corpus, progress=False)
    if not args.run:
        asyncio.run(run_corpus_async(corpus, "offline", {"asr_threads": args.asr_threads}, run_dir,
                                     SessionConfig(clock="lockstep"), 1, False, **({"limit": args.limit} if args.limit else {})))
    tasks = {s.id: s.task for s in load_corpus(corpus).samples}
    per: dict[str, list[tuple[float, float]]] = defaultdict(list)
    wall = 0.0
    results = [SessionResult.model_validate_json(f.read_text()) for f in sorted((run_dir / "sessions").glob("*.result.json"))]
    for r in results:
        per[tasks.get(r.id, "?")].append((r.compute_s, r.audio_s))
        wall += r.wall_s
    rows = []
    all_c = sum(c for v in per.values() for c, _ in v)
    all_a = sum(a for v in per.values() for _, a in v)
    for task in sorted(per):
        c, a = sum(x for x, _ in per[task]), sum(y for _, y in per[task])
        worst = max(x / y for x, y in per[task] if y)
        rows.append((task, len(per[task]), a, c, c / a, worst))
    rows.append(("all", sum(len(v) for v in per.values()), all_a, all_c, all_c / all_a,
                 max(r[5] for r in rows)))
    load = os.getloadavg()
    lines = [
        "",
        "## Offline agent: real-time factor (bench/bench_offline_agent.py)",
        "",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (shared machine)",
        f"- command: `python bench/bench_offline_agent.py{' --limit ' + str(args.limit) if args.limit else ''}"
        f" --asr-threads {args.asr_threads}` (demo corpus, seed 0, lockstep clock, one session at a time)",
        f"- {len(results)} sessions, {all_a:.0f} s of audio, {wall:.0f} s of session wall time (run directory {run_dir})",
        "",
        "| task | sessions | audio (s) | agent compute (s) | RTF | worst session RTF |",
        "|---|---|---|---|---|---|",
    ] + [f"| {t} | {n} | {a:.1f} | {c:.1f} | {r:.3f} | {w:.3f} |" for t, n, a, c, r, w in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.append:
        results = Path(__file__).with_name("RESULTS.md")
        if not results.exists():
            results.write_text("# Benchmark results\n")
        with results.open("a") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
