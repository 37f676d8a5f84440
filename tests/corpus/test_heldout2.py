"""The second held-out scene set (tests/fixtures/heldout2): it loads through the release reader,
is balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it (the set is measured, never
tuned on: tests/fixtures/heldout2/README.md)."""

from __future__ import annotations

import collections
import datetime
import importlib.util
import json
from pathlib import Path

import pytest

from provoice_live.corpus.builder.sounds import synth_class
from provoice_live.corpus.locator import CueFacts, TimedLine, locate_cue
from provoice_live.corpus.official import read_records
from provoice_live.corpus.official.records import read_tools
from provoice_live.corpus.official.revoice import official_jobs

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "heldout2"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"


@pytest.fixture(scope="module")
def records():
    recs, bad = read_records(SCENES)
    assert bad == []
    return recs


def test_set_is_balanced_twelve_per_task_six_positive(records):
    counts = collections.Counter((r.task, r.label) for r in records)
    assert counts == {(t, lab): 6 for t in ("PIC", "LTM", "CFC", "ESS") for lab in (True, False)}
    assert len({r.id for r in records}) == 48
    for r in records:
        assert bool(r.gt_response) == r.label, r.id  # a positive has a reply, a negative none
        assert r.label or not r.gt_tool_calls, r.id


def test_files_are_what_the_generator_writes():
    spec = importlib.util.spec_from_file_location("heldout2_make_scenes", HERE / "make_scenes.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.main(["--check"]) == 0
    assert gen.dump(gen.records()) == SCENES.read_text(encoding="utf-8")  # deterministic


def test_tools_load_and_every_reference_call_names_one(records):
    tools = {t.name: t for t in read_tools(TOOLS)}
    assert len(tools) == 14
    for r in records:
        for call in r.gt_tool_calls:
            assert call.name in tools, (r.id, call.name)
            assert set(call.arguments) <= set(tools[call.name].parameters["properties"]), (r.id, call.name)


def test_every_scene_becomes_a_build_job(records):
    jobs, skipped = official_jobs(SCENES, TOOLS, seed=0)
    assert skipped == [] and len(jobs) == 48
    for r in records:
        if r.task in ("LTM", "ESS"):
            assert r.instruction_turn == 0 and r.instruction, r.id


def test_ess_sounds_are_synthesised_and_negatives_keep_a_sound(records):
    for r in (x for x in records if x.task == "ESS"):
        sounds = [t.text for t in r.turns if t.speaker == "sound"]
        assert len(sounds) == 1 and synth_class(sounds[0]) is not None, (r.id, sounds)
        if r.label:
            assert r.turns[r.cue_turn].speaker == "sound", r.id


def test_the_cue_locator_finds_each_spoken_cue_in_the_last_turn(records):
    """Timed one line a second apart (no word timings), the locator picks the quoted sentence of the
    cue turn for every spoken positive, by its quote."""
    for r in (x for x in records if x.label and x.task != "ESS"):
        lines = [TimedLine(t.speaker, t.text, 10.0 * i, 10.0 * i + 8.0) for i, t in enumerate(r.turns)]
        found = locate_cue(lines, CueFacts.of(r))
        assert found.how.startswith("quote"), (r.id, found.how)
        assert found.lines == (len(r.turns) - 1,), (r.id, found.lines)
        assert found.window.start_s >= lines[-1].start_s and found.window.end_s <= lines[-1].end_s + 1e-6, r.id


def test_each_scene_clock_names_its_own_weekday():
    for raw in json.loads(SCENES.read_text(encoding="utf-8")):
        info = raw["user_states"]["datetime_info"]
        now = datetime.datetime.strptime(info["current_datetime"], "%Y-%m-%d %H:%M")
        assert now.strftime("%A") == info["day_of_week"], raw["meta"]["uuid"]
