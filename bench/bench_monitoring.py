"""Beyond the paper: the offline agent on long monitoring sessions and on an ESS loudness sweep.

* **Long sessions** (`build-corpus --preset long`): each session runs alone in a fresh process,
  once with the scripted agent (the engine alone: VAD, chunk loop, log) and once with the offline
  agent, under the lockstep clock. Per session: its length, the process's peak RSS (VmHWM) and CPU time,
  the agent's compute time, and the monitoring figures (cues hit, latency, false alarms per hour).
  Memory and CPU per hour that stay flat from 10 to 30 minutes show that nothing grows with length.
* **SNR sweep** (`build-corpus --sound-snr-db`): the ESS scenes of the demo preset at each level,
  through the offline agent; recall, FPR and median latency per level.

    python bench/bench_monitoring.py [--long-limit 3] [--sweep-scenes 12] [--levels 20,10,5,0,-5] [--append]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one(corpus: str, run: str, agent: str, opts: str, ids: str = "") -> None:
    """In a child process: one run (of the samples `ids`, comma-separated, or all); print peak RSS and
    CPU time as JSON."""
    import asyncio

    from provoice_live.engine.runner import run_corpus_async
    from provoice_live.engine.session import SessionConfig

    options = dict(kv.split("=", 1) for kv in opts.split(",") if kv)
    t0 = time.process_time()
    asyncio.run(run_corpus_async(Path(corpus), agent, options, Path(run), SessionConfig(clock="lockstep"), 1, False,
                                 ids=ids.split(",") if ids else None))
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's peak across fork and exec)
    hwm_kb = next(int(ln.split()[1]) for ln in Path("/proc/self/status").read_text().splitlines()
                  if ln.startswith("VmHWM:"))
    print(json.dumps({"rss_mb": hwm_kb / 1024, "cpu_s": time.process_time() - t0}))


def child(corpus: Path, run: Path, agent: str, opts: str = "", ids: str = "") -> dict:
    out = subprocess.run([sys.executable, __file__, "--one", str(corpus), str(run), agent, opts, ids],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def session_figures(run: Path) -> dict:
    from provoice_live.run import SessionResult

    (res,) = [SessionResult.model_validate_json(f.read_text()) for f in (run / "sessions").glob("*.result.json")]
    return {"audio_s": res.audio_s, "compute_s": res.compute_s, "wall_s": res.wall_s, "status": res.status}


def scores_of(run: Path):
    from provoice_live.scoring.inputs import load_scoring_input
    from provoice_live.scoring.scores import score_predictions

    inp = load_scoring_input(run)
    return score_predictions(inp.predictions)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--one", nargs=5, help=argparse.SUPPRESS)
    ap.add_argument("--long-limit", type=int, default=3, help="how many long sessions (10, 20, 30 min; 0: none)")
    ap.add_argument("--offline-sessions", type=int, default=None,
                    help="run the offline agent on only the first N long sessions (the engine alone on all)")
    ap.add_argument("--long-rows", help="a file of session rows (the JSON lines this script prints) measured earlier")
    ap.add_argument("--sweep-scenes", type=int, default=12, help="ESS scenes in the sweep (each at every level)")
    ap.add_argument("--levels", default="20,10,5,0,-5")
    ap.add_argument("--work", help="a folder for the corpora and runs (default: a temporary one)")
    ap.add_argument("--append", action="store_true", help="append the figures to bench/RESULTS.md")
    args = ap.parse_args()
    if args.one:
        one(*args.one)
        return 0
    sys.path.insert(0, str(ROOT))
    from provoice_live.cli import main as cli

    work = Path(args.work or tempfile.mkdtemp(prefix="bench-monitoring-"))
    load0 = os.getloadavg()
    long_corpus = work / "long"
    from provoice_live.corpus.loader import load_corpus

    rows = [json.loads(ln) for ln in Path(args.long_rows).read_text().splitlines()
            if ln.startswith('{"id"')] if args.long_rows else []
    if args.long_limit > 0:
        cli(["build-corpus", "--preset", "long", "--limit", str(args.long_limit), "--out", str(long_corpus),
             "--no-progress"])
    for k, s in enumerate(load_corpus(long_corpus).samples if args.long_limit > 0 else []):
        engine = child(long_corpus, work / f"run-scripted-{s.id}", "scripted", "at=1.0", s.id)
        if args.offline_sessions is not None and k >= args.offline_sessions:
            audio_h = session_figures(work / f"run-scripted-{s.id}")["audio_s"] / 3600
            rows.append({"id": s.id, "minutes": audio_h * 60, "engine_rss_mb": engine["rss_mb"],
                         "engine_cpu_s_per_h": engine["cpu_s"] / audio_h})
            print(json.dumps(rows[-1]))
            continue
        offline = child(long_corpus, work / f"run-offline-{s.id}", "offline", "asr_threads=2", s.id)
        fig = session_figures(work / f"run-offline-{s.id}")
        sc = scores_of(work / f"run-offline-{s.id}")
        m = sc.monitoring
        hours = fig["audio_s"] / 3600
        rows.append({"id": s.id, "minutes": fig["audio_s"] / 60, "engine_rss_mb": engine["rss_mb"],
                     "engine_cpu_s_per_h": engine["cpu_s"] / hours, "offline_rss_mb": offline["rss_mb"],
                     "offline_cpu_s_per_h": offline["cpu_s"] / hours, "compute_s_per_h": fig["compute_s"] / hours,
                     "cues": len(m.cues), "hits": m.hits, "latency_median_s": m.latency()["median"],
                     "false_alarms": m.false_alarms, "fa_per_h": m.fa_per_h, "status": fig["status"]})
        print(json.dumps(rows[-1]))
    if args.sweep_scenes <= 0:
        print(json.dumps({"rows": rows, "load": [load0[0], os.getloadavg()[0]]}))
        return 0
    sweep_corpus = work / "sweep"
    cli(["build-corpus", "--preset", "demo", "--limit", str(args.sweep_scenes), f"--sound-snr-db={args.levels}",
         "--out", str(sweep_corpus), "--no-progress"])
    sweep_run = work / "run-sweep"
    sweep = child(sweep_corpus, sweep_run, "offline", "asr_threads=2")
    by_snr = scores_of(sweep_run).by_snr
    print(json.dumps({"sweep": {f"{k:g}": v for k, v in by_snr.items()}, **sweep}))
    load1 = os.getloadavg()

    lines = ["", "## Long monitoring sessions and an ESS loudness sweep (offline agent)", "",
             f"`python bench/bench_monitoring.py --long-limit {args.long_limit} --sweep-scenes {args.sweep_scenes} "
             f"--levels={args.levels}`: lockstep clock, each long session alone in a fresh process (peak RSS and "
             "CPU time of that process), the scripted agent for the engine alone. Shared 2-core machine, load "
             f"average {load0[0]:.1f} before and {load1[0]:.1f} after (other helpers running).", "",
             "| session | min | engine RSS MB | engine CPU s/h | offline RSS MB | offline CPU s/h | agent compute s/h "
             "| cues hit | median latency s | false alarms | FA/h |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        head = f"| {r['id']} | {r['minutes']:.1f} | {r['engine_rss_mb']:.0f} | {r['engine_cpu_s_per_h']:.1f} | "
        if "offline_rss_mb" not in r:
            lines.append(head + "— | — | — | — | — | — | — |")
            continue
        lat = "n/a" if r["latency_median_s"] is None else f"{r['latency_median_s']:.2f}"
        lines.append(head + f"{r['offline_rss_mb']:.0f} | {r['offline_cpu_s_per_h']:.0f} | {r['compute_s_per_h']:.0f} | "
                     f"{r['hits']}/{r['cues']} | {lat} | {r['false_alarms']} | {r['fa_per_h']:.1f} |")
    lines += ["", f"SNR sweep: {args.sweep_scenes} demo scenes' ESS samples at each level (half positive), offline "
                  f"agent; process peak RSS {sweep['rss_mb']:.0f} MB.", "",
              "| sound SNR dB | N | recall | FPR | median latency s |", "|---:|---:|---:|---:|---:|"]
    for level, f in by_snr.items():
        fmt = lambda x: "n/a" if x is None else f"{x:.3f}"  # noqa: E731
        lines.append(f"| {level:g} | {f['n']} | {fmt(f['recall'])} | {fmt(f['fpr'])} | "
                     f"{'n/a' if f['latency_median_s'] is None else format(f['latency_median_s'], '.2f')} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.append:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
