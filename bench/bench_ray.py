"""The Ray executor on this machine: a two-node cluster on 127.0.0.1 (`tests/cluster/ray_cluster.py`, the
tests' loopback-only namespace), one CPU per node.

1. Lockstep throughput with the offline agent: the same corpus run locally (one process), on Ray
   with 1 worker and with 2 workers, in one invocation; seconds of audio per wall second and the
   ratios to local. Each figure includes making the agent (the speech model) in its process(es).
2. Ray's per-session overhead: from the driver handing a session to a worker to the session's
   first record on the worker (`session_start`, written just before the first chunk), null agent.
3. Real-time pacing: N sessions over 2 workers (N/2 per worker's event loop), realtime clock; each
   chunk's arrival at the agent against its schedule (see `PacingProbe`):
   p50/p99/max. The same N sessions in one local process, in the same invocation, for comparison.
   webrtcvad by default (as `bench_pacing.py`): the figure is the harness's pacing, not a VAD's cost.

    python bench/bench_ray.py --samples 6 --pacing-sessions 64 --pacing-seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

from provoice_live.agents.base import AgentAdapter, Capabilities  # noqa: E402


class PacingProbe(AgentAdapter):
    """Records each chunk's arrival against its place in the stream; writes the lateness at close.

    The clock's start is not visible to an agent, so the schedule is recovered from the arrivals:
    a chunk never arrives before its deadline, so the smallest `arrival - end_s` of the session is
    (within the best chunk's own lateness) the session's start, and each chunk's lateness is its
    `arrival - end_s` minus that smallest one. A lower bound of the truth, by at most the best
    chunk's lateness (microseconds when any chunk was on time)."""

    name = "pacing-probe"
    capabilities = Capabilities()

    def __init__(self, out: str = "", **options: Any):
        super().__init__(out=out, **options)
        self.out = out
        self.offsets: list[float] = []

    async def push_audio(self, chunk) -> None:
        self.offsets.append(time.perf_counter() - chunk.end_s)

    async def close(self) -> None:
        if self.out and self.ctx is not None and self.offsets:
            start = min(self.offsets)
            Path(self.out, f"{self.ctx.session_id}.json").write_text(json.dumps([o - start for o in self.offsets]))


def _config(clock: str, vad: str | None = None):
    """`provoice-live run --clock CLOCK [--vad VAD]`'s session settings."""
    from provoice_live.cli import build_parser
    from provoice_live.engine.cli import session_config

    argv = ["run", "--corpus", "-", "--out", "-", "--clock", clock] + (["--vad", vad] if vad else [])
    return session_config(build_parser().parse_args(argv))


# --- run inside the cluster's driver ----------------------------------------------------------------
def ray_run(corpus: str, out: str, agent: str, opts: dict, clock: str, workers: int, concurrency: int,
            tail: float | None = None, vad: str | None = None) -> dict:
    """One Ray run; wall seconds, audio seconds, and per session (submit -> session_start) seconds."""
    from provoice_live.cluster.sessions import RayExecutor
    from provoice_live.engine.runner import run_corpus

    submitted: dict[str, float] = {}
    executor = RayExecutor(workers=workers, on_submit=lambda sid: submitted.setdefault(sid, time.time()))
    config = _config(clock, vad)
    if tail is not None:
        config.tail_s = tail
    t0 = time.perf_counter()
    summary = run_corpus(corpus, agent, opts, out, config, concurrency=concurrency, progress=False, executor=executor)
    wall = time.perf_counter() - t0
    overhead = []
    for sid, t in submitted.items():
        first = json.loads((Path(out) / "sessions" / f"{sid}.jsonl").read_text().splitlines()[0])
        overhead.append(first["wall"] - t)
    ready = min(submitted.values()) - (time.time() - wall) if submitted else 0.0
    return {"wall_s": wall, "ready_s": ready, "audio_s": summary.audio_s, "ran": summary.ran, "errors": summary.errors,
            "overhead_s": overhead, "workers": [w.report() for w in executor.workers_seen]}


# --- the bench (outside the namespace) -------------------------------------------------------------
def _pct(values, q):
    import numpy as np

    return float(np.percentile(np.asarray(values), q)) if len(values) else float("nan")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def pacing_corpus(root: Path, n: int, seconds: float) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from support.helpers import make_corpus, sample, timeline

    x = timeline([("speech", 2.0), ("silence", 1.0)] * int(max(1, seconds // 3)))
    return make_corpus(root, [sample(f"p{i:03d}", cue=None, label=False, _audio=x) for i in range(n)])


def local_run(corpus: Path, out: Path, agent: str, opts: dict, clock: str, concurrency: int,
              tail: float | None = None, vad: str | None = None) -> dict:
    from provoice_live.engine.runner import run_corpus

    config = _config(clock, vad)
    if tail is not None:
        config.tail_s = tail
    t0 = time.perf_counter()
    summary = run_corpus(str(corpus), agent, opts, str(out), config, concurrency=concurrency, progress=False)
    return {"wall_s": time.perf_counter() - t0, "audio_s": summary.audio_s, "ran": summary.ran, "errors": summary.errors}


def lateness_ms(folder: Path) -> list[float]:
    out: list[float] = []
    for f in folder.glob("*.json"):
        out += [v * 1000.0 for v in json.loads(f.read_text())]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=6, help="demo-preset samples for the throughput runs")
    ap.add_argument("--corpus", help="use this corpus for throughput instead of building one")
    ap.add_argument("--overhead-sessions", type=int, default=16)
    ap.add_argument("--pacing-sessions", type=int, default=64)
    ap.add_argument("--pacing-seconds", type=float, default=10.0)
    ap.add_argument("--pacing-vad", default="webrtc", help="the pacing runs' VAD (webrtc, as bench_pacing.py)")
    ap.add_argument("--keep", metavar="DIR", help="keep the corpora and run directories here")
    ap.add_argument("--skip", nargs="*", default=[], choices=["throughput", "overhead", "pacing"])
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(ROOT / "tests" / "cluster"))
    from ray_cluster import LoopbackRayCluster

    from provoice_live.cli import main as cli

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load at start {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp_s:
        tmp = Path(args.keep or tmp_s)
        tmp.mkdir(parents=True, exist_ok=True)
        corpus = Path(args.corpus) if args.corpus else tmp / "corpus"
        if not args.corpus:
            assert cli(["build-corpus", "--preset", "demo", "--seed", "1", "--limit", str(args.samples),
                        "--out", str(corpus), "--no-progress"]) == 0
        t0 = time.perf_counter()
        with LoopbackRayCluster(tmp / "cluster", python_path=(str(HERE),)) as cluster:
            print(f"cluster of 2 nodes up in {time.perf_counter() - t0:.1f} s (load {load()})", flush=True)
            if "throughput" not in args.skip:
                rows = []
                loc = local_run(corpus, tmp / "local", "offline", {}, "lockstep", 1)
                rows.append(("local, 1 process", loc, load()))
                for w in (1, 2):
                    r = cluster.call("bench_ray:ray_run", str(corpus), str(tmp / f"ray{w}"), "offline", {}, "lockstep",
                                     w, 1, timeout=3600)
                    rows.append((f"Ray, {w} worker(s)", r, load()))
                preds = {name: (tmp / d / "predictions.jsonl").read_bytes()
                         for name, d in (("local", "local"), ("ray1", "ray1"), ("ray2", "ray2"))}
                print(f"\nlockstep, offline agent, {loc['ran']} sessions, {loc['audio_s']:.0f} s of audio; "
                      f"predictions identical: {len(set(preds.values())) == 1}")
                print("| executor | wall s | of which workers starting s | audio s / wall s | vs local "
                      "| after start: audio s / s | vs local | load after |\n|---|---|---|---|---|---|---|---|")
                for name, r, ld in rows:
                    steady = r["audio_s"] / (r["wall_s"] - r.get("ready_s", 0.0))
                    print(f"| {name} | {r['wall_s']:.1f} | {r.get('ready_s', 0.0):.1f} | {r['audio_s'] / r['wall_s']:.2f} | "
                          f"{loc['wall_s'] / r['wall_s']:.2f}x | {steady:.2f} | "
                          f"{steady / (loc['audio_s'] / loc['wall_s']):.2f}x | {ld} |", flush=True)
            if "overhead" not in args.skip:
                small = pacing_corpus(tmp / "overhead", args.overhead_sessions, 3.0)
                r = cluster.call("bench_ray:ray_run", str(small), str(tmp / "overhead-run"), "null", {}, "lockstep",
                                 2, 1, timeout=1200)
                ov = [v * 1000.0 for v in r["overhead_s"]]
                print(f"\nper-session overhead on Ray (hand-over -> session_start), null agent, {len(ov)} sessions, "
                      f"2 workers: median {_pct(ov, 50):.1f} ms, p90 {_pct(ov, 90):.1f} ms, max {max(ov):.1f} ms "
                      f"(load {load()})", flush=True)
            if "pacing" not in args.skip:
                n = args.pacing_sessions
                pc = pacing_corpus(tmp / "pacing", n, args.pacing_seconds)
                print(f"\nreal-time pacing, {n} sessions of {args.pacing_seconds:.0f} s, --vad {args.pacing_vad}, "
                      "lateness of each chunk against its schedule (ms)")
                print("| where | chunks | p50 | p99 | max | wall s | load after |\n|---|---|---|---|---|---|---|")
                for where in ("ray", "local"):
                    probe_dir = tmp / f"probe-{where}"
                    probe_dir.mkdir()
                    opts = {"out": str(probe_dir)}
                    if where == "ray":
                        r = cluster.call("bench_ray:ray_run", str(pc), str(tmp / "pacing-ray"), "bench_ray:PacingProbe",
                                         opts, "realtime", 2, n // 2, 0.0, args.pacing_vad, timeout=1200)
                        label = f"Ray, 2 workers x {n // 2}"
                    else:
                        r = local_run(pc, tmp / "pacing-local", "bench_ray:PacingProbe", opts, "realtime", n, 0.0,
                                      args.pacing_vad)
                        label = f"local, 1 process x {n}"
                    late = lateness_ms(probe_dir)
                    print(f"| {label} | {len(late)} | {_pct(late, 50):.2f} | {_pct(late, 99):.2f} | {max(late):.2f} | "
                          f"{r['wall_s']:.1f} | {load()} |", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    main()
