"""The session core: a session's bookkeeping, synchronous and without I/O (websockets' sans-I/O idea).

The async session (`engine/session.py`) owns the event loop, the clock and the timeouts; it feeds
this core what happened, and the core decides what that means:

    chunk_delivered(end_s)       a chunk ending at `end_s` was handed to the agent now
    agent_event(event)           the agent emitted an event (the SessionIO `emit`)
    vad_event(ev)                the harness's VAD found speech start or end
    request_poll(reason)         the engine wants to ask the agent "speak now?"
    poll_finished(req, failure)  that question was answered (or failed, or timed out)
    fail(reason)                 the session failed outside the agent's events (an exception, a
                                 timeout, a cancel)
    voice_words(seg, words)      the recogniser's words for a segment of the agent's voice that the
                                 core asked for (`take_word_requests`)
    finish(...)                  the session is over: the `SessionResult`, always, also on cancel

The core owns response ids, interjection stamping, poll coalescing (a poll asked for while one runs
becomes one pending poll) and result building. Audio the agent speaks (`AudioEvent`s with their
bytes) goes to a `VoiceListener` (`engine/voice.py`): a reply heard in it is an interjection at its
onset, with the agent's transcript as its words, or the recogniser's when the agent sent none (the
core asks the shell for them: `take_word_requests`, then `voice_words`). It writes nothing itself: every record goes to the
`sink` it was given (the log writer and the live views), and stream time comes from the clock
reading it was given. Tests drive the same core with a virtual time (`tests/fakes/sessionio.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..agents.base import (AgentEvent, Arrival, AudioEvent, ErrorEvent, PollRequest, ResponseDone, SilenceDecision, TextEvent,
                           ToolCallEvent, is_output)
from ..corpus.sample import ToolCall
from ..run.records import (AgentAudioRecord, AgentRecord, AudioRecord, ComputeRecord, ContextUpdateRecord,
                           ErrorRecord, InterjectionRecord, PollDeferredRecord, PollRecord, RecordSink, ResponseRecord,
                           SessionEnd, SessionRecord, SessionStart, VadRecord, VoiceRecord)
from ..run.results import Interjection, SessionResult, Status, TimingHealth
from ..vad import VadEvent
from .health import TimingMonitor
from .voice import HeardSegment, SegmentEvent, VoiceListener, VoiceSettings, is_backchannel


@dataclass
class _Response:
    rid: str
    poll_id: int | None
    interjection: Interjection | None = None
    texts: list[str] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    done: bool = False
    done_text: str | None = None
    recorded: bool = False  # its `response` record was written


class SessionCore:
    """One session's state machine (see the module docstring).

    `clock_reading()` is the clock's reading in seconds (real, scaled or virtual); `lockstep` says
    whether agent compute time is logged apart (the lockstep clock). Real-time sessions also get a
    `timing` monitor (fed every hand-over) and `stamp_uncertainty()`, the stream seconds by which a
    stamp made now may be late (None when unknown); see engine/health.py. Sessions under a wall
    clock also get `arrival_time(arrival)`: the stream time of an event's `Arrival` (when its bytes
    reached the machine) and its uncertainty in stream seconds; events emitted with an arrival are
    stamped there. Without it (lockstep, virtual) arrivals are ignored.
    """

    def __init__(self, session_id: str, clock_reading: Callable[[], float], sink: RecordSink,
                 monitor_from_s: float = 0.0, lockstep: bool = False, voice: VoiceSettings | None = None,
                 timing: TimingMonitor | None = None, stamp_uncertainty: Callable[[], float | None] | None = None,
                 arrival_time: Callable[[Arrival], tuple[float, float]] | None = None):
        self.session_id = session_id
        self._reading = clock_reading
        self._sink = sink
        self.monitor_from_s = monitor_from_s
        self.lockstep = lockstep
        self.responses: dict[str, _Response] = {}
        self.interjections: list[Interjection] = []
        self.fatal: str | None = None  # a fatal agent error or a failed poll: ends the session
        self.failure: str | None = None  # a failure the async session saw (exception, timeout, cancel)
        self.polls = 0
        self.agent_errors = 0  # non-fatal error events (e.g. replies that did not parse)
        self.poll_compute_s = 0.0
        self.current_poll: tuple[int, float] | None = None  # (poll_id, request time)
        self._poll_endpoints: dict[int, VadEvent] = {}  # endpoint polls: the speech end each one asked about
        self._poll_busy = False
        self._pending: tuple[str, float | None, VadEvent | None] | None = None
        self._anon = 0
        self._open_anon: str | None = None
        self._delivered_s = 0.0  # end of the last chunk handed to the agent
        self._delivered_at: float | None = None  # the clock's reading when it was handed over
        self._outcome: tuple[Status, str | None] | None = None
        self.voice_settings = voice or VoiceSettings()
        self.voice: VoiceListener | None = None  # made when the agent first speaks
        self._word_requests: list[HeardSegment] = []
        self._words_pending: set[int] = set()
        self.timing = timing
        self._stamp_uncertainty = stamp_uncertainty
        self._arrival_time = arrival_time
        self._audio_uncertainty: float | None = None  # the largest of the agent audio's arrivals not yet heard as a reply

    # -- stream time -----------------------------------------------------------------------------
    def chunk_delivered(self, end_s: float) -> None:
        """A chunk ending at `end_s` is being handed to the agent now."""
        self._delivered_s = end_s
        self._delivered_at = self._reading()
        if self.timing is not None:
            self.timing.handover(end_s, self._delivered_at)
        if self.voice is not None:
            self._heard(self.voice.advance(end_s))

    def now(self) -> float:
        """The stream time: seconds delivered, plus the clock's advance since the last delivery.

        With perfect pacing this is the clock's own reading; when the engine handed a chunk over
        late, time is counted from the real hand-over, so pacing lag never shows as agent latency.
        """
        if self._delivered_at is None:
            return self._reading()
        return self._delivered_s + (self._reading() - self._delivered_at)

    @property
    def failed(self) -> bool:
        return self.fatal is not None

    # -- records ---------------------------------------------------------------------------------
    def record(self, record: SessionRecord) -> None:
        self._sink(record)

    def start(self, **fields: Any) -> None:
        """The `session_start` record (what ran, what the agent was told)."""
        self.record(SessionStart(t=0.0, session_id=self.session_id, **fields))

    def context_update(self, at_s: float, patch: dict) -> None:
        """The digital context changed (the manifest's `at_s`), handed to the agent now."""
        self.record(ContextUpdateRecord(t=self.now(), at_s=at_s, patch=patch))

    def audio_summary(self, t: float, chunks: int, seconds: float, rate: int) -> None:
        """The chunks handed to the agent, logged at stream time `t` when the audio ran out."""
        self.record(AudioRecord(t=t, chunks=chunks, seconds=round(seconds, 6), rate=rate))

    def compute(self, what: str, seconds: float, poll_id: int | None = None) -> None:
        extra = {} if poll_id is None else {"poll_id": poll_id}
        self.record(ComputeRecord(t=self.now(), what=what, seconds=round(seconds, 6), **extra))

    def error(self, message: str | None) -> None:
        self.record(ErrorRecord(t=self.now(), message=message))

    # -- agent events ----------------------------------------------------------------------------
    def agent_event(self, event: AgentEvent, arrival: Arrival | None = None) -> None:
        """An event the agent emitted, stamped with the stream time now, or (under a wall clock)
        with its `arrival`'s stream time and uncertainty when the adapter gives one."""
        t = self.now()
        stamp, uncertainty = t, None
        if arrival is not None and self._arrival_time is not None:
            at, uncertainty = self._arrival_time(arrival)
            stamp = min(t, at)
        if isinstance(event, AudioEvent) and event.pcm:
            self._hear(event, t, stamp, uncertainty)
            return
        rid = self._response_id(event)
        if rid is not None and getattr(event, "response_id", None) != rid:
            event = event.model_copy(update={"response_id": rid})
        self.record(AgentRecord(t=t, event=event))
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
            # output held back while the adapter decided it was output is stamped where it began
            began = getattr(event, "began_s", None)
            self._interject(resp, stamp if began is None else min(stamp, began), event.type, uncertainty)
        elif resp.interjection is not None:
            resp.interjection.text = "".join(resp.texts).strip()
            resp.interjection.tool_calls = list(resp.tool_calls)
        if isinstance(event, ResponseDone):
            if event.text:
                resp.done_text = event.text.strip()
            if event.text and resp.interjection is not None:
                resp.interjection.text = event.text.strip()
            resp.done = True
            if resp.interjection is not None:
                self._record_response(resp, t)
        if isinstance(event, (ResponseDone, SilenceDecision)) and self._open_anon == rid:
            self._open_anon = None

    def _record_response(self, resp: _Response, t: float) -> None:
        if not resp.recorded:
            resp.recorded = True
            self.record(ResponseRecord(t=t, response_id=resp.rid, text=resp.interjection.text,
                                       tool_calls=list(resp.tool_calls)))

    def responses_settled(self) -> bool:
        """No response that interjected is still going, and nothing heard is still being decided."""
        voice_busy = self.voice is not None and (self.voice.in_segment or bool(self._words_pending))
        return not voice_busy and all(r.done or r.interjection is None for r in self.responses.values())

    # -- the agent's voice -----------------------------------------------------------------------
    def _hear(self, event: AudioEvent, t: float, stamp: float, uncertainty: float | None) -> None:
        """Agent audio emitted at `t`, its bytes stamped at `stamp` (`uncertainty`: from its arrival)."""
        if self.voice is None:
            self.voice = VoiceListener(self.voice_settings)
        arrived = stamp if event.arrived_s is None else min(stamp, event.arrived_s)
        u = uncertainty
        if u is None and self._stamp_uncertainty is not None:  # a heard reply is stamped from its audio's arrival stamps
            u = self._stamp_uncertainty()
        if u is not None:
            self._audio_uncertainty = max(self._audio_uncertainty or 0.0, u)
        self._heard(self.voice.hear(event.pcm, event.sample_rate, arrived, event.start_sample, event.response_id))

    def _heard(self, events: list[SegmentEvent]) -> None:
        for ev in events:
            seg = ev.segment
            if ev.kind == "long":
                self._voice_reply(seg)
            elif seg.verdict == "blip":
                self.record(VoiceRecord(t=seg.start_s, end_s=seg.end_s, verdict="blip"))
            else:
                words = self._agent_words(seg)
                if words:
                    self._decide_voice(seg, words, "agent")
                else:
                    self._word_requests.append(seg)
                    self._words_pending.add(seg.index)

    def _agent_words(self, seg: HeardSegment) -> str:
        """The agent's own transcript of the responses whose audio is in the segment."""
        parts = []
        for rid in seg.response_ids:
            resp = self.responses.get(rid)
            if resp is not None:
                parts.append(resp.done_text or "".join(resp.texts).strip())
        return " ".join(p for p in parts if p)

    def take_word_requests(self) -> list[HeardSegment]:
        """Segments whose words the recogniser must find (then `voice_words`); each is given once."""
        out, self._word_requests = self._word_requests, []
        return out

    def voice_words(self, seg: HeardSegment, words: str | None) -> None:
        """The recogniser's words for a segment (None: it failed; the segment is decided without)."""
        self._words_pending.discard(seg.index)
        self._decide_voice(seg, (words or "").strip(), "asr" if words is not None else None)

    def _decide_voice(self, seg: HeardSegment, words: str, source: str | None) -> None:
        seg.words, seg.words_from = words, (source if words else None)
        short = (seg.duration_s or 0.0) * 1000 < self.voice_settings.backchannel_ms
        seg.verdict = "backchannel" if (not seg.long and short and is_backchannel(words)) else "reply"
        resp = self._voice_reply(seg) if seg.verdict == "reply" else None
        self.record(VoiceRecord(t=seg.start_s, end_s=seg.end_s, verdict=seg.verdict,
                                response_id=resp.rid if resp else None, words=words or None, words_from=seg.words_from))
        if resp is None:
            return
        if source == "asr" and not "".join(resp.texts).strip():  # the agent gave no words: the heard ones
            resp.interjection.text = " ".join(p for p in (resp.interjection.text, words) if p).strip()
        if resp.done or resp.rid.startswith("voice-"):
            resp.done = True
            self._record_response(resp, max(self.now(), seg.end_s or 0.0))

    def _voice_reply(self, seg: HeardSegment) -> _Response:
        """The response a heard reply belongs to; its interjection, at the onset, if it is the first."""
        rid = seg.response_ids[0] if seg.response_ids else f"voice-{seg.index}"
        resp = self.responses.get(rid)
        if resp is None:
            resp = self.responses[rid] = _Response(rid, self.current_poll[0] if self.current_poll else None)
        if resp.interjection is None:
            self._interject(resp, seg.start_s, "audio", self._audio_uncertainty)
            self._audio_uncertainty = None
        return resp

    def voice_flush(self) -> None:
        """The stream is over: close what the agent was still saying."""
        if self.voice is not None:
            self._heard(self.voice.flush())

    def agent_audio_summary(self, wav: str | None) -> None:
        if self.voice is not None and self.voice.heard_anything:
            track = self.voice.track
            self.record(AgentAudioRecord(t=self.now(), pieces=track.pieces, seconds=round(track.received_s, 6),
                                         rate=track.rate, track_s=round(track.end_s, 6), wav=wav))

    def _response_id(self, event: AgentEvent) -> str | None:
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

    def _interject(self, resp: _Response, t: float, output: str, uncertainty: float | None = None) -> None:
        """Stamp `resp`'s interjection at `t`. Its latency parts name a speech end only when the
        response answers the poll made at that endpoint: an agent that spoke on its own, or at an
        interval poll, is not timed from whatever speech last ended. `uncertainty` (stream seconds)
        is how late `t` may be; by default that of a stamp made now."""
        parts: dict[str, float] = {"first_output_s": round(t, 6)}
        ep = self._poll_endpoints.get(resp.poll_id) if resp.poll_id is not None else None
        if ep is not None and ep.detected_s <= t + 1e-9:
            parts["speech_end_s"] = ep.at_s
            parts["endpoint_detected_s"] = ep.detected_s
        if self.current_poll is not None and resp.poll_id == self.current_poll[0]:
            parts["request_sent_s"] = round(self.current_poll[1], 6)
        if uncertainty is None and self._stamp_uncertainty is not None:
            uncertainty = self._stamp_uncertainty()
        inter = Interjection(
            t=round(t, 6), response_id=resp.rid, scored=t + 1e-9 >= self.monitor_from_s,
            text="".join(resp.texts).strip(), tool_calls=list(resp.tool_calls), poll_id=resp.poll_id, parts=parts,
            stamp_uncertainty_ms=None if uncertainty is None else round(uncertainty * 1000.0, 3),
        )
        resp.interjection = inter
        self.interjections.append(inter)
        self.record(InterjectionRecord(t=t, response_id=resp.rid, scored=inter.scored, text=inter.text,
                                       tool_calls=list(inter.tool_calls), kind_of_output=output, parts=parts))

    # -- VAD and polls ---------------------------------------------------------------------------
    def vad_event(self, ev: VadEvent, poll_at_endpoints: bool) -> PollRequest | None:
        """Log a VAD event; at a speech end, the poll to run now (if endpoints are polled)."""
        self.record(VadRecord(t=ev.detected_s, event=ev.event, at_s=ev.at_s))
        if ev.event == "speech_end":
            if poll_at_endpoints:
                return self.request_poll("endpoint", ev.at_s, endpoint=ev)
        return None

    def request_poll(self, reason: str, speech_end_s: float | None = None,
                     endpoint: VadEvent | None = None) -> PollRequest | None:
        """The poll to run now, or None when one is running (this one is then kept as the pending
        poll, replacing any earlier pending one). `endpoint` is the speech end an endpoint poll asks
        about (a reply to it is timed from there). Call it only for polls the adapter will send
        (`AgentAdapter.takes_poll`): every poll opened is logged and counted."""
        if self._poll_busy:
            self._pending = (reason, speech_end_s, endpoint)
            self.record(PollDeferredRecord(t=self.now(), reason=reason))
            return None
        return self._open_poll(reason, speech_end_s, endpoint)

    def _open_poll(self, reason: str, speech_end_s: float | None, endpoint: VadEvent | None) -> PollRequest:
        self.polls += 1
        t = self.now()
        req = PollRequest(reason=reason, stream_s=round(t, 6), speech_end_s=speech_end_s, poll_id=self.polls)
        if endpoint is not None:
            self._poll_endpoints[req.poll_id] = endpoint
        self.current_poll = (req.poll_id, t)
        self._poll_busy = True
        self.record(PollRecord(t=t, poll_id=req.poll_id, reason=reason, speech_end_s=speech_end_s))
        return req

    def poll_finished(self, req: PollRequest, failure: str | None = None,
                      compute_s: float | None = None) -> PollRequest | None:
        """The agent answered `req` (or `failure` says why not); `compute_s` is its wall time, logged
        under lockstep. Returns the pending poll to run next, if any and the session goes on."""
        if failure is not None:
            self.fatal = self.fatal or failure
        if self.lockstep and compute_s is not None:
            self.poll_compute_s += compute_s
            self.compute("poll", compute_s, poll_id=req.poll_id)
        self.current_poll = None
        self._poll_busy = False
        if self._pending is not None and self.fatal is None:
            reason, speech_end_s, endpoint = self._pending
            self._pending = None
            return self._open_poll(reason, speech_end_s, endpoint)
        return None

    def poll_abandoned(self) -> None:
        """The running poll was cancelled (the session is ending)."""
        self.current_poll = None
        self._poll_busy = False
        self._pending = None

    # -- the end ---------------------------------------------------------------------------------
    def fail(self, reason: str) -> None:
        """The session failed for `reason` (the first failure is kept)."""
        self.failure = self.failure or reason

    def conclude(self) -> tuple[Status, str | None]:
        """Fix the outcome: the async session's failure first, else a fatal agent error, else ok.
        Later faults (closing the agent) are logged but do not change it."""
        if self._outcome is None:
            reason = self.failure or self.fatal
            self._outcome = ("error", reason) if reason else ("ok", None)
        return self._outcome

    def finish(self, *, agent: str, clock: str, audio_s: float, wall_s: float,
               drain_compute_s: float | None = None, polled: bool | None = None,
               loop_stalls_s: list[float] | None = None) -> SessionResult:
        """The `error` and `session_end` records, and the session's result (with its timing health:
        `loop_stalls_s` are the event loop's stalls while it ran, None when unknown)."""
        status, reason = self.conclude()
        if status == "error":
            self.error(reason)
        if drain_compute_s is not None:
            self.compute("drain_total", drain_compute_s)
        self.record(SessionEnd(t=self.now(), status=status, reason=reason, wall_s=round(wall_s, 6),
                               interjections=len(self.interjections), agent_errors=self.agent_errors))
        return SessionResult(
            id=self.session_id, status=status, error=reason, agent=agent, clock=clock,
            audio_s=round(audio_s, 6), stream_end_s=round(self.now(), 6), wall_s=round(wall_s, 6),
            compute_s=round(self.poll_compute_s + (drain_compute_s or 0.0), 6), polls=self.polls,
            agent_errors=self.agent_errors, interjections=self.interjections, polled=polled,
            timing=self.timing.health(self.interjections, loop_stalls_s) if self.timing is not None
            else TimingHealth(wall_clock=False),
        )
