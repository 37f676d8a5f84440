"""Speaking back: the agent's replies as eSpeak NG speech.

Three outlets, one source of replies:

* `replies_from_trace(trace)`: the replies of a session (its joined log, `SessionTrace`): when each
  one interjected (`t`, stream seconds) and its full text (the `response` record's text when the
  response finished, else the interjection's). Tool-only replies have no text and are not spoken.
* live, to the default output device: `DeviceSpeaker`, fed the log records as they are written
  (`on_record`); it speaks each reply once its response is done, one after another.
* live, to the browser: the server queues the same replies on its WebRTC `SpeechTrack`.
* replay, into the run directory: `write_spoken_replies(run_dir)` writes, per session,
  `sessions/<id>.speech.wav` (each reply placed at its interjection time on a silent track as long
  as the session) and, when the session's input audio is known, `sessions/<id>.mix.wav` (the input
  with the replies over it), so a person can hear when the agent spoke up. The `run --speak` option
  calls it after a run.

Speech is synthesised with eSpeak NG (the corpus builder's `EspeakTTS`, no system install).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ..audio import load_audio, resample, write_wav
from ..errors import ProvoiceError
from ..run.directory import RunDir
from ..run.records import ResponseRecord, SessionEnd, SessionRecord
from ..run.trace import Reply, SessionTrace


# ---- synthesis ----------------------------------------------------------------------------------

AGENT_VOICE = ("en-us+f3", "female", 170)  # eSpeak voice+variant, gender, words a minute
_tts = None


def synthesize(text: str) -> tuple[np.ndarray, int]:
    """`text` in the agent's voice, by the builder's `EspeakTTS`: (float32 mono, rate). Thread-safe
    (EspeakTTS holds one process-wide lock)."""
    global _tts
    from ..corpus.builder.tts import EspeakTTS, Voice

    if _tts is None:
        _tts = EspeakTTS()
    name, gender, wpm = AGENT_VOICE
    return _tts.synth(text, Voice(name, gender, rate_wpm=wpm)), _tts.rate


# ---- replies from a session's records -----------------------------------------------------------

@dataclass
class SpokenReply:
    """A reply to speak: when it interjected (stream seconds) and its text."""

    t: float
    text: str
    response_id: str | None = None

    @classmethod
    def of(cls, reply: Reply) -> "SpokenReply":
        return cls(reply.t, reply.text, reply.response_id)


def replies_from_trace(trace: SessionTrace) -> list[SpokenReply]:
    """The session's replies with text, in order of interjection."""
    return [SpokenReply.of(r) for r in trace.replies if r.text.strip()]


class ReplyWatcher:
    """Fed log records; calls `speak(reply)` once for each reply when its response is done.

    A reply is spoken when its `response` record arrives, or at the session's end for a response
    that never finished (its text so far).
    """

    def __init__(self, speak: Callable[[SpokenReply], None]):
        self.speak = speak
        self.trace = SessionTrace()

    def __call__(self, record: SessionRecord) -> None:
        reply = self.trace.add(record)
        if isinstance(record, ResponseRecord) and reply is not None:
            self._say(reply)
        elif isinstance(record, SessionEnd):
            for reply in self.trace.unfinished:
                self._say(reply)

    def _say(self, reply: Reply) -> None:
        if reply.text.strip():
            self.speak(SpokenReply.of(reply))


# ---- live: the default output device ------------------------------------------------------------

class DeviceSpeaker:
    """Speaks replies on the default output device, one after another, off the event loop.

    `play(x, rate)` blocks until the sound has played; by default sounddevice's `play` + `wait`.
    `watcher` is the `on_record` hook.
    """

    def __init__(self, play: Callable[[np.ndarray, int], None] | None = None):
        self._play = play or _device_play()
        self._queue: asyncio.Queue[SpokenReply | None] = asyncio.Queue()
        self._task: asyncio.Task | None = None
        self.spoken: list[SpokenReply] = []
        self.watcher = ReplyWatcher(self._queue.put_nowait)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while (reply := await self._queue.get()) is not None:
            x, rate = await asyncio.to_thread(synthesize, reply.text)
            await asyncio.to_thread(self._play, x, rate)
            self.spoken.append(reply)

    async def close(self, finish: bool = True) -> None:
        """Stop after the queued replies (`finish`) or at once."""
        if self._task is None:
            return
        if finish:
            self._queue.put_nowait(None)
            await self._task
        else:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def _device_play() -> Callable[[np.ndarray, int], None]:
    from ..sources.mic import import_sounddevice

    sd = import_sounddevice("speaking replies")
    try:
        sd.query_devices(kind="output")
    except Exception as exc:
        raise ProvoiceError(f"speaking replies needs an audio output device, and none was found ({exc})") from None

    def play(x: np.ndarray, rate: int) -> None:
        sd.play(x, rate)
        sd.wait()

    return play


# ---- replay: into the run directory -------------------------------------------------------------

def speech_track(replies: list[SpokenReply], length_s: float, rate: int = 16000,
                 synth: Callable[[str], tuple[np.ndarray, int]] = synthesize) -> np.ndarray:
    """A silent track of `length_s` (longer if a reply runs past it) with each reply at its time.

    Replies that would overlap are delayed to start after the previous one, as a speaker would.
    """
    pieces: list[tuple[int, np.ndarray]] = []
    free_at = 0
    for reply in replies:
        x, r = synth(reply.text)
        y = resample(x, r, rate)
        start = max(int(round(reply.t * rate)), free_at)
        pieces.append((start, y))
        free_at = start + len(y)
    n = max(int(round(length_s * rate)), free_at)
    track = np.zeros(n, dtype=np.float32)
    for start, y in pieces:
        track[start:start + len(y)] += y
    return track


def write_spoken_replies(run_dir: str | Path, session_ids: list[str] | None = None,
                         input_audio: Callable[[str], Path | None] | None = None, rate: int = 16000,
                         synth: Callable[[str], tuple[np.ndarray, int]] = synthesize) -> list[Path]:
    """Write `sessions/<id>.speech.wav` (and `<id>.mix.wav` when the input audio is found) for the
    sessions of a run that replied. `input_audio(id)` gives a session's input audio (the run command
    passes the corpus file); by default `sessions/<id>.input.wav` (what a live session recorded).
    Returns the files written."""
    run = RunDir(run_dir)
    if not run.sessions.is_dir():
        raise ProvoiceError(f"{run.root} is not a run directory (no sessions/)")
    ids = session_ids or run.session_ids()
    written: list[Path] = []
    for sid in ids:
        trace = run.trace(sid)
        replies = replies_from_trace(trace)
        if not replies:
            continue
        end = trace.end_s
        src = input_audio(sid) if input_audio else run.sessions / f"{sid}.input.wav"
        x = load_audio(src, sid, target_rate=rate)[0] if src is not None and Path(src).is_file() else None
        track = speech_track(replies, max(end, len(x) / rate if x is not None else 0.0), rate, synth)
        write_wav(run.sessions / f"{sid}.speech.wav", track, rate)
        written.append(run.sessions / f"{sid}.speech.wav")
        if x is not None:
            mix = track.copy()
            mix[:len(x)] += x[:len(mix)]
            write_wav(run.sessions / f"{sid}.mix.wav", mix * (0.95 / max(1.0, float(np.abs(mix).max()))), rate)
            written.append(run.sessions / f"{sid}.mix.wav")
    return written
