"""The sample: one benchmark conversation, one line of `manifest.jsonl` (docs/FORMATS.md).

A sample is the paper's quintuple (C_a, D_c, S_c, R_g, T_g) plus what a streaming harness needs: the
task, the label, the tools, the cue window and the time from which monitoring starts.

What an agent may see is `AgentView` (audio path aside): the digital context, the tools and the
instruction. `label`, `cue`, `semantic_cue`, `gt_*` and `segments` never leave the harness.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TASKS: tuple[str, ...] = ("PIC", "LTM", "CFC", "ESS")
Task = Literal["PIC", "LTM", "CFC", "ESS"]
ID_PATTERN = r"^[A-Za-z0-9_.-]+$"


class ToolCall(BaseModel):
    """A tool call, predicted or ground truth: a function name and its parsed arguments."""

    model_config = ConfigDict(extra="forbid")
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ToolSchema(BaseModel):
    """An OpenAI function schema: `{type: "function", name, description, parameters}`."""

    model_config = ConfigDict(extra="allow")
    type: Literal["function"] = "function"
    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})

    @model_validator(mode="before")
    @classmethod
    def _accept_chat_completions_form(cls, data: Any) -> Any:
        # The chat-completions form nests the function: {type, function: {name, ...}}.
        if isinstance(data, dict) and isinstance(data.get("function"), dict) and "name" not in data:
            return {"type": "function", **data["function"]}
        return data

    def chat_form(self) -> dict[str, Any]:
        """The schema as chat completions want it (`{type, function: {...}}`)."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }

    def flat_form(self) -> dict[str, Any]:
        """The schema as the Realtime API and our manifest want it (`{type, name, ...}`)."""
        return {"type": "function", "name": self.name, "description": self.description, "parameters": self.parameters}


class CueWindow(BaseModel):
    """Where the trigger is in the audio, in seconds. `derived` marks a window found by analysis."""

    model_config = ConfigDict(extra="forbid")
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    derived: bool | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "CueWindow":
        if self.end_s < self.start_s:
            raise ValueError(f"end_s ({self.end_s}) is before start_s ({self.start_s})")
        return self


class ContextUpdate(BaseModel):
    """A change of the digital context at stream time `at_s`: a JSON merge patch (RFC 7386)."""

    model_config = ConfigDict(extra="forbid")
    at_s: float = Field(ge=0)
    patch: dict[str, Any]


class WordTiming(BaseModel):
    """One spoken word: its text as written in the line (edge punctuation stripped) and its span in
    seconds. A TTS gives spans relative to the line's first sample; a `Segment` holds them absolute,
    in the sample's audio. Optional on read: the builder writes them, other corpora may not."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)


class Segment(BaseModel):
    """One placed piece of the assembly's timeline (`words`: a speech segment's words, if known)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["user1", "user2", "sound", "noise"]
    start_s: float = Field(ge=0)
    end_s: float = Field(ge=0)
    text: str | None = None
    label: str | None = None
    words: list[WordTiming] | None = None


class Sample(BaseModel):
    """One line of `manifest.jsonl` (format version 1)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=ID_PATTERN)
    task: Task
    label: bool
    audio: str
    digital_context: dict[str, Any] | None = None
    context_updates: list[ContextUpdate] | None = None  # the digital context changing mid-stream, in time order
    instruction: str | None = None
    monitor_from_s: float = Field(default=0.0, ge=0)
    cue: CueWindow | None = None
    cues: list[CueWindow] | None = None  # every cue of a long session, in time order; `cue` is the first
    semantic_cue: str = ""
    tools: list[ToolSchema] = Field(default_factory=list)
    gt_response: str = ""
    gt_tool_calls: list[ToolCall] = Field(default_factory=list)
    segments: list[Segment] | None = None
    meta: dict[str, Any] | None = None

    @field_validator("audio")
    @classmethod
    def _relative_inside(cls, value: str) -> str:
        from pathlib import PurePosixPath, PureWindowsPath

        if not value:
            raise ValueError("is empty")
        posix = PurePosixPath(value.replace("\\", "/"))
        if posix.is_absolute() or PureWindowsPath(value).is_absolute():
            raise ValueError(f"{value!r} is absolute; audio paths are relative to the corpus directory")
        if ".." in posix.parts:
            raise ValueError(f"{value!r} leaves the corpus directory")
        return value

    @model_validator(mode="after")
    def _updates_in_order(self) -> "Sample":
        ups = self.context_updates or []
        if any(b.at_s < a.at_s for a, b in zip(ups, ups[1:])):
            raise ValueError("context_updates must be in time order (at_s not decreasing)")
        return self

    def context_at(self, t: float) -> dict[str, Any] | None:
        """The digital context as it stands at stream time `t` (every update with at_s <= t applied)."""
        from ..merge_patch import apply_merge_patch

        state = self.digital_context
        for up in self.context_updates or []:
            if up.at_s <= t:
                state = apply_merge_patch(state, up.patch)
        return state

    @model_validator(mode="after")
    def _positives_have_cues(self) -> "Sample":
        if self.cues:
            if any(b.start_s < a.end_s for a, b in zip(self.cues, self.cues[1:])):
                raise ValueError("cues must be in time order and must not overlap")
            if self.cue is None:
                self.cue = self.cues[0]
            elif (self.cue.start_s, self.cue.end_s) != (self.cues[0].start_s, self.cues[0].end_s):
                raise ValueError("cue must be the first of cues")
        if self.label and self.cue is None:
            raise ValueError("a positive sample (label true) needs a cue window")
        return self

    @property
    def cue_windows(self) -> list[CueWindow]:
        """Every cue window: `cues`, or the one `cue`, or none."""
        return list(self.cues) if self.cues else [self.cue] if self.cue else []

    @property
    def speaker_ids(self) -> set[str]:
        return {s.kind for s in self.segments or [] if s.kind in ("user1", "user2")}

