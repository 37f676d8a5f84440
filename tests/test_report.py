"""The report: timelines read from real session logs (a scripted agent run through the engine),
scoring a real run directory, the HTML page, and its rendering in headless Chromium."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from helpers import make_corpus, sample, timeline
from provoice_live.cli import main as cli_main
from provoice_live.engine.runner import run_corpus_async
from provoice_live.engine.session import SessionConfig
from provoice_live.run import EventLog, SessionTrace, parse_record
from provoice_live.report.html import entries, make_report
from provoice_live.report.timeline import SessionView, plot_timeline
from provoice_live.scoring.inputs import load_scoring_input
from provoice_live.scoring.scores import score_predictions

CHROMIUM = Path("/usr/bin/chromium")
AGENT_DELAY_S = 0.3


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A real run: 3 speech turns per sample; the scripted agent answers endpoint 2, 0.3 s after it."""
    tmp = tmp_path_factory.mktemp("report")
    audio = timeline([("silence", 0.4), ("speech", 1.2), ("silence", 0.7), ("speech", 1.5),
                      ("silence", 0.8), ("speech", 1.0), ("silence", 1.2)])
    corpus = make_corpus(tmp / "corpus", [
        sample("pic_pos", task="PIC", cue=(2.3, 3.8), _audio=audio, gt_response="I noticed something.",
               gt_tool_calls=[{"name": "note_taking", "arguments": {"content": "milk"}}], semantic_cue="milk",
               segments=[{"kind": "user2", "start_s": 0.4, "end_s": 1.6, "text": "Out of milk?"},
                         {"kind": "user1", "start_s": 2.3, "end_s": 3.8, "text": "We need milk."},
                         {"kind": "noise", "start_s": 0.0, "end_s": 6.8, "label": "home"}]),
        sample("pic_neg", task="PIC", label=False, cue=None, _audio=audio),
        sample("ltm_pos", task="LTM", cue=(2.3, 3.8), monitor_from_s=1.0, _audio=audio),
        sample("ess_late", task="ESS", cue=(0.4, 1.6), _audio=audio),
        sample("cfc_broken", task="CFC", audio="audio/none.wav", cue=(1.0, 2.0)),
    ])
    out = tmp / "run"
    opts = {"after_endpoint": str(AGENT_DELAY_S), "endpoints": "2", "text": "I noticed something.",
            "tool": "note_taking", "args": json.dumps({"content": "milk"})}
    asyncio.run(run_corpus_async(corpus, "scripted", opts, out, SessionConfig(clock="virtual"), progress=False,
                                 allow_invalid=True))  # cfc_broken has no audio: an errored session on purpose
    return out


def test_scoring_a_real_run_directory(run_dir):
    """Outcomes, the errored session kept apart, and latency parts measured by the engine."""
    inp = load_scoring_input(run_dir)
    scores = score_predictions(inp.predictions, patience_s=5.0, label=inp.label)
    outcomes = {s.id: s.outcome for s in scores.samples}
    assert outcomes == {"pic_pos": "TP", "pic_neg": "FP", "ltm_pos": "TP", "ess_late": "TP"}
    assert [e.id for e in scores.errors] == ["cfc_broken"]
    assert scores.decision["CFC"].n == 0 and scores.decision["overall"].n == 4
    pic = next(s for s in scores.samples if s.id == "pic_pos")
    assert pic.verdict.tool == 1.0 and pic.verdict.text == 1.0  # same tool, args and words as the reference
    # the agent answered the second endpoint (speech ends at 3.8 s) 0.3 s after the VAD found it
    assert 0.3 < pic.timing.latency_s < 1.2 and pic.timing.timely
    parts = scores.timing["overall"].parts
    assert parts["first_output_s"].median == pytest.approx(AGENT_DELAY_S, abs=0.03)
    assert 0.0 < parts["endpoint_s"].median < 1.0
    assert scores.label == "scripted (run)"


def test_session_view_reads_the_log(run_dir):
    view = SessionView.from_trace(SessionTrace.read(run_dir / "sessions" / "ltm_pos.jsonl"))
    assert view.id == "ltm_pos" and view.task == "LTM" and view.label is True
    assert view.cue == (2.3, 3.8) and view.monitor_from_s == 1.0
    assert Path(view.audio_path).is_file() and view.duration_s == pytest.approx(6.8, abs=0.01)
    assert len(view.speech) == 3
    starts = [a for a, _ in view.speech]
    assert starts[0] == pytest.approx(0.4, abs=0.15) and starts[1] == pytest.approx(2.3, abs=0.15)
    assert len(view.interjections) == 1 and view.interjections[0].scored
    assert view.interjections[0].tool_calls[0].name == "note_taking"
    assert view.polls and view.status == "ok"


def test_timelines_show_the_corpus_script_when_the_corpus_is_at_hand(run_dir):
    from provoice_live.report.html import Entry, corpus_samples, session_view
    from provoice_live.run import RunDir

    samples = corpus_samples(json.loads((run_dir / "config.json").read_text())["corpus"])
    view = session_view(RunDir(run_dir), Entry("pic_pos", "PIC", True, "TP"), None, samples)
    assert view.segments == [("user2", 0.4, 1.6, "Out of milk?"), ("user1", 2.3, 3.8, "We need milk.")]  # no noise bed
    assert corpus_samples("/no/such/corpus") == {}


def test_timeline_of_a_hand_written_log_with_unscored_speech_and_no_audio(tmp_path):
    log = EventLog(tmp_path / "x.jsonl")
    for r in [{"kind": "session_start", "t": 0.0, "session_id": "x", "task": "ESS", "label": False,
               "monitor_from_s": 2.0, "cue": None,
               "audio": {"path": str(tmp_path / "gone.wav"), "rate": 16000, "duration_s": 5.0}},
              {"kind": "vad", "t": 1.4, "event": "speech_start", "at_s": 1.0},
              {"kind": "interjection", "t": 1.5, "response_id": "r1", "scored": False,
               "text": "ok, I'll listen " * 20, "tool_calls": []},
              {"kind": "vad", "t": 4.9, "event": "speech_start", "at_s": 4.5},  # never closed: runs to the audio's end
              {"kind": "session_end", "t": 5.0, "status": "ok", "reason": None}]:
        log.write(parse_record(r))
    log.close()
    view = SessionView.from_trace(SessionTrace.read(tmp_path / "x.jsonl"))
    assert view.speech == [(4.5, 5.0)]  # a start without an end is closed at the audio's end
    assert not view.interjections[0].scored
    label = view.interjections[0].label(width=30, lines=3)
    assert len(label.splitlines()) == 3 and label.endswith("…")
    png = plot_timeline(view, tmp_path / "x.png", outcome="TN")
    assert png.stat().st_size > 10_000


def test_report_orders_errors_and_mistakes_first_and_caps_timelines(run_dir, tmp_path):
    scores = score_predictions(load_scoring_input(run_dir).predictions)
    assert [e.outcome for e in entries(scores)] == ["ERROR", "FP", "TP", "TP", "TP"]
    index = make_report(run_dir, tmp_path / "r", scores=scores, max_timelines=2)
    pngs = sorted(p.name for p in (tmp_path / "r" / "img").glob("timeline-*.png"))
    assert pngs == ["timeline-0000-cfc_broken.png", "timeline-0001-pic_neg.png"]
    page = index.read_text()
    assert "Timelines of 2 of 5 sessions" in page and "heuristic (offline)" in page
    assert 'src="img/latency.png"' in page and "Table 1" in page
    assert json.loads((tmp_path / "r" / "scores.json").read_text())["errors"]["count"] == 1


@pytest.mark.slow
def test_report_command_writes_every_timeline(run_dir, tmp_path, capsys):
    out = tmp_path / "report"
    assert cli_main(["report", str(run_dir), "--out", str(out), "--patience", "3"]) == 0
    assert len(list((out / "img").glob("timeline-*.png"))) == 5
    assert (out / "img" / "latency.png").stat().st_size > 10_000
    assert "patience 3 s" in (out / "index.html").read_text()


@pytest.mark.slow
@pytest.mark.browser
def test_report_renders_in_headless_chromium_without_errors(run_dir, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    index = make_report(run_dir, tmp_path / "r")
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            page.goto(index.as_uri())
            page.wait_for_load_state("load")
            images = page.eval_on_selector_all("img", "els => els.map(e => [e.getAttribute('src'), e.complete, e.naturalWidth])")
            title = page.title()
        finally:
            browser.close()
    assert problems == []
    assert len(images) == 6  # latency + 5 timelines
    assert all(complete and width > 0 for _, complete, width in images), images
    assert title.startswith("ProVoice-Bench report")


def test_a_run_cut_short_before_its_predictions_file_is_rebuilt_from_its_sessions(run_dir, tmp_path):
    import shutil

    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    (copy / "predictions.jsonl").unlink()
    rebuilt = load_scoring_input(copy).predictions  # the corpus comes from config.json
    original = load_scoring_input(run_dir).predictions
    assert [p.model_dump() for p in rebuilt] == [p.model_dump() for p in original]


def test_report_of_a_predictions_file_has_tables_but_no_timelines(run_dir, tmp_path):
    index = make_report(run_dir / "predictions.jsonl", tmp_path / "r")
    page = index.read_text()
    assert "No session logs" in page and "Table 2" in page
    assert not list((tmp_path / "r" / "img").glob("timeline-*.png"))
