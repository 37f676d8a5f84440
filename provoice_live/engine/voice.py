"""The agent's voice: its audio placed on the session's timeline, and the replies heard in it.

A speech-to-speech agent answers in sound, so its interjection is the first voiced audio it sends,
not a text event. This module is sans-I/O (the session core owns one `VoiceListener`; the async
shell feeds it time and runs the speech recogniser it asks for):

* `AgentTrack` is the agent's audio as a listener hears it, on the stream's timeline (sample 0 is
  the session's start): **each piece plays from when it arrived, or from where the piece before it
  ends if that is later** (a burst sent faster than real time queues up, as in any player), and a
  jump forward in the agent's own sample positions (`start_sample`, the WebSocket frame header) is
  silence the agent left on purpose. Between pieces the track is silent. It is what
  `<id>.agent.wav` holds, and the right channel of `<id>.mix.wav`.
* `VoiceListener` runs a voice activity detector (`vad.make_vad`: webrtcvad by default, or Silero)
  over the track as it grows, and past its end as stream time passes (`advance`), so speech that
  stops is closed by silence even when a half-duplex agent sends nothing more. Each voiced segment
  (the detector's start, to its end after `hangover_ms` of silence) becomes a `HeardSegment`:

    - shorter than `min_reply_ms` (300): a click, a breath, a cough: a `blip`, logged only;
    - at least `backchannel_ms` (1000) long: a `reply`, decided as soon as it is that long;
    - in between: a `reply` unless its words are only backchannel words ("mm-hm", "yeah", "okay",
      `BACKCHANNEL_WORDS`) or none at all: then a `backchannel`, logged and never an interjection.

  A reply's interjection is stamped at its onset: **the stream time its first voiced frame is heard**
  (for an agent streaming in real time, when that frame arrived). Its words are the agent's own
  transcript when it sent one for the audio (text of the response the audio belongs to), else what
  the local recogniser hears in the segment (`asr.py`), so the judge has words to read.

The listener's output is a list of `SegmentEvent`s per call (`long`: a segment reached
`backchannel_ms`; `ended`: a segment closed); the core turns them into interjections and records.
"""

from __future__ import annotations

import bisect
import re
import wave
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

import numpy as np

from ..audio import AudioChunk, resample
from ..vad import SpeechDetector, make_vad

BACKCHANNEL_WORDS = frozenset({
    "mm", "mmm", "hm", "hmm", "mhm", "mmhm", "mmhmm", "uhhuh", "uhuh", "uh", "um", "ah", "oh", "yeah", "yes", "yep",
    "yup", "right", "okay", "ok", "sure", "i", "see", "got", "it", "alright", "aha",
})
Verdict = Literal["reply", "backchannel", "blip"]


def is_backchannel(words: str) -> bool:
    """True when `words` hold nothing but backchannel words ("Mm-hmm.", "Yeah, okay"), or nothing."""
    tokens = re.findall(r"[a-z]+", words.lower().replace("-", "").replace("'", ""))
    return all(t in BACKCHANNEL_WORDS for t in tokens)


@dataclass(frozen=True)
class VoiceSettings:
    """How replies are found in the agent's audio (recorded in the run's config)."""

    min_reply_ms: float = 300.0
    backchannel_ms: float = 1000.0
    vad: str = "webrtc"  # an agent's voice is clean speech: webrtcvad is closer and cheaper (bench/RESULTS.md)
    hangover_ms: int = 300


class AgentTrack:
    """The agent's audio on the stream's timeline (see the module docstring), PCM16 at one rate.

    The rate is that of the first piece; later pieces at another rate are resampled to it.
    """

    def __init__(self) -> None:
        self.rate: int | None = None
        self._pcm = bytearray()
        self._src_end: int | None = None  # the agent's own position after its last piece (its rate)
        self._src_rate: int | None = None
        self.pieces = 0
        self.received_s = 0.0

    @property
    def end_sample(self) -> int:
        return len(self._pcm) // 2

    @property
    def end_s(self) -> float:
        return self.end_sample / self.rate if self.rate else 0.0

    def place(self, pcm: bytes, rate: int, arrived_s: float, start_sample: int | None = None) -> int:
        """Add one piece that arrived at stream time `arrived_s`; returns the track sample it starts at."""
        if self.rate is None:
            self.rate = rate
        n_src = len(pcm) // 2
        gap = 0
        if start_sample is not None and self._src_end is not None and self._src_rate == rate:
            gap = max(0, start_sample - self._src_end) * self.rate // rate
        if start_sample is not None:
            self._src_end, self._src_rate = start_sample + n_src, rate
        if rate != self.rate:
            x = resample(np.frombuffer(pcm, "<i2").astype(np.float32) / 32767.0, rate, self.rate)
            pcm = (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()
        at = max(round(arrived_s * self.rate), self.end_sample + gap)
        self.pad_to_sample(at)
        self._pcm.extend(pcm)
        self.pieces += 1
        self.received_s += n_src / rate
        return at

    def pad_to_sample(self, sample: int) -> None:
        if sample > self.end_sample:
            self._pcm.extend(b"\x00\x00" * (sample - self.end_sample))

    def samples(self, start_s: float = 0.0, end_s: float | None = None) -> np.ndarray:
        """Float samples between two stream times (clamped to the track)."""
        if not self.rate:
            return np.zeros(0, np.float32)
        a = max(0, round(start_s * self.rate))
        b = self.end_sample if end_s is None else min(self.end_sample, round(end_s * self.rate))
        return np.frombuffer(bytes(self._pcm[2 * a:2 * max(a, b)]), "<i2").astype(np.float32) / 32767.0

    def pcm_range(self, a: int, b: int) -> bytes:
        """PCM16 bytes of track samples [a, b) (clamped)."""
        return bytes(self._pcm[2 * a:2 * b])

    def pcm(self) -> bytes:
        return bytes(self._pcm)


@dataclass
class HeardSegment:
    """One voiced stretch of the agent's audio, in stream seconds."""

    index: int
    start_s: float
    end_s: float | None = None
    response_ids: list[str] = field(default_factory=list)  # agent responses whose audio is in it
    verdict: Verdict | None = None
    words: str | None = None
    words_from: Literal["agent", "asr"] | None = None
    long: bool = False  # reached backchannel_ms (a reply whatever its words)

    @property
    def duration_s(self) -> float | None:
        return None if self.end_s is None else round(self.end_s - self.start_s, 6)


@dataclass(frozen=True)
class SegmentEvent:
    kind: Literal["long", "ended"]
    segment: HeardSegment


class VoiceListener:
    """Finds the agent's voiced segments as its audio arrives (see the module docstring)."""

    def __init__(self, settings: VoiceSettings = VoiceSettings(),
                 detector: Callable[[int], SpeechDetector] | None = None):
        self.settings = settings
        self.track = AgentTrack()
        self._make_detector = detector or (lambda rate: make_vad(settings.vad, rate,
                                                                 hangover_ms=settings.hangover_ms))
        self._vad: SpeechDetector | None = None
        self._heard = 0  # track samples the detector has processed
        self._frame = 0
        self.segments: list[HeardSegment] = []
        self._open: HeardSegment | None = None
        self._pieces: list[tuple[int, int, str | None]] = []  # (start, end) track samples, response id
        self._piece_ends: list[int] = []

    @property
    def heard_anything(self) -> bool:
        return self.track.pieces > 0

    @property
    def in_segment(self) -> bool:
        return self._open is not None

    def hear(self, pcm: bytes, rate: int, arrived_s: float, start_sample: int | None = None,
             response_id: str | None = None) -> list[SegmentEvent]:
        """A piece of the agent's audio arrived at stream time `arrived_s`."""
        if not pcm:
            return []
        at = self.track.place(pcm, rate, arrived_s, start_sample)
        self._pieces.append((at, self.track.end_sample, response_id))
        self._piece_ends.append(self.track.end_sample)
        return self._listen(self.track.end_sample)

    def advance(self, now_s: float) -> list[SegmentEvent]:
        """Stream time reached `now_s`: the track is silent up to there unless audio is queued."""
        if self.track.rate is None:
            return []
        self.track.pad_to_sample(int(now_s * self.track.rate))
        return self._listen(self.track.end_sample)

    def flush(self) -> list[SegmentEvent]:
        """The session is over: hear the rest, then enough silence to close an open segment."""
        if self.track.rate is None:
            return []
        events = self._listen(self.track.end_sample)
        if self._open is not None:
            end = self.track.end_sample + int((self.settings.hangover_ms / 1000.0 + 0.1) * self.track.rate)
            events += self._listen(end, pad=True)
        if self._open is not None and self._vad is not None:  # still open: the detector's own flush
            for ev in self._vad.flush(self.track.end_s):
                events += self._on_vad(ev.event, ev.at_s)
        return events

    def segment_samples(self, seg: HeardSegment) -> tuple[np.ndarray, int]:
        """The segment's audio with a little margin (for the recogniser), and its rate."""
        end = seg.end_s if seg.end_s is not None else self.track.end_s
        return self.track.samples(max(0.0, seg.start_s - 0.1), end + 0.2), self.track.rate

    # -- internals -------------------------------------------------------------------------------
    def _listen(self, upto: int, pad: bool = False) -> list[SegmentEvent]:
        rate = self.track.rate
        if self._vad is None:
            self._vad = self._make_detector(rate)
            self._frame = rate // 50  # 20 ms pieces, as the engine's chunks
        events: list[SegmentEvent] = []
        while self._heard + self._frame <= upto:
            a, b = self._heard, self._heard + self._frame
            if b <= self.track.end_sample:
                pcm = self.track.pcm_range(a, b)
            elif pad:
                have = self.track.pcm_range(a, self.track.end_sample)
                pcm = have + b"\x00\x00" * (self._frame - len(have) // 2)
            else:
                break
            self._heard = b
            chunk = AudioChunk(pcm=pcm, sample_rate=rate, start_sample=a, index=a // self._frame)
            for ev in self._vad.process(chunk):
                events += self._on_vad(ev.event, ev.at_s)
            events += self._check_long(b / rate)
        return events

    def _on_vad(self, kind: str, at_s: float) -> list[SegmentEvent]:
        if kind == "speech_start" and self._open is None:
            self._open = HeardSegment(len(self.segments) + 1, round(self._onset(at_s), 6))
            self.segments.append(self._open)
            return []
        if kind == "speech_end" and self._open is not None:
            seg, self._open = self._open, None
            seg.end_s = round(max(at_s, seg.start_s), 6)
            self._tag(seg)
            if seg.duration_s * 1000 + 1e-6 < self.settings.min_reply_ms and not seg.long:
                seg.verdict = "blip"
            return [SegmentEvent("ended", seg)]
        return []

    def _check_long(self, heard_s: float) -> list[SegmentEvent]:
        seg = self._open
        if seg is None or seg.long:
            return []
        voiced_to = getattr(getattr(self._vad, "turns", None), "last_voiced_end", None)
        if voiced_to is None:
            voiced_to = heard_s
        if (voiced_to - seg.start_s) * 1000 + 1e-6 >= max(self.settings.backchannel_ms, self.settings.min_reply_ms):
            seg.long = True
            self._tag(seg, upto_s=heard_s)
            return [SegmentEvent("long", seg)]
        return []

    def _onset(self, at_s: float) -> float:
        """The detector's onset, moved to where audio begins when it falls in silence between pieces
        (its windows straddle them): never before the audio it heard arrived."""
        a = round(at_s * self.track.rate)
        k = bisect.bisect_right(self._piece_ends, a)  # the first piece that ends after the onset
        if k < len(self._pieces) and self._pieces[k][0] > a:
            return self._pieces[k][0] / self.track.rate
        return at_s

    def _tag(self, seg: HeardSegment, upto_s: float | None = None) -> None:
        """The agent responses whose audio lies in the segment."""
        rate = self.track.rate
        a = int(seg.start_s * rate)
        b = int((seg.end_s if upto_s is None else upto_s) * rate)
        for start, end, rid in self._pieces:
            if rid is not None and start < b and end > a and rid not in seg.response_ids:
                seg.response_ids.append(rid)


# ---- words and files ------------------------------------------------------------------------------

Recogniser = Callable[[np.ndarray, int], str]
"""Words in mono float audio at a rate (blocking; the session runs it in a thread)."""


def recognise_words(x: np.ndarray, rate: int) -> str:
    """The local recogniser's words (faster-whisper tiny.en, `asr.py`), one greedy pass."""
    from ..asr import transcribe

    if len(x) < rate // 10:
        return ""
    return " ".join(u.text for u in transcribe(x, rate, beam_size=1, temperature=0.0)).strip()


def agent_wav_path(log_path: Path) -> Path:
    """`<id>.agent.wav` beside the session log `<id>.jsonl`."""
    return log_path.with_name(log_path.name.removesuffix(".jsonl") + ".agent.wav")


def mix_wav_path(log_path: Path) -> Path:
    """`<id>.mix.wav` beside the session log: left the scene, right the agent."""
    return log_path.with_name(log_path.name.removesuffix(".jsonl") + ".mix.wav")


def write_agent_wav(track: AgentTrack, path: Path) -> None:
    """The agent's track as mono PCM16 at its own rate; sample 0 is the session's start."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(track.rate)
        w.writeframes(track.pcm())


def write_mix(scene_path: Path, agent_path: Path, out: Path) -> Path:
    """A two-channel wav a person can listen to: left the scene, right the agent, time-aligned.

    At the scene's rate (the agent's track is resampled to it); as long as the longer of the two.
    """
    import soundfile as sf

    from ..audio import load_audio

    scene, rate = load_audio(scene_path)
    agent, _ = load_audio(agent_path, target_rate=rate)
    n = max(len(scene), len(agent))
    stereo = np.zeros((n, 2), np.float32)
    stereo[:len(scene), 0] = scene
    stereo[:len(agent), 1] = agent
    sf.write(str(out), np.clip(stereo, -1.0, 1.0), rate, subtype="PCM_16")
    return out


def write_session_mix(log_path: Path, scene_path: Path) -> Path | None:
    """`<id>.mix.wav` for a session whose agent spoke (`<id>.agent.wav` exists), else nothing."""
    agent = agent_wav_path(log_path)
    if not agent.is_file() or not Path(scene_path).is_file():
        return None
    return write_mix(Path(scene_path), agent, mix_wav_path(log_path))
