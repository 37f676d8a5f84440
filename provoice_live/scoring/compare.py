"""Comparing runs: `provoice-live compare RUN RUN ...` (agents, settings, clocks side by side).

Each run is scored as `score` would (same judge options); then, beside each other:

* Table 1 (Rec / FPR / Acc per task and overall) and Table 2 (R_acc), one row per run;
* timing and monitoring: median and p90 latency, timely recall, per-cue recall, FA/h;
* **deltas** of every later run against the first (the baseline), per task and overall, for
  recall, FPR, accuracy and R_acc, each with a **bootstrap confidence interval** (95 % by default):
  the per-sample indicator (recall: intervened on a positive; FPR: intervened on a negative;
  accuracy: a correct decision; R_acc: S_i) is resampled `resamples` times with a seeded generator
  (scipy.stats.bootstrap, percentile method), so the same runs and seed give the same intervals.
  When the two runs scored the same samples the resampling is **paired** (the per-sample
  differences are resampled, which removes the samples' own difficulty from the noise); otherwise
  each run is resampled on its own. A difference is **significant** when its interval excludes 0:
  with a small corpus, wide intervals say how large a difference it could detect.

Pure functions over `Scores`; the CLI is `scoring/cli.py`'s `compare`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .decisions import OVERALL, task_order
from .scores import Scores
from .tables import NA, Section, fmt_rate, fmt_s, title_task

METRICS = ("recall", "fpr", "accuracy", "r_acc")
METRIC_LABELS = {"recall": "Rec", "fpr": "FPR", "accuracy": "Acc", "r_acc": "R_acc"}
DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 0


def per_sample(scores: Scores, metric: str, task: str) -> dict[str, float]:
    """The per-sample indicator whose mean is `metric` on `task` (or overall), by sample id."""
    out = {}
    for s in scores.samples:
        if task != OVERALL and s.task != task:
            continue
        if metric == "recall" and s.label:
            out[s.id] = float(s.outcome == "TP")
        elif metric == "fpr" and not s.label:
            out[s.id] = float(s.outcome == "FP")
        elif metric == "accuracy":
            out[s.id] = float(s.outcome in ("TP", "TN"))
        elif metric == "r_acc" and s.s_i is not None:
            out[s.id] = float(s.s_i)
    return out


def bootstrap_ci(base: dict[str, float], other: dict[str, float], resamples: int = DEFAULT_RESAMPLES,
                 seed: int = DEFAULT_SEED, level: float = 0.95) -> tuple[float | None, float | None, bool]:
    """(low, high, paired) of mean(other) - mean(base); (None, None, paired) with fewer than 2 samples."""
    from scipy.stats import bootstrap

    paired = bool(base) and set(base) == set(other)
    rng = np.random.default_rng(seed)
    if paired:
        ids = sorted(base)
        d = np.array([other[i] - base[i] for i in ids])
        if d.size < 2:
            return None, None, True
        res = bootstrap((d,), np.mean, n_resamples=resamples, method="percentile", confidence_level=level,
                        random_state=rng)
    else:
        a = np.array([base[i] for i in sorted(base)])
        b = np.array([other[i] for i in sorted(other)])
        if a.size < 2 or b.size < 2:
            return None, None, False

        def diff(x, y, axis=-1):
            return y.mean(axis=axis) - x.mean(axis=axis)

        res = bootstrap((a, b), diff, n_resamples=resamples, method="percentile", confidence_level=level,
                        random_state=rng)
    ci = res.confidence_interval
    return float(ci.low), float(ci.high), paired


@dataclass(frozen=True)
class Delta:
    """One run minus the baseline on one metric and task, with its bootstrap interval."""

    run: str
    task: str
    metric: str
    base: float | None
    value: float | None
    low: float | None
    high: float | None
    paired: bool
    n: int

    @property
    def diff(self) -> float | None:
        return None if self.base is None or self.value is None else self.value - self.base

    @property
    def significant(self) -> bool:
        return self.low is not None and (self.low > 0 or self.high < 0)

    def to_json(self) -> dict[str, Any]:
        return {"run": self.run, "task": self.task, "metric": self.metric, "base": self.base, "value": self.value,
                "diff": self.diff, "ci_low": self.low, "ci_high": self.high, "paired": self.paired, "n": self.n,
                "significant": self.significant}


def _mean(values: dict[str, float]) -> float | None:
    return float(np.mean(list(values.values()))) if values else None


@dataclass
class Comparison:
    """Several runs' scores, and each later run's deltas against the first."""

    runs: list[tuple[str, Scores]]
    deltas: list[Delta]
    resamples: int
    seed: int
    level: float

    @property
    def tasks(self) -> list[str]:
        return task_order({t for _, s in self.runs for t in s.tasks}) + [OVERALL]

    def to_json(self) -> dict[str, Any]:
        return {"runs": [{"label": label, "scores": s.to_json()} for label, s in self.runs],
                "deltas": [d.to_json() for d in self.deltas],
                "bootstrap": {"resamples": self.resamples, "seed": self.seed, "level": self.level}}


def compare(runs: Sequence[tuple[str, Scores]], resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
            level: float = 0.95) -> Comparison:
    """Deltas of every run after the first against the first, per task (and overall) and metric."""
    runs = list(runs)
    base_label, base = runs[0]
    tasks = task_order({t for _, s in runs for t in s.tasks}) + [OVERALL]
    deltas = []
    for label, other in runs[1:]:
        for task in tasks:
            for metric in METRICS:
                a, b = per_sample(base, metric, task), per_sample(other, metric, task)
                if not a and not b:
                    continue
                lo, hi, paired = bootstrap_ci(a, b, resamples, seed, level)
                deltas.append(Delta(label, task, metric, _mean(a), _mean(b), lo, hi, paired, min(len(a), len(b))))
    return Comparison(runs, deltas, resamples, seed, level)


def _signed(x: float | None) -> str:
    return NA if x is None else f"{x:+.3f}"


def sections(cmp: Comparison) -> list[Section]:
    """The comparison's tables, for the terminal, Markdown and HTML alike."""
    keys = cmp.tasks
    out = []
    t1_cols, groups = ["run"], [("", 1)]
    for k in keys:
        t1_cols += ["Rec ↑", "FPR ↓", "Acc ↑"]
        groups.append((title_task(k), 3))
    rows = []
    for label, s in cmp.runs:
        row = [label]
        for k in keys:
            c = s.decision.get(k)
            row += [fmt_rate(c.recall), fmt_rate(c.fpr), fmt_rate(c.accuracy)] if c else [NA] * 3
        rows.append(row)
    out.append(Section("table1", "Table 1 across runs", t1_cols, rows, groups))
    out.append(Section("table2", "Table 2 across runs (R_acc)", ["run", "judge"] + [title_task(k) for k in keys],
                       [[label, s.judge] + [fmt_rate(s.response[k].r_acc) if k in s.response else NA for k in keys]
                        for label, s in cmp.runs], left=2))
    rows = []
    for label, s in cmp.runs:
        t = s.timing.get(OVERALL)
        m = s.monitoring
        lat = m.latency() if m else {}
        rows.append([label, fmt_s(t.latency.median if t else None), fmt_s(t.latency.p90 if t else None),
                     fmt_rate(t.timely_recall if t else None), fmt_rate(m.recall if m else None),
                     fmt_s(lat.get("median")), str(m.false_alarms) if m else NA,
                     f"{m.monitored_h:.3f}" if m else NA, fmt_s(m.fa_per_h if m else None)])
    out.append(Section("timing", "Timing and monitoring across runs",
                       ["run", "median s", "p90 s", "timely", "cue recall", "cue median s", "false alarms",
                        "monitored h", "FA/h"], rows,
                       note="Latency from cue end to the first scored interjection (true positives); cue recall, "
                            "false alarms and FA/h per cue and per hour of monitored audio (docs/SCORING.md)."))
    base = cmp.runs[0][0]
    pct = f"{cmp.level * 100:g} %"
    rows = [[d.run, title_task(d.task), METRIC_LABELS[d.metric], fmt_rate(d.base), fmt_rate(d.value), _signed(d.diff),
             f"[{_signed(d.low)}, {_signed(d.high)}]", str(d.n), "paired" if d.paired else "unpaired",
             "yes" if d.significant else "no"] for d in cmp.deltas]
    out.append(Section("deltas", f"Differences from {base} with {pct} bootstrap intervals",
                       ["run", "task", "metric", "base", "run value", "Δ", f"{pct} CI", "n", "resampling",
                        "significant"], rows,
                       note=f"{cmp.resamples} bootstrap resamples, seed {cmp.seed} (percentile intervals). "
                            "Significant: the interval excludes 0 at this corpus size.", left=3))
    return out
