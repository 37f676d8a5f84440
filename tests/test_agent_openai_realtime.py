"""The OpenAI Realtime adapter, through the real `openai` SDK, against a fake GA Realtime server."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from fakes.realtime_server import FakeRealtime
from fakes.speech import speech_pcm
from fakes.sessionio import FakeIO, context, drive
from provoice_live.agents.openai_realtime import OpenAIRealtimeAgent
from provoice_live.errors import AgentError, ProvoiceError

RATE = 24000
KEY = "sk-realtime-secret-0123456789"


@pytest.fixture
async def server(monkeypatch):
    monkeypatch.setenv("RT_TEST_KEY", KEY)
    srv = await FakeRealtime().start()
    yield srv
    await srv.stop()


def agent(server, **opts) -> OpenAIRealtimeAgent:
    return OpenAIRealtimeAgent(base_url=server.base_url, api_key_env="RT_TEST_KEY", retry_base_s="0.01",
                               retry_max_s="0.05", timeout_s="5", **opts)


def talk(parts: list[tuple[str, float]]) -> np.ndarray:
    """("speech"|"silence", seconds) parts at 24 kHz; speech is a loud tone the fake VAD hears."""
    out = []
    for kind, sec in parts:
        n = int(sec * RATE)
        out.append((0.3 * np.sin(np.arange(n) / RATE * 2 * np.pi * 220)).astype(np.float32) if kind == "speech"
                   else np.zeros(n, np.float32))
    return np.concatenate(out)


TWO_TURNS = [("speech", 1.0), ("silence", 1.0), ("speech", 1.0), ("silence", 1.0)]


async def test_session_is_proactive_pcm24k_and_all_audio_arrives(server):
    a = agent(server)
    assert a.capabilities.input_sample_rate == 24000 and a.capabilities.needs_poll
    await drive(a, talk(TWO_TURNS), RATE, polls=[])
    update, = [e["session"] for e in server.received if e["type"] == "session.update"]
    assert "model" not in update  # the GA contract: an update may change anything but model and voice
    session = server.session
    assert session["audio"]["input"]["turn_detection"] is None  # turns=engine: the engine's polls decide
    assert session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert session["output_modalities"] == ["text"]
    assert [t["name"] for t in session["tools"]] == ["set_reminder", "no_action"]
    assert server.audio_seconds() == pytest.approx(4.0)
    appends = [e for e in server.received if e["type"] == "input_audio_buffer.append"]
    assert len(appends) == 200 and all(e["bytes"] == 960 for e in appends)  # 20 ms of PCM16 at 24 kHz
    assert server.paths == ["/v1/realtime?model=gpt-realtime-2"]  # the model goes in the URL only


async def test_a_decision_to_speak_at_the_second_endpoint_is_an_interjection_then(server):
    server.script.extend([("silent",), ("text", "You wanted to hear about the budget.")])
    io = await drive(agent(server), talk(TWO_TURNS), RATE, polls=[1.6, 3.6])
    (t, rid, first), = io.interjections()
    assert t == pytest.approx(3.6) and rid.startswith("resp_")
    assert io.of("response_done")[0].text == "You wanted to hear about the budget."
    silence, = io.silences()
    assert silence[0] == pytest.approx(1.6) and silence[1].reason == "<silent>"
    creates = server.responses
    assert len(creates) == 2 and creates[1]["conversation"] == "none" and creates[1]["metadata"] == {"poll_id": "2"}
    assert "<silent>" in creates[1]["instructions"]


async def test_no_action_is_silence_and_a_tool_call_arrives_parsed(server):
    server.script.extend([("no_action",), ("tool", "set_reminder", {"what": "budget meeting", "at": "15:00"})])
    io = await drive(agent(server), talk(TWO_TURNS), RATE, polls=[1.6, 3.6])
    assert [e.reason for _, e in io.silences()] == ["no_action"]
    (t, _, call), = io.interjections()
    assert t == pytest.approx(3.6) and call.type == "tool_call"
    assert call.name == "set_reminder" and call.arguments == {"what": "budget meeting", "at": "15:00"}
    assert call.call_id.startswith("call_")


async def test_server_vad_positions_are_logged(server):
    io = await drive(agent(server, turns="server"), talk(TWO_TURNS), RATE, polls=[])
    td = server.session["audio"]["input"]["turn_detection"]
    assert td["type"] == "server_vad" and td["create_response"] is False and td["interrupt_response"] is False
    vad = [(d["event"], d["at_s"]) for d in io.infos("server_vad")]
    assert vad == [("speech_start", 0.0), ("speech_end", 1.5), ("speech_start", 1.7), ("speech_end", 3.5)]


async def test_all_audio_since_the_last_commit_is_committed_before_each_decision(server):
    server.script.extend([("text", "Noted."), ("silent",)])
    io = await drive(agent(server), talk([("speech", 1.0), ("silence", 0.2), ("speech", 0.5)]), RATE,
                     polls=[1.2, 1.25, 1.7])
    kinds = [e["type"] for e in server.received if e["type"] != "input_audio_buffer.append"]
    # 1.2 s commits [0, 1.2]; 1.25 s has only 50 ms new (the server takes 100 ms): no commit; 1.7 s the rest
    assert kinds == ["session.update", "input_audio_buffer.commit", "response.create", "response.create",
                     "input_audio_buffer.commit", "response.create"]
    assert server.heard == [(0.0, 1.2), (1.2, 1.7)] and server.errors == []
    assert len(io.infos("server_commit")) == 2


async def test_audio_output_is_held_until_the_reply_is_not_the_silence_token(server):
    server.script.extend([("audio", "<silent>"), ("audio", "Your oven timer went off.")])
    io = await drive(agent(server, output="audio"), talk(TWO_TURNS), RATE, polls=[1.6, 3.6])
    assert server.session["output_modalities"] == ["audio"]
    (t, rid, _), = io.interjections()
    assert 3.6 <= t <= 3.6 + 0.04  # heard in the audio, which arrived at 3.6 s (one detector window)
    audio = io.of("audio")
    assert all(a.response_id == rid for a in audio)  # the held "<silent>" audio was never let out
    assert sum(a.duration_s for a in audio) == pytest.approx(len(speech_pcm("Your oven timer went off.", RATE)) / 2 / RATE)
    assert len(io.silences()) == 1
    (inter,) = io.core.interjections
    assert inter.text == "Your oven timer went off."  # the words are the model's transcript
    (voice,) = [r for r in io.records if r.kind == "voice"]
    assert voice.verdict == "reply" and voice.words_from == "agent" and voice.response_id == rid


async def test_turns_from_the_server_vad_need_no_engine_polls(server):  # noqa: D103
    server.script.extend([("silent",), ("text", "Heard you.")])
    a = agent(server, turns="server")
    assert not a.capabilities.needs_poll and a.capabilities.has_own_vad
    io = await drive(a, talk(TWO_TURNS), RATE, polls=[])
    assert len(server.responses) == 2
    (t, _, first), = io.interjections()
    assert first.text == "Hear"  # the fake streams 4-character deltas
    assert t == pytest.approx(3.5, abs=0.05)  # decided at the server's second speech_stopped


async def test_json_reply_format_for_the_paper_protocol(server):
    server.script.append(("text", '{"interaction_score": 2, "tool_calls": [], "agent_response": "It clashes with '
                                  'your 3 pm meeting."}'))
    io = await drive(agent(server, reply="json"), talk(TWO_TURNS[:2]), RATE, polls=[1.6],
                     ctx=context(protocol="paper", task="CFC"))
    assert io.of("text")[0].text == "It clashes with your 3 pm meeting."
    assert "no_action" not in [t["name"] for t in server.session["tools"]]
    assert '"interaction_score"' in server.session["instructions"]


@pytest.mark.parametrize("script, message", [
    ([("error", "the model is overloaded")], "realtime server error: invalid_request_error: the model is overloaded"),
    ([("failed", "internal failure")], "failed: (internal failure|server_error)"),
    ([("close",)], "the connection closed"),
    ([("garbage",)], "malformed message"),
    ([("huge", 200_000)], "exceeded max_message_bytes"),
    ([("hang",)], "no response.done within 1 s"),
])
async def test_faults_end_the_session_with_the_reason(server, script, message):
    server.script.extend(script)
    io = FakeIO()
    a = agent(server, max_message_bytes="65536")
    a.opts = a.opts.model_copy(update={"timeout_s": 1.0})
    with pytest.raises(AgentError, match=message):
        await drive(a, talk(TWO_TURNS[:2]), RATE, polls=[1.6], io=io)
    fatal = io.errors(fatal=True)
    assert len(fatal) == 1 and fatal[0].message == str(a.failure)


async def test_a_refused_handshake_is_retried_then_fails_clearly(server):
    server.reject.extend([429, 503])
    io = await drive(agent(server), talk(TWO_TURNS[:2]), RATE, polls=[])
    assert [r["reason"][:8] for r in io.infos("retry")] == ["HTTP 429", "HTTP 503"]
    assert server.connections == 1
    server.reject.extend([500, 500])
    with pytest.raises(AgentError, match="connect: gave up after 2 attempts: HTTP 500"):
        await drive(agent(server, max_retries="1"), talk(TWO_TURNS[:2]), RATE, polls=[])


async def test_the_key_goes_only_into_the_authorization_header(server):
    server.script.append(("text", "Hi."))
    a = agent(server)
    io = await drive(a, talk(TWO_TURNS[:2]), RATE, polls=[1.6])
    assert server.auth == [f"Bearer {KEY}"]
    logged = json.dumps([e.model_dump(mode="json") for _, e in io.events]) + json.dumps(a.settings())
    assert KEY not in logged and "RT_TEST_KEY" in logged


def test_bad_options_are_refused():
    with pytest.raises(ProvoiceError, match="option 'output'"):
        OpenAIRealtimeAgent(output="video")
    with pytest.raises(ProvoiceError, match="reply=json needs output=text"):
        OpenAIRealtimeAgent(reply="json", output="audio")


# ---- what the real service refuses, and where the first sign is stamped (issue: adapters meet the real services)

def alarm(seconds: float) -> np.ndarray:
    """Loud 3 kHz beeps: not speech to a speech VAD (the fake's, like the real server's)."""
    n = int(seconds * RATE)
    return (0.3 * np.sin(np.arange(n) / RATE * 2 * np.pi * 3000)).astype(np.float32)


def first_sign_gap(server, io: FakeIO, seconds: float, bound_s: float = 1.5) -> None:
    """The fake pauses `seconds` of virtual stream time after a reply's first sign.

    Before the clock moves, the adapter may read what was sent: the pause waits (at most `bound_s`
    real seconds, which only limits how long a failing test takes) until the adapter has logged the
    reply's first token. Assertions are on virtual times only.
    """
    server.gap_s = seconds

    async def pause(s: float) -> None:
        for _ in range(int(bound_s / 0.005)):
            if len(io.infos("first_token")) >= len(server.responses):
                break
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.02)  # the deltas sent with the first sign
        io.t += s

    server.pause = pause


async def test_the_fake_refuses_what_the_real_server_refuses(server):
    """The fake's strictness: events the SDK's types or the GA contract refuse get the `error` event."""
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="x", base_url=server.base_url,
                         websocket_base_url=server.base_url.replace("http://", "ws://"))  # older SDKs dial wss
    async with client.realtime.connect(model="gpt-realtime") as conn:
        await conn.recv()  # session.created
        for event in [
            {"type": "session.update", "event_id": "e1", "session": {"type": "realtime", "model": "gpt-realtime"}},
            {"type": "session.update", "event_id": "e2", "session": {"type": "realtime", "modalities": ["text"]}},
            {"type": "response.create", "event_id": "e3", "response": {"output_modalities": "text"}},
            {"type": "input_audio_buffer.commit", "event_id": "e4"},
        ]:
            await conn.send(event)
            err = await conn.recv()
            assert err.type == "error" and err.error.event_id == event["event_id"]
    await client.close()
    assert [(e["param"], e["code"]) for e in server.errors] == [
        ("session.model", "invalid_value"), ("session.modalities", "unknown_parameter"),
        ("response.output_modalities", "invalid_value"), (None, "input_audio_buffer_commit_empty")]


async def test_an_alarm_between_utterances_reaches_the_decision(server):
    server.script.append(("text", "Your alarm is ringing."))
    x = np.concatenate([talk([("speech", 1.0), ("silence", 0.6)]), alarm(0.6), talk([("silence", 0.4)])])
    io = await drive(agent(server), x, RATE, polls=[2.6])
    heard, = server.heard_at_response
    assert heard[0][0] == 0.0 and heard[-1][1] == pytest.approx(2.6)  # 1.6-2.2 s (the alarm) is in it
    assert len(io.interjections()) == 1


async def test_a_tool_call_is_stamped_when_its_name_arrives(server):
    io = FakeIO()
    first_sign_gap(server, io, 2.0)
    server.script.append(("tool", "set_reminder", {"what": "budget meeting"}))
    await drive(agent(server), talk(TWO_TURNS[:2]), RATE, polls=[1.6], io=io)
    (t, _, call), = io.interjections()
    assert call.type == "tool_call" and call.arguments == {"what": "budget meeting"}
    assert t == pytest.approx(1.6)  # the name came at 1.6 s, the arguments 2 s later


async def test_an_audio_reply_is_stamped_at_its_first_audio(server):
    io = FakeIO()
    first_sign_gap(server, io, 1.5)
    server.script.extend([("audio", "<silent>"), ("audio", "Your oven timer went off.")])
    await drive(agent(server, output="audio"), talk(TWO_TURNS), RATE, polls=[1.6, 3.6], io=io)
    (t, _, first), = io.interjections()
    assert 3.6 <= t <= 3.6 + 0.04  # the voice of the second reply; its transcript came 1.5 s later
    assert len(io.silences()) == 1
