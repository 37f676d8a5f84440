"""Prompts for the LLM adapters, in one place, and the parser of their replies.

Two protocols, chosen by the run (`--protocol`) and carried by `SessionContext`:

* `paper`: as the official ProVoice-Bench code does it: the model is told which task it faces and
  that task's decision rules, and answers the JSON object `{interaction_score, tool_calls,
  agent_response}`. The decision is the official one: it intervened iff `tool_calls` or
  `agent_response` is non-empty (`interaction_score` is recorded, never used).
* `blind`: one prompt that describes all four proactive behaviours without naming a task, the
  realistic setting for a live agent.

Two reply formats, orthogonal to the protocol:

* `json` (omni-chat and cascade by default; what the paper protocol expects): the JSON object above.
  The decision is known when the reply is complete, so the interjection is stamped then.
* `native` (the realtime adapter by default): the model just speaks, or calls a tool; to stay silent
  it replies exactly `<silent>` or calls the `no_action` tool. Its first real word is the
  interjection, as it would be for a deployed voice agent.

The wording is ours. `--no-digital-context` reaches us as `ctx.digital_context is None`; the prompt
then says no context is available (the paper's ablation passes an empty object).

Parsing (`parse_reply`) tolerates code fences, prose around the object, `<think>` blocks, the key
`parameters` for `arguments` and arguments given as a JSON string. A reply that still does not parse
gives a `ParseFailure`, never a silent drop: `decision.ReplyAssembler` logs it (`parse_error`) and
the adapter counts it (see there for how it is scored).
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, Field

from ..corpus.sample import ToolCall, ToolSchema
from ..errors import ReplyError
from ..reply import parse_answer
from .base import SessionContext

ReplyFormat = Literal["json", "native"]
SILENT_TOKEN = "<silent>"
NO_ACTION_TOOL = "no_action"

# ---- the texts ----------------------------------------------------------------------------------

ROLE = (
    "You are a proactive voice assistant running on the user's phone or earbuds. You hear everything "
    "around the user: the user (User 1, the person you serve), the people they talk with, and the sounds "
    "of the environment. Nobody addresses you directly. By default you stay silent; you speak up only "
    "when the rules below call for it, and then briefly (one or two sentences)."
)

TASK_RULES: dict[str, str] = {
    "PIC": (
        "Your job here: notice a need the user implies without asking for it. Listen for hesitation about "
        "something to do, or a plan or task mentioned in passing, that one of your tools could take care of. "
        "Intervene only when a tool clearly helps: propose that tool call with the arguments you can infer "
        "(take dates, places and names from the digital context where it has them) and, in your response, "
        "offer the help in a sentence and ask the user to confirm. Stay silent when the talk carries no "
        "actionable need, when the need is already handled, or when none of your tools fits."
    ),
    "LTM": (
        "Your job here: watch the conversation for a topic. At the start the user asked you to keep an ear "
        "out for something; you do not need to acknowledge that request. Stay silent while the others talk "
        "about anything else. Intervene only once another speaker actually brings up the topic the user named: "
        "tell the user briefly what was said about it, and call a tool if the user asked for an action."
    ),
    "CFC": (
        "Your job here: check what is said against the user's records. Compare the conversation with the "
        "digital context (calendar, messages, notes and other app states). Intervene only when something said "
        "clearly contradicts a recorded fact (a wrong time, date, place, name or amount): point out the "
        "discrepancy politely and say what the record shows, calling a tool if that helps fix it. Stay silent "
        "when what is said agrees with the records, or the records say nothing about it."
    ),
    "ESS": (
        "Your job here: react to a sound. The user asked you to wait for a particular sound (an alarm, a "
        "knock, a baby crying...) and said what to do when it happens. Stay silent until that sound is really "
        "heard in the audio; speech that only mentions it, and other sounds, do not count. When it occurs, "
        "tell the user you heard it and do what they asked, calling a tool if needed."
    ),
}

BLIND_RULES = (
    "Speak up only when one of these holds:\n"
    "1. The user asked you earlier to listen for a topic, and someone now brings that topic up: tell the user "
    "what was said about it.\n"
    "2. The user asked you earlier to react to a particular sound, and that sound is now heard (not just "
    "talked about): tell the user and do what they asked.\n"
    "3. The user implies a need without asking (hesitating over something to do, mentioning a plan or a task) "
    "and one of your tools would clearly help: propose that tool call and ask the user to confirm.\n"
    "4. Something said contradicts the user's own records in the digital context (calendar, messages, notes, "
    "other app states): point out the discrepancy and what the record shows.\n"
    "In every other case stay silent: small talk, acknowledging a request, things already handled, or needs "
    "none of your tools covers do not call for a word."
)

JSON_ANSWER = (
    "Answer with one JSON object and nothing else:\n"
    '{"interaction_score": 0, 1 or 2 (0 = no reason to speak, 1 = unsure, 2 = clearly needed), '
    '"tool_calls": [{"name": "<tool name>", "arguments": {...}}] (an empty list when no tool is needed), '
    '"agent_response": "<what you say to the user, or an empty string>"}\n'
    'To stay silent answer {"interaction_score": 0, "tool_calls": [], "agent_response": ""}.'
)

NATIVE_ANSWER = (
    f"To stay silent, reply with exactly {SILENT_TOKEN} and nothing else (or call the {NO_ACTION_TOOL} tool). "
    "Otherwise say your brief message to the user, and call a tool when an action helps."
)

NO_ACTION_SCHEMA = ToolSchema(
    name=NO_ACTION_TOOL,
    description="Call this when you should stay silent now: nothing calls for your intervention.",
    parameters={"type": "object", "properties": {"reason": {"type": "string"}}, "required": []},
)


def _context_block(ctx: SessionContext) -> str:
    if ctx.digital_context is None:
        return "The user's digital context: none is available."
    return "The user's digital context (app states, JSON):\n" + json.dumps(
        ctx.digital_context, ensure_ascii=False, separators=(",", ":"))


def context_update_text(ctx: SessionContext, at_s: float) -> str:
    """What a session that cannot replace its instructions is told when the digital context changes
    (`gemini-live`): the whole new state, which replaces the earlier one, and that it is no turn to answer."""
    return (f"[The user's digital context changed {at_s:.1f} s into the conversation. The state below replaces "
            "the one in your instructions from now on. This is not something said: do not answer it.]\n\n"
            + _context_block(ctx))


def _tools_block(tools: list[ToolSchema]) -> str:
    if not tools:
        return "You have no tools."
    lines = [json.dumps(t.flat_form(), ensure_ascii=False, separators=(",", ":")) for t in tools]
    return "Your tools (OpenAI function schemas):\n" + "\n".join(lines)


def system_prompt(ctx: SessionContext, reply: ReplyFormat, tools_in_text: bool = False) -> str:
    """The standing instructions of a session, for `ctx.protocol` and the reply format.

    The tool schemas are written into the text for the JSON format (its answer names tools itself),
    and with `tools_in_text` for the native one (a served chat template that drops the API's `tools`
    field, as Qwen2.5-Omni's does, would otherwise leave the model without them).
    """
    parts = [ROLE]
    if ctx.protocol == "paper":
        rules = TASK_RULES.get((ctx.task or "").upper())
        if rules is None:
            raise ValueError(f"the paper protocol needs a task name (one of {', '.join(TASK_RULES)}), got {ctx.task!r}")
        parts.append(rules)
    else:
        parts.append(BLIND_RULES)
    if ctx.instruction:
        parts.append(f'Earlier, the user told you: "{ctx.instruction}"')
    parts.append(_context_block(ctx))
    if reply == "json":  # the JSON answer names tools itself, so the model must see them in the text
        parts.append(_tools_block(ctx.tools))
    elif tools_in_text:
        parts.append(_tools_block(api_tools(ctx, reply)))
    parts.append(JSON_ANSWER if reply == "json" else NATIVE_ANSWER)
    return "\n\n".join(parts)


def decision_prompt(reply: ReplyFormat, *, upto_s: float | None = None, whole_clip: bool = False,
                    transcript: str | None = None) -> str:
    """The per-decision user turn that follows the audio (or the transcript)."""
    if transcript is not None:
        heard = "What was heard so far (times in seconds from the start):\n" + (transcript or "(nothing yet)") + "\n\n"
    else:
        heard = ""
    if whole_clip:
        what = "The audio is the whole conversation. Decide whether you should intervene."
    elif upto_s is not None:
        what = f"That is the conversation so far ({upto_s:.1f} s). Decide whether to intervene now."
    else:
        what = "That is the conversation so far. Decide whether to intervene now."
    tail = "Answer with the JSON object only." if reply == "json" else (
        f"Reply {SILENT_TOKEN} to stay silent, or speak.")
    return f"{heard}{what} {tail}"


def api_tools(ctx: SessionContext, reply: ReplyFormat) -> list[ToolSchema]:
    """The tools given to the API: the session's, plus `no_action` for the native format."""
    tools = list(ctx.tools)
    if reply == "native" and all(t.name != NO_ACTION_TOOL for t in tools):
        tools.append(NO_ACTION_SCHEMA)
    return tools


# ---- reasoning ----------------------------------------------------------------------------------

_THINK = re.compile(r"<think>(.*?)(</think>|$)", re.S)


def strip_reasoning(text: str) -> tuple[str, str]:
    """Split `<think>...</think>` out of a reply: (what is left, the reasoning).

    A reply that starts inside a think block (the template opened it) has only `</think>`: what
    comes before it is reasoning. An unterminated `<think>` runs to the end.
    """
    reasoning: list[str] = []
    if "</think>" in text and "<think>" not in text.split("</think>", 1)[0]:
        head, text = text.split("</think>", 1)
        reasoning.append(head)

    def _cut(m: re.Match) -> str:
        reasoning.append(m.group(1))
        return ""

    text = _THINK.sub(_cut, text)
    return text.strip(), "\n".join(r.strip() for r in reasoning if r.strip())


class ThinkFilter:
    """Streaming version of `strip_reasoning`: feed deltas, get (visible, reasoning) pieces.

    `opened=True` means the block may already be open (a thinking model whose template opens
    `<think>` inside the prompt, so only `</think>` streams): everything is held back until a tag
    settles it; a `</think>` before any `<think>` turns what came before it into reasoning, an
    explicit `<think>` means normal parsing, and `flush()` at the end gives what was held as
    visible (there was no block). `server_side()` settles it too: the server runs a reasoning parser
    (reasoning arrives in its own field), so the content holds no think block.
    """

    OPEN, CLOSE = "<think>", "</think>"

    def __init__(self, opened: bool = False):
        self.inside = False
        self.maybe_opened = opened
        self.buf = ""

    def feed(self, delta: str) -> tuple[str, str]:
        self.buf += delta
        visible, reasoning = [], []
        while self.buf:
            if self.maybe_opened:
                i = self.buf.find(self.CLOSE)
                j = self.buf.find(self.OPEN)
                if j != -1 and (i == -1 or j < i):
                    self.maybe_opened = False  # an explicit opening: normal parsing from here
                    continue
                if i == -1:
                    break
                reasoning.append(self.buf[:i])
                self.buf = self.buf[i + len(self.CLOSE):]
                self.maybe_opened = False
                continue
            tag = self.CLOSE if self.inside else self.OPEN
            i = self.buf.find(tag)
            if i == -1:
                keep = _partial_suffix(self.buf, tag)
                out, self.buf = self.buf[:len(self.buf) - keep], self.buf[len(self.buf) - keep:]
                (reasoning if self.inside else visible).append(out)
                break
            (reasoning if self.inside else visible).append(self.buf[:i])
            self.buf = self.buf[i + len(tag):]
            self.inside = not self.inside
        return "".join(visible), "".join(reasoning)

    @property
    def undecided(self) -> bool:
        """True while held text may still turn out to be reasoning (see `opened`)."""
        return self.maybe_opened

    def server_side(self) -> tuple[str, str]:
        """Reasoning arrives in a field of its own: no block is open. Returns the held text, parsed."""
        if not self.maybe_opened:
            return "", ""
        self.maybe_opened = False
        held, self.buf = self.buf, ""
        return self.feed(held)

    def flush(self) -> tuple[str, str]:
        rest, self.buf = self.buf, ""
        if self.inside:
            return "", rest
        if self.maybe_opened and rest:
            return rest, ""  # never closed: there was no think block after all
        return rest, ""


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `tag`."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0


# ---- parsing the JSON answer --------------------------------------------------------------------

class ParsedReply(BaseModel):
    """A parsed reply. `speak` follows the official rule: tool calls or a non-empty response."""

    speak: bool
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    interaction_score: int | None = None


class ParseFailure(BaseModel):
    reason: str
    raw: str


def parse_reply(text: str) -> ParsedReply | ParseFailure:
    """Parse a JSON-format reply (reasoning already stripped or not) into a ParsedReply, with the
    shared answer parser (`provoice_live.reply`); the `no_action` tool is not a tool call."""
    visible, _ = strip_reasoning(text or "")
    try:
        answer = parse_answer(visible)
    except ReplyError as exc:
        return ParseFailure(reason=f"malformed answer: {exc}" if exc.malformed else str(exc), raw=text or "")
    calls = [c for c in answer.tool_calls if c.name != NO_ACTION_TOOL]
    response = answer.agent_response.strip()
    return ParsedReply(speak=bool(calls or response), text=response, tool_calls=calls,
                    interaction_score=answer.interaction_score)


def silent_text(text: str) -> bool:
    """True when a native-format reply says nothing but the silence token (or nothing at all)."""
    rest = text.replace(SILENT_TOKEN, "")
    return not re.sub(r"[\s.,;:!\"'`*_-]", "", rest)


def may_become_silent(text: str) -> bool:
    """True while a streamed native reply could still turn out to be just the silence token."""
    t = text.lstrip(" \n\t\"'`*")
    if not t:
        return True
    if SILENT_TOKEN.startswith(t):
        return True
    return t.startswith(SILENT_TOKEN) and silent_text(t)
