"""Latency error of tool-call and audio interjections through the strict fakes, with a known gap.

Each fake reply pauses `gap` seconds (real time) right after its first sign: a tool call's name
(chat: the first `tool_calls` delta; Realtime: `response.output_item.added`) or an audio reply's
first audio delta, then sends the rest (the arguments; the transcript). The interjection should be
stamped at the first sign; the error is the stamp minus the moment the first sign was sent, on one
clock. Run it once per code tree to compare:

    python bench/bench_adapter_stamps.py --code /path/to/checkout --label before
    python bench/bench_adapter_stamps.py --label after            # this checkout

Prints one markdown row per case: median and max error over `--reps` replies per gap.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--code", default=str(HERE), help="the checkout whose provoice_live is measured")
    ap.add_argument("--label", default="after")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--gaps", default="0.5,2.0")
    args = ap.parse_args()
    sys.path[:0] = [args.code, str(HERE / "tests")]
    rows = asyncio.run(measure(args.reps, [float(g) for g in args.gaps.split(",")]))
    for case, gap, errs in rows:
        print(f"| {args.label} | {case} | {gap:.1f} | {statistics.median(errs):.3f} | {max(errs):.3f} | {len(errs)} |")
    return 0


class WallIO:
    """A SessionIO on the wall clock; records (t, event) and stamps interjections as the engine does."""

    def __init__(self) -> None:
        from provoice_live.agents.base import SessionIO  # noqa: F401  (the measured tree's)

        self.t0 = time.perf_counter()
        self.events = []

    def stream_time(self) -> float:
        return time.perf_counter() - self.t0

    def emit(self, event, arrival=None) -> None:
        self.events.append((self.stream_time(), event))

    def log(self, kind, **data) -> None:
        from provoice_live.agents.base import InfoEvent
        self.emit(InfoEvent(kind=kind, data=data))

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def stamps(self) -> list[float]:
        from provoice_live.agents.base import is_output
        seen = {}
        for t, e in self.events:
            if is_output(e) and e.response_id not in seen:
                began = getattr(e, "began_s", None)
                seen[e.response_id] = t if began is None else min(t, began)
        return sorted(seen.values())


async def one(make_agent, server, rate, sign_times, gap, spec_push) -> float:
    import numpy as np

    from fakes.sessionio import context
    from provoice_live.agents.base import PollRequest, SessionIO
    from provoice_live.audio import iter_chunks, to_pcm16

    io = WallIO()
    SessionIO.register(WallIO)
    agent = make_agent()
    spec_push(server)
    await agent.start(context(), io)
    x = (0.3 * np.sin(np.arange(rate) / rate * 2 * np.pi * 220)).astype(np.float32)
    for chunk in iter_chunks(to_pcm16(x), rate, 20.0):
        await agent.push_audio(chunk)
    await agent.drain()
    n = len(sign_times)
    await agent.respond(PollRequest(reason="manual", stream_s=1.0, poll_id=1))
    await agent.close()
    (stamp,) = io.stamps()
    sent = sign_times[n] - io.t0
    return stamp - sent


async def measure(reps: int, gaps: list[float]):
    from fakes.openai_http import FakeOpenAI, Reply
    from fakes.realtime_server import FakeRealtime
    from provoice_live.agents.omni_chat import OmniChatAgent
    from provoice_live.agents.openai_realtime import OpenAIRealtimeAgent

    rows = []
    chat = await FakeOpenAI().start()
    rt = await FakeRealtime().start()
    rt.enforce_update_rules = False  # adapters from before the GA update rule still send `model`
    try:
        for gap in gaps:
            errs = []
            for _ in range(reps):
                errs.append(await one(
                    lambda: OmniChatAgent(base_url=chat.base_url, reply="native", enable_thinking="false"), chat,
                    16000, chat.first_sign_wall, gap,
                    lambda s: s.script.append(Reply("", tool_calls=[{"name": "set_reminder", "arguments": {"what": "milk"}}],
                                                    gap_s=gap))))
            rows.append(("omni-chat tool call", gap, errs))
            rt.gap_s = gap
            for case, spec, output in [("realtime tool call", ("tool", "set_reminder", {"what": "milk"}), "text"),
                                       ("realtime audio reply", ("audio", "Your oven timer went off."), "audio")]:
                errs = []
                for _ in range(reps):
                    errs.append(await one(lambda: OpenAIRealtimeAgent(base_url=rt.base_url, api_key_env="NONE",
                                                                      output=output),
                                          rt, 24000, rt.first_sign_wall, gap, lambda s: s.script.append(spec)))
                rows.append((case, gap, errs))
    finally:
        await chat.stop()
        await rt.stop()
    return rows


if __name__ == "__main__":
    sys.exit(main())
