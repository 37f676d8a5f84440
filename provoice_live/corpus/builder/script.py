"""The builder's middle types: a scene's script, the boundary between the scene stages (templates
or an LLM) and the audio stages (speech, acoustics, assembly).

A script is a list of lines for User1 (the wearer the agent serves), an optional User2 (an
interlocutor, made far-field) and sound events (ESS). Roles mark what the timing truth needs:
the end of the `instruction` line is `monitor_from_s`; the span of the `cue` line is the cue window.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..sample import ToolCall, ToolSchema


class Speaker(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Literal["user1", "user2"]
    gender: Literal["male", "female"]
    name: str | None = None


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    speaker: Literal["user1", "user2", "sound"]
    text: str = ""  # what is said (speech lines)
    sound: str | None = None  # the sound event's class (sound lines), e.g. "doorbell" or an ESC-50 name
    role: Literal["talk", "instruction", "cue"] = "talk"


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")
    speakers: list[Speaker]
    lines: list[Line]
    ambient: str | None = None  # an ambient scene name ("street", "cafe", "home"...) or None


class Scene(BaseModel):
    """Everything about one sample except its audio: what the scene stages produce."""

    model_config = ConfigDict(extra="forbid")
    id: str
    task: Literal["PIC", "LTM", "CFC", "ESS"]
    label: bool
    template: str | None = None  # the template (or "llm") it came from
    digital_context: dict[str, Any] | None = None
    instruction: str | None = None
    semantic_cue: str = ""
    tools: list[ToolSchema] = Field(default_factory=list)
    gt_response: str = ""
    gt_tool_calls: list[ToolCall] = Field(default_factory=list)
    script: Script
    meta: dict[str, Any] = Field(default_factory=dict)
