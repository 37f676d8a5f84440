"""One session: one source streamed through one agent adapter, under one clock, into one log.

The loop, per chunk: wait for the chunk's deadline (the source does, with the clock), hand it to
the agent, feed our VAD, poll the agent at endpoints if it needs polls, and under lockstep wait for
the agent to finish before the stream moves on. Every agent event is stamped with the stream time
when it reaches us; the first output (text, audio or tool call) of a response is its interjection.

A session always ends with a `session_end` record and a `SessionResult`, status "ok" or "error":
an agent that raises, disconnects, sends garbage or hangs ends its own session, not the run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel

from ..agents.base import (AgentAdapter, ErrorEvent, PollRequest, ResponseDone, SessionContext, SessionIO,
                           SilenceDecision, TextEvent, ToolCallEvent, is_output)
from ..corpus.sample import CueWindow, ToolCall
from ..errors import AgentError, ProvoiceError
from ..log import EventLog, Interjection, SessionResult
from ..sources.base import Source
from ..vad import VadEvent, make_vad
from .clock import Clock, LockstepClock, make_clock
from .poll import PollPolicy

log = logging.getLogger(__name__)


@dataclass
class SessionConfig:
    """How sessions run. Recorded in the run's config."""

    clock: str = "lockstep"
    chunk_ms: float = 20.0
    protocol: str = "blind"
    digital_context: bool = True
    poll_at_endpoints: bool = True
    poll_every_s: float | None = None
    vad: bool = True
    vad_model: str = "webrtc"  # or "silero" (provoice_live.vad); the CLI's default is vad.DEFAULT_VAD
    vad_aggressiveness: int = 2
    vad_hangover_ms: int = 400
    tail_s: float = 3.0  # stream time kept open after the audio ends, for late replies
    response_timeout_s: float = 60.0  # wall seconds an agent may take to start, decide or drain
    pass_instruction: bool = True

    def poll_policy(self) -> PollPolicy:
        return PollPolicy(at_endpoints=self.poll_at_endpoints, every_s=self.poll_every_s)


@dataclass
class _Response:
    rid: str
    poll_id: int | None
    interjection: Interjection | None = None
    texts: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    done: bool = False


class _Session(SessionIO):
    """The engine side of a session: the SessionIO an adapter talks to, and the bookkeeping."""

    def __init__(self, clock: Clock, elog: EventLog, monitor_from_s: float,
                 on_record: Callable[[dict], None] | None):
        self.clock = clock
        self.elog = elog
        self.monitor_from_s = monitor_from_s
        self.on_record = on_record
        self.responses: dict[str, _Response] = {}
        self.interjections: list[Interjection] = []
        self.fatal: str | None = None
        self._anon = 0
        self._open_anon: str | None = None
        self.current_poll: tuple[int, float] | None = None  # (poll_id, request time)
        self.last_endpoint: VadEvent | None = None
        self.polls = 0
        self.agent_errors = 0  # non-fatal error events (e.g. replies that did not parse)
        self._delivered_s = 0.0  # end of the last chunk handed to the agent
        self._delivered_at: float | None = None  # the clock's reading when it was handed over

    # -- stream time -----------------------------------------------------------------------------
    def delivered(self, end_s: float) -> None:
        """A chunk ending at `end_s` is being handed to the agent now."""
        self._delivered_s = end_s
        self._delivered_at = self.clock.now()

    def now(self) -> float:
        """The stream time: seconds delivered, plus the clock's advance since the last delivery.

        With perfect pacing this is the clock's own reading; when the engine handed a chunk over
        late, time is counted from the real hand-over, so pacing lag never shows as agent latency.
        """
        if self._delivered_at is None:
            return self.clock.now()
        return self._delivered_s + (self.clock.now() - self._delivered_at)

    # -- SessionIO -------------------------------------------------------------------------------
    def stream_time(self) -> float:
        return self.now()

    async def sleep(self, seconds: float) -> None:
        await self.clock.sleep(seconds)

    def record(self, kind: str, t: float | None, **fields: Any) -> None:
        rec = self.elog.write(kind, t, **fields)
        if self.on_record is not None:
            try:
                self.on_record(rec)
            except Exception:  # a viewer must never break a session
                log.exception("on_record callback failed")

    def emit(self, event: BaseModel) -> None:
        t = self.now()
        rid = self._response_id(event)
        data = event.model_dump(mode="json", exclude_none=True)
        if rid is not None:
            data["response_id"] = rid
        self.record("agent", t, event=data)
        if isinstance(event, ErrorEvent):
            if event.fatal and self.fatal is None:
                self.fatal = f"agent error: {event.message}"
            elif not event.fatal:
                self.agent_errors += 1
            return
        if rid is None:
            return
        resp = self.responses.get(rid)
        if resp is None:
            resp = self.responses[rid] = _Response(rid, self.current_poll[0] if self.current_poll else None)
        if isinstance(event, TextEvent):
            resp.texts.append(event.text)
        elif isinstance(event, ToolCallEvent):
            resp.tool_calls.append(event.call())
        if is_output(event) and resp.interjection is None:
            began = getattr(event, "began_s", None)
            self._interject(resp, t if began is None else min(t, began), event)
        elif resp.interjection is not None:
            resp.interjection.text = "".join(resp.texts).strip()
            resp.interjection.tool_calls = list(resp.tool_calls)
        if isinstance(event, ResponseDone):
            if event.text and resp.interjection is not None:
                resp.interjection.text = event.text.strip()
            resp.done = True
            if resp.interjection is not None:
                self.record("response", t, response_id=rid, text=resp.interjection.text,
                            tool_calls=[c.model_dump() for c in resp.tool_calls])
        if isinstance(event, (ResponseDone, SilenceDecision)) and self._open_anon == rid:
            self._open_anon = None

    # -- bookkeeping -----------------------------------------------------------------------------
    def _response_id(self, event: BaseModel) -> str | None:
        rid = getattr(event, "response_id", None)
        if rid is not None:
            return rid
        etype = getattr(event, "type", None)
        if etype in ("transcript", "info", "error"):
            return None
        if self.current_poll is not None:
            return f"poll-{self.current_poll[0]}"
        if self._open_anon is None:
            if etype in ("response_done", "silence"):
                return None
            self._anon += 1
            self._open_anon = f"r{self._anon}"
        return self._open_anon

    def _interject(self, resp: _Response, t: float, event: BaseModel) -> None:
        parts: dict[str, float] = {"first_output_s": round(t, 6)}
        ep = self.last_endpoint
        if ep is not None and ep.detected_s <= t + 1e-9:
            parts["speech_end_s"] = ep.at_s
            parts["endpoint_detected_s"] = ep.detected_s
        if self.current_poll is not None and resp.poll_id == self.current_poll[0]:
            parts["request_sent_s"] = round(self.current_poll[1], 6)
        inter = Interjection(
            t=round(t, 6), response_id=resp.rid, scored=t + 1e-9 >= self.monitor_from_s,
            text="".join(resp.texts).strip(), tool_calls=list(resp.tool_calls), poll_id=resp.poll_id, parts=parts,
        )
        resp.interjection = inter
        self.interjections.append(inter)
        self.record("interjection", t, response_id=resp.rid, scored=inter.scored, text=inter.text,
                    tool_calls=[c.model_dump() for c in inter.tool_calls], kind_of_output=event.type, parts=parts)


class _Poller:
    """Runs `adapter.respond` for polls: awaited under lockstep, as a task otherwise.

    While a poll runs, a new one is coalesced into a single pending poll.
    """

    def __init__(self, session: _Session, adapter: AgentAdapter, lockstep: bool, timeout_s: float):
        self.s = session
        self.adapter = adapter
        self.lockstep = lockstep
        self.timeout_s = timeout_s
        self.task: asyncio.Task | None = None
        self.pending: tuple[str, float | None] | None = None
        self.compute_s = 0.0

    async def poll(self, reason: str, speech_end_s: float | None = None) -> None:
        if self.task is not None and not self.task.done():
            self.pending = (reason, speech_end_s)
            self.s.record("poll_deferred", self.s.now(), reason=reason)
            return
        if self.lockstep:
            await self._run(reason, speech_end_s)
        else:
            self.task = asyncio.create_task(self._run_then_pending(reason, speech_end_s))

    async def _run_then_pending(self, reason: str, speech_end_s: float | None) -> None:
        await self._run(reason, speech_end_s)
        while self.pending is not None and self.s.fatal is None:
            reason, speech_end_s = self.pending
            self.pending = None
            await self._run(reason, speech_end_s)

    async def _run(self, reason: str, speech_end_s: float | None) -> None:
        s = self.s
        s.polls += 1
        t = s.now()
        req = PollRequest(reason=reason, stream_s=round(t, 6), speech_end_s=speech_end_s, poll_id=s.polls)
        s.current_poll = (req.poll_id, t)
        s.record("poll", t, poll_id=req.poll_id, reason=reason, speech_end_s=speech_end_s)
        wall0 = time.perf_counter()
        try:
            await asyncio.wait_for(self.adapter.respond(req), self.timeout_s)
        except asyncio.TimeoutError:
            s.fatal = s.fatal or f"agent did not answer poll {req.poll_id} within {self.timeout_s:g} s"
        except (AgentError, ProvoiceError) as exc:
            s.fatal = s.fatal or f"agent error: {exc}"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an adapter bug or protocol garbage: end this session only
            s.fatal = s.fatal or f"agent failed: {type(exc).__name__}: {exc}"
        finally:
            compute = time.perf_counter() - wall0
            if self.lockstep:
                self.compute_s += compute
                s.record("compute", s.now(), what="poll", poll_id=req.poll_id, seconds=round(compute, 6))
            s.current_poll = None

    async def wait(self, timeout: float) -> None:
        if self.task is not None and not self.task.done():
            try:
                await asyncio.wait_for(asyncio.shield(self.task), timeout)
            except asyncio.TimeoutError:
                pass

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()


def _overrides(adapter: AgentAdapter, method: str) -> bool:
    return getattr(type(adapter), method) is not getattr(AgentAdapter, method)


async def run_session(ctx: SessionContext, source: Source, adapter: AgentAdapter, log_path: Path,
                      config: SessionConfig, monitor_from_s: float = 0.0, cue: CueWindow | None = None,
                      on_record: Callable[[dict], None] | None = None, clock: Clock | None = None,
                      extra_start: dict[str, Any] | None = None) -> SessionResult:
    """Stream `source` through `adapter`, log everything to `log_path`, return the result.

    `monitor_from_s` and `cue` are harness-side facts (for the log and scoring); the adapter sees
    only `ctx`. Never raises for the agent's faults: they end the session with status "error".
    """
    clock = clock or make_clock(config.clock)
    elog = EventLog(log_path)
    s = _Session(clock, elog, monitor_from_s, on_record)
    lockstep = isinstance(clock, LockstepClock)
    caps = adapter.capabilities
    policy = config.poll_policy()
    policy.reset()
    poller = _Poller(s, adapter, lockstep, config.response_timeout_s)
    vad = make_vad(config.vad_model, source.sample_rate, aggressiveness=config.vad_aggressiveness,
                   hangover_ms=config.vad_hangover_ms) if config.vad else None
    needs_poll = caps.needs_poll
    drains = lockstep and _overrides(adapter, "drain")
    timeout = config.response_timeout_s
    status, reason = "ok", None
    wall0 = time.perf_counter()
    compute_drain = 0.0
    n_chunks = 0
    audio_s = 0.0
    s.record("session_start", 0.0, session_id=ctx.session_id, agent=adapter.name, clock=clock.name,
             source={"rate": source.sample_rate, "duration_s": source.duration_s, "live": source.live},
             capabilities=caps.model_dump(), protocol=ctx.protocol, task_given=ctx.task,
             instruction_given=ctx.instruction is not None, digital_context_given=ctx.digital_context is not None,
             tools=[t.name for t in ctx.tools], monitor_from_s=monitor_from_s,
             cue=cue.model_dump() if cue else None, chunk_ms=config.chunk_ms, **(extra_start or {}))
    try:
        if source.sample_rate != caps.input_sample_rate:
            raise ProvoiceError(f"the source is at {source.sample_rate} Hz but agent {adapter.name!r} "
                                f"takes {caps.input_sample_rate} Hz")
        try:
            await asyncio.wait_for(adapter.start(ctx, s), timeout)
        except asyncio.TimeoutError:
            raise AgentError(f"agent did not start within {timeout:g} s") from None
        clock.start()
        async for chunk in source.chunks(clock):
            audio_s = chunk.end_s
            if lockstep:
                clock.advance_to(audio_s)
            s.delivered(audio_s)
            n_chunks += 1
            await adapter.push_audio(chunk)
            if vad is not None:
                for ev in vad.process(chunk):
                    await _on_vad(s, ev, poller, needs_poll and policy.at_endpoints)
            if needs_poll and policy.every_s and policy.interval_due(audio_s, vad.in_speech if vad else False):
                await poller.poll("interval")
            if drains:
                w = time.perf_counter()
                try:
                    await asyncio.wait_for(adapter.drain(), timeout)
                except asyncio.TimeoutError:
                    raise AgentError(f"agent stayed busy for more than {timeout:g} s") from None
                compute_drain += time.perf_counter() - w
            if s.fatal:
                break
        if not s.fatal:
            end_s = s.now()
            if vad is not None:
                for ev in vad.flush(end_s):
                    await _on_vad(s, ev, poller, needs_poll and policy.at_endpoints)
            s.record("audio", end_s, chunks=n_chunks, seconds=round(audio_s, 6), rate=source.sample_rate)
            await asyncio.wait_for(adapter.end_of_stream(), timeout)
            if drains:
                await asyncio.wait_for(adapter.drain(), timeout)
            if needs_poll and policy.at_end_of_stream and not s.fatal:
                await poller.poll("end_of_stream")
            # keep the session open for late replies: tail_s of stream time, or until polls finish
            if lockstep:
                await poller.wait(timeout)
            else:
                deadline = audio_s + config.tail_s
                while s.now() < deadline and not s.fatal:
                    await clock.sleep(min(deadline - s.now(), 0.05))
                    if poller.task is None or poller.task.done():
                        if all(r.done or r.interjection is None for r in s.responses.values()):
                            break
                await poller.wait(0.0)
    except asyncio.CancelledError:
        status, reason = "error", "cancelled (interrupted)"
        raise
    except ProvoiceError as exc:
        status, reason = "error", str(exc)
    except Exception as exc:  # an adapter raised something unexpected: this session only
        log.debug("session %s failed", ctx.session_id, exc_info=True)
        status, reason = "error", f"agent failed: {type(exc).__name__}: {exc}"
    finally:
        poller.cancel()
        if s.fatal and status == "ok":
            status, reason = "error", s.fatal
        try:
            await asyncio.wait_for(adapter.close(), 10.0)
        except Exception as exc:  # closing must not hide the real outcome
            s.record("error", s.now(), message=f"closing the agent failed: {exc}")
        if status == "error":
            s.record("error", s.now(), message=reason)
        if drains:
            s.record("compute", s.now(), what="drain_total", seconds=round(compute_drain, 6))
        wall = time.perf_counter() - wall0
        s.record("session_end", s.now(), status=status, reason=reason, wall_s=round(wall, 6),
                 interjections=len(s.interjections), agent_errors=s.agent_errors)
        elog.close()
    return SessionResult(
        id=ctx.session_id, status=status, error=reason, agent=adapter.name, clock=clock.name,
        audio_s=round(audio_s, 6), stream_end_s=round(s.now(), 6),
        wall_s=round(wall, 6), compute_s=round(poller.compute_s + compute_drain, 6), polls=s.polls,
        agent_errors=s.agent_errors, interjections=s.interjections,
    )


async def _on_vad(s: _Session, ev: VadEvent, poller: _Poller, poll_at_endpoints: bool) -> None:
    s.record("vad", ev.detected_s, event=ev.event, at_s=ev.at_s)
    if ev.event == "speech_end":
        s.last_endpoint = ev
        if poll_at_endpoints:
            await poller.poll("endpoint", ev.at_s)
