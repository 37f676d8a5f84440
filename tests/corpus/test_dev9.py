"""The dev9 scene set (tests/fixtures/dev9), written blind as development data: it loads through the
release reader, is balanced, is what its generator writes, and every positive's cue can be found by the
builder.

These tests check the fixture's form only; they never run an agent on it."""

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

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "dev9"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"
TASKS = ("PIC", "LTM", "CFC", "ESS")
ID = re.compile(r"^d9-(pic|ltm|cfc|ess)-([pn])([1-6])-[a-z0-9-]+$")


@pytest.fixture(scope="module")
def records():
    recs, bad = read_records(SCENES)
    assert bad == []
    return recs


@pytest.fixture(scope="module")
def generator():
    return assert_generator_writes_the_files(HERE, "dev9_make_scenes")


def test_balanced_twelve_per_task_six_positive_and_the_first_eight_cover_every_cell(records):
    assert_balanced(records, calls=True)
    assert_ids_alternate_by_label(records)  # the ids name task and label; the first eight cover every cell
    for i, r in enumerate(records):
        assert ID.match(r.id), r.id
        assert r.label == (i % 2 == 0), r.id  # positives and negatives alternate


def test_generator_output_is_the_files_and_refuses_a_quote_the_cue_turn_does_not_say(generator):
    broken = json.loads(json.dumps(generator.CFC[0]))
    broken["scenario_cues"]["description"] += ' User1 also says: "a sentence nobody says."'
    with pytest.raises(ValueError, match="d9-cfc-p1-boiler-thursday"):
        generator._checked(broken)
    unquoted = json.loads(json.dumps(generator.PIC[0]))
    unquoted["scenario_cues"]["description"] = "User1 wants a forecast."
    with pytest.raises(ValueError, match="d9-pic-p1-fete-forecast"):
        generator._checked(unquoted)


def test_every_reference_call_names_an_offered_tool_with_its_own_arguments(records):
    assert_calls_name_tools(TOOLS, records, 15)


def test_every_scene_builds_and_standing_requests_come_first(records):
    assert_every_scene_builds(SCENES, TOOLS, records)
    for r in records:
        assert (r.instruction_turn == 0 and bool(r.instruction)) == (r.task in ("LTM", "ESS")), r.id
        assert 4 <= len(r.turns) + r.label <= 10, r.id


def test_each_ess_scene_has_one_synthesised_sound_the_positive_ones_as_their_cue(records):
    assert_ess_sounds_synthesised(records)
    assert_ess_cues_name_their_sound(records)


def test_the_cue_locator_finds_each_quoted_cue_inside_the_last_turn(records):
    assert assert_cues_located_by_quote(records) == 18


def test_clocks_name_their_weekday():
    assert_clocks_name_their_weekday(SCENES)


def test_app_states_come_in_more_than_one_layout():
    raw = json.loads(SCENES.read_text(encoding="utf-8"))
    cfc = [x["user_states"]["app_states"] for x in raw if x["meta"]["task_name"] == "digital_memory"]
    assert all(cfc)
    assert any(isinstance(a, list) for a in cfc)
    assert any(isinstance(a, dict) and any(isinstance(v, dict) and "state" in v for v in a.values()) for a in cfc)
    assert any(isinstance(a, dict) and all(not (isinstance(v, dict) and "state" in v) for v in a.values())
               for a in cfc)
