#!/usr/bin/env python
"""What the Silero VAD costs the event loop per 32 ms window, by part, in one run (CPU seconds of
this thread, `time.thread_time`, so other processes on a shared machine count less than in wall
time): the ONNX model call, the loudness gate as it was (numpy.percentile each window) and as it
is (a sorted history, `silero.percentile_of_sorted`). Decisions are the same (tests/audio/test_silero_gate.py).

    python bench/bench_silero_cost.py [--windows 2000] [--write]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provoice_live.silero import LevelGate, NumpyLevelGate as NumpyGate, SileroProbabilities  # noqa: E402


def per_window(fn, windows) -> float:
    t = time.thread_time()
    for w in windows:
        fn(w)
    return (time.thread_time() - t) / len(windows) * 1e6


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--windows", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--write", action="store_true")
    args = p.parse_args()
    rng = np.random.default_rng(0)
    windows = [(rng.standard_normal(512) * rng.uniform(0.001, 0.2)).astype(np.float32) for _ in range(args.windows)]
    load0 = os.getloadavg()[0]
    rows = {"model": [], "gate (numpy, before)": [], "gate (sorted, after)": []}
    for _ in range(args.rounds):  # interleaved, so a change in load hits all three
        rows["model"].append(per_window(SileroProbabilities().push, windows))
        rows["gate (numpy, before)"].append(per_window(NumpyGate().push, windows))
        rows["gate (sorted, after)"].append(per_window(LevelGate().push, windows))
    med = {k: float(np.median(v)) for k, v in rows.items()}
    before = med["model"] + med["gate (numpy, before)"]
    after = med["model"] + med["gate (sorted, after)"]
    text = "\n".join([f"| part | CPU per window (median of {args.rounds} rounds of {args.windows}) |", "|---|---|"]
                     + [f"| {k} | {v:.0f} us |" for k, v in med.items()]
                     + [f"| Silero per window, before / after | {before:.0f} / {after:.0f} us ({after / before:.2f}x); "
                        f"per 20 ms chunk {before * 0.625:.0f} / {after * 0.625:.0f} us |"])
    load = f"load average {load0:.2f} at start, {os.getloadavg()[0]:.2f} at the end, {os.cpu_count()} cores (shared)"
    print(text + "\n\n" + load)
    if args.write:
        with (ROOT / "bench" / "RESULTS.md").open("a", encoding="utf-8") as fh:
            fh.write(f"\n## VAD: what Silero costs the loop per window (`bench/bench_silero_cost.py`)\n\n"
                     f"`python bench/bench_silero_cost.py {' '.join(sys.argv[1:])}`, {load}; thread CPU time.\n\n"
                     + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
