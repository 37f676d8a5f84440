#!/usr/bin/env python
"""A reference agent server for provoice-live's WebSocket protocol (docs/PROTOCOL.md, version 1).

Copy this file and replace `Agent.decide` (and `Agent.on_audio`) with your agent. It needs only
`websockets` and `numpy`. Run it, then point the harness at it:

    python examples/agent_server.py --port 8765 --policy speech --reply-delay-ms 150
    provoice-live run --corpus CORPUS --agent websocket --agent-opt url=ws://127.0.0.1:8765 --out runs/ws
    python -m provoice_live.agents.conformance ws://127.0.0.1:8765      # check it conforms

Policies (what it answers to a poll):
  silent   never speaks (answers every poll with `silence`)
  always   speaks at every poll
  speech   a small rule: speaks when the utterance that just ended had at least --min-speech-s of
           loud audio (louder than --level-dbfs), and calls --tool (if the session offers it)
Besides polls, `--speak-at 2.0,7.5` makes it speak on its own (no poll) when the stream reaches
those positions, `--reply-delay-ms` after the audio frame that reaches them arrives: the harness
must then measure exactly that delay (bench/bench_websocket_latency.py checks it does).
`--no-polls` tells the harness (in `hello`) not to poll. `--report-timing` follows each reply with an
`info` message (kind "timing") giving when the frame or poll that caused it arrived and when the
reply was sent, in this machine's monotonic clock (`time.perf_counter()`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import struct
import time
from dataclasses import dataclass, field

import numpy as np
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

VERSION = 1
HEADER = struct.Struct("<Q")  # start_sample, uint64 little-endian, then PCM16 mono
log = logging.getLogger("agent_server")


@dataclass
class Config:
    policy: str = "speech"
    reply_delay_s: float = 0.0
    speak_at: list[float] = field(default_factory=list)
    wants_polls: bool = True
    level_dbfs: float = -35.0
    min_speech_s: float = 0.3
    tool: str | None = None
    tool_args: dict = field(default_factory=dict)
    name: str = "reference-agent"
    report_timing: bool = False


class ProtocolViolation(Exception):
    pass


class Agent:
    """One session: the audio heard so far and the decisions. Replace `decide` with your agent."""

    def __init__(self, cfg: Config, start: dict):
        self.cfg = cfg
        self.rate = int(start["audio"]["sample_rate"])
        self.context = start.get("context") or {}
        self.tools = {t.get("name") for t in self.context.get("tools") or []}
        self.pos = 0  # samples received
        self.loud_samples = 0  # loud samples since the last poll
        self.pending_speak_at = sorted(cfg.speak_at)
        self.n = 0
        self.context_changes: list[tuple[int, float]] = []  # (samples heard by then, the change's at_s)

    def on_context_update(self, msg: dict) -> None:
        """The digital context changed mid-stream: keep the new state (your agent would re-read it)."""
        self.context = {**self.context, "digital_context": msg["digital_context"]}
        self.context_changes.append((self.pos, float(msg["at_s"])))

    def on_audio(self, start_sample: int, pcm: bytes) -> list[float]:
        """Take one frame; return the --speak-at positions it reached."""
        x = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32767.0
        frame = max(1, self.rate // 50)
        for i in range(0, len(x), frame):
            part = x[i:i + frame]
            rms = float(np.sqrt(np.mean(part * part))) if len(part) else 0.0
            if rms > 0 and 20 * np.log10(rms) > self.cfg.level_dbfs:
                self.loud_samples += len(part)
        self.pos = start_sample + len(x)
        reached = []
        while self.pending_speak_at and self.pos >= round(self.pending_speak_at[0] * self.rate):
            reached.append(self.pending_speak_at.pop(0))
        return reached

    def decide(self, poll: dict) -> tuple[str, dict | None] | None:
        """The answer to a poll: (text, tool call or None) to speak, None to stay silent."""
        speech_s = self.loud_samples / self.rate
        self.loud_samples = 0
        speak = {"silent": False, "always": True, "speech": speech_s >= self.cfg.min_speech_s}[self.cfg.policy]
        if not speak:
            return None
        text = f"I heard {speech_s:.1f} s of speech before {poll.get('stream_s', 0):.1f} s. Can I help?"
        return text, self.tool_call()

    def tool_call(self) -> dict | None:
        if self.cfg.tool and self.cfg.tool in self.tools:
            return {"name": self.cfg.tool, "arguments": dict(self.cfg.tool_args)}
        return None

    def response_id(self) -> str:
        self.n += 1
        return f"r{self.n}"


class Session:
    """The protocol side of one connection."""

    def __init__(self, ws, cfg: Config):
        self.ws = ws
        self.cfg = cfg
        self.agent: Agent | None = None
        self.replies: set[asyncio.Task] = set()

    async def send(self, obj: dict) -> None:
        await self.ws.send(json.dumps(obj))

    async def run(self) -> None:
        try:
            async for message in self.ws:
                if isinstance(message, bytes):
                    await self.on_frame(message)
                else:
                    await self.on_message(json.loads(message))
        except ProtocolViolation as exc:
            await self.send({"type": "error", "message": str(exc), "fatal": True})
            await self.ws.close(1002, "protocol error")
        except (ValueError, KeyError, TypeError) as exc:
            await self.send({"type": "error", "message": f"bad message: {exc}", "fatal": True})
            await self.ws.close(1002, "protocol error")
        except ConnectionClosed:
            pass
        finally:
            for task in self.replies:
                task.cancel()

    async def on_message(self, msg: dict) -> None:
        kind = msg.get("type")
        if kind == "session.start":
            if msg.get("version") != VERSION:
                raise ProtocolViolation(f"this server speaks version {VERSION}, not {msg.get('version')!r}")
            audio = msg.get("audio", {})
            if (audio.get("encoding"), audio.get("channels"), audio.get("header_bytes")) != ("pcm_s16le", 1, HEADER.size):
                raise ProtocolViolation("only mono pcm_s16le audio behind an 8-byte header is supported")
            self.agent = Agent(self.cfg, msg)
            await self.send({"type": "hello", "version": VERSION, "agent": self.cfg.name,
                             "wants_polls": self.cfg.wants_polls, "sync": True})
            return
        if self.agent is None:
            raise ProtocolViolation(f"{kind!r} before session.start")
        if kind == "poll":
            self.later(self.answer_poll(msg, time.perf_counter()))
        elif kind == "sync":
            await self.settle()  # everything before the sync, replies included, is done
            await self.send({"type": "sync", "seq": msg["seq"]})
        elif kind == "context.update":
            self.agent.on_context_update(msg)
        elif kind == "end_of_stream":
            await self.settle()
            await self.send({"type": "end"})
        else:
            raise ProtocolViolation(f"unknown message type {kind!r}")

    async def on_frame(self, data: bytes) -> None:
        received = time.perf_counter()
        if self.agent is None:
            raise ProtocolViolation("audio before session.start")
        if len(data) < HEADER.size + 2 or (len(data) - HEADER.size) % 2:
            raise ProtocolViolation(f"malformed audio frame of {len(data)} bytes")
        (start_sample,) = HEADER.unpack_from(data)
        for position in self.agent.on_audio(start_sample, data[HEADER.size:]):
            self.later(self.speak(None, "The moment you asked about has come.", self.agent.tool_call(),
                                  received, {"speak_at": position}))

    def later(self, coro) -> None:
        """Run a reply in the background so the audio keeps flowing while we 'think'."""
        task = asyncio.create_task(coro)
        self.replies.add(task)
        task.add_done_callback(self.replies.discard)

    async def settle(self) -> None:
        while self.replies:
            await asyncio.gather(*list(self.replies), return_exceptions=True)

    async def answer_poll(self, poll: dict, received: float) -> None:
        decision = self.agent.decide(poll)
        if decision is None:
            await self.send({"type": "silence", "poll_id": poll["poll_id"], "reason": "nothing to say"})
            return
        text, call = decision
        await self.speak(poll["poll_id"], text, call, received, {"poll_id": poll["poll_id"]})

    async def speak(self, poll_id: int | None, text: str, call: dict | None, received: float,
                    cause: dict) -> None:
        if self.cfg.reply_delay_s:
            await asyncio.sleep(max(0.0, received + self.cfg.reply_delay_s - time.perf_counter()))
        rid = self.agent.response_id()
        extra = {"poll_id": poll_id} if poll_id is not None else {}
        sent = time.perf_counter()
        await self.send({"type": "text", "response_id": rid, "text": text, **extra})
        if call is not None:
            await self.send({"type": "tool_call", "response_id": rid, "call_id": f"{rid}-call", **call, **extra})
        await self.send({"type": "done", "response_id": rid, **extra})
        if self.cfg.report_timing:
            await self.send({"type": "info", "kind": "timing", "data": {
                "response_id": rid, "received": received, "sent": sent, **cause}})


async def serve_forever(cfg: Config, host: str, port: int, ready: asyncio.Event | None = None) -> None:
    async def handler(ws):
        await Session(ws, cfg).run()

    async with serve(handler, host, port, max_size=16 * 1024 * 1024, compression=None) as server:
        bound = server.sockets[0].getsockname()
        log.info("agent server on ws://%s:%s (policy %s)", bound[0], bound[1], cfg.policy)
        print(f"listening on ws://{bound[0]}:{bound[1]}", flush=True)
        if ready is not None:
            ready.set()
        await asyncio.get_running_loop().create_future()


def parse_args(argv=None) -> tuple[Config, str, int]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port (printed)")
    p.add_argument("--policy", choices=["silent", "always", "speech"], default="speech")
    p.add_argument("--reply-delay-ms", type=float, default=0.0, help="wait this long before each reply")
    p.add_argument("--speak-at", default="", help="stream positions (s, comma-separated) to speak at unprompted")
    p.add_argument("--no-polls", action="store_true", help="ask the harness not to poll")
    p.add_argument("--level-dbfs", type=float, default=-35.0)
    p.add_argument("--min-speech-s", type=float, default=0.3)
    p.add_argument("--tool", default=None, help="call this tool when speaking, if the session offers it")
    p.add_argument("--tool-args", default="{}", help="its JSON arguments")
    p.add_argument("--report-timing", action="store_true", help="send an info message with each reply's timing")
    a = p.parse_args(argv)
    cfg = Config(policy=a.policy, reply_delay_s=a.reply_delay_ms / 1000.0,
                 speak_at=[float(x) for x in a.speak_at.split(",") if x.strip()], wants_polls=not a.no_polls,
                 level_dbfs=a.level_dbfs, min_speech_s=a.min_speech_s, tool=a.tool, tool_args=json.loads(a.tool_args),
                 report_timing=a.report_timing)
    return cfg, a.host, a.port


def main(argv=None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cfg, host, port = parse_args(argv)
    try:
        asyncio.run(serve_forever(cfg, host, port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
