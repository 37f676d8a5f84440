"""Checks of a hand-written scene set's form, shared by the fixture sets written in the release's
format (tests/fixtures/heldout2..9, dev4..10): tests/corpus/test_scene_sets_form.py calls these on each
set's own files, and spoils the generator's scenes with the `Refusal`s here.

They check the files only (balance, the generator's output, build jobs, sounds, cue quotes, clocks,
app states); none runs an agent."""

from __future__ import annotations

import collections
import datetime
import importlib
import importlib.util
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from provoice_live.corpus.builder.sounds import synth_class
from provoice_live.corpus.locator import CueFacts, TimedLine, locate_cue
from provoice_live.corpus.official.records import read_tools
from provoice_live.corpus.official.revoice import official_jobs
from provoice_live.sound_classes import classes_named, sound_class

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
    assert len(tools) == n_tools, sorted(tools)
    for r in records:
        for call in r.gt_tool_calls:
            assert call.name in tools, (r.id, call.name)
            params = tools[call.name].parameters
            assert set(call.arguments) <= set(params["properties"]), (r.id, call.name)
            assert set(params.get("required", ())) <= set(call.arguments), (r.id, call.name)


def assert_every_scene_builds(scenes: Path, tools: Path, records) -> None:
    """Every record becomes a build job; LTM and ESS open with User1's standing request, PIC and CFC
    have none. Each job's scene is made: its last line is the cue for a positive only, its first the
    standing request for LTM and ESS only."""
    jobs, skipped = official_jobs(scenes, tools, seed=0)
    assert skipped == [] and len(jobs) == len(records)
    by_id = {r.id: r for r in records}
    for r in records:
        if r.task in ("LTM", "ESS"):
            assert r.instruction_turn == 0 and r.instruction, r.id
        else:
            assert not r.instruction, f"{r.id}: PIC and CFC have no standing request"
    for job in jobs:
        r = by_id[job.id]
        roles = [line.role for line in job.scene().script.lines]
        assert (roles[-1] == "cue") == r.label, job.id
        assert (roles[0] == "instruction") == (r.task in ("LTM", "ESS")), job.id


def assert_ess_sounds_synthesised(records) -> None:
    """One synthesised sound per ESS scene (negatives keep theirs); a positive's cue is that sound."""
    for r in (x for x in records if x.task == "ESS"):
        sounds = [t.text for t in r.turns if t.speaker == "sound"]
        assert len(sounds) == 1 and synth_class(sounds[0]) is not None, (r.id, sounds)
        if r.label:
            assert r.turns[r.cue_turn].speaker == "sound", r.id


def sounds_named(text: str) -> set[str]:
    """The sound classes a text names, as the cue locator reads them (`sound_classes.classes_named`): by
    any of a class's names in any word form, punctuation and a possessive left out ("the doorbell.",
    "the dog's barking", "Someone knocks at the door", "It thunders" name `doorbell`, `dog_bark`,
    `door_knock`, `thunderstorm`); the longest name wins ("the bell rings" is the doorbell)."""
    return classes_named(text)


def assert_ess_cues_name_their_sound(records) -> None:
    """A positive ESS scene's cue description names the class of the sound that is its cue."""
    for r in (x for x in records if x.task == "ESS" and x.label):
        sound = sound_class(r.turns[r.cue_turn].text)
        assert sound is not None and sound.name in sounds_named(CueFacts.of(r).semantic_cue), (r.id, r.semantic_cue)


def assert_cues_located_by_quote(records, one_reading: bool = False) -> int:
    """Timed one line every ten seconds, eight seconds long (no word timings), the locator picks the quoted
    sentence of the cue turn for every spoken positive, by its quote; with `one_reading`, with no note but the
    estimated timing and the confidence of a clean quote. Returns how many positives it checked."""
    spoken = [x for x in records if x.label and x.task != "ESS"]
    for r in spoken:
        lines = [TimedLine(t.speaker, t.text, 10.0 * i, 10.0 * i + 8.0) for i, t in enumerate(r.turns)]
        found = locate_cue(lines, CueFacts.of(r))
        assert found.how.startswith("quote"), (r.id, found.how)
        assert found.lines == (len(r.turns) - 1,), (r.id, found.lines)
        assert lines[-1].start_s <= found.window.start_s < found.window.end_s <= lines[-1].end_s + 1e-6, r.id
        if one_reading:
            assert not found.notes or all("proportion" in n for n in found.notes), (r.id, found.notes)
            assert found.confidence >= 0.5 * 0.6, (r.id, found.confidence)  # a clean quote, only the time estimated
    return len(spoken)


def assert_clocks_name_their_weekday(scenes: Path) -> None:
    for raw in json.loads(scenes.read_text(encoding="utf-8")):
        info = raw["user_states"]["datetime_info"]
        now = datetime.datetime.strptime(info["current_datetime"], "%Y-%m-%d %H:%M")
        assert now.strftime("%A") == info["day_of_week"], raw["meta"]["uuid"]


def assert_cfc_carries_the_user_and_the_app(raw: list[dict], count: int, ending_with_the_model: int | None = None,
                                            layout: str | None = None) -> None:
    """`count` CFC scenes (of the raw `scenes.json`) carry the pipeline's user_gender, user_age and an
    app_cue naming one of their apps (12: every CFC scene); `ending_with_the_model` of them end with the
    model's turn. With `layout`, each of their apps is in the release's layout: "apps" a
    `{context, state}` object, "events" also with a state of `{events, key_events}`."""
    assert layout in (None, "apps", "events"), layout
    cfc = [x for x in raw if x["meta"]["task_name"] == "digital_memory"]
    styled = [x for x in cfc if "app_cue" in x["user_states"]]
    assert len(styled) == count, [x["meta"]["uuid"] for x in styled]
    if ending_with_the_model is not None:
        assert sum(x["conversation"]["conversation_list"][-1]["user"] == "model" for x in styled) == ending_with_the_model
    for x in styled:
        states = x["user_states"]
        assert states["user_gender"] in ("male", "female") and isinstance(states["user_age"], int), x["meta"]["uuid"]
        assert states["app_cue"] in states["app_states"], x["meta"]["uuid"]
        for app in states["app_states"].values() if layout else ():
            assert set(app) == {"context", "state"}, x["meta"]["uuid"]
            assert layout == "apps" or set(app["state"]) == {"events", "key_events"}, x["meta"]["uuid"]


def app_layouts(raw: list[dict]) -> collections.Counter:
    """How many apps, over every scene of the raw `scenes.json`, are in the release's `{context, state}`
    layout ("release"), bare lists ("list") or other shapes ("other object": other objects, and plain
    strings, counted apart too as "string")."""
    layouts = collections.Counter()
    for scene in raw:
        for value in scene["user_states"]["app_states"].values():
            if isinstance(value, list):
                layouts["list"] += 1
            elif isinstance(value, str):
                layouts["string"] += 1
                layouts["other object"] += 1
            elif set(value) == {"context", "state"}:
                layouts["release"] += 1
            else:
                layouts["other object"] += 1
    return layouts


@dataclass(frozen=True)
class Refusal:
    """A generator's scene, `source` (its list, CFC, PIC, LTM or ESS, and the index there: 0 the first
    positive, 1 the first negative, 2 the second positive), spoilt one way (`why`): the generator's
    `_checked` must refuse it with a ValueError naming `scene`, that scene's id. `spoil` edits a deep
    copy in place."""
    scene: str
    why: str
    source: tuple[str, int]
    spoil: Callable[[dict], None]

    def spoilt(self, gen) -> dict:
        task, index = self.source
        scene = json.loads(json.dumps(getattr(gen, task)[index]))
        self.spoil(scene)
        return scene


def _turns(scene: dict) -> list[dict]:
    return scene["conversation"]["conversation_list"]


def _describe(scene: dict, text: str) -> None:
    scene["scenario_cues"]["description"] = text


def unsaid_quote(sid: str, who: str = "User1") -> Refusal:
    """The first CFC positive's cue description also quotes a sentence nobody says."""
    def spoil(s):
        s["scenario_cues"]["description"] += f' {who} also says: "a sentence nobody says."'
    return Refusal(sid, "unsaid-quote", ("CFC", 0), spoil)


def described(sid: str, why: str, source: tuple[str, int], text: str) -> Refusal:
    """The cue description is replaced by `text` (no quote, a quote cut short, no sound named...)."""
    return Refusal(sid, why, source, lambda s: _describe(s, text))


def unquoted(sid: str, text: str) -> Refusal:
    """The first PIC positive's cue description quotes nothing."""
    return described(sid, "unquoted-cue", ("PIC", 0), text)


def sound_unnamed(sid: str, text: str) -> Refusal:
    """The first ESS positive's cue description names no sound."""
    return described(sid, "sound-unnamed", ("ESS", 0), text)


def inserted(sid: str, why: str, source: tuple[str, int], at: int, user: str, content: str) -> Refusal:
    """A turn `{"user": user, "content": content}` is inserted before index `at`."""
    return Refusal(sid, why, source, lambda s: _turns(s).insert(at, {"user": user, "content": content}))


def sound_not_last(sid: str, content: str) -> Refusal:
    """In the first ESS positive User2 speaks after the sound, before the reply: the sound is no longer
    the cue."""
    return inserted(sid, "sound-not-the-cue", ("ESS", 0), -1, "2", content)


def two_sounds(sid: str) -> Refusal:
    """The first ESS negative gets a second sound."""
    return inserted(sid, "two-sounds", ("ESS", 1), 2, "environment", "(Sound of rain)")


def request_not_first(sid: str, content: str) -> Refusal:
    """In the first LTM positive User2 speaks before the standing request."""
    return inserted(sid, "request-not-first", ("LTM", 0), 0, "2", content)


def too_short(sid: str) -> Refusal:
    """Only the first turn of the first PIC negative is left."""
    def spoil(s):
        del _turns(s)[1:]
    return Refusal(sid, "too-short", ("PIC", 1), spoil)


def sound_replaced(sid: str, content: str) -> Refusal:
    """The first ESS positive's sound (the turn before the reply) becomes `content`, another class."""
    return Refusal(sid, "wrong-sound", ("ESS", 0), lambda s: _turns(s)[-2].update(content=content))


def unsynthesised(sid: str, content: str) -> Refusal:
    """Every sound of the first ESS negative becomes `content`, a class only real recordings give."""
    def spoil(s):
        for t in _turns(s):
            if t["user"] == "environment":
                t["content"] = content
    return Refusal(sid, "unsynthesised-sound", ("ESS", 1), spoil)


def no_call(sid: str, source: tuple[str, int]) -> Refusal:
    """The reply makes no tool call."""
    return Refusal(sid, "no-call", source, lambda s: _turns(s)[-1].update(tool_calls=[]))


def call_parameters(sid: str, source: tuple[str, int], parameters: dict) -> Refusal:
    """The reply's first tool call gets `parameters` (a required one missing)."""
    return Refusal(sid, "bad-call", source, lambda s: _turns(s)[-1]["tool_calls"][0].update(parameters=parameters))
