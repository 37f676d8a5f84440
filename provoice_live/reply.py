"""The agent's answer format, `{interaction_score, tool_calls, agent_response}`, read in one place.

The paper's prompt asks the model for this JSON object; the official code writes the same object
into `<uuid>_response.json`. Both our adapters (through `agents/prompts.parse_reply`) and the
rescoring of official outputs (`scoring/official.py`) read it with `parse_answer`, so they accept
the same texts:

* the object alone, inside a code fence, embedded in prose, or double-encoded as a JSON string;
* the first object carrying one of the three keys is the answer;
* `tool_calls` a list (or one object) of `{name, arguments|parameters}` or `{function: {...}}`,
  arguments an object or a JSON string;
* `interaction_score` an integer, or anything else (read as unknown: the decision ignores it).

The decision is the official one: the agent intervenes iff it made a tool call or said something.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field

from .corpus.sample import ToolCall
from .errors import ReplyError

ANSWER_KEYS = ("interaction_score", "tool_calls", "agent_response")
_FENCE = re.compile(r"```[a-zA-Z]*\s*(.*?)```", re.S)


class Answer(BaseModel):
    """A parsed answer."""

    interaction_score: int | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    agent_response: str = ""  # as written (the official rule counts any non-empty text)

    @property
    def intervenes(self) -> bool:
        return bool(self.tool_calls or self.agent_response)


def _json_values(text: str, depth: int = 0) -> list[Any]:
    """JSON values found in a text: the whole text, fenced blocks, then each embedded object; a
    value that is itself a JSON string is decoded once more (double encoding)."""
    found: list[Any] = []
    for chunk in [text, *_FENCE.findall(text)]:
        for variant in (chunk, chunk.replace("\\'", "'")):
            try:
                value = json.loads(variant)
            except ValueError:
                continue
            if isinstance(value, str) and depth == 0:
                found += _json_values(value, depth + 1)
            else:
                found.append(value)
            break
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, m.start())
        except ValueError:
            continue
        found.append(value)
    return found


def _arguments(raw: Any) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ReplyError(f"tool arguments are not valid JSON ({exc})", malformed=True) from None
    if not isinstance(raw, dict):
        raise ReplyError(f"tool arguments are a {type(raw).__name__}, not an object", malformed=True)
    return raw


def parse_tool_call(item: Any) -> ToolCall:
    """One tool call in any of the shapes models write: `{name, arguments|parameters}` or
    `{function: {name, arguments}}`, arguments as an object or a JSON string."""
    if not isinstance(item, dict):
        raise ReplyError(f"a tool call is a {type(item).__name__}, not an object", malformed=True)
    if isinstance(item.get("function"), dict):
        item = item["function"]
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ReplyError("a tool call has no name", malformed=True)
    return ToolCall(name=name.strip(), arguments=_arguments(item.get("arguments", item.get("parameters"))))


def _score(raw: Any) -> int | None:
    try:
        return int(raw) if raw is not None and str(raw).strip() != "" else None
    except (TypeError, ValueError):
        return None


def parse_answer(text: str) -> Answer:
    """The answer in a reply; `ReplyError` says why there is none."""
    if not (text or "").strip():
        raise ReplyError("empty reply")
    objects = [v for v in _json_values(text.strip()) if isinstance(v, dict)]
    answer = next((o for o in objects if any(k in o for k in ANSWER_KEYS)), None)
    if answer is None:
        raise ReplyError("no JSON object in the reply" if not objects
                         else "JSON without interaction_score/tool_calls/agent_response")
    calls = answer.get("tool_calls") or []
    if isinstance(calls, dict):
        calls = [calls]
    if not isinstance(calls, list):
        raise ReplyError(f"tool_calls is not a list (a {type(calls).__name__})", malformed=True)
    response = answer.get("agent_response") or ""
    if not isinstance(response, str):
        raise ReplyError(f"agent_response is not a string (a {type(response).__name__})", malformed=True)
    return Answer(interaction_score=_score(answer.get("interaction_score")),
                  tool_calls=[parse_tool_call(c) for c in calls], agent_response=response)
