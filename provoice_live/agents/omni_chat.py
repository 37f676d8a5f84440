"""`--agent omni-chat`: an omni model (audio in) behind OpenAI-compatible chat completions.

For Qwen2.5-Omni / Qwen3-Omni served by vLLM, OpenAI's gpt-audio family, or anything that takes
`input_audio` content parts. Two modes:

* `mode=stream` (default): at each poll the engine makes (VAD endpoints), the audio received since
  the session started, capped to the last `window_s` seconds, goes up as a base64 WAV part with the
  digital context and tools, and the model decides whether to speak now.
* `mode=clip`: the official ProVoice-Bench way: no polls; one call on the whole clip when the
  stream ends. Run both on one corpus to see what streaming changes (the interjection time of a
  clip run is the end of the audio, so its timing figures mean nothing).

Options (`--agent-opt key=value`), besides those of `chat.ChatOptions` (model, base_url,
api_key_env, reply=json|native, api_tools, tool_choice, enable_thinking, tools_in_prompt, temperature,
max_completion_tokens (alias max_tokens),
timeout_s, max_retries, retry_base_s, retry_max_s, on_parse_error=silence|fatal):
  mode=stream|clip, window_s=30 (0 = everything), sample_rate=16000 (what the WAV carries).

The API key is read from the environment variable named by `api_key_env` (default OPENAI_API_KEY;
a local server that ignores keys gets "EMPTY").
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import Field

from ..audio import AudioChunk
from .base import Capabilities, PollRequest, SessionContext, SessionIO
from .chat import ChatDecider, ChatOptions
from .common import OptionsAdapter, PcmBuffer, b64, wav_bytes
from .prompts import decision_prompt, system_prompt


class OmniChatOptions(ChatOptions):
    mode: Literal["stream", "clip"] = "stream"
    window_s: float = Field(default=30.0, ge=0)
    sample_rate: int = Field(default=16000, ge=8000, le=48000)


class OmniChatAgent(OptionsAdapter):
    name = "omni-chat"
    Options = OmniChatOptions
    opts: OmniChatOptions

    @classmethod
    def capabilities_for(cls, opts: OmniChatOptions) -> Capabilities:
        return Capabilities(input_sample_rate=opts.sample_rate, needs_poll=opts.mode == "stream")

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.chat = ChatDecider(self.opts, self.name)
        self.buffer = PcmBuffer(self.opts.sample_rate)
        self._lock = asyncio.Lock()

    async def start(self, ctx: SessionContext, io: SessionIO) -> None:
        await super().start(ctx, io)
        self.chat.open(ctx, io)
        io.log("agent_settings", **self.settings()["options"])

    async def push_audio(self, chunk: AudioChunk) -> None:
        self.buffer.append(chunk.pcm, chunk.start_sample)

    def _messages(self, pcm: bytes, text: str) -> list[dict[str, Any]]:
        audio = {"type": "input_audio", "input_audio": {"data": b64(wav_bytes(pcm, self.opts.sample_rate)),
                                                        "format": "wav"}}
        return [
            {"role": "system", "content": system_prompt(self.ctx, self.opts.reply, self.opts.tools_in_text())},
            {"role": "user", "content": [audio, {"type": "text", "text": text}]},
        ]

    async def _decide(self, window_s: float | None, poll_id: int | None, whole_clip: bool) -> None:
        async with self._lock:
            pcm, start_s = self.buffer.window(window_s)
            end_s = self.buffer.end_s
            self.io.log("audio_sent", poll_id=poll_id, start_s=round(start_s, 6), end_s=round(end_s, 6),
                        seconds=round(len(pcm) / 2 / self.opts.sample_rate, 6))
            text = decision_prompt(self.opts.reply, upto_s=end_s, whole_clip=whole_clip)
            what = "the whole clip" if whole_clip else f"poll {poll_id}"
            await self.chat.decide(self._messages(pcm, text), poll_id=poll_id, what=f"{self.name} {what}")

    async def respond(self, poll: PollRequest) -> None:
        if self.opts.mode == "clip":
            return  # clip mode decides once, at the end of the stream
        await self._decide(self.opts.window_s or None, poll.poll_id, whole_clip=False)

    async def end_of_stream(self) -> None:
        if self.opts.mode == "clip" and self.buffer.end_sample > 0:
            await self._decide(None, None, whole_clip=True)

    async def close(self) -> None:
        await self.chat.close()
