"""The release's records (`data.json`, `new_tools.json`) in our terms: the one mapping from an official
sample to our fields, shared by the importer, the re-voicer and the rescoring of official outputs.

Task names are mapped (`TASK_MAP`); the label comes from the model turn (a reply or tool calls);
`parameters` are read as arguments; the instruction is User1's first turn (LTM, ESS), which must be
the conversation's first; the digital context is `user_states`; the semantic cue is the scenario
description and its cues. Speakers' genders are `conversation.user_infos[].user_gender`, and for
User1, where `user_infos` gives none, `user_states.user_gender` (the CFC records keep it there).
An environment turn is a sound turn whose text is the class id (`sound_classes.class_said`, one reading
however the release writes the sound: "(Sound of dog barking)" -> "dog_bark", "(Sound of bells
ringing)" and "[bells ring]" -> "church_bells"), its content as written kept in `Turn.written`.
The model turn ends the scene: turns after it are dropped, with a note naming them (`Record.notes`).
A bad field (also a human turn that says nothing, an environment turn that names no sound or one
no class of `sound_classes` has as a name, an LTM or ESS record that does not open with User1)
raises `SampleError` naming the sample, the turn and the field; `read_records` lists such samples
as skipped and reads the rest.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ProvoiceError, SampleError
from ...sound_classes import class_said, sound_class
from ..loader import read_json_file, read_tool_file
from ..sample import ID_PATTERN, ToolCall, ToolSchema

TASK_MAP = {"single_turn_taking": "PIC", "long_turn_taking": "LTM", "digital_memory": "CFC",
            "environment_sensing": "ESS"}
SPEAKERS = {"1": "user1", "2": "user2"}
SOUND_TURN = re.compile(r"^\W*(?:the\s+)?sound(?:\s+of\b|\s*:)(.*)$", re.I)  # "(Sound of X)", "(sound: X)"
NO_SOUND = re.compile(r"^\W*(?:the\s+)?sound\W*$", re.I)  # "(Sound)": names nothing
SOUND_NOTE = re.compile(r"^\[([^\[\]]*)\]\W*$")  # "[doorbell rings]", as a recogniser writes sounds
ARTICLES = frozenset({"a", "an", "the", "some"})
log = logging.getLogger(__name__)


@dataclass
class Turn:
    speaker: str  # user1 | user2 | sound
    text: str  # what is said, or the sound's class id for a sound turn ("dog_bark", whatever the wording)
    written: str = ""  # a sound turn's content as the release writes it ("(Sound of dog barking)")


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
    notes: list[str] = field(default_factory=list)  # what the reader left out of a record it kept, named

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


def _sound_said(content: str) -> str:
    """What an environment turn says of its sound, as written, without a leading article or end
    punctuation: '(Sound of a dog barking)' -> 'dog barking', '[bells ring]' -> 'bells ring'; '' when
    it names nothing."""
    text = content.strip()
    m, note = SOUND_TURN.match(text), SOUND_NOTE.match(text)
    if m is None and NO_SOUND.match(text):
        return ""
    words = re.sub(r"^\W+|\W+$", "", m.group(1) if m else note.group(1) if note else text.strip(" ()")).split()
    while words and words[0].lower() in ARTICLES:
        words = words[1:]
    return re.sub(r"\W+$", "", " ".join(words))


def sound_name(content: str) -> str:
    """The sound an environment turn names, as written: '(Sound of door_wood_knock)' -> 'door_wood_knock',
    '(sound: a doorbell)' -> 'doorbell', '[doorbell rings]' -> 'doorbell' (a bracketed note: its longest
    first words that are a name of the class the whole note is read as, else all of it; '[bells ring]'
    -> 'bells', the church bells'). '' when it names nothing: '(Sound of )', and an article alone
    ('(Sound of the)', '(Sound of an )'). Which class a turn is, is `sound_classes.class_said`'s to
    say, on all the turn says (`parse_record`): this function only shows its name."""
    said = _sound_said(content)
    if SOUND_NOTE.match(content.strip()) is None or not said:
        return said
    heard, words = class_said(said), said.split()
    return next((" ".join(words[:n]) for n in range(len(words), 0, -1)
                 if heard is not None and sound_class(" ".join(words[:n])) is heard), said)


def _class_said(text: str) -> str | None:
    """The class id a name or description of a sound denotes (`sound_classes.class_said`), None if none
    (the reader's former helper, kept under its name for the scene-set generators that import it)."""
    heard = class_said(text)
    return heard.name if heard is not None else None


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
    notes: list[str] = []
    model = None
    for i, t in enumerate(turns_raw):
        if not isinstance(t, dict):
            raise SampleError(sid, f"conversation.conversation_list.{i}", "must be an object")
        who = str(t.get("user", ""))
        if who == "model":
            model = t
            if i + 1 < len(turns_raw):  # kept as the release has it, but said: the scene ends here
                after = len(turns_raw) - i - 1
                notes.append(str(SampleError(sid, f"conversation.conversation_list.{i + 1}",
                                             f"{after} turn{'s' * (after > 1)} after the model turn {i} dropped "
                                             f"(the model turn ends the scene)")))
            break  # the ground truth closes the conversation
        content = str(t.get("content") or "").strip()
        if who == "environment":
            name = _sound_said(content)  # all it says: "[bells ring]" is read whole, as "(Sound of bells ring)"
            if not name:
                raise SampleError(sid, f"conversation.conversation_list.{i}.content",
                                  f"environment turn {i} names no sound ({content!r})")
            # one reading however it is written: a name ("dog barking"), a description ("kettle whistling",
            # "bells ringing") or a note ("[bells ring]"); kept as the class id
            heard = class_said(name)
            if heard is None:  # refused here, not when a build finds no sound for it
                raise SampleError(sid, f"conversation.conversation_list.{i}.content",
                                  f"environment turn {i} names {name!r}, which no sound class has as a name "
                                  f"(provoice_live/sound_classes.py)")
            turns.append(Turn("sound", heard.name, content))
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
    states = raw.get("user_states") if isinstance(raw.get("user_states"), dict) else {}
    if "user1" not in genders and states.get("user_gender") in ("male", "female"):  # CFC records keep it there
        genders["user1"] = states["user_gender"]
    rec = Record(
        id=sid, task=task, label=label, audio_filepath=str(raw.get("audio_filepath") or f"audios/{sid}.wav"),
        digital_context=raw.get("user_states") if isinstance(raw.get("user_states"), dict) else None,
        semantic_cue=_semantic_cue(raw.get("scenario_cues")), instruction=None,
        gt_response=response if label else "", gt_tool_calls=calls if label else [], turns=turns, genders=genders,
        meta={"source": "provoice-bench", "uuid": sid, "task_name": meta.get("task_name"),
              **({"reader_notes": notes} if notes else {})},
        notes=notes,
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
    """All parseable records, and the unparseable ones as skip entries {id, kind, reason}. What was
    left out of a record that was read (turns after the model's) is in its `notes` (also
    `meta.reader_notes`, which the import and the re-voicing keep) and logged as a warning."""
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
        for note in rec.notes:
            log.warning("%s", note)
        records.append(rec)
    return records, bad
