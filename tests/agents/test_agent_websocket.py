"""The WebSocket adapter and protocol (docs/PROTOCOL.md): the reference server, the conformance
checker, and a faulty server for every way a session can go wrong."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from websockets.asyncio.server import serve

from fakes.sessionio import FakeIO, context, drive
from support.ws_servers import Recorder, Served, faulty, reference
from provoice_live.agents.base import PollRequest
from provoice_live.agents.cli import conformance_main
from provoice_live.agents.conformance import check_server
from provoice_live.agents.websocket import (HEADER, ProtocolError, WebSocketAgent, decode_frame, encode_frame,
                                            parse_server_message)
from provoice_live.errors import AgentError, ProvoiceError

RATE = 16000


def loud(seconds: float) -> np.ndarray:
    return (0.3 * np.sin(np.arange(int(seconds * RATE)) / RATE * 2 * np.pi * 220)).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


# ---- frames and messages ------------------------------------------------------------------------

def test_frames_carry_their_stream_position():
    data = encode_frame(123456, b"\x01\x00\x02\x00")
    assert len(data) == HEADER.size + 4 and decode_frame(data) == (123456, b"\x01\x00\x02\x00")
    for bad in (b"", b"\x00" * 8, b"\x00" * 11):
        with pytest.raises(ValueError, match="audio frame"):
            decode_frame(bad)


@pytest.mark.parametrize("raw, message", [
    ("not json", "not JSON"),
    ("[1, 2]", "not an object"),
    ('{"type": "shout", "text": "hi"}', "unknown message type 'shout'"),
    ('{"type": "text", "text": "hi"}', "bad 'text' message: response_id"),
    ('{"type": "tool_call", "response_id": "r", "name": "x", "arguments": [1]}', "arguments"),
    (b"\x00\x01", "binary message"),
])
def test_malformed_server_messages_are_named(raw, message):
    with pytest.raises(ProtocolError, match=message):
        parse_server_message(raw)


# ---- the reference server and conformance -------------------------------------------------------

async def test_the_reference_server_passes_the_conformance_checks():
    async with reference(policy="speech", tool="set_reminder", tool_args={"what": "dentist"}) as url:
        checks = await check_server(url, timeout=5.0)
    assert [(c.name, c.ok) for c in checks] == [
        ("handshake", True), ("session", True), ("done_text", True), ("sync", True), ("version", True),
        ("audio_format", True), ("large_context", True), ("bad_frame", True), ("engine", True)]
    session = next(c for c in checks if c.name == "session")
    assert "2 poll(s) answered" in session.detail and "2 tool call(s)" in session.detail


async def test_conformance_fails_a_server_that_does_not_answer_polls(capsys):
    async def mute(ws):
        async for message in ws:
            if isinstance(message, str) and json.loads(message)["type"] == "session.start":
                await ws.send(json.dumps({"type": "hello", "version": 1, "agent": "mute", "wants_polls": True}))

    async with Served(mute) as url:
        checks = await check_server(url, timeout=0.5)
        code = await asyncio.to_thread(conformance_main, [url, "--timeout", "0.5"])
    verdict = {c.name: c.ok for c in checks}
    assert verdict["handshake"] and not verdict["session"] and not verdict["engine"]
    assert code == 1 and "does NOT conform" in capsys.readouterr().out


def minimal(hello: dict, on_frame=None, on_eos=None, max_size=16 * 2**20, check_audio=True):
    """A small server for conformance tests: `hello`, silence to polls, echo syncs, `end`; hooks."""

    async def handler(ws):
        async for message in ws:
            if isinstance(message, bytes):
                for reply in (on_frame(message) if on_frame else []):
                    await ws.send(json.dumps(reply))
                continue
            msg = json.loads(message)
            if msg["type"] == "session.start":
                if check_audio and (msg["audio"]["channels"], msg["audio"]["header_bytes"]) != (1, 8):
                    await ws.send(json.dumps({"type": "error", "message": "unsupported audio"}))
                    return
                await ws.send(json.dumps({"type": "hello", "version": 1, **hello}))
            elif msg["type"] == "poll":
                await ws.send(json.dumps({"type": "silence", "poll_id": msg["poll_id"]}))
            elif msg["type"] == "sync":
                await ws.send(json.dumps(msg))
            elif msg["type"] == "end_of_stream":
                for reply in (on_eos() if on_eos else []):
                    await ws.send(json.dumps(reply))
                await ws.send(json.dumps({"type": "end"}))

    class _Served(Served):
        async def __aenter__(self) -> str:
            self.server = await serve(self.handler, "127.0.0.1", 0, compression=None, max_size=max_size)
            return f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    return _Served(handler)


async def test_conformance_tests_each_answer_of_the_protocol_page():
    """Defaulted hello fields, done for unprompted replies, done.text, sync, audio format, size limit."""
    def unprompted_without_done(_frame, said=[]):
        if said:
            return []
        said.append(1)
        return [{"type": "text", "response_id": "u1", "text": "Hello"}]

    async with minimal({}, on_frame=unprompted_without_done, max_size=1 << 20, check_audio=False) as url:
        checks = {c.name: c for c in await check_server(url, timeout=2.0)}
    assert "omitted, so defaulted: agent -> '', wants_polls -> True, sync -> False" in checks["handshake"].detail
    assert not checks["session"].ok and "'u1' had no done before end" in checks["session"].detail
    assert checks["sync"].label == "WARN" and "latency means nothing" in checks["sync"].detail
    assert not checks["audio_format"].ok and "channels 2: answered 'hello'" in checks["audio_format"].detail
    assert not checks["large_context"].ok and "1009" in checks["large_context"].detail

    async with minimal({"agent": "m", "wants_polls": False, "sync": True},
                       on_eos=lambda: [{"type": "text", "response_id": "r", "text": "Bye"},
                                       {"type": "done", "response_id": "r", "text": "Goodbye"}]) as url:
        checks = {c.name: c for c in await check_server(url, timeout=2.0)}
    assert checks["session"].ok and checks["audio_format"].ok and checks["large_context"].ok
    assert checks["done_text"].label == "WARN" and "differs" in checks["done_text"].detail
    assert "defaulted" not in checks["handshake"].detail


async def test_no_poll_after_end_of_stream_and_nothing_accepted_after_end():
    rec = Recorder(wants_polls=True)
    async with Served(rec) as url:
        a = WebSocketAgent(url=url)
        io = FakeIO()
        await a.start(context(), io)
        await a.end_of_stream()
        await a.respond(PollRequest(reason="end_of_stream", stream_s=0.0, poll_id=1))  # not sent: eos was the last word
        await a.drain()  # no sync after end either
        await a.close()
    assert [m["type"] for m in rec.messages] == ["session.start", "end_of_stream"]

    async with minimal({"wants_polls": False}, on_eos=lambda: [{"type": "end"}]) as url:  # end, then another end
        io = FakeIO()
        with pytest.raises(AgentError, match="sent 'end' after end"):
            a = WebSocketAgent(url=url, timeout_s="0.5")
            await drive(a, quiet(0.2), RATE, io=io)
            await asyncio.sleep(0.2)
            a._check()


async def test_a_server_declining_polls_narrows_the_capabilities_after_hello():
    async with Served(Recorder(wants_polls=False)) as url:
        a = WebSocketAgent(url=url)
        assert a.capabilities.needs_poll
        await a.start(context(), FakeIO())
        assert not a.capabilities.needs_poll and a.capabilities.has_own_vad
        await a.close()


async def test_message_size_limits_both_ways():
    from provoice_live.agents.websocket import MAX_MESSAGE_BYTES

    assert WebSocketAgent(url="ws://x").opts.max_message_bytes == MAX_MESSAGE_BYTES == 16 * 2**20
    big = context(digital_context={"Notes": {"notes": ["x" * 1000] * 2000}})  # ~2 MiB: over websockets' default
    async with minimal({"wants_polls": False}, max_size=1 << 20) as url:
        with pytest.raises(AgentError, match="refused a message as too big \\(code 1009\\)"):
            await drive(WebSocketAgent(url=url, timeout_s="2"), quiet(0.2), RATE, ctx=big)
    huge = context(digital_context={"Notes": {"notes": ["x" * 1000] * 17000}})
    async with minimal({"wants_polls": False}) as url:
        with pytest.raises(ProvoiceError, match="session.start would be .* over the protocol's limit"):
            await drive(WebSocketAgent(url=url), quiet(0.2), RATE, ctx=huge)


async def test_speaking_at_a_poll_is_an_interjection_at_that_time_and_silence_is_not():
    async with reference(policy="speech", tool="set_reminder", tool_args={"what": "dentist"}) as url:
        x = np.concatenate([quiet(1.0), loud(1.0), quiet(0.6)])
        io = await drive(WebSocketAgent(url=url), x, RATE, polls=[1.0, 2.6])
    (t, rid, first), = io.interjections()
    assert t == pytest.approx(2.6) and "1.0 s of speech" in first.text
    call, = io.of("tool_call")
    assert (call.name, call.arguments, call.response_id) == ("set_reminder", {"what": "dentist"}, rid)
    assert [round(t, 3) for t, _ in io.silences()] == [1.0]


async def test_unprompted_replies_land_where_the_server_decided_under_lockstep():
    async with reference(policy="silent", speak_at=[1.5], reply_delay_s=0.05) as url:
        io = await drive(WebSocketAgent(url=url), quiet(3.0), RATE, polls=[])
    (t, _, first), = io.interjections()
    assert t == pytest.approx(1.5) and first.text.startswith("The moment")


async def test_server_info_messages_reach_the_log():
    async with reference(policy="silent", speak_at=[0.5], reply_delay_s=0.02, report_timing=True) as url:
        io = await drive(WebSocketAgent(url=url), quiet(1.0), RATE, polls=[])
    timing, = io.infos("server_timing")
    assert timing["speak_at"] == 0.5 and timing["response_id"] == io.interjections()[0][1]
    assert timing["sent"] - timing["received"] >= 0.02


# ---- what the server receives -------------------------------------------------------------------

@pytest.mark.parametrize("rate", [16000, 24000])
async def test_audio_arrives_at_the_declared_rate_and_length_with_positions(rate):
    rec = Recorder()
    async with Served(rec) as url:
        a = WebSocketAgent(url=url, sample_rate=str(rate))
        assert a.capabilities.input_sample_rate == rate
        await drive(a, np.zeros(int(2.5 * rate), np.float32), rate, polls=[1.0])
    assert rec.start["audio"] == {"encoding": "pcm_s16le", "sample_rate": rate, "channels": 1, "header_bytes": 8}
    starts = [s for s, _ in rec.frames]
    assert starts == [i * rate // 50 for i in range(len(rec.frames))]  # contiguous 20 ms frames
    assert sum(n for _, n in rec.frames) == int(2.5 * rate)
    assert all(m["type"] != "poll" for m in rec.messages)  # the server declined polls in hello
    assert rec.messages[-1]["type"] == "end_of_stream" and rec.messages[-1]["stream_s"] == pytest.approx(2.5)


async def test_session_start_carries_the_context_and_nothing_the_agent_may_not_see():
    rec = Recorder(wants_polls=True)
    ctx = context(protocol="paper", task="LTM", instruction="Tell me if they mention the budget.")
    async with Served(rec) as url:
        await drive(WebSocketAgent(url=url), quiet(1.0), RATE, polls=[0.5], ctx=ctx)
    start = rec.start
    assert start["protocol"] == "provoice-ws" and start["version"] == 1 and start["session_id"] == "s1"
    assert start["context"]["task"] == "LTM" and start["context"]["instruction"].endswith("budget.")
    assert [t["name"] for t in start["context"]["tools"]] == ["set_reminder"]
    flat = json.dumps(start)
    for secret_field in ("label", "cue", "semantic_cue", "gt_response", "gt_tool_calls", "segments"):
        assert f'"{secret_field}"' not in flat
    assert [m["poll_id"] for m in rec.messages if m["type"] == "poll"] == [1]


# ---- faults -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fault, message", [
    ("garbage", "not JSON"),
    ("unknown", "unknown message type 'whisper'"),
    ("missing", "bad 'silence' message: poll_id"),
    ("binary", "binary message"),
    ("oversized", "larger than max_message_bytes"),
    ("disconnect", "closed the connection \\(code 1011: agent crashed\\)"),
    ("fatal", "reported: model not loaded"),
    ("wrong_poll", "answered poll 42"),
    ("after_done", "after its done"),
    ("hang", "did not send the answer to poll 1 within 0.3 s"),
    ("version", "speaks protocol version 2"),
])
async def test_each_fault_ends_the_session_with_a_clear_reason(fault, message):
    io = FakeIO()
    async with Served(faulty(fault)) as url:
        a = WebSocketAgent(url=url, timeout_s="0.3", max_message_bytes="2048")
        with pytest.raises(AgentError, match=message):
            await drive(a, quiet(1.0), RATE, polls=[0.5], io=io)
    assert a.failure is not None and len(io.errors(fatal=True)) == 1


async def test_a_refused_connection_is_retried_then_fails():
    with pytest.raises(AgentError, match="gave up after 2 attempts: connection failed"):
        await drive(WebSocketAgent(url="ws://127.0.0.1:9", max_retries="1", retry_base_s="0.01"), quiet(0.1), RATE)


def test_options_are_validated():
    with pytest.raises(ProvoiceError, match="needs the server's address"):
        WebSocketAgent()
    with pytest.raises(ProvoiceError, match="option 'url'"):
        WebSocketAgent(url="http://example.org")
    with pytest.raises(ProvoiceError, match="option 'timeout_s'"):
        WebSocketAgent(url="ws://x", timeout_s="soon")
