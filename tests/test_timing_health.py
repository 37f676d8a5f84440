"""Timing you can cite: polls counted only when sent, latency parts only from the poll that was
answered, per-session timing health (hand-over lag, loop stalls, stamp uncertainty) and what
scoring does with sessions whose timing is suspect. Every clock here is virtual or lockstep."""

from __future__ import annotations

import json

import numpy as np
import pytest
from websockets.asyncio.server import serve

from helpers import make_corpus, sample, timeline
from provoice_live.agents.base import SessionContext
from provoice_live.agents.scripted import ScriptedAgent
from provoice_live.engine.clock import VirtualClock
from provoice_live.engine.runner import run_corpus_async
from provoice_live.engine.session import SessionConfig, run_session
from provoice_live.run import RunDir, read_records
from provoice_live.sources.file import FileSource

RATE = 16000
SPEECH = [("silence", 0.5), ("speech", 1.0), ("silence", 1.5), ("speech", 1.0), ("silence", 1.5)]


class PollCounter:
    """A conforming server (docs/PROTOCOL.md) that counts the polls it receives and answers them with silence."""

    def __init__(self, wants_polls: bool):
        self.wants_polls = wants_polls
        self.polls: list[dict] = []

    async def __call__(self, ws) -> None:
        async for message in ws:
            if isinstance(message, bytes):
                continue
            msg = json.loads(message)
            if msg["type"] == "session.start":
                await ws.send(json.dumps({"type": "hello", "version": 1, "wants_polls": self.wants_polls}))
            elif msg["type"] == "poll":
                self.polls.append(msg)
                await ws.send(json.dumps({"type": "silence", "poll_id": msg["poll_id"]}))
            elif msg["type"] == "end_of_stream":
                await ws.send(json.dumps({"type": "end"}))


async def _run_websocket(tmp_path, server: PollCounter) -> tuple[RunDir, object]:
    corpus = make_corpus(tmp_path / "c", [sample("w1", _audio=timeline(SPEECH))])
    async with serve(server, "127.0.0.1", 0, compression=None) as srv:
        url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
        summary = await run_corpus_async(corpus, "websocket", {"url": url}, tmp_path / "run",
                                         SessionConfig(clock="lockstep"), progress=False)
    assert summary.errors == []
    run = RunDir(tmp_path / "run")
    result, = run.results()
    return run, result


async def test_a_server_that_declines_polls_is_never_polled_and_no_poll_is_logged_or_counted(tmp_path):
    server = PollCounter(wants_polls=False)
    run, result = await _run_websocket(tmp_path, server)
    records = read_records(run.log_path("w1"))
    assert [r for r in records if r.kind == "vad" and r.event == "speech_end"]  # there were endpoints to poll at
    assert server.polls == []
    assert result.polls == 0 and not [r for r in records if r.kind in ("poll", "poll_deferred")]
    assert result.polled is False
    assert run.read_config()["agent_settings"]["capabilities"]["needs_poll"] is False


async def test_only_the_polls_sent_to_the_server_are_logged_and_counted(tmp_path):
    server = PollCounter(wants_polls=True)
    run, result = await _run_websocket(tmp_path, server)
    polls = [r for r in read_records(run.log_path("w1")) if r.kind == "poll"]
    assert [p["reason"] for p in server.polls] == ["endpoint", "endpoint"]  # never the end-of-stream one
    assert [p.poll_id for p in polls] == [p["poll_id"] for p in server.polls] and result.polls == 2
    assert result.polled is True
    assert run.read_config()["agent_settings"]["capabilities"]["needs_poll"] is True


async def test_a_reply_without_a_poll_has_no_endpoint_in_its_latency_parts(tmp_path):
    """The agent speaks on its own at 3.5 s; the VAD endpoint at ~1.9 s answered nothing."""
    src = FileSource(timeline(SPEECH), RATE)
    res = await run_session(SessionContext(session_id="s1"), src, ScriptedAgent(at="3.5"), tmp_path / "s.jsonl",
                            SessionConfig(clock="virtual", tail_s=0.0), clock=VirtualClock())
    assert [r for r in read_records(tmp_path / "s.jsonl") if r.kind == "vad" and r.event == "speech_end"]
    inter, = res.interjections
    assert inter.t == pytest.approx(3.5)
    assert inter.parts == {"first_output_s": 3.5}


async def test_a_reply_to_an_endpoint_poll_keeps_that_endpoint_in_its_parts(tmp_path):
    src = FileSource(timeline(SPEECH), RATE)
    res = await run_session(SessionContext(session_id="s1"), src, ScriptedAgent(after_endpoint="0.2", endpoints="2"),
                            tmp_path / "s.jsonl", SessionConfig(clock="virtual", tail_s=1.0), clock=VirtualClock())
    ends = [r for r in read_records(tmp_path / "s.jsonl") if r.kind == "vad" and r.event == "speech_end"]
    inter, = res.interjections
    assert inter.parts["speech_end_s"] == ends[1].at_s and inter.parts["endpoint_detected_s"] == ends[1].t
