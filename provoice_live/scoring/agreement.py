"""Judge agreement: how far R_acc can be trusted when the judge is a sampled model.

`score --judge openai:MODEL --judge-repeats N` asks every verdict N times (the model's sampling), and
`--judge` given more than once asks several judges; each (judge, repeat) is a **rater**. Over the
true positives every rater judged (the same items for all), this module reports:

* **R_acc per rater**, and over the raters its mean, sample standard deviation, minimum and maximum,
  overall and per task (TN score 1 and FP/FN 0 for every rater, so only the true positives vary);
* **per-sample agreement**: each item's S_i from every rater and Fleiss' P_i, the share of rater
  pairs that gave the same S_i (1 when unanimous); their mean P-bar and the unanimous share;
* **Fleiss' kappa** over the S_i categories (0, 0.25, 0.5, 0.75, 1), and over the tool and text
  verdicts separately (0, 0.5, 1): kappa = (P-bar - P_e) / (1 - P_e), where P_e is the sum of the
  squared category shares (Fleiss 1971). It is None when fewer than two raters or no item, and 1
  when every rating falls in one category (perfect agreement, P_e = 1);
* **the heuristic judge against the LLM judge** on the same items: the share of items where the
  heuristic's S_i equals the LLM raters' consensus (their median S_i, the lower middle on ties),
  Cohen's kappa between the two, and both R_acc figures.

Pure functions over verdicts; `score_with_raters` runs the judges and attaches the result to `Scores`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .decisions import OVERALL
from .response import Verdict

S_CATEGORIES = (0.0, 0.25, 0.5, 0.75, 1.0)
VERDICT_CATEGORIES = (0.0, 0.5, 1.0)


def s_value(v: Verdict) -> float:
    """S_i of a true positive under a verdict (equation 1)."""
    return (v.tool + v.text) / 2.0


def fleiss_kappa(ratings: Sequence[Sequence[float]], categories: Sequence[float]) -> float | None:
    """Fleiss' kappa of `ratings[item][rater]` (every item rated by the same number of raters, >= 2)."""
    if not ratings or len(ratings[0]) < 2:
        return None
    n = len(ratings[0])
    if any(len(r) != n for r in ratings):
        raise ValueError("Fleiss' kappa needs the same number of ratings for every item")
    counts = [Counter(r) for r in ratings]
    p_items = [(sum(c * c for c in cnt.values()) - n) / (n * (n - 1)) for cnt in counts]
    p_bar = sum(p_items) / len(p_items)
    total = n * len(ratings)
    p_e = sum((sum(cnt.get(cat, 0) for cnt in counts) / total) ** 2 for cat in categories)
    if p_e >= 1.0:
        return 1.0
    return (p_bar - p_e) / (1.0 - p_e)


def item_agreement(ratings: Sequence[float]) -> float:
    """Fleiss' P_i: the share of ordered rater pairs that agree on this item."""
    n = len(ratings)
    if n < 2:
        return 1.0
    return (sum(c * c for c in Counter(ratings).values()) - n) / (n * (n - 1))


def cohen_kappa(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Cohen's kappa between two raters over the same items (None without items; 1 if chance is 1)."""
    if not a:
        return None
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in ca) / (n * n)
    if p_e >= 1.0:
        return 1.0
    return (p_o - p_e) / (1.0 - p_e)


def consensus(values: Sequence[float]) -> float:
    """The raters' median S_i (the lower middle value when their number is even)."""
    return statistics.median_low(values)


@dataclass(frozen=True)
class Spread:
    """A figure over the raters: mean, sample standard deviation (None for one rater), min, max."""

    mean: float | None
    sd: float | None
    min: float | None
    max: float | None

    @classmethod
    def of(cls, values: Sequence[float | None]) -> "Spread":
        vals = [v for v in values if v is not None]
        if not vals:
            return cls(None, None, None, None)
        return cls(statistics.fmean(vals), statistics.stdev(vals) if len(vals) > 1 else None, min(vals), max(vals))

    def to_json(self) -> dict[str, float | None]:
        return {"mean": self.mean, "sd": self.sd, "min": self.min, "max": self.max}


@dataclass
class Agreement:
    """What `score` reports about its raters (the module docstring)."""

    raters: list[str]
    r_acc: dict[str, list[float | None]]  # task (and "overall") -> R_acc per rater
    items: list[dict[str, Any]]  # {id, task, s: [S_i per rater], agreement: P_i}
    kappa: float | None
    kappa_tool: float | None
    kappa_text: float | None
    heuristic: dict[str, Any] | None = None

    @property
    def mean_item_agreement(self) -> float | None:
        return statistics.fmean(i["agreement"] for i in self.items) if self.items else None

    @property
    def unanimous(self) -> float | None:
        return sum(i["agreement"] == 1.0 for i in self.items) / len(self.items) if self.items else None

    def spread(self, task: str = OVERALL) -> Spread:
        return Spread.of(self.r_acc.get(task, []))

    def to_json(self) -> dict[str, Any]:
        return {"raters": self.raters, "n_items": len(self.items),
                "r_acc": {t: {"per_rater": v, **Spread.of(v).to_json()} for t, v in self.r_acc.items()},
                "mean_item_agreement": self.mean_item_agreement, "unanimous": self.unanimous,
                "fleiss_kappa": self.kappa, "fleiss_kappa_tool": self.kappa_tool,
                "fleiss_kappa_text": self.kappa_text, "heuristic_vs_llm": self.heuristic, "items": self.items}


def agreement(raters: Sequence[str], verdicts: Sequence[Sequence[Verdict]], ids: Sequence[str],
              tasks: Sequence[str], base: Iterable[tuple[str, float | None]],
              heuristic: Sequence[Verdict] | None = None) -> Agreement:
    """Agreement of `verdicts[rater][item]` over the judged items `ids` (of `tasks`).

    `base` gives (task, S_i) of every scored sample that is not one of these items (TN 1, FP/FN 0,
    and true positives with a verdict from the predictions file), so each rater's R_acc is the
    Table 2 figure it would give. `heuristic` holds the offline judge's verdicts on the same items."""
    base = list(base)
    per_item = [[s_value(v[i]) for v in verdicts] for i in range(len(ids))]
    r_acc: dict[str, list[float | None]] = {}
    for task in list(dict.fromkeys([t for t, _ in base] + list(tasks))) + [OVERALL]:
        fixed = [s for t, s in base if task in (OVERALL, t)]
        mine = [k for k, t in enumerate(tasks) if task in (OVERALL, t)]
        if any(s is None for s in fixed):
            r_acc[task] = [None] * len(raters)
            continue
        n = len(fixed) + len(mine)
        r_acc[task] = [(sum(fixed) + sum(per_item[k][r] for k in mine)) / n if n else None
                       for r in range(len(raters))]
    items = [{"id": i, "task": t, "s": s, "agreement": item_agreement(s)} for i, t, s in zip(ids, tasks, per_item)]
    out = Agreement(
        raters=list(raters), r_acc=r_acc, items=items,
        kappa=fleiss_kappa(per_item, S_CATEGORIES),
        kappa_tool=fleiss_kappa([[v[i].tool for v in verdicts] for i in range(len(ids))], VERDICT_CATEGORIES),
        kappa_text=fleiss_kappa([[v[i].text for v in verdicts] for i in range(len(ids))], VERDICT_CATEGORIES))
    if heuristic is not None and ids:
        h = [s_value(v) for v in heuristic]
        llm = [consensus(s) for s in per_item]
        out.heuristic = {"n_items": len(ids), "exact_agreement": sum(a == b for a, b in zip(h, llm)) / len(ids),
                         "cohen_kappa": cohen_kappa(h, llm),
                         "mean_s_heuristic": statistics.fmean(h), "mean_s_llm": statistics.fmean(llm)}
    return out


# ---- running the raters -------------------------------------------------------------------------

def score_with_raters(preds, judges: Sequence, patience_s: float, label: str = "", include_suspect: bool = False):
    """Score with the first rater (Table 2, as a single judge would) and measure the agreement of all.

    `judges` are judge objects, one per rater (an `OpenAIJudge` per repeat); each has `rater`
    (its name in the agreement table) or else `name`. The heuristic judge's verdicts on the same
    items are added when any rater is an LLM."""
    from .heuristic import NAME as HEURISTIC_NAME
    from .heuristic import HeuristicJudge
    from .judges import judge_items
    from .scores import _prepare, assemble, judge_item

    ok, outcomes, errors, todo, no_response = _prepare(preds)
    items = [judge_item(ok[i]) for i in todo]
    rows = [judge_items(items, j) for j in judges]
    first = judges[0]
    scores = assemble(ok, outcomes, dict(zip(todo, rows[0])), errors, first.name, patience_s, label,
                      first.describe(), no_response, include_suspect)
    if len(judges) < 2 or no_response:
        return scores
    judged = set(todo)
    base = [(s.task, s.s_i) for k, s in enumerate(scores.samples) if k not in judged]
    llm = any(j.name != HEURISTIC_NAME for j in judges)
    scores.agreement = agreement([getattr(j, "rater", j.name) for j in judges], rows, [ok[i].id for i in todo],
                                 [ok[i].task for i in todo], base,
                                 HeuristicJudge().judge(items) if llm else None)
    scores.judge_info["raters"] = [j.describe() for j in judges]
    return scores
