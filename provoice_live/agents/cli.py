"""`python -m provoice_live.agents.conformance ws://HOST:PORT/PATH`: the conformance check's command
line (the checks are in `agents/conformance.py`)."""

from __future__ import annotations

import argparse
import asyncio
import json

from .conformance import VERSION, check_server, url_verdict


def conformance_main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m provoice_live.agents.conformance",
                                description=f"Check an agent server against docs/PROTOCOL.md (version {VERSION}).")
    p.add_argument("url", help="ws://HOST:PORT/PATH of the server")
    p.add_argument("--sample-rate", type=int, default=16000)
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each answer")
    p.add_argument("--clock", default="lockstep", help="the clock of the engine check (lockstep, realtime...)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    args = p.parse_args(argv)
    checks = asyncio.run(check_server(args.url, sample_rate=args.sample_rate, timeout=args.timeout, clock=args.clock))
    if args.json:
        print(json.dumps([c.__dict__ | {"label": c.label} for c in checks], indent=1))
    else:
        for c in checks:
            print(f"{c.label}  {c.name:<10} {c.detail}")
    failed = [c for c in checks if not c.ok and c.required]
    if not args.json:
        print(f"\n{url_verdict(args.url, failed)}")
    return 1 if failed else 0
