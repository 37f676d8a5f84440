"""Reading what `score` scores: predictions files (bad lines), corpora filling ground truth, the
official `<uuid>_response.json` folders, and the `score` command's outputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from helpers import make_corpus, sample
from provoice_live.cli import main as cli_main
from provoice_live.errors import ProvoiceError, SampleError
from provoice_live.scoring.inputs import PredictionsError, load_scoring_input, read_predictions
from provoice_live.reply import parse_answer
from provoice_live.scoring.official import load_official


def write_lines(path: Path, lines: list) -> Path:
    path.write_text("".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines))
    return path


GOOD = {"id": "a", "task": "PIC", "label": True, "intervened": True, "response_text": "ok",
        "tool_calls": [], "first_interjection_s": 4.0, "cue_start_s": 2.0, "cue_end_s": 3.0,
        "gt_response": "ok", "gt_tool_calls": [], "semantic_cue": "s"}


# ---- predictions files --------------------------------------------------------------------------

def test_bad_lines_are_named_by_line_number_sample_and_field(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", [
        GOOD,
        {**GOOD, "id": "b", "task": "XYZ"},
        "{not json",
        {**GOOD, "id": "c", "intervened": "perhaps"},
        "",
        {**GOOD, "id": "d", "judge": {"tool": 0.7, "text": 1}},
        {**GOOD, "id": "a"},
        {k: v for k, v in GOOD.items() if k != "label"} | {"id": "e"},
    ])
    with pytest.raises(PredictionsError) as info:
        read_predictions(path)
    problems = [str(p) for p in info.value.problems]
    assert problems[0].startswith("line 2, sample 'b', field 'task'")
    assert problems[1].startswith("line 3: not valid JSON")
    assert problems[2].startswith("line 4, sample 'c', field 'intervened'")
    assert problems[3] == "line 6, sample 'd', field 'judge.tool': must be 0, 0.5 or 1, not 0.7"
    assert problems[4] == "line 7, sample 'a', field 'id': duplicate id (first on line 1)"
    assert problems[5].startswith("line 8, sample 'e', field 'label'")
    assert "6 bad line(s)" in str(info.value)


def test_bad_predictions_file_gives_one_clear_cli_error(tmp_path, capsys):
    path = write_lines(tmp_path / "p.jsonl", [GOOD, {**GOOD, "id": "b", "label": "yes please"}])
    assert cli_main(["score", str(path)]) == 1
    err = capsys.readouterr().err
    assert "line 2, sample 'b', field 'label'" in err and "Traceback" not in err


def test_missing_ground_truth_is_filled_from_the_corpus(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", [
        sample("a", task="PIC", cue=(2.0, 3.0), gt_response="Shall I add milk to the list?",
               semantic_cue="milk runs out", gt_tool_calls=[{"name": "note_taking", "arguments": {"content": "milk"}}]),
        sample("b", task="PIC", label=False, cue=None),
    ])
    path = write_lines(tmp_path / "p.jsonl", [
        {"id": "a", "task": "PIC", "label": True, "intervened": True, "response_text": "Add milk to your list?",
         "tool_calls": [{"name": "note_taking", "arguments": {"content": "milk"}}], "first_interjection_s": 3.5},
        {"id": "b", "task": "PIC", "label": False, "intervened": False},
    ])
    bare = load_scoring_input(path)
    assert bare.predictions[0].gt_response is None
    filled = load_scoring_input(path, corpus=corpus).predictions
    assert filled[0].gt_response == "Shall I add milk to the list?"
    assert filled[0].gt_tool_calls[0].name == "note_taking"
    assert (filled[0].cue_start_s, filled[0].cue_end_s, filled[0].semantic_cue) == (2.0, 3.0, "milk runs out")


def test_corpus_disagreeing_on_the_label_is_an_error(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", [sample("a", task="PIC")])
    path = write_lines(tmp_path / "p.jsonl", [{"id": "a", "task": "PIC", "label": False, "intervened": False}])
    with pytest.raises(SampleError, match="sample 'a', field 'label'"):
        load_scoring_input(path, corpus=corpus)
    path = write_lines(tmp_path / "q.jsonl", [{"id": "zz", "task": "PIC", "label": False, "intervened": False}])
    with pytest.raises(SampleError, match="sample 'zz', field 'id'"):
        load_scoring_input(path, corpus=corpus)


# ---- the official outputs -----------------------------------------------------------------------

def official_item(uuid: str, task: str, model_turn: dict | None, description: str = "a scene") -> dict:
    turns = [{"user": "1", "content": "some talk"}]
    if model_turn is not None:
        turns.append({"user": "model", **model_turn})
    return {"meta": {"uuid": uuid, "task_name": task}, "audio_filepath": f"audios/{uuid}.wav",
            "scenario_cues": {"description": description, "cues": [{"modality": "audio", "description": "a cue"}]},
            "user_states": {"app_states": {}, "datetime_info": {}},
            "conversation": {"user_infos": [{"user": "1", "user_gender": "female"}], "conversation_list": turns}}


@pytest.fixture
def official(tmp_path):
    """Six samples: replies plain, fenced, double-encoded, silent, unparseable, and one missing."""
    data = [
        official_item("u-pic", "single_turn_taking", {"content": "Add milk to your list?",
                                                      "tool_calls": [{"name": "note_taking", "parameters": {"content": "milk"}}]}),
        official_item("u-cfc", "digital_memory", {"content": "Your flight is on Friday, not Thursday.", "tool_calls": []}),
        official_item("u-ltm", "long_turn_taking", None),
        official_item("u-ess", "environment_sensing", {"content": "The alarm is ringing.", "tool_calls": []}),
        official_item("u-bad", "digital_memory", None),
        official_item("u-missing", "single_turn_taking", {"content": "x", "tool_calls": []}),
        official_item("u-weird", "no_such_task", None),
    ]
    data_json = tmp_path / "data.json"
    data_json.write_text(json.dumps(data))
    out = tmp_path / "qwen3omni_base"
    out.mkdir()
    (out / "u-pic_response.json").write_text(json.dumps(
        {"interaction_score": 2, "tool_calls": [{"name": "note_taking", "arguments": "{\"content\": \"milk\"}"}],
         "agent_response": "Shall I add milk to your list?"}, indent=4))
    (out / "u-cfc_response.json").write_text(
        'Sure, here it is:\n```json\n{"interaction_score": 1, "tool_calls": [], '
        '"agent_response": "Your flight is on Friday."}\n```')
    (out / "u-ltm_response.json").write_text(json.dumps(json.dumps(
        {"interaction_score": 0, "tool_calls": [], "agent_response": ""})))
    (out / "u-ess_response.json").write_text('{"interaction_score": 0, "tool_calls": [], "agent_response": ""}')
    (out / "u-bad_response.json").write_text('{"interaction_score": 1, "tool_calls": [ {"name": ')
    (out / "u-stray_response.json").write_text('{"tool_calls": [], "agent_response": ""}')
    return out, data_json


def test_parse_reply_reads_plain_fenced_and_double_encoded_json():
    def parse_reply(text):
        answer = parse_answer(text)
        return answer.tool_calls, answer.agent_response

    assert parse_reply('{"tool_calls": [], "agent_response": "hi"}') == ([], "hi")
    assert parse_reply('```json\n{"tool_calls": [], "agent_response": "hi"}\n```')[1] == "hi"
    assert parse_reply(json.dumps(json.dumps({"agent_response": "hi"})))[1] == "hi"
    calls, _ = parse_reply('{"tool_calls": [{"name": "shop", "arguments": "{\\"item\\": \\"milk\\"}"}]}')
    assert calls[0].arguments == {"item": "milk"}
    with pytest.raises(ValueError, match="no JSON object"):
        parse_reply("I think I should stay silent.")
    with pytest.raises(ValueError, match="agent_response is not a string"):
        parse_reply('{"agent_response": 3}')


def test_official_folder_counts_unparseable_and_missing_replies_as_errors(official):
    folder, data_json = official
    preds, notes = load_official(folder, data_json)
    by_id = {p.id: p for p in preds}
    assert [p.id for p in preds] == ["u-pic", "u-cfc", "u-ltm", "u-ess", "u-bad", "u-missing"]
    assert by_id["u-pic"].task == "PIC" and by_id["u-pic"].label and by_id["u-pic"].intervened
    assert by_id["u-pic"].gt_tool_calls[0].arguments == {"content": "milk"}  # `parameters` read as arguments
    assert "a scene" in by_id["u-pic"].semantic_cue and "a cue" in by_id["u-pic"].semantic_cue
    assert by_id["u-cfc"].intervened and by_id["u-cfc"].response_text == "Your flight is on Friday."
    assert not by_id["u-ltm"].label and not by_id["u-ltm"].intervened
    assert by_id["u-ess"].label and not by_id["u-ess"].intervened
    assert by_id["u-bad"].status == "error" and "does not parse" in by_id["u-bad"].error
    assert by_id["u-missing"].status == "error" and "no u-missing_response.json" in by_id["u-missing"].error
    assert any("u-stray" in n for n in notes)
    assert any("1 sample(s) of data.json could not be read" in n and "u-weird" in n for n in notes)


def test_score_command_on_official_outputs_reports_the_errors(official, tmp_path, capsys):
    folder, data_json = official
    out = tmp_path / "s.json"
    assert cli_main(["score", str(folder), "--official-data", str(data_json), "--json", str(out), "-q"]) == 0
    js = json.loads(out.read_text())
    # Scored: PIC TP, CFC TP, LTM TN, ESS FN; errors: u-bad, u-missing.
    overall = js["decision"]["overall"]
    assert (overall["tp"], overall["tn"], overall["fn"], overall["fp"], overall["n"]) == (2, 1, 1, 0, 4)
    assert js["errors"]["count"] == 2
    assert sorted(e["id"] for e in js["errors"]["samples"]) == ["u-bad", "u-missing"]
    assert js["judge"] == "heuristic (offline)"


def test_report_of_official_outputs_has_tables_and_no_timelines(official, tmp_path):
    folder, data_json = official
    assert cli_main(["report", str(folder), "--official-data", str(data_json), "--out", str(tmp_path / "r")]) == 0
    page = (tmp_path / "r" / "index.html").read_text()
    assert "No session logs" in page and "u-bad" in page and "does not parse" in page


def test_official_folder_without_data_json_asks_for_it(official, capsys):
    folder, _ = official
    assert cli_main(["score", str(folder)]) == 1
    assert "--official-data" in capsys.readouterr().err


def test_official_judge_verdicts_are_used_halved(official):
    folder, data_json = official
    (folder / "judge").mkdir()
    (folder / "judge" / "u-pic_judge_response.json").write_text(json.dumps({"tool_call_score": 2, "response_score": 1}))
    preds, notes = load_official(folder, data_json)
    assert next(p for p in preds if p.id == "u-pic").judge == {"tool": 1.0, "text": 0.5}
    assert any("official judge" in n for n in notes)


# ---- the score command's files ------------------------------------------------------------------

def test_score_writes_json_markdown_and_csv_naming_the_judge(tmp_path, capsys):
    path = write_lines(tmp_path / "p.jsonl", [
        GOOD,
        {**GOOD, "id": "n1", "label": False, "intervened": False, "gt_response": ""},
        {**GOOD, "id": "l1", "task": "LTM", "intervened": False, "first_interjection_s": None},
        {**GOOD, "id": "err", "status": "error", "error": "agent crashed"},
    ])
    j, m, c = tmp_path / "o.json", tmp_path / "o.md", tmp_path / "o.csv"
    assert cli_main(["score", str(path), "--json", str(j), "--markdown", str(m), "--csv", str(c),
                     "--patience", "2"]) == 0
    printed = capsys.readouterr().out
    assert "Table 1" in printed and "heuristic (offline)" in printed and "err" in printed
    js = json.loads(j.read_text())
    assert js["decision"]["PIC"] == {"recall": 1.0, "fpr": 0.0, "accuracy": 1.0, "tp": 1, "fp": 0, "tn": 1,
                                     "fn": 0, "n": 2}
    assert js["decision"]["LTM"]["fpr"] is None
    assert js["response"]["PIC"] == {"r_acc": 1.0, "n": 2}
    assert js["timing"]["PIC"]["latency_s"]["median"] == pytest.approx(1.0)
    assert js["judge"] == "heuristic (offline)" and js["patience_s"] == 2.0
    assert js["errors"]["samples"][0]["id"] == "err"
    md = m.read_text()
    assert "heuristic (offline)" in md and "| n/a |" in md and "How the heuristic (offline) judge scores" in md
    rows = list(csv.reader(io.StringIO(c.read_text())))
    assert rows[0] == ["section", "task", "metric", "value"]
    assert ["decision", "LTM", "fpr", ""] in rows
    assert ["meta", "overall", "judge", "heuristic (offline)"] in rows


def test_score_refuses_what_it_cannot_read(tmp_path):
    with pytest.raises(ProvoiceError, match="does not exist"):
        load_scoring_input(tmp_path / "nothing.jsonl")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ProvoiceError, match="neither a run directory"):
        load_scoring_input(tmp_path / "empty")
