"""One model reply, streamed in pieces, turned into the agent events of one response.

`ReplyAssembler` is shared by the realtime, omni-chat and cascade adapters: they feed it what the
model sends (text deltas, reasoning deltas, finished tool calls) and call `finish()`; it emits
`TextEvent`/`ToolCallEvent`/`ResponseDone` for a decision to speak, or one `SilenceDecision`.

* `native` format: text is emitted as it streams (the first real word is the interjection), except
  while it could still be the silence token `<silent>` or reasoning (a block the template may have
  opened, `thinking=True`); `no_action` tool calls mean silence; `<think>` blocks never reach the
  output. Text held back is stamped where it arrived (`began_s`), not where it was let out.
* Tool calls are stamped where their name arrived (`began_s` given by the adapter), though they are
  emitted when their arguments are complete.
* `json` format: everything is held until the reply is complete, then parsed (`prompts.parse_reply`);
  the answer's tool calls and `agent_response` become the events, all stamped at that moment.
  Native tool calls that a server returns beside (or instead of) the JSON text count too.

A reply that does not parse is never dropped. It is logged (`InfoEvent(kind="parse_error")` with
the raw text) and then, by `on_parse_error`:
  * `silence` (default): a non-fatal `ErrorEvent` (so the log counts it as an error of that poll)
    followed by a `SilenceDecision(reason="parse_error: ...")`. The session goes on; if nothing else
    is said, the sample is scored as "did not intervene" (a miss on a positive), and the error
    count in the log says how many decisions were unreadable.
  * `fatal`: `AgentError`, so the session ends as an error (excluded from the tables and listed as
    an error by scoring).
Reasoning (`<think>` text, `reasoning_content`) is stripped from the response and kept in the log
(`InfoEvent(kind="reasoning")`).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Literal

from ..corpus.sample import ToolCall
from ..errors import AgentError
from .base import ErrorEvent, InfoEvent, ResponseDone, SessionIO, SilenceDecision, TextEvent, ToolCallEvent
from .prompts import (NO_ACTION_TOOL, SILENT_TOKEN, ParsedReply, ParseFailure, ReplyFormat, ThinkFilter,
                      may_become_silent, parse_reply, silent_text, strip_reasoning)
from ..reply import parse_tool_call

OnParseError = Literal["silence", "fatal"]
Outcome = Literal["spoke", "silent", "parse_error"]
RAW_LOG_CHARS = 20000  # a raw reply longer than this is cut in the log (the cut is marked)


def _clip(text: str) -> str:
    return text if len(text) <= RAW_LOG_CHARS else text[:RAW_LOG_CHARS] + f"...[{len(text) - RAW_LOG_CHARS} more chars]"


class ReplyAssembler:
    """Collects one reply and emits its events. One instance per response (per attempt)."""

    def __init__(self, io: SessionIO, *, reply: ReplyFormat, response_id: str, poll_id: int | None = None,
                 on_parse_error: OnParseError = "silence", thinking: bool = False,
                 known_tools: set[str] | None = None, on_spoke: Callable[[], None] | None = None,
                 spoken: bool = False):
        self.io = io
        self.spoken = spoken or None  # the text is the transcript of audio the agent sends
        self.on_spoke = on_spoke
        self.reply = reply
        self.rid = response_id
        self.poll_id = poll_id
        self.on_parse_error = on_parse_error
        self.known_tools = known_tools
        self.raw: list[str] = []
        self.reasoning: list[str] = []
        self.visible: list[str] = []
        self.held = ""  # native: text held back while it may still be the silence token
        self.tool_calls: list[tuple[str, Any, str | None, float | None]] = []  # json: native calls (with when named)
        self.no_action = False
        self.spoke = False
        self.parse_errors: list[str] = []
        self.finished = False
        self._think = ThinkFilter(opened=thinking)
        self._first_text_s: float | None = None  # when the first non-blank text delta arrived
        self._held_s: float | None = None  # when the text now held back arrived

    # -- feeding ---------------------------------------------------------------------------------
    def add_text(self, delta: str, began_s: float | None = None) -> None:
        """A text delta; `began_s`: the output it belongs to began earlier (audio before its transcript)."""
        if not delta:
            return
        now = self.io.stream_time()
        at = now if began_s is None else min(now, began_s)
        if self._first_text_s is None and delta.strip():
            self._first_text_s = at
        self.raw.append(delta)
        if self.reply == "json":
            return
        visible, reasoning = self._think.feed(delta)
        if reasoning:
            self.reasoning.append(reasoning)
        self._native_visible(visible, at)

    def add_reasoning(self, delta: str) -> None:
        """A reasoning delta (a server-side reasoning parser): no think block is open in the content."""
        if not delta:
            return
        self.reasoning.append(delta)
        visible, reasoning = self._think.server_side()
        if reasoning:
            self.reasoning.append(reasoning)
        self._native_visible(visible, self._first_text_s)

    def add_tool_call(self, name: str, arguments: Any, call_id: str | None = None,
                      began_s: float | None = None) -> None:
        """A finished tool call (arguments as an object or a JSON string); `began_s`: when its name arrived."""
        if name == NO_ACTION_TOOL:
            self.no_action = True
            self.io.log("no_action", response_id=self.rid, poll_id=self.poll_id,
                        arguments=arguments if isinstance(arguments, (dict, str)) else None)
            return
        if self.reply == "json":
            self.tool_calls.append((name, arguments, call_id, began_s))
            return
        self._flush_held(force=True)
        self._emit_tool_call(name, arguments, call_id, began_s)

    # -- native streaming ------------------------------------------------------------------------
    def _native_visible(self, visible: str, at: float | None) -> None:
        if not visible:
            return
        if self.spoke:
            self.visible.append(visible)
            self.io.emit(TextEvent(text=visible, response_id=self.rid, spoken=self.spoken))
            return
        if not self.held.strip() and visible.strip():
            self._held_s = at
        self.held += visible
        self._flush_held(force=False)

    def _flush_held(self, force: bool) -> None:
        if self.spoke or not self.held:
            return
        if not force and may_become_silent(self.held):
            return
        if silent_text(self.held):  # only the token (forced out by a tool call): say nothing
            self.held = ""
            return
        text = self.held.replace(SILENT_TOKEN, "").lstrip()
        self.held = ""
        if not text.strip():
            return
        self.visible.append(text)
        self._emit_output(TextEvent(text=text, response_id=self.rid, spoken=self.spoken, began_s=self._earlier(self._held_s)))

    def _earlier(self, at: float | None) -> float | None:
        """`at` when it is before now (a held-back output), else None (stamped at the emit)."""
        return at if at is not None and at < self.io.stream_time() - 1e-9 else None

    def _emit_tool_call(self, name: str, arguments: Any, call_id: str | None, began_s: float | None = None) -> None:
        try:
            call = parse_tool_call({"name": name, "arguments": arguments})
        except (ValueError, TypeError) as exc:
            self._parse_error(f"tool call {name!r} has unreadable arguments: {exc}",
                              json.dumps({"name": name, "arguments": arguments}, default=str))
            return
        self._emit_call(call, call_id, began_s)

    def _emit_call(self, call: ToolCall, call_id: str | None, began_s: float | None = None) -> None:
        if self.known_tools is not None and call.name not in self.known_tools:
            self.io.log("unknown_tool", response_id=self.rid, name=call.name)
        self._emit_output(ToolCallEvent(name=call.name, arguments=call.arguments, call_id=call_id, response_id=self.rid,
                                        began_s=self._earlier(began_s)))

    def _emit_output(self, event: TextEvent | ToolCallEvent) -> None:
        first = not self.spoke
        self.spoke = True
        self.io.emit(event)
        if first and self.on_spoke is not None:
            self.on_spoke()

    # -- the end ---------------------------------------------------------------------------------
    def finish(self, usage: dict[str, Any] | None = None) -> Outcome:
        """The reply is complete: emit what is left and the decision's closing event."""
        if self.finished:
            raise RuntimeError("finish() called twice")
        self.finished = True
        raw = "".join(self.raw)
        self.io.log("raw_reply", response_id=self.rid, poll_id=self.poll_id, text=_clip(raw),
                    tool_calls=[{"name": n, "arguments": a} for n, a, _, _ in self.tool_calls] or None,
                    no_action=self.no_action or None)
        outcome = self._finish_json(raw, usage) if self.reply == "json" else self._finish_native(usage)
        if self.reasoning:
            self.io.log("reasoning", response_id=self.rid, text=_clip("".join(self.reasoning).strip()))
        return outcome

    def _finish_native(self, usage: dict[str, Any] | None) -> Outcome:
        never_closed = self._think.undecided  # no tag came: all that was held was visible from the start
        visible, reasoning = self._think.flush()
        if reasoning:
            self.reasoning.append(reasoning)
        self._native_visible(visible, self._first_text_s if never_closed else self.io.stream_time())
        if not self.spoke and self.held and not silent_text(self.held):
            self._flush_held(force=True)
        if self.spoke:
            self.io.emit(ResponseDone(text="".join(self.visible).strip(), usage=usage, response_id=self.rid))
            return "spoke"
        if self.parse_errors:
            why = f"parse_error: {self.parse_errors[-1]}"
        elif self.no_action:
            why = NO_ACTION_TOOL
        else:
            why = SILENT_TOKEN if SILENT_TOKEN in self.held else "empty reply"
        self.io.emit(SilenceDecision(reason=why, response_id=self.rid))
        return "parse_error" if self.parse_errors else "silent"

    def _finish_json(self, raw: str, usage: dict[str, Any] | None) -> Outcome:
        text, reasoning = strip_reasoning(raw)
        if reasoning:
            self.reasoning.append(reasoning)
        decision: ParsedReply | ParseFailure
        if not text and (self.tool_calls or self.no_action):  # native tool calls and no JSON text
            decision = ParsedReply(speak=False)
        else:
            decision = parse_reply(text)
        calls: list[tuple[ToolCall, str | None, float | None]] = []
        if isinstance(decision, ParsedReply):
            calls = [(c, None, None) for c in decision.tool_calls]
            try:
                calls += [(parse_tool_call({"name": n, "arguments": a}), cid, at) for n, a, cid, at in self.tool_calls]
            except (ValueError, TypeError) as exc:
                decision = ParseFailure(reason=f"a native tool call has unreadable arguments: {exc}", raw=raw)
        if isinstance(decision, ParseFailure):
            self._parse_error(decision.reason, raw)
            self.io.emit(SilenceDecision(reason=f"parse_error: {decision.reason}", response_id=self.rid))
            return "parse_error"
        self.io.log("decision", response_id=self.rid, poll_id=self.poll_id, speak=bool(decision.text or calls),
                    interaction_score=decision.interaction_score)
        named = [at for _, _, at in calls if at is not None]  # native calls: their names came first
        if decision.text:
            self.visible.append(decision.text)
            self._emit_output(TextEvent(text=decision.text, response_id=self.rid, spoken=self.spoken,
                                        began_s=self._earlier(min(named)) if named else None))
        for call, call_id, at in calls:
            self._emit_call(call, call_id, at)
        if self.spoke:
            self.io.emit(ResponseDone(text=decision.text, usage=usage, response_id=self.rid))
            return "spoke"
        self.io.emit(SilenceDecision(reason="json: no tool call and an empty response", response_id=self.rid))
        return "silent"

    def _parse_error(self, reason: str, raw: str) -> None:
        """Log an unreadable reply, then fail the session or flag the error (see the module doc)."""
        self.parse_errors.append(reason)
        self.io.emit(InfoEvent(kind="parse_error", data={"reason": reason, "raw": _clip(raw), "poll_id": self.poll_id},
                               response_id=self.rid))
        if self.on_parse_error == "fatal":
            raise AgentError(f"the agent's reply did not parse ({reason})")
        self.io.emit(ErrorEvent(message=f"reply did not parse: {reason}", fatal=False, response_id=self.rid))
