"""Predictions files made elsewhere are validated like a corpus (line, id, field, why): times that
are negative, NaN or infinite are refused; nothing the harness writes is non-standard JSON; and a
bounded fuzz test of the predictions reader."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from provoice_live.cli import main as cli_main
from provoice_live.errors import ProvoiceError
from provoice_live.jsontext import dumps
from provoice_live.run import EventLog, parse_record, read_records
from provoice_live.scoring.inputs import PredictionsError, read_predictions

GOOD = {"id": "a", "task": "PIC", "label": True, "intervened": True, "response_text": "ok",
        "tool_calls": [], "first_interjection_s": 4.0, "cue_start_s": 2.0, "cue_end_s": 3.0,
        "gt_response": "ok", "gt_tool_calls": [], "semantic_cue": "s"}
NEG = {"id": "n", "task": "LTM", "label": False, "intervened": False, "gt_response": "", "gt_tool_calls": []}


def strict_json(text: str):
    """Parse JSON refusing the non-standard NaN / Infinity tokens Python's json accepts."""
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")
    return json.loads(text, parse_constant=refuse)


def write_raw(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def line(**fields) -> str:
    """A predictions line as text; float('nan') etc. become the bare tokens a careless writer emits."""
    return json.dumps({**GOOD, **fields})


@pytest.mark.parametrize("text, field, why", [
    (line(first_interjection_s=float("nan")), "first_interjection_s", "finite"),
    (line(first_interjection_s=float("inf")), "first_interjection_s", "finite"),
    (line(first_interjection_s=-0.5), "first_interjection_s", ">= 0"),
    (line(first_interjection_s="nan"), "first_interjection_s", "finite"),
    (line(cue_start_s=float("-inf")), "cue_start_s", "finite"),
    (line(cue_start_s=-2.0), "cue_start_s", ">= 0"),
    (line(cue_end_s=float("nan")), "cue_end_s", "finite"),
    (line(cue_start_s=3.0, cue_end_s=2.0), "cue_end_s", "ends (2.0) before it starts (3.0)"),
    (line(monitor_from_s=float("inf")), "monitor_from_s", "finite"),
    (line(latency_parts={"speech_end_s": float("nan")}), "latency_parts.speech_end_s", "finite"),
    (line(premature_interjections=-1), "premature_interjections", ">= 0"),
])
def test_bad_times_are_refused_naming_line_id_and_field(tmp_path, text, field, why):
    path = write_raw(tmp_path / "p.jsonl", [json.dumps(NEG), text])
    with pytest.raises(PredictionsError) as info:
        read_predictions(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.sample_id, problem.field) == (2, "a", field) and why in problem.reason


def test_score_refuses_a_nan_time_in_one_line_without_traceback(tmp_path, capsys):
    path = write_raw(tmp_path / "p.jsonl", [json.dumps(NEG), line(first_interjection_s=float("nan"))])
    assert cli_main(["score", str(path), "-q", "--json", str(tmp_path / "s.json")]) == 1
    err = capsys.readouterr().err
    assert "line 2, sample 'a', field 'first_interjection_s'" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "s.json").exists()


def test_dumps_writes_null_for_non_finite_floats_and_never_a_bare_token():
    import numpy as np

    value = {"a": float("nan"), "b": [float("inf"), 1.5, np.float32("nan")], "c": {"d": -float("inf")}}
    text = dumps(value, default=lambda o: o.item())
    assert strict_json(text) == {"a": None, "b": [None, 1.5, None], "c": {"d": None}}


def test_event_logs_and_configs_are_standard_json(tmp_path):
    log = EventLog(tmp_path / "s.jsonl")
    log.write(parse_record({"kind": "poll", "t": float("nan"), "poll_id": 1, "speech_end_s": float("inf")}))
    log.write(parse_record({"kind": "interjection", "t": 1.0, "parts": {"x": float("nan")}}))
    log.close()
    text = (tmp_path / "s.jsonl").read_text()
    assert "NaN" not in text and "Infinity" not in text
    poll, inter = (strict_json(line) for line in text.splitlines())
    assert poll["t"] is None and poll["speech_end_s"] is None and inter["parts"] == {"x": None}
    assert [r.kind for r in read_records(tmp_path / "s.jsonl")] == ["poll", "interjection"]


def test_score_json_is_standard_json_when_no_latency_exists(tmp_path):
    """Nothing timed (no interjection at all): the latency figures are absent, written as null."""
    path = write_raw(tmp_path / "p.jsonl", [json.dumps(NEG), line(intervened=False, first_interjection_s=None)])
    assert cli_main(["score", str(path), "-q", "--json", str(tmp_path / "s.json")]) == 0
    strict_json((tmp_path / "s.json").read_text())


# ---- fuzz ---------------------------------------------------------------------------------------

HOSTILE = [None, "", "nan", "NaN", "-1", -1, -1e308, 1e308, 0, True, [], {}, {"a": 1}, "x" * 300, "é\u0000",
           float("nan"), float("inf"), -0.0, 2**70]


def mutate_line(rng: random.Random, base: dict) -> str:
    obj = dict(base)
    op = rng.randrange(5)
    if op == 0:  # a field gets a hostile value
        obj[rng.choice(list(obj) + ["judge", "latency_parts", "monitor_from_s", "status"])] = rng.choice(HOSTILE)
    elif op == 1:  # a field goes
        obj.pop(rng.choice(list(obj)), None)
    elif op == 2:  # the whole line is something else
        return json.dumps(rng.choice(HOSTILE))
    text = json.dumps(obj)
    if op == 3:  # truncated
        text = text[: rng.randrange(len(text))]
    elif op == 4:  # a garbled character
        k = rng.randrange(len(text))
        text = text[:k] + rng.choice(['"', "{", "]", ",", ":", "\\", "N", "\u00ff", " "]) + text[k + 1:]
    return text


def test_fuzzed_predictions_files_are_read_or_refused_clearly(tmp_path):
    """300 files of mutated lines (bounded at 30 s): the reader returns valid predictions or raises a
    ProvoiceError whose problems name a line; what it returns scores into standard JSON."""
    from provoice_live.scoring.judges import make_judge
    from provoice_live.scoring.scores import score_predictions
    from provoice_live.scoring.tables import to_json_text

    rng = random.Random(2)
    t0, refused, read = time.monotonic(), 0, 0
    for k in range(300):
        if time.monotonic() - t0 > 30:
            break
        lines = [mutate_line(rng, {**(GOOD if rng.random() < 0.6 else NEG), "id": f"s{i}"}) if rng.random() < 0.5
                 else json.dumps({**GOOD, "id": f"s{i}"}) for i in range(rng.randrange(1, 6))]
        path = write_raw(tmp_path / f"p{k}.jsonl", lines)
        try:
            preds = read_predictions(path)
        except PredictionsError as exc:
            refused += 1
            assert exc.problems and all(p.line and 1 <= p.line <= len(lines) for p in exc.problems)
            continue
        except ProvoiceError as exc:  # e.g. only blank lines
            refused += 1
            assert "\n" not in str(exc)
            continue
        read += 1
        scores = score_predictions(preds, make_judge("heuristic"), 5.0, label="fuzz")
        strict_json(to_json_text(scores))
    assert refused > 20 and read > 20  # both paths were exercised


# ---- a run directory whose predictions.jsonl was cut short --------------------------------------

@pytest.fixture
def finished_run(tmp_path):
    from helpers import buzz, make_corpus, sample

    corpus = make_corpus(tmp_path / "c", [sample(f"s{i}", label=i % 2 == 0, cue=(0.3, 0.8) if i % 2 == 0 else None,
                                                 _audio=buzz(1.2, seed=i)) for i in range(4)])
    out = tmp_path / "run"
    assert cli_main(["run", "--corpus", str(corpus), "--out", str(out), "--agent", "scripted", "--agent-opt",
                     "at=0.9", "--no-progress"]) == 0
    return out


def scores_json(out: Path, capsys) -> dict:
    assert cli_main(["score", str(out), "-q", "--json", str(out / "scores.json")]) == 0, capsys.readouterr().err
    return strict_json((out / "scores.json").read_text())


@pytest.mark.parametrize("cut", ["torn_last_line", "missing_lines", "empty"])
def test_score_rebuilds_a_truncated_predictions_file_from_the_results(finished_run, capsys, cut):
    whole = scores_json(finished_run, capsys)
    path = finished_run / "predictions.jsonl"
    text = path.read_text()
    path.write_text({"torn_last_line": text[: len(text) - 25], "missing_lines": "".join(text.splitlines(True)[:2]),
                     "empty": ""}[cut])
    rebuilt = scores_json(finished_run, capsys)
    assert rebuilt["decision"] == whole["decision"]  # the same figures as from the whole file
    assert any("rebuilt from sessions/" in note for note in rebuilt["notes"])


def test_a_truncated_predictions_file_without_its_corpus_says_how_to_repair_it(finished_run, capsys):
    config = json.loads((finished_run / "config.json").read_text())
    (finished_run / "config.json").write_text(json.dumps({**config, "corpus": None}))
    path = finished_run / "predictions.jsonl"
    path.write_text(path.read_text()[:-25])
    assert cli_main(["score", str(finished_run), "-q"]) == 1
    err = capsys.readouterr().err
    assert "predictions.jsonl is damaged (line 4" in err and "rerun the same `provoice-live run` command" in err
    assert "Traceback" not in err


def test_a_predictions_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(GOOD) + "\n", encoding="utf-8-sig")
    assert [p.id for p in read_predictions(path)] == ["a"]
