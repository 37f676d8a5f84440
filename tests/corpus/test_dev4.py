"""The fourth development scene set (tests/fixtures/dev4): it loads through the release reader, is
balanced, is what its generator writes, and every positive's cue can be found by the builder.

These tests check the fixture's form only; they never run an agent on it. The set is development data
(the agent is tuned on it), written by a helper that never read the agent: tests/fixtures/dev4/README.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from provoice_live.corpus.official import read_records
from support.scene_sets import (assert_balanced, assert_calls_name_tools, assert_clocks_name_their_weekday,
                                assert_cues_located_by_quote, assert_ess_sounds_synthesised,
                                assert_every_scene_builds, assert_generator_writes_the_files,
                                assert_ids_alternate_by_label)

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "dev4"
SCENES, TOOLS = HERE / "scenes.json", HERE / "tools.json"


@pytest.fixture(scope="module")
def records():
    recs, bad = read_records(SCENES)
    assert bad == []
    return recs


def test_set_is_balanced_twelve_per_task_six_positive(records):
    assert_balanced(records)


def test_ids_alternate_positive_and_negative_so_a_limited_build_has_both(records):
    assert_ids_alternate_by_label(records)


def test_files_are_what_the_generator_writes():
    gen = assert_generator_writes_the_files(HERE, "dev4_make_scenes")
    assert len(gen.records()) == 48


def test_tools_load_and_every_reference_call_names_one_with_its_arguments(records):
    assert_calls_name_tools(TOOLS, records, 15)


def test_every_scene_becomes_a_build_job(records):
    assert_every_scene_builds(SCENES, TOOLS, records)


def test_ess_sounds_are_synthesised_and_negatives_keep_a_sound(records):
    assert_ess_sounds_synthesised(records)


def test_the_cue_locator_finds_each_spoken_cue_in_the_last_turn(records):
    assert assert_cues_located_by_quote(records) == 18


def test_each_scene_clock_names_its_own_weekday():
    assert_clocks_name_their_weekday(SCENES)
