"""Prompts for the two protocols, the JSON reply parser, and turning a streamed reply into events."""

from __future__ import annotations

import pytest

from fakes.sessionio import FakeIO, context
from provoice_live.agents.decision import ReplyAssembler
from provoice_live.agents.prompts import (BLIND_RULES, NO_ACTION_TOOL, TASK_RULES, ParsedReply, ParseFailure,
                                          ThinkFilter, api_tools, decision_prompt, parse_reply, strip_reasoning,
                                          system_prompt)
from provoice_live.errors import AgentError


# ---- prompts ------------------------------------------------------------------------------------

def test_paper_prompt_names_the_task_rules_and_asks_for_the_json_answer():
    ctx = context(protocol="paper", task="CFC")
    text = system_prompt(ctx, "json")
    assert TASK_RULES["CFC"] in text
    assert all(TASK_RULES[t] not in text for t in ("PIC", "LTM", "ESS"))
    assert '"interaction_score"' in text and '"agent_response"' in text
    assert '"name":"set_reminder"' in text  # the JSON answer names tools: they are in the prompt


def test_blind_prompt_covers_all_behaviours_and_names_no_task():
    text = system_prompt(context(protocol="blind"), "json")
    assert BLIND_RULES in text
    for rules in TASK_RULES.values():
        assert rules not in text
    for name in ("PIC", "LTM", "CFC", "ESS", "Intent Capture", "Topic Monitor"):
        assert name not in text


def test_no_digital_context_is_said_and_the_instruction_is_quoted():
    with_ctx = system_prompt(context(digital_context={"Notes": {"notes": ["gym at 7"]}}), "native")
    without = system_prompt(context(digital_context=None, instruction="Tell me when the kettle whistles."), "native")
    assert "gym at 7" in with_ctx
    assert "none is available" in without and "gym at 7" not in without
    assert '"Tell me when the kettle whistles."' in without


def test_paper_protocol_without_a_task_is_refused():
    with pytest.raises(ValueError, match="task"):
        system_prompt(context(protocol="paper", task=None), "json")


def test_native_format_adds_the_no_action_tool_once():
    ctx = context()
    assert [t.name for t in api_tools(ctx, "native")] == ["set_reminder", NO_ACTION_TOOL]
    assert [t.name for t in api_tools(ctx, "json")] == ["set_reminder"]
    assert "12.5 s" in decision_prompt("json", upto_s=12.5)
    assert "[1.0-2.0] hello" in decision_prompt("json", transcript="[1.0-2.0] hello")


# ---- parsing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("reply", [
    '{"interaction_score": 2, "tool_calls": [{"name": "set_reminder", "arguments": {"what": "milk"}}], '
    '"agent_response": "Shall I set a reminder?"}',
    'Sure.\n```json\n{"interaction_score": 2, "tool_calls": [{"name": "set_reminder", "parameters": {"what": "milk"}}],'
    ' "agent_response": "Shall I set a reminder?"}\n```\nDone.',
    '<think>The user forgot the milk. {"not": "this"}</think>Answer: {"interaction_score": "2", "tool_calls": '
    '[{"function": {"name": "set_reminder", "arguments": "{\\"what\\": \\"milk\\"}"}}], '
    '"agent_response": "Shall I set a reminder?"} hope that helps',
])
def test_parse_reply_tolerates_fences_prose_think_and_argument_shapes(reply):
    d = parse_reply(reply)
    assert isinstance(d, ParsedReply)
    assert d.speak and d.interaction_score == 2
    assert d.text == "Shall I set a reminder?"
    assert [(c.name, c.arguments) for c in d.tool_calls] == [("set_reminder", {"what": "milk"})]


def test_silence_answer_is_a_decision_not_to_speak_whatever_the_score():
    d = parse_reply('{"interaction_score": 2, "tool_calls": [], "agent_response": ""}')
    assert isinstance(d, ParsedReply) and not d.speak and d.interaction_score == 2


@pytest.mark.parametrize("reply, reason", [
    ("", "empty reply"),
    ("I think I should stay quiet.", "no JSON object"),
    ('{"foo": 1}', "without interaction_score"),
    ('{"tool_calls": "set_reminder", "agent_response": ""}', "malformed answer"),
    ('{"tool_calls": [{"name": "x", "arguments": "{not json"}], "agent_response": ""}', "malformed answer"),
    ('{"tool_calls": [], "agent_response": 5}', "malformed answer"),
])
def test_unparseable_replies_give_a_reason(reply, reason):
    failure = parse_reply(reply)
    assert isinstance(failure, ParseFailure)
    assert reason in failure.reason and failure.raw == reply


def test_strip_reasoning_handles_a_block_opened_by_the_template_and_an_unterminated_one():
    assert strip_reasoning("plan A then B</think>{\"a\":1}") == ('{"a":1}', "plan A then B")
    assert strip_reasoning("x <think>one</think> y <think>two") == ("x  y", "one\ntwo")


def test_think_filter_finds_tags_split_across_deltas():
    f = ThinkFilter()
    pieces = ["Hel", "lo <th", "ink>secret", " plan</thi", "nk> world"]
    out = [f.feed(p) for p in pieces] + [f.flush()]
    assert "".join(v for v, _ in out) == "Hello  world"
    assert "".join(r for _, r in out) == "secret plan"


def test_think_filter_opened_holds_until_the_close_tag():
    f = ThinkFilter(opened=True)
    assert f.feed("reasoning here") == ("", "")
    assert f.feed("</think>Hi") == ("Hi", "reasoning here")
    g = ThinkFilter(opened=True)
    assert g.feed("no think at all") == ("", "")
    assert g.flush() == ("no think at all", "")


# ---- the assembler ------------------------------------------------------------------------------

def native(io, **kw):
    return ReplyAssembler(io, reply="native", response_id="r1", poll_id=1, known_tools={"set_reminder"}, **kw)


def test_native_silence_token_split_across_deltas_is_a_silence_decision():
    io = FakeIO()
    asm = native(io)
    for piece in ["<si", "lent", ">", "\n"]:
        asm.add_text(piece)
    assert asm.finish() == "silent"
    assert io.interjections() == []
    assert [e.reason for _, e in io.silences()] == ["<silent>"]


def test_native_text_is_emitted_as_soon_as_it_cannot_be_the_token():
    io = FakeIO()
    asm = native(io)
    asm.add_text("<s")
    assert io.of("text") == []
    io.t = 1.25
    asm.add_text("ure thing")  # "<sure thing" is not a prefix of <silent>
    io.t = 2.0
    asm.add_text(", I can help.")
    asm.finish()
    (t, rid, first), = io.interjections()
    assert t == 0.0 and rid == "r1" and first.text == "<sure thing"  # out at 1.25 s, stamped where "<s" came
    assert io.events[[e for _, e in io.events].index(first)][0] == 1.25
    assert io.of("response_done")[0].text == "<sure thing, I can help."


def test_native_no_action_tool_is_silence_and_other_tools_are_output():
    io = FakeIO()
    asm = native(io)
    asm.add_tool_call(NO_ACTION_TOOL, '{"reason": "small talk"}', "c1")
    assert asm.finish() == "silent" and io.interjections() == []
    io2 = FakeIO()
    asm2 = native(io2)
    asm2.add_tool_call("set_reminder", '{"what": "milk"}', "c2")
    assert asm2.finish() == "spoke"
    (_, _, call), = io2.interjections()
    assert call.type == "tool_call" and call.arguments == {"what": "milk"} and call.call_id == "c2"


def test_native_reasoning_never_reaches_the_output_and_is_logged():
    io = FakeIO()
    asm = native(io)
    for piece in ["<think>should I", " speak?</think>", "<silent>"]:
        asm.add_text(piece)
    asm.finish()
    assert io.of("text") == []
    assert io.infos("reasoning")[0]["text"] == "should I speak?"


def test_on_spoke_fires_once_at_the_first_output():
    io = FakeIO()
    fired = []
    asm = native(io, on_spoke=lambda: fired.append(io.t))
    io.t = 3.0
    asm.add_text("Heads up")
    asm.add_text(": the oven")
    asm.finish()
    assert fired == [3.0]


def test_json_reply_becomes_text_and_tool_call_at_finish():
    io = FakeIO()
    asm = ReplyAssembler(io, reply="json", response_id="r7", poll_id=2)
    io.t = 1.0
    asm.add_text('{"interaction_score": 2, "tool_calls": [{"name": "set_reminder", "arguments": {"what": "x"}}], ')
    asm.add_text('"agent_response": "Want a reminder?"}')
    assert io.of("text") == []  # held until the reply is complete
    io.t = 1.5
    assert asm.finish(usage={"total_tokens": 5}) == "spoke"
    (t, rid, first), = io.interjections()
    assert (t, rid, first.text) == (1.5, "r7", "Want a reminder?")
    assert io.of("tool_call")[0].arguments == {"what": "x"}
    assert io.of("response_done")[0].usage == {"total_tokens": 5}


def test_json_native_tool_calls_count_beside_an_empty_answer():
    io = FakeIO()
    asm = ReplyAssembler(io, reply="json", response_id="r1")
    asm.add_tool_call("set_reminder", '{"what": "bread"}', "call_0")
    assert asm.finish() == "spoke"
    assert io.of("tool_call")[0].arguments == {"what": "bread"}


def test_json_parse_error_is_logged_flagged_and_counts_as_silence():
    io = FakeIO()
    asm = ReplyAssembler(io, reply="json", response_id="r1", poll_id=4)
    asm.add_text("I would rather not answer in JSON.")
    assert asm.finish() == "parse_error"
    info, = io.infos("parse_error")
    assert info["raw"] == "I would rather not answer in JSON." and info["poll_id"] == 4
    err, = io.errors()
    assert not err.fatal and "did not parse" in err.message
    assert io.silences()[0][1].reason.startswith("parse_error")
    assert io.interjections() == []


def test_json_parse_error_fatal_mode_raises_after_logging():
    io = FakeIO()
    asm = ReplyAssembler(io, reply="json", response_id="r1", on_parse_error="fatal")
    asm.add_text("nope")
    with pytest.raises(AgentError, match="did not parse"):
        asm.finish()
    assert io.infos("parse_error")


@pytest.mark.parametrize("reply", [
    '{"interaction_score": 1, "tool_calls": [], "agent_response": "Hi."}',
    '```json\n{"tool_calls": [{"name": "x", "arguments": "{\\"a\\": 1}"}], "agent_response": ""}\n```',
    '"{\\"agent_response\\": \\"double\\"}"',
    'Answer: {"interaction_score": "n/a", "tool_calls": [], "agent_response": ""} thanks',
    'no json here',
    '{"tool_calls": [], "agent_response": 5}',
])
def test_adapters_and_official_rescoring_read_replies_alike(reply):
    """One parser: what an adapter decides is what rescoring an official output decides."""
    from provoice_live.errors import ReplyError
    from provoice_live.reply import parse_answer

    decision = parse_reply(reply)
    try:
        answer = parse_answer(reply)
    except ReplyError as exc:
        assert isinstance(decision, ParseFailure) and str(exc) in decision.reason
        return
    assert isinstance(decision, ParsedReply)
    assert decision.speak == answer.intervenes and decision.tool_calls == answer.tool_calls
