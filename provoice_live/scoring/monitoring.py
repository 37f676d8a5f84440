"""Monitoring figures: each cue hit or missed, and false alarms per hour of monitored audio.

The paper scores one decision per clip. A monitoring agent listens for long stretches, so besides
Table 1 we score every cue window and every interjection (a prediction's `interjection_times`, its
`cues` or its one cue window, `audio_s` and `monitor_from_s`):

* an interjection at t **hits** the earliest cue not yet hit whose window holds it:
  start_s <= t <= end_s + patience; its latency is t - end_s (negative: before the cue ended);
* an interjection inside the window of a cue already hit is a **repeat** (neither hit nor alarm);
* any other scored interjection is a **false alarm** (on a negative sample, every one is);
* a cue no interjection hit is a **miss**;
* **monitored time** is audio_s - monitor_from_s, summed over the samples: FA/h = false alarms /
  monitored hours. Samples without `audio_s` or `interjection_times` (files made elsewhere) are left
  out; with none left the figures are n/a.

Pure functions; `Scores.monitoring` holds the summary and `tables.py` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from ..run.results import Prediction


@dataclass(frozen=True, slots=True)
class CueOutcome:
    """One cue of one sample: hit (with latency) or missed."""

    sample: str
    index: int
    start_s: float
    end_s: float
    hit_s: float | None  # the interjection that hit it

    @property
    def latency_s(self) -> float | None:
        return None if self.hit_s is None else self.hit_s - self.end_s


@dataclass(frozen=True, slots=True)
class SampleMonitoring:
    cues: tuple[CueOutcome, ...]
    false_alarms: tuple[float, ...]
    repeats: int
    monitored_s: float


def cue_windows(pred: Prediction) -> list[tuple[float, float]]:
    """The prediction's cue windows: `cues`, else its one cue window on a positive, else none."""
    if pred.cues:
        return [(float(c["start_s"]), float(c["end_s"])) for c in pred.cues]
    if pred.label and pred.cue_start_s is not None and pred.cue_end_s is not None:
        return [(pred.cue_start_s, pred.cue_end_s)]
    return []


def match_interjections(times: Sequence[float], windows: Sequence[tuple[float, float]], patience_s: float,
                        sample: str = "") -> tuple[list[CueOutcome], list[float], int]:
    """(cue outcomes, false-alarm times, repeats) for interjections at `times` (see the module docstring)."""
    hit: list[float | None] = [None] * len(windows)
    alarms, repeats = [], 0
    for t in sorted(times):
        free = [k for k, (a, b) in enumerate(windows) if a <= t <= b + patience_s and hit[k] is None]
        if free:
            hit[free[0]] = t
        elif any(a <= t <= b + patience_s for a, b in windows):
            repeats += 1
        else:
            alarms.append(t)
    cues = [CueOutcome(sample, k, a, b, hit[k]) for k, (a, b) in enumerate(windows)]
    return cues, alarms, repeats


def sample_monitoring(pred: Prediction, patience_s: float) -> SampleMonitoring | None:
    """The monitoring figures of one scored sample, or None when it lacks the fields."""
    if pred.audio_s is None or pred.interjection_times is None:
        return None
    cues, alarms, repeats = match_interjections(pred.interjection_times, cue_windows(pred), patience_s, pred.id)
    return SampleMonitoring(tuple(cues), tuple(alarms), repeats, max(0.0, pred.audio_s - (pred.monitor_from_s or 0.0)))


@dataclass
class MonitoringSummary:
    """Over a run: cues, hits, recall, latency over the hits, false alarms, monitored hours, FA/h."""

    cues: list[CueOutcome] = field(default_factory=list)
    false_alarms: int = 0
    repeats: int = 0
    monitored_s: float = 0.0
    samples: int = 0
    untimed: frozenset[str] = frozenset()  # timing-suspect samples: their hits count, their latency does not

    @property
    def hits(self) -> int:
        return sum(c.hit_s is not None for c in self.cues)

    @property
    def recall(self) -> float | None:
        return self.hits / len(self.cues) if self.cues else None

    @property
    def monitored_h(self) -> float:
        return self.monitored_s / 3600.0

    @property
    def fa_per_h(self) -> float | None:
        return self.false_alarms / self.monitored_h if self.monitored_s > 0 else None

    def latency(self) -> dict[str, float | None]:
        lat = np.array([c.latency_s for c in self.cues if c.hit_s is not None and c.sample not in self.untimed],
                       dtype=float)
        if not lat.size:
            return {"n": 0, "median": None, "p90": None, "mean": None}
        return {"n": int(lat.size), "median": float(np.median(lat)), "p90": float(np.percentile(lat, 90)),
                "mean": float(lat.mean())}

    def to_json(self) -> dict[str, Any]:
        return {"samples": self.samples, "cues": len(self.cues), "hits": self.hits, "misses": len(self.cues) - self.hits,
                "recall": self.recall, "latency_s": self.latency(), "false_alarms": self.false_alarms,
                "repeats": self.repeats, "monitored_h": self.monitored_h, "fa_per_h": self.fa_per_h,
                "per_cue": [{"sample": c.sample, "index": c.index, "start_s": c.start_s, "end_s": c.end_s,
                             "hit_s": c.hit_s, "latency_s": c.latency_s} for c in self.cues]}


def monitoring_summary(preds: Iterable[Prediction], patience_s: float,
                       untimed: frozenset[str] = frozenset()) -> MonitoringSummary | None:
    """Pooled over the samples that carry the fields; None when none does. The latency leaves out
    the `untimed` samples (timing-suspect sessions, scores.py)."""
    out = MonitoringSummary(untimed=untimed)
    for p in preds:
        m = sample_monitoring(p, patience_s)
        if m is None:
            continue
        out.samples += 1
        out.cues.extend(m.cues)
        out.false_alarms += len(m.false_alarms)
        out.repeats += m.repeats
        out.monitored_s += m.monitored_s
    return out if out.samples else None
