"""The template machinery: random draws, people, dates said aloud, drafts and the registry.

A template is a function `build(d: Draw, label: bool) -> Draft` registered with `@template(...)`.
`Draw` wraps one `random.Random` seeded per sample, so a (template, label, seed) triple always gives
the same draft. A `Draft` holds what the template decides (people, lines, app states, the ground
truth); `scenes.make_scene` turns it into a `Scene` (ids, tools offered, speakers, metadata).

Wording is varied with `Draw.say(variants, **slots)`: pick one phrasing, fill its slots. Keep
several phrasings per line so that no surface pattern gives the label away.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Sequence, TypeVar

from ..script import Line
from . import pools

T = TypeVar("T")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve")


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    gender: str  # "male" | "female"

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def pronoun(self) -> str:
        return "she" if self.gender == "female" else "he"

    @property
    def object(self) -> str:
        return "her" if self.gender == "female" else "him"

    @property
    def possessive(self) -> str:
        return "her" if self.gender == "female" else "his"


class Draw:
    """Every random choice of one scene. Deterministic for its seed."""

    def __init__(self, seed: int):
        self.seed = seed
        self.r = random.Random(seed)
        self._used_names: set[str] = set()

    # --- generic choices -------------------------------------------------------------------
    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.r.randrange(len(seq))]

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        return self.r.sample(list(seq), k)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def randint(self, lo: int, hi: int) -> int:
        return self.r.randint(lo, hi)

    def shuffled(self, items: Iterable[T]) -> list[T]:
        out = list(items)
        self.r.shuffle(out)
        return out

    def say(self, variants: Sequence[str] | str, **slots: Any) -> str:
        """One phrasing, its `{slots}` filled, first letter capitalised."""
        text = (variants if isinstance(variants, str) else self.pick(variants)).format(**slots)
        return text[:1].upper() + text[1:]

    def other(self, seq: Sequence[T], than: T) -> T:
        """A pick from `seq` that differs from `than`."""
        choices = [x for x in seq if x != than]
        return self.pick(choices)

    # --- people ----------------------------------------------------------------------------
    def person(self, gender: str | None = None) -> Person:
        """A person with a first name not yet used in this scene."""
        gender = gender or self.pick(("female", "male"))
        names = pools.FEMALE_NAMES if gender == "female" else pools.MALE_NAMES
        first = self.pick([n for n in names if n not in self._used_names])
        self._used_names.add(first)
        return Person(first, self.pick(pools.SURNAMES), gender)

    # --- time ------------------------------------------------------------------------------
    def now(self, hour_range: tuple[int, int] = (8, 20)) -> datetime:
        """The scene's current date and time, on a quarter hour in 2024-2025."""
        day = datetime(2024, 1, 8) + timedelta(days=self.randint(0, 700))
        return day.replace(hour=self.randint(*hour_range), minute=self.pick((0, 15, 30, 45)))

    def future(self, now: datetime, days: tuple[int, int] = (1, 6),
               hours: tuple[int, int] = (9, 19), minutes: Sequence[int] = (0, 30)) -> datetime:
        day = now + timedelta(days=self.randint(*days))
        return day.replace(hour=self.randint(*hours), minute=self.pick(minutes), second=0, microsecond=0)

    def shifted_time(self, dt: datetime, min_hours: int = 1, max_hours: int = 4) -> datetime:
        """The same day at another hour, at least `min_hours` away, inside 7:00-21:00."""
        options = [h for h in range(7, 22) if min_hours <= abs(h - dt.hour) <= max_hours]
        return dt.replace(hour=self.pick(options))

    def shifted_day(self, now: datetime, dt: datetime) -> datetime:
        """Another future day (1 to 3 days off) at the same time, still after `now`."""
        offsets = [k for k in (-3, -2, -1, 1, 2, 3) if (dt + timedelta(days=k)).date() > now.date()]
        return dt + timedelta(days=self.pick(offsets))

    def time_said(self, dt: datetime) -> str:
        """A clock time as people say it: '3 PM', '3:30', 'half past three', '15:00'..."""
        h12 = dt.hour % 12 or 12
        ampm = "AM" if dt.hour < 12 else "PM"
        if dt.minute == 0:
            return self.pick((f"{h12} {ampm}", f"{h12} o'clock", f"{NUMBER_WORDS[h12]} {ampm}"))
        if dt.minute == 30:
            return self.pick((f"{h12}:30", f"half past {NUMBER_WORDS[h12]}", f"{h12}:30 {ampm}"))
        if dt.minute == 15:
            return self.pick((f"{h12}:15", f"quarter past {NUMBER_WORDS[h12]}"))
        if dt.minute == 45:
            nxt = (dt.hour + 1) % 12 or 12
            return self.pick((f"{h12}:45", f"quarter to {NUMBER_WORDS[nxt]}"))
        return f"{h12}:{dt.minute:02d} {ampm}"

    def day_said(self, now: datetime, dt: datetime, bare: bool = False) -> str:
        """When a day is, relative to now: 'today', 'tomorrow', 'on Friday', 'on the 14th'...
        (`bare`: without the 'on', for 'moved to Friday')."""
        said = self._day_said(now, dt)
        return said[3:] if bare and said.startswith("on ") else said

    def _day_said(self, now: datetime, dt: datetime) -> str:
        delta = (dt.date() - now.date()).days
        weekday = WEEKDAYS[dt.weekday()]
        if delta == 0:
            return "today"
        if delta == 1:
            return self.pick(("tomorrow", f"tomorrow, {weekday}", "tomorrow"))
        options = [f"on {weekday}", f"this {weekday}" if delta < 7 else f"next {weekday}", f"on the {ordinal(dt.day)}"]
        return self.pick(options)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def stamp(dt: datetime) -> str:
    """App-state form of a date and time: '2024-05-24 10:00'."""
    return dt.strftime("%Y-%m-%d %H:%M")


def clock(dt: datetime) -> str:
    """A time in a written answer: '3:30 PM'."""
    return dt.strftime("%I:%M %p").lstrip("0")


def date_written(dt: datetime) -> str:
    """A date in a written answer: 'Friday, May 24'."""
    return f"{WEEKDAYS[dt.weekday()]}, {dt.strftime('%B')} {dt.day}"


def money(amount: float, currency: str = "dollars") -> str:
    return f"{amount:g} {currency}"


# --- lines ---------------------------------------------------------------------------------
def u1(text: str, role: str = "talk") -> Line:
    return Line(speaker="user1", text=text, role=role)


def u2(text: str, role: str = "talk") -> Line:
    return Line(speaker="user2", text=text, role=role)


def snd(sound: str, role: str = "talk") -> Line:
    return Line(speaker="sound", sound=sound, role=role)


# --- drafts and the registry ---------------------------------------------------------------
@dataclass
class Draft:
    """What a template decides for one sample. `scenes.make_scene` turns it into a `Scene`."""

    user1: Person
    lines: list[Line]
    context: Any  # apps.Context
    semantic_cue: str
    tools: list[str]  # the tools this scene is about, offered whatever the label
    user2: Person | None = None
    instruction: str | None = None
    gt_response: str = ""
    gt_tool_calls: list[dict[str, Any]] = field(default_factory=list)
    ambient: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)  # what was drawn (for meta and diversity tests)


@dataclass(frozen=True)
class Action:
    """What the user asks the agent to do when the watched-for thing happens (LTM, ESS)."""

    phrase: str  # the request as spoken, e.g. "add it to my calendar"
    response: str  # R_g, formatted with the slots
    tool: str | None = None
    args: dict[str, str] | None = None  # argument templates, formatted with the slots

    def call(self, slots: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.tool:
            return []
        return [{"name": self.tool, "arguments": {k: v.format(**slots) for k, v in (self.args or {}).items()}}]


Build = Callable[[Draw, bool], Draft]


@dataclass(frozen=True)
class Template:
    name: str
    task: str
    summary: str
    build: Build
    labels: tuple[bool, ...] = (True, False)


REGISTRY: dict[str, Template] = {}


def template(task: str, name: str, summary: str, labels: tuple[bool, ...] = (True, False)):
    """Register a build function as template `name` of `task`."""

    def register(fn: Build) -> Build:
        if name in REGISTRY:
            raise ValueError(f"template {name!r} is registered twice")
        REGISTRY[name] = Template(name=name, task=task, summary=summary, build=fn, labels=labels)
        return fn

    return register


# --- conversation padding ------------------------------------------------------------------
def chatter(d: Draw, n: int, speakers: Sequence[str], topical: Sequence[str] = ()) -> list[Line]:
    """`n` filler lines alternating between `speakers`, drawn from topical lines and small talk."""
    pool = list(topical) + list(d.sample(pools.SMALL_TALK, 4))
    chosen = d.sample(pool, min(n, len(pool)))
    out: list[Line] = []
    for i, text in enumerate(chosen):
        speaker = speakers[i % len(speakers)]
        out.append(Line(speaker=speaker, text=text))
        if d.chance(0.25) and len(speakers) > 1:  # a quick acknowledgement from the other side
            other = speakers[(i + 1) % len(speakers)]
            out.append(Line(speaker=other, text=d.pick(pools.ACKS)))
    return out
