"""Check that an agent server speaks the WebSocket protocol of docs/PROTOCOL.md (version 1.1).

    python -m provoice_live.agents.conformance ws://127.0.0.1:8765 [--sample-rate 16000] [--timeout 10]

Each check opens its own connection and prints PASS, FAIL or WARN with the reason; the exit status is
0 when every required check passes. The checks:

Each answer of docs/PROTOCOL.md that a server's behaviour shows is checked:

* `handshake` (required): `session.start` gets a `hello` of version 1 first; the detail names the
  `hello` fields left to their defaults (`wants_polls` true, `sync` false).
* `session` (required): three seconds of speech-like audio in 20 ms frames, a poll after each
  utterance (if the server wants polls), one `sync` (if it offers sync), then `end_of_stream`:
  every message is valid; each poll is answered exactly once (`silence`, or a response closed by
  `done` with its `poll_id`); nothing of a response comes after its `done`; every response, polled
  or not, has its `done` before `end`; `sync` is echoed; `end` comes last and nothing follows it.
* `done_text` (recommended): where a `done` carries `text`, it equals the response's pieces joined
  (when they differ `done.text` wins, which usually means pieces were lost).
* `sync` (recommended): the server offers `sync`; without it, lockstep latencies of unprompted
  replies mean nothing.
* `version` (required): a `session.start` of another version gets an `error` or a `hello` of the
  server's own version, not silence.
* `audio_format` (required): a `session.start` with `channels` 2, or with `header_bytes` 12, gets
  an `error` (or a close), not a `hello`: version 1 defines neither.
* `large_context` (required): a `session.start` of about 2 MiB (a large digital context; over the
  `websockets` default limit of 1 MiB, under the protocol's 16 MiB) gets a `hello`.
* `bad_frame` (recommended): a malformed audio frame gets an `error` (or the connection is closed).
* `audio_out` (required when `hello` says `audio_out: true`, protocol 1.1): in the `session`
  check's session, every binary frame from the server is a valid frame (8-byte header, an even,
  non-zero PCM16 payload) whose `start_sample` never goes back; the detail says whether the server
  streamed continuously (full-duplex: as much audio as it heard, within 100 ms) or only while
  speaking (half-duplex). A full-duplex stream that fell behind the input is a warning.
* `engine` (required): a whole session through the harness's own engine and WebSocket adapter ends
  with status ok.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..audio import iter_chunks, to_pcm16
from ..errors import AgentError
from .base import SessionContext
from .websocket import (MAX_MESSAGE_BYTES, VERSION, DoneMsg, EndMsg, ErrorMsg, Hello, ProtocolError, SilenceMsg,
                        SyncMsg, TextMsg, ToolCallMsg, decode_frame, encode_frame, parse_server_message,
                        session_start)

TOOL = {"type": "function", "name": "set_reminder", "description": "Set a reminder for the user.",
        "parameters": {"type": "object", "properties": {"what": {"type": "string"}, "when": {"type": "string"}}}}


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    required: bool = True

    @property
    def label(self) -> str:
        return "PASS" if self.ok else ("FAIL" if self.required else "WARN")


def test_context() -> SessionContext:
    return SessionContext(session_id="conformance", protocol="blind", instruction="Remind me about the dentist.",
                          digital_context={"Calendar": {"events": [{"title": "Dentist", "start": "2024-06-15 15:00"}]}},
                          tools=[TOOL], audio_duration_s=3.0)


def speechlike(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    """A voiced, syllable-modulated harmonic buzz that a voice activity detector takes for speech."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(140.0 * (1 + 0.05 * np.sin(2 * np.pi * 0.7 * t))) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 25))
    am = 0.55 + 0.45 * np.sin(2 * np.pi * 4.0 * t + rng.uniform(0, 6))
    return (0.25 * x / np.max(np.abs(x)) * am).astype(np.float32)


def test_audio(rate: int) -> np.ndarray:
    """Speech 0-1.2 s, silence, speech 1.8-2.6 s, silence to 3.0 s."""
    z = lambda s: np.zeros(int(s * rate), np.float32)  # noqa: E731
    return np.concatenate([speechlike(1.2, rate, 1), z(0.6), speechlike(0.8, rate, 2), z(0.4)])


@dataclass
class AudioFrame:
    """A frame of the server's voice (protocol 1.1), as received."""

    start_sample: int
    samples: int
    voiced: bool
    type: str = "audio"


class _Conn:
    """A raw connection with a receive helper that validates every message."""

    def __init__(self, ws, timeout: float):
        self.ws = ws
        self.timeout = timeout
        self.log: list[Any] = []
        self.audio_out = False  # set once hello said so: binary frames are then the server's voice

    @classmethod
    async def open(cls, url: str, timeout: float) -> "_Conn":
        from websockets.asyncio.client import connect

        return cls(await connect(url, open_timeout=timeout, max_size=MAX_MESSAGE_BYTES, compression=None), timeout)

    async def recv(self, timeout: float | None = None):
        raw = await asyncio.wait_for(self.ws.recv(), timeout or self.timeout)
        if isinstance(raw, bytes) and self.audio_out:
            try:
                start, pcm = decode_frame(raw)
            except ValueError as exc:
                raise ProtocolError(f"a bad audio frame from the server: {exc}") from None
            msg = AudioFrame(start, len(pcm) // 2, bool(np.any(np.frombuffer(pcm, "<i2"))))
            self.log.append(msg)
            return msg
        msg = parse_server_message(raw)
        self.log.append(msg)
        return msg

    async def send(self, obj: dict | bytes) -> None:
        await self.ws.send(obj if isinstance(obj, bytes) else json.dumps(obj))

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self.ws.close(), 2.0)
        except Exception:
            pass


async def check_handshake(url: str, rate: int, timeout: float) -> tuple[Check, Hello | None]:
    conn = await _Conn.open(url, timeout)
    try:
        await conn.send(session_start(test_context(), rate, True, MAX_MESSAGE_BYTES))
        first = await conn.recv()
        if not isinstance(first, Hello):
            return Check("handshake", False, f"the first message is {first.type!r}, not hello"), None
        if first.version != VERSION:
            return Check("handshake", False, f"hello says version {first.version}, not {VERSION}"), first
        feats = ", ".join(f for f, on in (("polls", first.wants_polls), ("sync", first.sync)) if on) or "no polls, no sync"
        defaulted = [f"{f} -> {getattr(first, f)!r}" for f in ("agent", "wants_polls", "sync") if f not in first.model_fields_set]
        note = f"; omitted, so defaulted: {', '.join(defaulted)}" if defaulted else ""
        return Check("handshake", True, f"hello version {first.version} from {first.agent!r} ({feats}){note}"), first
    finally:
        await conn.close()


class _Tracker:
    """Follows responses and poll answers, raising ProtocolError at the first violation."""

    def __init__(self) -> None:
        self.done: set[str] = set()
        self.started: set[str] = set()  # responses with at least one text or tool_call
        self.pieces: dict[str, list[str]] = {}
        self.text_mismatch: list[str] = []  # responses whose done.text differs from their pieces
        self.answered: dict[int, str] = {}
        self.open_polls: set[int] = set()
        self.outputs = 0
        self.tool_calls = 0
        self.frames = 0
        self.out_end = 0  # end of the server's last audio frame, in its samples
        self.out_samples = 0
        self.voiced_frames = 0
        self.contiguous = True

    def see(self, msg) -> None:
        if isinstance(msg, AudioFrame):
            if msg.start_sample < self.out_end:
                raise ProtocolError(f"an audio frame starts at sample {msg.start_sample}, before the end of the "
                                    f"previous one ({self.out_end})")
            self.contiguous &= msg.start_sample == self.out_end
            self.frames += 1
            self.out_end = msg.start_sample + msg.samples
            self.out_samples += msg.samples
            self.voiced_frames += msg.voiced
            return
        if isinstance(msg, (TextMsg, ToolCallMsg, DoneMsg)):
            if msg.response_id in self.done:
                raise ProtocolError(f"{msg.type!r} of response {msg.response_id!r} after its done")
            if isinstance(msg, DoneMsg):
                self.done.add(msg.response_id)
                joined = "".join(self.pieces.get(msg.response_id, []))
                if msg.text is not None and msg.response_id in self.pieces and msg.text != joined:
                    self.text_mismatch.append(msg.response_id)
            else:
                self.outputs += 1
                self.started.add(msg.response_id)
                self.tool_calls += isinstance(msg, ToolCallMsg)
                if isinstance(msg, TextMsg):
                    self.pieces.setdefault(msg.response_id, []).append(msg.text)
        if isinstance(msg, (SilenceMsg, DoneMsg)) and msg.poll_id is not None:
            if msg.poll_id not in self.open_polls:
                raise ProtocolError(f"poll {msg.poll_id} answered but it is not open")
            if msg.poll_id in self.answered:
                raise ProtocolError(f"poll {msg.poll_id} answered twice")
            self.answered[msg.poll_id] = msg.type
        if isinstance(msg, ErrorMsg) and msg.fatal:
            raise ProtocolError(f"the server reported a fatal error: {msg.message}")

    def check_closed(self) -> None:
        """At `end`: every response that began has its `done`, polled or not."""
        open_ = sorted(self.started - self.done)
        if open_:
            raise ProtocolError(f"response(s) {', '.join(map(repr, open_))} had no done before end "
                                "(every response ends with a done, with or without a poll)")


async def check_session(url: str, rate: int, timeout: float, hello: Hello) -> list[Check]:
    """The `session` check, and the `done_text` check from what that session's responses held."""
    conn = await _Conn.open(url, timeout)
    track = _Tracker()
    try:
        await conn.send(session_start(test_context(), rate, True, MAX_MESSAGE_BYTES))
        await conn.recv()  # hello, checked already
        conn.audio_out = hello.audio_out
        x = test_audio(rate)
        poll_at = [1.6, 3.0] if hello.wants_polls else []
        n_poll = 0
        for chunk in iter_chunks(to_pcm16(x), rate, 20.0):
            await conn.send(encode_frame(chunk.start_sample, chunk.pcm))
            if poll_at and chunk.end_s + 1e-9 >= poll_at[0]:
                poll_at.pop(0)
                n_poll += 1
                track.open_polls.add(n_poll)
                await conn.send({"type": "poll", "poll_id": n_poll, "reason": "endpoint", "stream_s": chunk.end_s,
                                 "speech_end_s": chunk.end_s - 0.4})
                while n_poll not in track.answered:
                    track.see(await conn.recv())
                track.open_polls.discard(n_poll)
        if hello.sync:
            await conn.send({"type": "sync", "seq": 7})
            while True:
                msg = await conn.recv()
                track.see(msg)
                if isinstance(msg, SyncMsg):
                    if msg.seq != 7:
                        raise ProtocolError(f"sync 7 answered with seq {msg.seq}")
                    break
        await conn.send({"type": "end_of_stream", "stream_s": len(x) / rate})
        while True:
            msg = await conn.recv()
            track.see(msg)
            if isinstance(msg, EndMsg):
                break
        track.check_closed()
        try:
            extra = await conn.recv(timeout=0.3)
            raise ProtocolError(f"{extra.type!r} after end")
        except (asyncio.TimeoutError, TimeoutError):
            pass
        except Exception as exc:  # the server closing after end is fine
            if isinstance(exc, ProtocolError):
                raise
        detail = (f"{n_poll} poll(s) answered ({', '.join(track.answered.values()) or 'none'}), "
                  f"{len(track.done)} response(s), {track.tool_calls} tool call(s)"
                  + (", sync echoed" if hello.sync else "") + ", end received")
        texts = (Check("done_text", False, f"done.text differs from the joined text pieces of {', '.join(track.text_mismatch)} "
                                          "(done.text wins)", required=False) if track.text_mismatch
                 else Check("done_text", True, f"{len(track.done)} response(s): done.text, where given, equals the pieces",
                            required=False))
        checks = [Check("session", True, detail), texts]
        if hello.audio_out:
            checks.append(audio_out_verdict(track, hello, len(x) / rate))
        return checks
    except ProtocolError as exc:
        return [Check("session", False, str(exc))]
    except (asyncio.TimeoutError, TimeoutError):
        last = conn.log[-1].type if conn.log else "nothing"
        return [Check("session", False, f"no answer within {timeout:g} s (last message: {last})")]
    finally:
        await conn.close()


def audio_out_verdict(track: _Tracker, hello: Hello, input_s: float) -> Check:
    """The `audio_out` check from the frames one session held (see the module docstring)."""
    rate = hello.audio_out_rate
    out_s = track.out_samples / rate
    if track.frames == 0:
        return Check("audio_out", True, "hello says audio_out but the server sent no audio in this session "
                                        "(half-duplex, with nothing to say)")
    voiced = f"{track.voiced_frames} of them not silent"
    if track.contiguous and out_s >= input_s - 0.1:
        return Check("audio_out", True, f"full-duplex: {track.frames} frames, {out_s:.2f} s of audio at {rate} Hz "
                                        f"for {input_s:.2f} s heard, {voiced}")
    if track.contiguous and track.voiced_frames == track.frames and out_s < input_s - 0.1:
        return Check("audio_out", True, f"half-duplex: {track.frames} frames, {out_s:.2f} s of speech at {rate} Hz")
    if track.contiguous:
        return Check("audio_out", False, f"a continuous stream of {out_s:.2f} s for {input_s:.2f} s heard: a full-duplex "
                                         "server fell behind (its voice will be heard late)", required=False)
    return Check("audio_out", True, f"half-duplex: {track.frames} frames in bursts, {out_s:.2f} s of audio at {rate} Hz, "
                                    f"{voiced}")


async def _expect_refusal(url: str, timeout: float, first: dict, then: bytes | None,
                          accept_own_hello: bool = True) -> tuple[bool, str]:
    from websockets.exceptions import ConnectionClosed

    conn = await _Conn.open(url, timeout)
    try:
        await conn.send(first)
        if then is not None:
            await conn.recv()  # hello
            await conn.send(then)
        msg = await conn.recv()
        if isinstance(msg, ErrorMsg):
            return True, f"error: {msg.message}"
        if then is None and accept_own_hello and isinstance(msg, Hello) and msg.version == VERSION:
            return True, f"hello of its own version {msg.version} (the harness refuses it)"
        return False, f"answered {msg.type!r}"
    except ConnectionClosed:
        return True, "closed the connection"
    except (asyncio.TimeoutError, TimeoutError):
        return False, f"no answer within {timeout:g} s"
    except ProtocolError as exc:
        return False, str(exc)
    finally:
        await conn.close()


async def check_version(url: str, rate: int, timeout: float) -> Check:
    start = session_start(test_context(), rate, True, MAX_MESSAGE_BYTES) | {"version": 999}
    ok, detail = await _expect_refusal(url, timeout, start, None)
    return Check("version", ok, f"session.start of version 999: {detail}")


async def check_audio_format(url: str, rate: int, timeout: float) -> Check:
    base = session_start(test_context(), rate, True, MAX_MESSAGE_BYTES)
    details = []
    for field, value in (("channels", 2), ("header_bytes", 12)):
        start = base | {"audio": base["audio"] | {field: value}}
        ok, detail = await _expect_refusal(url, timeout, start, None, accept_own_hello=False)
        if not ok:
            return Check("audio_format", False, f"session.start with {field} {value}: {detail} (version 1 defines "
                                                f"only mono PCM16 behind an 8-byte header: refuse the rest)")
        details.append(f"{field} {value}: {detail}")
    return Check("audio_format", True, "; ".join(details))


async def check_large_context(url: str, rate: int, timeout: float) -> Check:
    ctx = test_context()
    filler = [{"title": f"note {i}", "content": "x" * 1000} for i in range(2100)]
    ctx = ctx.model_copy(update={"digital_context": {**ctx.digital_context, "Notes": {"notes": filler}}})
    start = session_start(ctx, rate, True, MAX_MESSAGE_BYTES)
    size = len(json.dumps(start).encode())
    conn = await _Conn.open(url, timeout)
    try:
        await conn.send(start)
        msg = await conn.recv()
        if isinstance(msg, Hello):
            return Check("large_context", True, f"a {size / 2**20:.1f} MiB session.start got hello")
        return Check("large_context", False, f"a {size / 2**20:.1f} MiB session.start got {msg.type!r}, not hello")
    except Exception as exc:
        from websockets.exceptions import ConnectionClosed

        if isinstance(exc, ConnectionClosed) and exc.rcvd is not None and exc.rcvd.code == 1009:
            why = "closed with 1009 (message too big): raise the server's limit to 16 MiB"
        else:
            why = f"{type(exc).__name__}: {exc}"
        return Check("large_context", False, f"a {size / 2**20:.1f} MiB session.start: {why}")
    finally:
        await conn.close()


def check_sync_offered(hello: Hello) -> Check:
    if hello.sync:
        return Check("sync", True, "offers sync: lockstep runs stamp its replies at the frame that caused them",
                     required=False)
    return Check("sync", False, "does not offer sync: under --clock lockstep its unprompted replies are stamped "
                                "wherever the stream has got to, so their latency means nothing", required=False)


async def check_bad_frame(url: str, rate: int, timeout: float) -> Check:
    start = session_start(test_context(), rate, True, MAX_MESSAGE_BYTES)
    ok, detail = await _expect_refusal(url, timeout, start, b"\x00\x01\x02\x03\x04")
    return Check("bad_frame", ok, f"a 5-byte audio frame: {detail}", required=False)


async def check_engine(url: str, rate: int, timeout: float, clock: str) -> Check:
    from ..engine.session import SessionConfig, run_session
    from ..run.trace import SessionTrace
    from ..sources.file import FileSource
    from .websocket import WebSocketAgent

    agent = WebSocketAgent(url=url, sample_rate=str(rate), timeout_s=str(timeout), max_retries="0")
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "conformance.jsonl"
        result = await run_session(test_context(), FileSource(test_audio(rate), rate, 20.0, "conformance"), agent,
                                   log_path, SessionConfig(clock=clock, response_timeout_s=timeout),
                                   recognise=lambda x, rate: "")  # words are not the protocol's business
        polls = len(SessionTrace.read(log_path).polls)
    if result.status != "ok":
        return Check("engine", False, f"the session ended as an error: {result.error}")
    return Check("engine", True, f"status ok under the {clock} clock: {polls} poll(s), "
                                 f"{len(result.interjections)} interjection(s)")


async def check_server(url: str, *, sample_rate: int = 16000, timeout: float = 10.0,
                       clock: str = "lockstep") -> list[Check]:
    """Run every check against `url`; a check that cannot even connect fails with the reason."""
    checks: list[Check] = []

    async def guarded(name: str, coro, required: bool = True) -> Check | None:
        try:
            return await coro
        except (OSError, AgentError, ProtocolError, asyncio.TimeoutError, TimeoutError) as exc:
            return Check(name, False, f"{type(exc).__name__}: {exc}", required)
        except Exception as exc:  # a websockets handshake failure and the like
            return Check(name, False, f"{type(exc).__name__}: {exc}", required)

    try:
        first, hello = await check_handshake(url, sample_rate, timeout)
    except Exception as exc:
        return [Check("handshake", False, f"cannot talk to {url}: {type(exc).__name__}: {exc}")]
    checks.append(first)
    if hello is None or not first.ok:
        return checks
    session = await guarded("session", check_session(url, sample_rate, timeout, hello))
    checks.extend(session if isinstance(session, list) else [session])
    checks.append(check_sync_offered(hello))
    checks.append(await guarded("version", check_version(url, sample_rate, timeout)))
    checks.append(await guarded("audio_format", check_audio_format(url, sample_rate, timeout)))
    checks.append(await guarded("large_context", check_large_context(url, sample_rate, timeout)))
    checks.append(await guarded("bad_frame", check_bad_frame(url, sample_rate, timeout), required=False))
    checks.append(await guarded("engine", check_engine(url, sample_rate, timeout, clock)))
    return checks


def url_verdict(url: str, failed: list[Check]) -> str:
    if failed:
        return f"{url} does NOT conform to protocol version {VERSION} ({len(failed)} required check(s) failed)"
    return f"{url} conforms to protocol version {VERSION}"


if __name__ == "__main__":  # `python -m provoice_live.agents.conformance ws://HOST:PORT/PATH`
    from .cli import conformance_main

    sys.exit(conformance_main())
