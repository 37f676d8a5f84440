"""What a run leaves per session and per sample: `SessionResult` and the predictions file's line.

`SessionResult` is written atomically when a session ends (ok or error) and read back by resume
and scoring. `Prediction` is one line of `predictions.jsonl` (see docs/FORMATS.md): the public
contract scoring reads, from our runs or from anywhere else.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, Sequence

from pydantic import BaseModel, ConfigDict, Field

from .. import FORMAT_VERSION
from ..corpus.sample import Task, ToolCall

Status = Literal["ok", "error"]


class Interjection(BaseModel):
    """The first output of a response: when (stream seconds) and what."""

    model_config = ConfigDict(extra="forbid")
    t: float
    response_id: str | None = None
    scored: bool = True  # False before monitor_from_s
    text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    poll_id: int | None = None
    parts: dict[str, float] | None = None  # speech_end_s, endpoint_detected_s, request_sent_s, first_output_s
    stamp_uncertainty_ms: float | None = None  # real-time clocks on a timed loop: how late `t` may be (engine/health.py)


class LagStats(BaseModel):
    """How late the chunks were handed to the agent after their deadlines (stream milliseconds)."""

    p50_ms: float
    p99_ms: float
    max_ms: float


class LoopStalls(BaseModel):
    """The event loop's busy stretches of at least `min_ms` (no socket read) while the session ran."""

    count: int
    max_ms: float
    total_ms: float
    min_ms: float


class TimingHealth(BaseModel):
    """How far a session's stamps can be trusted (engine/health.py).

    `wall_clock` False (lockstep, virtual): stream time never reads the wall clock, so wall-time
    effects cannot reach a stamp; nothing else is recorded and the session is never suspect.
    Figures that need a timed event loop (`loop_stalls`, the stamp uncertainties) are None without one.
    """

    wall_clock: bool
    threshold_ms: float | None = None
    handover_lag_ms: LagStats | None = None
    max_chunk_gap_ms: float | None = None  # the longest time between two hand-overs (one chunk when paced)
    loop_stalls: LoopStalls | None = None
    max_stamp_uncertainty_ms: float | None = None  # over the scored interjections
    suspect: bool = False  # a hand-over lag p99 or a scored interjection's uncertainty over threshold_ms
    reasons: list[str] = Field(default_factory=list)


class SessionResult(BaseModel):
    """What a finished session leaves: written atomically, read back by resume and scoring."""

    model_config = ConfigDict(extra="allow")
    format: int = FORMAT_VERSION
    id: str
    status: Status = "ok"
    error: str | None = None
    agent: str = ""
    clock: str = ""
    audio_s: float = 0.0
    stream_end_s: float = 0.0
    wall_s: float = 0.0
    compute_s: float = 0.0
    polls: int = 0  # polls put to the agent (opened and sent)
    polled: bool | None = None  # whether the agent was polled at all: its capabilities after start
    agent_errors: int = 0  # non-fatal error events: e.g. replies that did not parse (see the log)
    interjections: list[Interjection] = Field(default_factory=list)
    timing: TimingHealth | None = None


class Prediction(BaseModel):
    """One line of a predictions file: what scoring needs, from any source.

    The first block is the public contract. The optional fields after it are added by our runs so a
    predictions file can be judged and diagnosed on its own; files made elsewhere may omit them.
    """

    model_config = ConfigDict(extra="allow")
    id: str
    task: Task
    label: bool
    intervened: bool
    response_text: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    first_interjection_s: float | None = None
    cue_start_s: float | None = None
    cue_end_s: float | None = None
    judge: dict[str, float] | None = None
    # --- optional, added by provoice-live runs ---
    format: int | None = None
    status: Status = "ok"
    error: str | None = None
    semantic_cue: str | None = None
    gt_response: str | None = None
    gt_tool_calls: list[ToolCall] | None = None
    monitor_from_s: float | None = None
    premature_interjections: int | None = None
    latency_parts: dict[str, float] | None = None
    agent_errors: int | None = None  # non-fatal agent errors in the session (unparsed replies...)
    audio_s: float | None = None  # the stream's length: with monitor_from_s, the monitored time (FA/h)
    interjection_times: list[float] | None = None  # every scored interjection (per-cue hits, false alarms)
    cues: list[dict[str, float]] | None = None  # every cue window {start_s, end_s} of a long session
    sound_snr_db: float | None = None  # an ESS sweep's sound level (the sample's meta.sound_snr_db)
    timing_suspect: bool | None = None  # real-time sessions: the timing health's verdict (None: not real time)
    timing_reasons: list[str] | None = None  # why it is suspect
    stamp_uncertainty_ms: float | None = None  # the first scored interjection's


class Truth(Protocol):
    """What a predictions line takes from the session's ground truth: a corpus `Sample`, or a live
    session's declared task and label (`live.session.LiveTruth`). A type checker holds both to it."""

    id: str
    task: Task
    label: bool
    cue: Any  # a `Cue` (start_s, end_s) or None
    cues: Sequence[Any] | None  # the cue windows of a long session
    semantic_cue: str
    gt_response: str
    gt_tool_calls: Sequence[ToolCall]
    monitor_from_s: float
    meta: dict[str, Any] | None


def prediction_from_result(sample: Truth, result: SessionResult) -> Prediction:
    """The predictions-file line for one finished session.

    The decision is "intervened" iff a scored interjection happened (at or after `monitor_from_s`);
    the first scored one is what gets judged and timed.
    """
    scored = [i for i in result.interjections if i.scored]
    first = scored[0] if scored else None
    wall = result.timing is not None and result.timing.wall_clock
    return Prediction(
        id=sample.id,
        task=sample.task,
        label=sample.label,
        intervened=first is not None,
        response_text=first.text if first else "",
        tool_calls=list(first.tool_calls) if first else [],
        first_interjection_s=first.t if first else None,
        cue_start_s=sample.cue.start_s if sample.cue else None,
        cue_end_s=sample.cue.end_s if sample.cue else None,
        format=FORMAT_VERSION,
        status=result.status,
        error=result.error,
        semantic_cue=sample.semantic_cue,
        gt_response=sample.gt_response,
        gt_tool_calls=list(sample.gt_tool_calls),
        monitor_from_s=sample.monitor_from_s,
        premature_interjections=sum(
            1 for i in scored if sample.cue is not None and i.t < sample.cue.start_s
        ),
        latency_parts=first.parts if first and first.parts else None,
        agent_errors=result.agent_errors or None,
        audio_s=result.audio_s or None,
        interjection_times=[i.t for i in scored],
        cues=[{"start_s": c.start_s, "end_s": c.end_s} for c in sample.cues] if sample.cues else None,
        sound_snr_db=(sample.meta or {}).get("sound_snr_db"),
        timing_suspect=result.timing.suspect if wall else None,
        timing_reasons=list(result.timing.reasons) if wall and result.timing.suspect else None,
        stamp_uncertainty_ms=first.stamp_uncertainty_ms if first else None,
    )
