"""`provoice-live compare`: deltas between runs with seeded bootstrap intervals that cover the true
difference at their nominal rate on synthetic runs, paired when the runs share samples, and one
HTML page and JSON across runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from provoice_live.cli import main as cli_main
from provoice_live.scoring.compare import bootstrap_ci, compare
from provoice_live.scoring.inputs import read_predictions
from provoice_live.scoring.scores import score_predictions


def synthetic(rng, n: int, p_hit: float, p_fa: float) -> list[dict]:
    """n positives hit with probability p_hit and n negatives alarmed with probability p_fa."""
    lines = []
    for k in range(n):
        lines.append({"id": f"p{k}", "task": "LTM", "label": True, "intervened": bool(rng.random() < p_hit),
                      "judge": {"tool": 1, "text": 1}})
        lines.append({"id": f"n{k}", "task": "LTM", "label": False, "intervened": bool(rng.random() < p_fa)})
    return lines


def scored(lines):
    from provoice_live.run.results import Prediction

    return score_predictions([Prediction(**x) for x in lines])


def test_intervals_cover_the_true_difference_at_their_rate():
    """Over 100 synthetic pairs of runs (true recall 0.6 vs 0.75), the 90 % unpaired interval of the
    recall difference covers the true +0.15 about 90 % of the time."""
    rng = np.random.default_rng(7)
    covered = 0
    reps = 100
    for r in range(reps):
        a = scored(synthetic(rng, 150, 0.60, 0.2))
        b = scored(synthetic(rng, 150, 0.75, 0.2))
        cmp = compare([("a", a), ("b", b)], resamples=500, seed=r, level=0.9)
        d = next(d for d in cmp.deltas if d.task == "overall" and d.metric == "recall")
        assert d.paired  # same sample ids
        covered += d.low <= 0.15 <= d.high
    assert 0.80 <= covered / reps <= 0.98


def test_paired_resampling_sees_a_small_consistent_gain_the_unpaired_one_misses():
    ids = [f"s{k}" for k in range(60)]
    rng = np.random.default_rng(1)
    base = {i: float(rng.random() < 0.5) for i in ids}
    better = dict(base)
    for i in [i for i in ids if base[i] == 0.0][:8]:  # eight samples fixed, none broken: +0.133
        better[i] = 1.0
    gain = np.mean(list(better.values())) - np.mean(list(base.values()))
    lo, hi, paired = bootstrap_ci(base, better, 2000, 0)
    assert paired and lo > 0 and lo <= gain <= hi
    lo2, hi2, paired2 = bootstrap_ci(base, {f"x{k}": v for k, v in enumerate(better.values())}, 2000, 0)
    assert not paired2 and lo2 < 0 < hi2  # without the pairing the same gain is within the noise
    assert bootstrap_ci(base, better, 2000, 0) == (lo, hi, True)  # seeded: the same interval again


def test_compare_command_writes_one_page_and_json(tmp_path):
    rng = np.random.default_rng(3)
    paths = []
    for name, p_hit in (("base", 0.3), ("better", 0.95)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(x) + "\n" for x in synthetic(rng, 80, p_hit, 0.1)))
        paths.append(str(path))
    out = tmp_path / "cmp"
    assert cli_main(["compare", *paths, "--html", str(out / "index.html"), "--json", str(out / "c.json"),
                     "--markdown", str(out / "c.md"), "-q"]) == 0
    data = json.loads((out / "c.json").read_text())
    assert [r["label"] for r in data["runs"]] == ["base", "better"]
    rec = next(d for d in data["deltas"] if d["task"] == "overall" and d["metric"] == "recall")
    assert rec["significant"] and rec["ci_low"] > 0.4 and rec["diff"] == pytest.approx(
        data["runs"][1]["scores"]["decision"]["overall"]["recall"] - data["runs"][0]["scores"]["decision"]["overall"]["recall"])
    fpr = next(d for d in data["deltas"] if d["task"] == "overall" and d["metric"] == "fpr")
    assert fpr["ci_low"] <= fpr["diff"] <= fpr["ci_high"]
    page = (out / "index.html").read_text()
    assert "Table 1 across runs" in page and "bootstrap intervals" in page and "FA/h" in page
    # the same inputs and seed: byte-identical outputs
    assert cli_main(["compare", *paths, "--json", str(out / "c2.json"), "-q"]) == 0
    assert (out / "c2.json").read_text() == (out / "c.json").read_text()


def test_compare_needs_two_runs(tmp_path, capsys):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "a", "task": "LTM", "label": False, "intervened": False}) + "\n")
    assert cli_main(["compare", str(path)]) == 1
    assert "at least two runs" in capsys.readouterr().err
