"""`provoice-live live`: the microphone through an agent, with a live terminal view.

The default input device feeds the same engine session as any source (`run_live`: realtime clock,
a run directory like any run's). The view shows, as they happen, whether you are speaking, what
the agent heard (when it gives transcripts) and each interjection with its latency from the end of
your last speech. Ctrl-C (or SIGTERM, or SIGHUP when the terminal goes away) stops the microphone
and the session ends cleanly (its log finished, its result written); a second one cancels at once,
still leaving a finished log.

With `--speak` the agent's replies are spoken with eSpeak NG on the default output device.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable

from ..run.records import SessionRecord
from .feed import LiveFeed
from .session import LiveSpec


# ---- the view -----------------------------------------------------------------------------------

class LiveView:
    """What the terminal shows: state from `LiveFeed` events, rendered with rich on demand."""

    KEEP = 14  # events listed

    def __init__(self, agent: str, instruction: str | None, run_dir: str, wall: Callable[[], float] = time.monotonic):
        self.agent = agent
        self.instruction = instruction
        self.run_dir = run_dir
        self.feed = LiveFeed()
        self.events: deque[dict[str, Any]] = deque(maxlen=self.KEEP)
        self.speaking = False
        self.interjections = 0
        self.ended: dict[str, Any] | None = None
        self._wall = wall
        self._t0 = wall()
        self.stopping = False

    def on_record(self, record: SessionRecord) -> None:
        event = self.feed(record)
        if event is None or event["type"] == "response":
            return
        if event["type"] == "speech":
            self.speaking = event["state"] == "start"
        elif event["type"] == "interjection":
            self.interjections += 1
        elif event["type"] == "end":
            self.ended = event
        self.events.append(event)

    def elapsed(self) -> float:
        return self._wall() - self._t0

    @staticmethod
    def describe(e: dict[str, Any]) -> tuple[str, str, str]:
        """(time, what, detail) of a view event, for one row of the table."""
        t = e.get("at_s") if e["type"] == "speech" else e.get("t")
        when = "" if t is None else f"{t:7.2f} s"
        if e["type"] == "speech":
            return when, "[cyan]you[/]", "started speaking" if e["state"] == "start" else "stopped speaking"
        if e["type"] == "transcript":
            return when, "[white]heard[/]", f"[italic]“{e['text']}”[/]"
        if e["type"] == "interjection":
            lat = "" if e.get("latency_s") is None else f"  [bold yellow](+{e['latency_s']:.2f} s)[/]"
            calls = "".join(f"  [magenta]{c['name']}({c.get('arguments', {})})[/]" for c in e.get("tool_calls", []))
            return when, "[bold yellow]agent[/]", f"[bold]{e.get('text') or '(a tool call)'}[/]{lat}{calls}"
        if e["type"] == "error":
            return when, "[red]error[/]", e.get("message", "")
        if e["type"] == "end":
            return when, "[green]end[/]", f"session {e.get('status')}" + (f" ({e['reason']})" if e.get("reason") else "")
        return when, e["type"], ""

    def __rich__(self):
        from rich.console import Group
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        state = "[bold cyan]● speaking[/]" if self.speaking else "[dim]○ silent[/]"
        if self.stopping and self.ended is None:
            state = "[yellow]stopping…[/]"
        head = Text.from_markup(
            f"[bold]agent[/] {self.agent}   {state}   [bold]{self.elapsed():6.1f} s[/]   "
            f"[bold yellow]{self.interjections}[/] interjection{'s' if self.interjections != 1 else ''}"
        )
        rows = Table(show_header=False, box=None, expand=True, padding=(0, 1))
        rows.add_column(width=10, justify="right", style="dim")
        rows.add_column(width=6)
        rows.add_column(ratio=1)
        for e in self.events:
            rows.add_row(*self.describe(e))
        if not self.events:
            rows.add_row("", "", "[dim]listening… talk, and the agent speaks up when it should[/]")
        parts = [head]
        if self.instruction:
            parts.append(Text.from_markup(f"[dim]instruction:[/] {self.instruction}"))
        parts.append(rows)
        return Panel(Group(*parts), title="provoice-live · microphone", subtitle=f"Ctrl-C stops · {self.run_dir}",
                     border_style="cyan")


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # Ctrl-C, kill, the terminal went away


# ---- the command --------------------------------------------------------------------------------

async def run_microphone(spec: LiveSpec, out: str | Path, session_id: str, speak: bool = False,
                         stream_factory=None, device_rate: int | None = None, console=None,
                         play=None, signals: bool = True, on_source=None):
    """Stream the microphone through the agent until stopped (Ctrl-C, or `source.stop()`).

    `stream_factory`, `device_rate` and `play` are the seams the tests use (a fake input stream and
    a fake speaker); `on_source(source)` is told the source once it exists.
    """
    from rich.live import Live

    from ..sources.mic import MicSource
    from .session import run_live
    from .speak import DeviceSpeaker

    view = LiveView(spec.agent, spec.instruction, str(out))
    speaker = DeviceSpeaker(play) if speak else None
    holder: dict[str, MicSource] = {}

    def make_source(rate: int) -> MicSource:
        src = MicSource(rate, spec.config.chunk_ms, stream_factory=stream_factory, device_rate=device_rate)
        holder["source"] = src
        if on_source:
            on_source(src)
        return src

    def on_record(record: SessionRecord) -> None:
        view.on_record(record)
        if speaker:
            speaker.watcher(record)

    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    presses = 0

    def interrupt() -> None:  # first Ctrl-C (or SIGTERM, SIGHUP): stop the microphone; second: cancel
        nonlocal presses
        presses += 1
        view.stopping = True
        if presses == 1 and "source" in holder:
            holder["source"].stop()
        else:
            task.cancel()

    if signals:  # every terminating signal ends the session like Ctrl-C: a closed terminal too
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, interrupt)
    if speaker:
        speaker.start()
    try:
        with Live(view, console=console, refresh_per_second=8, transient=False):
            result = await run_live(spec, make_source, out, session_id, on_record,
                                    source_info={"kind": "microphone", "speak": speak})
    finally:
        if signals:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)
        if speaker:
            await speaker.close(finish=presses < 2)
    return result
