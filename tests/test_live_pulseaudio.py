"""`provoice-live live` on a real audio stack: PortAudio (ALSA's pulse plugin) reading the default
source of a PulseAudio server, which is the monitor of a null sink; `paplay` plays a built LTM
positive into that sink, as a user's microphone would hear it. The session hears the scene and
interjects on the topic, Ctrl-C ends it cleanly, and `score` and `report` work on its run directory.

The PulseAudio server: the one `PULSE_SERVER` names when it answers (`.ci/run` starts one with a
null sink as default), else a private one this test starts (its own socket in the test's temporary
directory, touching no other PulseAudio). Skipped without Debian's `pulseaudio` and `paplay`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (shutil.which("pulseaudio") and shutil.which("paplay") and shutil.which("pactl")),
                                 reason="needs Debian's pulseaudio and pulseaudio-utils")]
pytest.importorskip("sounddevice")

from provoice_live.run import RunDir, SessionTrace, read_records  # noqa: E402

RATE = 16000
PAD_S = 1.0  # silence before the scene
TEMPLATE, SEED, AMBIENT = "ltm_pets", 1, "home"  # an LTM positive the offline agent hears (see the browser test)
GUARD_S = 120  # against a hang only


def pactl_ok(env: dict) -> bool:
    return subprocess.run(["pactl", "info"], env=env, capture_output=True, timeout=20).returncode == 0


@pytest.fixture
def pulse(tmp_path):
    """(env for clients, sink name): the CI's server, or a private one with a null sink as default."""
    env = dict(os.environ)
    if env.get("PULSE_SERVER") and pactl_ok(env):
        info = subprocess.run(["pactl", "get-default-sink"], env=env, capture_output=True, text=True).stdout.strip()
        yield env, info
        return
    home = tmp_path / "pulse"
    (home / "rt").mkdir(parents=True)
    socket = home / "native"
    env.update(HOME=str(home), PULSE_RUNTIME_PATH=str(home / "rt"), PULSE_SERVER=f"unix:{socket}")
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disallow-exit=yes",
         "-L", f"module-native-protocol-unix socket={socket} auth-anonymous=1",
         "-L", "module-null-sink sink_name=provoice_mic sink_properties=device.description=provoice_mic",
         "-L", "module-always-sink"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):  # bounded wait for the socket
            if socket.exists() and pactl_ok(env):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"PulseAudio did not start: {daemon.stderr.read1(2000) if daemon.stderr else ''}")
        yield env, "provoice_mic"
    finally:
        daemon.terminate()
        daemon.wait(10)


def built_scene(path: Path):
    """An LTM positive from the corpus builder's pipeline, written as a 16 kHz wav;
    (duration, rendered, the standing instruction typed in as the browser test does)."""
    from provoice_live.audio import write_wav
    from provoice_live.corpus.builder.render import make_noise_bank, make_sound_bank, render_script
    from provoice_live.corpus.builder.scenes import make_scene
    from provoice_live.corpus.builder.tts import EspeakTTS

    scene = make_scene(TEMPLATE, True, SEED, "pulse-ltm")
    scene.script.ambient = AMBIENT
    tts = EspeakTTS()
    r = render_script(scene.script, np.random.default_rng(SEED), tts=tts, sounds=make_sound_bank(),
                      noise=make_noise_bank(tts=tts), rate=RATE)
    x = np.concatenate([np.zeros(int(PAD_S * RATE), np.float32), r.audio])
    write_wav(path, x, RATE)
    return len(x) / RATE, r, scene.instruction


def wait_for(predicate, what: str) -> None:
    t0 = time.monotonic()
    while not predicate():
        if time.monotonic() - t0 > GUARD_S:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_live_hears_a_scene_played_into_a_pulseaudio_microphone(tmp_path, pulse):
    env, sink = pulse
    env = dict(env, PYTHONPATH=str(Path(__file__).resolve().parent.parent), HF_HUB_OFFLINE="1")
    wav = tmp_path / "scene.wav"
    duration, rendered, instruction = built_scene(wav)
    out = tmp_path / "run"
    live = subprocess.Popen([sys.executable, "-m", "provoice_live.cli", "live", "--agent", "offline", "--out", str(out),
                             "--instruction", instruction],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        logs = lambda: sorted((out / "sessions").glob("*.jsonl")) if (out / "sessions").is_dir() else []  # noqa: E731
        wait_for(lambda: logs() or live.poll() is not None, "the live session to start")
        assert live.poll() is None, live.communicate()
        sid = logs()[0].name.removesuffix(".jsonl")
        recording = out / "sessions" / f"{sid}.input.wav"  # what the agent receives, written as it streams

        def streamed_s() -> float:  # PCM16 mono at 16 kHz after a 44-byte header
            return max(0, recording.stat().st_size - 44) / 2 / RATE if recording.exists() else 0.0

        # the agent has started (loading a model takes a while) and the microphone is flowing
        wait_for(lambda: streamed_s() > 0.5 or live.poll() is not None, "the microphone to stream")
        assert live.poll() is None, live.communicate()
        lead = streamed_s()  # where in the stream the scene starts
        subprocess.run(["paplay", f"--device={sink}", str(wav)], env=env, check=True, timeout=GUARD_S)
        # the agent's answer to the topic line (a loaded machine transcribes late); bounded wait
        t0 = time.monotonic()
        while time.monotonic() - t0 < GUARD_S / 2 and not SessionTrace.read(out / "sessions" / f"{sid}.jsonl").replies:
            time.sleep(0.2)
        time.sleep(0.5)
        live.send_signal(signal.SIGINT)  # Ctrl-C
        stdout, stderr = live.communicate(timeout=GUARD_S)
    finally:
        if live.poll() is None:
            live.kill()
            live.communicate()
    assert live.returncode == 0, stderr
    assert "Traceback" not in stdout + stderr and "session ok" in stdout

    # a clean run directory: what a live session leaves, nothing half written
    run = RunDir(out)
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    expected = {"config.json", f"sessions/{sid}.jsonl", f"sessions/{sid}.result.json", f"sessions/{sid}.input.wav"}
    assert files == expected | {"predictions.jsonl"}, files  # predictions from the session's own result
    result = run.read_result(sid)
    assert result.status == "ok" and result.audio_s >= duration
    records = read_records(run.log_path(sid))
    assert records[-1].kind == "session_end" and records[-1].status == "ok"

    # the interjection answers the topic line (its stream time is the scene's plus the lead)
    cue_start = lead + PAD_S + rendered.cue.start_s
    print("interjections:", [(round(i.t, 2), i.text) for i in result.interjections], "cue starts:", cue_start)
    # (no upper bound: how soon it answers is latency, measured in bench/, and a loaded machine
    # transcribes seconds late)
    assert any(i.t >= cue_start and i.text for i in result.interjections)

    # score and report work on the run directory
    score = subprocess.run([sys.executable, "-m", "provoice_live.cli", "score", str(out), "--json",
                            str(tmp_path / "scores.json")], env=env, capture_output=True, text=True, timeout=GUARD_S)
    assert score.returncode == 0, score.stderr
    json.loads((tmp_path / "scores.json").read_text())
    report = subprocess.run([sys.executable, "-m", "provoice_live.cli", "report", str(out), "--out",
                             str(tmp_path / "report")], env=env, capture_output=True, text=True, timeout=GUARD_S)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report" / "index.html").is_file()
