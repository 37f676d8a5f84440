"""Latency truth: a server written from docs/PROTOCOL.md alone speaks a known delay after a known
frame, and the harness's latency is exactly that delay.

The server below shares no code with the harness or with examples/agent_server.py: only the page's
facts (session.start -> hello; binary frames = uint64 LE start_sample + PCM16 mono; a frame covering
[s, s + n) is sent at stream time (s + n) / rate; `sync` echoed after everything before it, replies
included; end_of_stream -> end). It offers `sync` and declines polls, so under `--clock lockstep` the
stream waits for it after every frame and no wall time enters the figure: a reply it sends on
receiving the frame that ends at cue_end + D must be stamped exactly cue_end + D, and scored
latency (first scored interjection - cue end) must be exactly D. The real-clock version of this
measurement is bench/bench_websocket_latency.py.
"""

from __future__ import annotations

import asyncio
import json
import struct

import numpy as np
import pytest
from websockets.asyncio.server import serve

from helpers import make_corpus, sample
from provoice_live.engine.runner import run_corpus_async
from provoice_live.engine.session import SessionConfig
from provoice_live.run import RunDir
from provoice_live.scoring.inputs import load_scoring_input
from provoice_live.scoring.scores import score_predictions

RATE = 16000
CUE_END_S = 2.34  # the end of the 117th 20 ms frame


class KnownDelayServer:
    """Speaks once, `delay_s` of stream after the frame that ends at `after_s` (both from the page)."""

    def __init__(self, after_s: float, delay_s: float):
        self.target_samples = round((after_s + delay_s) * RATE)
        self.spoke_at_sample: int | None = None
        self.frames = 0

    async def __call__(self, ws) -> None:
        rate = None
        async for message in ws:
            if isinstance(message, bytes):
                start, = struct.unpack_from("<Q", message)
                end = start + (len(message) - 8) // 2  # mono PCM16 behind an 8-byte header
                self.frames += 1
                if self.spoke_at_sample is None and end * RATE >= self.target_samples * rate:
                    self.spoke_at_sample = end
                    await ws.send(json.dumps({"type": "text", "response_id": "r1", "text": "Now."}))
                    await ws.send(json.dumps({"type": "done", "response_id": "r1"}))
                continue
            msg = json.loads(message)
            if msg["type"] == "session.start":
                rate = msg["audio"]["sample_rate"]
                await ws.send(json.dumps({"type": "hello", "version": 1, "agent": "known-delay",
                                          "wants_polls": False, "sync": True}))
            elif msg["type"] == "sync":
                await ws.send(json.dumps({"type": "sync", "seq": msg["seq"]}))
            elif msg["type"] == "end_of_stream":
                await ws.send(json.dumps({"type": "end"}))


@pytest.mark.parametrize("delay_s", [0.0, 0.16, 0.7])  # whole frames: under lockstep a server acts on frames
async def test_the_harness_measures_a_known_delay_exactly(tmp_path, delay_s):
    server = KnownDelayServer(CUE_END_S, delay_s)
    x = (0.01 * np.random.default_rng(0).standard_normal(5 * RATE)).astype(np.float32)  # 5 s of quiet hiss
    corpus = make_corpus(tmp_path / "c", [sample("k1", cue=(1.5, CUE_END_S), _audio=x)])
    async with serve(server, "127.0.0.1", 0, compression=None, max_size=16 * 2**20) as srv:
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
        summary = await run_corpus_async(corpus, "websocket", {"url": url}, tmp_path / "run",
                                         SessionConfig(clock="lockstep"), progress=False)
    assert summary.errors == [] and server.frames == 250
    assert server.spoke_at_sample == round((CUE_END_S + delay_s) * RATE)  # it spoke where it meant to
    result, = RunDir(tmp_path / "run").results()
    inter, = result.interjections
    assert inter.t == round(CUE_END_S + delay_s, 6)
    scores = await asyncio.to_thread(score_predictions, load_scoring_input(tmp_path / "run").predictions)
    timing = scores.timing["overall"]
    assert timing.latency.n == 1 and timing.latency.median == pytest.approx(delay_s, abs=1e-9)
