"""The ninth held-out scene set (tests/fixtures/heldout9), written blind: it loads through the release
reader, is balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it (the set is a blind test set:
measured, never developed against: tests/fixtures/heldout9/README.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from provoice_live.corpus.official import read_records
from support.scene_sets import (assert_balanced, assert_calls_name_tools, assert_clocks_name_their_weekday, assert_cues_located_by_quote,
                                assert_ess_cues_name_their_sound, assert_ess_sounds_synthesised,
                                assert_every_scene_builds, assert_generator_writes_the_files,
                                assert_ids_alternate_by_label)

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "heldout9"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"
TASKS = ("PIC", "LTM", "CFC", "ESS")
ID = re.compile(r"^h9-(pic|ltm|cfc|ess)-([pn])([1-6])-[a-z0-9-]+$")


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
    return assert_generator_writes_the_files(HERE, "heldout9_make_scenes")


def test_balanced_twelve_per_task_six_positive_and_the_first_eight_cover_every_cell(records):
    assert_balanced(records, calls=True)
    assert {(r.task, r.label) for r in records[:8]} == {(t, lab) for t in TASKS for lab in (True, False)}
    assert [r.label for r in records] == [True, False] * 24  # positives and negatives alternate


def test_ids_name_task_and_label_and_scenes_have_four_to_ten_turns(records):
    assert_ids_alternate_by_label(records)  # a p/n marker and the task in every id
    for r in records:
        assert ID.match(r.id) and 4 <= len(r.turns) <= 10, (r.id, len(r.turns))


def test_clocks_name_their_weekday_and_pipeline_style_cfc_carries_the_user_and_the_app(raw):
    assert_clocks_name_their_weekday(SCENES)
    cfc = [x for x in raw if x["meta"]["task_name"] == "digital_memory"]
    styled = [x for x in cfc if "app_cue" in x["user_states"]]
    assert len(styled) == 6 and sum(x["conversation"]["conversation_list"][-1]["user"] == "model" for x in styled) == 3
    for x in styled:
        states = x["user_states"]
        assert states["user_gender"] in ("male", "female") and isinstance(states["user_age"], int), x["meta"]["uuid"]
        assert states["app_cue"] in states["app_states"], x["meta"]["uuid"]
        for app in states["app_states"].values():  # the release's per-app layout
            assert set(app) == {"context", "state"} and set(app["state"]) == {"events", "key_events"}, x["meta"]["uuid"]
    ess = [x for x in raw if x["meta"]["task_name"] == "environment_sensing"]
    assert sum(not x["user_states"]["app_states"] for x in ess) == 6  # the pipeline's ESS: no app states


def test_generator_output_is_the_files_and_refuses_a_scene_of_the_wrong_form(generator):
    broken = json.loads(json.dumps(generator.CFC[0]))
    broken["scenario_cues"]["description"] += ' User1 also says: "a sentence nobody says."'
    with pytest.raises(ValueError, match="h9-cfc-p1-physio-on-the-wrong-day"):
        generator._checked(broken)
    unquoted = json.loads(json.dumps(generator.PIC[0]))
    unquoted["scenario_cues"]["description"] = "User1 does not know how long the drive takes."
    with pytest.raises(ValueError, match="h9-pic-p1-linden-close-to-harper-road"):
        generator._checked(unquoted)
    silent_sound = json.loads(json.dumps(generator.ESS[0]))
    turns = silent_sound["conversation"]["conversation_list"]
    turns.insert(-1, {"user": "2", "content": "Was that the door? I'll get it."})  # the sound is no longer the cue
    with pytest.raises(ValueError, match="h9-ess-p1-doorbell-during-the-call"):
        generator._checked(silent_sound)
    unnamed = json.loads(json.dumps(generator.ESS[0]))
    unnamed["scenario_cues"]["description"] = "Something happens while User1 is on the call."
    with pytest.raises(ValueError, match="h9-ess-p1-doorbell-during-the-call"):
        generator._checked(unnamed)
    two_sounds = json.loads(json.dumps(generator.ESS[1]))
    two_sounds["conversation"]["conversation_list"].insert(2, {"user": "environment", "content": "(Sound of rain)"})
    with pytest.raises(ValueError, match="h9-ess-n1-cat-not-the-dog"):
        generator._checked(two_sounds)
    late_request = json.loads(json.dumps(generator.LTM[0]))
    late_request["conversation"]["conversation_list"].insert(0, {"user": "2", "content": "Is everyone on? I can see five faces."})
    with pytest.raises(ValueError, match="h9-ltm-p1-audit-pack-by-the-sixth"):
        generator._checked(late_request)
    too_short = json.loads(json.dumps(generator.PIC[1]))
    del too_short["conversation"]["conversation_list"][1:]
    with pytest.raises(ValueError, match="h9-pic-n1-rennet-already-measured"):
        generator._checked(too_short)


def test_every_reference_call_names_an_offered_tool_with_its_own_arguments(records):
    assert_calls_name_tools(TOOLS, records, 15)


def test_every_scene_builds_and_standing_requests_come_first(records):
    assert_every_scene_builds(SCENES, TOOLS, records)
    assert not any(r.instruction for r in records if r.task in ("PIC", "CFC")), "PIC and CFC have no standing request"


def test_each_ess_scene_has_one_synthesised_sound_the_positive_ones_as_their_cue(records):
    assert_ess_sounds_synthesised(records)
    assert_ess_cues_name_their_sound(records)
    assert all(t.speaker != "sound" for r in records if r.task != "ESS" for t in r.turns)


def test_the_cue_locator_finds_each_quoted_cue_inside_the_last_turn(records):
    """Lines timed ten seconds apart (no word timings): for every spoken positive the locator picks, by
    its quote, words of the cue turn only, with one reading."""
    assert assert_cues_located_by_quote(records, one_reading=True) == 18
