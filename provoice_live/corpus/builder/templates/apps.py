"""App states in the style of the official release (OB2 format): the digital context D_c.

`Context` collects items per app and state list and renders
`{app_states: {App: {context, state: {list: [...]}}}, theme, datetime_info}`, the shape the
official `user_states` have. Item makers below use the official field names (`event_id`, `title`,
`start_datetime`...). `add_distractors` pads a context with unrelated items so the one that
matters is not the only one there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from .base import WEEKDAYS, Draw, Person, chatter, stamp, u2
from . import pools
from ..script import Line


def item_id(*parts: Any) -> str:
    return hashlib.blake2s("|".join(map(str, parts)).encode(), digest_size=6).hexdigest()


class Context:
    """The user's app states at `now`."""

    def __init__(self, now: datetime, timezone: str, theme: str = ""):
        self.now = now
        self.timezone = timezone
        self.theme = theme
        self.apps: dict[str, dict[str, Any]] = {}

    def add(self, app: str, key: str, item: dict[str, Any]) -> dict[str, Any]:
        self.apps.setdefault(app, {}).setdefault(key, []).append(item)
        return item

    def put(self, app: str, key: str, value: Any) -> None:
        self.apps.setdefault(app, {})[key] = value

    def shuffle(self, d: Draw) -> None:
        """Shuffle every list so the relevant item is not always first (events stay in time order)."""
        for app, state in self.apps.items():
            for key, value in state.items():
                if isinstance(value, list):
                    if key == "events":
                        value.sort(key=lambda e: e.get("start_datetime", ""))
                    else:
                        d.r.shuffle(value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "app_states": {app: {"context": "", "state": state} for app, state in self.apps.items()},
            "theme": self.theme,
            "datetime_info": {
                "current_datetime": stamp(self.now),
                "day_of_week": WEEKDAYS[self.now.weekday()],
                "user_timezone": self.timezone,
            },
        }


def new_context(d: Draw, now: datetime | None = None, theme: str | None = None) -> Context:
    return Context(now or d.now(), d.pick(pools.TIMEZONES), theme or d.pick(pools.THEMES))


# --- items ---------------------------------------------------------------------------------
def event(ctx: Context, title: str, start: datetime, minutes: int = 60, location: str = "",
          attendees: list[str] | None = None) -> dict[str, Any]:
    return ctx.add("Calendar", "events", {
        "event_id": item_id(title, start), "title": title, "start_datetime": stamp(start),
        "end_datetime": stamp(start + timedelta(minutes=minutes)), "location": location,
        "attendees": attendees or [],
    })


def note(ctx: Context, title: str, content: str, updated: datetime) -> dict[str, Any]:
    return ctx.add("Notes", "notes", {"title": title, "content": content, "last_updated": stamp(updated)})


def messages(ctx: Context, contact: str, turns: list[tuple[str, str]], when: datetime) -> dict[str, Any]:
    """A Messaging conversation: `turns` are (sender, text); timestamps step back from `when`."""
    msgs = [{"sender": sender, "content": text, "timestamp": stamp(when - timedelta(minutes=7 * (len(turns) - i)))}
            for i, (sender, text) in enumerate(turns)]
    return ctx.add("Messaging", "conversations", {
        "conversation_id": item_id(contact, when), "participants": [contact, "Me"], "messages": msgs,
    })


def reminder(ctx: Context, title: str, due: datetime, done: bool = False) -> dict[str, Any]:
    return ctx.add("Reminders", "reminders", {"title": title, "due_datetime": stamp(due), "completed": done})


def order(ctx: Context, item: str, status: str, delivery: datetime, total: float) -> dict[str, Any]:
    return ctx.add("Shopping", "orders", {
        "order_id": item_id(item, delivery).upper()[:8], "item": item, "status": status,
        "delivery_date": delivery.strftime("%Y-%m-%d"), "total": f"{total:.2f}",
    })


def transaction(ctx: Context, payee: str, amount: float, when: datetime, kind: str = "debit") -> dict[str, Any]:
    return ctx.add("Wallet", "transactions", {"payee": payee, "amount": f"{amount:.2f}", "type": kind,
                                              "date": stamp(when)})


# --- distractors ---------------------------------------------------------------------------
_DISTRACTOR_EVENTS = (
    "Team standup", "Yoga class", "Call with {p}", "Dentist check-up", "Book club", "Grocery pickup",
    "Project review", "Lunch with {p}", "Piano lesson", "Car service", "Parent-teacher meeting",
    "Gym session", "Haircut", "Coffee with {p}", "Volunteer shift", "Budget review",
)
_DISTRACTOR_NOTES = (
    ("Packing list", "Charger, passport, sunglasses, rain jacket."),
    ("Gift ideas", "Scarf for mum, board game for {p}, plant for the office."),
    ("Books to read", "The Overstory; Piranesi; a history of the Silk Road."),
    ("Workout plan", "Mon: run 5 km. Wed: strength. Fri: swim 30 minutes."),
    ("Meeting notes", "Agreed to revisit the budget next quarter; {p} owns the slides."),
    ("Wifi password", "Guest network: garden-lantern-42."),
    ("Recipe", "Tomato soup: roast tomatoes and garlic, blend with stock, add basil."),
)
_DISTRACTOR_CHATS = (
    ("Thanks again for yesterday!", "Anytime, it was fun."),
    ("Did you get the photos I sent?", "Yes, they came out great."),
    ("Running five minutes late, sorry.", "No worries, see you soon."),
    ("Can you send me that article?", "Sent it to your email."),
)


def add_distractors(d: Draw, ctx: Context, events: int = 2, notes: int = 1, chats: int = 1,
                    avoid: tuple[str, ...] = ()) -> None:
    """Unrelated items in the same apps, so the context is not a giveaway. `avoid`: title words."""
    for _ in range(events):
        title = d.pick([t for t in _DISTRACTOR_EVENTS if not any(a.lower() in t.lower() for a in avoid)])
        start = d.future(ctx.now, days=(0, 8), hours=(7, 20))
        event(ctx, title.format(p=d.person().first), start, d.pick((30, 45, 60, 90)),
              d.pick(pools.VENUES))
    for _ in range(notes):
        title, content = d.pick(_DISTRACTOR_NOTES)
        note(ctx, title, content.format(p=d.person().first), ctx.now - timedelta(days=d.randint(1, 20)))
    for _ in range(chats):
        p = d.person()
        a, b = d.pick(_DISTRACTOR_CHATS)
        messages(ctx, p.full, [(p.full, a), ("Me", b)], ctx.now - timedelta(days=d.randint(1, 5)))


# --- the common opening of a template ------------------------------------------------------
@dataclass
class Cast:
    """Who is in a scene, its app states and its slots (`u1`, `u2` and the setup's)."""

    ctx: Context
    user1: Person
    user2: Person | None
    slots: dict[str, Any]


def cast(d: Draw, setup: Callable[[Draw, Context, Person], dict[str, Any]], user2_p: float,
         distractors: tuple[tuple[int, int], tuple[int, int], tuple[int, int]] = ((1, 3), (0, 2), (0, 2))) -> Cast:
    """Draw the people (User2 with probability `user2_p`), run the template's setup (it writes the
    app states that matter), pad the context with distractors (event, note and chat count ranges)."""
    ctx = new_context(d)
    user1 = d.person()
    user2 = d.person() if d.chance(user2_p) else None
    slots = {"u1": user1.first, **setup(d, ctx, user1)}
    if user2:
        slots["u2"] = user2.first
    (e0, e1), (n0, n1), (c0, c1) = distractors
    add_distractors(d, ctx, events=d.randint(e0, e1), notes=d.randint(n0, n1), chats=d.randint(c0, c1))
    ctx.shuffle(d)
    return Cast(ctx, user1, user2, slots)


def lead_in(d: Draw, c: Cast, fillers: list[str], leads: tuple[str, ...] = ()) -> list[Line]:
    """Talk before the key line: chatter (and sometimes a User2 line setting it up), or a short
    monologue when User1 is alone."""
    if c.user2:
        lines = chatter(d, d.randint(0, 3), d.pick((["user2", "user1"], ["user1", "user2"])), fillers)
        if leads and d.chance(0.6):
            lines.append(u2(d.say(leads, **c.slots)))
        return lines
    return chatter(d, d.randint(1, 2), ["user1"], fillers)

