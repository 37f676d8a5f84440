"""The third held-out scene set (tests/fixtures/heldout3), written blind: it loads through the release
reader, is balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it (the set is measured once,
never tuned on: tests/fixtures/heldout3/README.md)."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from provoice_live.corpus.builder.sounds import synth_class
from provoice_live.corpus.locator import CueFacts, TimedLine, locate_cue
from provoice_live.corpus.official import read_records
from provoice_live.corpus.official.records import read_tools
from provoice_live.corpus.official.revoice import official_jobs
from provoice_live.sound_classes import sound_class
from support.scene_sets import assert_generator_writes_the_files

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "heldout3"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"


@pytest.fixture(scope="module")
def records():
    recs, bad = read_records(SCENES)
    assert bad == []
    return recs


@pytest.fixture(scope="module")
def generator():
    return assert_generator_writes_the_files(HERE, "heldout3_make_scenes")


def test_balanced_twelve_per_task_six_positive_and_the_first_eight_cover_every_cell(records):
    assert collections.Counter((r.task, r.label) for r in records) == {
        (t, lab): 6 for t in ("PIC", "LTM", "CFC", "ESS") for lab in (True, False)}
    assert len({r.id for r in records}) == 48
    assert {(r.task, r.label) for r in records[:8]} == {(t, lab) for t in ("PIC", "LTM", "CFC", "ESS")
                                                         for lab in (True, False)}  # `--limit 8` samples each
    for r in records:
        assert bool(r.gt_response) == r.label and bool(r.gt_tool_calls) == r.label, r.id


def test_generator_output_is_the_files_and_refuses_a_quote_the_cue_turn_does_not_say(generator):
    broken = json.loads(json.dumps(generator.CFC[0]))
    broken["scenario_cues"]["description"] += ' User1 also says: "a sentence nobody says."'
    with pytest.raises(ValueError, match="h3-cfc-p1-garage-day"):
        generator._checked(broken)


def test_every_reference_call_names_an_offered_tool_with_its_own_arguments(records):
    tools = {t.name: t for t in read_tools(TOOLS)}
    assert len(tools) == 15
    for r in records:
        for call in r.gt_tool_calls:
            assert call.name in tools, (r.id, call.name)
            props = tools[call.name].parameters
            assert set(call.arguments) <= set(props["properties"]), (r.id, call.name)
            assert set(props.get("required", [])) <= set(call.arguments), (r.id, call.name)


def test_every_scene_builds_and_standing_requests_come_first(records):
    jobs, skipped = official_jobs(SCENES, TOOLS, seed=0)
    assert skipped == [] and len(jobs) == 48
    for r in records:
        assert (r.instruction_turn == 0 and bool(r.instruction)) == (r.task in ("LTM", "ESS")), r.id


def test_each_ess_scene_has_one_synthesised_sound_the_positive_ones_as_their_cue(records):
    for r in (x for x in records if x.task == "ESS"):
        sounds = [t.text for t in r.turns if t.speaker == "sound"]
        assert len(sounds) == 1 and synth_class(sounds[0]) is not None, (r.id, sounds)
        if r.label:
            assert r.turns[r.cue_turn].speaker == "sound", r.id
            assert sound_class(sounds[0]).name in {sound_class(c).name for c in CueFacts.of(r).semantic_cue.split()
                                                  if sound_class(c)}, r.id


def test_the_cue_locator_finds_each_quoted_cue_inside_the_last_turn(records):
    """Lines timed ten seconds apart (no word timings): for every spoken positive the locator picks, by
    its quote, words of the cue turn only."""
    spoken = [x for x in records if x.label and x.task != "ESS"]
    assert len(spoken) == 18
    for r in spoken:
        lines = [TimedLine(t.speaker, t.text, 10.0 * i, 10.0 * i + 8.0) for i, t in enumerate(r.turns)]
        found = locate_cue(lines, CueFacts.of(r))
        assert found.how.startswith("quote"), (r.id, found.how)
        assert found.lines == (len(r.turns) - 1,), (r.id, found.lines)
        assert lines[-1].start_s <= found.window.start_s < found.window.end_s <= lines[-1].end_s + 1e-6, r.id
