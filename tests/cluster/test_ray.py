"""Sessions and corpus builds on a real two-node Ray cluster (`ray start` twice, on 127.0.0.1, in a
loopback-only network namespace: see `ray_cluster.py`). One cluster and one connected driver serve
the whole module; every call is bounded in time."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest

pytest.importorskip("ray")

from provoice_live.cli import main as cli  # noqa: E402
from provoice_live.corpus.builder import pipeline  # noqa: E402
from ray_cluster import LoopbackRayCluster, loopback_namespaces_available  # noqa: E402

pytestmark = pytest.mark.slow

BUILD = ["build-corpus", "--preset", "demo", "--limit", "4", "--seed", "3", "--no-progress"]
SCRIPTED = {"after_endpoint": "0.3"}


@pytest.fixture(scope="module")
def starting_cluster(tmp_path_factory):
    """The cluster, starting in a thread while the corpus and the reference run are made."""
    why = loopback_namespaces_available()
    if why:
        pytest.skip(why)
    c = LoopbackRayCluster(tmp_path_factory.mktemp("ray"))
    failure: list[BaseException] = []

    def start() -> None:
        try:
            c.start()
        except BaseException as exc:  # reported by `cluster`
            failure.append(exc)

    thread = threading.Thread(target=start, daemon=True)
    thread.start()
    try:
        yield c, thread, failure
    finally:
        thread.join(c.start_timeout_s)
        c.stop()


@pytest.fixture(scope="module")
def cluster(starting_cluster, corpus, reference) -> LoopbackRayCluster:
    c, thread, failure = starting_cluster
    thread.join(c.start_timeout_s)
    if failure or thread.is_alive():
        raise RuntimeError(f"the Ray cluster did not start: {failure[0] if failure else 'timed out'}")
    return c


@pytest.fixture(scope="module")
def corpus(starting_cluster, tmp_path_factory) -> Path:
    """4 demo samples (real speech, real endpoints), built locally with 1 process."""
    out = tmp_path_factory.mktemp("corpus") / "local"
    assert cli([*BUILD, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> bytes:
    """The local lockstep run's predictions with the scripted agent."""
    out = tmp_path_factory.mktemp("runs") / "local"
    assert cli(["run", "--corpus", str(corpus), "--agent", "scripted", "--agent-opt", "after_endpoint=0.3",
                "--clock", "lockstep", "--out", str(out), "--no-progress"]) == 0
    preds = (out / "predictions.jsonl").read_bytes()
    assert sum(json.loads(line)["intervened"] for line in preds.splitlines()) >= 2  # a run with something in it
    return preds


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def results(run: Path) -> dict[str, dict]:
    return {p.name.removesuffix(".result.json"): json.loads(p.read_text())
            for p in (run / "sessions").glob("*.result.json")}


@pytest.mark.skipif(not hasattr(pipeline, "inputs_sha256"),
                    reason="this builder's wavs depend on the order of work (fixed by the byte-reproducible builder)")
def test_build_corpus_on_ray_gives_the_same_bytes_as_a_local_build(cluster, corpus, tmp_path):
    out = tmp_path / "ray"
    assert cluster.call("ray_ops:cli", [*BUILD, "--out", str(out), "--executor", "ray", "--workers", "2"],
                        timeout=240) == 0
    local, remote = tree(corpus), tree(out)
    assert len(local) >= 4 * 3 + 2  # wav, record, scene per sample; manifest, build.json
    assert remote == local


def test_lockstep_predictions_on_ray_equal_the_local_run(cluster, corpus, reference, tmp_path):
    out = tmp_path / "ray"
    assert cluster.call("ray_ops:cli", ["run", "--corpus", str(corpus), "--agent", "scripted", "--agent-opt",
                                        "after_endpoint=0.3", "--clock", "lockstep", "--out", str(out),
                                        "--no-progress", "--executor", "ray", "--workers", "2"], timeout=180) == 0
    assert (out / "predictions.jsonl").read_bytes() == reference
    config = json.loads((out / "config.json").read_text())
    assert config["agent"] == "scripted" and config["session"]["clock"] == "lockstep"
    for sid, res in results(out).items():  # the driver wrote each worker's log beside its result
        log = [json.loads(line) for line in (out / "sessions" / f"{sid}.jsonl").read_text().splitlines()]
        assert [r["kind"] for r in log].count("session_start") == 1 and log[-1]["kind"] == "session_end"
        assert res["status"] == "ok"


def test_shipped_audio_reaches_workers_that_do_not_see_the_corpus(cluster, corpus, reference, tmp_path):
    # with --ship-audio a worker never opens the corpus path: it gets the bytes from the object store
    report = cluster.call("ray_ops:run_ray", str(corpus), str(tmp_path / "ray"), "scripted", SCRIPTED,
                          workers=2, ship_audio=True, timeout=180)
    assert report["ran"] == 4 and not report["errors"] and not report["not_run"]
    assert (tmp_path / "ray" / "predictions.jsonl").read_bytes() == reference
    assert sum(w["sessions"] for w in report["workers"]) == 4
    assert_scratch_removed(report["workers"])
    for sid in results(tmp_path / "ray"):  # each session read the copy its worker wrote from the object store
        start = json.loads((tmp_path / "ray" / "sessions" / f"{sid}.jsonl").read_text().splitlines()[0])
        assert start["kind"] == "session_start"
        read = Path(start["audio"]["path"])
        assert read.name == f"{sid}.wav" and not read.is_relative_to(corpus.resolve())


def test_a_killed_worker_loses_nothing_and_nothing_is_counted_twice(cluster, corpus, reference, tmp_path):
    out = tmp_path / "ray"
    report = cluster.call("ray_ops:run_and_kill", str(corpus), str(out), "ray_ops:SlowScripted",
                          {**SCRIPTED, "work_ms": "3"}, 2, 1, timeout=240)
    killed = report["killed"]
    assert killed["pid"] and killed["in_flight"] >= 1
    assert report["retried"] >= killed["in_flight"]
    assert report["ran"] == 4 and not report["errors"] and not report["not_run"]  # each session once
    dead = [w for w in report["workers"] if w["pid"] == killed["pid"]]
    assert dead and not dead[0]["alive"] and dead[0]["lost"] == killed["in_flight"]
    assert sum(w["sessions"] for w in report["workers"]) == 4
    assert (out / "predictions.jsonl").read_bytes() == reference
    for sid in results(out):
        kinds = [json.loads(line)["kind"] for line in (out / "sessions" / f"{sid}.jsonl").read_text().splitlines()]
        assert kinds.count("session_start") == 1
    assert_scratch_removed(report["workers"])  # the dead worker's too


def assert_scratch_removed(workers: list[dict]) -> None:
    """Every worker ran in `<temp>/provoice-run-<token>/<name>-*`, one parent per run, gone after it."""
    scratch = [Path(w["scratch"]) for w in workers if w["pid"]]
    parents = {p.parent for p in scratch}
    assert scratch and len(parents) == 1 and next(iter(parents)).name.startswith("provoice-run-")
    assert all(p.name.startswith(f"{w['name']}-") for p, w in zip(scratch, [w for w in workers if w["pid"]]))
    assert not any(p.exists() for p in [*scratch, *parents])


def test_an_interrupted_ray_run_resumes_to_the_same_predictions(cluster, corpus, reference, tmp_path):
    out = tmp_path / "ray"
    first = cluster.call("ray_ops:run_and_interrupt", str(corpus), str(out), "ray_ops:SlowScripted",
                         {**SCRIPTED, "work_ms": "3"}, 1, timeout=240)
    assert 1 <= first["results_at_interrupt"] < 4
    partial = results(out)
    assert (out / "config.json").is_file() and (out / "predictions.jsonl").is_file()
    report = cluster.call("ray_ops:run_ray", str(corpus), str(out), "ray_ops:SlowScripted",
                          {**SCRIPTED, "work_ms": "3"}, workers=2, timeout=240)
    assert report["ran"] == 4 - len(partial) and not report["errors"]
    assert (out / "predictions.jsonl").read_bytes() == reference
    assert {k: v for k, v in results(out).items() if k in partial} == partial  # finished work kept as it was


def test_max_inflight_caps_the_endpoint_and_one_429_backs_every_worker_off(cluster, corpus, tmp_path):
    port = cluster.call("ray_ops:serve_counting_agent")
    cluster.call("ray_ops:counting_agent_stats", reset=True)
    cluster.call("ray_ops:serve_counting_agent", refuse_first=1)  # the first handshake is answered 429
    report = cluster.call("ray_ops:run_ray", str(corpus), str(tmp_path / "ray"), "websocket",
                          {"url": f"ws://127.0.0.1:{port}"}, workers=2, concurrency=3, max_inflight=2, timeout=240)
    seen = cluster.call("ray_ops:counting_agent_stats")
    assert report["ran"] == 4 and not report["errors"], report  # the refused handshake was retried
    assert seen["sessions"] == 4 and seen["refused"] == 1
    assert seen["peak"] == 2  # never more than 2 at once, though 2 workers x 3 could hold all 4
    assert report["limiter"]["peak"] == 2 and report["limiter"]["granted"] == 4
    assert report["limiter"]["backoffs"] == 1
    assert [w["backoffs_heard"] for w in report["workers"]] == [1, 1]  # the one refused, and the other


def test_a_session_stalled_on_its_worker_comes_back_suspect_is_counted_and_left_out_of_latency(cluster, tmp_path):
    # 4 real-time sessions of 3 s over 2 workers; p001's agent blocks its worker's loop 300 ms every
    # 15 chunks, so its hand-over lag p99 is at least ~300 ms > 150 ms whatever the machine's load
    from support.helpers import make_corpus, sample, timeline

    audio = timeline([("speech", 1.0), ("silence", 0.5), ("speech", 1.0), ("silence", 0.5)])
    corpus = make_corpus(tmp_path / "corpus", [sample(f"p{i:03d}", cue=(1.0, 1.5), _audio=audio) for i in range(4)])
    out = tmp_path / "ray"
    report = cluster.call("ray_ops:run_ray", str(corpus), str(out), "ray_ops:StallingScripted",
                          {"at": "2.0", "stall_ids": "p001", "stall_ms": "300", "stall_every": "15"},
                          clock="realtime", run_argv=["--no-vad", "--max-timing-error-ms", "150"], workers=2,
                          timeout=240)
    assert report["ran"] == 4 and not report["errors"] and not report["not_run"]
    preds = {p["id"]: p for p in map(json.loads, (out / "predictions.jsonl").read_text().splitlines())}
    assert all(p["timing_suspect"] in (True, False) for p in preds.values())  # real time: every session judged
    suspect = {sid for sid, p in preds.items() if p["timing_suspect"]}
    assert "p001" in suspect
    assert any("hand-over lag" in r for r in preds["p001"]["timing_reasons"])
    health = results(out)["p001"]["timing"]  # measured on the worker, sent back with the session
    assert health["suspect"] and health["handover_lag_ms"]["p99_ms"] >= 150.0

    # the driver counts them per worker, on the worker that ran each
    per_worker = {w["name"]: w for w in report["workers"] if w["pid"]}
    assert [w["niceness"] for w in per_worker.values()] == [0, 0]  # not Ray's 15: sessions get a fair share
    assert sum(w["suspect"] for w in per_worker.values()) == len(suspect)
    assert sorted(sid for w in per_worker.values() for sid in w["suspect_ids"]) == sorted(suspect)
    stalled_on = [w for w in per_worker.values() if "p001" in w["suspect_ids"]]
    assert len(stalled_on) == 1 and stalled_on[0]["sessions"] >= 1

    # scoring keeps their decisions and leaves their timing out (--include-suspect puts it back)
    assert cli(["score", str(out), "-q", "--json", str(tmp_path / "a.json")]) == 0
    assert cli(["score", str(out), "-q", "--include-suspect", "--json", str(tmp_path / "b.json")]) == 0
    a, b = (json.loads((tmp_path / f).read_text()) for f in ("a.json", "b.json"))
    assert a["timing_suspect"]["count"] == len(suspect) and not a["timing_suspect"]["included"]
    assert {s["id"] for s in a["timing_suspect"]["samples"]} == suspect
    assert a["decision"]["overall"]["tp"] == 4 and a["decision"]["overall"]["n"] == 4  # all 4 decisions count
    assert a["timing"]["overall"]["latency_s"]["n"] == 4 - len(suspect)
    assert b["timing"]["overall"]["latency_s"]["n"] == 4
    assert_scratch_removed(report["workers"])
