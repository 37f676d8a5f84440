"""The tenth held-out scene set (tests/fixtures/heldout10), written blind: it loads through the release
reader, is balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it (the set is a blind test set:
measured, never developed against: tests/fixtures/heldout10/README.md)."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import pytest

from provoice_live.corpus.official import read_records
from support.scene_sets import (assert_balanced, assert_calls_name_tools, assert_clocks_name_their_weekday, assert_cues_located_by_quote,
                                assert_ess_cues_name_their_sound, assert_ess_sounds_synthesised,
                                assert_every_scene_builds, assert_generator_writes_the_files,
                                assert_ids_alternate_by_label)

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "heldout10"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"
TASKS = ("PIC", "LTM", "CFC", "ESS")
ID = re.compile(r"^h10-(pic|ltm|cfc|ess)-([pn])([1-6])-[a-z0-9-]+$")


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
    return assert_generator_writes_the_files(HERE, "heldout10_make_scenes")


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
    assert len(styled) == 4 and sum(x["conversation"]["conversation_list"][-1]["user"] == "model" for x in styled) == 2
    assert all(x["meta"]["style"] == "pipeline" for x in styled)
    for x in styled:
        states = x["user_states"]
        assert states["user_gender"] in ("male", "female") and isinstance(states["user_age"], int), x["meta"]["uuid"]
        assert states["app_cue"] in states["app_states"], x["meta"]["uuid"]
        for app in states["app_states"].values():  # the release's per-app layout
            assert set(app) == {"context", "state"} and set(app["state"]) == {"events", "key_events"}, x["meta"]["uuid"]
    ess = [x for x in raw if x["meta"]["task_name"] == "environment_sensing"]
    assert [x["meta"]["style"] for x in ess if not x["user_states"]["app_states"]] == ["pipeline"] * 4  # no app states


def test_generator_output_is_the_files_and_refuses_a_scene_of_the_wrong_form(generator):
    broken = json.loads(json.dumps(generator.CFC[0]))
    broken["scenario_cues"]["description"] += ' Ruth also says: "a sentence nobody says."'
    with pytest.raises(ValueError, match="h10-cfc-p1-doubles-final-on-sunday"):
        generator._checked(broken)
    unquoted = json.loads(json.dumps(generator.PIC[0]))
    unquoted["scenario_cues"]["description"] = "Dean does not know whether it will rain tomorrow."
    with pytest.raises(ValueError, match="h10-pic-p1-rain-on-mrs-dales-glass"):
        generator._checked(unquoted)
    silent_sound = json.loads(json.dumps(generator.ESS[0]))
    turns = silent_sound["conversation"]["conversation_list"]
    turns.insert(-1, {"user": "2", "content": "Chef, is that the alarm? I'll open the back door."})  # no longer the cue
    with pytest.raises(ValueError, match="h10-ess-p1-smoke-alarm-by-the-tandoor"):
        generator._checked(silent_sound)
    unnamed = json.loads(json.dumps(generator.ESS[0]))
    unnamed["scenario_cues"]["description"] = "Something goes off in the kitchen during service."
    with pytest.raises(ValueError, match="h10-ess-p1-smoke-alarm-by-the-tandoor"):
        generator._checked(unnamed)
    two_sounds = json.loads(json.dumps(generator.ESS[1]))
    two_sounds["conversation"]["conversation_list"].insert(2, {"user": "environment", "content": "(Sound of rain)"})
    with pytest.raises(ValueError, match="h10-ess-n1-phone-not-the-doorbell"):
        generator._checked(two_sounds)
    late_request = json.loads(json.dumps(generator.LTM[0]))
    late_request["conversation"]["conversation_list"].insert(0, {"user": "2", "content": "Morning, shall we start?"})
    with pytest.raises(ValueError, match="h10-ltm-p1-mr-ferreiras-new-tablets"):
        generator._checked(late_request)
    too_short = json.loads(json.dumps(generator.PIC[1]))
    del too_short["conversation"]["conversation_list"][1:]
    with pytest.raises(ValueError, match="h10-pic-n1-cash-and-carry-found"):
        generator._checked(too_short)
    stray_sound = json.loads(json.dumps(generator.CFC[1]))
    stray_sound["conversation"]["conversation_list"].insert(1, {"user": "environment", "content": "(Sound of dog barking)"})
    with pytest.raises(ValueError, match="h10-cfc-n1-bruno-quarter-to-one"):
        generator._checked(stray_sound)


def test_styles_are_a_third_each_per_task_and_domains_are_many_and_new(raw):
    cells = collections.Counter((x["meta"]["task_name"], x["meta"]["style"]) for x in raw)
    assert set(cells.values()) == {4} and len(cells) == 12
    for x in raw:  # p1, p2, n1, n2 pipeline; p3, p4, n3, n4 transcribed; p5, p6, n5, n6 voices
        k = int(ID.match(x["meta"]["uuid"]).group(3))
        assert x["meta"]["style"] == ("pipeline", "pipeline", "transcribed", "transcribed", "voices", "voices")[k - 1], x["meta"]["uuid"]
    assert len({x["meta"]["domain"] for x in raw}) >= 16


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
