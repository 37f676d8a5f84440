"""Corpus builds: files, timing truth, resume, determinism across workers, skips, the CLI, and the
LLM scene stages against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import collections
import json
import os

import pytest
import soundfile as sf

from fakes.openai_http import Status
from fakes_scene_llm import FakeSceneLLM, running
from provoice_live.http_retry import RetryPolicy
from provoice_live.cli import main as cli
from provoice_live.corpus import load_corpus, validate_corpus
from provoice_live.corpus.builder import pipeline
from provoice_live.corpus.builder.llm import LLMClient, LLMError, ScriptSpec, llm_scene, parse_json_text
from provoice_live.corpus.builder.scenes import PlanItem, make_scene, plan, sample_seed
from provoice_live.corpus.builder.script import Line

NO_WAIT = RetryPolicy(base_s=0.0, max_s=0.0, jitter=False)


def by_id(root):
    return {s.id: s for s in load_corpus(root).samples}


def by_key(root):
    """Samples by their plan key (`pic-pos-0001`); ids are opaque."""
    return {s.meta["plan_key"]: s for s in load_corpus(root).samples}


def assert_same_sample(a, b):
    """Byte-for-byte the same record (builds are reproducible: see `pipeline`'s docstring)."""
    assert a.model_dump_json() == b.model_dump_json()


def file_hashes(root) -> dict[str, str]:
    """SHA-256 of every file a build leaves (the wavs, manifest.jsonl, build.json, skipped.jsonl)."""
    import hashlib
    from pathlib import Path

    root = Path(root)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "parts" not in p.relative_to(root).parts}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Four samples (PIC and LTM, both labels) built in one process."""
    out = tmp_path_factory.mktemp("small")
    result = pipeline.build(pipeline.preset_jobs("demo", seed=3, limit=4), out, progress=False)
    return out, result


def test_build_writes_a_valid_corpus_with_the_renders_timing(small):
    out, result = small
    assert len(result.built) == 4 and not result.skipped and result.audio_s > 20
    assert validate_corpus(out) == []
    samples = by_key(out)
    assert sorted(samples) == ["ltm-neg-0001", "ltm-pos-0001", "pic-neg-0001", "pic-pos-0001"]
    ids = [s.id for s in load_corpus(out).samples]
    assert ids == sorted(ids) and all(i.startswith("s") and i[1:].isdigit() for i in ids)  # opaque, in id order
    for s in samples.values():
        info = sf.info(str(out / s.audio))
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        scene = json.loads((out / "parts" / f"{s.id}.scene.json").read_text())
        cue_text = next(ln["text"] for ln in scene["script"]["lines"] if ln["role"] == "cue")
        speech = [g for g in s.segments if g.kind in ("user1", "user2")]
        cue_seg = next(g for g in speech if g.text == cue_text)
        assert (s.cue.start_s, s.cue.end_s) == (cue_seg.start_s, cue_seg.end_s)
        assert s.cue.end_s <= info.duration + 1e-3
        assert s.meta["template"] == scene["template"] and s.meta["seed"] == sample_seed(3, s.meta["plan_key"])
        assert s.meta["cue_kind"] == ("trigger" if s.label else "near_miss")
        assert set(s.meta["voices"]) == {seg.kind for seg in speech}
        if s.task == "LTM":  # monitoring starts where the spoken instruction ends
            assert s.monitor_from_s == pytest.approx(speech[0].end_s, abs=1e-3) and s.monitor_from_s > 1.0
            assert speech[0].text == s.instruction
        else:
            assert s.monitor_from_s == 0.0 and s.instruction is None
        assert bool(s.gt_response) is s.label


def test_a_rerun_resumes_and_skips_finished_samples(small, tmp_path):
    out, _ = small
    work = tmp_path / "c"
    import shutil

    shutil.copytree(out, work)
    mtimes = {p.name: p.stat().st_mtime_ns for p in (work / "audio").iterdir()}
    again = pipeline.build(pipeline.preset_jobs("demo", seed=3, limit=4), work, progress=False)
    assert again.built == [] and len(again.reused) == 4
    assert {p.name: p.stat().st_mtime_ns for p in (work / "audio").iterdir()} == mtimes
    # a sample whose record is missing (the run died before writing it) is made again, alone
    sid = by_key(work)["ltm-pos-0001"].id
    (work / "parts" / f"{sid}.json").unlink()
    calls = []
    jobs = pipeline.preset_jobs("demo", seed=3, limit=4)
    for j in jobs:
        inner = j.scene
        j.scene = (lambda inner=inner, j=j: calls.append(j.id) or inner())
    third = pipeline.build(jobs, work, progress=False)
    assert third.built == [sid] and calls == []  # its scene came from parts/, not remade
    assert validate_corpus(work) == [] and len(by_id(work)) == 4
    assert_same_sample(by_id(work)[sid], by_id(out)[sid])


def test_builds_are_byte_identical_whatever_the_workers(small, tmp_path):
    """The same jobs built in this process (after whatever the other tests spoke) and in two spawned
    worker processes give the same bytes: wavs (babble scenes included), manifest and build.json."""
    out, _ = small
    par = pipeline.build(pipeline.preset_jobs("demo", seed=3, limit=4), tmp_path, workers=2, progress=False)
    assert len(par.built) == 4
    assert any(s.meta.get("noise_scene") == "cafe" for s in load_corpus(out).samples)  # eSpeak babble
    one, two = file_hashes(out), file_hashes(tmp_path)
    assert len([k for k in one if k.endswith(".wav")]) == 4 and "manifest.jsonl" in one and "build.json" in one
    assert one == two
    for sid, s in by_id(out).items():
        assert s.meta["build"] == {"builder": pipeline.builder_version(), "inputs_sha256": s.meta["build"]["inputs_sha256"]}
        assert len(s.meta["build"]["inputs_sha256"]) == 64
    info = json.loads((out / "build.json").read_text())
    assert info["builder"] == pipeline.builder_version() and len(info["inputs_sha256"]) == 64


def test_the_inputs_hash_follows_the_inputs():
    scene = make_scene("ess_kettle", True, 1, "s0001")
    config = pipeline.RenderConfig()
    base = pipeline.inputs_sha256(scene, 1, config)
    assert pipeline.inputs_sha256(make_scene("ess_kettle", True, 1, "s0001"), 1, config) == base
    assert pipeline.inputs_sha256(scene, 2, config) != base
    assert pipeline.inputs_sha256(scene, 1, pipeline.RenderConfig(tts="openai:tts-1")) != base
    edited = scene.model_copy(update={"instruction": (scene.instruction or "") + " Please."})
    assert pipeline.inputs_sha256(edited, 1, config) != base


def test_an_unusable_sound_is_listed_not_faked(tmp_path):
    good = make_scene("ess_kettle", True, 1, "ess-ok")
    bad = make_scene("ess_kettle", True, 2, "ess-pig")
    lines = [ln if ln.speaker != "sound" else Line(speaker="sound", sound="pig", role="cue") for ln in bad.script.lines]
    bad = bad.model_copy(update={"script": bad.script.model_copy(update={"lines": lines})})
    jobs = [pipeline.Job("ess-ok", 1, lambda: good), pipeline.Job("ess-pig", 2, lambda: bad)]
    result = pipeline.build(jobs, tmp_path, progress=False)
    assert result.built == ["ess-ok"]
    skipped = [json.loads(x) for x in (tmp_path / "skipped.jsonl").read_text().splitlines()]
    assert skipped == [{"id": "ess-pig", "kind": "sound", "reason": skipped[0]["reason"], "sounds": ["pig"]}]
    assert "pig" in skipped[0]["reason"]
    assert list(by_id(tmp_path)) == ["ess-ok"] and not (tmp_path / "audio" / "ess-pig.wav").exists()
    ess = by_id(tmp_path)["ess-ok"]
    sound = next(g for g in ess.segments if g.kind == "sound")
    assert (ess.cue.start_s, ess.cue.end_s) == (sound.start_s, sound.end_s) and sound.label == "kettle_whistle"
    assert ess.cue.start_s - ess.monitor_from_s >= 2.5  # the ESS sound gap's lower bound


def test_cli_builds_and_validate_accepts_it(tmp_path, capsys):
    out = tmp_path / "c"
    assert cli(["build-corpus", "--preset", "demo", "--limit", "2", "--seed", "9", "--out", str(out), "--no-progress"]) == 0
    assert "2 samples" in capsys.readouterr().out
    assert cli(["validate", str(out)]) == 0
    settings = json.loads((out / "build.json").read_text())
    assert settings["seed"] == 9 and settings["preset"] == "demo" and settings["scenes"] == "templates"
    from provoice_live.corpus.builder.templates import REGISTRY

    assert cli(["build-corpus", "--list-templates"]) == 0
    listing = capsys.readouterr().out
    assert f"{len(REGISTRY)} templates" in listing and "ltm_dining" in listing
    assert cli(["build-corpus", "--preset", "nope", "--out", str(tmp_path / "x")]) == 1


@pytest.mark.slow
def test_demo_preset_builds_a_balanced_valid_corpus(tmp_path):
    assert cli(["build-corpus", "--preset", "demo", "--workers", "2", "--out", str(tmp_path), "--no-progress"]) == 0
    assert cli(["validate", str(tmp_path)]) == 0 and validate_corpus(tmp_path) == []
    assert not (tmp_path / "skipped.jsonl").exists()
    counts = collections.Counter((s.task, s.label) for s in load_corpus(tmp_path).samples)
    assert set(counts.values()) == {6} and len(counts) == 8


@pytest.mark.slow
def test_every_template_renders_valid_samples(tmp_path):
    """One real render per template, labels alternating (both labels of every template are checked
    with fake timing in test_scenes); the demo build above renders more of each."""
    from provoice_live.corpus.builder.templates import REGISTRY

    items = [PlanItem(f"{name}-{i % 2}", t.task, bool(i % 2), name, 100 + i)
             for i, (name, t) in enumerate(REGISTRY.items())]
    assert {i.task for i in items if i.label} == {i.task for i in items if not i.label} == {"PIC", "LTM", "CFC", "ESS"}
    result = pipeline.build(pipeline.template_jobs(items), tmp_path, workers=2, progress=False)
    assert result.samples == len(items) and not result.skipped
    assert validate_corpus(tmp_path) == []


# --- the LLM stages ------------------------------------------------------------------------
def test_parse_json_text_finds_the_object():
    assert parse_json_text('{"a": 1}') == {"a": 1}
    assert parse_json_text('<think>{"no": 1}</think>```json\n{"a": 2}\n```') == {"a": 2}
    assert parse_json_text('Here: {"a": {"b": "}"}} trailing') == {"a": {"b": "}"}}
    with pytest.raises(ValueError):
        parse_json_text("no json here")


ITEM = PlanItem("s0001", "LTM", True, "llm", 42, "ltm-pos-0001")


def client(server, **kw) -> LLMClient:
    os.environ.setdefault("PROVOICE_TEST_KEY", "sk-test")
    return LLMClient("fake-model", server.base_url, api_key_env="PROVOICE_TEST_KEY", retry=NO_WAIT, **kw)


def test_llm_invalid_reply_is_retried_with_the_reason():
    with running(FakeSceneLLM(["invalid", "prose"])) as server:
        scene = llm_scene(client(server), ITEM)
    bodies = [r["body"] for r in server.requests]
    assert len(bodies) == 5  # state: invalid, prose, ok; scene: ok; script: ok
    assert bodies[0]["response_format"]["type"] == "json_schema"
    assert bodies[0]["response_format"]["json_schema"]["name"] == "digital_state"
    assert "That reply is invalid" in bodies[1]["messages"][-1]["content"]
    assert bodies[1]["messages"][-2]["role"] == "assistant"
    assert scene.task == "LTM" and scene.template == "llm" and scene.meta["source"] == "llm"
    assert [ln.speaker for ln in scene.script.lines if ln.role == "cue"] == ["user2"]
    assert scene.script.lines[0].role == "instruction" and scene.instruction == scene.script.lines[0].text


def test_llm_transient_http_errors_are_retried():
    with running(FakeSceneLLM([Status(429, {"retry-after": "0"}), Status(500), Status(503)])) as server:
        scene = llm_scene(client(server), ITEM)
    assert len(server.requests) == 6 and scene.label


def test_llm_gives_up_after_bounded_attempts_naming_the_stage():
    with running(FakeSceneLLM(["invalid"] * 10)) as server:
        with pytest.raises(LLMError, match="digital_state.*3 attempts"):
            llm_scene(client(server, max_attempts=3), ITEM)
    assert len(server.requests) == 3
    with running(FakeSceneLLM([Status(401)])) as server:
        with pytest.raises(LLMError, match="401"):
            llm_scene(client(server), ITEM)
    assert len(server.requests) == 1  # not retried


def test_llm_falls_back_to_json_in_text_when_the_schema_is_refused():
    with running(FakeSceneLLM(["reject_format"])) as server:
        c = client(server)
        scene = llm_scene(c, ITEM)
    bodies = [r["body"] for r in server.requests]
    assert "response_format" in bodies[0] and all("response_format" not in b for b in bodies[1:])
    assert "JSON schema" in bodies[1]["messages"][0]["content"] and not c.json_schema_ok
    assert scene.gt_tool_calls[0].name == "note_taking"


def test_llm_script_that_breaks_the_rules_is_retried():
    """A positive script with no cue line passes pydantic but not the scene rules: it is retried."""
    from provoice_live.corpus.builder import llm

    calls = []
    real = llm._script_check

    def spy(item, sound, build):
        check = real(item, sound, build)

        def wrapped(spec: ScriptSpec):
            if not calls:
                spec = ScriptSpec(lines=[ln.model_copy(update={"role": "talk"}) if ln.role == "cue" else ln
                                         for ln in spec.lines])
            problems = check(spec)
            calls.append(problems)
            return problems
        return wrapped

    llm._script_check = spy
    try:
        with running(FakeSceneLLM()) as server:
            llm_scene(client(server), ITEM)
    finally:
        llm._script_check = real
    assert any("role 'cue'" in p for p in calls[0]) and calls[1] == []


def test_llm_scenes_build_the_same_kind_of_corpus(tmp_path):
    items = [it for it in plan({("ESS", True): 1, ("ESS", False): 1, ("CFC", True): 1, ("PIC", False): 1}, seed=4)]
    with running(FakeSceneLLM()) as server:
        c = client(server)
        jobs = [pipeline.Job(it.id, it.seed, (lambda it=it: llm_scene(c, it)), "llm") for it in items]
        result = pipeline.build(jobs, tmp_path, progress=False, scene_workers=2)
    assert result.samples == 4 and validate_corpus(tmp_path) == []
    samples = by_key(tmp_path)
    for s in samples.values():
        assert s.meta["source"] == "llm" and s.meta["model"] == "fake-model"
        assert (tmp_path / "parts" / f"{s.id}.scene.json").is_file()
    ess_pos, ess_neg = samples["ess-pos-0001"], samples["ess-neg-0001"]
    heard = lambda s: next(g.label for g in s.segments if g.kind == "sound")
    assert heard(ess_pos) == ess_pos.meta["sound_asked"] == ess_pos.meta["sound_heard"]
    assert heard(ess_neg) == ess_neg.meta["sound_heard"] != ess_neg.meta["sound_asked"]
    assert ess_pos.cue is not None and ess_pos.monitor_from_s > 0
    assert samples["cfc-pos-0001"].gt_response and not samples["pic-neg-0001"].gt_tool_calls


def test_cli_llm_path_writes_the_same_files(tmp_path, monkeypatch):
    out = tmp_path / "c"
    monkeypatch.setenv("PROVOICE_SECRET_KEY", "sk-secret-4242")
    with running(FakeSceneLLM(["invalid"])) as server:
        code = cli(["build-corpus", "--preset", "demo", "--limit", "3", "--out", str(out), "--no-progress",
                    "--llm", "fake-model", "--base-url", server.base_url, "--api-key-env", "PROVOICE_SECRET_KEY"])
    assert len(server.auth) == 3 * 3 + 1 and set(server.auth) == {"Bearer sk-secret-4242"}
    assert code == 0 and validate_corpus(out) == []
    samples = load_corpus(out).samples
    assert sorted(s.meta["plan_key"] for s in samples) == ["ltm-pos-0001", "pic-neg-0001", "pic-pos-0001"]
    assert all(s.meta["source"] == "llm" and s.meta["template"] == "llm" for s in samples)
    assert sorted(p.name for p in (out / "parts").iterdir()) == sorted(
        f"{s.id}{ext}" for s in samples for ext in (".json", ".scene.json"))
    settings = json.loads((out / "build.json").read_text())
    assert settings["scenes"] == "llm" and settings["llm"]["model"] == "fake-model"
    written = "".join(p.read_text() for p in out.rglob("*.json*"))
    assert "sk-secret-4242" not in written  # the key reaches the server only
