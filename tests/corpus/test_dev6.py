"""The sixth development scene set (tests/fixtures/dev6), written blind: it loads through the release
reader, is balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it (tests/fixtures/dev6/README.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from provoice_live.corpus.official import read_records
from support.scene_sets import (assert_balanced, assert_calls_name_tools, assert_clocks_name_their_weekday,
                                assert_cues_located_by_quote, assert_ess_cues_name_their_sound,
                                assert_ess_sounds_synthesised, assert_every_scene_builds,
                                assert_generator_writes_the_files)

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "dev6"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"
TASKS = ("PIC", "LTM", "CFC", "ESS")


@pytest.fixture(scope="module")
def records():
    recs, bad = read_records(SCENES)
    assert bad == []
    return recs


@pytest.fixture(scope="module")
def generator():
    return assert_generator_writes_the_files(HERE, "dev6_make_scenes")


def test_balanced_twelve_per_task_six_positive_and_the_first_eight_cover_every_cell(records):
    assert_balanced(records)
    assert {(r.task, r.label) for r in records[:8]} == {(t, lab) for t in TASKS for lab in (True, False)}
    for r in records:
        assert bool(r.gt_tool_calls) == r.label, r.id  # every positive's reply makes a call
        assert re.fullmatch(rf"d6-{r.task.lower()}-{'p' if r.label else 'n'}[1-6]-[a-z0-9-]+", r.id), r.id
    for a, b in zip(records[::2], records[1::2]):  # positives and negatives alternate, tasks interleaved
        assert a.label and not b.label and a.task == b.task, (a.id, b.id)


def test_scenes_have_four_to_ten_turns_and_their_clocks_name_their_weekday(records):
    for r in records:
        assert 4 <= len(r.turns) <= 10, (r.id, len(r.turns))
        assert all(a.speaker != b.speaker for a, b in zip(r.turns, r.turns[1:])), r.id
    assert_clocks_name_their_weekday(SCENES)


def test_generator_output_is_the_files_and_refuses_a_quote_the_cue_turn_does_not_say(generator):
    broken = json.loads(json.dumps(generator.CFC[0]))
    broken["scenario_cues"]["description"] += ' Tanya also says: "a sentence nobody says."'
    with pytest.raises(ValueError, match="d6-cfc-p1-cleaning-time"):
        generator._checked(broken)
    cut = json.loads(json.dumps(generator.LTM[0]))  # a plural possessive ends the locator's quote early
    cut["scenario_cues"]["description"] = 'Jen says: "Grab the guys\' jerseys, please."'
    with pytest.raises(ValueError, match="d6-ltm-p1-warmup-time"):
        generator._checked(cut)
    unquoted = json.loads(json.dumps(generator.PIC[0]))
    unquoted["scenario_cues"]["description"] = "Marcus needs a conversion."
    with pytest.raises(ValueError, match="d6-pic-p1-carnitas-kilos"):
        generator._checked(unquoted)


def test_every_reference_call_names_an_offered_tool_with_its_own_arguments(records):
    assert_calls_name_tools(TOOLS, records, 17)


def test_every_scene_builds_and_standing_requests_come_first(records):
    assert_every_scene_builds(SCENES, TOOLS, records)
    for r in records:
        assert (r.instruction_turn == 0 and bool(r.instruction)) == (r.task in ("LTM", "ESS")), r.id


def test_each_ess_scene_has_one_synthesised_sound_the_positive_ones_as_their_cue(records):
    assert_ess_sounds_synthesised(records)
    assert_ess_cues_name_their_sound(records)


def test_the_cue_locator_finds_each_quoted_cue_inside_the_last_turn(records):
    """Lines timed ten seconds apart (no word timings): for every spoken positive the locator picks, by
    its quote, words of the cue turn only."""
    assert assert_cues_located_by_quote(records) == 18
