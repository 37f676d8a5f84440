"""Table 1, Table 2 and timing from hand-counted predictions (pure functions, no I/O)."""

from __future__ import annotations

import math

import pytest

from provoice_live.corpus.sample import ToolCall
from provoice_live.run import Prediction
from provoice_live.scoring.decisions import Confusion, decision_table, outcome
from provoice_live.scoring.response import Verdict, r_acc, sample_score
from provoice_live.scoring.scores import score_predictions
from provoice_live.scoring.timing import sample_timing


def P(id, task, label, intervened, **kw) -> Prediction:
    return Prediction(id=id, task=task, label=label, intervened=intervened, **kw)


class CountingJudge:
    """A judge that records what it is asked and gives a fixed verdict."""

    name = "counting"

    def __init__(self, tool=1.0, text=0.5):
        self.asked: list[str] = []
        self.verdict = Verdict(tool, text, self.name)

    def judge(self, items):
        self.asked += [it.id for it in items]
        return [self.verdict for _ in items]

    async def ajudge(self, items):
        return self.judge(items)

    def describe(self):
        return {"judge": self.name}


# A hand-counted set: CFC has 3 positives (2 caught) and 2 negatives (1 false alarm);
# LTM has 2 positives (1 caught) and NO negatives, so its FPR is undefined.
HAND = [
    P("c1", "CFC", True, True), P("c2", "CFC", True, True), P("c3", "CFC", True, False),
    P("c4", "CFC", False, True), P("c5", "CFC", False, False),
    P("l1", "LTM", True, True), P("l2", "LTM", True, False),
]


def test_outcome_table_covers_the_four_cases():
    """label x intervened -> TP / FN / FP / TN."""
    assert [outcome(True, True), outcome(True, False), outcome(False, True), outcome(False, False)] == \
        ["TP", "FN", "FP", "TN"]


def test_hand_counted_confusion_matrices_per_task():
    """CFC: TP 2, FN 1, FP 1, TN 1 -> Rec 2/3, FPR 1/2, Acc 3/5."""
    table = score_predictions(HAND, CountingJudge()).decision
    cfc = table["CFC"]
    assert (cfc.tp, cfc.fn, cfc.fp, cfc.tn, cfc.n) == (2, 1, 1, 1, 5)
    assert cfc.recall == pytest.approx(2 / 3) and cfc.fpr == pytest.approx(0.5) and cfc.accuracy == pytest.approx(0.6)


def test_task_without_negatives_has_undefined_fpr_not_zero():
    """LTM has no negatives: FPR is None (n/a, JSON null), never a division by zero."""
    scores = score_predictions(HAND, CountingJudge())
    ltm = scores.decision["LTM"]
    assert (ltm.tp, ltm.fn, ltm.fp, ltm.tn) == (1, 1, 0, 0)
    assert ltm.fpr is None and ltm.recall == 0.5 and ltm.accuracy == 0.5
    assert scores.to_json()["decision"]["LTM"]["fpr"] is None


def test_overall_pools_samples_instead_of_averaging_tasks():
    """Overall: TP 3, FN 2, FP 1, TN 1 -> Rec 0.6 (the mean of task recalls would be 0.583)."""
    overall = score_predictions(HAND, CountingJudge()).decision["overall"]
    assert (overall.tp, overall.fn, overall.fp, overall.tn, overall.n) == (3, 2, 1, 1, 7)
    assert overall.recall == pytest.approx(0.6)
    assert overall.fpr == pytest.approx(0.5)
    assert overall.accuracy == pytest.approx(4 / 7)


def test_empty_confusion_has_no_rates():
    assert Confusion().recall is None and Confusion().fpr is None and Confusion().accuracy is None


def test_decision_table_orders_tasks_as_the_paper():
    table = decision_table([("PIC", "TP"), ("ESS", "TN"), ("CFC", "FN"), ("LTM", "FP")])
    assert list(table) == ["CFC", "LTM", "PIC", "ESS", "overall"]


# ---- equation 1 and 2 ---------------------------------------------------------------------------

@pytest.mark.parametrize("out, verdict, expected", [
    ("TP", Verdict(1.0, 1.0), 1.0),
    ("TP", Verdict(1.0, 0.5), 0.75),
    ("TP", Verdict(0.5, 0.0), 0.25),
    ("TP", Verdict(0.0, 0.0), 0.0),
    ("TN", None, 1.0),
    ("FP", None, 0.0),
    ("FN", None, 0.0),
])
def test_sample_score_is_equation_1(out, verdict, expected):
    assert sample_score(out, verdict) == expected


def test_verdicts_outside_the_scale_are_refused():
    with pytest.raises(ValueError, match="0, 0.5 or 1"):
        Verdict(0.7, 1.0)


def test_r_acc_is_the_mean_over_all_samples_and_the_judge_sees_only_true_positives():
    """S = 0.75 (TP), 1 (TN), 0 (FP), 0 (FN): R_acc = 1.75 / 4; the judge is asked about 1 sample."""
    preds = [P("tp", "PIC", True, True, gt_response="x"), P("tn", "PIC", False, False),
             P("fp", "PIC", False, True, response_text="hello"), P("fn", "PIC", True, False, gt_response="x")]
    judge = CountingJudge(tool=1.0, text=0.5)
    scores = score_predictions(preds, judge)
    assert judge.asked == ["tp"]
    assert scores.response["PIC"].r_acc == pytest.approx(0.4375)
    assert scores.response["overall"].n == 4
    by_id = {s.id: s.s_i for s in scores.samples}
    assert by_id == {"tp": 0.75, "tn": 1.0, "fp": 0.0, "fn": 0.0}


def test_r_acc_per_task_and_pooled():
    preds = [P("a", "CFC", False, False), P("b", "CFC", True, False, gt_response="x"),
             P("c", "ESS", True, True, judge={"tool": 1, "text": 1})]
    scores = score_predictions(preds, CountingJudge())
    assert scores.response["CFC"].r_acc == 0.5
    assert scores.response["ESS"].r_acc == 1.0
    assert scores.response["overall"].r_acc == pytest.approx(2 / 3)
    assert r_acc([]).r_acc is None


def test_verdicts_in_the_file_are_used_as_they_are():
    """A `judge` field is taken as given: the judge is not asked, and the tables say so."""
    preds = [P("a", "PIC", True, True, judge={"tool": 0.5, "text": 0}, gt_response="x"),
             P("b", "PIC", True, True, gt_response="x")]
    judge = CountingJudge(tool=1, text=1)
    scores = score_predictions(preds, judge)
    assert judge.asked == ["b"]
    assert {s.id: s.s_i for s in scores.samples} == {"a": 0.25, "b": 1.0}
    assert scores.judge == "counting + 1 verdicts from the predictions file"
    all_from_file = score_predictions(preds[:1], CountingJudge())
    assert all_from_file.judge == "verdicts from the predictions file"


def test_true_positive_without_any_ground_truth_leaves_r_acc_undefined_with_a_note():
    """A file made elsewhere without gt: decisions still scored, R_acc n/a, a note says --corpus."""
    judge = CountingJudge()
    scores = score_predictions([P("a", "PIC", True, True), P("b", "PIC", False, False)], judge)
    assert judge.asked == []
    assert scores.decision["PIC"].tp == 1 and scores.decision["PIC"].tn == 1
    assert scores.response["PIC"].r_acc is None and scores.response["overall"].n == 2
    assert any("sample 'a'" in n and "--corpus" in n for n in scores.notes)


# ---- errors -------------------------------------------------------------------------------------

def test_errored_sessions_are_reported_apart_not_counted_as_silence():
    """An errored negative would be a free TN if counted as silence: it is excluded and listed."""
    preds = HAND + [P("e1", "CFC", False, False, status="error", error="agent crashed"),
                    P("e2", "ESS", True, False, status="error", error="timeout")]
    scores = score_predictions(preds, CountingJudge())
    assert scores.decision["CFC"].n == 5 and scores.decision["overall"].n == 7
    assert scores.decision["ESS"].n == 0 and scores.decision["ESS"].recall is None
    assert scores.response["overall"].n == 7
    errs = scores.to_json()["errors"]
    assert errs["count"] == 2 and errs["by_task"] == {"CFC": 1, "ESS": 1}
    assert [e["id"] for e in errs["samples"]] == ["e1", "e2"]
    assert errs["samples"][0]["reason"] == "agent crashed"


# ---- timing -------------------------------------------------------------------------------------

def test_sample_timing_latency_timely_and_premature():
    """Cue [10, 12], patience 5: at 12.8 latency 0.8 and timely; at 17.5 late; at 9 premature."""
    on_time = sample_timing("TP", 12.8, 10.0, 12.0, 5.0)
    assert on_time.latency_s == pytest.approx(0.8) and on_time.timely and on_time.premature == 0
    late = sample_timing("TP", 17.5, 10.0, 12.0, 5.0)
    assert late.latency_s == pytest.approx(5.5) and late.timely is False
    early = sample_timing("TP", 9.0, 10.0, 12.0, 5.0)
    assert early.latency_s == pytest.approx(-3.0) and early.timely is False and early.premature == 1
    assert sample_timing("TP", 9.0, 10.0, 12.0, 5.0, premature_interjections=3).premature == 3
    missed = sample_timing("FN", None, 10.0, 12.0)
    assert missed.timely is False and missed.latency_s is None
    assert sample_timing("TN", None, None, None).timely is None
    assert sample_timing("TP", 3.0, None, None).timely is None  # no cue window: not timed


def test_timing_table_latency_statistics_and_timely_recall():
    """Latencies 0.5, 1, 1.5, 2, 8 (cue end 10): median 1.5, p90 5.6, mean 2.6; timely 4 of 6 positives."""
    lat = [0.5, 1.0, 1.5, 2.0, 8.0]
    preds = [P(f"p{i}", "PIC", True, True, first_interjection_s=10 + x, cue_start_s=8.0, cue_end_s=10.0,
               gt_response="x") for i, x in enumerate(lat)]
    preds.append(P("miss", "PIC", True, False, cue_start_s=8.0, cue_end_s=10.0, gt_response="x"))
    preds.append(P("neg", "PIC", False, False))
    t = score_predictions(preds, CountingJudge(), patience_s=5.0).timing["PIC"]
    assert t.latency.n == 5
    assert t.latency.median == pytest.approx(1.5)
    assert t.latency.p90 == pytest.approx(5.6)  # linear interpolation between 2 and 8
    assert t.latency.mean == pytest.approx(2.6)
    assert (t.timely, t.timely_n) == (4, 6) and t.timely_recall == pytest.approx(4 / 6)
    assert t.recall == pytest.approx(5 / 6)  # Table 1's recall beside it
    wider = score_predictions(preds, CountingJudge(), patience_s=10.0).timing["PIC"]
    assert wider.timely == 5


def test_latency_parts_are_stage_durations():
    """Absolute stream times become endpoint / request / first-output durations."""
    parts = {"speech_end_s": 10.2, "endpoint_detected_s": 10.6, "request_sent_s": 10.65, "first_output_s": 11.4}
    preds = [P("a", "PIC", True, True, first_interjection_s=11.4, cue_start_s=8, cue_end_s=10.2,
               latency_parts=parts, gt_response="x"),
             P("b", "PIC", True, True, first_interjection_s=12.0, cue_start_s=8, cue_end_s=10.0,
               latency_parts={"first_output_s": 12.0}, gt_response="x")]
    t = score_predictions(preds, CountingJudge()).timing["overall"]
    assert t.parts["endpoint_s"].n == 1 and t.parts["endpoint_s"].median == pytest.approx(0.4)
    assert t.parts["request_s"].median == pytest.approx(0.05)
    assert t.parts["first_output_s"].median == pytest.approx(0.75)
    js = t.to_json()
    assert js["latency_s"]["n"] == 2 and math.isclose(js["latency_s"]["median"], 1.6)


def test_json_has_the_spec_shape():
    preds = HAND + [P("t", "PIC", True, True, tool_calls=[ToolCall(name="x")], gt_response="x")]
    js = score_predictions(preds, CountingJudge()).to_json()
    assert set(js) >= {"decision", "response", "timing", "judge"}
    assert set(js["decision"]) == {"CFC", "LTM", "PIC", "overall"}
    assert set(js["decision"]["overall"]) == {"recall", "fpr", "accuracy", "tp", "fp", "tn", "fn", "n"}
    assert set(js["response"]["PIC"]) == {"r_acc", "n"}
    assert js["judge"] == "counting"
    assert js["patience_s"] == 5.0


def test_terminal_tables_fit_narrow_and_wide_terminals():
    """Narrow: one row per task with counts; wide: the paper's one-row layout with task groups."""
    from provoice_live.scoring.tables import render_tables

    scores = score_predictions(HAND, CountingJudge(), label="my-agent")
    narrow = render_tables(scores, width=80)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert "│ LTM     │ 0.500 │   n/a │ 0.500 │ 2 │  1 │  0 │  0 │  1 │" in narrow
    wide = render_tables(scores, width=170)
    row = next(line for line in wide.splitlines() if "my-agent" in line)
    cells = [c.strip() for c in row.split("│")[2:-1]]
    assert cells == ["0.667", "0.500", "0.600", "0.500", "n/a", "0.500", "0.600", "0.500", "0.571"]
    assert "heuristic" not in wide and "Judge: counting" in wide
