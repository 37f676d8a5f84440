"""Fact checking: does something said contradict the user's digital context?

Two steps, both over typed values:

1. `context.facts_from_context(ctx)` walks the app states (any app, any layout: calendar events,
   notes, messages, orders, bookings, health records...) and keeps every record that has something
   checkable: a date or time, a place, people, an amount, a standing constraint. Each `Fact` carries its anchors: the content words of its title (and,
   for notes and messages, of its text), which an utterance must share to be talking about it.
2. `check(utterance, facts, now)` finds the facts the utterance talks about (rare shared words
   weigh more: 1/number of facts having the word), takes the times, days, parts of day, places,
   amounts and people said in the same clause, and compares them (`ATTRIBUTE_CHECKS`, a table). A
   statement of availability ("I'm free tomorrow morning") is checked against the calendar.

Agreement is silence: a said value that matches ANY fact the utterance may mean is no contradiction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from .context import Fact, facts_from_context
from .diet import EATING, foods_in, forbidden_categories
from .entities import (CODE_NOUNS, HEAD_COUNT_UNITS, PARTY_UNIT, PLACE_NOUNS, UNIT_MINUTES, ClockTime, DayRef, Mention,
                       codes_in, extract, speak_day, speak_time)
from .lexicon import DAY_PARTS, WEEKDAYS
from .text import WORD, Text, analyse, is_content, lemma, tokens

CLAUSE_BREAK = re.compile(r"[,.;!?]| - |\b(?:but|then|after|before|until|once|while|because|since|so)\b")
NEW_SUBJECT = frozenset({"my", "our", "his", "her", "their", "the", "i", "we", "he", "she", "they"})  # "... and my appointment ..."


@dataclass
class Contradiction:
    fact: Fact
    attribute: str  # "day" | "time" | "part" | "place" | "amount" | "quantity" | "person" | "availability"
    said: str
    truth: str
    response: str
    extra: dict[str, Any] = field(default_factory=dict)


# ---- comparing ----------------------------------------------------------------------------------

def _clauses(t: Text) -> list[tuple[int, int]]:
    """Token ranges of the clauses of an utterance."""
    bounds = [0]
    pieces = [p.group(0) for p in re.finditer(WORD + r"|[,.;!?]| - ", t.norm)]
    i = 0
    for k, s in enumerate(pieces):
        before, after = pieces[k - 1] if k else "", pieces[k + 1] if k + 1 < len(pieces) else ""
        if s in ("until", "till") and (before.endswith("n't") or before == "not"):
            i += 1  # "my appointment isn't until twenty to eleven" says when it is
            continue
        if CLAUSE_BREAK.fullmatch(s) or CLAUSE_BREAK.fullmatch(s.strip()) or s == "and" and after in NEW_SUBJECT:
            if s[0].isalnum():
                bounds.append(i)
                i += 1
            else:
                bounds.append(i)
            continue
        i += 1
    bounds.append(i)
    ranges = sorted(set(zip(bounds, bounds[1:])))
    return [(a, b) for a, b in ranges if b > a]


def _sentence_of(t: Text, at: int) -> tuple[int, int]:
    """The token range of the sentence that token `at` is in."""
    bounds, i = [0], 0
    for p in re.finditer(WORD + r"|[.!?]", t.norm):
        if p.group(0) in ".!?":
            bounds.append(i)
        else:
            i += 1
    bounds.append(max(i, at + 1))
    for a, b in zip(bounds, bounds[1:]):
        if a <= at < b:
            return a, b
    return 0, len(t.words)


def _idf(facts: list[Fact]) -> dict[str, float]:
    df: dict[str, int] = {}
    for f in facts:
        for w in f.anchors:
            df[w] = df.get(w, 0) + 1
    return {w: 1.0 / n for w, n in df.items()}


NOT_OWNERS = frozenset({"it's", "that's", "what's", "there's", "here's", "who's", "he's", "she's", "let's", "where's",
                        "how's", "today's", "tomorrow's", "yesterday's", "tonight's", "week's", "year's"})


OWNED_SPAN = 3


def _owned_by_others(t: Text) -> set[int]:
    """Positions of words said as someone else's ("my sister's dentist", "his flight", "Tom's party"):
    the user's records are not about them."""
    out = set()
    for i in range(1, len(t.words)):
        w = t.words[i - 1]
        if w.endswith("'s") and t.words[max(0, i - 3): i - 1][-1:] == ["own"]:
            continue  # "my own resident's permit": a kind of the speaker's own thing
        if w in ("his", "her", "their") or (w.endswith("'s") and w not in NOT_OWNERS):
            j = i
            while j < len(t.words) and j < i + OWNED_SPAN and is_content(t.words[j]):  # the noun phrase owned
                out.add(j)
                j += 1
    return out


# a verb said for the record its noun names
DERIVED_NOUNS = {"fly": "flight", "depart": "departure", "arrive": "arrival", "deliver": "delivery"}


def _place_end(t: Text, end: int, hi: int) -> int:
    """The end of a place's name said on in lower case ("the Lakeside sports club": up to "club")."""
    for k in (1, 2):
        if end + k <= hi and t.words[end + k - 1] in PLACE_NOUNS:
            return end + k
    return end


def _anchored(t: Text, facts: list[Fact], idf: dict[str, float], lo: int, hi: int,
              skip: frozenset[int] = frozenset()) -> list[tuple[float, Fact]]:
    others = _owned_by_others(t) | skip
    words = {t.lemmas[i] for i in range(lo, hi) if is_content(t.words[i]) and i not in others}
    words |= {lemma(t.words[i].removesuffix("'s")) for i in range(lo, hi)  # "the resident's permit": resident
              if t.words[i].endswith("'s") and t.words[i] not in NOT_OWNERS and i not in others}
    # "I fly out on the 20th": the flight (a form of the verb said now or ahead, not "flew")
    words |= {DERIVED_NOUNS[t.lemmas[i]] for i in range(lo, hi) if t.lemmas[i] in DERIVED_NOUNS
              and not t.words[i].endswith("ed") and t.words[i] not in ("flew", "flown")}
    out = []
    for f in facts:
        hit = (words & f.anchors) | {a for a in f.anchors for w in words if len(w) >= 7 and a != w and a.endswith(w)}
        score = sum(idf.get(w, 0.0) for w in hit)  # ("thyroxine" names "Levothyroxine")
        if score >= 0.49 or len(hit) >= 2:  # a word two facts share still narrows it to those two
            out.append((score, f))
    out.sort(key=lambda p: -p[0])
    return out


def _one_named(anchored: list[tuple[float, Fact]]) -> bool:
    """The utterance names one fact: only one shares its words, or one shares far more than the next
    ("my car at the garage for its service": the car service, not the hike from the car park)."""
    return len(anchored) == 1 or (len(anchored) > 1 and anchored[0][0] >= 1.5 and anchored[0][0] >= 3 * anchored[1][0])


def about(utterance: str | Text, facts: list[Fact]) -> list[Fact]:
    """The facts an utterance talks about (shared rare words), best first."""
    t = utterance if isinstance(utterance, Text) else analyse(utterance)
    return [f for _s, f in _anchored(t, facts, _idf(facts), 0, len(t.words))]


def _part_agrees(part: str, fact: Fact) -> bool | None:
    if not (fact.start and fact.has_time):
        return None
    lo, hi = DAY_PARTS[part]
    s = fact.start.hour + fact.start.minute / 60
    e = (fact.end.hour + fact.end.minute / 60) if fact.end and fact.end.date() == fact.start.date() else s
    return (lo - 1) <= s <= hi or (s <= lo and e >= lo)


def _annual(f: Fact, ref: DayRef) -> Fact:
    """A date years before the one said is a birthday or an anniversary: it comes round each year."""
    if f.start and ref.date and f.start.year < ref.date.year - 1 and not f.end:
        try:
            return replace(f, start=f.start.replace(year=ref.date.year))
        except ValueError:  # 29 February
            return f
    return f


def _check_day(m: Mention, f: Fact) -> bool | None:
    ref: DayRef = m.value  # type: ignore[assignment]
    f = _annual(f, ref)
    if ref.until is not None and ref.date is not None:  # a stretch ("the end of May"): agrees if it meets the record
        if f.start:
            return f.start.date() <= ref.until and (f.end or f.start).date() >= ref.date
        dated = [d for d in f.days if d.date]  # (a stretch in the record meets one said: "late June", "end of June")
        return any(d.date <= ref.until and (d.until or d.date) >= ref.date for d in dated) if dated else None
    if f.start:
        if ref.date and f.end and f.start.date() <= ref.date <= f.end.date():
            return True  # a day inside a span ("separate today" in a week-long withdrawal)
        if ref.weekday is not None and ref.text.strip() in WEEKDAYS and ref.date and abs((f.start.date() - ref.date).days) > 6:
            return f.start.weekday() == ref.weekday  # "we drive down on the Saturday" of a trip months away
        return ref.matches(f.start.date()) or bool(f.end and ref.matches(f.end.date()))
    if f.days:
        return any(_dayrefs_agree(ref, d) for d in f.days)
    return None


def _multi_day(f: Fact) -> bool:
    return bool(f.end and not (f.start and f.start.date() == f.end.date()))


def _check_end_day(m: Mention, f: Fact) -> bool | None:
    """A day said as when something ends ("her withdrawal finished on the fifth", "it runs until the
    9th"): the record's end, when it has one."""
    if _multi_day(f):
        return m.value.matches(f.end.date())  # type: ignore[attr-defined]
    return _check_day(m, f)


END_SAID = re.compile(r"\b(?:finish(?:es|ed)?|end(?:s|ed)?|until|till|through|expire[sd]?|runs? out|ran out|over)"
                      r"(?: \w+)?(?: on)?\s*$")


END_VERB = re.compile(r"\b(?:finish(?:es|ed|ing)?|ends?|ended|ending|over|done|wraps?(?: up)?|out|back|home|free|until|till|til)\b")


UNTIL = ("until", "till", "til")
BOUND_WORDS = UNTIL + ("to", "before", "by", "from", "between")  # a clock's own word for which bound it is


def _ends(t: Text, mentions: list[Mention]) -> list[Mention]:
    """Values said as bounds, by the words before them: a day said as an end ("finished on the fifth")
    becomes an `end_day` mention; a clock said as an end ("the lesson finishes at eleven") is marked
    "ending" (compared with the end), one after a negated "until" ("the class isn't until seven")
    "starting" (its start)."""
    out = []
    for m in mentions:
        before = " ".join(t.words[max(0, m.index - 3): m.index])
        bound = m.text.split()[0]
        if m.kind == "day" and END_SAID.search(before):
            m = Mention("end_day", m.value, m.index, m.text, m.negated)
        elif m.kind == "time" and bound in UNTIL and m.index > 0 and \
                (t.words[m.index - 1].endswith("n't") or t.words[m.index - 1] == "not"):
            m = Mention("time", m.value, m.index, "starting " + m.text.split(" ", 1)[1], m.negated)
        elif m.kind == "time" and bound not in BOUND_WORDS and END_VERB.search(before):
            m = Mention("time", m.value, m.index, "ending " + m.text, m.negated)
        out.append(m)
    return out


def _dayrefs_agree(a: DayRef, b: DayRef) -> bool:
    if a.until and a.date and b.date:
        return a.date <= b.date <= a.until
    if a.date and b.date:
        return a.date == b.date
    if a.weekday is not None and b.weekday is not None:
        return a.weekday == b.weekday
    return True


def _check_time(m: Mention, f: Fact) -> bool | None:
    said: ClockTime = m.value  # type: ignore[assignment]
    if f.start and f.has_time:
        # (an evening that ends at midnight or a night shift ends the next day: its end is still a clock of it)
        end = f.end.time() if f.end and f.start < f.end < f.start + dt.timedelta(hours=24) else f.start.time()
        bound = m.text.split()[0]
        if bound in ("before", "by"):  # "that wraps before three": done by then
            return said.within(end, dt.time(23, 59))
        if bound == "starting":  # "isn't until seven": the start
            return said.matches(f.start.time(), 5)
        if said.matches(f.start.time(), 5):
            return True
        as_end = bound in ("until", "till", "til", "to", "ending", "from", "between") or \
            re.search(r"\b(?:to|till|until|til|and)\b|-", m.text) is not None  # (a range's own bounds: "9 am to 11 am")
        if said.matches(end, 5) and (as_end or not (f.end and f.end - f.start >= dt.timedelta(hours=1))):
            return True  # an end said as one ("till eleven", "finishes at eleven"); "my lesson's at eleven" for 9-11 is not
        if not f.times:
            return False
    if f.times:  # a note's clock times, a record's own clocks ("boarding 11:30-13:00")
        return any(said.matches(t.resolved(), 5) or (not t.ampm_known and said.matches(dt.time(t.hour % 12, t.minute), 5))
                   for t in f.times)
    return None


def _check_part(m: Mention, f: Fact) -> bool | None:
    return _part_agrees(str(m.value), f)


PLACE_GENERIC = frozenset({"the", "a", "of", "and", "at", "in", "on", "street", "st", "road", "rd", "avenue", "ave",
                           "lane", "place", "square", "drive", "boulevard", "blvd", "way", "center", "centre",
                           "building", "floor", "room", "office", "downtown", "north", "south", "east", "west"})


def _place_words(s: str) -> set[str]:
    """The words that tell places apart ("King" in "King Street"; not "street")."""
    words = {w for w in tokens(s) if len(w) > 1 and not w.isdigit()}
    distinct = words - PLACE_GENERIC
    return distinct or words - {"the", "a", "of", "and", "at", "in", "on"}


# a record's place that names no place ("Drive to office: 22 min"): nothing said can contradict it
GENERIC_PLACES = frozenset({"office", "work", "home", "school", "gym", "shop", "shops", "town", "the office", "uni",
                            "college", "church", "station", "airport", "hospital", "surgery", "clinic", "library"})


def _check_place(m: Mention, f: Fact) -> bool | None:
    if not f.location or f.location.lower().strip() in GENERIC_PLACES:
        return None
    said = _place_words(str(m.value))
    if said & _place_words(f.location):
        # the same street with another house number is another address ("481 Larkspur Lane" for "418 Larkspur Lane")
        return not _other_number(str(m.value), f.location)
    return bool(said & _place_words(f.title))


def _other_number(said: str, truth: str) -> bool:
    """Both start with a house number, and the numbers differ."""
    a, b = re.match(r"\s*(\d+)[a-z]?\b", said.lower()), re.match(r"\s*(\d+)[a-z]?\b", truth.lower())
    return a is not None and b is not None and a.group(1) != b.group(1)


def _check_amount(m: Mention, f: Fact) -> bool | None:
    if not f.amounts:
        return None
    v = float(m.value)  # type: ignore[arg-type]
    return any(abs(v - a) <= max(0.01 * abs(a), 0.5) for a in f.amounts)


def _unit(unit: str) -> str:
    return PARTY_UNIT if unit in HEAD_COUNT_UNITS else lemma(unit)


def _check_quantity(m: Mention, f: Fact) -> bool | None:
    n, unit = m.value  # type: ignore[misc]
    same = [q for q in f.quantities if _unit(q[1]) == _unit(unit)]
    return None if not same else any(q[0] == n for q in same)


LONGEST_SPAN_MIN = 12 * 60  # an event longer than this is a stay or a trip; its length is not said in hours


def _lengths(f: Fact) -> list[float]:
    """How long a record says its thing lasts, in minutes: a length written in it ("90 minutes"), else an
    event's span from its start to its end on the same day."""
    written = [n * UNIT_MINUTES[u] for n, u in f.quantities if u in UNIT_MINUTES]
    if written:
        return written
    if f.kind == "event" and f.start and f.end and f.has_time:
        span = (f.end - f.start).total_seconds() / 60
        if 0 < span <= LONGEST_SPAN_MIN:
            return [span]
    return []


def _focused(f: Fact, named: set[str]) -> Fact:
    """A message or note about several things, seen through the sentences that name what the talk named:
    "Biscuit is booked for his booster on Thu 12 Mar at 09:40. Pepper's dental is on Thu 19 Mar, drop-off
    14:00" read for "Pepper's dental" gives 19 Mar and 14:00 only (not Biscuit's day and time)."""
    if f.kind != "text" or not named:
        return f
    texts = [x for x in re.split(r"(?<=[.!?])\s+", f.extra_text) if x.strip()]
    sentences = [{lemma(w) for w in tokens(x)} for x in texts]
    # a sentence that names what was named, or names nothing of the record ("From 1 April £1,000." after "Rent
    # £950 until March."); not one that names something else ("Biscuit is booked ...")
    hit = [x for x, words in zip(texts, sentences) if words & named or not words & f.anchors]
    if not any(words & named for words in sentences) or len(hit) == len(sentences):
        return f
    said = extract(" ".join(hit), None)
    low = " ".join(hit).lower()
    return replace(f, days=tuple(d for d in f.days if d.text in low),
                   times=tuple(m.value for m in said if m.kind == "time" and not m.negated),
                   amounts=tuple(m.value for m in said if m.kind == "amount"))  # type: ignore[misc]


def _title_named(t: Text, f: Fact, lo: int, hi: int) -> bool:
    """The record's own name (its title's words, not its place or people) is said in words lo..hi."""
    title = {lemma(w) for w in tokens(f.title) if is_content(w)}
    return any(t.lemmas[i] in title for i in range(lo, min(hi, len(t.lemmas))))


def _check_duration(m: Mention, f: Fact) -> bool | None:
    """"Mika only blocked out an hour" for a 14:00-17:00 session is wrong; "about two and a half hours" for
    2 h 15 is right. A hedged length is allowed twice the slack."""
    lengths = _lengths(f)
    if not lengths:
        return None
    said, hedged = m.value  # type: ignore[misc]
    return any(abs(said - n) <= max(10.0, 0.2 * n) * (2 if hedged else 1) for n in lengths)


def _speak_minutes(n: float) -> str:
    h, mins = divmod(int(round(n)), 60)
    hours = f"{h} hour{'s' if h != 1 else ''}" if h else ""
    return " ".join(x for x in (hours, f"{mins} minutes" if mins else "") if x)


def _truth_duration(f: Fact, now: dt.datetime | None) -> str:
    span = " or ".join(_speak_minutes(n) for n in _lengths(f))
    if f.start and f.end and not any(u in UNIT_MINUTES for _n, u in f.quantities):
        return f"{span}, {speak_time(f.start.time())} to {speak_time(f.end.time())}"
    return span


def _codes_of(f: Fact) -> dict[str, set[str]]:
    return codes_in(" . ".join(x for x in (f.title, f.location or "", f.extra_text) if x))


def _check_code(m: Mention, f: Fact) -> bool | None:
    """"We're parking in Lot E" against "Speaker parking: Lot C"; "gate nine" against "entry: Gate 14"."""
    noun, code = m.value  # type: ignore[misc]
    known = _codes_of(f).get(noun)
    return None if not known else code in known


def _truth_codes(f: Fact, now: dt.datetime | None) -> str:
    return " or ".join(f"{noun} {c.upper()}" for noun, cs in sorted(_codes_of(f).items()) for c in sorted(cs))


def _check_person(m: Mention, f: Fact) -> bool | None:
    if not f.people or f.kind != "event":
        return None  # (people said of a note or a message are not its participants)
    names = [n.strip() for n in re.split(r",| and | & ", str(m.value)) if n.strip()]
    if not f.people:
        return None
    known = [{w.lower().strip(".,") for w in p.split()} for p in f.people]
    return all(any({w.lower() for w in n.split()} & k for k in known) for n in names)


def _truth_day(f: Fact, now: dt.datetime | None) -> str:
    return speak_day(f.start.date(), now) if f.start else ", ".join(d.text for d in f.days)


def _truth_time(f: Fact, now: dt.datetime | None) -> str:
    if f.start and f.has_time:
        text = speak_time(f.start.time())
        if f.end and f.end != f.start and f.end.date() == f.start.date():
            text = f"from {text} to {speak_time(f.end.time())}"
        else:
            text = f"at {text}"
        return text
    return "at " + ", ".join(t.spoken() for t in f.times)


# attribute -> (check: True agree / False contradict / None cannot tell, what the context says)
ATTRIBUTE_CHECKS: dict[str, tuple[Callable[[Mention, Fact], bool | None], Callable[[Fact, Any], str]]] = {
    "day": (_check_day, lambda f, now: "on " + _truth_day(f, now)),
    "end_day": (_check_end_day, lambda f, now: "until " + speak_day(f.end.date(), now) if _multi_day(f)
                else "on " + _truth_day(f, now)),
    "time": (_check_time, _truth_time),
    "part": (_check_part, _truth_time),
    "place": (_check_place, lambda f, now: f"at {f.location}"),
    "amount": (_check_amount, lambda f, now: " or ".join(f"{a:g}" for a in f.amounts)),
    "quantity": (_check_quantity, lambda f, now: " or ".join(f"{n} {u}" for n, u in f.quantities)),
    "duration": (_check_duration, _truth_duration),
    "code": (_check_code, _truth_codes),
    "person": (_check_person, lambda f, now: "with " + ", ".join(f.people)),
}


def _describe(f: Fact) -> str:
    """The app as the user calls it: "Messaging" -> "messages", "HealthRecord" -> "health record"."""
    return {"Calendar": "calendar", "Notes": "notes", "Messaging": "messages", "Messages": "messages"}.get(
        f.source, re.sub(r"(?<=[a-z])(?=[A-Z])|_", " ", f.source).lower())


def _response(c_attr: str, f: Fact, said: str, truth: str, now: dt.datetime | None) -> str:
    said = re.sub(r"^starting ", "at ", re.sub(r"^ending ", "", said))  # (the bounds read from the words before)
    where = _describe(f)
    when = ""
    if (c_attr in ("day", "part", "place") or c_attr == "time" and f.has_time or c_attr == "end_day" and not _multi_day(f)) \
            and f.start:
        when = f"on {_truth_day(f, now)} {_truth_time(f, now)}" if f.has_time else f"on {_truth_day(f, now)}"
        if f.location and c_attr == "place":
            when += f" at {f.location}"
        return f"Actually, according to your {where}, '{f.title}' is {when}, not {said}."
    if c_attr == "duration":
        return f"Actually, according to your {where}, '{f.title}' runs {truth}, not {said}."
    if c_attr == "code":
        return f"Actually, according to your {where}, '{f.title}' says {truth}, not {said}."
    return f"Actually, according to your {where}, '{f.title}' says {truth}, not {said}."


def _where_it_is(t: Text, m: Mention) -> bool:
    """A place said as where something is ("at the library", "in Leeds", "on King Street"), not one
    passed by ("near the station", "from work")."""
    i = m.index - 1
    while i >= 0 and t.words[i] in ("the", "a", "an", "this", "that", "my", "our", "their"):
        i -= 1
    if i >= 0 and (t.words[i] in ("is", "was") or t.words[i].endswith("'s")) and m.text[:1].isdigit():
        return True  # an address said as what a place is ("pickup's 481 Larkspur Lane")
    return i >= 0 and t.words[i] in ("at", "in", "on")


DETERMINERS = ("the", "a", "an", "this", "that", "our", "my", "their", "his", "her")


def _of_a_thing(t: Text, m: Mention) -> bool:
    """A place that says where some other thing is ("the chemist on Station Road", "a cafe in Leeds")."""
    i = m.index - 1
    while i >= 0 and t.words[i] in DETERMINERS:
        i -= 1
    return i >= 2 and t.words[i] in ("at", "in", "on") and is_content(t.words[i - 1]) and t.words[i - 2] in DETERMINERS


NEW_THING = ("the", "a", "an", "this", "that")  # determiners that bring in a thing of its own
VALUE_LINKS = frozenset({"at", "on", "by", "from", "until", "till", "for", "around", "about"})


def _of_another(t: Text, m: Mention, facts: list[Fact]) -> bool:
    """A value said of a thing of its own, named just before it and in no record ("the school groups start
    at ten", "the bus leaves at six"): a clause that names no record is then not about the one named
    elsewhere in the sentence."""
    i = m.index - 1
    while i >= 0 and t.words[i] in VALUE_LINKS:
        i -= 1
    if i < 0 or t.words[i] in DETERMINERS:
        return False
    i -= 1  # the verb ("start", "leaves", "is")
    nouns = []
    while i >= 0 and is_content(t.words[i]) and t.words[i] not in DETERMINERS and len(nouns) < 3:
        nouns.append(i)
        i -= 1
    if not nouns or i < 0 or t.words[i] not in NEW_THING:  # ("her withdrawal": hers, someone named before)
        return False
    anchors = set().union(*(f.anchors for f in facts)) if facts else set()
    return not any(t.lemmas[j] in anchors for j in nouns)


def _said_people(t: Text, mentions: list[Mention]) -> list[Mention]:
    """Names introduced by "with" are people taking part; other names are not compared."""
    out = []
    for m in mentions:
        if m.kind == "name" and m.index > 0 and m.index - 1 < len(t.words) and t.words[m.index - 1] == "with":
            out.append(Mention("person", m.value, m.index, m.text, m.negated))
    return out


NEGATIVE_QUESTION = re.compile(r"^\W*(?:(?:so|but|wait|hang on|hold on|um|uh),? )*(?:isn't|aren't|wasn't|weren't|doesn't|didn't|don't|"
                               r"won't|hasn't|haven't|shouldn't)\b[^?]*\?\s*$", re.IGNORECASE)
# a guess the speaker says they would check: a doubt, not a claim ("I think" alone is still a claim)
UNSURE_DEFERRED = re.compile(r"\b(?:not sure|no idea|can't remember|don't remember|i forget)\b.{0,40}\b(?:check|look it up|"
                             r"have a look|find out|ask)\b|\bdon't quote me\b")
COUNTERFACTUAL = re.compile(r"\b(?:would|could|might|should)(?:n't)? have (?:been|clashed|meant|worked|made|had|missed)\b|"
                            r"\b(?:would|could|might|should)(?:n't)?'ve\b|\bif it (?:had been|were)\b")
ALTERNATIVES_ASKED = re.compile(r"\bor\b[^?.!]*\?\s*$", re.IGNORECASE)  # a question offering a choice ends "... or Y?"
FACT_MIN = 0.84  # e5 retrieval score of the talk for the fact it is about (`semantic.Meaning.relevance`)
FACT_MARGIN = 0.015  # over the next fact
MEANING_KINDS = ("day", "time", "amount", "code")  # the values compared on a pair the meaning found


def fact_text(f: Fact) -> str:
    """What a fact is about, in words (its title and, for notes and messages, its text): the query
    the semantic layer pairs talk with. Embedded once per session (the layer's cache)."""
    return f"{f.title}. {f.extra_text}".strip()[:300] if f.kind == "text" else f.title


def about_by_meaning(talk: str, facts: list[Fact]) -> Fact | None:
    """The one fact the talk is about by meaning ("the school thing" for "Parent-teacher evening"),
    when it clearly stands above the others; None when the layer is off or no fact does."""
    from . import semantic

    m = semantic.meaning()
    if m is None or not facts or len(talk.split()) < 3:
        return None
    scored = sorted(((m.relevance(talk, fact_text(f)), i) for i, f in enumerate(facts)), reverse=True)
    best, runner = scored[0][0], (scored[1][0] if len(scored) > 1 else 0.0)
    return facts[scored[0][1]] if best >= FACT_MIN and best - runner >= FACT_MARGIN else None


def check(utterance: str | Text, facts: list[Fact], now: dt.datetime | None,
          before: str = "", around: str = "") -> Contradiction | None:
    """The first contradiction between what was said and the facts, or None.

    `before`: what was said just before (the question "when's the vet?" that "Thursday, ten-ish"
    answers); `around`: the whole utterance this sentence is part of ("No, nothing with food. Only
    penicillin": the no is qualified by the next sentence). When no fact shares words with the utterance, the fact is chosen by meaning from the
    utterance with that context (`about_by_meaning`), and the said days, times and amounts of the
    utterance alone are compared with it."""
    if not facts:
        return None
    t = utterance if isinstance(utterance, Text) else analyse(utterance)
    every = extract(t, now)
    # "Isn't the dentist on Thursday?": a negative question states a belief, its values are said, not denied
    if UNSURE_DEFERRED.search(t.norm):
        return None  # "might be Thursday, not sure, I'd have to check": no claim to correct
    if COUNTERFACTUAL.search(t.norm):
        return None  # "half seven would have clashed with my yoga": what is not the case
    believed = NEGATIVE_QUESTION.search(t.raw) is not None
    if not believed and ALTERNATIVES_ASKED.search(t.raw):
        every = []  # "Is the ferry Saturday or Sunday?": the values are offered to choose from, not said
    every = [m for m in every if not _retracted(t, m) and not _is_change(t, m) and not _repaired(t, m, every)]
    mentions = [m for m in every if believed or not m.negated]
    coded = {m.index for m in mentions if m.kind == "code"}
    mentions = [m for m in mentions if not (m.kind == "place" and m.index in coded)]  # "in Lot C": a code, not a place
    people = _said_people(t, mentions)
    mentions = _ends(t, [m for m in mentions if m.kind != "name" and (m.kind != "place" or _where_it_is(t, m))]) + people
    for special in (check_availability(t, every, facts, now), check_responsibility(t, facts), check_status(t, facts),
                    check_constraints(t, facts, before, around), check_diet(t, facts), check_assent_to_food(t, before, facts)):
        if special:
            return special
    idf = _idf(facts)
    clauses = _clauses(t)
    anchored_any = _anchored(t, facts, idf, 0, len(t.words))
    agreed: set[str] = set()  # kinds of value already said right of the fact named
    for lo, hi in clauses:
        said = [m for m in mentions if lo <= m.index < hi and m.kind in ATTRIBUTE_CHECKS]
        if not said:
            continue
        said = [m for m in said if not (m.kind == "day" and (ARRIVED.search(" ".join(t.words[lo: m.index]))
                                                             or _coming_elsewhere(t, lo, m, facts)))]
        # the record the clause names apart from the place it says: "The Fenwick skips are at their yard on
        # Station Road" names Fenwick's job, and Station Road (another job's address) is what is said of it
        placed = frozenset(j for m in every if m.kind == "place" and lo <= m.index < hi
                           for j in range(m.index, _place_end(t, m.index + len(tokens(str(m.value))), hi)))
        by_name = _anchored(t, facts, idf, lo, hi, placed) if placed else []
        if not (by_name and by_name[0][1].location):  # (only a record that has a place can be at the wrong one; "lunch
            by_name = []                               # with Mei at Golden Lotus" is Aisha's lunch, not Mei's message)
        cands = by_name or _anchored(t, facts, idf, lo, hi)
        s_lo, s_hi = _sentence_of(t, lo)
        in_sentence = _anchored(t, facts, idf, s_lo, s_hi)
        if not in_sentence and s_lo > 0 and not any(t.lemmas[i] in f.anchors for i in range(s_lo, s_hi) for f in facts):
            # a sentence naming nothing may be about what the one before named ("Thyroxine, yeah. A hundred
            # micrograms."); never about what a later one names
            in_sentence = _anchored(t, facts, idf, _sentence_of(t, s_lo - 1)[0], s_hi)
        c_lo, c_hi, earlier = next(((c_lo, c_hi, named) for c_lo, c_hi in reversed(
            [c for c in clauses if s_lo <= c[0] and c[1] <= lo]) if (named := _anchored(t, facts, idf, c_lo, c_hi))),
            (0, 0, []))
        tied = [x for x in earlier if x[0] >= earlier[0][0] - 1e-9] if earlier else []
        if not cands and len(tied) > 1 and all(_title_named(t, f, c_lo, c_hi) for _s, f in tied):
            # the nearest clause before that names something names two records by their titles ("Mum's is the
            # first one, early next month": Mum, Post Mum's card): the clause is about one of them, not about
            # what a later clause names ("so hers has to go in the post by Friday")
            cands = tied
        if not cands and _one_named(in_sentence) and not _proposal(t.raw):
            # a clause naming nothing is about the one fact the utterance names ("I fly out on the 9th, half past
            # six, to Lisbon"); a kind of value already said right of it is about something else ("the offsite,
            # from nine till five, ... so the earliest I'd make it is half six"); in a question ("Just a trim today,
            # and we'll do the colour next time?") the clauses are proposals, not claims about it
            cands = in_sentence[:1]
            said = [m for m in said if m.kind not in agreed and not _own_act(t, m, lo) and not _of_another(t, m, facts)]
            own = [m for m in every if m.kind == "place" and lo <= m.index < hi and _check_place(m, cands[0][1]) is not True]
            if any(_of_a_thing(t, m) for m in own):
                continue  # "the chemist on Station Road shuts at six": the clause is about the chemist
            if own:
                said = [m for m in said if m.kind == "place"]  # "we're meeting at the Lakeside club": where it is
        if not cands or not said:
            continue
        named_at = [i for i in range(lo, hi) for _s, f in cands if t.lemmas[i] in f.anchors]
        # "I'll leave work at half past two and take the review call on the way": the time is when the speaker
        # acts, said before the record is named
        said = [m for m in said if not (named_at and min(named_at) > m.index and _own_act(t, m, lo))]
        if not DUE_SAID.search(t.norm):
            if any(DUE_KEY.search(f.extra_text) for _s, f in cands):
                # "I'll e-transfer you my share tonight" against a bill due on the 25th: when the speaker pays, not
                # when it is due
                said = [m for m in said if not (m.kind in ("day", "time", "part") and _own_act(t, m, lo))]
            else:
                # "the hotel wants the orders by tomorrow": a deadline for something done before the event, not its day
                said = [m for m in said if not (m.kind in ("day", "time") and m.index > 0 and t.words[m.index - 1] == "by")]
        if not said:
            continue
        top = [f for s, f in cands if s >= cands[0][0] - 1e-9]
        if len(top) > 1 and in_sentence and any(m.kind == "code" for m in said):
            # a tie over a code is broken by the sentence ("parking in Lot E, it's the one for speakers": the
            # speakers' parking, not the delegates'); for days and times the other clause is often about
            # another thing ("Mum's is early next month, so hers has to go in the post by Friday")
            by_sentence = {id(f): sc for sc, f in in_sentence}
            best = max(by_sentence.get(id(f), 0.0) for f in top)
            top = [f for f in top if by_sentence.get(id(f), 0.0) >= best - 1e-9]
        sentence_lemmas = set(t.lemmas[s_lo:s_hi])
        top = [_focused(f, sentence_lemmas & f.anchors) for f in top]
        if any(m.kind == "duration" for m in said) and not any(_title_named(t, f, s_lo, s_hi) for f in top):
            said = [m for m in said if m.kind != "duration"]  # a length is of the thing named, not of its place
        # a value word that is another record's whole name names that record ("forty-two left for the matinee,
        # and the evening's down to nine": the evening performance, not the matinee's part of day)
        said = [m for m in said if not any(g not in top and g.title.strip().lower() == m.text.strip().lower() for g in facts)]
        if not said:
            continue
        found = _compare(said, top, now) or _code_elsewhere(said, top, facts, idf, before, around, now)
        if found:
            return found
        agreed |= {m.kind for m in said}
    if anchored_any or any(t.lemmas[i] in f.anchors for i in _owned_by_others(t) for f in facts):
        return None  # a fact named, or someone else's thing named: the meaning does not pair another
    said = [m for m in mentions if m.kind in MEANING_KINDS and not _own_act(t, m, 0)]
    if SELF_PLAN.search(t.norm):
        return None  # "I'll send the invite tonight": when the speaker will act, not when a recorded thing is
    if "?" in before and VALUE_ASKED["amount"].search(before.lower()) and not any(m.kind == "amount" for m in said):
        said = said + _bare_sums(t, every)  # "What do I owe you for the entry?" - "It was sixty-five"
    answer = [m for m in said if VALUE_ASKED[m.kind].search(before.lower())] if "?" in before else []
    asked = about(before, facts) if answer else []
    if len(asked) == 1:
        # the question before named one fact and asked a value of it, this answers ("How do you justify paying
        # for your gym?" - "It's only 25 euros a month"; "Are you ready for your trip?" asks no value)
        return _compare(answer, asked, now)
    fact = about_by_meaning(f"{before} {t.raw}".strip(), facts) if said else None
    return _compare(said, [fact], now) if fact is not None else None


def _bare_sums(t: Text, every: list[Mention]) -> list[Mention]:
    """Plain numbers said in answer to a question about money ("it was sixty-five, so thirty-two fifty each"):
    sums, when nothing else (a time, a day, a count) claims them."""
    taken = {m.index for m in every}
    for i, w in enumerate(t.words):
        after = " ".join(t.words[i + 1: i + 3])
        if re.fullmatch(r"\d+(?:\.\d+)?", w) and i not in taken and i - 1 not in taken and \
                not is_content(after.split(" ")[0] if after else "") and not SHARE_OF.match(after):
            # the sum itself, the first number said ("forty-eight, so twenty-four each": not a share of it)
            return [Mention("amount", float(w), i, w, bool(t.negated[i]) if i < len(t.negated) else False)]
    return []


SHARE_OF = re.compile(r"(?:\d+ )?(?:each|apiece|a head|per (?:person|head)|between)\b")


def _code_elsewhere(said: list[Mention], top: list[Fact], facts: list[Fact], idf: dict[str, float], before: str,
                    around: str, now: dt.datetime | None) -> Contradiction | None:
    """A code the record named cannot check is checked on the record that carries it ("Pick up Mum" has no
    terminal; "Mum's coming into Terminal 5" is checked on her flight, named a sentence before ("straight
    from Dublin"), or on the one record with a terminal)."""
    for m in said:
        if m.kind != "code" or any(_check_code(m, f) is not None for f in top):
            continue
        carriers = [f for f in facts if m.value[0] in _codes_of(f)]  # type: ignore[index]
        talk = analyse(f"{before} {around}")
        named = {id(f) for _s, f in _anchored(talk, carriers, idf, 0, len(talk.words))}
        pick = [f for f in carriers if id(f) in named] or (carriers if len(carriers) == 1 else [])
        if pick:
            return _compare([m], pick, now)
    return None


RETRACTION = re.compile(r"\b(?:was|were) (?:going to|gonna|about to) say|\b(?:nearly|almost) said|\bi'd have said|"
                        r"\bi'd (?:normally|usually) say|\bused to be(?: on| at)?|\b(?:was|were) (?:originally|first)(?: on| at)?|"
                        r"\bmoved from|\binstead of|\brather than|"
                        r"\b(?:keep|kept) (?:saying|writing|thinking)")  # a value taken back, or the old one of a change
RETRACTED_SPAN = 4  # words after the retraction that it covers ("I was going to say Sunday, but no...")


CHANGE_AFTER = frozenset({"more", "less", "extra", "cheaper", "dearer", "higher", "lower", "off"})
CHANGE_BEFORE = ("an extra", "another", "additional", "up by", "down by", "rise of", "increase of", "raise of",
                 "discount of", "by", "plus", "a further")


def _is_change(t: Text, m: Mention) -> bool:
    """An amount said as a change, not a value: "fifty quid more", "an extra £20", "£20 on top", "up by
    5%" (against a record's 1,150 it says nothing)."""
    if m.kind not in ("amount", "quantity"):
        return False
    end = m.index + len(tokens(m.text))
    after, before = t.words[end: end + 2], " ".join(t.words[max(0, m.index - 2): m.index])
    return (bool(after) and after[0] in CHANGE_AFTER) or after == ["on", "top"] or \
        any(before == b or before.endswith(" " + b) for b in CHANGE_BEFORE)


# a thing on its way, said with the day it comes ("they're being delivered to your mum's at ten on Saturday"):
# the day of the delivery, not of the record its place names
COMING = re.compile(r"\b(?:(?:being|be|get|gets|getting) delivered|(?:arriving|turning up|coming) (?:to|at|on|in))\b(?:\s+\S+){0,6}\s*$")
def _coming_elsewhere(t: Text, lo: int, m: Mention, facts: list[Fact]) -> bool:
    """The day said is when a thing no record names is on its way to a place one names ("they're being
    delivered to your mum's on Saturday"); "the blender will be delivered on the 23rd" is the order's day."""
    before = " ".join(t.words[lo: m.index])
    found = COMING.search(before)
    if not found:
        return False
    thing = t.lemmas[lo: lo + len(before[: found.start()].split())]
    return not any(w in f.anchors for w in thing for f in facts)


OWN_ACT = re.compile(r"\b(?:i'll|i will|we'll|we will|i'm going to|i'm gonna|let me|i can)\s+(?:just |then |probably |quickly )?"
                     r"(?!be\b|have\b|need\b|meet\b|see\b)[a-z]+")  # the speaker's own next step
ARRIVED = re.compile(r"\b(?:came|arrived|turned up|landed|got here|was delivered|were delivered|received it|got it)"
                     r"(?: in| through)?(?: on)?\s*$")  # when a thing came, not its record's date


DUE_SAID = re.compile(r"\b(?:due|deadline|expires?|runs? out)\b")  # "I'll pay it on Saturday, that's when it's due"
DUE_KEY = re.compile(r"\b(?:due|deadline)[\w ]*:")  # a record dated by when it is due ("due: 2026-03-25")


def _own_act(t: Text, m: Mention, lo: int) -> bool:
    """A value said of the speaker's own next step ("I'll just pick up the charcoal on Friday") or of
    when something came ("it came on Friday"), in a clause that names no record: not the record's value."""
    before = " ".join(t.words[lo: m.index])
    return bool(OWN_ACT.search(before) or m.kind == "day" and ARRIVED.search(before))


VALUE_ASKED = {  # a question that asks for a value of this kind
    "amount": re.compile(r"\b(?:how much|cost|costs|price|pay|paying|paid|expensive|cheap|afford|justify|worth|fee|charge|owe|"
                         r"owed|split|total|bill|come to|came to)\b"),
    "day": re.compile(r"\b(?:when|what day|which day|what date|how long|until)\b"),
    "time": re.compile(r"\b(?:when|what time|how late|how early|how long)\b"),
    "duration": re.compile(r"\b(?:how long|how many hours|how many minutes|length)\b"),
    "code": re.compile(r"\b(?:which|what|what's the) (?:" + "|".join(sorted(CODE_NOUNS)) + r")\b"),
}
SELF_PLAN = re.compile(r"\b(?:i'll|i will|we'll|we will|i'm going to|i'm gonna|let me) (?:just |then |probably )?"
                       r"(?:send|email|text|message|call|ring|phone|ask|check|do|sort|write|post|forward|book|order|pay|"
                       r"finish|look|get back|reply|print|pack|tidy|clean)\b")


TAG_QUESTION = re.compile(r"\b(?:right|yeah|yes|no|isn't it|is it|aren't they|correct|innit|eh|don't you think|wasn't it|"
                          r"won't it|didn't we|don't we|isn't that)\s*\?\s*$", re.IGNORECASE)


def _proposal(raw: str) -> bool:
    """A question that proposes ("Just a trim today, and we'll do the colour next time?"), not a belief
    checked with a tag ("...that's Thursday at quarter past three, right?")."""
    raw = raw.rstrip()
    return raw.endswith("?") and TAG_QUESTION.search(raw) is None


def corrected(c: Contradiction, later: str, now: dt.datetime | None) -> bool:
    """Does what was said after a wrong value put it right? A value of the same kind that agrees with
    the fact ("the demo is Thursday at ten. Sorry, eleven"; the next voice: "No, it's at eleven")."""
    check_fn = ATTRIBUTE_CHECKS.get(c.attribute, (None, None))[0]
    if check_fn is None:
        return False
    if c.attribute == "time":  # a bare hour put right is a clock ("Sorry, eleven")
        later = BARE_HOUR.sub(lambda m: f"at {m.group(0).lower()}", later)
    for sentence in re.split(r"(?<=[.!?])\s+", later.strip()):
        t = analyse(sentence)
        believed = NEGATIVE_QUESTION.search(t.raw) is not None  # "Isn't it at ten?" says ten
        if any(m.kind == c.attribute and (believed or not m.negated) and check_fn(m, c.fact) is True
               for m in extract(t, now)):
            return True
    return False


BARE_HOUR = re.compile(r"(?<!\bat )(?<!\d)\b(?:(?:half|quarter) (?:past |to )?)?"
                       r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|1[0-2]|[1-9])\b"
                       r"(?:[ -](?:thirty|fifteen|forty-five|o'clock))?"
                       r"(?! (?:days?|weeks?|months?|years?|minutes?|hours?|people|of|pounds?|dollars?|euros?|quid|bucks|percent))",
                       re.IGNORECASE)


def _retracted(t: Text, m: Mention) -> bool:
    """A value said only to be taken back ("I was going to say Sunday, but no, it's the Saturday") or
    the old value of a change ("it used to be on Wednesdays, now it's Thursday", "instead of Friday")."""
    for r in RETRACTION.finditer(t.norm):
        at = len(tokens(t.norm[: r.end()]))
        if at <= m.index < at + RETRACTED_SPAN:
            return True
    return False


REPAIR_WORDS = frozenset({"no", "sorry", "mean", "wait", "rather", "actually", "nope", "scratch"})


def _repaired(t: Text, m: Mention, every: list[Mention]) -> bool:
    """A value put right in the same breath, unpunctuated as speech often is ("it's tuesday no wednesday sorry
    wednesday at seven", "the 12th I mean the 13th"): a repair word right after it, then a value of its kind."""
    end = m.index + max(1, len(tokens(m.text)))
    marks = [i for i in range(end, min(end + 3, len(t.words))) if t.words[i] in REPAIR_WORDS]
    return bool(marks) and any(o is not m and o.kind == m.kind and marks[0] < o.index <= marks[0] + 4 for o in every)


HISTORY_DAYS = 90


def _history(f: Fact, now: dt.datetime | None) -> bool:
    """A record dated months before today ("Allergy: egg", recorded 2019-08-20 00:00): its clock is when it was
    written down, not a time anything said today is about."""
    return f.start is not None and now is not None and (now.date() - f.start.date()).days > HISTORY_DAYS


def _compare(said: list[Mention], candidates: list[Fact], now: dt.datetime | None) -> Contradiction | None:
    """The first said value that no candidate fact agrees with; the correction names the candidate
    that agrees with the most of the other values ("the 24th ... 3pm": the 3 pm session)."""
    def agreements(f: Fact) -> int:
        return sum(1 for m in said if ATTRIBUTE_CHECKS[m.kind][0](m, f))

    for m in said:
        check_fn, truth_fn = ATTRIBUTE_CHECKS[m.kind]
        verdicts = [(check_fn(m, f), f) for f in candidates if not (m.kind in ("time", "part") and _history(f, now))]
        known = [(v, f) for v, f in verdicts if v is not None]
        if not known or any(v for v, _ in known):
            continue
        f = max((f for _v, f in known), key=lambda f: (agreements(f), f.kind == "event"))  # (a record before a note)
        truth = truth_fn(f, now) if m.kind != "code" else \
            " or ".join(f"{m.value[0]} {c.upper()}" for c in sorted(_codes_of(f)[m.value[0]]))
        return Contradiction(f, m.kind, m.text, truth, _response(m.kind, f, m.text, truth, now))
    return None


# ---- availability -------------------------------------------------------------------------------

AVAILABILITY_PATTERNS = (
    r"\b(?:i'm|i am|i'll be|i will be|we're|we are|we'll be|i should be|i'd be|i've been)\s+(?:\w+\s+){0,2}?"
    r"(?:free|available|wide open|not busy|open)\b",
    r"\b(?:i|we|i've|we've) (?:have |got |have got )?(?:nothing|no plans|nothing planned|nothing on)\b",
    r"\b(?:i|we) (?:don't|do not) have (?:anything|any plans|plans)\b",
    r"\bnothing (?:on|planned|scheduled|going on)\b",
    r"\b(?:my|our) (?:calendar|schedule|day|morning|afternoon|evening|weekend) (?:is|looks) (?:\w+ )?(?:clear|open|empty|free)\b",
    r"\bno plans\b",
    r"\b(?:i'm|i am|i'll be|we're|we are|we'll be) (?:all )?yours\b",  # "so Thursday I'm all yours"
    r"\b(?:i'm|i am|i'll be|we're|we are|we'll be) (?:\w+ )?(?:off work|not working|off that day|off all day)\b",
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|the weekend|that day)(?:'s| is) "
    r"(?:\w+ )?(?:free|clear|open|empty)\b",  # "so Saturday is completely free"
)
_NOT_AVAILABILITY = re.compile(r"\b(?:gluten|sugar|dairy|fat|tax|duty|hands|stress|caffeine|alcohol)[- ]free\b|"
                               r"\bfree (?:of charge|trial|shipping|delivery|sample|wifi|parking|food|coffee)\b|"
                               r"\bfeel free\b|\bfor free\b|\bopen (?:the|a|it|up)\b|\bare you free\b|"
                               r"\bif (?:i'm|you're|we're) free\b")


def check_availability(t: Text, mentions: list[Mention], facts: list[Fact], now: dt.datetime | None) -> Contradiction | None:
    """"I'm free tomorrow morning" against the calendar: a timed event then is a contradiction."""
    m = None
    for pat in AVAILABILITY_PATTERNS:
        m = re.search(pat, t.norm)
        if m:
            break
    if m is None or _NOT_AVAILABILITY.search(t.norm) or "not free" in t.norm or "not available" in t.norm:
        return None
    if re.search(r"\?\s*$", t.raw.strip()):
        return None
    days = [x.value for x in mentions if x.kind == "day"]
    if not days and now is None:
        return None
    dates = _dates_of(days, now)
    window = _hours_of(mentions)
    events = [f for f in facts if f.start and f.has_time and f.kind == "event"]
    for f in sorted(events, key=lambda f: f.start):
        if f.start.date() not in dates:
            continue
        s = f.start.hour + f.start.minute / 60
        e = f.end.hour + f.end.minute / 60 if f.end and f.end.date() == f.start.date() else s + 1
        overlap = min(e, window[1]) - max(s, window[0])
        if window[0] <= s < window[1] or overlap >= 0.5 * (window[1] - window[0]):
            said = " ".join(x.text for x in mentions if x.kind in ("day", "part", "time")) or "then"
            when = f"on {_truth_day(f, now)} {_truth_time(f, now)}"
            loc = f" at {f.location}" if f.location else ""
            text = (f"Actually, according to your {_describe(f)}, you have '{f.title}' {when}{loc}, "
                    f"so you might not be free {said}.")
            return Contradiction(f, "availability", said, when, text)
    return None


# ---- a record's state (paid, cancelled, delivered) ------------------------------------------------

# what is said of a thing's state -> the class it claims; a record's status word -> its class
STATUS_SAID = (
    ("unpaid", re.compile(r"\b(?:has ?n't paid|have ?n't paid|not (?:been )?paid|still owes?|unpaid|overdue|outstanding)\b")),
    ("paid", re.compile(r"\b(?:paid(?: up| in full| already)?|has paid|have paid|settled(?: up)?|came through|"
                        r"(?:nothing|anything) (?:else |more |left )?to pay)\b")),
    ("cancelled", re.compile(r"\b(?:cancell?ed|called off|scrapped)\b")),
    ("delivered", re.compile(r"\b(?:(?:was|were|got|been|has been|have been) delivered|arrived|turned up)\b")),
)
STATUS_OF = (  # (a record's status word, its class), first match wins
    (re.compile(r"unpaid|overdue|outstanding|not paid|awaiting payment|due|deposit only|part(?:ly|ially)? paid|balance"), "unpaid"),
    (re.compile(r"\bpaid|settled"), "paid"),
    (re.compile(r"cancel"), "cancelled"),
    (re.compile(r"deliver"), "delivered"),
    (re.compile(r"ship|dispatch|transit|processing|pending|ordered|out for"), "on its way"),
    (re.compile(r"confirm|booked|scheduled|active|open"), "on"),
)
STATUS_CLASH = {"paid": {"unpaid"}, "unpaid": {"paid"}, "cancelled": {"on"}, "delivered": {"on its way"}}


def _status_class(status: str | None) -> str | None:
    return next((c for pat, c in STATUS_OF if status and pat.search(status)), None)


def check_status(t: Text, facts: list[Fact]) -> Contradiction | None:
    """"Harlow and Finch paid up last week" against a ledger row with status "unpaid": a state said of
    the record the clause names, clashing with the state it has."""
    stated = [f for f in facts if _status_class(f.status)]
    if not stated or t.raw.rstrip().endswith("?"):  # "Who's still outstanding?" asks, it does not say
        return None
    idf = _idf(facts)
    for lo, hi in _clauses(t):
        clause = " ".join(t.words[lo:hi])
        claim = next((c for c, pat in STATUS_SAID if pat.search(clause)), None)
        if claim is None or re.search(r"\b(?:not|n't|never|if|whether)\b", clause) and claim != "unpaid":
            continue
        cands = [(sc, f) for sc, f in _anchored(t, facts, idf, lo, hi) if f in stated]
        if not cands or (len(cands) > 1 and cands[1][0] >= cands[0][0]):
            continue
        f = cands[0][1]
        if _status_class(f.status) in STATUS_CLASH.get(claim, ()):
            truth = f"is marked {f.status}"
            return Contradiction(f, "status", claim, truth,
                                 f"Actually, according to your {_describe(f)}, '{f.title}' {truth}, not {claim}.")
    return None


# ---- who brings what ----------------------------------------------------------------------------

_SENDER_BRINGS = re.compile(r"\b(?:i'll|i will|i can|i'm going to|i am going to|i'm|we'll|we will) (?:bring|get|handle|sort|make|"
                            r"buy|take care of|cover|pick up|bake|cook) (?:the |a |an |some |my )?(?P<x>[a-z][a-z ]{1,30}?)\b(?:[,.!?;]|and|if|$)")
_USER_ASKED = re.compile(r"\b(?:can|could) you (?:bring|get|handle|sort|grab|pick up|make|buy|take care of) "
                         r"(?:the |a |an |some )?(?P<x>[a-z][a-z ]{1,30}?)\b(?:[,.!?;]|and|$)")
_SAID_BRINGS = (
    re.compile(r"\bdon't worry about (?:the |a |an |some )?(?P<x>[a-z]+(?: [a-z]+)?)\s*,?\s*(?P<who>[a-z]+) (?:said|says|will|is|has|'s)"),
    re.compile(r"\b(?P<who>[a-z]+) (?:has|'s got|has got|is bringing|will bring|is getting|is handling|is making|"
               r"said (?:they|he|she)'d bring|said (?:they|he|she)'ll bring|is taking care of) (?:the |a |an |some )?"
               r"(?P<x>[a-z]+(?: [a-z]+)??)\b"),
)


def check_responsibility(t: Text, facts: list[Fact]) -> Contradiction | None:
    """"Diego said he'd handle the bread" against Diego's message ("I'll bring the salad, can you
    bring the bread?"): who brings what."""
    for pat in _SAID_BRINGS:
        m = pat.search(t.norm)
        if not m:
            continue
        who, item = m.group("who"), lemma(m.group("x").split()[-1])
        for f in facts:
            if f.kind != "text" or not any(p.split()[0].lower() == who for p in f.people if p):
                continue
            raw = _fact_text(f)
            brings = [b.group("x") for b in _SENDER_BRINGS.finditer(raw)]
            asked = [a.group("x") for a in _USER_ASKED.finditer(raw)]
            if not brings:
                continue
            if any(item in {lemma(w) for w in b.split()} for b in brings):
                return None  # agrees
            name = who.capitalize()
            truth = f"{name} said they'd bring {brings[0]}" + (f" and asked you to bring {asked[0]}" if asked else "")
            return Contradiction(f, "responsibility", m.group(0), truth,
                                 f"Actually, according to your messages, {truth}, not the {m.group('x')}.")
    return None


def _fact_text(f: Fact) -> str:
    return (f.extra_text or f.title).lower()


# ---- standing constraints (allergies, diets) -------------------------------------------------------

_NO_ALLERGY = re.compile(r"\b(?:no|don't have any|do not have any|not) (?:known )?allerg\w*|\bnot allergic to anything\b|"
                         r"\bi can eat (?:anything|everything)\b|\bno dietary restrictions\b|\bnothing i'm allergic to\b|"
                         r"\ballerg\w*\s*\?\s*(?:(?:oh|um|er|well)\s*,?\s*)?(?:no|nope|none|nothing|not a thing|not that i know)\b")
# the answer to "Any allergies?": a plain no
_NO_ANSWER = re.compile(r"^(?:(?:oh|um|er|well|erm)\s*,?\s*)?(?:no|nope|none|nothing|not a thing|not that i know of|not really)\b")
_ALLERGY_ASKED = re.compile(r"\ballerg\w*[^.?!]*\?")


ALLERGY_OWNED = re.compile(r"\b(?:only|except|apart from|just|bar|but|allergic to|allergy to)\s+(?:\w+\s+){0,2}?(?P<x>[a-z]+)|"
                           r"\b(?P<y>[a-z]+),? (?:brings me out|gives me|makes me|sets me off)\b")


def _allergy_owned(t: Text, allergens: str) -> bool:
    """Does the speaker name the recorded allergy as theirs ("Only penicillin, it brings me out in a rash")?"""
    listed = {lemma(w) for w in tokens(allergens) if is_content(w)}
    return any(lemma(m.group("x") or m.group("y")) in listed for m in ALLERGY_OWNED.finditer(t.norm))


def check_constraints(t: Text, facts: list[Fact], before: str = "", around: str = "") -> Contradiction | None:
    """"I don't have any allergies" (or "No, not a thing" to "Any allergies?") against a health record
    that lists some."""
    answered_no = bool(before) and _ALLERGY_ASKED.search(before.lower()) is not None and _NO_ANSWER.search(t.norm) is not None
    if not _NO_ALLERGY.search(t.norm) and not answered_no:
        return None
    for f in facts:
        body = _fact_text(f)
        m = re.search(r"allerg\w*[^a-z]{0,4}(?:to |: ?)?(?P<x>[a-z][a-z ,]{2,40})", body)
        if m and not re.match(r"(?:none|no |nothing)", m.group("x")):
            what = m.group("x").strip(" ,")
            if _allergy_owned(t, what) or (around and _allergy_owned(analyse(around), what)):
                return None  # "No, nothing with food. Only penicillin": the allergy on record, said
            return Contradiction(f, "constraint", "no allergies", f"allergic to {what}",
                                 f"Actually, according to your {_describe(f)}, you're allergic to {what}.")
    return None


# ---- what the user is about to eat against a standing diet or allergy ------------------------------

ASSENT = re.compile(r"^(?:oh |well |um |uh |ah )?(?:sure|yes|yeah|yep|yup|of course|absolutely|definitely|ok|okay|"
                    r"fine|go on|why not|sounds (?:good|great|lovely|perfect)|no problem|happy to|love to|i'd love)\b")


def check_assent_to_food(t: Text, before: str, facts: list[Fact]) -> Contradiction | None:
    """"Can you eat the prawn curry?" - "Sure!": a yes to a food offered in the turn before is eating
    it, checked against a standing diet or allergy like a food named by the user."""
    if not before or not ASSENT.search(t.norm):
        return None
    offered = foods_in(analyse(before), offered=True)  # "Can you eat the prawn curry?" - "Sure!"
    return _diet_against(offered, facts) if offered else None


def check_diet(t: Text, facts: list[Fact]) -> Contradiction | None:
    """"I'll grab a slice of your beef lasagna" against a note "avoid red meat and dairy": about to eat
    what a standing diet or allergy rules out."""
    if not EATING.search(t.norm):
        return None
    eaten = foods_in(t)
    if not eaten:
        return None
    return _diet_against(eaten, facts)


def _diet_against(eaten: list, facts: list[Fact]) -> Contradiction | None:
    """The first food eaten that a fact's diet or allergy rules out."""
    for f in facts:
        rules = forbidden_categories(" ; ".join((f.extra_text, *f.constraints, f.title)))
        for food, cats in eaten:
            hit = [c for c in cats if c in rules]
            if hit:
                said = rules[hit[0]]
                return Contradiction(f, "diet", food, f"avoid {said}",
                                     f"Careful: according to your {_describe(f)}, you should avoid {said} "
                                     f"(the {food}: {hit[0]}).")
    return None


def _dates_of(days: list[DayRef], now: dt.datetime | None) -> set[dt.date]:
    if not days:
        return {now.date()} if now else set()
    out: set[dt.date] = set()
    for d in days:
        if d.date:
            out.add(d.date)
        elif d.weekend and now:
            ahead = (5 - now.weekday()) % 7
            out |= {now.date() + dt.timedelta(days=ahead), now.date() + dt.timedelta(days=ahead + 1)}
        elif d.weekday is not None and now:
            out.add(now.date() + dt.timedelta(days=(d.weekday - now.weekday()) % 7))
    return out


def _hours_of(mentions: list[Mention]) -> tuple[float, float]:
    parts = [m for m in mentions if m.kind == "part"]
    times = [m for m in mentions if m.kind == "time"]
    if parts:
        return DAY_PARTS[str(parts[0].value)]
    if times:
        t: ClockTime = times[0].value  # type: ignore[assignment]
        h = t.resolved().hour + t.minute / 60
        before = times[0].index >= 1
        return (h, 24.0) if before and _after_word(mentions, times[0]) else (h - 0.5, h + 1.0)
    return (7.0, 23.0)


def _after_word(mentions: list[Mention], m: Mention) -> bool:
    return m.text.startswith("after") or m.text.startswith("from")


__all__ = ["Fact", "Contradiction", "facts_from_context", "check", "check_availability", "ATTRIBUTE_CHECKS"]
