"""The eighth development scene set (tests/fixtures/dev8), written blind: it loads through the release
reader, is balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it. The set is development data
(the lead studies the agent's errors on it), written by a helper that never read the agent:
tests/fixtures/dev8/README.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from provoice_live.corpus.official import read_records
from support.scene_sets import (assert_balanced, assert_calls_name_tools, assert_clocks_name_their_weekday,
                                assert_cues_located_by_quote, assert_ess_cues_name_their_sound,
                                assert_ess_sounds_synthesised, assert_every_scene_builds,
                                assert_generator_writes_the_files, assert_ids_alternate_by_label)

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "dev8"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"
ID = re.compile(r"^d8-(pic|ltm|cfc|ess)-([pn])([1-6])-[a-z0-9-]+$")


@pytest.fixture(scope="module")
def records():
    recs, bad = read_records(SCENES)
    assert bad == []
    return recs


@pytest.fixture(scope="module")
def raw():
    return json.loads(SCENES.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def generator():
    return assert_generator_writes_the_files(HERE, "dev8_make_scenes")


def test_balanced_twelve_per_task_six_positive_every_positive_calls_a_tool(records):
    assert_balanced(records)
    for r in records:
        assert bool(r.gt_tool_calls) == r.label, r.id


def test_records_alternate_positive_and_negative_and_each_block_of_eight_covers_every_cell(records):
    """So `build-corpus --limit 8` has one of each (task, label); ids carry task and label."""
    for i, r in enumerate(records):
        assert r.label == (i % 2 == 0) and ID.match(r.id), r.id
    assert_ids_alternate_by_label(records, every_block=True)


def test_scenes_have_four_to_ten_turns_and_clocks_name_their_weekday(records):
    for r in records:
        assert 4 <= len(r.turns) <= 10, (r.id, len(r.turns))
    assert_clocks_name_their_weekday(SCENES)


def test_cfc_records_carry_the_user_and_the_app_that_holds_the_cue(raw):
    cfc = [x for x in raw if x["meta"]["task_name"] == "digital_memory"]
    assert len(cfc) == 12
    for x in cfc:
        states = x["user_states"]
        assert states["user_gender"] in ("male", "female") and isinstance(states["user_age"], int), x["meta"]["uuid"]
        assert states["app_cue"] in states["app_states"], x["meta"]["uuid"]
        assert all(set(a) == {"context", "state"} for a in states["app_states"].values()), x["meta"]["uuid"]


def test_generator_output_is_the_files_and_refuses_a_quote_the_cue_turn_does_not_say(generator):
    assert len(generator.records()) == 48
    broken = json.loads(json.dumps(generator.CFC[0]))
    broken["scenario_cues"]["description"] += ' User1 also says: "a sentence nobody says."'
    with pytest.raises(ValueError, match="d8-cfc-p1-dental-twenty-to"):
        generator._checked(broken)
    unquoted = json.loads(json.dumps(generator.PIC[0]))
    unquoted["scenario_cues"]["description"] = "User1 wants the tide times."
    with pytest.raises(ValueError, match="d8-pic-p1-whitby-high-tide"):
        generator._checked(unquoted)
    moved = json.loads(json.dumps(generator.LTM[0]))
    turns = moved["conversation"]["conversation_list"]
    turns.insert(-1, {"user": "1", "content": "Lunch first, then."})  # the quoted sentence is no longer the cue
    with pytest.raises(ValueError, match="d8-ltm-p1-museum-tour-time"):
        generator._checked(moved)
    wrong_sound = json.loads(json.dumps(generator.ESS[0]))
    wrong_sound["conversation"]["conversation_list"][-2]["content"] = "(Sound of cat)"
    with pytest.raises(ValueError, match="d8-ess-p1-puppy-crate-bark"):
        generator._checked(wrong_sound)


def test_every_reference_call_names_an_offered_tool_with_its_own_arguments(records):
    assert_calls_name_tools(TOOLS, records, 15)


def test_every_scene_builds_and_only_ltm_and_ess_open_with_a_standing_request(records):
    assert_every_scene_builds(SCENES, TOOLS, records)
    for r in records:
        assert (r.instruction_turn == 0 and bool(r.instruction)) == (r.task in ("LTM", "ESS")), r.id


def test_each_ess_scene_has_one_synthesised_sound_the_positive_ones_as_their_cue(records):
    assert_ess_sounds_synthesised(records)
    assert_ess_cues_name_their_sound(records)
    assert all(t.speaker != "sound" for r in records if r.task != "ESS" for t in r.turns)


def test_the_cue_locator_finds_each_quoted_cue_inside_the_last_turn(records):
    """Lines timed ten seconds apart (no word timings): for every spoken positive the locator picks, by
    its quote, words of the cue turn only, with one reading."""
    assert assert_cues_located_by_quote(records, one_reading=True) == 18
