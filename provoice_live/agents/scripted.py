"""The scripted agent: speaks or calls a tool at given stream positions, or a given delay after a
VAD endpoint. For calibration (the engine must log its interjections exactly where scripted) and as
the mock agent of the tests.

Options (strings, as `--agent-opt key=value` gives them):
  at=1.5,4.0        interject when the stream reaches these positions (seconds)
  after_endpoint=0.3  interject this many stream seconds after each polled endpoint (needs polls)
  endpoints=1,3     answer only these endpoints (1-based); the others get a silence decision
  text=...          what it says (default "I noticed something.")
  tool=NAME         also call this tool; args={"k": "v"} its JSON arguments
  fail_at=2.0       raise an agent error at this position (for fault tests)
  hang_at=2.0       stop answering polls from this position on (for timeout tests)
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from ..errors import AgentError, ProvoiceError
from .base import AgentAdapter, Capabilities, PollRequest, ResponseDone, SilenceDecision, TextEvent, ToolCallEvent


def _floats(value: Any) -> list[float]:
    if value in (None, ""):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    if isinstance(value, str):
        return [float(v) for v in value.split(",") if v.strip()]
    return [float(v) for v in value]


class ScriptedOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: list[float] = []
    after_endpoint: float | None = None
    endpoints: list[int] | None = None
    text: str = "I noticed something."
    tool: str | None = None
    args: dict[str, Any] = {}
    rate: int = 16000
    fail_at: float | None = None
    hang_at: float | None = None

    @field_validator("at", mode="before")
    @classmethod
    def _parse_at(cls, v):
        return sorted(_floats(v))

    @field_validator("endpoints", mode="before")
    @classmethod
    def _parse_endpoints(cls, v):
        return None if v in (None, "") else [int(x) for x in _floats(v)]

    @field_validator("args", mode="before")
    @classmethod
    def _parse_args(cls, v):
        return json.loads(v) if isinstance(v, str) else v


class ScriptedAgent(AgentAdapter):
    name = "scripted"

    opts: ScriptedOptions

    def __init__(self, **options: Any):
        super().__init__(**options)
        self._pending_at = list(self.opts.at)
        self._endpoints_seen = 0
        self._n = 0

    @classmethod
    def parse_options(cls, options: dict[str, Any]) -> ScriptedOptions:
        try:
            return ScriptedOptions.model_validate(options)
        except Exception as exc:
            raise ProvoiceError(f"bad option for the scripted agent: {exc}") from None

    @classmethod
    def capabilities_for(cls, opts: ScriptedOptions) -> Capabilities:
        return Capabilities(input_sample_rate=opts.rate, needs_poll=opts.after_endpoint is not None)

    @classmethod
    def settings_for(cls, opts: ScriptedOptions, capabilities: Capabilities) -> dict[str, Any]:
        return {"name": cls.name, "capabilities": capabilities.model_dump(),
                "options": opts.model_dump(mode="json", exclude_unset=True)}

    async def _speak(self) -> None:
        self._n += 1
        rid = f"scripted-{self._n}"
        self.io.emit(TextEvent(text=self.opts.text, response_id=rid))
        if self.opts.tool:
            self.io.emit(ToolCallEvent(name=self.opts.tool, arguments=self.opts.args, response_id=rid,
                                       call_id=f"call-{self._n}"))
        self.io.emit(ResponseDone(text=self.opts.text, response_id=rid))

    async def push_audio(self, chunk) -> None:
        if self.opts.fail_at is not None and chunk.end_s >= self.opts.fail_at:
            raise AgentError(f"scripted failure at {self.opts.fail_at:g} s")
        while self._pending_at and chunk.end_s + 1e-9 >= self._pending_at[0]:
            self._pending_at.pop(0)
            await self._speak()

    async def respond(self, poll: PollRequest) -> None:
        if poll.reason != "endpoint":
            self.io.emit(SilenceDecision(reason=f"scripted: no answer on {poll.reason} polls"))
            return
        if self.opts.hang_at is not None and poll.stream_s >= self.opts.hang_at:
            await asyncio.Event().wait()  # never answers: the engine's timeout must end the session
        self._endpoints_seen += 1
        if self.opts.endpoints is not None and self._endpoints_seen not in self.opts.endpoints:
            self.io.emit(SilenceDecision(reason=f"scripted: endpoint {self._endpoints_seen} not answered"))
            return
        await self.io.sleep(self.opts.after_endpoint or 0.0)
        await self._speak()
