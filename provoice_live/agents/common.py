"""Pieces shared by the adapters that talk to real agents (realtime, omni-chat, cascade, websocket).

* `AdapterOptions`: the base of each adapter's pydantic options model. `--agent-opt key=value` gives
  strings; pydantic's lax mode turns "0.5" into 0.5 and "true" into True. `parse_options` turns a
  validation failure into one `ProvoiceError` sentence naming the agent, the option and the reason.
* `api_key`: keys come only from the environment (`api_key_env` names the variable); an option that
  looks like a key is refused, so a key can never land in the run's config.
* `PcmBuffer`: the PCM16 audio a session has received, with its stream position, so an adapter can
  cut the last `window_s` seconds (or an utterance) out of it and wrap it in a WAV container.
* `OptionsAdapter`: an adapter whose options are one of those models (`self.opts`), recorded by
  `settings()` as validated (no key is ever among them); `SpeakingAdapter`, one whose model may
  answer in speech (it refuses `reply=json` with `output=audio`).
* `SessionFault`: the first fault of a connection-based session, reported once as a fatal
  `ErrorEvent` and raised as `AgentError` by every later call; `guard()` awaits anything until it is
  done, the session faults, or a timeout passes.
* `Outbox`: a send queue drained by one writer task, so `push_audio` never waits on the network and
  `drain()` can wait until everything pushed has gone out.
"""

from __future__ import annotations

import asyncio
import base64
import io
import wave
from typing import Any, Awaitable, Callable, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import AgentError, ProvoiceError
from ..redact import secret_from_env
from .base import AgentAdapter, ErrorEvent, SessionIO

O = TypeVar("O", bound="AdapterOptions")

SECRET_OPTIONS = ("api_key", "key", "token", "password", "secret", "authorization")


class AdapterOptions(BaseModel):
    """Base of every adapter's options: unknown keys are errors, values are coerced from strings."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_options(model: type[O], options: dict[str, Any], agent: str) -> O:
    """Validate `--agent-opt` values; raise one clear `ProvoiceError` for a bad or unknown option."""
    for key in options:
        if key.lower() in SECRET_OPTIONS:
            raise ProvoiceError(
                f"agent {agent!r}: option {key!r} would put a secret into the run's config; put the key in "
                f"an environment variable and pass its name with api_key_env=NAME")
    try:
        return model.model_validate(options)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "options"
            if err["type"] == "extra_forbidden":
                known = ", ".join(sorted(model.model_fields))
                problems.append(f"unknown option {where!r} (known: {known})")
            else:
                value = err.get("input")
                shown = f"={value!r}" if isinstance(value, (str, int, float)) else ""
                problems.append(f"option {where!r}{shown}: {err['msg']}")
        raise ProvoiceError(f"agent {agent!r}: " + "; ".join(problems)) from None


def api_key(env_name: str | None, agent: str, *, required: bool) -> str:
    """The API key from the environment variable `env_name`.

    `required=False` (a local server such as vLLM, which ignores keys) falls back to "EMPTY".
    """
    value = secret_from_env(env_name)  # remembered: scrubbed from every text the harness writes
    if value:
        return value
    if required:
        raise ProvoiceError(f"agent {agent!r} needs an API key: set the environment variable "
                            f"{env_name or 'OPENAI_API_KEY'} (or name another one with api_key_env=NAME)")
    return "EMPTY"


def wav_bytes(pcm: bytes | memoryview, sample_rate: int) -> bytes:
    """Wrap mono PCM16 little-endian bytes in a WAV container (no conversion of the samples)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(bytes(pcm))
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class PcmBuffer:
    """All PCM16 received in a session, addressed by stream position (samples from the start).

    Chunks are appended in order; a gap (a chunk that does not start where the last one ended) is
    filled with silence so positions stay exact.
    """

    def __init__(self, sample_rate: int):
        self.rate = sample_rate
        self._data = bytearray()

    @property
    def end_sample(self) -> int:
        return len(self._data) // 2

    @property
    def end_s(self) -> float:
        return self.end_sample / self.rate

    def append(self, pcm: bytes | memoryview, start_sample: int) -> None:
        gap = start_sample - self.end_sample
        if gap > 0:
            self._data.extend(b"\x00\x00" * gap)
        elif gap < 0:  # overlapping chunk: keep what is new
            pcm = bytes(pcm)[-2 * gap:]
        self._data.extend(pcm)

    def slice_s(self, start_s: float, end_s: float | None = None) -> tuple[bytes, float]:
        """PCM between two stream positions (clamped), and where it really starts."""
        end = self.end_sample if end_s is None else min(self.end_sample, max(0, round(end_s * self.rate)))
        start = min(end, max(0, round(start_s * self.rate)))
        return bytes(self._data[2 * start: 2 * end]), start / self.rate

    def window(self, window_s: float | None, end_s: float | None = None) -> tuple[bytes, float]:
        """The last `window_s` seconds up to `end_s` (all of it when `window_s` is None)."""
        end = self.end_s if end_s is None else min(end_s, self.end_s)
        start = 0.0 if not window_s else max(0.0, end - window_s)
        return self.slice_s(start, end)


class OptionsAdapter(AgentAdapter):
    """Base of the adapters configured by an `AdapterOptions` model (`Options`), parsed into `opts`."""

    Options: ClassVar[type[AdapterOptions]] = AdapterOptions

    @classmethod
    def parse_options(cls, options: dict[str, Any]) -> AdapterOptions:
        return parse_options(cls.Options, options, cls.name)


class SpeakingAdapter(OptionsAdapter):
    """Base of the adapters whose model may answer in speech (options `output` and `reply`): a reply in
    the paper's JSON format must come as text, since a JSON answer is not spoken."""

    @classmethod
    def parse_options(cls, options: dict[str, Any]) -> AdapterOptions:
        opts = super().parse_options(options)
        if getattr(opts, "reply", None) == "json" and getattr(opts, "output", None) == "audio":
            raise ProvoiceError(f"agent {cls.name!r}: reply=json needs output=text (a JSON answer is not spoken)")
        return opts


class SessionFault:
    """The first thing that went wrong in a session (see the module docstring)."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self.happened = asyncio.Event()
        self.closing = False  # faults while closing are expected (the peer hangs up) and ignored

    def report(self, io: SessionIO | None, reason: str) -> bool:
        """Remember `reason` and emit it as a fatal error, unless a fault came first. True if it was new."""
        if self.reason is not None or self.closing:
            return False
        self.reason = reason
        self.happened.set()
        if io is not None:
            io.emit(ErrorEvent(message=reason, fatal=True))
        return True

    def check(self) -> None:
        if self.reason is not None:
            raise AgentError(self.reason)

    async def guard(self, aw: Awaitable[Any], timeout: float | None = None) -> Any:
        """The result of `aw`; `AgentError` if the session faults first, `TimeoutError` after `timeout`."""
        task = asyncio.ensure_future(aw)
        faulted = asyncio.ensure_future(self.happened.wait())
        try:
            done, _ = await asyncio.wait({task, faulted}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            faulted.cancel()
            if not task.done():
                task.cancel()
        self.check()
        if task not in done:
            raise TimeoutError
        return task.result()


class Outbox:
    """Messages to send, in order, by one writer task.

    `put` never blocks; `join` waits until all that was put has been sent; a send that fails calls
    `on_error(reason)` and stops the writer. `close` sends what is queued (up to `timeout`) and stops.
    """

    def __init__(self, send: Callable[[Any], Awaitable[Any]], on_error: Callable[[str], None], peer: str):
        self._send = send
        self._on_error = on_error
        self._peer = peer
        self._queue: asyncio.Queue = asyncio.Queue()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def put(self, message: Any) -> None:
        self._queue.put_nowait(message)

    async def join(self) -> None:
        await self._queue.join()

    async def _run(self) -> None:
        try:
            while True:
                message = await self._queue.get()
                try:
                    if message is None:
                        return
                    await self._send(message)
                finally:
                    self._queue.task_done()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._on_error(f"sending to {self._peer} failed: {type(exc).__name__}: {exc}")

    async def close(self, timeout: float = 2.0) -> None:
        if self._task is None:
            return
        self._queue.put_nowait(None)
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        except (asyncio.TimeoutError, TimeoutError, Exception):
            pass
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
