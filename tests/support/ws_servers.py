"""WebSocket agent servers the tests talk to: the reference server (`examples/agent_server.py`,
loaded as a module), a one-test server on 127.0.0.1, a recorder, and servers that misbehave.

Shared by tests/agents and tests/engine (a test module is no place to import helpers from).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from websockets.asyncio.server import serve

from provoice_live.agents.websocket import decode_frame

ROOT = Path(__file__).resolve().parents[2]


def load_reference():
    spec = importlib.util.spec_from_file_location("example_agent_server", ROOT / "examples" / "agent_server.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


ref = load_reference()


class Served:
    """A websockets server on 127.0.0.1 for one test."""

    def __init__(self, handler):
        self.handler = handler

    async def __aenter__(self) -> str:
        self.server = await serve(self.handler, "127.0.0.1", 0, compression=None, max_size=None)
        return f"ws://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()


def reference(**cfg) -> Served:
    config = ref.Config(**cfg)
    return Served(lambda ws: ref.Session(ws, config).run())


class Recorder:
    """A conforming server that records what it receives and never polls or speaks."""

    def __init__(self, wants_polls: bool = False):
        self.start: dict | None = None
        self.frames: list[tuple[int, int]] = []
        self.messages: list[dict] = []
        self.wants_polls = wants_polls

    async def __call__(self, ws):
        async for message in ws:
            if isinstance(message, bytes):
                start, pcm = decode_frame(message)
                self.frames.append((start, len(pcm) // 2))
                continue
            msg = json.loads(message)
            self.messages.append(msg)
            if msg["type"] == "session.start":
                self.start = msg
                await ws.send(json.dumps({"type": "hello", "version": 1, "agent": "recorder",
                                          "wants_polls": self.wants_polls, "sync": False}))
            elif msg["type"] == "poll":
                await ws.send(json.dumps({"type": "silence", "poll_id": msg["poll_id"]}))
            elif msg["type"] == "end_of_stream":
                await ws.send(json.dumps({"type": "end"}))


def faulty(fault: str):
    """A server that behaves until the first poll, then commits `fault`."""

    async def handler(ws):
        async for message in ws:
            if isinstance(message, bytes):
                continue
            msg = json.loads(message)
            if msg["type"] == "session.start":
                version = 2 if fault == "version" else 1
                await ws.send(json.dumps({"type": "hello", "version": version, "agent": "faulty", "wants_polls": True}))
            elif msg["type"] == "poll":
                pid = msg["poll_id"]
                if fault == "garbage":
                    await ws.send("{not json")
                elif fault == "unknown":
                    await ws.send(json.dumps({"type": "whisper", "poll_id": pid}))
                elif fault == "missing":
                    await ws.send(json.dumps({"type": "silence"}))
                elif fault == "binary":
                    await ws.send(b"\x00\x01\x02")
                elif fault == "oversized":
                    await ws.send(json.dumps({"type": "text", "response_id": "r", "text": "x" * 5000}))
                elif fault == "disconnect":
                    await ws.close(1011, "agent crashed")
                    return
                elif fault == "fatal":
                    await ws.send(json.dumps({"type": "error", "message": "model not loaded"}))
                elif fault == "wrong_poll":
                    await ws.send(json.dumps({"type": "silence", "poll_id": pid + 41}))
                elif fault == "after_done":
                    for m in ({"type": "done", "response_id": "r", "poll_id": pid},
                              {"type": "text", "response_id": "r", "text": "late"}):
                        await ws.send(json.dumps(m))
                # "hang": say nothing
            elif msg["type"] == "end_of_stream":
                await ws.send(json.dumps({"type": "end"}))

    return handler
