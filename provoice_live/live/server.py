"""`provoice-live serve`: the browser demo. An aiohttp server for the page and WebRTC offers.

    GET  /             the page (index.html, app.js, style.css from `web_dir()`)
    GET  /api/config   the server's defaults for the page: agent, instruction, digital context, tools
    POST /api/offer    {sdp, type, instruction?, context?, speak?} -> {sdp, type, session_id}, or
                       400 {error} with a one-line reason (a refused offer leaves no peer, no run dir)
    GET  /api/sessions the sessions of this server and where their run directories are

One browser peer connection is one session: the browser's microphone track feeds the engine
(`run_session`, realtime clock) through a `WebRTCSource`; the session's log records, projected by
`LiveFeed`, go back to the page over the data channel the page opened ("events"); with `speak`, the
agent's replies are spoken with eSpeak NG on the server's audio track. The page's stop button sends
`{"type": "stop"}` on the data channel and the session ends cleanly (status ok); a peer that goes
away (connection failed or closed, or no audio for `idle_timeout_s`) ends it with status "error"
and the reason. Either way its run directory `OUT/<session id>/` holds config.json, the log, the
result and the received audio.

Safe by default: binds 127.0.0.1. Any other host needs `--token T`, which the page presents as the
`X-Provoice-Token` header (it takes it from its own URL, `/?token=T`); /api/* answer 403 without it.
On loopback, ICE offers only 127.0.0.1 host candidates and ignores the browser's non-loopback ones,
and the page keeps only loopback candidates in its offer: no packet leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ProvoiceError
from ..jsontext import dumps
from ..redact import scrub
from .session import LiveSpec, new_session_id, parse_context_text

log = logging.getLogger(__name__)

TOKEN_HEADER = "X-Provoice-Token"


def web_dir() -> Path:
    """Where the page is: `provoice_live/web/` inside the package, the one copy of the files.

    `clients/web` in a source checkout is a symlink to it, so the design card's place for clients
    shows it, and both an editable and a regular install (package-data `web/*`) find it here.
    """
    here = Path(__file__).resolve().parent.parent / "web"
    if not (here / "index.html").is_file():
        raise ProvoiceError(f"the web page is missing from the installation ({here}/index.html)")
    return here


class BadOffer(ProvoiceError):
    """An offer the server refuses (HTTP 400): the message is the one-line reason."""


def _shown(value: Any) -> str:
    """A value's JSON type for an error message (never the value: it may be long or hostile)."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def sdp_problem(sdp: str) -> str | None:
    """Why `sdp` cannot be a browser's offer (None when it may be): it must parse as SDP and
    carry an audio media section (the microphone) with ICE credentials."""
    from aiortc.sdp import SessionDescription

    if not sdp.lstrip().startswith("v=0"):
        return "not SDP (an SDP starts with \"v=0\")"
    try:
        parsed = SessionDescription.parse(sdp)
    except Exception as exc:  # aiortc's parser raises ValueError, IndexError, KeyError...
        return f"not parsable SDP ({type(exc).__name__})"
    audio = [m for m in parsed.media if m.kind == "audio"]
    if not audio:
        return "no audio media section (m=audio): the offer must carry the microphone"
    if not all(m.ice is not None and m.ice.usernameFragment and m.ice.password for m in audio):
        return "no ICE credentials (a=ice-ufrag, a=ice-pwd)"
    return None


async def close_quietly(pc) -> None:
    """Close a peer connection, also one that a refused offer left half built (aiortc may raise)."""
    try:
        await pc.close()
    except Exception as exc:  # noqa: BLE001 - nothing of a refused peer is worth a traceback
        log.debug("closing a refused peer connection: %s", exc)


@dataclass
class Peer:
    """One browser peer connection and its session."""

    session_id: str
    pc: Any
    spec: LiveSpec
    speak: bool
    run_dir: Path
    channel: Any = None
    source: Any = None
    speech: Any = None
    task: asyncio.Task | None = None
    pending: list[str] = field(default_factory=list)
    result: Any = None
    offered_candidates: list[str] = field(default_factory=list)  # the browser's, before filtering
    track: Any = None  # the browser's microphone, once announced
    accepted: bool = False  # the answer was made: the session may start

    def send(self, event: dict[str, Any]) -> None:
        msg = scrub(dumps(event))  # error texts may quote a key a server echoed
        if self.channel is not None and self.channel.readyState == "open":
            self.channel.send(msg)
        else:
            self.pending.append(msg)

    def flush(self) -> None:
        while self.pending and self.channel is not None and self.channel.readyState == "open":
            self.channel.send(self.pending.pop(0))


class LiveServer:
    """The aiohttp application and the peers it serves. `start()`/`stop()` for tests and `main`."""

    def __init__(self, spec: LiveSpec, out: str | Path, host: str = "127.0.0.1", port: int = 8080,
                 token: str | None = None, idle_timeout_s: float = 5.0, strict_loopback: bool = False,
                 connect_timeout_s: float = 30.0):
        from .rtc import is_loopback, policy_for_bind

        if not is_loopback(host) and not token:
            raise ProvoiceError(f"serving on {host} (not loopback) needs --token, which the page must present")
        self.spec = spec
        self.out = Path(out)
        self.host = host
        self.port = port
        self.token = token
        self.idle_timeout_s = idle_timeout_s
        self.connect_timeout_s = connect_timeout_s  # an accepted peer must send its microphone within it
        self.loopback = is_loopback(host)
        self.ice = policy_for_bind(host, strict_loopback)
        self.peers: dict[str, Peer] = {}
        self._runner = None
        self.app = self._make_app()

    # -- the app ---------------------------------------------------------------------------------
    def _make_app(self):
        from aiohttp import web

        app = web.Application(middlewares=[self._guard])
        static = web_dir()
        async def index(_request):
            return web.FileResponse(static / "index.html")

        app.router.add_get("/", index)
        app.router.add_get("/api/config", self.handle_config)
        app.router.add_post("/api/offer", self.handle_offer)
        app.router.add_get("/api/sessions", self.handle_sessions)
        app.router.add_static("/static/", static)
        return app

    def _authorised(self, request) -> bool:
        if not self.token:
            return True
        given = request.headers.get(TOKEN_HEADER) or request.query.get("token") or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    @property
    def _guard(self):
        from aiohttp import web

        @web.middleware
        async def guard(request, handler):
            if request.path.startswith("/api/") and not self._authorised(request):
                return web.json_response({"error": "a valid token is required"}, status=403)
            return await handler(request)

        return guard

    async def handle_config(self, request):
        from aiohttp import web

        s = self.spec
        return web.json_response({
            "agent": s.agent, "instruction": s.instruction or "",
            "context": json.dumps(s.digital_context, indent=2) if s.digital_context else "",
            "tools": [t.name for t in s.tools], "token_required": bool(self.token),
            "loopback": self.loopback,
        })

    async def handle_sessions(self, request):
        from aiohttp import web

        return web.json_response({sid: {"run_dir": str(p.run_dir), "done": p.task is not None and p.task.done()}
                                  for sid, p in self.peers.items()})

    async def handle_offer(self, request):
        """Answer an offer, or 400 with a one-line reason; a refused offer leaves no peer behind."""
        from aiohttp import web

        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"error": "a bad offer: the body is not JSON"}, status=400)
        try:
            sdp, spec, speak = self._read_offer(body)
            answer, peer = await self.accept(sdp, spec, speak=speak)
        except BadOffer as exc:
            log.info("refused an offer: %s", exc)
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"sdp": answer.sdp, "type": answer.type, "session_id": peer.session_id})

    def _read_offer(self, body: Any) -> tuple[str, LiveSpec, bool]:
        """(sdp, spec, speak) from an offer's JSON body, or `BadOffer` saying which field and why."""
        if not isinstance(body, dict):
            raise BadOffer("a bad offer: the body must be a JSON object")
        sdp, kind = body.get("sdp"), body.get("type", "offer")
        if kind != "offer":
            raise BadOffer(f"a bad offer: field 'type' must be \"offer\", not {_shown(kind)}")
        if not isinstance(sdp, str) or not sdp.strip():
            raise BadOffer("a bad offer: field 'sdp' must be a non-empty SDP text")
        instruction, context, speak = body.get("instruction"), body.get("context"), body.get("speak", False)
        if instruction is not None and not isinstance(instruction, str):
            raise BadOffer(f"a bad offer: field 'instruction' must be a string, not {_shown(instruction)}")
        if context is not None and not isinstance(context, (str, dict)):
            raise BadOffer(f"a bad offer: field 'context' must be a JSON object or its text, not {_shown(context)}")
        if speak is not None and not isinstance(speak, bool):
            raise BadOffer(f"a bad offer: field 'speak' must be true or false, not {_shown(speak)}")
        try:
            spec = self.spec.with_page_input(instruction, parse_context_text(context))
        except ProvoiceError as exc:
            raise BadOffer(str(exc)) from None
        problem = sdp_problem(sdp)
        if problem:
            raise BadOffer(f"a bad offer: field 'sdp': {problem}")
        return sdp, spec, bool(speak)

    # -- peers -----------------------------------------------------------------------------------
    async def accept(self, sdp: str, spec: LiveSpec, speak: bool = False):
        """Answer a browser's offer: one peer connection, one session."""
        from .rtc import ice_policy, new_peer_connection

        sid = new_session_id("web")
        with ice_policy(self.ice):  # the ICE connections are created and gathered inside
            pc = new_peer_connection()
            try:
                return await self._accept(sid, pc, sdp, spec, speak)
            except Exception as exc:  # aiortc refuses the offer (ValueError, InvalidStateError, ...)
                self.peers.pop(sid, None)
                await close_quietly(pc)
                reason = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
                raise BadOffer(f"a bad offer: WebRTC refused it ({reason})") from None

    async def _accept(self, sid: str, pc, sdp: str, spec: LiveSpec, speak: bool):
        from aiortc import RTCSessionDescription

        from .rtc import SpeechTrack, candidate_addresses, loopback_only_sdp

        peer = Peer(sid, pc, spec, speak, self.out / sid, offered_candidates=candidate_addresses(sdp))

        @pc.on("datachannel")
        def on_datachannel(channel):
            peer.channel = channel
            channel.on("open", peer.flush)
            channel.on("message", lambda msg: self._on_message(peer, msg))
            peer.flush()

        @pc.on("track")
        def on_track(track):
            if track.kind == "audio" and peer.track is None:
                peer.track = track
                self._start_session(peer)

        @pc.on("connectionstatechange")
        async def on_state():
            log.debug("session %s: connection %s", sid, pc.connectionState)
            if pc.connectionState in ("failed", "closed"):
                self._peer_gone(peer, f"the browser went away (connection {pc.connectionState})")
                if peer.task is None:  # it never sent audio: no session ran, nothing to keep
                    self.peers.pop(sid, None)

        if self.loopback:
            sdp = loopback_only_sdp(sdp)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        peer.speech = SpeechTrack()
        pc.addTrack(peer.speech)
        await pc.setLocalDescription(await pc.createAnswer())
        peer.accepted = True
        self.peers[sid] = peer  # in the session table only once accepted
        self._start_session(peer)  # only now: a refused offer never starts a session or makes a run dir
        if peer.task is None:  # no microphone track yet: drop the peer if none comes
            asyncio.get_running_loop().call_later(self.connect_timeout_s, self._drop_if_unused, peer)
        return pc.localDescription, peer

    def _drop_if_unused(self, peer: Peer) -> None:
        """A peer accepted `connect_timeout_s` ago that never sent a microphone track: forget it."""
        if peer.task is None and self.peers.get(peer.session_id) is peer:
            del self.peers[peer.session_id]
            asyncio.get_running_loop().create_task(close_quietly(peer.pc))

    def _start_session(self, peer: Peer) -> None:
        if peer.accepted and peer.track is not None and peer.task is None:
            peer.task = asyncio.get_running_loop().create_task(self._run_peer(peer, peer.track))

    def _on_message(self, peer: Peer, message: str) -> None:
        try:
            msg = json.loads(message)
        except (TypeError, json.JSONDecodeError):
            return
        if msg.get("type") == "stop" and peer.source is not None:
            peer.source.stop()

    def _peer_gone(self, peer: Peer, reason: str) -> None:
        if peer.source is not None and not peer.source.stopped:
            peer.source.stop(error=reason)

    async def _run_peer(self, peer: Peer, track) -> None:
        from ..sources.webrtc import WebRTCSource
        from ..run.records import SessionRecord
        from .feed import LiveFeed
        from .session import run_live
        from .speak import ReplyWatcher

        feed = LiveFeed()
        speaker = ReplyWatcher(lambda reply: asyncio.get_running_loop().create_task(self._say(peer, reply.text)))

        def on_record(record: SessionRecord) -> None:
            event = feed(record)
            if event is not None:
                peer.send(event)
            if peer.speak:
                speaker(record)

        def make_source(rate: int):
            peer.source = WebRTCSource(track, rate, chunk_ms=peer.spec.config.chunk_ms,
                                       idle_timeout_s=self.idle_timeout_s,
                                       first_frame_timeout_s=max(self.idle_timeout_s, self.connect_timeout_s))
            return peer.source

        peer.send({"type": "session", "session_id": peer.session_id, "agent": peer.spec.agent,
                   "run_dir": str(peer.run_dir), "speak": peer.speak})
        try:
            peer.result = await run_live(peer.spec, make_source, peer.run_dir, peer.session_id, on_record,
                                         source_info={"kind": "webrtc", "speak": peer.speak})
        except ProvoiceError as exc:  # the agent could not even be built
            peer.send({"type": "error", "t": None, "message": str(exc)})
            peer.send({"type": "end", "t": None, "status": "error", "reason": str(exc), "interjections": 0})
        finally:
            peer.flush()
            await asyncio.sleep(0.2)  # let the data channel carry the last events
            await peer.pc.close()

    async def _say(self, peer: Peer, text: str) -> None:
        from .speak import synthesize

        x, rate = await asyncio.to_thread(synthesize, text)
        if peer.speech is not None:
            peer.speech.say(x, rate)

    # -- life cycle ------------------------------------------------------------------------------
    async def start(self) -> str:
        from aiohttp import web

        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = site._server.sockets if site._server else []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        return self.url

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    async def stop(self) -> None:
        """End every session cleanly (their logs finished), close the peers, stop serving."""
        for peer in list(self.peers.values()):
            if peer.source is not None:
                peer.source.stop()
        tasks = [p.task for p in self.peers.values() if p.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for peer in self.peers.values():
            await peer.pc.close()
        if self._runner is not None:
            await self._runner.cleanup()


async def serve_until_stopped(server: LiveServer) -> None:
    """Serve until Ctrl-C, SIGTERM or SIGHUP, then end every session cleanly (their run dirs finished)."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # Ctrl-C, kill, the terminal went away
        loop.add_signal_handler(sig, stop.set)
    url = await server.start()
    print(f"provoice-live serve: open {url}  (agent {server.spec.agent}; ICE {server.ice.name}; "
          f"runs in {server.out}/; Ctrl-C stops)", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
