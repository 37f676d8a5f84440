"""The shared form checks of the hand-written scene sets (tests/support/scene_sets.py), on records made
here: both id schemes, sound names with punctuation, a generator that leaves the path alone."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from provoice_live.corpus.official.records import Turn
from provoice_live.sound_classes import classes_named
from support import scene_sets
from support.scene_sets import (assert_ess_cues_name_their_sound, assert_generator_writes_the_files,
                                assert_ids_alternate_by_label, label_in_id, sounds_named)

TASKS = ("CFC", "PIC", "LTM", "ESS")


def _records(ids_of):
    """Eight records per block, one of each (task, label), in two blocks; ids from `ids_of(task, label, k)`."""
    return [SimpleNamespace(id=ids_of(t, lab, k), task=t, label=lab)
            for k in (1, 2) for t in TASKS for lab in (True, False)]


def test_ids_with_a_p_or_n_marker_name_the_label_and_the_task():
    marked = _records(lambda t, lab, k: f"d8-{t.lower()}-{'p' if lab else 'n'}{k}-a-slug-{k}")
    assert label_in_id(marked[0].id) == ("CFC", True)
    assert_ids_alternate_by_label(marked, every_block=True)
    wrong_label = [*marked[:3], SimpleNamespace(id="d8-pic-p9-said-no", task="PIC", label=False), *marked[4:]]
    with pytest.raises(AssertionError, match="d8-pic-p9-said-no"):
        assert_ids_alternate_by_label(wrong_label)
    wrong_task = [SimpleNamespace(id="d8-ltm-p1-x", task="CFC", label=True), *marked[1:]]
    with pytest.raises(AssertionError, match="d8-ltm-p1-x"):
        assert_ids_alternate_by_label(wrong_task)


def test_ids_numbered_odd_for_positives_still_name_the_label():
    numbered = _records(lambda t, lab, k: f"dev4-{t.lower()}-{2 * k - lab:02d}")
    assert label_in_id("dev4-cfc-07") == ("CFC", True) and label_in_id("h2-08") == (None, False)
    assert_ids_alternate_by_label(numbered)
    with pytest.raises(AssertionError, match="names no label"):
        assert_ids_alternate_by_label([SimpleNamespace(id="no-label-here", task="PIC", label=True)])


def test_the_first_block_must_cover_every_cell_and_with_every_block_each_block():
    marked = _records(lambda t, lab, k: f"d9-{t.lower()}-{'p' if lab else 'n'}{k}-s")
    lopsided = marked[:8] + marked[8:12] * 2  # the second block: CFC and PIC only
    assert_ids_alternate_by_label(lopsided)
    with pytest.raises(AssertionError):
        assert_ids_alternate_by_label(lopsided, every_block=True)
    with pytest.raises(AssertionError):
        assert_ids_alternate_by_label(lopsided[8:] + marked[:8])


def test_sound_names_are_read_past_punctuation_and_possessives():
    assert sounds_named('User2 hears "the doorbell." and goes.') >= {"doorbell"}
    assert "dog_bark" in sounds_named("Behind them, the dog's barking, again.")
    assert "door_knock" in sounds_named("A (door knock): User1 asked to be told.")
    ess = SimpleNamespace(id="x-ess-p1-bell", task="ESS", label=True, semantic_cue="User1 asked to hear the doorbell.",
                          instruction=None, gt_response="Someone is at the door.", gt_tool_calls=[],
                          turns=[Turn("user1", "Tell me if the bell goes."), Turn("sound", "doorbell")], cue_turn=1)
    assert_ess_cues_name_their_sound([ess])
    with pytest.raises(AssertionError, match="x-ess-p1-bell"):
        assert_ess_cues_name_their_sound([SimpleNamespace(**{**vars(ess), "semantic_cue": "User1 hears a cat."})])


@pytest.mark.parametrize("text, named", [
    ("Someone knocks at the door.", {"door_knock"}), ("It thunders.", {"thunderstorm"}),
    ("The kettle whistles while it rains.", {"kettle_whistle", "rain"}), ("The bells ring.", {"church_bells"}),
    ("the bell rings", {"doorbell"}), ("when the dryer's done", {"microwave_beep"}), ("Nothing happens.", set())])
def test_the_form_test_reads_sound_names_as_the_cue_locator_does(text, named):
    """Word forms too ("knocks", "thunders"): a description the locator reads right passes the form test."""
    assert sounds_named(text) == classes_named(text) == named


def test_a_generator_that_does_not_put_the_shared_writer_on_the_path_is_still_checked(tmp_path, monkeypatch):
    fixtures = str(scene_sets.FIXTURES)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p.rstrip("/") != fixtures])
    monkeypatch.delitem(sys.modules, "scene_writer", raising=False)
    sys.path.insert(0, fixtures)  # only to write the files the generator must reproduce
    from scene_writer import dump
    sys.path.remove(fixtures)
    del sys.modules["scene_writer"]
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "make_scenes.py").write_text(
        "from scene_writer import dump  # no sys.path set-up of its own\n"
        "TOOLS = [{'type': 'function', 'function': {'name': 'search'}}]\n"
        "def records():\n    return [{'meta': {'uuid': 'm-1'}}]\n"
        "def main(argv):\n    return 0\n", encoding="utf-8")
    (folder / "scenes.json").write_text(dump([{"meta": {"uuid": "m-1"}}]), encoding="utf-8")
    (folder / "tools.json").write_text(dump([{"type": "function", "function": {"name": "search"}}]), encoding="utf-8")
    gen = assert_generator_writes_the_files(folder, "mini_make_scenes")
    assert gen.records() == [{"meta": {"uuid": "m-1"}}]
