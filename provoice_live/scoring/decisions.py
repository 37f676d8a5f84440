"""Decision metrics: the paper's Table 1 (Recall, FPR, Accuracy), as pure functions over counts.

A sample's outcome comes from its label (should the agent intervene?) and the decision (did it?):

| label    | intervened | outcome |
|----------|------------|---------|
| positive | yes        | TP      |
| positive | no         | FN      |
| negative | yes        | FP      |
| negative | no         | TN      |

Recall = TP/(TP+FN), FPR = FP/(FP+TN), Accuracy = (TP+TN)/N. A ratio whose denominator is zero is
undefined (`None`: "n/a" in tables, `null` in JSON), never a division by zero: a task with no
negative samples has no FPR. "overall" pools the counts of every sample (micro average), which is
what the paper's Overall columns are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

OUTCOMES = ("TP", "FP", "TN", "FN")
PAPER_TASK_ORDER = ("CFC", "LTM", "PIC", "ESS")  # the column order of the paper's tables
OVERALL = "overall"

# (label, intervened) -> outcome
_OUTCOME = {(True, True): "TP", (True, False): "FN", (False, True): "FP", (False, False): "TN"}


def outcome(label: bool, intervened: bool) -> str:
    """"TP", "FP", "TN" or "FN" for one sample."""
    return _OUTCOME[(bool(label), bool(intervened))]


def ratio(num: int | float, den: int | float) -> float | None:
    """num/den, or None when den is 0 (an undefined rate is reported as such, not as 0)."""
    return num / den if den else None


@dataclass(frozen=True)
class Confusion:
    """The confusion matrix of a set of samples and the three rates of Table 1."""

    tp: int = 0
    fp: int = 0
    tn: int = 0
    fn: int = 0

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        return self.fp + self.tn

    @property
    def recall(self) -> float | None:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def fpr(self) -> float | None:
        return ratio(self.fp, self.fp + self.tn)

    @property
    def accuracy(self) -> float | None:
        return ratio(self.tp + self.tn, self.n)

    def __add__(self, other: "Confusion") -> "Confusion":
        return Confusion(self.tp + other.tp, self.fp + other.fp, self.tn + other.tn, self.fn + other.fn)

    def to_json(self) -> dict:
        """`{recall, fpr, accuracy, tp, fp, tn, fn, n}` (the `decision` entries of `score --json`)."""
        return {"recall": self.recall, "fpr": self.fpr, "accuracy": self.accuracy,
                "tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn, "n": self.n}


def confusion(outcomes: Iterable[str]) -> Confusion:
    """Count a sequence of outcomes ("TP", "FP", "TN", "FN")."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for o in outcomes:
        counts[o] += 1
    return Confusion(tp=counts["TP"], fp=counts["FP"], tn=counts["TN"], fn=counts["FN"])


def task_order(tasks: Iterable[str]) -> list[str]:
    """The tasks present, in the paper's column order (unknown names last, sorted)."""
    present = set(tasks)
    known = [t for t in PAPER_TASK_ORDER if t in present]
    return known + sorted(present - set(PAPER_TASK_ORDER))


def decision_table(rows: Iterable[tuple[str, str]], tasks: Iterable[str] = ()) -> dict[str, Confusion]:
    """Per task and pooled: `rows` are (task, outcome) pairs. Keys: tasks (paper order), "overall".

    `tasks` names tasks to show even without a row (e.g. every sample of it errored)."""
    by_task: dict[str, list[str]] = {t: [] for t in tasks}
    for task, out in rows:
        by_task.setdefault(task, []).append(out)
    table = {task: confusion(by_task[task]) for task in task_order(by_task)}
    table[OVERALL] = sum(table.values(), Confusion())
    return table
