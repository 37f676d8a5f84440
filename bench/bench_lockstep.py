"""Lockstep throughput with the null agent: seconds of audio replayed per second of wall time.

One process (one core), sessions of D seconds each, run back to back through the real session
loop (chunking, agent calls, VAD, log). Goal: at least 1000x real time, with VAD on and off.

    python bench/bench_lockstep.py --sessions 20 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from provoice_live.agents.base import SessionContext
from provoice_live.agents.null import NullAgent
from provoice_live.engine.session import SessionConfig, run_session
from provoice_live.sources.file import FileSource


def speechy(seconds: float, rate: int = 16000) -> np.ndarray:
    """Alternating 2 s of voiced buzz and 1 s of quiet noise, so the VAD has work to do."""
    t = np.arange(int(seconds * rate)) / rate
    x = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 20)) * 0.1
    gate = (t % 3.0) < 2.0
    rng = np.random.default_rng(0)
    return (x * gate + rng.standard_normal(len(t)) * 0.003).astype(np.float32)


async def run(n: int, seconds: float, vad: bool) -> tuple[float, float]:
    x = speechy(seconds)
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(n):
            res = await run_session(SessionContext(session_id=f"b{i}"), FileSource(x, 16000), NullAgent(),
                                    Path(tmp) / f"b{i}.jsonl", SessionConfig(clock="lockstep", vad=vad))
            assert res.status == "ok"
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return n * seconds / wall, n * seconds / cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| VAD | audio s | x real time, wall | x real time, per CPU second |\n|---|---|---|---|")
    for vad in (True, False):
        wall, cpu = asyncio.run(run(args.sessions, args.seconds, vad))
        print(f"| {'on' if vad else 'off'} | {args.sessions * args.seconds:.0f} | {wall:.0f}x | {cpu:.0f}x |", flush=True)


if __name__ == "__main__":
    main()
