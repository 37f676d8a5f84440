"""`provoice-live probe`: one short session against an agent's endpoint before a long run."""

from __future__ import annotations

import argparse
import asyncio


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agent", required=True, help="openai-realtime, omni-chat, cascade, websocket, ... (as for run)")
    p.add_argument("--agent-opt", action="append", metavar="KEY=VALUE", help="an adapter setting (repeatable)")
    p.add_argument("--timeout", type=float, default=60.0, metavar="S", help="give up after S seconds (default 60)")


def main(args: argparse.Namespace) -> int:
    from ..engine.cli import parse_agent_opts
    from . import run_probe

    report = asyncio.run(run_probe(args.agent, parse_agent_opts(args.agent_opt), timeout_s=args.timeout))
    print(report.render())
    return 0 if report.ok else 1
