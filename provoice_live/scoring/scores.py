"""From predictions to the paper's tables and our timing table: `score_predictions`.

The flow, pure except for the judge call in the middle:

    predictions --split--> errored sessions (reported apart) + scored samples
    scored samples --outcome--> Table 1 (decisions.py)
    true positives without a verdict --judge--> verdicts; TN 1, FP/FN 0 --> Table 2 (response.py)
    scored samples --stream times--> timing table (timing.py)

**Errored sessions** (status "error": the agent crashed, timed out, the reply did not parse) are
not silences: counting them as "did not intervene" would reward a broken agent on negatives. They
are left out of every denominator and listed by id (how many, which, why) beside the tables.

**Timing-suspect sessions** (a real-time session whose chunk hand-over lag or interjection stamp
uncertainty passed the run's `--max-timing-error-ms`: `timing_suspect` in the predictions file)
keep their decisions and verdicts, but are left out of every timing figure (latency, its parts,
premature, timely) and listed with their reasons; `include_suspect` puts them back.

**Verdicts already in a predictions file** (its `judge` field) are used as they are; the judge is
asked only about the true positives without one, and the tables say where the verdicts came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from .. import FORMAT_VERSION
from ..run.results import Prediction
from .decisions import OVERALL, Confusion, decision_table, outcome
from .judges import JudgeItem, judge_items
from .monitoring import MonitoringSummary, monitoring_summary
from .response import ResponseSummary, Verdict, response_table, sample_score
from .timing import DEFAULT_PATIENCE_S, UNTIMED, SampleTiming, TimingSummary, sample_timing, timing_table

FILE_VERDICTS = "predictions file"


@dataclass(slots=True)
class SampleScore:
    """One scored sample: its outcome, verdict (true positives), S_i and timing."""

    id: str
    task: str
    label: bool
    outcome: str
    s_i: float | None  # None when R_acc could not be computed (no ground truth)
    verdict: Verdict | None
    timing: SampleTiming
    suspect: tuple[str, ...] | None = None  # timing-suspect: why (its timing is left out unless included)


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    """A sample left out of the figures because its session (or reply) failed."""

    id: str
    task: str
    label: bool
    reason: str


@dataclass(frozen=True, slots=True)
class SuspectEntry:
    """A session whose timing is suspect, and why."""

    id: str
    task: str
    reasons: tuple[str, ...]


@dataclass
class Scores:
    """Everything `score` reports. `to_json()` is the `score --json` shape (docs/FORMATS.md)."""

    decision: dict[str, Confusion]
    response: dict[str, ResponseSummary]
    timing: dict[str, TimingSummary]
    judge: str
    patience_s: float
    samples: list[SampleScore]
    errors: list[ErrorEntry]
    label: str = ""
    judge_info: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    agreement: Any = None  # agreement.Agreement when several raters judged (score --judge-repeats)
    monitoring: MonitoringSummary | None = None  # per cue and per hour, when the predictions carry the times
    by_snr: dict[float, dict[str, Any]] = field(default_factory=dict)  # ESS sweep: figures per sound level
    suspect: list[SuspectEntry] = field(default_factory=list)
    include_suspect: bool = False

    @property
    def tasks(self) -> list[str]:
        """The tasks present, in the paper's order (without "overall")."""
        return [k for k in self.decision if k != OVERALL]

    def errors_json(self) -> dict[str, Any]:
        by_task: dict[str, int] = {}
        for e in self.errors:
            by_task[e.task] = by_task.get(e.task, 0) + 1
        return {"count": len(self.errors), "by_task": by_task,
                "samples": [{"id": e.id, "task": e.task, "label": e.label, "reason": e.reason} for e in self.errors]}

    def to_json(self) -> dict[str, Any]:
        return {
            "decision": {k: v.to_json() for k, v in self.decision.items()},
            "response": {k: v.to_json() for k, v in self.response.items()},
            "timing": {k: v.to_json() for k, v in self.timing.items()},
            "judge": self.judge,
            "judge_info": self.judge_info,
            "patience_s": self.patience_s,
            "errors": self.errors_json(),
            "timing_suspect": {"count": len(self.suspect), "included": self.include_suspect,
                               "samples": [{"id": e.id, "task": e.task, "reasons": list(e.reasons)}
                                           for e in self.suspect]},
            "label": self.label,
            "notes": self.notes,
            "format": FORMAT_VERSION,
            **({"agreement": self.agreement.to_json()} if self.agreement is not None else {}),
            **({"monitoring": self.monitoring.to_json()} if self.monitoring is not None else {}),
            **({"by_sound_snr_db": {f"{k:g}": v for k, v in self.by_snr.items()}} if self.by_snr else {}),
        }


# ---- the steps ----------------------------------------------------------------------------------

def split_errors(preds: Iterable[Prediction]) -> tuple[list[Prediction], list[ErrorEntry]]:
    """Scored predictions, and the errored ones as ErrorEntry (never counted as silences)."""
    ok, errors = [], []
    for p in preds:
        if p.status == "error":
            errors.append(ErrorEntry(p.id, p.task, p.label, p.error or "session ended with an error"))
        else:
            ok.append(p)
    return ok, errors


def file_verdict(pred: Prediction) -> Verdict | None:
    """The verdict a predictions file carries in its `judge` field, if any."""
    if not pred.judge:
        return None
    return Verdict(float(pred.judge["tool"]), float(pred.judge["text"]), FILE_VERDICTS)


def judge_item(pred: Prediction) -> JudgeItem:
    return JudgeItem(
        id=pred.id,
        semantic_cue=pred.semantic_cue or "",
        gt_tool_calls=[(c.name, c.arguments) for c in pred.gt_tool_calls or ()],
        gt_response=pred.gt_response or "",
        pred_tool_calls=[(c.name, c.arguments) for c in pred.tool_calls],
        pred_response=pred.response_text or "",
    )


def items_to_judge(preds: Sequence[Prediction], outcomes: Sequence[str]) -> tuple[list[int], str | None]:
    """Indices of the true positives that need a verdict, or none and the reason R_acc cannot be had.

    A true positive without a verdict and without any ground truth (a predictions file made elsewhere
    carries neither) cannot be judged: Table 2 is then n/a, with a note saying how to fix it; the
    decisions and the timing do not need the ground truth and are still reported."""
    todo = [i for i, (p, o) in enumerate(zip(preds, outcomes)) if o == "TP" and not p.judge]
    blind = [preds[i] for i in todo if preds[i].gt_response is None and preds[i].gt_tool_calls is None]
    if blind:
        return [], (f"R_acc is n/a: {len(blind)} true positive(s) have no ground truth to judge (first: sample "
                    f"{blind[0].id!r}, fields 'gt_response' and 'gt_tool_calls' absent); pass --corpus DIR to "
                    "fill them from the corpus manifest, or give verdicts in a 'judge' field")
    return todo, None


def judge_label(judge_name: str, from_file: int, judged: int) -> str:
    """How the tables name where the verdicts came from."""
    if from_file and not judged:
        return f"verdicts from the {FILE_VERDICTS}"
    if from_file:
        return f"{judge_name} + {from_file} verdicts from the {FILE_VERDICTS}"
    return judge_name


def assemble(preds: Sequence[Prediction], outcomes: Sequence[str], verdicts: dict[int, Verdict] | None,
             errors: list[ErrorEntry], judge_name: str, patience_s: float, label: str = "",
             judge_info: dict[str, Any] | None = None, no_response: str | None = None,
             include_suspect: bool = False) -> Scores:
    """The tables from predictions, their outcomes and the judge's verdicts (by index in `preds`).

    `no_response` (a reason) leaves R_acc undefined when the true positives could not be judged;
    timing-suspect samples get no timing unless `include_suspect`."""
    samples = []
    verdicts = verdicts or {}
    for i, (p, o) in enumerate(zip(preds, outcomes)):
        verdict = (file_verdict(p) or verdicts.get(i)) if o == "TP" else None
        s_i = None if no_response else sample_score(o, verdict)
        suspect = tuple(p.timing_reasons or ("timing suspect",)) if p.timing_suspect else None
        if (o == "TN" and not p.premature_interjections) or (suspect and not include_suspect):
            timing = UNTIMED  # the common case, without the call; and suspect timing, left out
        else:
            timing = sample_timing(o, p.first_interjection_s, p.cue_start_s, p.cue_end_s, patience_s,
                                   p.premature_interjections, p.latency_parts, p.stamp_uncertainty_ms)
        samples.append(SampleScore(p.id, p.task, p.label, o, s_i, verdict, timing, suspect))
    tasks = {e.task for e in errors}  # a task whose every session errored still gets its (empty) column
    decision = decision_table(((s.task, s.outcome) for s in samples), tasks)
    from_file = sum(1 for s in samples if s.verdict is not None and s.verdict.source == FILE_VERDICTS)
    judged = sum(1 for s in samples if s.verdict is not None and s.verdict.source != FILE_VERDICTS)
    info = {"verdicts_from_file": from_file, "verdicts_judged": judged, **(judge_info or {})}
    return Scores(
        decision=decision,
        response=response_table(((s.task, s.s_i) for s in samples), tasks) if not no_response else
        {k: ResponseSummary(None, c.n) for k, c in decision.items()},
        timing=timing_table(((s.task, s.timing) for s in samples), {k: c.recall for k, c in decision.items()}, tasks),
        judge=judge_label(judge_name, from_file, judged),
        patience_s=patience_s,
        samples=samples,
        errors=errors,
        label=label,
        judge_info=info,
        notes=[no_response] if no_response else [],
        monitoring=monitoring_summary(preds, patience_s, frozenset() if include_suspect else
                                      frozenset(s.id for s in samples if s.suspect)),
        by_snr=snr_table(preds, samples),
        suspect=[SuspectEntry(s.id, s.task, s.suspect) for s in samples if s.suspect],
        include_suspect=include_suspect,
    )


def snr_table(preds: Sequence[Prediction], samples: Sequence[SampleScore]) -> dict[float, dict[str, Any]]:
    """An ESS sweep's figures per sound level (highest first): recall, FPR, accuracy and the median
    latency of the true positives. Empty when no prediction carries `sound_snr_db`."""
    import numpy as np

    groups: dict[float, list[SampleScore]] = {}
    for p, s in zip(preds, samples):
        if p.sound_snr_db is not None:
            groups.setdefault(float(p.sound_snr_db), []).append(s)
    out = {}
    for level in sorted(groups, reverse=True):
        c = decision_table(((s.task, s.outcome) for s in groups[level]))[OVERALL]
        lat = [s.timing.latency_s for s in groups[level] if s.outcome == "TP" and s.timing.latency_s is not None]
        out[level] = {"n": c.n, "recall": c.recall, "fpr": c.fpr, "accuracy": c.accuracy,
                      "latency_median_s": float(np.median(lat)) if lat else None, "latency_n": len(lat)}
    return out


def _prepare(preds: Iterable[Prediction]):
    ok, errors = split_errors(preds)
    outcomes = [outcome(p.label, p.intervened) for p in ok]
    todo, no_response = items_to_judge(ok, outcomes)
    return ok, outcomes, errors, todo, no_response


def score_predictions(preds: Iterable[Prediction], judge=None, patience_s: float = DEFAULT_PATIENCE_S,
                      label: str = "", include_suspect: bool = False) -> Scores:
    """Score predictions with a judge (default: the offline heuristic). Synchronous."""
    from .heuristic import HeuristicJudge

    judge = judge or HeuristicJudge()
    ok, outcomes, errors, todo, no_response = _prepare(preds)
    verdicts = dict(zip(todo, judge_items([judge_item(ok[i]) for i in todo], judge)))
    return assemble(ok, outcomes, verdicts, errors, judge.name, patience_s, label, judge.describe(), no_response,
                    include_suspect)


async def ascore_predictions(preds: Iterable[Prediction], judge=None, patience_s: float = DEFAULT_PATIENCE_S,
                             label: str = "", include_suspect: bool = False) -> Scores:
    """`score_predictions` for code already inside an event loop."""
    from .heuristic import HeuristicJudge

    judge = judge or HeuristicJudge()
    ok, outcomes, errors, todo, no_response = _prepare(preds)
    verdicts = dict(zip(todo, await judge.ajudge([judge_item(ok[i]) for i in todo]))) if todo else {}
    return assemble(ok, outcomes, verdicts, errors, judge.name, patience_s, label, judge.describe(), no_response,
                    include_suspect)
