"""The LLM judge's prompt and the parsing of its reply: the one place where they are written.

The rubric is the official ProVoice-Bench evaluation's, in our own words:
the tool calls are scored 0/1/2 for helpfulness and the spoken reply 0/1/2 for suitability, judged on
meaning rather than exact strings, with the reference as a guide and not as the only right answer
(another tool that reaches the user's goal may still score 2). The judge answers inside
`<tool_call_score>` and `<response_score>` tags; a missing or unreadable tag counts as 0, and the
scores are halved to the paper's 0/0.5/1.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

TOOL_TAG = "tool_call_score"
RESPONSE_TAG = "response_score"

JUDGE_SYSTEM = (
    "You grade the replies of a proactive voice assistant that listens to a conversation and speaks "
    "up on its own when it can help. You are careful, consistent and brief."
)

JUDGE_TEMPLATE = """The assistant decided to step in during the situation below. Grade what it did.

## The situation (what triggers help, and the user's context)
{SEMANTIC_CUE}

## What a good assistant would do here (the reference)
Tool calls: {REF_TOOL_CALLS}
Spoken reply: {REF_RESPONSE}

## What the assistant did
Tool calls: {PRED_TOOL_CALLS}
Spoken reply: {PRED_RESPONSE}

## How to grade
Grade two things, each with 0, 1 or 2.

Tool calls (how much they help the user):
- 0: no help at all, a wrong or harmful action, or no call where one was needed.
- 1: partly helpful: the right idea with key details missing or wrong, or a tool that only partly
  serves the goal.
- 2: clearly helpful: it gets the user what they need. A different tool, or arguments worded
  differently from the reference, still earns 2 when the result would be the same.
  If the reference has no tool calls and the assistant made none, give 2.

Spoken reply (how suitable it is):
- 0: unrelated to the situation, wrong about the facts, or of no use to the user.
- 1: probably useful and consistent with the tool calls, but you are not sure.
- 2: clearly useful in this situation and consistent with the tool calls.

Use the reference as a guide, not as the only right answer: a human wrote it, a model will phrase
things differently. Judge meaning, not wording: the same place, time, item or fact said another
way is a match. What matters is whether the user's goal is served.

Answer with the two grades only, no explanation, exactly in this form:
<{TOOL_TAG}>G</{TOOL_TAG}>
<{RESPONSE_TAG}>G</{RESPONSE_TAG}>
where each G is 0, 1 or 2."""

_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)
_TAGS = {tag: re.compile(rf"<{tag}>\s*([0-9])\s*</{tag}>", re.I) for tag in (TOOL_TAG, RESPONSE_TAG)}


def tool_calls_json(calls: Iterable[Any]) -> str:
    """Tool calls as stable JSON (sorted keys), so that the same calls give the same prompt."""
    as_dicts = [{"name": c.name, "arguments": c.arguments} if hasattr(c, "name") else
                {"name": c[0], "arguments": c[1]} if isinstance(c, tuple) else c for c in calls]
    return json.dumps(as_dicts, ensure_ascii=False, sort_keys=True)


def judge_messages(semantic_cue: str, ref_tool_calls: Iterable[Any], ref_response: str,
                   pred_tool_calls: Iterable[Any], pred_response: str) -> list[dict[str, str]]:
    """The chat messages for one true positive."""
    user = JUDGE_TEMPLATE.format(
        SEMANTIC_CUE=semantic_cue.strip() or "(not given)",
        REF_TOOL_CALLS=tool_calls_json(ref_tool_calls),
        REF_RESPONSE=json.dumps(ref_response or "", ensure_ascii=False),
        PRED_TOOL_CALLS=tool_calls_json(pred_tool_calls),
        PRED_RESPONSE=json.dumps(pred_response or "", ensure_ascii=False),
        TOOL_TAG=TOOL_TAG,
        RESPONSE_TAG=RESPONSE_TAG,
    )
    return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": user}]


def parse_grade(reply: str, tag: str) -> int | None:
    """The last 0/1/2 grade inside `<tag>` of a reply (reasoning in `<think>` ignored), or None."""
    matches = _TAGS[tag].findall(_THINK.sub("", reply or ""))
    grade = int(matches[-1]) if matches else None
    return grade if grade in (0, 1, 2) else None


def parse_judge_reply(reply: str) -> tuple[float, float, list[str]]:
    """(tool, text) verdicts in {0, 0.5, 1} and the tags that were missing (each counted as 0)."""
    out, missing = [], []
    for tag in (TOOL_TAG, RESPONSE_TAG):
        grade = parse_grade(reply, tag)
        if grade is None:
            missing.append(tag)
        out.append((grade or 0) / 2.0)
    return out[0], out[1], missing
