#!/usr/bin/env python
"""A full-duplex reference agent for provoice-live's WebSocket protocol 1.1 (docs/PROTOCOL.md).

It answers in speech, as Moshi-style models do: for every audio frame it hears it sends one frame of
its own voice of the same duration (silence while it has nothing to say), so its output is one
continuous stream on the same clock as its input. When it decides to speak, the words (spoken by
eSpeak NG through provoice-live's builder, or your TTS: replace `Voice.say`) go into that stream.
It never wants polls: it decides on its own, the way a full-duplex model does.

    python examples/duplex_server.py --port 8766
    provoice-live run --corpus CORPUS --agent websocket --agent-opt url=ws://127.0.0.1:8766 --out runs/duplex

Deciding (replace `DuplexAgent.decide` with your model): by default it speaks after each utterance
it hears end (at least --min-speech-s of audio louder than --level-dbfs, then --pause-s of quiet):
"I heard you. Do you want me to note that?". `--say-at 2.0:"Your timer went off."` speaks at a known
position instead (its voice starts at exactly that sample of its output stream: the harness must
find it there, tests/test_voice_replies.py checks it does). `--transcript` sends the words as `text`
(so the harness needs no speech recogniser); without it the harness recognises them itself.
`--half-duplex` sends audio only while speaking (frames whose `start_sample` jumps over the silence).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import struct
from dataclasses import dataclass, field

import numpy as np
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

VERSION, MINOR = 1, 1
HEADER = struct.Struct("<Q")  # start_sample, uint64 little-endian, then PCM16 mono
log = logging.getLogger("duplex_server")


@dataclass
class Config:
    rate_out: int = 24000
    say_at: list[tuple[float, str]] = field(default_factory=list)  # (output position s, words)
    reply: str = "I heard you. Do you want me to note that?"
    react: bool = True  # speak after utterances it hears (besides --say-at)
    level_dbfs: float = -35.0
    min_speech_s: float = 0.5
    pause_s: float = 0.6
    transcript: bool = False
    half_duplex: bool = False
    name: str = "duplex-reference"


class Voice:
    """Words to PCM16 at `rate` (eSpeak NG, trimmed so the voice starts at the first sample)."""

    def __init__(self, rate: int):
        from provoice_live.audio import resample, to_pcm16
        from provoice_live.corpus.builder.tts import EspeakTTS, Voice as TtsVoice

        self.rate = rate
        self._tts, self._voice = EspeakTTS(), TtsVoice("en-us+f3", "female", rate_wpm=175)
        self._resample, self._pcm16 = resample, to_pcm16

    def say(self, text: str) -> bytes:
        x = self._resample(self._tts.synth(text, self._voice), self._tts.rate, self.rate)
        return self._pcm16(0.5 * x / max(1e-6, float(np.abs(x).max())))


class DuplexAgent:
    """One session: what it heard, what it is saying, and its output position."""

    def __init__(self, cfg: Config, start: dict, voice: Voice):
        self.cfg = cfg
        self.voice = voice
        self.rate_in = int(start["audio"]["sample_rate"])
        self.out_pos = 0  # samples of its own stream sent so far (at cfg.rate_out)
        self.mouth = bytearray()  # speech still to send
        self.say_at = sorted(cfg.say_at)
        self.loud_s = 0.0
        self.quiet_s = 0.0
        self.n = 0
        self.speaking: str | None = None  # the response id of the speech in the mouth

    def decide(self, x: np.ndarray) -> str | None:
        """Hear one input frame; the words to say now, or None. Replace with your model."""
        rms = float(np.sqrt(np.mean(x * x))) if len(x) else 0.0
        dur = len(x) / self.rate_in
        if rms > 0 and 20 * np.log10(rms) > self.cfg.level_dbfs:
            self.loud_s += dur
            self.quiet_s = 0.0
        else:
            self.quiet_s += dur
        if self.cfg.react and self.loud_s >= self.cfg.min_speech_s and self.quiet_s >= self.cfg.pause_s:
            self.loud_s = 0.0
            return self.cfg.reply
        return None

    def hear(self, pcm: bytes) -> list[tuple[str, object]]:
        """One input frame in; what to send back: ("text", msg), ("frame", bytes) or ("done", msg)."""
        x = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32767.0
        n_out = round(len(x) * self.cfg.rate_out / self.rate_in)
        out: list[tuple[str, object]] = []
        words = self.decide(x)
        if words is None and self.say_at and self.out_pos + n_out > round(self.say_at[0][0] * self.cfg.rate_out):
            at, words = self.say_at.pop(0)
            lead = max(0, round(at * self.cfg.rate_out) - self.out_pos)  # start at exactly that sample
            self.mouth.extend(b"\x00\x00" * lead)
        if words is not None and self.speaking is None:
            out += self.start_speaking(words)
        out += self.frame(n_out)
        return out

    def start_speaking(self, words: str) -> list[tuple[str, object]]:
        self.n += 1
        self.speaking = f"s{self.n}"
        self.mouth.extend(self.voice.say(words))
        return [("text", {"type": "text", "response_id": self.speaking, "text": words})] if self.cfg.transcript else []

    def frame(self, n: int) -> list[tuple[str, object]]:
        """The next `n` samples of its voice (silence when the mouth is empty)."""
        said = bytes(self.mouth[:2 * n])
        del self.mouth[:2 * n]
        out: list[tuple[str, object]] = []
        voiced = any(said)
        if voiced or not self.cfg.half_duplex:
            out.append(("frame", HEADER.pack(self.out_pos) + said + b"\x00\x00" * (n - len(said) // 2)))
        self.out_pos += n
        if self.speaking is not None and not self.mouth:
            out.append(("done", {"type": "done", "response_id": self.speaking}))
            self.speaking = None
        return out

    def rest(self) -> list[tuple[str, object]]:
        """At end_of_stream: the rest of what it is saying, at once."""
        out: list[tuple[str, object]] = []
        while self.mouth:
            out += self.frame(self.cfg.rate_out // 50)
        return out


class Session:
    def __init__(self, ws, cfg: Config, voice: Voice):
        self.ws, self.cfg, self.voice = ws, cfg, voice
        self.agent: DuplexAgent | None = None

    async def send_all(self, items: list[tuple[str, object]]) -> None:
        for kind, item in items:
            await self.ws.send(item if kind == "frame" else json.dumps(item))

    async def run(self) -> None:
        try:
            async for message in self.ws:
                if isinstance(message, bytes):
                    if self.agent is None or len(message) < HEADER.size + 2 or (len(message) - HEADER.size) % 2:
                        raise ValueError("a bad or early audio frame")
                    await self.send_all(self.agent.hear(message[HEADER.size:]))
                    continue
                msg = json.loads(message)
                kind = msg.get("type")
                if kind == "session.start":
                    audio = msg.get("audio", {})
                    if msg.get("version") != VERSION or (audio.get("encoding"), audio.get("channels"),
                                                         audio.get("header_bytes")) != ("pcm_s16le", 1, HEADER.size):
                        raise ValueError("this server speaks version 1: mono pcm_s16le audio behind an 8-byte header")
                    self.agent = DuplexAgent(self.cfg, msg, self.voice)
                    await self.ws.send(json.dumps({"type": "hello", "version": VERSION, "agent": self.cfg.name,
                                                   "wants_polls": False, "sync": True, "audio_out": True,
                                                   "audio_out_rate": self.cfg.rate_out}))
                elif kind == "sync":
                    await self.ws.send(json.dumps({"type": "sync", "seq": msg["seq"]}))
                elif kind == "poll":  # never asked for; answered all the same
                    await self.ws.send(json.dumps({"type": "silence", "poll_id": msg["poll_id"]}))
                elif kind == "end_of_stream":
                    await self.send_all(self.agent.rest() if self.agent else [])
                    await self.ws.send(json.dumps({"type": "end"}))
        except (ValueError, KeyError, TypeError) as exc:
            await self.ws.send(json.dumps({"type": "error", "message": f"bad message: {exc}", "fatal": True}))
            await self.ws.close(1002, "protocol error")
        except ConnectionClosed:
            pass


async def serve_forever(host: str, port: int, cfg: Config, ready: asyncio.Event | None = None,
                        bound: list | None = None) -> None:
    voice = Voice(cfg.rate_out)
    voice.say("ready")  # eSpeak's start-up, before the first session

    async def handler(ws):
        await Session(ws, cfg, voice).run()

    async with serve(handler, host, port, max_size=16 * 2**20) as server:
        if bound is not None:
            bound.append(server.sockets[0].getsockname()[1])
        if ready is not None:
            ready.set()
        await asyncio.Future()


def parse_say_at(items: list[str]) -> list[tuple[float, str]]:
    out = []
    for item in items:
        pos, _, words = item.partition(":")
        out.append((float(pos), words or "Excuse me, your timer went off."))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8766)
    p.add_argument("--rate-out", type=int, default=24000)
    p.add_argument("--say-at", action="append", default=[], help="POS:WORDS (repeatable)")
    p.add_argument("--no-react", action="store_true", help="speak only at --say-at")
    p.add_argument("--reply", default=Config.reply)
    p.add_argument("--transcript", action="store_true")
    p.add_argument("--half-duplex", action="store_true")
    a = p.parse_args()
    cfg = Config(rate_out=a.rate_out, say_at=parse_say_at(a.say_at), react=not a.no_react, reply=a.reply,
                 transcript=a.transcript, half_duplex=a.half_duplex)
    logging.basicConfig(level=logging.INFO)
    try:
        asyncio.run(serve_forever(a.host, a.port, cfg))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
