"""`--agent cascade`: speech recognition, then any OpenAI-compatible text model with tools.

At each poll (the engine's VAD endpoints) the audio heard since the previous poll is transcribed,
either by the local faster-whisper tiny.en model (`asr=local`, offline, no download) or by an
OpenAI-compatible `/audio/transcriptions` endpoint (`asr=remote`: OpenAI's gpt-4o-mini-transcribe
or any other of its transcription models, a vLLM-served Whisper, speaches...). The transcript so far, with times, goes to
the text model with the digital context and tools, which decides whether to speak now.

A cascade hears words only: environmental sounds (ESS) reach it only as far as the recogniser
writes them down. That is the point of comparing it with omni models.

Options (`--agent-opt key=value`), besides those of `chat.ChatOptions` (model, base_url,
api_key_env, reply, api_tools, tool_choice, enable_thinking, tools_in_prompt, temperature,
max_completion_tokens (alias max_tokens), timeout_s,
max_retries, retry_base_s, retry_max_s, on_parse_error):
  asr=local|remote, asr_base_url (default: base_url), asr_model=gpt-4o-mini-transcribe,
  asr_api_key_env (default: api_key_env), asr_language=en, min_utterance_s=0.2.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any, Literal

from pydantic import Field

from ..audio import AudioChunk, from_pcm16
from .base import Capabilities, PollRequest, SessionContext, SessionIO, TranscriptEvent
from .chat import ChatDecider, ChatOptions
from .common import OptionsAdapter, PcmBuffer, api_key, wav_bytes
from ..http_retry import Fault, call_with_retries
from .prompts import decision_prompt, system_prompt

ASR_RATE = 16000


class CascadeOptions(ChatOptions):
    model: str = "Qwen/Qwen3-8B"
    asr: Literal["local", "remote"] = "local"
    asr_base_url: str | None = None
    asr_model: str = "gpt-4o-mini-transcribe"
    asr_api_key_env: str | None = None
    asr_language: str | None = "en"
    min_utterance_s: float = Field(default=0.2, ge=0)


class CascadeAgent(OptionsAdapter):
    name = "cascade"
    capabilities = Capabilities(input_sample_rate=ASR_RATE, needs_poll=True, gives_transcripts=True)
    Options = CascadeOptions
    opts: CascadeOptions

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.chat = ChatDecider(self.opts, self.name)
        self.buffer = PcmBuffer(ASR_RATE)
        self.heard_upto_s = 0.0
        self.lines: list[tuple[float, float, str]] = []
        self.asr_client = None
        self._lock = asyncio.Lock()
        self._asr_ids = itertools.count(1)

    async def start(self, ctx: SessionContext, io: SessionIO) -> None:
        await super().start(ctx, io)
        self.chat.open(ctx, io)
        if self.opts.asr == "remote":
            from openai import AsyncOpenAI

            base = self.opts.asr_base_url or self.opts.base_url
            env = self.opts.asr_api_key_env or self.opts.api_key_env
            key = api_key(env, self.name, required=base.rstrip("/") == "https://api.openai.com/v1")
            self.asr_client = AsyncOpenAI(api_key=key, base_url=base, max_retries=0, timeout=self.opts.timeout_s)
        io.log("agent_settings", **self.settings()["options"])

    async def push_audio(self, chunk: AudioChunk) -> None:
        self.buffer.append(chunk.pcm, chunk.start_sample)

    # -- speech recognition ----------------------------------------------------------------------
    async def _transcribe(self, pcm: bytes, start_s: float) -> list[tuple[float, float, str]]:
        end_s = start_s + len(pcm) / 2 / ASR_RATE
        if self.opts.asr == "local":
            from ..asr import transcribe

            utts = await asyncio.to_thread(transcribe, from_pcm16(pcm), ASR_RATE, offset_s=start_s)
            return [(u.start_s, u.end_s, u.text) for u in utts if u.text]
        n = next(self._asr_ids)
        self.io.log("asr_request", n=n, start_s=round(start_s, 6), seconds=round(end_s - start_s, 6),
                    model=self.opts.asr_model)

        async def attempt() -> str:
            async with asyncio.timeout(self.opts.timeout_s):
                out = await self.asr_client.audio.transcriptions.create(
                    file=(f"utterance-{n}.wav", wav_bytes(pcm, ASR_RATE), "audio/wav"), model=self.opts.asr_model,
                    **({"language": self.opts.asr_language} if self.opts.asr_language else {}))
            return out if isinstance(out, str) else (getattr(out, "text", "") or "")

        def on_retry(k: int, fault: Fault, delay: float) -> None:
            self.io.log("retry", what="asr", attempt=k, reason=fault.reason, wait_s=round(delay, 3))

        text = await call_with_retries(attempt, self.opts.retry_policy(), what=f"{self.name} speech recognition",
                                       on_retry=on_retry)
        return [(start_s, end_s, text.strip())] if text.strip() else []

    def transcript(self) -> str:
        return "\n".join(f"[{a:.1f}-{b:.1f}] {t}" for a, b, t in self.lines)

    # -- decisions -------------------------------------------------------------------------------
    async def respond(self, poll: PollRequest) -> None:
        async with self._lock:
            pcm, start_s = self.buffer.slice_s(self.heard_upto_s)
            if len(pcm) / 2 / ASR_RATE >= self.opts.min_utterance_s:
                self.heard_upto_s = self.buffer.end_s
                for a, b, text in await self._transcribe(pcm, start_s):
                    self.lines.append((a, b, text))
                    self.io.emit(TranscriptEvent(text=text, start_s=round(a, 3), end_s=round(b, 3)))
            messages = [
                {"role": "system", "content": system_prompt(self.ctx, self.opts.reply, self.opts.tools_in_text())},
                {"role": "user", "content": decision_prompt(self.opts.reply, upto_s=self.buffer.end_s,
                                                            transcript=self.transcript())},
            ]
            await self.chat.decide(messages, poll_id=poll.poll_id, what=f"{self.name} poll {poll.poll_id}")

    async def close(self) -> None:
        await self.chat.close()
        if self.asr_client is not None:
            await self.asr_client.close()
