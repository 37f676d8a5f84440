"""One short session against an agent's endpoint, to check it before a long run.

`run_probe(agent, options)` opens one session with the adapter a run would use (same options, same
requests), streams a few seconds of built-in speech (eSpeak NG: "Remind me to buy milk tomorrow
morning.", with a standing instruction and a `set_reminder` tool that invite a tool call), asks for
one decision, and returns a `ProbeReport`: whether it connected (and why not), which events came
back, whether the decision was speech, a tool call or silence, the first token's wall latency, and
the settings the adapter ran with. `ProbeReport.render()` says it in plain words; `ok` is False on
any failure (the CLI then exits non-zero). The audio is sent as fast as the adapter takes it, so a
probe costs one short request (a few cents at most on a paid API).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel

from ..agents import agent_model
from ..agents.base import (AgentAdapter, AudioEvent, ErrorEvent, InfoEvent, PollRequest, SessionContext, SessionIO,
                           SilenceDecision, TextEvent, ToolCallEvent, is_output)
from ..audio import iter_chunks, resample, to_pcm16
from ..errors import AgentError, ProvoiceError

PROBE_TEXT = "Remind me to buy milk tomorrow morning."
PROBE_INSTRUCTION = "When I mention something I must not forget, set a reminder for it."
PROBE_TOOL = {"type": "function", "name": "set_reminder", "description": "Set a reminder for the user",
              "parameters": {"type": "object", "properties": {"what": {"type": "string"}, "when": {"type": "string"}},
                             "required": ["what"]}}


def probe_speech(rate: int) -> np.ndarray:
    """The probe's speech at `rate`: half a second of silence, the sentence, half a second of silence."""
    from ..corpus.builder.tts import ESPEAK_VOICES, EspeakTTS

    tts = EspeakTTS()
    speech = resample(tts.synth(PROBE_TEXT, ESPEAK_VOICES["female"][0]), tts.rate, rate)
    pad = np.zeros(rate // 2, np.float32)
    return np.concatenate([pad, 0.5 * speech / max(1e-6, float(np.abs(speech).max())), pad])


class ProbeIO(SessionIO):
    """Stream time is the audio handed over, plus the wall time since, once the stream has ended."""

    def __init__(self) -> None:
        self.events: list[tuple[float, BaseModel]] = []
        self.audio_s = 0.0
        self._asked_at: float | None = None

    def ask(self) -> None:
        self._asked_at = time.perf_counter()

    def stream_time(self) -> float:
        return self.audio_s + (time.perf_counter() - self._asked_at if self._asked_at else 0.0)

    def emit(self, event: BaseModel, arrival: object = None) -> None:
        self.events.append((self.stream_time(), event))

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@dataclass
class ProbeReport:
    agent: str
    settings: dict[str, Any] = field(default_factory=dict)
    connected: bool = False
    failure: str | None = None
    audio_s: float = 0.0
    events: dict[str, int] = field(default_factory=dict)
    decision: str | None = None  # "speech", "tool call", "silence"
    said: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    silence_reason: str | None = None
    first_token_s: float | None = None
    answer_s: float | None = None

    @property
    def ok(self) -> bool:
        return self.connected and self.failure is None and self.decision is not None

    def render(self) -> str:
        opts = self.settings.get("options", {})
        lines = [f"probe of agent {self.agent!r}"]
        lines.append("  settings: " + (", ".join(f"{k}={v}" for k, v in opts.items()) or "(defaults)"))
        if not self.connected:
            lines.append(f"  connected: no ({self.failure or 'no reason given'})")
        else:
            lines.append("  connected: yes")
            lines.append(f"  sent: {self.audio_s:.1f} s of built-in speech (\"{PROBE_TEXT}\"), then asked for a decision")
            lines.append("  events back: " + (", ".join(f"{k} x{n}" for k, n in sorted(self.events.items())) or "none"))
            if self.decision == "tool call":
                calls = "; ".join(f"{c['name']}({json.dumps(c['arguments'], ensure_ascii=False)})" for c in self.tool_calls)
                lines.append(f"  decision: a tool call: {calls}" + (f', saying "{self.said}"' if self.said else ""))
            elif self.decision == "speech":
                lines.append(f'  decision: speech: "{self.said}"')
            elif self.decision == "silence":
                lines.append(f"  decision: silence ({self.silence_reason or 'no reason given'})")
            else:
                lines.append("  decision: none came back")
            if self.first_token_s is not None:
                lines.append(f"  first token: {self.first_token_s:.2f} s after the request")
            if self.answer_s is not None:
                lines.append(f"  decision complete: {self.answer_s:.2f} s after the request")
            if self.failure:
                lines.append(f"  failed: {self.failure}")
        lines.append("  result: " + ("OK: the endpoint works with these settings" if self.ok else "FAILED"))
        return "\n".join(lines)


def _summarise(report: ProbeReport, io: ProbeIO, adapter: AgentAdapter) -> None:
    counts: dict[str, int] = dict(getattr(adapter, "counts", {}) or {})  # server events (realtime)
    for _, e in io.events:
        key = f"log:{e.kind}" if isinstance(e, InfoEvent) else e.type
        if not counts or not isinstance(e, InfoEvent):
            counts[key] = counts.get(key, 0) + 1
    report.events = counts
    texts = [e.text for _, e in io.events if isinstance(e, TextEvent)]
    calls = [e for _, e in io.events if isinstance(e, ToolCallEvent)]
    silences = [e for _, e in io.events if isinstance(e, SilenceDecision)]
    report.said = "".join(texts).strip()
    report.tool_calls = [{"name": c.name, "arguments": c.arguments} for c in calls]
    if calls:
        report.decision = "tool call"
    elif any(is_output(e) or (isinstance(e, AudioEvent) and e.pcm) or (isinstance(e, TextEvent) and e.spoken)
             for _, e in io.events):  # a voice, or its transcript, is speech too
        report.decision = "speech"
    elif silences:
        report.decision, report.silence_reason = "silence", silences[-1].reason
    first = [e.data.get("wall_s") for _, e in io.events if isinstance(e, InfoEvent) and e.kind == "first_token"]
    if first and first[0] is not None:
        report.first_token_s = float(first[0])
    fatal = [e.message for _, e in io.events if isinstance(e, ErrorEvent) and e.fatal]
    if fatal and report.failure is None:
        report.failure = fatal[0]


async def run_probe(agent: str, options: dict[str, Any], *, timeout_s: float = 60.0,
                    speech: np.ndarray | None = None) -> ProbeReport:
    """One probe session (see the module docstring). Never raises for the endpoint's faults."""
    model = agent_model(agent, **options)  # a bad option is the caller's ProvoiceError
    report = ProbeReport(agent=agent, settings=model.settings())
    rate = model.capabilities.input_sample_rate
    adapter = model.session()
    x = probe_speech(rate) if speech is None else speech
    ctx = SessionContext(session_id="probe", instruction=PROBE_INSTRUCTION, tools=[PROBE_TOOL],
                         digital_context={"Calendar": {"events": []}}, audio_duration_s=len(x) / rate)
    io = ProbeIO()
    try:
        async with asyncio.timeout(timeout_s):
            await adapter.start(ctx, io)
            report.connected = True
            for chunk in iter_chunks(to_pcm16(x), rate, 20.0):
                io.audio_s = chunk.end_s
                await adapter.push_audio(chunk)
                await adapter.drain()
            report.audio_s = io.audio_s
            io.ask()
            t0 = time.perf_counter()
            if adapter.capabilities.needs_poll:
                await adapter.respond(PollRequest(reason="manual", stream_s=io.audio_s, speech_end_s=io.audio_s, poll_id=1))
            await adapter.end_of_stream()
            await adapter.drain()
            report.answer_s = time.perf_counter() - t0
    except (AgentError, ProvoiceError, OSError) as exc:
        report.failure = str(exc)
    except TimeoutError:
        report.failure = f"no answer within {timeout_s:g} s"
    finally:
        try:
            await adapter.close()
        except Exception:  # closing a broken session must not hide why it broke
            pass
    _summarise(report, io, adapter)
    if report.failure is None and report.decision is None:
        report.failure = "the agent gave no decision (no speech, tool call or silence came back)"
    return report
