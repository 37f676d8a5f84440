"""The seventh development scene set (tests/fixtures/dev7), written blind: it loads through the release
reader, is balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it. The set is development data
(the lead studies the agent's errors on it), written by a helper that never read the agent:
tests/fixtures/dev7/README.md."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from provoice_live.corpus.official import read_records
from support.scene_sets import (assert_balanced, assert_calls_name_tools, assert_clocks_name_their_weekday,
                                assert_cues_located_by_quote, assert_ess_cues_name_their_sound,
                                assert_ess_sounds_synthesised, assert_every_scene_builds,
                                assert_generator_writes_the_files, assert_ids_alternate_by_label)

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "dev7"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"


@pytest.fixture(scope="module")
def records():
    recs, bad = read_records(SCENES)
    assert bad == []
    return recs


@pytest.fixture(scope="module")
def generator():
    return assert_generator_writes_the_files(HERE, "dev7_make_scenes")


def test_balanced_twelve_per_task_six_positive_every_positive_calls_a_tool(records):
    assert_balanced(records)
    for r in records:
        assert bool(r.gt_tool_calls) == r.label, r.id


def test_records_alternate_positive_and_negative_and_each_block_of_eight_covers_every_cell(records):
    """So `build-corpus --limit 8` has one of each (task, label); ids carry their label (`-p`/`-n`)."""
    for i, r in enumerate(records):
        assert r.label == (i % 2 == 0), r.id
    assert_ids_alternate_by_label(records, every_block=True)


def test_generator_output_is_the_files_and_refuses_a_quote_the_cue_turn_does_not_say(generator):
    assert len(generator.records()) == 48
    broken = json.loads(json.dumps(generator.CFC[0]))
    broken["scenario_cues"]["description"] += ' User1 also says: "a sentence nobody says."'
    with pytest.raises(ValueError, match="d7-cfc-p1-telecom-plan-rupees"):
        generator._checked(broken)
    unquoted = json.loads(json.dumps(generator.PIC[0]))
    unquoted["scenario_cues"]["description"] = "User1 wants a forecast."
    with pytest.raises(ValueError, match="d7-pic-p1-headland-sunrise"):
        generator._checked(unquoted)
    wrong_sound = json.loads(json.dumps(generator.ESS[0]))
    wrong_sound["conversation"]["conversation_list"][-2]["content"] = "(Sound of dog_bark)"
    with pytest.raises(ValueError, match="d7-ess-p1-oven-timer-buns"):
        generator._checked(wrong_sound)


def test_every_reference_call_names_an_offered_tool_with_its_own_arguments(records):
    assert_calls_name_tools(TOOLS, records, 15)


def test_every_scene_builds_and_only_ltm_and_ess_open_with_a_standing_request(records):
    assert_every_scene_builds(SCENES, TOOLS, records)
    for r in records:
        assert (r.instruction_turn == 0 and bool(r.instruction)) == (r.task in ("LTM", "ESS")), r.id


def test_each_ess_scene_has_one_synthesised_sound_the_positive_ones_named_as_their_cue(records):
    assert_ess_sounds_synthesised(records)
    assert_ess_cues_name_their_sound(records)


def test_the_cue_locator_finds_each_quoted_cue_inside_the_last_turn(records):
    assert assert_cues_located_by_quote(records) == 18


def test_each_scene_clock_names_its_own_weekday():
    assert_clocks_name_their_weekday(SCENES)


def test_scenes_are_four_to_ten_turns_and_half_follow_the_pipeline_style():
    raw = json.loads(SCENES.read_text(encoding="utf-8"))
    styles = collections.Counter()
    for r in raw:
        turns = [t for t in r["conversation"]["conversation_list"] if t["user"] != "model"]
        assert 4 <= len(turns) <= 10, r["meta"]["uuid"]
        styles[(r["meta"]["task_name"], r["meta"]["style"], r["conversation"]["conversation_list"][-1]["user"] == "model")] += 1
    assert set(styles.values()) == {3}, styles  # per task and label: 3 pipeline, 3 terse


def test_app_states_come_in_several_layouts():
    """The release's `{context, state}` apps, bare lists and objects of other shapes."""
    layouts = collections.Counter()
    for raw in json.loads(SCENES.read_text(encoding="utf-8")):
        for value in raw["user_states"]["app_states"].values():
            if isinstance(value, list):
                layouts["list"] += 1
            elif set(value) == {"context", "state"}:
                layouts["release"] += 1
            else:
                layouts["other object"] += 1
    assert layouts["release"] >= 15 and layouts["list"] >= 8 and layouts["other object"] >= 5, layouts
