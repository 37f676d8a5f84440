"""Pacing side by side: the same wav files replayed in real time by our engine and by pipecat.

For each system, N sessions at once (one per file, start times staggered alike), each playing its
file in 20 ms frames at 16 kHz to a recorder that notes when each frame arrives:

- ours: `engine.session.run_session` under `--clock realtime`, with an adapter that records
  arrival - the frame's wall deadline (its end, `RealtimeClock.wall_deadline`). VAD off, so both
  sides do the same work (pacing and hand-over only); `--vad silero|webrtc` adds ours.
- pipecat (`pipecat-ai`, `pip install -e .[bench]`): one `PipelineWorker` per session, all on one
  `WorkerRunner`; the pipeline is [WavInputTransport -> ArrivalRecorder]. The input transport is a
  `BaseInputTransport` that plays its file with absolute deadlines (`asyncio.sleep` until each
  frame's end, as a pipecat user would write it) and `push_audio_frame`s an `InputAudioRawFrame`
  carrying its deadline; the transport's own audio task passes it downstream; the recorder (a
  `FrameProcessor`) notes perf_counter() - deadline when `process_frame` gets it.

Pacing error = arrival - deadline (ms; p50, p99, max over all frames). CPU = the process's CPU
seconds over the replay (after imports and set-up) per session-hour of audio. Each system runs in
its own child process, one after the other, in one invocation.

    python bench/bench_pacing_vs_pipecat.py CORPUS_DIR [--sessions 32] [--seconds 0 (whole files)]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RATE = 16000
FRAME_MS = 20
STAGGER_S = 0.0137


def load_pcm(path: str, seconds: float) -> bytes:
    from provoice_live.audio import load_audio, to_pcm16

    x, _ = load_audio(path, target_rate=RATE)
    if seconds:
        x = x[: int(seconds * RATE)]
    return to_pcm16(x)


# ---- ours ----------------------------------------------------------------------------------------

async def run_ours(files: list[str], seconds: float, vad: str) -> tuple[list[float], float, float]:
    from provoice_live.agents.base import AgentAdapter, Capabilities, SessionContext
    from provoice_live.audio import from_pcm16
    from provoice_live.engine.clock import RealtimeClock
    from provoice_live.engine.session import SessionConfig, run_session
    from provoice_live.sources.file import FileSource

    errors: list[float] = []

    class ArrivalProbe(AgentAdapter):
        name = "probe"
        capabilities = Capabilities(input_sample_rate=RATE)

        def __init__(self, clock: RealtimeClock):
            super().__init__()
            self.clock = clock

        async def push_audio(self, chunk):
            errors.append(time.perf_counter() - self.clock.wall_deadline(chunk.end_s))

    pcms = [load_pcm(f, seconds) for f in files]
    config = SessionConfig(clock="realtime", tail_s=0, vad=vad != "none", vad_model=vad if vad != "none" else "webrtc")
    audio_s = sum(len(p) / 2 / RATE for p in pcms)
    with tempfile.TemporaryDirectory() as tmp:
        async def one(i: int, pcm: bytes):
            await asyncio.sleep(i * STAGGER_S)
            clock = RealtimeClock()
            await run_session(SessionContext(session_id=f"s{i}"), FileSource(from_pcm16(pcm), RATE, FRAME_MS),
                              ArrivalProbe(clock), Path(tmp) / f"s{i}.jsonl", config, clock=clock)

        cpu0 = time.process_time()
        await asyncio.gather(*(one(i, p) for i, p in enumerate(pcms)))
        cpu = time.process_time() - cpu0
    return errors, cpu, audio_s


# ---- pipecat -------------------------------------------------------------------------------------

async def run_pipecat(files: list[str], seconds: float) -> tuple[list[float], float, float]:
    from loguru import logger

    logger.remove()  # pipecat logs every frame processor's start at DEBUG: not part of the cost
    from pipecat.frames.frames import EndFrame, Frame, InputAudioRawFrame, StartFrame
    from pipecat.pipeline.pipeline import Pipeline
    from pipecat.pipeline.worker import PipelineParams, PipelineWorker
    from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
    from pipecat.transports.base_input import BaseInputTransport
    from pipecat.transports.base_transport import TransportParams
    from pipecat.workers.runner import WorkerRunner

    errors: list[float] = []
    frame_bytes = 2 * RATE * FRAME_MS // 1000

    class WavInputTransport(BaseInputTransport):
        """Plays one file's PCM in 20 ms InputAudioRawFrames at their end deadlines."""

        def __init__(self, pcm: bytes, delay_s: float, ready: asyncio.Event, on_done):
            super().__init__(TransportParams(audio_in_enabled=True, audio_in_sample_rate=RATE))
            self.pcm, self.delay_s, self.ready, self.on_done = pcm, delay_s, ready, on_done
            self._player: asyncio.Task | None = None

        async def start(self, frame: StartFrame):
            await super().start(frame)
            await self.set_transport_ready(frame)
            self._player = self.create_task(self._play())

        async def _play(self):
            await self.ready.wait()  # the StartFrame has reached the recorder: nothing is dropped
            await asyncio.sleep(self.delay_s)
            origin = time.perf_counter()
            for k, off in enumerate(range(0, len(self.pcm), frame_bytes)):
                piece = self.pcm[off: off + frame_bytes]
                deadline = origin + (off + len(piece)) / 2 / RATE
                wait = deadline - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                frame = InputAudioRawFrame(audio=piece, sample_rate=RATE, num_channels=1)
                frame.metadata["deadline"] = deadline
                await self.push_audio_frame(frame)
            await self._audio_in_queue.join()  # every frame passed on before the EndFrame stops the audio task
            await self.on_done()

    class ArrivalRecorder(FrameProcessor):
        def __init__(self, ready: asyncio.Event):
            super().__init__()
            self.ready = ready

        async def process_frame(self, frame: Frame, direction: FrameDirection):
            await super().process_frame(frame, direction)
            if isinstance(frame, StartFrame):
                self.ready.set()
            if isinstance(frame, InputAudioRawFrame) and "deadline" in frame.metadata:
                errors.append(time.perf_counter() - frame.metadata["deadline"])
                return  # the end of the line
            await self.push_frame(frame, direction)

    pcms = [load_pcm(f, seconds) for f in files]
    audio_s = sum(len(p) / 2 / RATE for p in pcms)
    runner = WorkerRunner(handle_sigint=False)
    workers = []
    for i, pcm in enumerate(pcms):
        holder: dict = {}

        async def done(holder=holder):
            await holder["worker"].queue_frame(EndFrame())

        ready = asyncio.Event()
        pipeline = Pipeline([WavInputTransport(pcm, i * STAGGER_S, ready, done), ArrivalRecorder(ready)])
        worker = PipelineWorker(pipeline, params=PipelineParams(audio_in_sample_rate=RATE),
                                idle_timeout_secs=None, enable_rtvi=False, check_dangling_tasks=False)
        holder["worker"] = worker
        workers.append(worker)
    await runner.add_workers(*workers)
    cpu0 = time.process_time()
    await runner.run()
    cpu = time.process_time() - cpu0
    return errors, cpu, audio_s


# ---- the comparison ------------------------------------------------------------------------------

def child(system: str, files: list[str], seconds: float, vad: str) -> None:
    if system == "ours":
        errors, cpu, audio_s = asyncio.run(run_ours(files, seconds, vad))
    else:
        errors, cpu, audio_s = asyncio.run(run_pipecat(files, seconds))
    e = np.array(errors) * 1000.0
    print(json.dumps({"system": system, "frames": len(e), "p50_ms": round(float(np.percentile(e, 50)), 3),
                      "p99_ms": round(float(np.percentile(e, 99)), 3), "max_ms": round(float(e.max()), 3),
                      "cpu_s": round(cpu, 3), "audio_s": round(audio_s, 1),
                      "cpu_s_per_session_hour": round(cpu / (audio_s / 3600), 2)}))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", nargs="?")
    p.add_argument("--sessions", type=int, default=32)
    p.add_argument("--seconds", type=float, default=0.0, help="cut each file to this many seconds (0: whole)")
    p.add_argument("--vad", default="none", choices=("none", "webrtc", "silero"), help="our engine's VAD")
    p.add_argument("--child", choices=("ours", "pipecat"), help=argparse.SUPPRESS)
    p.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        child(a.child, a.files, a.seconds, a.vad)
        return
    from provoice_live.corpus.loader import load_corpus

    corpus = load_corpus(a.corpus)
    files = [str(corpus.audio_path(s)) for s in corpus.samples[: a.sessions]]
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{len(files)} files from {a.corpus}; load at start {os.getloadavg()}")
    rows = {}
    for system in ("ours", "pipecat"):
        out = subprocess.run([sys.executable, __file__, "--child", system, "--seconds", str(a.seconds),
                              "--vad", a.vad, "--files", *files], capture_output=True, text=True, timeout=3600)
        if out.returncode:
            sys.exit(f"{system} failed:\n{out.stderr[-3000:]}")
        rows[system] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(rows[system]) + f"  # load {os.getloadavg()[0]:.2f}", flush=True)
    o, q = rows["ours"], rows["pipecat"]
    print(f"ratios pipecat/ours: p50 {q['p50_ms'] / o['p50_ms']:.2f}x, p99 {q['p99_ms'] / o['p99_ms']:.2f}x, "
          f"CPU {q['cpu_s_per_session_hour'] / o['cpu_s_per_session_hour']:.2f}x")


if __name__ == "__main__":
    main()
