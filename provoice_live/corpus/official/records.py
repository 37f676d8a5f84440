"""The release's records (`data.json`, `new_tools.json`) in our terms: the one mapping from an official
sample to our fields, shared by the importer, the re-voicer and the rescoring of official outputs.

Task names are mapped (`TASK_MAP`); the label comes from the model turn (a reply or tool calls);
`parameters` are read as arguments; the instruction is User1's first turn (LTM, ESS), which must be
the conversation's first; the digital context is `user_states`; the semantic cue is the scenario
description and its cues. A bad field (also a human turn that says nothing, an environment turn that
names no sound, an LTM or ESS record that does not open with User1) raises `SampleError` naming the
sample, the turn and the field; `read_records` lists such samples as skipped and reads the rest.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ProvoiceError, SampleError
from ..loader import read_json_file, read_tool_file
from ..sample import ID_PATTERN, ToolCall, ToolSchema

TASK_MAP = {"single_turn_taking": "PIC", "long_turn_taking": "LTM", "digital_memory": "CFC",
            "environment_sensing": "ESS"}
SPEAKERS = {"1": "user1", "2": "user2"}
SOUND_TURN = re.compile(r"^\W*(?:the\s+)?sound\s+of\s+(?:an?\s+|the\s+)?(\w.*?)\W*$", re.I)
NO_SOUND = re.compile(r"^\W*(?:the\s+)?sound(?:\s+of)?\W*$", re.I)  # "(Sound of )": names nothing


@dataclass
class Turn:
    speaker: str  # user1 | user2 | sound
    text: str  # what is said, or the sound's name for a sound turn


@dataclass
class Record:
    """An official sample in our terms (no audio timing yet)."""

    id: str
    task: str
    label: bool
    audio_filepath: str
    digital_context: dict[str, Any] | None
    semantic_cue: str
    instruction: str | None
    gt_response: str
    gt_tool_calls: list[ToolCall]
    turns: list[Turn]  # the human and environment turns before the model turn
    genders: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def cue_turn(self) -> int | None:
        """The trigger: the last turn before the model's (positives only)."""
        return len(self.turns) - 1 if self.label and self.turns else None

    @property
    def instruction_turn(self) -> int | None:
        if self.task not in ("LTM", "ESS"):
            return None
        return next((i for i, t in enumerate(self.turns) if t.speaker == "user1"), None)


# --- reading -------------------------------------------------------------------------------
def _load_json(path: str | Path, what: str) -> Any:
    return read_json_file(path, what)


def read_tools(path: str | Path) -> list[ToolSchema]:
    """`new_tools.json` (chat-completions form) as our flat tool schemas."""
    return read_tool_file(path, "tools")


def read_data(path: str | Path) -> list[dict[str, Any]]:
    data = _load_json(path, "data")
    if not isinstance(data, list):
        raise ProvoiceError(f"{str(path)!r} must hold a list of samples")
    return data


def _arguments(call: dict[str, Any], sid: str, i: int) -> dict[str, Any]:
    args = call.get("parameters", call.get("arguments", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args) if args.strip() else {}
        except json.JSONDecodeError as exc:
            raise SampleError(sid, f"tool_calls.{i}.parameters", f"not JSON ({exc.msg})") from exc
    if not isinstance(args, dict):
        raise SampleError(sid, f"tool_calls.{i}.parameters", "must be an object")
    return args


def _semantic_cue(cues: Any) -> str:
    if not isinstance(cues, dict):
        return str(cues or "")
    parts = [str(cues.get("description") or "").strip()]
    for c in cues.get("cues") or []:
        if isinstance(c, dict):
            parts.append(f"[{c.get('modality', 'audio')} cue] {c.get('description', '')}".strip())
    return " ".join(p for p in parts if p)


def sound_name(content: str) -> str:
    """The class in an environment turn: '(Sound of door_wood_knock)' -> 'door_wood_knock'."""
    m = SOUND_TURN.match(content.strip())
    if m is None and NO_SOUND.match(content):
        return ""
    return (m.group(1) if m else content.strip(" ()")).strip()


def parse_record(raw: Any, index: int) -> Record:
    """One official sample as a `Record`; a bad field raises `SampleError` naming it."""
    if not isinstance(raw, dict):
        raise SampleError(f"#{index}", None, "an official sample must be a JSON object")
    meta = raw.get("meta") or {}
    sid = str(meta.get("uuid") or f"official-{index:05d}")
    if not re.match(ID_PATTERN, sid):
        raise SampleError(sid, "meta.uuid", "is not usable as an id ([A-Za-z0-9_.-]+)")
    task = TASK_MAP.get(str(meta.get("task_name", "")))
    if task is None:
        raise SampleError(sid, "meta.task_name", f"unknown task {meta.get('task_name')!r}; expected one of {sorted(TASK_MAP)}")
    conv = raw.get("conversation") or {}
    turns_raw = conv.get("conversation_list")
    if not isinstance(turns_raw, list) or not turns_raw:
        raise SampleError(sid, "conversation.conversation_list", "is missing or empty")
    turns: list[Turn] = []
    model = None
    for i, t in enumerate(turns_raw):
        if not isinstance(t, dict):
            raise SampleError(sid, f"conversation.conversation_list.{i}", "must be an object")
        who = str(t.get("user", ""))
        if who == "model":
            model = t
            break  # the ground truth closes the conversation
        content = str(t.get("content") or "").strip()
        if who == "environment":
            if not sound_name(content):
                raise SampleError(sid, f"conversation.conversation_list.{i}.content",
                                  f"environment turn {i} names no sound")
            turns.append(Turn("sound", sound_name(content)))
        elif who in SPEAKERS:
            if not content:  # dropping it would shift the instruction and cue turns
                raise SampleError(sid, f"conversation.conversation_list.{i}.content",
                                  f"User{who}'s turn {i} says nothing")
            turns.append(Turn(SPEAKERS[who], content))
        else:
            raise SampleError(sid, f"conversation.conversation_list.{i}.user", f"unknown speaker {who!r}")
    calls_raw = (model or {}).get("tool_calls") or []
    calls = [ToolCall(name=str(c.get("name", "")), arguments=_arguments(c, sid, i)) for i, c in enumerate(calls_raw)
             if isinstance(c, dict)]
    response = str((model or {}).get("content") or "").strip()
    label = bool(model is not None and (response or calls))
    genders = {SPEAKERS[str(u.get("user"))]: u.get("user_gender") for u in conv.get("user_infos") or []
               if isinstance(u, dict) and str(u.get("user")) in SPEAKERS and u.get("user_gender") in ("male", "female")}
    rec = Record(
        id=sid, task=task, label=label, audio_filepath=str(raw.get("audio_filepath") or f"audios/{sid}.wav"),
        digital_context=raw.get("user_states") if isinstance(raw.get("user_states"), dict) else None,
        semantic_cue=_semantic_cue(raw.get("scenario_cues")), instruction=None,
        gt_response=response if label else "", gt_tool_calls=calls if label else [], turns=turns, genders=genders,
        meta={"source": "provoice-bench", "uuid": sid, "task_name": meta.get("task_name")},
    )
    if label and not turns:
        raise SampleError(sid, "conversation.conversation_list", "a positive has no turn before the model's")
    if task in ("LTM", "ESS") and (not turns or turns[0].speaker != "user1"):
        first = {"user2": "User2's", "sound": "a sound"}.get(turns[0].speaker) if turns else "missing"
        raise SampleError(sid, "conversation.conversation_list.0.user",
                          f"{task}: the first turn must be User1's standing request (the instruction); it is {first}")
    k = rec.instruction_turn
    rec.instruction = rec.turns[k].text if k is not None else None
    return rec


def read_records(data: str | Path) -> tuple[list[Record], list[dict[str, Any]]]:
    """All parseable records, and the unparseable ones as skip entries {id, kind, reason}."""
    records, bad = [], []
    seen: set[str] = set()
    for i, raw in enumerate(read_data(data)):
        try:
            rec = parse_record(raw, i)
        except SampleError as exc:
            bad.append({"id": exc.sample_id, "kind": "record", "reason": str(exc)})
            continue
        if rec.id in seen:
            bad.append({"id": rec.id, "kind": "record", "reason": "duplicate uuid"})
            continue
        seen.add(rec.id)
        records.append(rec)
    return records, bad
