"""Checks of a hand-written scene set's form, shared by the fixture sets written in the release's
format (tests/fixtures/heldout2..5, dev4..9): each set's test calls these on its own files.

They check the files only (balance, the generator's output, build jobs, sounds, cue quotes, clocks);
none runs an agent."""

from __future__ import annotations

import collections
import datetime
import importlib
import importlib.util
import json
import re
import string
import sys
from pathlib import Path

from provoice_live.corpus.builder.sounds import synth_class
from provoice_live.corpus.locator import CueFacts, TimedLine, locate_cue
from provoice_live.corpus.official.records import read_tools
from provoice_live.corpus.official.revoice import official_jobs
from provoice_live.sound_classes import sound_class

TASKS = ("PIC", "LTM", "CFC", "ESS")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"  # the sets and their shared `scene_writer.py`
# `<prefix>-<task>-<p|n><k>-<slug>` (dev6 on: d8-cfc-p1-dental-twenty-to) or `<prefix>-<task>-NN`
# (dev4-cfc-01: odd positive, even negative)
MARKED_ID = re.compile(r"^[a-z0-9]+-(pic|ltm|cfc|ess)-([pn])\d+-[a-z0-9][a-z0-9-]*$")
NUMBERED_ID = re.compile(r"^(?:.*-(pic|ltm|cfc|ess))?.*-(\d+)$")


def assert_balanced(records, per_cell: int = 6, calls: bool = False) -> None:
    """`per_cell` positives and negatives per task, unique ids; a positive has a reply (and with `calls`
    a tool call), a negative neither reply nor tool calls."""
    counts = collections.Counter((r.task, r.label) for r in records)
    assert counts == {(t, lab): per_cell for t in TASKS for lab in (True, False)}
    assert len({r.id for r in records}) == len(records) == 8 * per_cell
    for r in records:
        assert bool(r.gt_response) == r.label, r.id
        assert (bool(r.gt_tool_calls) == r.label) if calls else (r.label or not r.gt_tool_calls), r.id


def label_in_id(sid: str) -> tuple[str | None, bool]:
    """(the task the id names, or None; the label it names): `d8-cfc-p1-dental` is a CFC positive
    (`p`, `n` a negative), `dev4-cfc-07` a CFC positive (odd; even is a negative)."""
    marked = MARKED_ID.match(sid)
    if marked:
        return marked.group(1).upper(), marked.group(2) == "p"
    numbered = NUMBERED_ID.match(sid)
    assert numbered, f"{sid!r} names no label (<prefix>-<task>-<p|n><k>-<slug> or ...-NN)"
    return (numbered.group(1) or "").upper() or None, int(numbered.group(2)) % 2 == 1


def assert_ids_alternate_by_label(records, every_block: bool = False) -> None:
    """Each id names its record's label (a `p`/`n` marker, or an odd/even number) and, where it names
    one, its task; the first 8 records (with `every_block`, every 8) cover every task with a positive
    and a negative (so `build-corpus --limit 8` has both)."""
    for r in records:
        task, label = label_in_id(r.id)
        assert label == r.label and task in (None, r.task), (r.id, r.task, r.label)
    for k in range(0, len(records) if every_block else 1, 8):
        assert collections.Counter((r.task, r.label) for r in records[k:k + 8]) == {
            (t, lab): 1 for t in TASKS for lab in (True, False)}, k


def assert_generator_writes_the_files(folder: Path, module_name: str):
    """The set's `make_scenes.py --check` passes and its output is byte-identical to the files;
    returns the loaded generator module. The shared writer (tests/fixtures) is put on the path here,
    whether or not the generator does it itself."""
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))
    spec = importlib.util.spec_from_file_location(module_name, folder / "make_scenes.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.main(["--check"]) == 0
    dump = importlib.import_module("scene_writer").dump  # the generators' shared writer
    assert dump(gen.records()) == (folder / "scenes.json").read_text(encoding="utf-8")
    assert dump(gen.TOOLS) == (folder / "tools.json").read_text(encoding="utf-8")
    return gen


def assert_calls_name_tools(tools_path: Path, records, n_tools: int) -> None:
    """The tools file holds `n_tools` tools; every reference call names one of them, with only its
    declared arguments and all of its required ones."""
    tools = {t.name: t for t in read_tools(tools_path)}
    assert len(tools) == n_tools
    for r in records:
        for call in r.gt_tool_calls:
            assert call.name in tools, (r.id, call.name)
            params = tools[call.name].parameters
            assert set(call.arguments) <= set(params["properties"]), (r.id, call.name)
            assert set(params.get("required", ())) <= set(call.arguments), (r.id, call.name)


def assert_every_scene_builds(scenes: Path, tools: Path, records) -> None:
    """Every record becomes a build job; LTM and ESS open with User1's standing request."""
    jobs, skipped = official_jobs(scenes, tools, seed=0)
    assert skipped == [] and len(jobs) == len(records)
    for r in records:
        if r.task in ("LTM", "ESS"):
            assert r.instruction_turn == 0 and r.instruction, r.id


def assert_ess_sounds_synthesised(records) -> None:
    """One synthesised sound per ESS scene (negatives keep theirs); a positive's cue is that sound."""
    for r in (x for x in records if x.task == "ESS"):
        sounds = [t.text for t in r.turns if t.speaker == "sound"]
        assert len(sounds) == 1 and synth_class(sounds[0]) is not None, (r.id, sounds)
        if r.label:
            assert r.turns[r.cue_turn].speaker == "sound", r.id


def sounds_named(text: str) -> set[str]:
    """The sound classes a text names, by a word or two or three words in a row, punctuation and a
    possessive left out ("the doorbell." and "the dog's barking" name `doorbell` and `dog_bark`)."""
    words = [re.sub(r"['’]s$", "", w.strip(string.punctuation + "“”‘’…—–")) for w in text.split()]
    words = [w for w in words if w]
    found = (sound_class(" ".join(words[i:i + n])) for n in (1, 2, 3) for i in range(len(words) - n + 1))
    return {c.name for c in found if c is not None}


def assert_ess_cues_name_their_sound(records) -> None:
    """A positive ESS scene's cue description names the class of the sound that is its cue."""
    for r in (x for x in records if x.task == "ESS" and x.label):
        sound = sound_class(r.turns[r.cue_turn].text)
        assert sound is not None and sound.name in sounds_named(CueFacts.of(r).semantic_cue), (r.id, r.semantic_cue)


def assert_cues_located_by_quote(records, one_reading: bool = False) -> int:
    """Timed one line a second apart (no word timings), the locator picks the quoted sentence of the
    cue turn for every spoken positive, by its quote; with `one_reading`, with no note but the
    estimated timing and the confidence of a clean quote. Returns how many positives it checked."""
    spoken = [x for x in records if x.label and x.task != "ESS"]
    for r in spoken:
        lines = [TimedLine(t.speaker, t.text, 10.0 * i, 10.0 * i + 8.0) for i, t in enumerate(r.turns)]
        found = locate_cue(lines, CueFacts.of(r))
        assert found.how.startswith("quote"), (r.id, found.how)
        assert found.lines == (len(r.turns) - 1,), (r.id, found.lines)
        assert found.window.start_s >= lines[-1].start_s and found.window.end_s <= lines[-1].end_s + 1e-6, r.id
        if one_reading:
            assert not found.notes or all("proportion" in n for n in found.notes), (r.id, found.notes)
            assert found.confidence >= 0.5 * 0.6, (r.id, found.confidence)  # a clean quote, only the time estimated
    return len(spoken)


def assert_clocks_name_their_weekday(scenes: Path) -> None:
    for raw in json.loads(scenes.read_text(encoding="utf-8")):
        info = raw["user_states"]["datetime_info"]
        now = datetime.datetime.strptime(info["current_datetime"], "%Y-%m-%d %H:%M")
        assert now.strftime("%A") == info["day_of_week"], raw["meta"]["uuid"]
