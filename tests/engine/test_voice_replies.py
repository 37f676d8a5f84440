"""Agents that answer in speech: replies heard in the agent's audio (engine/voice.py) over protocol 1.1.

The servers are the full-duplex reference server (examples/duplex_server.py) and a few fakes built
on it; their voice is eSpeak NG, whose onset is a known sample of their output stream. Sessions run
under the lockstep clock with `sync`, so a frame the server sends in answer to the harness's frame
ending at t arrives at stream time t exactly: the expected stamp of speech starting at output
sample S (20 ms frames at 24 kHz) is the arrival of the frame holding S plus S's offset in it.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager

import numpy as np
import pytest
import soundfile as sf

from examples.duplex_server import Config, DuplexAgent, serve_forever
from support.helpers import make_corpus, sample
from provoice_live.engine.runner import run_corpus_async
from provoice_live.engine.session import SessionConfig
from provoice_live.engine.voice import AgentTrack, VoiceListener, VoiceSettings, is_backchannel
from provoice_live.run.directory import RunDir
from provoice_live.run.records import read_records

RATE_IN, RATE_OUT, FRAME_S = 16000, 24000, 0.02


def expected_stamp(onset_s: float) -> float:
    """Stream time at which output sample `onset_s` is heard: its frame arrives one frame later."""
    k = int(onset_s / FRAME_S + 1e-9)
    return (k + 1) * FRAME_S + (onset_s - k * FRAME_S)


@asynccontextmanager
async def duplex(cfg: Config, agent_class=DuplexAgent):
    """The reference server on 127.0.0.1 (an ephemeral port), with `agent_class` as its agent."""
    import examples.duplex_server as mod

    original, mod.DuplexAgent = mod.DuplexAgent, agent_class
    ready, bound = asyncio.Event(), []
    task = asyncio.create_task(serve_forever("127.0.0.1", 0, cfg, ready, bound))
    try:
        await asyncio.wait_for(ready.wait(), 60)
        yield f"ws://127.0.0.1:{bound[0]}"
    finally:
        mod.DuplexAgent = original
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def run_scene(tmp_path, url: str, seconds: float = 5.0, **session):
    quiet = np.zeros(int(seconds * RATE_IN), np.float32)
    corpus = make_corpus(tmp_path / "corpus", [sample("s1", cue=(0.3, 0.6), _audio=quiet)], RATE_IN)
    out = tmp_path / "run"
    config = SessionConfig(clock="lockstep", response_timeout_s=60.0, **session)
    await run_corpus_async(corpus, "websocket", {"url": url, "timeout_s": "60"}, out, config, progress=False)
    run = RunDir(out)
    return run, run.read_result("s1"), [r for r in read_records(run.log_path("s1"))]


def voices(records):
    return [r for r in records if r.kind == "voice"]


async def test_full_duplex_speech_is_stamped_at_its_first_voiced_frame(tmp_path):
    cfg = Config(say_at=[(2.0, "Your oven timer went off.")], react=False, transcript=True)
    async with duplex(cfg) as url:
        run, result, records = await run_scene(tmp_path, url)
    assert result.status == "ok", result.error
    (inter,) = result.interjections
    assert abs(inter.t - expected_stamp(2.0)) <= FRAME_S  # within one chunk
    assert inter.text == "Your oven timer went off."  # the server's transcript
    (voice,) = voices(records)
    assert voice.verdict == "reply" and voice.words_from == "agent"
    audio = next(r for r in records if r.kind == "agent_audio")
    assert audio.rate == RATE_OUT and audio.seconds == pytest.approx(5.0, abs=0.05)  # continuous: as long as the scene


async def test_recognised_words_reach_the_judge_and_the_mix_lines_up(tmp_path):
    cfg = Config(say_at=[(1.5, "Do not forget to call your mother.")], react=False, transcript=False)
    async with duplex(cfg) as url:
        run, result, records = await run_scene(tmp_path, url, seconds=4.0)
    (inter,) = result.interjections
    (voice,) = voices(records)
    assert voice.words_from == "asr"
    words = inter.text.lower()
    assert "forget to call your mother" in words, inter.text  # tiny.en heard the reply
    (pred,) = [json.loads(line) for line in run.predictions_path.read_text().splitlines()]
    assert pred["response_text"] == inter.text and pred["intervened"]  # what the judge reads
    mix, rate = sf.read(run.sessions / "s1.mix.wav")
    assert mix.shape[1] == 2 and rate == RATE_IN
    right = np.abs(mix[:, 1])
    onset = np.argmax(right > 0.01) / rate  # the agent's voice in the right channel
    assert abs(onset - inter.t) <= FRAME_S
    assert np.abs(mix[:, 0]).max() == 0.0  # the scene (silence here) in the left channel


class CoughingAgent(DuplexAgent):
    """Coughs (a 150 ms burst of shaped noise) at 1.0 s, says "Mm-hmm." at 2.0 s, speaks at 3.0 s."""

    def __init__(self, cfg, start, voice):
        super().__init__(cfg, start, voice)
        rng = np.random.default_rng(7)
        n = int(0.15 * cfg.rate_out)
        burst = rng.normal(0, 0.3, n) * np.hanning(n)
        self.cough = (np.clip(burst, -1, 1) * 32767).astype("<i2").tobytes()
        self.plan = [(1.0, "cough"), (2.0, "Mm-hmm."), (3.0, "Watch out, the stove is still on.")]

    def decide(self, x):
        if self.plan and self.out_pos >= round(self.plan[0][0] * self.cfg.rate_out):
            _, what = self.plan.pop(0)
            if what == "cough":
                self.mouth.extend(self.cough)
                return None
            return what
        return None


async def test_a_cough_is_not_an_interjection_and_a_backchannel_is_logged_not_counted(tmp_path):
    cfg = Config(react=False, transcript=True)
    async with duplex(cfg, CoughingAgent) as url:
        run, result, records = await run_scene(tmp_path, url, seconds=5.5)
    assert result.status == "ok", result.error
    verdicts = [(v.verdict, round(v.t, 1)) for v in voices(records)]
    assert ("reply", 3.0) in verdicts
    assert [v for v in verdicts if v[0] != "reply"] in ([("blip", 1.0), ("backchannel", 2.0)],
                                                        [("backchannel", 2.0)])  # a cough may pass unheard
    (inter,) = result.interjections  # only the reply counts
    assert abs(inter.t - expected_stamp(3.0)) <= FRAME_S
    assert inter.text == "Watch out, the stove is still on."
    backchannel = next(v for v in voices(records) if v.verdict == "backchannel")
    assert backchannel.words == "Mm-hmm." and backchannel.response_id is None


async def test_a_half_duplex_audio_only_server(tmp_path):
    cfg = Config(say_at=[(2.5, "The meeting starts in five minutes.")], react=False, transcript=False, half_duplex=True)
    async with duplex(cfg) as url:
        run, result, records = await run_scene(tmp_path, url)
    assert result.status == "ok", result.error
    (inter,) = result.interjections
    assert abs(inter.t - expected_stamp(2.5)) <= FRAME_S
    assert "meeting starts" in inter.text.lower()
    audio = next(r for r in records if r.kind == "agent_audio")
    assert audio.seconds < 2.5  # only the speech was sent


# ---- the listener alone ---------------------------------------------------------------------------

def test_playout_queues_bursts_and_honours_declared_gaps():
    track = AgentTrack()
    one = b"\x01\x00" * 2400  # 100 ms at 24 kHz
    assert track.place(one, 24000, arrived_s=1.0) == 24000
    assert track.place(one, 24000, arrived_s=1.0) == 26400  # a burst queues behind what plays
    assert track.place(one, 24000, arrived_s=5.0) == 120000  # late audio plays when it arrives
    t2 = AgentTrack()
    t2.place(one, 24000, 0.02, start_sample=0)
    assert t2.place(one, 24000, 0.02, start_sample=4800) == 480 + 2400 + 2400  # its own gap of 100 ms kept


def test_words_that_are_only_a_backchannel():
    assert is_backchannel("Mm-hmm.") and is_backchannel("Yeah, okay") and is_backchannel("")
    assert not is_backchannel("Your timer went off")


def test_a_reply_longer_than_the_backchannel_threshold_is_decided_while_it_is_spoken():
    from fakes.speech import speech_pcm

    listener = VoiceListener(VoiceSettings(vad="webrtc"))
    pcm = speech_pcm("Excuse me, your oven timer went off a minute ago.", 24000)
    events = []
    for i in range(0, len(pcm), 960):  # 20 ms frames arriving in real time from 1.0 s
        events += [(i / 48000, e.kind) for e in listener.hear(pcm[i:i + 960], 24000, 1.0 + i / 48000)]
    kinds = [k for _, k in events]
    assert kinds[0] == "long" and "ended" not in kinds  # decided before the speech ended
    assert events[0][0] == pytest.approx(1.0, abs=0.15)  # about a second of speech in
    seg = listener.segments[0]
    assert seg.start_s == pytest.approx(1.0, abs=FRAME_S)


# ---- the protocol ---------------------------------------------------------------------------------

@pytest.mark.parametrize("half", [False, True])
async def test_the_duplex_reference_server_passes_the_conformance_checks(half):
    from provoice_live.agents.conformance import check_server

    cfg = Config(say_at=[(1.0, "Do not forget to call your mother.")], react=False, transcript=True, half_duplex=half)
    async with duplex(cfg) as url:
        checks = await check_server(url, timeout=30.0)
    verdicts = {c.name: (c.ok, c.detail) for c in checks}
    assert all(c.ok for c in checks if c.required), verdicts
    ok, detail = verdicts["audio_out"]
    assert ok and detail.startswith("half-duplex" if half else "full-duplex"), detail


async def test_audio_frames_that_go_back_or_come_unannounced_end_the_session(tmp_path):
    from websockets.asyncio.server import serve

    from provoice_live.agents.websocket import HEADER

    async def server(ws, hello: dict, frames: list[int]):
        async for message in ws:
            if isinstance(message, str) and json.loads(message)["type"] == "session.start":
                await ws.send(json.dumps({"type": "hello", "version": 1, "wants_polls": False, **hello}))
                for start in frames:
                    await ws.send(HEADER.pack(start) + b"\x01\x00" * 480)

    cases = [({"audio_out": True, "audio_out_rate": 24000}, [0, 480, 200], "before the end of the previous one"),
             ({}, [0], "binary message"),
             ({"audio_out": True}, [], "audio_out needs audio_out_rate")]
    for i, (hello, frames, reason) in enumerate(cases):
        async with serve(lambda ws: server(ws, hello, frames), "127.0.0.1", 0) as srv:
            url = f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
            _, result, _ = await run_scene(tmp_path / str(i), url, seconds=1.0)
        assert result.status == "error" and reason in result.error, result.error


def test_the_report_shows_the_agents_voice_and_a_player(tmp_path):
    from provoice_live.report.html import make_report

    async def session():
        cfg = Config(say_at=[(1.0, "Do not forget to call your mother.")], react=False, transcript=True)
        async with duplex(cfg) as url:
            return await run_scene(tmp_path, url, seconds=3.0)

    run, result, _ = asyncio.run(session())
    make_report(run.root, tmp_path / "report", corpus=tmp_path / "corpus")
    page = (tmp_path / "report" / "index.html").read_text()
    assert 'src="audio/timeline-0000-s1.mix.wav"' in page and "right: the agent" in page
    mix, _ = sf.read(tmp_path / "report" / "audio" / "timeline-0000-s1.mix.wav")
    assert mix.shape[1] == 2 and np.abs(mix[:, 1]).max() > 0.1
    from PIL import Image

    with Image.open(next((tmp_path / "report" / "img").glob("timeline-0000-*.png"))) as im:
        assert im.size[1] > 600  # the agent's lane under the scene's
