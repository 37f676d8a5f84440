"""The eighth held-out scene set (tests/fixtures/heldout8), written blind: it loads through the release
reader, is balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it (the set is a blind test set:
measured, never developed against: tests/fixtures/heldout8/README.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from provoice_live.corpus.official import read_records
from provoice_live.corpus.official.revoice import official_jobs
from support.scene_sets import (assert_balanced, assert_calls_name_tools, assert_clocks_name_their_weekday,
                                assert_cues_located_by_quote, assert_ess_cues_name_their_sound,
                                assert_ess_sounds_synthesised, assert_every_scene_builds,
                                assert_generator_writes_the_files, assert_ids_alternate_by_label)

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "heldout8"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"
TASKS = ("PIC", "LTM", "CFC", "ESS")
ID = re.compile(r"^h8-(pic|ltm|cfc|ess)-([pn])([1-6])-[a-z0-9-]+$")


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
    return assert_generator_writes_the_files(HERE, "heldout8_make_scenes")


def test_balanced_twelve_per_task_six_positive_and_the_first_eight_cover_every_cell(records):
    assert_balanced(records, calls=True)
    assert {(r.task, r.label) for r in records[:8]} == {(t, lab) for t in TASKS for lab in (True, False)}
    assert [r.label for r in records] == [True, False] * 24  # positives and negatives alternate


def test_ids_name_task_and_label_and_scenes_have_four_to_ten_turns(records):
    assert_ids_alternate_by_label(records, every_block=True)
    for r in records:
        assert ID.match(r.id) and 4 <= len(r.turns) <= 10, (r.id, len(r.turns))


def test_a_quarter_in_the_plain_american_style_three_per_task(raw):
    styles = [(x["meta"]["task_name"], x["meta"]["style"]) for x in raw]
    assert {s for _, s in styles} == {"pipeline", "american"}
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        assert sum(s == "american" for t, s in styles if t == task) == 3, task


def test_clocks_name_their_weekday_and_cfc_carries_the_user_and_the_app(raw):
    assert_clocks_name_their_weekday(SCENES)
    cfc = [x for x in raw if x["meta"]["task_name"] == "digital_memory"]
    assert len(cfc) == 12
    for x in cfc:
        states = x["user_states"]
        assert states["user_gender"] in ("male", "female") and isinstance(states["user_age"], int), x["meta"]["uuid"]
        assert states["app_cue"] in states["app_states"], x["meta"]["uuid"]
        if x["meta"]["style"] == "pipeline":  # the release's per-app layout
            for app in states["app_states"].values():
                assert set(app) == {"context", "state"} and set(app["state"]) == {"events", "key_events"}, x["meta"]["uuid"]
    ess = [x for x in raw if x["meta"]["task_name"] == "environment_sensing" and x["meta"]["style"] == "pipeline"]
    assert len(ess) == 9 and not any(x["user_states"]["app_states"] for x in ess)  # the pipeline's ESS: no app states


def test_generator_output_is_the_files_and_refuses_a_scene_of_the_wrong_form(generator):
    broken = json.loads(json.dumps(generator.CFC[0]))
    broken["scenario_cues"]["description"] += ' Marcus also says: "a sentence nobody says."'
    with pytest.raises(ValueError, match="h8-cfc-p1-viewing-half-five"):
        generator._checked(broken)
    unquoted = json.loads(json.dumps(generator.PIC[0]))
    unquoted["scenario_cues"]["description"] = "Rachel wonders whether the desk fits."
    with pytest.raises(ValueError, match="h8-pic-p1-desk-in-the-alcove"):
        generator._checked(unquoted)
    silent_sound = json.loads(json.dumps(generator.ESS[0]))
    turns = silent_sound["conversation"]["conversation_list"]
    turns.insert(-1, {"user": "2", "content": "Was that the door?"})  # the sound is no longer the cue
    with pytest.raises(ValueError, match="h8-ess-p1-doorbell-during-the-shoot"):
        generator._checked(silent_sound)
    unnamed = json.loads(json.dumps(generator.ESS[0]))
    unnamed["scenario_cues"]["description"] = "Something happens during the shoot."
    with pytest.raises(ValueError, match="h8-ess-p1-doorbell-during-the-shoot"):
        generator._checked(unnamed)
    two_sounds = json.loads(json.dumps(generator.ESS[1]))
    two_sounds["conversation"]["conversation_list"].insert(2, {"user": "environment", "content": "(Sound of rain)"})
    with pytest.raises(ValueError, match="h8-ess-n1-waves-not-thunder"):
        generator._checked(two_sounds)
    late_request = json.loads(json.dumps(generator.LTM[0]))
    late_request["conversation"]["conversation_list"].insert(0, {"user": "2", "content": "Mind the step."})
    with pytest.raises(ValueError, match="h8-ltm-p1-workshop-in-room-4b"):
        generator._checked(late_request)
    too_short = json.loads(json.dumps(generator.PIC[1]))
    del too_short["conversation"]["conversation_list"][1:]
    with pytest.raises(ValueError, match="h8-pic-n1-keynote-at-nine"):
        generator._checked(too_short)
    no_call = json.loads(json.dumps(generator.LTM[2]))
    no_call["conversation"]["conversation_list"][-1]["tool_calls"] = []
    with pytest.raises(ValueError, match="h8-ltm-p2-hose-drill-date"):
        generator._checked(no_call)
    sound_in_cfc = json.loads(json.dumps(generator.CFC[1]))
    sound_in_cfc["conversation"]["conversation_list"].insert(1, {"user": "environment", "content": "(Sound of rain)"})
    with pytest.raises(ValueError, match="h8-cfc-n1-shoot-half-four-sunday"):
        generator._checked(sound_in_cfc)


def test_every_reference_call_names_an_offered_tool_with_its_own_arguments(records):
    assert_calls_name_tools(TOOLS, records, 15)


def test_every_scene_builds_and_standing_requests_come_first(records):
    assert_every_scene_builds(SCENES, TOOLS, records)
    jobs, _ = official_jobs(SCENES, TOOLS, seed=0)
    for job in jobs:  # each job's scene is made: the cue is the last line, the request the first
        roles = [line.role for line in job.scene().script.lines]
        assert (roles[-1] == "cue") == (job.id.split("-")[2][0] == "p"), job.id
        assert (roles[0] == "instruction") == (job.id.split("-")[1] in ("ltm", "ess")), job.id
    assert not any(r.instruction for r in records if r.task in ("PIC", "CFC")), "PIC and CFC have no standing request"


def test_each_ess_scene_has_one_synthesised_sound_the_positive_ones_as_their_cue(records):
    assert_ess_sounds_synthesised(records)
    assert_ess_cues_name_their_sound(records)
    assert all(t.speaker != "sound" for r in records if r.task != "ESS" for t in r.turns)


def test_the_cue_locator_finds_each_quoted_cue_inside_the_last_turn(records):
    """Lines timed ten seconds apart (no word timings): for every spoken positive the locator picks, by
    its quote, words of the cue turn only, with one reading."""
    assert assert_cues_located_by_quote(records, one_reading=True) == 18
