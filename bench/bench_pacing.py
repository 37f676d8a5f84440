"""Real-time pacing error: how late each chunk reaches the agent, against its absolute deadline.

N concurrent sessions of D seconds each, realtime clock, an agent that only records when each
chunk arrives (VAD on, as in a real run). Error = arrival wall time - the chunk's wall deadline.

    python bench/bench_pacing.py --sessions 1 8 32 --seconds 60 [--vad silero]

Also printed: the process's CPU seconds per session-hour (what pacing costs the machine) and the
load average, since the machine may be shared.
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

from provoice_live.agents.base import AgentAdapter, Capabilities, SessionContext
from provoice_live.engine.clock import RealtimeClock
from provoice_live.engine.health import run_timed
from provoice_live.engine.session import SessionConfig, run_session
from provoice_live.sources.file import FileSource


class LatenessProbe(AgentAdapter):
    name = "probe"
    capabilities = Capabilities()

    def __init__(self, clock: RealtimeClock, errors: list):
        super().__init__()
        self.clock, self.errors = clock, errors

    async def push_audio(self, chunk):
        self.errors.append(time.perf_counter() - self.clock.wall_deadline(chunk.end_s))


async def run(n: int, seconds: float, stagger: float, vad: str = "webrtc", slots: int | None = None) -> np.ndarray:
    errors: list[float] = []
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(int(16000 * seconds)) * 0.01).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        async def one(i: int):
            await asyncio.sleep(i * stagger)
            clock = RealtimeClock(slots=slots)
            await run_session(SessionContext(session_id=f"b{i}"), FileSource(x, 16000), LatenessProbe(clock, errors),
                              Path(tmp) / f"b{i}.jsonl", SessionConfig(clock="realtime", tail_s=0, vad_model=vad), clock=clock)
        await asyncio.gather(*(one(i) for i in range(n)))
    return np.array(errors) * 1000.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--stagger", type=float, default=0.0137, help="seconds between session starts")
    ap.add_argument("--vad", default="webrtc", choices=("webrtc", "silero"))
    ap.add_argument("--slots", type=int, nargs="+", default=[RealtimeClock.SLOTS],
                    help="deadline slots of the realtime clock (1: every session's deadlines in one phase)")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, vad {args.vad}")
    print("| sessions | slots | chunks | p50 ms | p99 ms | max ms | CPU s per session-hour | load (1 min) |\n|---|---|---|---|---|---|---|---|")
    for n, slots in [(n, slots) for n in args.sessions for slots in args.slots]:
        cpu0 = time.process_time()
        e = run_timed(run(n, args.seconds, args.stagger, args.vad, slots))
        cpu_h = (time.process_time() - cpu0) / (n * args.seconds / 3600.0)
        print(f"| {n} | {slots} | {len(e)} | {np.percentile(e, 50):.3f} | {np.percentile(e, 99):.3f} | {e.max():.3f} | "
              f"{cpu_h:.0f} | {os.getloadavg()[0]:.1f} |", flush=True)

if __name__ == "__main__":
    main()
