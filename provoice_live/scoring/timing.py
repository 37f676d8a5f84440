"""Timing: what a streaming harness measures that the paper could not: when the agent spoke up.

Per sample (pure functions of a predictions line, stream seconds):

| figure      | definition                                                                          |
|-------------|-------------------------------------------------------------------------------------|
| latency     | first scored interjection - cue end, on true positives with a cue (may be negative: |
|             | the agent spoke before the cue finished)                                            |
| premature   | interjections before the cue start (the run's `premature_interjections` count; for a |
|             | file without it, 1 if the first scored interjection is before the cue start)        |
| timely      | a positive whose first scored interjection is in [cue start, cue end + patience]     |
| stamp unc.  | the first scored interjection's stamp uncertainty (ms; real-time runs on a timed loop)|
| parts       | where the latency went, from the run's absolute `latency_parts` times:              |
|             | endpoint = endpoint_detected - speech_end, request = request_sent - endpoint_detected,|
|             | first output = first_output - request_sent                                          |

Sessions whose timing is suspect (their run's timing health, engine/health.py) are given no timing at
all by `scores.py` unless asked to (`--include-suspect`); their decisions still count.

Per task and pooled ("overall"): latency median, p90, mean and n; premature counts; timely recall =
timely positives / positives with a known cue window; and the parts' medians, beside the session-level
recall of Table 1. Positives without a cue window (files made elsewhere, the official outputs) have
no timing and are left out of its denominators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from .decisions import OVERALL, task_order

DEFAULT_PATIENCE_S = 5.0

# part name -> (from, to) in `latency_parts`, and its label in tables
PARTS: dict[str, tuple[str, str]] = {
    "endpoint_s": ("speech_end_s", "endpoint_detected_s"),
    "request_s": ("endpoint_detected_s", "request_sent_s"),
    "first_output_s": ("request_sent_s", "first_output_s"),
}
PART_LABELS = {"endpoint_s": "endpoint detection", "request_s": "request", "first_output_s": "first output"}


@dataclass(frozen=True, slots=True)
class SampleTiming:
    """The timing figures of one sample. `timely` is None where it does not apply."""

    latency_s: float | None = None
    timely: bool | None = None
    premature: int = 0
    parts: Mapping[str, float] | None = None
    stamp_uncertainty_ms: float | None = None


UNTIMED = SampleTiming()  # shared: most samples (negatives) have no timing at all
MISSED = SampleTiming(timely=False)


def sample_timing(outcome: str, first_interjection_s: float | None, cue_start_s: float | None,
                  cue_end_s: float | None, patience_s: float = DEFAULT_PATIENCE_S,
                  premature_interjections: int | None = None,
                  latency_parts: Mapping[str, float] | None = None,
                  stamp_uncertainty_ms: float | None = None) -> SampleTiming:
    """Timing of one sample from its outcome and stream times (see the module docstring)."""
    t, has_cue = first_interjection_s, cue_start_s is not None and cue_end_s is not None
    if premature_interjections is not None:
        premature = int(premature_interjections)
    else:
        premature = int(t is not None and cue_start_s is not None and t < cue_start_s)
    if outcome not in ("TP", "FN") or not has_cue:
        return SampleTiming(premature=premature) if premature else UNTIMED
    if outcome == "FN" or t is None:
        return SampleTiming(timely=False, premature=premature) if premature else MISSED
    return SampleTiming(
        latency_s=t - cue_end_s,
        timely=cue_start_s <= t <= cue_end_s + patience_s,
        premature=premature,
        parts=latency_stages(latency_parts) if latency_parts else None,
        stamp_uncertainty_ms=stamp_uncertainty_ms,
    )


def latency_stages(parts: Mapping[str, float]) -> dict[str, float]:
    """The stage durations that the absolute times in `parts` allow."""
    out = {}
    for name, (a, b) in PARTS.items():
        if parts.get(a) is not None and parts.get(b) is not None:
            out[name] = float(parts[b]) - float(parts[a])
    return out


@dataclass(frozen=True)
class Stats:
    """Median, p90 and mean of n values (None when n is 0)."""

    n: int
    median: float | None = None
    p90: float | None = None
    mean: float | None = None

    @classmethod
    def of(cls, values: Iterable[float]) -> "Stats":
        arr = np.fromiter(values, dtype=float)
        if not arr.size:
            return cls(0)
        median, p90 = np.percentile(arr, [50, 90])
        return cls(int(arr.size), float(median), float(p90), float(arr.mean()))

    def to_json(self) -> dict:
        return {"n": self.n, "median": self.median, "p90": self.p90, "mean": self.mean}


@dataclass(frozen=True)
class TimingSummary:
    """Timing of one task (or "overall"), with the session-level recall beside it."""

    latency: Stats
    premature_interjections: int
    premature_sessions: int
    timely: int
    timely_n: int
    recall: float | None = None  # Table 1's recall of the same samples, for comparison
    parts: dict[str, Stats] = field(default_factory=dict)
    stamp_uncertainty_ms: Stats = Stats(0)  # of the timed latencies that carry one

    @property
    def timely_recall(self) -> float | None:
        return self.timely / self.timely_n if self.timely_n else None

    def to_json(self) -> dict:
        return {
            "latency_s": self.latency.to_json(),
            "premature_interjections": self.premature_interjections,
            "premature_sessions": self.premature_sessions,
            "timely_recall": self.timely_recall,
            "timely": self.timely,
            "timely_n": self.timely_n,
            "recall": self.recall,
            "parts_s": {name: s.to_json() for name, s in self.parts.items()},
            "stamp_uncertainty_ms": self.stamp_uncertainty_ms.to_json(),
        }


def summarize(timings: Iterable[SampleTiming], recall: float | None = None) -> TimingSummary:
    """Pool the timing of some samples."""
    latencies: list[float] = []
    uncertainties: list[float] = []
    parts: dict[str, list[float]] = {name: [] for name in PARTS}
    premature_n = premature_sessions = timely = timely_n = 0
    for st in timings:
        if st is UNTIMED:
            continue
        premature_n += st.premature
        premature_sessions += st.premature > 0
        if st.timely is not None:
            timely_n += 1
            timely += st.timely
        if st.latency_s is not None:
            latencies.append(st.latency_s)
            if st.stamp_uncertainty_ms is not None:
                uncertainties.append(st.stamp_uncertainty_ms)
        for name, value in (st.parts or {}).items():
            parts[name].append(value)
    return TimingSummary(
        latency=Stats.of(latencies), premature_interjections=premature_n, premature_sessions=premature_sessions,
        timely=timely, timely_n=timely_n, recall=recall,
        parts={name: Stats.of(values) for name, values in parts.items() if values},
        stamp_uncertainty_ms=Stats.of(uncertainties),
    )


def timing_table(rows: Iterable[tuple[str, SampleTiming]], recalls: Mapping[str, float | None] | None = None,
                 tasks: Iterable[str] = ()) -> dict[str, TimingSummary]:
    """Per task and pooled: `rows` are (task, SampleTiming); `recalls` the Table 1 recall by key."""
    recalls = recalls or {}
    by_task: dict[str, list[SampleTiming]] = {t: [] for t in tasks}
    for task, st in rows:
        by_task.setdefault(task, []).append(st)
    table = {task: summarize(by_task[task], recalls.get(task)) for task in task_order(by_task)}
    table[OVERALL] = summarize((st for sts in by_task.values() for st in sts), recalls.get(OVERALL))
    return table
