"""One session: one source streamed through one agent adapter, under one clock, into one log.

This module is the session's I/O shell: the event loop, the clock and the timeouts. What the events
mean (response ids, interjections, poll coalescing, the result) is the sans-I/O `SessionCore`
(`engine/core.py`), fed from here.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ..agents.base import AgentAdapter, AgentEvent, Arrival, ContextChange, InfoEvent, PollRequest, SessionContext, SessionIO
from ..corpus.sample import ContextUpdate, CueWindow
from ..errors import AgentError, ProvoiceError
from ..merge_patch import apply_merge_patch
from ..run.records import EventLog, SessionRecord
from ..run.results import SessionResult
from ..sources.base import Source
from ..vad import make_vad
from .clock import Clock, LockstepClock, RealtimeClock, make_clock
from .core import SessionCore
from .health import DEFAULT_MAX_TIMING_ERROR_MS, TimingMonitor, loop_selector
from .poll import PollPolicy
from .voice import Recogniser, VoiceSettings, agent_wav_path, recognise_words, write_agent_wav

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
    max_timing_error_ms: float = DEFAULT_MAX_TIMING_ERROR_MS  # real-time sessions past it are timing-suspect
    pass_instruction: bool = True
    # the agent's voice (engine/voice.py): replies heard in its audio
    min_reply_ms: float = 300.0  # voiced audio shorter than this is a click or a breath
    backchannel_ms: float = 1000.0  # shorter speech of only backchannel words ("mm-hm") is not counted
    reply_vad: str = "webrtc"

    def voice_settings(self) -> VoiceSettings:
        return VoiceSettings(min_reply_ms=self.min_reply_ms, backchannel_ms=self.backchannel_ms, vad=self.reply_vad)

    def poll_policy(self) -> PollPolicy:
        return PollPolicy(at_endpoints=self.poll_at_endpoints, every_s=self.poll_every_s)


class _EngineIO(SessionIO):
    """What the adapter talks to: its events go to the core, its sleeps to the clock."""

    def __init__(self, core: SessionCore, clock: Clock):
        self.core = core
        self.clock = clock

    def emit(self, event: AgentEvent, arrival: Arrival | None = None) -> None:
        self.core.agent_event(event, arrival)

    def stream_time(self) -> float:
        return self.core.now()

    async def sleep(self, seconds: float) -> None:
        await self.clock.sleep(seconds)


class _Words:
    """Runs the recogniser on the segments of the agent's voice the core asks words for: awaited
    under lockstep (its time is compute time), as threads otherwise."""

    def __init__(self, core: SessionCore, recognise: Recogniser, lockstep: bool):
        self.core = core
        self.recognise = recognise
        self.lockstep = lockstep
        self.tasks: list[asyncio.Task] = []
        self.compute_s = 0.0

    async def run(self) -> None:
        for seg in self.core.take_word_requests():
            if self.lockstep:
                await self._one(seg)
            else:
                self.tasks.append(asyncio.create_task(self._one(seg)))

    async def _one(self, seg) -> None:
        x, rate = self.core.voice.segment_samples(seg)
        wall0 = time.perf_counter()
        try:
            words = await asyncio.to_thread(self.recognise, x, rate)
        except Exception as exc:  # no words is not a session failure: the segment is decided without
            log.warning("recognising the agent's voice failed: %s", exc)
            words = None
        self.compute_s += time.perf_counter() - wall0
        self.core.voice_words(seg, words)

    async def finish(self, timeout: float) -> None:
        """The stream is over: close what the agent was saying and wait for its words."""
        self.core.voice_flush()
        await self.run()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=timeout)


class _Poller:
    """Runs `adapter.respond` for the polls the core opens: awaited under lockstep, as a task
    otherwise (a poll asked for meanwhile is coalesced by the core and run after it)."""

    def __init__(self, core: SessionCore, adapter: AgentAdapter, lockstep: bool, timeout_s: float):
        self.core = core
        self.adapter = adapter
        self.lockstep = lockstep
        self.timeout_s = timeout_s
        self.task: asyncio.Task | None = None

    async def poll(self, req: PollRequest | None) -> None:
        if req is None:
            return
        if self.lockstep:
            await self._run_chain(req)
        else:
            self.task = asyncio.create_task(self._run_chain(req))

    async def _run_chain(self, req: PollRequest | None) -> None:
        while req is not None:
            req = await self._run(req)

    async def _run(self, req: PollRequest) -> PollRequest | None:
        failure: str | None = None
        wall0 = time.perf_counter()
        try:
            await asyncio.wait_for(self.adapter.respond(req), self.timeout_s)
        except asyncio.TimeoutError:
            failure = f"agent did not answer poll {req.poll_id} within {self.timeout_s:g} s"
        except (AgentError, ProvoiceError) as exc:
            failure = f"agent error: {exc}"
        except asyncio.CancelledError:
            self.core.poll_abandoned()
            raise
        except Exception as exc:  # an adapter bug or protocol garbage: end this session only
            failure = f"agent failed: {type(exc).__name__}: {exc}"
        return self.core.poll_finished(req, failure, time.perf_counter() - wall0)

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    async def wait(self, timeout: float) -> None:
        if self.running:
            try:
                await asyncio.wait_for(asyncio.shield(self.task), timeout)
            except asyncio.TimeoutError:
                pass

    def cancel(self) -> None:
        if self.running:
            self.task.cancel()


async def to_completion_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` in a worker thread (file syncs: off the loop the sessions share), run to its end
    even when the awaiting task is cancelled meanwhile; the cancellation is re-raised after it, so a
    file is never left half-written by an interrupt, nor written behind the back of a resumed run."""
    work = asyncio.ensure_future(asyncio.to_thread(fn, *args))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        await work
        raise


def _overrides(adapter: AgentAdapter, method: str) -> bool:
    return getattr(type(adapter), method) is not getattr(AgentAdapter, method)


class _Sink:
    """Where the core's records go: the log, then the live view's callback."""

    def __init__(self, elog: EventLog, on_record: Callable[[SessionRecord], None] | None):
        self.elog = elog
        self.on_record = on_record

    def __call__(self, record: SessionRecord) -> None:
        self.elog.write(record)
        if self.on_record is not None:
            try:
                self.on_record(record)
            except Exception:  # a viewer must never break a session
                log.exception("on_record callback failed")


async def run_session(ctx: SessionContext, source: Source, adapter: AgentAdapter, log_path: Path,
                      config: SessionConfig, monitor_from_s: float = 0.0, cue: CueWindow | None = None,
                      on_record: Callable[[SessionRecord], None] | None = None, clock: Clock | None = None,
                      extra_start: dict[str, Any] | None = None,
                      on_result: Callable[[SessionResult], None] | None = None,
                      recognise: Recogniser = recognise_words,
                      context_updates: Sequence[ContextUpdate] = ()) -> SessionResult:
    """Stream `source` through `adapter`, log everything to `log_path`, return the result.

    `monitor_from_s` and `cue` are harness-side facts (for the log and scoring); the adapter sees
    only `ctx`. Never raises for the agent's faults: they end the session with status "error".
    `on_result` receives the result also when the session is cancelled (the cancel is re-raised).
    The agent's voice, when it spoke, is kept beside the log (`<id>.agent.wav`, `voice.agent_wav_path`);
    `recognise` gives the words of its replies that came without a transcript.
    `context_updates` (the manifest's, in time order; empty when the agent gets no digital context)
    are applied to `ctx.digital_context` and handed to `adapter.update_context` before the first
    chunk that starts at or after each one's `at_s`.
    """
    clock = clock or make_clock(config.clock)
    elog = EventLog(log_path)
    lockstep = isinstance(clock, LockstepClock)
    timed = loop_selector() if isinstance(clock, RealtimeClock) else None
    speed = clock.speed if isinstance(clock, RealtimeClock) else 1.0

    def stamp_uncertainty() -> float | None:  # stream seconds
        wall = timed.stamp_uncertainty() if timed is not None else None
        return None if wall is None else wall * speed

    def arrival_time(arrival: Arrival) -> tuple[float, float]:  # an arrival's stream time and uncertainty
        return core.now() - (time.perf_counter() - arrival.wall) * speed, arrival.uncertainty * speed

    wall = isinstance(clock, RealtimeClock)
    core = SessionCore(ctx.session_id, clock.now, _Sink(elog, on_record), monitor_from_s, lockstep,
                       voice=config.voice_settings(),
                       timing=TimingMonitor(config.max_timing_error_ms) if wall else None,
                       stamp_uncertainty=stamp_uncertainty if timed is not None else None,
                       arrival_time=arrival_time if wall else None)
    words = _Words(core, recognise, lockstep)
    io = _EngineIO(core, clock)
    caps = adapter.capabilities
    policy = config.poll_policy()
    policy.reset()
    poller = _Poller(core, adapter, lockstep, config.response_timeout_s)
    vad = make_vad(config.vad_model, source.sample_rate, aggressiveness=config.vad_aggressiveness,
                   hangover_ms=config.vad_hangover_ms) if config.vad else None
    # Under the real-time clocks the VAD (Silero: ~0.2-0.4 ms of CPU a chunk) runs after a yield, so
    # the sessions woken by the same tick all hand their chunks over before any of them runs its VAD.
    defer_vad = vad is not None and isinstance(clock, RealtimeClock)
    needs_poll = False  # known after the adapter's start (a server may decline polls in its hello)

    def takes(reason: str) -> bool:  # the adapter will put this poll to the agent: only then is it opened
        return needs_poll and adapter.takes_poll(reason)

    drains = lockstep and _overrides(adapter, "drain")
    timeout = config.response_timeout_s
    wall0 = time.perf_counter()
    compute_drain = 0.0
    n_chunks = 0
    audio_s = 0.0
    cancelled = False
    core.start(agent=adapter.name, clock=clock.name,
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
            await asyncio.wait_for(adapter.start(ctx, io), timeout)
        except asyncio.TimeoutError:
            raise AgentError(f"agent did not start within {timeout:g} s") from None
        if adapter.capabilities != caps:  # narrowed by the agent at start: these are what the session runs with
            caps = adapter.capabilities
            io.emit(InfoEvent(kind="capabilities", data=caps.model_dump()))
        needs_poll = caps.needs_poll
        clock.start()
        pending = list(context_updates)
        state = ctx.digital_context
        async for chunk in source.chunks(clock):
            while pending and pending[0].at_s <= chunk.start_s + 1e-9:
                up = pending.pop(0)
                state = apply_merge_patch(state, up.patch)
                core.context_update(up.at_s, up.patch)
                await asyncio.wait_for(adapter.update_context(ContextChange(at_s=up.at_s, patch=up.patch,
                                                                            digital_context=state)), timeout)
            audio_s = chunk.end_s
            if lockstep:
                clock.advance_to(audio_s)
            core.chunk_delivered(audio_s)
            n_chunks += 1
            await adapter.push_audio(chunk)
            if vad is not None:
                if defer_vad:
                    await asyncio.sleep(0)
                for ev in vad.process(chunk):
                    await poller.poll(core.vad_event(ev, policy.at_endpoints and takes("endpoint")))
            if policy.every_s and takes("interval") and policy.interval_due(audio_s, vad.in_speech if vad else False):
                await poller.poll(core.request_poll("interval"))
            if drains:
                w = time.perf_counter()
                try:
                    await asyncio.wait_for(adapter.drain(), timeout)
                except asyncio.TimeoutError:
                    raise AgentError(f"agent stayed busy for more than {timeout:g} s") from None
                compute_drain += time.perf_counter() - w
            await words.run()
            if core.failed:
                break
        if not core.failed:
            end_s = core.now()
            if vad is not None:
                for ev in vad.flush(end_s):
                    await poller.poll(core.vad_event(ev, policy.at_endpoints and takes("endpoint")))
            core.audio_summary(end_s, n_chunks, audio_s, source.sample_rate)
            await asyncio.wait_for(adapter.end_of_stream(), timeout)
            if drains:
                await asyncio.wait_for(adapter.drain(), timeout)
            if policy.at_end_of_stream and takes("end_of_stream") and not core.failed:
                await poller.poll(core.request_poll("end_of_stream"))
            # keep the session open for late replies: tail_s of stream time, or until polls finish
            if lockstep:
                await poller.wait(timeout)
            else:
                deadline = audio_s + config.tail_s
                while core.now() < deadline and not core.failed:
                    await clock.sleep(min(deadline - core.now(), 0.05))
                    if not poller.running and core.responses_settled():
                        break
                await poller.wait(0.0)
            await words.finish(timeout)
    except asyncio.CancelledError:
        core.fail("cancelled (interrupted)")
        cancelled = True
    except ProvoiceError as exc:
        core.fail(str(exc))
    except Exception as exc:  # an adapter raised something unexpected: this session only
        log.debug("session %s failed", ctx.session_id, exc_info=True)
        core.fail(f"agent failed: {type(exc).__name__}: {exc}")
    finally:
        poller.cancel()
        for task in words.tasks:
            task.cancel()
        core.conclude()
        if core.voice is not None and core.voice.heard_anything:
            wav = agent_wav_path(log_path)
            try:
                write_agent_wav(core.voice.track, wav)
                core.agent_audio_summary(wav.name)
            except OSError as exc:
                core.error(f"could not keep the agent's voice in {wav}: {exc}")
        try:
            await asyncio.wait_for(adapter.close(), 10.0)
        except Exception as exc:  # closing must not hide the real outcome
            core.error(f"closing the agent failed: {exc}")
        result = core.finish(agent=adapter.name, clock=clock.name, audio_s=audio_s,
                             wall_s=time.perf_counter() - wall0,
                             drain_compute_s=compute_drain + words.compute_s if drains or (lockstep and words.compute_s)
                             else None, polled=needs_poll,
                             loop_stalls_s=timed.stalls_between(wall0, time.perf_counter()) if timed else None)
        if cancelled or on_result is not None:
            # the loop is going down (close here, so the result below is always handed on), or a live
            # view announced the end and waits for the result on disk: no await between them
            elog.close()
        else:
            try:
                await to_completion_in_thread(elog.close)  # its fsync would stall every other session on the loop
            except asyncio.CancelledError:
                cancelled = True
        if on_result is not None:
            on_result(result)
    if cancelled:
        raise asyncio.CancelledError
    return result


def write_failed_session(log_path: Path, session_id: str, agent: str, clock: str, reason: str) -> SessionResult:
    """The log and result of a session that could not start (its audio would not load, say)."""
    elog = EventLog(log_path)
    core = SessionCore(session_id, lambda: 0.0, elog.write)
    core.start(agent=agent)
    core.fail(reason)
    try:
        return core.finish(agent=agent, clock=clock, audio_s=0.0, wall_s=0.0)
    finally:
        elog.close()
