"""The live microphone: a fake PortAudio input stream, the `live` session, Ctrl-C, missing devices."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
import types

import numpy as np
import pytest
from support.helpers import timeline

from provoice_live.audio import load_audio, resample, to_pcm16
from provoice_live.errors import MissingDependency
from provoice_live.live.mic import LiveView, run_microphone
from provoice_live.live.session import LiveSpec
from provoice_live.run import RunDir, parse_record, read_records
from provoice_live.scoring.inputs import predictions_from_run
from provoice_live.sources import mic as mic_mod
from provoice_live.sources.mic import BlockResampler, MicSource


class FakeInputStream:
    """`sounddevice.RawInputStream` as PortAudio drives it: blocks from another thread."""

    instances: list["FakeInputStream"] = []

    def __init__(self, x: np.ndarray, pace_s: float = 0.0, **kwargs):
        self.kwargs = kwargs
        self.pcm = to_pcm16(x)
        self.pace_s = pace_s
        self.started = self.stopped = self.closed = False
        self._halt = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        FakeInputStream.instances.append(self)

    @classmethod
    def factory(cls, x: np.ndarray, pace_s: float = 0.0):
        return lambda **kw: cls(x, pace_s, **kw)

    def _run(self) -> None:
        n = 2 * self.kwargs["blocksize"]
        for pos in range(0, len(self.pcm) - n + 1, n):
            if self._halt.is_set():
                return
            block = self.pcm[pos: pos + n]
            self.kwargs["callback"](memoryview(block), len(block) // 2, None, 0)
            time.sleep(self.pace_s)

    def start(self) -> None:
        self.started = True
        self._thread.start()

    def stop(self) -> None:
        self.stopped = True
        self._halt.set()

    def close(self) -> None:
        self.closed = True


def tone(seconds: float, rate: int, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


async def collect(src: MicSource, until_samples: int) -> list:
    chunks = []
    async for chunk in src.chunks(None):
        chunks.append(chunk)
        if sum(c.n_samples for c in chunks) >= until_samples:
            src.stop()
    return chunks


async def test_mic_chunks_at_the_agent_rate_carry_the_device_audio():
    """A 16 kHz device: 20 ms chunks of 320 samples, contiguous, bit-exact."""
    x = tone(1.0, 16000)
    src = MicSource(16000, 20.0, stream_factory=FakeInputStream.factory(x))
    chunks = await collect(src, 16000)
    stream = FakeInputStream.instances[-1]
    assert stream.kwargs["samplerate"] == 16000 and stream.kwargs["blocksize"] == 320
    assert stream.kwargs["channels"] == 1 and stream.kwargs["dtype"] == "int16"
    assert [c.n_samples for c in chunks] == [320] * 50
    assert [c.start_sample for c in chunks] == list(range(0, 16000, 320))
    assert b"".join(bytes(c.pcm) for c in chunks) == to_pcm16(x)
    assert stream.stopped and stream.closed  # the device is released at the end


async def test_mic_device_at_another_rate_is_resampled_seamlessly():
    """A 48 kHz-only device: 16 kHz chunks equal to resampling the whole signal at once."""
    x = tone(1.0, 48000, 440.0)
    src = MicSource(16000, 20.0, stream_factory=FakeInputStream.factory(x), device_rate=48000)
    chunks = await collect(src, 16000 - 320)  # stop once the last-but-one block is out
    assert FakeInputStream.instances[-1].kwargs["blocksize"] == 960
    assert all(c.n_samples == 320 for c in chunks) and all(c.sample_rate == 16000 for c in chunks)
    y = np.concatenate([c.samples() for c in chunks])
    assert len(y) == 16000  # every block came out (the look-ahead was flushed)
    ref = resample(x, 48000, 16000)
    inner = slice(400, 15600)  # away from the signal's own start and end
    assert np.abs(y[inner] - ref[inner]).max() < 2e-3  # no seams at the 20 ms block edges


def test_block_resampler_needs_whole_blocks():
    """44.1 kHz blocks of 20 ms are whole at 16 kHz; a block that is not is refused."""
    assert BlockResampler(44100, 16000, 882).out_block == 320
    with pytest.raises(ValueError):
        BlockResampler(44100, 16000, 100)


def test_missing_portaudio_gives_one_clear_sentence(monkeypatch):
    """sounddevice without the PortAudio library: one sentence that says what to install."""
    def require(module, extra, what):
        try:
            raise OSError("PortAudio library not found")
        except OSError as exc:
            raise MissingDependency("x") from exc

    monkeypatch.setattr(mic_mod, "require", require)
    with pytest.raises(MissingDependency) as err:
        MicSource(16000)
    msg = str(err.value)
    assert msg.startswith("the live microphone needs the PortAudio library")
    assert "apt-get install libportaudio2" in msg and msg.count(". ") == 0 and "\n" not in msg


def test_no_input_device_gives_one_clear_sentence(monkeypatch):
    """PortAudio present but no input device: one sentence saying so."""
    class PortAudioError(Exception):
        pass

    def query_devices(kind=None):
        raise PortAudioError("Error querying device -1")

    fake_sd = types.SimpleNamespace(query_devices=query_devices)
    monkeypatch.setattr(mic_mod, "require", lambda *a: fake_sd)
    with pytest.raises(MissingDependency, match=r"^the live microphone needs an audio input device, and this machine has none"):
        MicSource(16000)


def test_live_command_without_portaudio_prints_the_sentence(monkeypatch, capsys):
    """`provoice-live live` exits 1 with that one line, no traceback."""
    from provoice_live import cli

    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails like a missing package
    rc = cli.main(["live", "--agent", "null"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1 and "the live microphone needs the Python package 'sounddevice'" in err[0]


def test_live_truth_is_what_the_user_declared():
    """`--task`/`--expect` set the live session's ground truth; without them, LTM with an instruction, else PIC."""
    assert LiveSpec(instruction="Watch for rain.").truth("s").task == "LTM"
    assert LiveSpec().truth("s").task == "PIC" and LiveSpec().truth("s").label is True
    declared = LiveSpec(task="ESS", expect_intervention=False).truth("s")
    assert (declared.id, declared.task, declared.label, declared.cue) == ("s", "ESS", False, None)
    # both kinds of truth carry every field a predictions line reads (a new one must be added to both)
    from provoice_live.corpus.sample import Sample
    from provoice_live.run.results import Truth

    assert [n for n in Truth.__annotations__ if not hasattr(declared, n)] == []
    assert [n for n in Truth.__annotations__ if n not in Sample.model_fields] == []


def spec(**agent_opts) -> LiveSpec:
    return LiveSpec(agent="scripted", agent_opts=agent_opts, instruction="Tell me when the budget comes up.")


async def test_live_session_leaves_a_run_directory(tmp_path):
    """Speech through the fake mic: VAD events, the scripted interjection, a finished run dir."""
    x = timeline([("silence", 0.3), ("speech", 1.0), ("silence", 1.0)])
    sources = []
    out = tmp_path / "run"

    async def stop_when_fed():
        while not sources or sources[0].blocks < len(x) // 320:
            await asyncio.sleep(0.01)
        sources[0].stop()

    stopper = asyncio.create_task(stop_when_fed())
    result = await run_microphone(spec(after_endpoint="0.2", text="You stopped talking."), out, "mic-1",
                                  stream_factory=FakeInputStream.factory(x, pace_s=0.02), signals=False,
                                  on_source=sources.append)
    await stopper
    assert result.status == "ok" and result.audio_s == pytest.approx(len(x) / 16000)
    run = RunDir(out)
    config = run.read_config()
    assert config["kind"] == "live" and config["source"] == {"rate": 16000, "kind": "microphone", "speak": False}
    assert config["session"]["clock"] == "realtime"
    assert run.read_result("mic-1").interjections[0].text == "You stopped talking."
    records = read_records(run.log_path("mic-1"))
    vad = [(r.event, r.at_s) for r in records if r.kind == "vad"]
    assert vad[0][0] == "speech_start" and vad[0][1] == pytest.approx(0.3, abs=0.15)  # webrtcvad on the buzz: a few frames
    assert vad[1][0] == "speech_end" and vad[1][1] == pytest.approx(1.3, abs=0.15)
    assert records[-1].kind == "session_end" and records[-1].status == "ok"
    recorded, rate = load_audio(run.sessions / "mic-1.input.wav")
    assert rate == 16000 and len(recorded) == len(x)


async def test_ctrl_c_ends_the_session_cleanly(tmp_path):
    """SIGINT stops the microphone; the session ends "ok" with its log and result written."""
    x = timeline([("speech", 0.6), ("silence", 30.0)])  # a device that would run on for 30 s
    sources = []

    async def press_ctrl_c():
        while not sources or sources[0].blocks < 40:
            await asyncio.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    presser = asyncio.create_task(press_ctrl_c())
    t0 = time.monotonic()
    result = await run_microphone(spec(at="0.4"), tmp_path / "run", "mic-2",
                                  stream_factory=FakeInputStream.factory(x, pace_s=0.02), on_source=sources.append)
    await presser
    assert time.monotonic() - t0 < 10  # it did not run to the end of the device's 30 s
    assert result.status == "ok" and 0.8 <= result.audio_s < 5
    run = RunDir(tmp_path / "run")
    assert run.is_finished("mic-2") and run.read_result("mic-2").interjections[0].t == pytest.approx(0.4, abs=0.1)
    assert read_records(run.log_path("mic-2"))[-1].kind == "session_end"
    # the predictions come from the session's own result: `score` needs no corpus
    (pred,) = predictions_from_run(tmp_path / "run")
    assert (pred.id, pred.task, pred.label, pred.intervened) == ("mic-2", "LTM", True, True)
    assert pred.first_interjection_s == pytest.approx(0.4, abs=0.1) and pred.cue_start_s is None


async def test_cancel_still_leaves_a_finished_run(tmp_path):
    """Cancelling (a second Ctrl-C) ends the log with an error status and writes the result."""
    x = timeline([("speech", 0.5), ("silence", 30.0)])
    sources = []
    task = asyncio.create_task(run_microphone(spec(at="0.2"), tmp_path / "run", "mic-3",
                                              stream_factory=FakeInputStream.factory(x, pace_s=0.02),
                                              signals=False, on_source=sources.append))
    while not sources or sources[0].blocks < 25:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    run = RunDir(tmp_path / "run")
    end = read_records(run.log_path("mic-3"))[-1]
    assert end.kind == "session_end" and end.status == "error" and "cancelled" in end.reason
    result = run.read_result("mic-3")
    assert result.status == "error" and [i.text for i in result.interjections] == ["I noticed something."]
    (pred,) = predictions_from_run(tmp_path / "run")  # written on cancel too
    assert pred.status == "error" and pred.intervened and pred.response_text == "I noticed something."
    assert FakeInputStream.instances[-1].closed


def test_live_view_shows_speech_transcripts_and_interjections():
    """The terminal view renders what happened, with the interjection's latency."""
    from rich.console import Console

    view = LiveView("scripted", "Tell me about the budget.", "runs/x", wall=lambda: 12.0)
    for r in [{"kind": "vad", "t": 0.6, "event": "speech_start", "at_s": 0.5},
              {"kind": "agent", "t": 1.0, "event": {"type": "transcript", "text": "the budget is tight"}},
              {"kind": "vad", "t": 2.2, "event": "speech_end", "at_s": 1.8},
              {"kind": "interjection", "t": 2.45, "text": "The budget came up.", "tool_calls": []}]:
        view.on_record(parse_record(r))
    console = Console(record=True, width=110, color_system=None)
    console.print(view)
    text = console.export_text()
    assert "“the budget is tight”" in text and "The budget came up." in text
    assert "(+0.65 s)" in text and "1 interjection" in text and "silent" in text
    assert json.dumps(list(view.events))  # plain data
