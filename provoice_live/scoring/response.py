"""Response accuracy: the paper's equations 1 and 2 (Table 2), as pure functions.

    S_i   = (J(S_c, T_p, T_g) + J(S_c, R_p, R_g)) / 2 * 1[pred_i == gt_i]        (1)
    R_acc = mean of S_i over the samples (per task, and pooled for "overall")      (2)

J is a judge's verdict in {0, 0.5, 1}, given only on true positives. What each outcome scores:

| outcome | S_i                                  | judge called? |
|---------|--------------------------------------|---------------|
| TP      | (tool verdict + text verdict) / 2    | yes           |
| TN      | 1 (a correct silence is all right)   | no            |
| FP, FN  | 0 (the indicator is 0)               | no            |

The paper's R_acc figures exceed what true positives alone could give, so a correct silence must
score 1; the official evaluation code does exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .decisions import OVERALL, task_order

VERDICT_VALUES = (0.0, 0.5, 1.0)


@dataclass(slots=True)
class Verdict:
    """A judge's verdict on one true positive: tool calls and text, each 0, 0.5 or 1."""

    tool: float
    text: float
    source: str = ""  # which judge gave it ("heuristic (offline)", "openai:MODEL", "predictions file")

    def __post_init__(self) -> None:
        for name in ("tool", "text"):
            if getattr(self, name) not in VERDICT_VALUES:
                raise ValueError(f"a verdict's {name} must be 0, 0.5 or 1, not {getattr(self, name)!r}")


def sample_score(outcome: str, verdict: Verdict | None = None) -> float:
    """S_i of equation 1 for one sample. A true positive needs its verdict."""
    if outcome == "TP":
        if verdict is None:
            raise ValueError("a true positive needs a judge verdict")
        return (verdict.tool + verdict.text) / 2.0
    if outcome == "TN":
        return 1.0
    if outcome in ("FP", "FN"):
        return 0.0
    raise ValueError(f"unknown outcome {outcome!r}")


@dataclass(frozen=True)
class ResponseSummary:
    """R_acc over n samples (None when n is 0)."""

    r_acc: float | None
    n: int

    def to_json(self) -> dict:
        return {"r_acc": self.r_acc, "n": self.n}


def r_acc(scores: Iterable[float]) -> ResponseSummary:
    """Equation 2: the mean of the S_i."""
    total, n = 0.0, 0
    for s in scores:
        total += s
        n += 1
    return ResponseSummary(total / n if n else None, n)


def response_table(rows: Iterable[tuple[str, float]], tasks: Iterable[str] = ()) -> dict[str, ResponseSummary]:
    """Per task and pooled: `rows` are (task, S_i) pairs. Keys: tasks (paper order), "overall"."""
    by_task: dict[str, list[float]] = {t: [] for t in tasks}
    for task, s in rows:
        by_task.setdefault(task, []).append(s)
    table = {task: r_acc(by_task[task]) for task in task_order(by_task)}
    table[OVERALL] = r_acc(s for task in by_task for s in by_task[task])
    return table
