"""Judge agreement (`score --judge openai:MODEL --judge-repeats N`): a fake OpenAI-compatible judge
(tests/fakes/openai_http.py: requests checked against the SDK's own types) that flips a known set
of verdicts gives the kappa, spread and per-sample agreement computed by hand; each repeat has its
own cache entry; the heuristic's agreement with the LLM is reported."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from aiohttp import web

from fakes.openai_http import FakeOpenAI, Reply
from fakes_scene_llm import running
from provoice_live.cli import main as cli_main
from provoice_live.scoring.agreement import cohen_kappa, fleiss_kappa, item_agreement, score_with_raters
from provoice_live.scoring.judges import VerdictCache, make_raters
from provoice_live.scoring.prompts import RESPONSE_TAG, TOOL_TAG

KEY_ENV = "PROVOICE_TEST_JUDGE_KEY"
N_ITEMS = 40
REPEATS = 3
FLIPPED = {(k, 2) for k in range(N_ITEMS) if k % 8 in (0, 1)}  # 10 of 40 (5 good, 5 bad), third repeat


class FlippingJudge(FakeOpenAI):
    """Grades "GOOD" replies 2/2 and others 0/0, but flips item k's verdict on its r-th asking when
    (k, r) is in FLIPPED. Requests the SDK would not build are refused (FakeOpenAI.refusal)."""

    def __init__(self) -> None:
        super().__init__(service="openai")
        self.seen: Counter = Counter()
        self.temperatures: set = set()

    async def chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        refused = self.refusal(body)
        if refused is not None:
            self.refused.append(refused)
            return web.json_response(refused, status=400)
        self.requests.append({"body": body})
        self.temperatures.add(body.get("temperature"))
        prompt = body["messages"][-1]["content"]
        said = prompt.split("## What the assistant did", 1)[1]
        k = int(said.split("ITEM-", 1)[1].split()[0].strip('".,'))
        r = self.seen[prompt]
        self.seen[prompt] += 1
        good = ("GOOD" in said) != ((k, r) in FLIPPED)
        g = 2 if good else 0
        return web.json_response(self._completion(body, Reply(
            f"<{TOOL_TAG}>{g}</{TOOL_TAG}><{RESPONSE_TAG}>{g}</{RESPONSE_TAG}>")))


def predictions(path):
    """N_ITEMS true positives (even k answered well, odd badly) and 20 true negatives."""
    lines = []
    for k in range(N_ITEMS):
        word = "GOOD" if k % 2 == 0 else "BAD"
        lines.append({"id": f"p{k}", "task": "LTM", "label": True, "intervened": True,
                      "response_text": f"{word} reply ITEM-{k} about the budget", "semantic_cue": "budget",
                      "gt_response": "The budget was mentioned.", "gt_tool_calls": []})
    for k in range(20):
        lines.append({"id": f"n{k}", "task": "CFC", "label": False, "intervened": False})
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return path


def test_fleiss_kappa_by_hand():
    # 3 items, 3 raters: P-bar = (1 + 1 + 1/3) / 3 = 63/81; shares 5/9 and 4/9 give P_e = 41/81
    assert fleiss_kappa([[1, 1, 1], [0, 0, 0], [1, 1, 0]], (0, 1)) == pytest.approx((63 - 41) / (81 - 41))
    assert fleiss_kappa([[1, 1], [1, 1]], (0, 1)) == 1.0  # one category: perfect
    assert fleiss_kappa([[1]], (0, 1)) is None  # one rater
    assert item_agreement([1, 1, 0]) == pytest.approx(1 / 3)
    assert cohen_kappa([1, 0, 1, 0], [1, 0, 0, 0]) == pytest.approx((0.75 - 0.5) / 0.5)


def test_repeats_with_flipped_verdicts_give_the_expected_kappa(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk-test")
    preds = predictions(tmp_path / "preds.jsonl")
    with running(FlippingJudge()) as server:
        code = cli_main(["score", str(preds), "--judge", "openai:judge-a", "--judge-repeats", str(REPEATS),
                         "--base-url", server.base_url, "--api-key-env", KEY_ENV, "--json",
                         str(tmp_path / "s.json"), "-q"])
        assert code == 0
        assert len(server.requests) == N_ITEMS * REPEATS and not server.refused
        assert server.temperatures == {1.0}  # repeats sample
        agr = json.loads((tmp_path / "s.json").read_text())["agreement"]
        # 30 unanimous items (P_i 1), 10 split 2-1 (P_i 1/3); categories 0 and 1 each half the ratings
        p_bar = (30 + 10 / 3) / 40
        assert agr["fleiss_kappa"] == pytest.approx((p_bar - 0.5) / 0.5)  # = 2/3
        assert agr["fleiss_kappa_tool"] == pytest.approx(2 / 3) and agr["fleiss_kappa_text"] == pytest.approx(2 / 3)
        assert agr["mean_item_agreement"] == pytest.approx(p_bar)
        assert agr["unanimous"] == pytest.approx(0.75)
        # R_acc: 20 TN score 1; TP: 20 good. Repeat 3: 5 good flipped to bad, 5 bad flipped to good.
        r = agr["r_acc"]["overall"]
        assert r["per_rater"] == [pytest.approx(40 / 60)] * 3
        assert r["sd"] == pytest.approx(0.0)
        assert agr["raters"] == ["openai:judge-a #1", "openai:judge-a #2", "openai:judge-a #3"]
        # the heuristic against the LLM consensus (median of three = the unflipped verdict)
        h = agr["heuristic_vs_llm"]
        assert h["n_items"] == N_ITEMS and 0.0 <= h["exact_agreement"] <= 1.0

        # verdicts cached per repeat: a rerun asks nothing
        cache = VerdictCache(tmp_path / "judge_cache.jsonl")
        assert len(cache) == N_ITEMS * REPEATS
        assert Counter(e["repeat"] for e in cache._entries.values()) == {0: N_ITEMS, 1: N_ITEMS, 2: N_ITEMS}
        assert cli_main(["score", str(preds), "--judge", "openai:judge-a", "--judge-repeats", str(REPEATS),
                         "--base-url", server.base_url, "--api-key-env", KEY_ENV, "-q"]) == 0
        assert len(server.requests) == N_ITEMS * REPEATS


def test_two_judges_and_the_heuristic_agreement(tmp_path, monkeypatch):
    from provoice_live.scoring.inputs import read_predictions
    from provoice_live.scoring.tables import render_tables

    monkeypatch.setenv(KEY_ENV, "sk-test")
    preds = read_predictions(predictions(tmp_path / "preds.jsonl"))
    with running(FlippingJudge()) as server:
        raters = make_raters(["openai:judge-a", "openai:judge-b", "heuristic"], 1, None, base_url=server.base_url,
                             api_key_env=KEY_ENV, cache_path=tmp_path / "c.jsonl")
        scores = score_with_raters(preds, raters, 5.0)
    assert server.temperatures == {0.0}
    agr = scores.agreement
    assert agr.raters == ["openai:judge-a #1", "openai:judge-b #1", "heuristic (offline)"]
    # two LLM judges agree everywhere (no third asking); the heuristic gives its own verdicts
    h = [i["s"][2] for i in agr.items]
    assert all(i["s"][0] == i["s"][1] for i in agr.items)
    expect_p = sum(item_agreement(i["s"]) for i in agr.items) / N_ITEMS
    assert agr.mean_item_agreement == pytest.approx(expect_p)
    llm = [i["s"][0] for i in agr.items]
    assert agr.heuristic["exact_agreement"] == pytest.approx(sum(a == b for a, b in zip(h, llm)) / N_ITEMS)
    assert agr.heuristic["cohen_kappa"] == pytest.approx(cohen_kappa(h, llm))
    text = render_tables(scores)
    assert "Fleiss' kappa (S_i)" in text and "openai:judge-b #1" in text
    # Table 2 is the first rater's
    assert scores.response["overall"].r_acc == pytest.approx(agr.r_acc["overall"][0])


def test_bad_repeats_is_one_clear_line(tmp_path, capsys):
    preds = predictions(tmp_path / "preds.jsonl")
    assert cli_main(["score", str(preds), "--judge-repeats", "0", "-q"]) != 0
    assert "--judge-repeats must be >= 1" in capsys.readouterr().err
