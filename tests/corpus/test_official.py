"""The official ProVoice-Bench release: field mapping, bad records, re-voicing (`build-corpus --from`)
and import with cue windows found in the audio. Fixtures in tests/fixtures/official are ours, in
the official shape; their audio is rendered here with our own TTS."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from provoice_live.cli import main as cli
from provoice_live.corpus import load_corpus, validate_corpus
from provoice_live.corpus.official import align_turns, import_release, read_records, sound_name, sound_regions

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "official"
DATA, TOOLS = FIX / "data.json", FIX / "new_tools.json"
UID = "0a1e5f3c-7d42-4b8e-9c11-3f5a6b7c8d0{}".format


def test_records_map_every_field():
    records, bad = read_records(DATA)
    assert bad == []
    r = {x.id: x for x in records}
    raw = {x["meta"]["uuid"]: x for x in json.loads(DATA.read_text())}
    assert [r[UID(k)].task for k in range(1, 7)] == ["ESS", "ESS", "PIC", "CFC", "CFC", "LTM"]
    assert [r[UID(k)].label for k in range(1, 7)] == [True, False, True, True, False, True]
    pic = r[UID(3)]
    assert pic.gt_tool_calls[0].name == "search"
    assert pic.gt_tool_calls[0].arguments == {"source": "world", "query_item": "18 km hike", "query": "How much water to carry"}
    assert pic.gt_response.startswith("Shall I look up") and pic.instruction is None
    assert pic.digital_context == raw[UID(3)]["user_states"]
    cfc = r[UID(4)]
    assert cfc.semantic_cue.startswith(raw[UID(4)]["scenario_cues"]["description"])
    assert all(c["description"] in cfc.semantic_cue for c in raw[UID(4)]["scenario_cues"]["cues"])
    assert cfc.gt_tool_calls == [] and "7:40" in cfc.gt_response
    assert [t.speaker for t in cfc.turns] == ["user2", "user1"] and cfc.cue_turn == 1
    assert cfc.genders == {"user1": "female", "user2": "male"}
    neg = r[UID(5)]
    assert neg.gt_response == "" and neg.gt_tool_calls == [] and neg.cue_turn is None
    ltm = r[UID(6)]
    assert ltm.instruction == raw[UID(6)]["conversation"]["conversation_list"][0]["content"]
    assert ltm.instruction_turn == 0 and ltm.cue_turn == 2 and len(ltm.turns) == 3  # model turn dropped
    ess = r[UID(1)]
    assert ess.instruction.startswith("When somebody knocks") and ess.turns[1].speaker == "sound"
    assert ess.turns[1].text == "door_knock" and r[UID(2)].turns[1].text == "pig"  # the class id
    assert ess.turns[1].written == raw[UID(1)]["conversation"]["conversation_list"][1]["content"]  # as written


def test_sound_names_are_read_from_environment_turns():
    assert sound_name("(Sound of door_wood_knock)") == "door_wood_knock"
    assert sound_name("(Sound of )") == "" and sound_name("(Sound of)") == ""  # names nothing: the reader refuses it
    assert sound_name("(sound of a crying baby)") == "crying baby"
    assert sound_name("Sound of thunderstorm.") == "thunderstorm"
    assert sound_name("(Sound of the clock_alarm)") == "clock_alarm"


@pytest.mark.parametrize("turn", ["(Sound of the)", "(Sound of a)", "(Sound of an )", "(sound of the )",
                                  "(Sound of A.)", "(Sound of THE)", "Sound of an", "(sound: the)", "(Sound: )",
                                  "(Sound)", "[]", "[the]"])
def test_an_article_alone_names_no_sound(turn):
    assert sound_name(turn) == ""


@pytest.mark.parametrize("turn, name", [
    ("(sound: doorbell)", "doorbell"), ("(Sound: a dog barking)", "dog barking"), ("(sound:kettle_whistle)", "kettle_whistle"),
    ("[doorbell rings]", "doorbell"), ("[Phone rings]", "Phone rings"), ("[a dog barks loudly]", "dog"),
    ("[knock at the door]", "knock"), ("[rain]", "rain"),
    # a note's name is one of the class the whole note is read as: "[bells ring]" the church bells'
    ("[bells ring]", "bells"), ("[the bell rings]", "bell rings"), ("[water boiling]", "water boiling"),
    ("[door bell ringing]", "door bell"), ("(Sound of the theatre)", "theatre"),
    ("(Sound of an alarm clock.)", "alarm clock"), ("(sound of ding-dong)", "ding-dong")])
def test_other_ways_of_writing_a_sound_turn_are_read(turn, name):
    assert sound_name(turn) == name


def _one_turn_changed(tmp_path, index: int, turn: int, **change):
    data = json.loads(DATA.read_text())
    data[index]["conversation"]["conversation_list"][turn].update(change)
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    return read_records(path)


@pytest.mark.parametrize("content", ["(Sound of the)", "(Sound of a)", "(Sound of an )", "(sound: the )"])
def test_a_sound_turn_naming_only_an_article_is_refused_by_name(tmp_path, content):
    records, bad = _one_turn_changed(tmp_path, 0, 1, content=content)  # the ESS positive's knock
    assert UID(1) not in {r.id for r in records} and len(records) == 5
    assert [b["id"] for b in bad] == [UID(1)] and bad[0]["kind"] == "record"
    reason = bad[0]["reason"]
    assert "conversation.conversation_list.1.content" in reason and "environment turn 1 names no sound" in reason
    assert repr(content) in reason and UID(1) in reason


@pytest.mark.parametrize("content, name", [("(Sound of spaceship)", "spaceship"), ("(Sound of the theremin)", "theremin"),
                                           ("(sound: a door slamming)", "door slamming"), ("[door slams]", "door slams"),
                                           ("(Sound of doorbel)", "doorbel")])
def test_a_sound_no_class_has_is_refused_by_the_reader_not_the_build(tmp_path, content, name):
    from provoice_live.corpus.official import official_jobs

    records, bad = _one_turn_changed(tmp_path, 0, 1, content=content)
    assert UID(1) not in {r.id for r in records} and [b["id"] for b in bad] == [UID(1)]
    reason = bad[0]["reason"]
    assert f"sample {UID(1)!r}" in reason and "field 'conversation.conversation_list.1.content'" in reason
    assert f"environment turn 1 names {name!r}, which no sound class has" in reason
    jobs, skipped = official_jobs(tmp_path / "data.json", TOOLS, seed=0)
    assert UID(1) not in {j.id for j in jobs} and skipped == bad


@pytest.mark.parametrize("content, name, cls", [("(sound: door_wood_knock)", "door_knock", "door_knock"),
                                                ("[knocking at the door]", "door_knock", "door_knock"),
                                                # a free description: the class its words name, in any form
                                                ("(Sound: someone knocking on the door.)", "door_knock", "door_knock"),
                                                ("(Sound of kettle whistling)", "kettle_whistle", "kettle_whistle"),
                                                ("(Sound of door creaking)", "door_wood_creaks", "door_wood_creaks"),
                                                ("(Sound of smoke alarm beeping)", "smoke_alarm", "smoke_alarm"),
                                                ("[doorbell rings]", "doorbell", "doorbell"),
                                                ("(Sound of the pig)", "pig", "pig")])
def test_sound_turns_written_otherwise_are_read_when_a_class_has_them(tmp_path, content, name, cls):
    from provoice_live.sound_classes import sound_class

    records, bad = _one_turn_changed(tmp_path, 0, 1, content=content)
    if cls is None:  # not a name of the table: refused, named
        assert [b["id"] for b in bad] == [UID(1)] and repr(name) in bad[0]["reason"]
        return
    assert bad == []
    ess = next(r for r in records if r.id == UID(1))
    assert ess.turns[1].text == name and sound_class(ess.turns[1].text).name == cls and ess.cue_turn == 1
    assert ess.turns[1].written == content


# One sound, one class, however the release writes it: a name, a description or a bracketed note are
# read by one function (`sound_classes.class_said`), the more specific reading winning, and the turn
# keeps the class id.
ONE_SOUND = [
    ("church_bells", ["bells", "bells ringing", "bells ring", "the bells ringing", "church bells ringing",
                      "church bells", "bells tolling"]),
    ("doorbell", ["doorbell", "door bell", "bell ring at the door", "someone rings the bell", "the bell rings",
                  "doorbell ringing", "door chimes", "someone ringing the bell"]),
    # as they were
    ("kettle_whistle", ["kettle whistling", "kettle", "water boiling", "the kettle whistles"]),
    ("dog_bark", ["dog barking", "dogs bark", "a dog barks loudly", "dog"]),
    ("smoke_alarm", ["smoke alarm beeping", "smoke alarm", "fire alarm going off"]),
    ("door_knock", ["knocking at the door", "someone knocking on the door", "door_wood_knock", "knock"]),
    ("microwave_beep", ["kitchen timer beeping", "microwave beeps"]),
    ("rooster", ["rooster crows", "the rooster crowing"]),
    ("chainsaw", ["chain saw", "chainsaw running"]),
    ("alarm_clock", ["alarm beeping", "alarm clock ringing"]),  # of equally long names, the first: what is heard
]


@pytest.mark.parametrize("cls, said", [(c, x) for c, xs in ONE_SOUND for x in xs])
def test_a_sound_reads_as_one_class_however_the_turn_writes_it(tmp_path, cls, said):
    for content in (f"(Sound of {said})", f"(sound: {said}.)", f"[{said}]"):
        records, bad = _one_turn_changed(tmp_path, 0, 1, content=content)
        assert bad == [], (content, bad)
        turn = next(r for r in records if r.id == UID(1)).turns[1]
        assert (turn.speaker, turn.text, turn.written) == ("sound", cls, content)


@pytest.mark.parametrize("content", ["(Sound of music)", "[door slams]", "(Sound of the bellows)"])
def test_a_sound_no_class_has_is_still_refused_however_it_is_written(tmp_path, content):
    records, bad = _one_turn_changed(tmp_path, 0, 1, content=content)
    assert [b["id"] for b in bad] == [UID(1)] and "which no sound class has" in bad[0]["reason"]


def test_the_revoiced_scene_renders_the_class_the_reader_kept(tmp_path):
    from provoice_live.corpus.builder.sounds import synth_class
    from provoice_live.corpus.official import official_jobs

    _one_turn_changed(tmp_path, 0, 1, content="[bells ring]")
    jobs, skipped = official_jobs(tmp_path / "data.json", TOOLS, seed=0)
    scene = next(j for j in jobs if j.id == UID(1)).scene()
    sound = next(ln for ln in scene.script.lines if ln.speaker == "sound")
    assert sound.sound == "church_bells" and synth_class(sound.sound) == "church_bells" and sound.role == "cue"


def test_bad_records_are_listed_naming_sample_and_field(tmp_path):
    data = json.loads(DATA.read_text())
    data[0]["meta"]["task_name"] = "mind_reading"
    del data[1]["conversation"]["conversation_list"]
    data[2]["conversation"]["conversation_list"][1]["tool_calls"][0]["parameters"] = "{not json"
    data[3]["meta"]["uuid"] = "has spaces/and slashes"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    records, bad = read_records(path)
    assert len(records) == 2
    reasons = {b["id"]: b["reason"] for b in bad}
    assert "meta.task_name" in reasons[UID(1)] and "mind_reading" in reasons[UID(1)]
    assert "conversation.conversation_list" in reasons[UID(2)]
    assert "tool_calls.0.parameters" in reasons[UID(3)]
    assert "meta.uuid" in reasons["has spaces/and slashes"]
    (tmp_path / "broken.json").write_text("[{")
    assert cli(["import-provoice", "--data", str(tmp_path / "broken.json"), "--out", str(tmp_path / "o")]) == 1


def test_a_silent_turn_or_a_late_standing_request_is_a_skipped_record_and_the_rest_is_read(tmp_path, capsys):
    """A human turn with no content is not dropped (that would shift the instruction and cue turns);
    an LTM or ESS record must open with User1's standing request. Both are skipped records naming the
    sample, the turn and the field, the same in the reader and in the re-voicer; the rest is read."""
    from provoice_live.corpus.official import official_jobs

    data = json.loads(DATA.read_text())
    data[3]["conversation"]["conversation_list"][0]["content"] = "  "  # CFC: User2's opening line
    data[1]["conversation"]["conversation_list"][0]["content"] = ""  # ESS: the standing request
    data[5]["conversation"]["conversation_list"].insert(0, {"user": "2", "content": "Morning!"})  # LTM
    data[0]["conversation"]["conversation_list"][1]["content"] = " "  # ESS: no sound named
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    records, bad = read_records(path)
    assert sorted(r.id for r in records) == [UID(3), UID(5)]
    reasons = {b["id"]: b["reason"] for b in bad}
    assert {b["kind"] for b in bad} == {"record"} and sorted(reasons) == [UID(1), UID(2), UID(4), UID(6)]
    assert "conversation.conversation_list.0.content" in reasons[UID(4)] and "turn 0 says nothing" in reasons[UID(4)]
    assert "conversation.conversation_list.0.content" in reasons[UID(2)] and "User1's turn 0" in reasons[UID(2)]
    assert "conversation.conversation_list.1.content" in reasons[UID(1)] and "names no sound" in reasons[UID(1)]
    assert "conversation.conversation_list.0.user" in reasons[UID(6)]
    assert "LTM: the first turn must be User1's standing request" in reasons[UID(6)] and "User2's" in reasons[UID(6)]
    jobs, skipped = official_jobs(path, TOOLS, seed=0)
    assert sorted(j.id for j in jobs) == [UID(3), UID(5)] and skipped == bad
    out = tmp_path / "c"
    assert cli(["import-provoice", "--data", str(path), "--out", str(out), "--audio-dir", str(tmp_path / "none"),
                "--no-progress"]) == 1  # no audio here: nothing imported, every sample listed
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err and "6 skipped" in printed.out
    listed = {s["id"]: s for s in map(json.loads, (out / "skipped.jsonl").read_text().splitlines())}
    assert {i: s["kind"] for i, s in listed.items()} == {UID(1): "record", UID(2): "record", UID(4): "record",
                                                         UID(6): "record", UID(3): "audio", UID(5): "audio"}


def words(*spec):
    return [SimpleNamespace(text=t, start_s=s, end_s=e) for t, s, e in spec]


def test_turns_are_aligned_to_heard_words_including_misheard_edges():
    heard = words(("If", 0.5, 0.6), ("anyone", 0.6, 0.9), ("mentions", 0.9, 1.3), ("trips,", 1.3, 1.6),
                  ("note", 1.7, 1.9), ("them.", 1.9, 2.2),
                  ("Work", 3.0, 3.3), ("was", 3.3, 3.5), ("tiring.", 3.5, 4.0),
                  ("Haw", 4.8, 5.0), ("boat", 5.0, 5.2), ("renting", 5.2, 5.6), ("a", 5.6, 5.7), ("cabin?", 5.7, 6.1))
    spans = align_turns(heard, ["If anyone mentions trips, note them.", "Work was tiring.",
                                "How about renting a cabin?", "This turn is never heard at all."])
    assert spans[0] == (0.5, 2.2) and spans[1] == (3.0, 4.0)
    assert spans[2] == (4.8, 6.1)  # "Haw boat" (misheard "How about") still belongs to the turn
    assert spans[3] is None


def test_sound_regions_find_energy_outside_speech():
    rate = 16000
    rng = np.random.default_rng(0)
    x = 0.001 * rng.standard_normal(10 * rate).astype(np.float32)
    t = np.arange(rate) / rate
    x[2 * rate: 3 * rate] += 0.3 * np.sin(2 * np.pi * 300 * t) * (1 + np.sin(2 * np.pi * 4 * t))  # "speech"
    x[6 * rate: 7 * rate] += 0.3 * np.sign(np.sin(2 * np.pi * 2500 * t))  # a beep
    regions = sound_regions(x, rate, speech=[(2.0, 3.0)], after_s=1.0, use_vad=False)
    assert len(regions) == 1
    start, end, _ = regions[0]
    assert start == pytest.approx(6.0, abs=0.05) and end == pytest.approx(7.0, abs=0.05)
    assert sound_regions(x, rate, speech=[(2.0, 3.0)], after_s=7.5, use_vad=False) == []


def test_import_lists_samples_without_audio(tmp_path):
    summary = import_release(DATA, TOOLS, tmp_path / "c", audio_dir=tmp_path / "nowhere", progress=False)
    assert summary["samples"] == 0 and summary["skipped"] == 6
    skipped = [json.loads(x) for x in (tmp_path / "c" / "skipped.jsonl").read_text().splitlines()]
    assert {s["kind"] for s in skipped} == {"audio"} and all("not found" in s["reason"] for s in skipped)
    assert not (tmp_path / "c" / "manifest.jsonl").exists()


# --- with audio: re-voice the fixture, then import the re-voiced clips as if they were official --
@pytest.fixture(scope="module")
def revoiced(tmp_path_factory):
    out = tmp_path_factory.mktemp("revoiced")
    code = cli(["build-corpus", "--from", str(DATA), "--tools", str(TOOLS), "--seed", "1", "--out", str(out),
                "--no-progress"])
    return out, code


@pytest.mark.slow
def test_revoicing_gives_exact_cues_and_lists_unusable_sounds(revoiced):
    out, code = revoiced
    assert code == 0 and validate_corpus(out) == []
    samples = {s.id: s for s in load_corpus(out).samples}
    assert sorted(samples) == [UID(k) for k in (1, 3, 4, 5, 6)]
    skipped = [json.loads(x) for x in (out / "skipped.jsonl").read_text().splitlines()]
    assert [(s["id"], s["kind"]) for s in skipped] == [(UID(2), "sound")] and "pig" in skipped[0]["reason"]
    for s in samples.values():
        assert [t.name for t in s.tools] == ["search", "note_taking", "calendar_event", "play_media"]
        assert s.meta["source"] == "provoice-bench" and s.meta["uuid"] == s.id
    ess = samples[UID(1)]
    knock = next(g for g in ess.segments if g.kind == "sound")
    assert knock.label == "door_knock" and (ess.cue.start_s, ess.cue.end_s) == (knock.start_s, knock.end_s)
    ltm = samples[UID(6)]
    speech = [g for g in ltm.segments if g.kind in ("user1", "user2")]
    assert ltm.monitor_from_s == speech[0].end_s and ltm.cue.start_s == speech[-1].start_s
    assert samples[UID(5)].label is False and samples[UID(4)].cue.end_s == samples[UID(4)].segments[1].end_s
    # the cue windows were located on the rendered lines, and say how and how surely
    assert ltm.meta["cue_location"]["how"] == "content" and ltm.meta["cue_location"]["lines"] == [2]
    assert ess.meta["cue_location"] == {"how": "sound", "confidence": 0.95, "flagged": False, "lines": [1],
                                        "text": "door_knock"}
    assert all("locate_cue" not in s.meta for s in samples.values())
    # the build ends with its fidelity report, also kept as fidelity.json
    fid = json.loads((out / "fidelity.json").read_text())
    assert fid["groups"]["ESS-"] == {"release": 1, "built": 0, "skipped": {"sound": 1}}
    assert fid["groups"]["LTM+"] == {"release": 1, "built": 1, "skipped": {}}
    assert fid["cue_methods"] == {"content": 3, "sound": 1} and sum(fid["cue_confidence"].values()) == 4
    assert "pig" in fid["skip_reasons"]["sound"][0]


def test_the_importer_never_writes_a_sample_that_validate_refuses(tmp_path, monkeypatch):
    from provoice_live.audio import write_wav
    from provoice_live.corpus.official import importer
    from provoice_live.corpus.official.location import Located
    from provoice_live.corpus.sample import CueWindow

    records, _ = read_records(DATA)
    ltm = next(r for r in records if r.task == "LTM")
    clip = tmp_path / "clip.wav"
    write_wav(clip, np.zeros(16000 * 4, np.float32) + 0.01, 16000)
    monkeypatch.setattr(importer, "locate", lambda rec, x, rate: Located(  # a cue before monitoring starts
        CueWindow(start_s=1.0, end_s=2.0, derived=True), 2.5, "test"))
    (tmp_path / "c" / "audio").mkdir(parents=True)
    (tmp_path / "c" / "parts").mkdir()
    result = importer.import_one(ltm, str(clip), str(tmp_path / "c"), copy=True)
    assert result["status"] == "skipped" and result["kind"] == "invalid"
    assert "field 'cue.start_s'" in result["reason"] and "before monitoring" in result["reason"]
    assert not (tmp_path / "c" / "parts" / f"{ltm.id}.json").exists()


def overlap(a, b) -> float:
    """Intersection over the shorter span."""
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / max(1e-9, min(a[1] - a[0], b[1] - b[0]))


@pytest.mark.slow
def test_import_finds_cue_windows_in_the_audio(revoiced, tmp_path):
    out, code = revoiced
    assert code == 0
    truth = {s.id: s for s in load_corpus(out).samples}
    (tmp_path / "audios").mkdir()
    for sid, s in truth.items():  # the clips as the release ships them: no timestamps
        shutil.copy(out / s.audio, tmp_path / "audios" / f"{sid}.wav")
    shutil.copy(DATA, tmp_path / "data.json")
    corpus = tmp_path / "imported"
    assert cli(["import-provoice", "--data", str(tmp_path / "data.json"), "--tools", str(TOOLS),
                "--out", str(corpus), "--no-progress"]) == 0
    assert cli(["validate", str(corpus)]) == 0
    got = {s.id: s for s in load_corpus(corpus).samples}
    assert sorted(got) == sorted(truth)  # the ESS negative had no audio: listed, not faked
    missing = [json.loads(x) for x in (corpus / "skipped.jsonl").read_text().splitlines()]
    assert [(m["id"], m["kind"]) for m in missing] == [(UID(2), "audio")]
    for sid, s in got.items():
        t = truth[sid]
        assert (s.task, s.label, s.instruction, s.gt_response) == (t.task, t.label, t.instruction, t.gt_response)
        assert s.gt_tool_calls == t.gt_tool_calls and s.digital_context == t.digital_context
        assert s.meta["audio_placed"] in ("linked", "copied")
        if s.label:
            assert s.cue.derived is True
            assert overlap((s.cue.start_s, s.cue.end_s), (t.cue.start_s, t.cue.end_s)) > 0.6, (sid, s.cue, t.cue)
            assert abs(s.cue.end_s - t.cue.end_s) < 1.0, (sid, s.cue, t.cue)
        if s.task in ("LTM", "ESS"):
            assert s.monitor_from_s == pytest.approx(t.monitor_from_s, abs=0.6)
    assert got[UID(1)].meta["cue_method"] == "sound-outside-speech"
    assert got[UID(6)].meta["cue_method"] == "whisper-align+content"
    assert got[UID(6)].meta["cue_location"]["text"].startswith("Anyway, how about we rent that cabin")


@pytest.mark.parametrize("infos", [None, [], [{"user": "2", "user_gender": "female"}], [{"user": "1"}],
                                   [{"user": "1", "user_gender": "unknown"}, {"user": "2", "user_gender": "female"}]])
def test_user1s_gender_is_read_from_user_states_when_user_infos_gives_none(tmp_path, infos):
    """The release's CFC records keep the wearer's gender in `user_states.user_gender`."""
    from provoice_live.corpus.official import record_scene

    data = json.loads(DATA.read_text())
    cfc = data[3]
    cfc["user_states"]["user_gender"] = "male"  # user_infos said female: now only user_states says anything
    if infos is None:
        del cfc["conversation"]["user_infos"]
    else:
        cfc["conversation"]["user_infos"] = infos
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    records, bad = read_records(path)
    assert bad == []
    rec = next(r for r in records if r.id == UID(4))
    assert rec.genders["user1"] == "male"
    assert rec.genders.get("user2") == ("female" if infos and infos[-1].get("user") == "2" else None)
    voices = {s.id: s.gender for s in record_scene(rec, []).script.speakers}
    assert voices["user1"] == "male"  # voiced as the record says, not with the default (female)


@pytest.mark.parametrize("states_gender, infos_gender, expected", [
    ("male", "female", "female"), ("female", "male", "male"), ("other", None, None), (None, None, None),
    ("", "female", "female")])
def test_user_infos_comes_first_and_only_male_or_female_is_read(tmp_path, states_gender, infos_gender, expected):
    data = json.loads(DATA.read_text())
    cfc = data[3]
    cfc["user_states"]["user_gender"] = states_gender
    cfc["conversation"]["user_infos"] = [{"user": "1", "user_gender": infos_gender}]
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    records, _ = read_records(path)
    assert next(r for r in records if r.id == UID(4)).genders.get("user1") == expected


@pytest.mark.parametrize("index, after", [
    (0, [{"user": "1", "content": "Thanks, coming!"}]),  # ESS positive
    (2, [{"user": "1", "content": "Yes please."}, {"user": "model", "content": "Searching."}]),  # PIC
    (3, [{"user": "2", "content": "Right, 7:40 then."}, {"user": "1", "content": "Great."},
         {"user": "environment", "content": "(Sound of door_wood_knock)"}]),  # CFC
    (5, [{"user": "2", "content": "Shall we?"}, {"user": "model", "content": ""}, {"user": "1", "content": "Bye."}]),  # LTM
])
def test_turns_after_the_model_turn_are_dropped_with_a_named_note(tmp_path, caplog, index, after):
    """The model turn ends the scene; what follows it is left out, and the record says so."""
    data = json.loads(DATA.read_text())
    before, _ = read_records(DATA)
    turns = data[index]["conversation"]["conversation_list"]
    model = next(i for i, t in enumerate(turns) if t["user"] == "model")
    turns += after
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    with caplog.at_level("WARNING", logger="provoice_live.corpus.official.records"):
        records, bad = read_records(path)
    assert bad == []  # kept, not skipped
    rec, old = (next(r for r in rs if r.id == data[index]["meta"]["uuid"]) for rs in (records, before))
    assert rec.turns == old.turns and rec.label == old.label and rec.gt_response == old.gt_response
    assert rec.cue_turn == old.cue_turn and rec.instruction == old.instruction
    n = len(after)
    note = (f"sample {rec.id!r}, field 'conversation.conversation_list.{model + 1}': "
            f"{n} turn{'s' if n > 1 else ''} after the model turn {model} dropped (the model turn ends the scene)")
    assert rec.notes == [note] and rec.meta["reader_notes"] == [note]
    from provoice_live.corpus.official import record_scene
    assert record_scene(rec, []).meta["reader_notes"] == [note]  # kept with the re-voiced sample (and the imported)
    assert [r.getMessage() for r in caplog.records] == [note]
    assert all(not r.notes and "reader_notes" not in r.meta for r in records if r.id != rec.id)


def test_a_record_ending_with_its_model_turn_has_no_note(caplog):
    with caplog.at_level("WARNING", logger="provoice_live.corpus.official.records"):
        records, _ = read_records(DATA)
    assert all(r.notes == [] for r in records) and caplog.records == []
