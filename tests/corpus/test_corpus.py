"""The sample model, loading a corpus, and `provoice-live validate`."""

from __future__ import annotations

import json

import pytest

from support.helpers import make_corpus, sample, timeline
from provoice_live.agents.base import SessionContext
from provoice_live.cli import main as cli
from provoice_live.corpus import CorpusError, Sample, load_corpus, validate_corpus


def test_tool_schema_accepts_both_openai_forms():
    flat = {"type": "function", "name": "note_taking", "description": "d", "parameters": {"type": "object"}}
    nested = {"type": "function", "function": {"name": "note_taking", "description": "d", "parameters": {"type": "object"}}}
    a = Sample.model_validate(sample("a", tools=[flat], audio="a.wav"))
    b = Sample.model_validate(sample("b", tools=[nested], audio="b.wav"))
    assert a.tools[0] == b.tools[0]
    assert b.tools[0].chat_form()["function"]["name"] == "note_taking"


def test_agent_context_never_carries_ground_truth():
    s = Sample.model_validate(sample("a", audio="a.wav", instruction="tell me if they mention lunch", digital_context={"x": 1},
                                     gt_response="secret answer", semantic_cue="secret cue"))
    blind = SessionContext.for_sample(s, protocol="blind")
    paper = SessionContext.for_sample(s, protocol="paper")
    ablated = SessionContext.for_sample(s, protocol="blind", digital_context=False)
    dumped = blind.model_dump_json()
    assert "secret" not in dumped and "cue" not in json.loads(dumped)
    assert blind.task is None and paper.task == "LTM"
    assert blind.digital_context == {"x": 1} and ablated.digital_context is None
    assert blind.instruction == "tell me if they mention lunch"


def test_validate_reports_every_problem_with_line_sample_and_field(tmp_path):
    x = timeline([("speech", 1.0), ("silence", 0.5)])
    root = make_corpus(tmp_path / "c", [
        sample("ok", _audio=x, cue=(0.1, 0.9)),
        sample("ok", _audio=x, cue=(0.1, 0.9)),  # duplicate id
        sample("bad task", task="XYZ"),  # bad id pattern and bad task
        sample("escape", audio="../outside.wav"),
        sample("abs", audio="/etc/passwd"),
        sample("nocue", cue=None),  # positive without a cue
        sample("late", _audio=x, cue=(0.5, 9.0)),  # cue past the end
        sample("gone", audio="audio/gone.wav"),
    ])
    with (root / "manifest.jsonl").open("a") as fh:
        fh.write("{not json\n")
        fh.write("[1, 2]\n")
    problems = validate_corpus(root)
    text = [str(p) for p in problems]
    by = {(p.sample_id, p.field) for p in problems}
    assert ("ok", "id") in by  # duplicate
    assert any(p.field == "task" and p.line == 3 for p in problems)
    assert any(p.field == "id" and p.line == 3 for p in problems)
    assert ("escape", "audio") in by and ("abs", "audio") in by
    assert any(p.sample_id == "nocue" and "needs a cue" in p.reason for p in problems)
    assert ("late", "cue.end_s") in by
    assert ("gone", "audio") in by
    assert any("not valid JSON" in t and "line 9" in t for t in text)
    assert any("must be a JSON object" in t and "line 10" in t for t in text)
    with pytest.raises(CorpusError):
        load_corpus(root)


def test_symlink_leaving_the_corpus_is_refused(tmp_path):
    outside = tmp_path / "outside.wav"
    from provoice_live.audio import write_wav
    write_wav(outside, timeline([("speech", 0.5)]), 16000)
    root = make_corpus(tmp_path / "c", [sample("link", audio="audio/link.wav", cue=(0.0, 0.4))])
    (root / "audio" / "link.wav").symlink_to(outside)
    problems = validate_corpus(root)
    assert len(problems) == 1 and problems[0].field == "audio" and "leaves the corpus" in problems[0].reason


def test_validate_command_exit_codes(tmp_path, capsys):
    x = timeline([("speech", 1.0), ("silence", 0.5)])
    good = make_corpus(tmp_path / "good", [sample("a", _audio=x, cue=(0.1, 0.9)),
                                           sample("b", _audio=x, label=False, cue=None, task="CFC")])
    assert cli(["validate", str(good)]) == 0
    assert "ok: 2 samples" in capsys.readouterr().out
    bad = make_corpus(tmp_path / "bad", [sample("a", audio="audio/missing.wav")])
    assert cli(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "sample 'a'" in out and "field 'audio'" in out and "does not exist" in out
    assert cli(["validate", str(tmp_path / "nowhere")]) == 1


# --- one definition of a consistent sample (corpus.consistency) ------------------------------
def _seg(kind, start, end):
    return {"kind": kind, "start_s": start, "end_s": end}


def test_timing_rules_name_sample_and_field(tmp_path):
    x = timeline([("speech", 2.0), ("silence", 0.5)])  # 2.5 s
    root = make_corpus(tmp_path / "c", [
        sample("early", _audio=x, cue=(0.2, 0.9), monitor_from_s=1.0),  # cue before monitoring
        sample("over", _audio=x, cue=(1.2, 1.8), segments=[_seg("user1", 0.0, 1.0), _seg("user1", 0.6, 1.9)]),
        sample("silent", _audio=x, cue=(2.0, 2.4), segments=[_seg("user1", 0.0, 1.0), _seg("user2", 1.2, 1.8)]),
        sample("after", _audio=x, cue=(2.6, 2.7)),  # starts past the end (and ends past it)
        sample("monitor", _audio=x, cue=(2.0, 2.4), monitor_from_s=3.0),
        sample("twins", _audio=x, cue=(1.2, 1.8), segments=[_seg("user1", 0.0, 1.4), _seg("user2", 1.0, 1.9)]),
    ])
    by = {(p.sample_id, p.field): p for p in validate_corpus(root)}
    assert "before monitoring" in by[("early", "cue.start_s")].reason
    assert "before their previous line" in by[("over", "segments.1")].reason
    assert "no speech or sound" in by[("silent", "cue")].reason
    assert ("after", "cue.end_s") in by
    assert ("monitor", "monitor_from_s") in by and ("monitor", "cue.start_s") in by
    assert not [k for k in by if k[0] == "twins"]  # two different speakers may overlap
    # without audio the duration-free rules still hold
    nodur = {(p.sample_id, p.field) for p in validate_corpus(root, check_audio=False)}
    assert ("early", "cue.start_s") in nodur and ("after", "cue.end_s") not in nodur
    assert str(by[("early", "cue.start_s")]).startswith("line 1, sample 'early', field 'cue.start_s': ")


def test_run_refuses_a_corpus_that_validate_rejects(tmp_path, capsys):
    x = timeline([("speech", 1.0), ("silence", 0.5)])
    root = make_corpus(tmp_path / "c", [sample("fine", _audio=x, cue=(0.1, 0.9)),
                                        sample("late", _audio=x, cue=(0.5, 9.0))])
    out = tmp_path / "run"
    code = cli(["run", "--corpus", str(root), "--agent", "null", "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and not (out / "predictions.jsonl").exists()
    assert "line 2, sample 'late', field 'cue.end_s': 9.000 s is past the audio's end" in err
    assert "run refused: 1 problem(s)" in err and "Traceback" not in err
    code = cli(["run", "--corpus", str(root), "--agent", "null", "--out", str(out), "--no-progress",
                "--clock", "lockstep", "--allow-invalid"])
    assert code == 0 and len((out / "predictions.jsonl").read_text().splitlines()) == 2
