"""The live commands: `provoice-live live` (the microphone, `live/mic.py`) and `provoice-live serve`
(the browser demo, `live/server.py`). Arguments and entry points only; the work is in those modules.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from types import SimpleNamespace

from ..engine.health import run_timed
from .session import LiveSpec, load_context, load_tools, new_session_id, parse_agent_opts


def build_spec(args: argparse.Namespace) -> LiveSpec:
    """What a live session runs, from the command line (shared by `live` and `serve`)."""
    return LiveSpec(agent=args.agent, agent_opts=parse_agent_opts(args.agent_opt), instruction=args.instruction,
                    digital_context=load_context(args.context), tools=load_tools(args.tools),
                    task=getattr(args, "task", None), expect_intervention=getattr(args, "expect", "intervene") == "intervene")


# ---- live ---------------------------------------------------------------------------------------

def add_live_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agent", default="offline", help="the agent that listens (default: offline)")
    p.add_argument("--agent-opt", action="append", default=[], metavar="K=V", help="an agent option (repeatable)")
    p.add_argument("--instruction", default=None, help="your standing instruction to the agent")
    p.add_argument("--context", default=None, metavar="FILE.json", help="the digital context (a JSON object)")
    p.add_argument("--tools", default=None, metavar="FILE.json", help="tools the agent may call (JSON function schemas)")
    p.add_argument("--out", default=None, metavar="RUN", help="the run directory (default runs/<session id>)")
    p.add_argument("--speak", action="store_true", help="speak the agent's replies on the default output device")
    p.add_argument("--task", choices=["PIC", "LTM", "CFC", "ESS"], default=None,
                   help="what the scene tests, for `score` (default: LTM with --instruction, else PIC)")
    p.add_argument("--expect", choices=["intervene", "silent"], default="intervene",
                   help="should the agent speak up in this scene? (the label `score` uses; default intervene)")


def live_main(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..sources.mic import default_input, import_sounddevice
    from .mic import run_microphone

    spec = build_spec(args)
    default_input(import_sounddevice(), 16000)  # no PortAudio or no device: one sentence, before anything
    session_id = new_session_id("mic")
    out = Path(args.out or Path("runs") / session_id)
    console = Console()
    try:
        result = run_timed(run_microphone(spec, out, session_id, speak=args.speak, console=console))
    except asyncio.CancelledError:
        console.print(f"[yellow]cancelled[/]: the session's log is in {out}/sessions/")
        return 130
    n = len(result.interjections)
    console.print(f"session {result.status}: {result.audio_s:.1f} s heard, {n} interjection{'s' if n != 1 else ''}; "
                  f"run directory: {out}")
    return 0 if result.status == "ok" else 1


# ---- serve --------------------------------------------------------------------------------------

def add_serve_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agent", default="offline", help="the agent that listens (default: offline)")
    p.add_argument("--agent-opt", action="append", default=[], metavar="K=V", help="an agent option (repeatable)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1; others need --token)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--instruction", default=None, help="the default standing instruction shown in the page")
    p.add_argument("--context", default=None, metavar="FILE.json", help="the default digital context (a JSON object)")
    p.add_argument("--tools", default=None, metavar="FILE.json", help="tools the agent may call (JSON function schemas)")
    p.add_argument("--token", default=None, help="a secret the page must present (required off loopback)")
    p.add_argument("--out", default="runs/live", help="where each session's run directory goes (default runs/live)")
    p.add_argument("--strict-loopback", action="store_true",
                   help="on loopback, answer ICE checks from 127.0.0.1 only (browsers then need to offer loopback "
                        "candidates: Chromium's --allow-loopback-in-peer-connection)")
    p.add_argument("--idle-timeout", type=float, default=5.0, metavar="S",
                   help="end a session when no audio came for S seconds (a vanished browser)")


def serve_main(args: argparse.Namespace) -> int:
    from ..errors import require

    require("aiortc", "webrtc", "the browser demo")
    from .server import LiveServer, serve_until_stopped

    spec = build_spec(args)
    server = LiveServer(spec, args.out, args.host, args.port, args.token, args.idle_timeout, args.strict_loopback)
    run_timed(serve_until_stopped(server))
    return 0


live = SimpleNamespace(add_arguments=add_live_arguments, main=live_main)
serve = SimpleNamespace(add_arguments=add_serve_arguments, main=serve_main)
