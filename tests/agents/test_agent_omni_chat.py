"""The omni-chat adapter against a fake OpenAI-compatible chat-completions server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from fakes.openai_http import DropAfter, FakeOpenAI, Garbage, Hang, Reply, Status
from fakes.sessionio import FakeIO, context, drive
from provoice_live.agents.omni_chat import OmniChatAgent
from provoice_live.errors import AgentError, ProvoiceError

RATE = 16000
SILENT = '{"interaction_score": 0, "tool_calls": [], "agent_response": ""}'
SPEAK = ('{"interaction_score": 2, "tool_calls": [{"name": "set_reminder", "arguments": {"what": "milk"}}], '
         '"agent_response": "Shall I remind you to buy milk?"}')


@pytest.fixture
async def server():
    srv = await FakeOpenAI().start()
    yield srv
    await srv.stop()


def agent(server, **opts) -> OmniChatAgent:
    return OmniChatAgent(base_url=server.base_url, retry_base_s="0.01", retry_max_s="0.05", **opts)


def audio(seconds: float) -> np.ndarray:
    return (0.1 * np.sin(np.arange(int(seconds * RATE)) / RATE * 2 * np.pi * 300)).astype(np.float32)


async def test_audio_since_the_start_capped_by_the_window_arrives_as_16k_wav(server):
    io = await drive(agent(server, window_s="2"), audio(4.0), RATE, polls=[1.0, 3.0, 4.0])
    assert [r["audio"] for r in server.requests] == [[(16000, 16000, "wav")], [(16000, 32000, "wav")],
                                                     [(16000, 32000, "wav")]]
    sent = io.infos("audio_sent")
    assert [(d["start_s"], d["end_s"]) for d in sent] == [(0.0, 1.0), (1.0, 3.0), (2.0, 4.0)]


async def test_a_decision_to_speak_at_the_second_poll_is_an_interjection_at_that_time(server):
    server.script.extend([Reply(SILENT), Reply(SPEAK)])
    io = await drive(agent(server), audio(3.0), RATE, polls=[1.2, 2.4])
    (t, rid, first), = io.interjections()
    assert t == pytest.approx(2.4) and first.text == "Shall I remind you to buy milk?"
    call, = io.of("tool_call")
    assert call.name == "set_reminder" and call.arguments == {"what": "milk"} and call.response_id == rid
    assert [round(t, 3) for t, _ in io.silences()] == [1.2]


async def test_the_request_carries_context_tools_and_the_thinking_switch(server):
    await drive(agent(server, enable_thinking="false", model="Qwen/Qwen3-Omni"), audio(1.0), RATE, polls=[1.0],
                ctx=context(digital_context={"Calendar": {"events": ["Dentist 3pm"]}}))
    body = server.requests[0]["body"]
    assert body["model"] == "Qwen/Qwen3-Omni" and body["stream"] is True
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert body["tools"] == [{"type": "function", "function": {
        "name": "set_reminder", "description": "Set a reminder",
        "parameters": {"type": "object", "properties": {"what": {"type": "string"}}}}}]
    assert "Dentist 3pm" in body["messages"][0]["content"]
    user = body["messages"][1]["content"]
    assert user[0]["type"] == "input_audio" and user[1]["type"] == "text"


async def test_reasoning_content_and_think_tags_are_stripped_and_logged(server):
    server.script.append(Reply("<think>They mention milk.</think>" + SPEAK, reasoning="Server-side reasoning."))
    io = await drive(agent(server), audio(1.0), RATE, polls=[1.0])
    assert io.of("text")[0].text == "Shall I remind you to buy milk?"
    logged = io.infos("reasoning")[0]["text"]
    assert "Server-side reasoning." in logged and "They mention milk." in logged
    assert io.infos("first_token")[0]["first"] == "reasoning"


async def test_native_tool_calls_from_the_server_are_parsed(server):
    server.script.append(Reply("", tool_calls=[{"name": "set_reminder", "arguments": {"what": "eggs", "n": 2}}]))
    io = await drive(agent(server), audio(1.0), RATE, polls=[1.0])
    call, = io.of("tool_call")
    assert call.arguments == {"what": "eggs", "n": 2} and call.call_id == "call_0"


async def test_native_reply_format_speaks_at_the_first_token(server):
    server.script.extend([Reply("<silent>"), Reply("The kettle is whistling.", chunk=3)])
    io = await drive(agent(server, reply="native", enable_thinking="false"), audio(2.0), RATE, polls=[1.0, 2.0])
    (t, _, first), = io.interjections()
    assert t == pytest.approx(2.0) and first.text == "The"  # no reasoning possible: streamed as it comes
    assert io.of("response_done")[0].text == "The kettle is whistling."
    assert len(io.silences()) == 1


async def test_clip_mode_makes_one_call_on_the_whole_clip_at_the_end(server):
    server.script.append(Reply(SPEAK))
    a = agent(server, mode="clip", window_s="1")
    assert not a.capabilities.needs_poll
    io = await drive(a, audio(3.0), RATE, polls=[])
    assert len(server.requests) == 1 and server.requests[0]["audio"] == [(16000, 48000, "wav")]
    assert "whole conversation" in server.requests[0]["body"]["messages"][1]["content"][1]["text"]
    (t, _, _), = io.interjections()
    assert t == pytest.approx(3.0)


async def test_an_unparseable_reply_is_logged_and_flagged_not_dropped(server):
    server.script.append(Reply("I am not sure what to say."))
    io = await drive(agent(server), audio(1.0), RATE, polls=[1.0])
    assert io.infos("parse_error")[0]["raw"] == "I am not sure what to say."
    assert len(io.errors(fatal=False)) == 1 and io.interjections() == []


async def test_rate_limit_and_server_errors_are_retried_with_backoff(server):
    server.script.extend([Status(429, {"retry-after": "0"}), Status(503), Reply(SPEAK)])
    io = await drive(agent(server), audio(1.0), RATE, polls=[1.0])
    retries = io.infos("retry")
    assert [r["attempt"] for r in retries] == [1, 2]
    assert "HTTP 429" in retries[0]["reason"] and "HTTP 503" in retries[1]["reason"]
    assert len(io.interjections()) == 1 and len(server.requests) == 3


@pytest.mark.parametrize("fault, message", [
    ([Status(500)] * 3, "gave up after 3 attempts: HTTP 500"),
    ([Status(400)], "HTTP 400"),
    ([Hang()] * 3, "gave up after 3 attempts: timed out"),
    ([DropAfter(Reply(SPEAK), 2)] * 3, "gave up after 3 attempts: connection failed"),
    ([Garbage()], "omni-chat poll 1"),
])
async def test_faults_end_the_decision_with_a_clear_agent_error(server, fault, message):
    server.script.extend(fault)
    a = agent(server, max_retries="2", timeout_s="0.5")
    with pytest.raises(AgentError, match=message):
        await drive(a, audio(1.0), RATE, polls=[1.0])


async def test_a_hang_then_an_answer_is_one_retry(server):
    server.script.extend([Hang(), Reply(SPEAK)])
    io = await drive(agent(server, timeout_s="0.3"), audio(1.0), RATE, polls=[1.0])
    assert "timed out" in io.infos("retry")[0]["reason"] and len(io.interjections()) == 1


async def test_a_stream_that_breaks_after_it_spoke_is_not_retried(server):
    server.script.append(DropAfter(Reply("Your train leaves at nine.", chunk=4), 3))
    with pytest.raises(AgentError, match="broke off after it began"):
        await drive(agent(server, reply="native", enable_thinking="false"), audio(1.0), RATE, polls=[1.0])
    assert len(server.requests) == 1


async def test_the_key_comes_from_the_environment_and_never_reaches_the_log(server, monkeypatch):
    secret = "sk-omni-secret-0123456789"
    monkeypatch.setenv("MY_OMNI_KEY", secret)
    server.script.append(Reply(SPEAK))
    a = agent(server, api_key_env="MY_OMNI_KEY")
    io = await drive(a, audio(1.0), RATE, polls=[1.0])
    assert server.auth == [f"Bearer {secret}"]
    assert secret not in json.dumps([e.model_dump(mode="json") for _, e in io.events])
    assert secret not in json.dumps(a.settings())
    with pytest.raises(ProvoiceError, match="api_key_env"):
        OmniChatAgent(api_key=secret)


@pytest.mark.parametrize("opts, message", [
    ({"window_s": "abc"}, "window_s"),
    ({"mode": "batch"}, "mode"),
    ({"colour": "red"}, "unknown option 'colour'"),
    ({"max_retries": "-1"}, "max_retries"),
])
def test_bad_options_are_one_clear_error(opts, message):
    with pytest.raises(ProvoiceError, match=message) as info:
        OmniChatAgent(**opts)
    assert "agent 'omni-chat'" in str(info.value)


async def test_the_official_endpoint_without_a_key_is_refused(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    a = OmniChatAgent(base_url="https://api.openai.com/v1", model="gpt-audio-1.5")
    with pytest.raises(ProvoiceError, match="OPENAI_API_KEY"):
        await a.start(context(), FakeIO())


# ---- what the real services refuse, and where the first sign is stamped (issue: adapters meet the real services)

def virtual_gap(server, io: FakeIO, bound_s: float = 1.5) -> None:
    """The fake's pause after a reply's first sign advances the virtual stream clock.

    Before advancing it lets the adapter read what was sent: it waits (at most `bound_s` of real
    time; the bound only limits how long a test that is going to fail takes) until an output event
    is out. Every assertion is on the virtual times, never on the real ones.
    """
    async def pause(seconds: float) -> None:
        for _ in range(int(bound_s / 0.005)):
            if io.interjections():
                break
            await asyncio.sleep(0.005)
        io.t += seconds

    server.pause = pause


async def test_a_reasoning_model_gets_max_completion_tokens_and_no_temperature():
    srv = await FakeOpenAI(service="openai").start()
    try:
        srv.script.append(Reply(SPEAK))
        io = await drive(agent(srv, model="gpt-5-mini"), audio(1.0), RATE, polls=[1.0])
        body = srv.requests[0]["body"]
        assert srv.refused == [] and len(io.interjections()) == 1
        assert body["max_completion_tokens"] == 1024 and "max_tokens" not in body and "temperature" not in body
        # a temperature the user sets is sent, and the service's refusal reaches the user word for word
        with pytest.raises(AgentError, match=r"HTTP 400 .*Only the default \(1\) value is supported"):
            await drive(agent(srv, model="gpt-5-mini", temperature="0.2"), audio(1.0), RATE, polls=[1.0])
        assert srv.refused[-1]["error"]["code"] == "unsupported_value"
    finally:
        await srv.stop()


async def test_the_fake_refuses_what_the_real_services_refuse(server):
    """The fake's strictness itself: a body the SDK's types do not know is a 400, as on the service."""
    openai_srv = await FakeOpenAI(service="openai").start()
    try:
        from openai import AsyncOpenAI, BadRequestError

        for srv, kwargs, code in [
            (openai_srv, {"model": "o4-mini", "max_tokens": 10}, "unsupported_parameter"),
            (openai_srv, {"model": "gpt-audio", "extra_body": {"chat_template_kwargs": {"enable_thinking": False}}}, None),
            (server, {"model": "Qwen/Qwen3-8B", "extra_body": {"max_tokns": 10}}, "unknown_parameter"),
        ]:
            client = AsyncOpenAI(api_key="x", base_url=srv.base_url, max_retries=0)
            with pytest.raises(BadRequestError) as info:
                await client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], **kwargs)
            assert info.value.body["code"] == code
            await client.close()
    finally:
        await openai_srv.stop()


async def test_qwen_omni_sees_the_tools_in_the_system_prompt_in_native_mode(server):
    server.script.append(Reply("<silent>"))
    await drive(agent(server, reply="native", model="Qwen/Qwen2.5-Omni-7B"), audio(1.0), RATE, polls=[1.0])
    assert server.requests[0]["seen_tools"] == ["set_reminder", "no_action"]
    server.script.append(Reply("<silent>"))  # and the option turns it off for a template that keeps tools
    await drive(agent(server, reply="native", model="Qwen/Qwen2.5-Omni-7B", tools_in_prompt="false"), audio(1.0),
                RATE, polls=[1.0])
    assert server.requests[1]["seen_tools"] == []


async def test_a_native_tool_call_is_stamped_when_its_name_arrives(server):
    io = FakeIO()
    virtual_gap(server, io)
    server.script.append(Reply("", tool_calls=[{"name": "set_reminder", "arguments": {"what": "milk"}}], gap_s=2.5))
    await drive(agent(server, reply="native", enable_thinking="false"), audio(1.0), RATE, polls=[1.0], io=io)
    (t, _, call), = io.interjections()
    assert call.type == "tool_call" and call.arguments == {"what": "milk"}
    assert t == pytest.approx(1.0)  # the name came at 1.0 s, the arguments 2.5 s later


async def test_no_action_named_first_is_no_interjection(server):
    io = FakeIO()
    virtual_gap(server, io, bound_s=0.2)
    server.script.append(Reply("", tool_calls=[{"name": "no_action", "arguments": {}}], gap_s=2.5))
    await drive(agent(server, reply="native"), audio(1.0), RATE, polls=[1.0], io=io)
    assert io.interjections() == [] and [e.reason for _, e in io.silences()] == ["no_action"]


@pytest.mark.parametrize("field", ["reasoning", "reasoning_content"])
async def test_a_server_side_reasoning_parser_lets_the_first_word_out_at_once(server, field):
    io = FakeIO()
    virtual_gap(server, io)
    server.script.append(Reply("Your kettle is boiling.", reasoning="The kettle whistles; the user asked.",
                               reasoning_field=field, chunk=5, gap_s=7.0))
    await drive(agent(server, reply="native", enable_thinking="true"), audio(2.0), RATE, polls=[2.0], io=io)
    (t, _, first), = io.interjections()
    assert t == pytest.approx(2.0) and first.text.strip() == "Your"
    assert io.of("response_done")[0].text == "Your kettle is boiling."
    assert "The kettle whistles" in io.infos("reasoning")[0]["text"]


async def test_a_think_block_opened_by_the_template_is_reasoning_not_speech(server):
    io = FakeIO()
    virtual_gap(server, io, bound_s=0.3)
    server.script.append(Reply("The user is chatting; nothing to do? The kettle.</think>Your kettle is boiling.",
                               chunk=6, gap_s=3.0))
    await drive(agent(server, reply="native"), audio(2.0), RATE, polls=[2.0], io=io)
    (t, _, first), = io.interjections()
    assert "user is chatting" not in first.text and io.of("response_done")[0].text == "Your kettle is boiling."
    assert "The user is chatting" in io.infos("reasoning")[0]["text"]
    assert t == pytest.approx(5.0)  # the words came after the reasoning, which took the 3 s gap


async def test_text_held_in_case_it_was_reasoning_is_stamped_where_it_arrived(server):
    io = FakeIO()
    virtual_gap(server, io, bound_s=0.3)
    server.script.append(Reply("Your kettle is boiling.", chunk=5, gap_s=4.0))
    await drive(agent(server, reply="native"), audio(2.0), RATE, polls=[2.0], io=io)
    (t, _, first), = io.interjections()
    assert io.of("response_done")[0].text == "Your kettle is boiling." and t == pytest.approx(2.0)
