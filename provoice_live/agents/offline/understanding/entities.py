"""Entities in what was said and in the digital context: times, days, amounts, places, names.

`extract(text, now)` reads an utterance (through `text.analyse`, so "three thirty pm" is 15:30 and
"the twenty fourth" a day of the month) and returns `Mention`s with their token position.
`parse_datetime` reads the context's "2024-05-24 10:00" stamps. Resolving "next Tuesday",
"tomorrow", "this weekend" needs `now`, the context's `datetime_info.current_datetime`.

A time said without am/pm keeps `ampm_known=False` and matches both readings, unless a part of
the day said nearby ("in the evening", "tonight", "morning") settles it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .lexicon import DAY_PARTS, MONTH_ABBREVIATIONS, MONTHS, RELATIVE_DAYS, WEEKDAY_ABBREVIATIONS, WEEKDAYS
from .text import WORD, TENS, UNITS, Text, analyse, normalise, tokens, words_to_digits


@dataclass(frozen=True)
class ClockTime:
    hour: int  # 0-23 when ampm_known, else 1-12 (or 0)
    minute: int = 0
    ampm_known: bool = False

    def matches(self, t: dt.time, slack_min: int = 0) -> bool:
        candidates = [self.hour] if self.ampm_known else sorted({self.hour % 12, self.hour % 12 + 12})
        for h in candidates:
            diff = abs((h * 60 + self.minute) - (t.hour * 60 + t.minute))
            if diff <= slack_min:
                return True
        return False

    def within(self, start: dt.time, end: dt.time) -> bool:
        candidates = [self.hour] if self.ampm_known else sorted({self.hour % 12, self.hour % 12 + 12})
        s, e = start.hour * 60 + start.minute, end.hour * 60 + end.minute
        return any(s <= h * 60 + self.minute <= e for h in candidates)

    def resolved(self) -> dt.time:
        """The likelier reading: pm for 1-6 said bare (people say "at 3" for 15:00)."""
        h = self.hour
        if not self.ampm_known and 1 <= h <= 6:
            h += 12
        return dt.time(h % 24, self.minute)

    def spoken(self) -> str:
        return speak_time(self.resolved()) if not self.ampm_known else speak_time(dt.time(self.hour % 24, self.minute))


@dataclass(frozen=True)
class DayRef:
    """A day as said: a weekday, a relative day or a calendar date (resolved against `now` if known)."""

    text: str
    date: dt.date | None = None
    weekday: int | None = None  # 0 = Monday
    weekend: bool = False
    until: dt.date | None = None  # a span said vaguely ("the end of May", "early next week"): date..until

    def matches(self, day: dt.date) -> bool:
        if self.until is not None and self.date is not None:
            return self.date <= day <= self.until
        if self.date is not None:
            return self.date == day
        if self.weekend:
            return day.weekday() >= 5
        if self.weekday is not None:
            return day.weekday() == self.weekday
        return True


@dataclass(frozen=True)
class Mention:
    kind: str  # "time" | "day" | "part" | "amount" | "quantity" | "duration" | "code" | "place" | "name"
    value: object
    index: int  # token position in the utterance (for clause alignment)
    text: str
    negated: bool = False


# ---- helpers ------------------------------------------------------------------------------------

def parse_datetime(value: object) -> dt.datetime | None:
    """The context's stamps: "2024-05-24 10:00", "2024-05-24T10:00:00", "2024-05-24"."""
    if not isinstance(value, str):
        return None
    s = value.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(s[: len(dt.datetime(2000, 1, 1).strftime(fmt))], fmt)
        except ValueError:
            continue
    return None


def now_from_context(ctx: dict | None) -> dt.datetime | None:
    info = (ctx or {}).get("datetime_info") or {}
    return parse_datetime(info.get("current_datetime"))


def speak_time(t: dt.time) -> str:
    if t.hour == 12 and t.minute == 0:
        return "noon"
    h = t.hour % 12 or 12
    suffix = "AM" if t.hour < 12 else "PM"
    return f"{h}:{t.minute:02d} {suffix}" if t.minute else f"{h} {suffix}"


def speak_day(d: dt.date, now: dt.datetime | None = None) -> str:
    label = f"{WEEKDAYS[d.weekday()].capitalize()}, {MONTHS[d.month - 1].capitalize()} {d.day}"
    if now is not None:
        delta = (d - now.date()).days
        if delta == 0:
            return f"today ({label})"
        if delta == 1:
            return f"tomorrow ({label})"
    return label


# ---- patterns (on the normalised text: lower case, digits, "pm") --------------------------------

_TIME_CTX = r"(?:at|around|by|until|till|til|before|after|from|to|about|between|starts?|ends?|begins?|@)"
_UNIT_AFTER = re.compile(r"^\s*(?:(?:and )?(?:a )?(?:half|quarter) (?:an? )?(?:hours?|minutes?|mins?|days?|weeks?)|"
                         r"%|percent|people|persons|guests|minutes?|mins?|hours?|days?|weeks?|months?|years?|"
                         r"dollars?|bucks|euros?|pounds?|kg|km|miles?|times|tickets?|nights?|seats?|items?|pieces?|"
                         r"of|degrees|points?|st|nd|rd|th|x|\$|k\b)")
_H = r"(\d{1,2})(?:[:.](\d{2}))? ?(am|pm)?"
RANGE_PATTERN = re.compile(rf"\b(?:(?:from|between) {_H} (?:to|till|til|until|and|-) {_H}|"
                           rf"(\d{{1,2}})(?:[:.](\d{{2}}))? ?(am|pm)? ?(?:to|till|until|-) ?(\d{{1,2}})(?:[:.](\d{{2}}))? ?(am|pm))\b")
# "9 till 11" with neither am/pm nor "from": a range unless it reads as minutes to the hour ("ten to eleven")
BARE_RANGE = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))? (?:to|till|til|until|-) (\d{1,2})(?:[:.](\d{2}))?\b"
                        r"(?! ?(?:am|pm|minutes?|mins?|hours?|days?|weeks?|people|persons|guests|percent|%|years?|times))")
MINUTES_TO = frozenset({5, 10, 20, 25})
TIME_PATTERNS: tuple[tuple[str, str], ...] = (
    ("half_h", r"\bhalf (\d{1,2})\b(?! (?:hours?|minutes?|an?|past|dozen|way|price|marathon)\b)"),
    ("hm_ampm", r"\b(\d{1,2})[:.](\d{2}) ?(am|pm)\b"),
    ("h_ampm", r"\b(\d{1,2}) ?(am|pm)\b"),
    ("h_m_ampm", r"\b(\d{1,2}) (\d{2}) ?(am|pm)\b"),
    ("hm", r"\b(\d{1,2}):(\d{2})\b"),
    ("oclock", r"\b(\d{1,2}) ?o'?clock\b"),
    ("half_past", r"\bhalf past (\d{1,2})\b"),
    ("quarter_past", r"\bquarter past (\d{1,2})\b"),
    ("quarter_to", r"\bquarter (?:to|till|of) (\d{1,2})\b"),
    ("min_past", r"\b(\d{1,2}) (?:minutes )?past (\d{1,2})\b"),
    ("min_to", r"\b(\d{1,2}) (?:minutes )?(?:to|till) (\d{1,2})\b(?! (?:minutes|hours|days|people))"),
    ("noon", r"\b(noon|midday|midnight)\b"),
    ("ctx_h_m", rf"\b{_TIME_CTX} (\d{{1,2}}) (\d{{2}})\b"),
    ("ctx_hdotm", rf"\b{_TIME_CTX} (\d{{1,2}})\.(\d{{2}})\b"),
    ("ctx_h", rf"\b{_TIME_CTX} (\d{{1,2}})\b"),
)
PART_PATTERN = re.compile(r"\b(morning|afternoon|evening|tonight|night|lunchtime|lunch ?time)\b")
CURRENCY_NAMES = r"dollars?|bucks|euros?|pounds|quid|usd|eur|gbp|yuan|rmb|yen|rupees?|zloty|zlotys|francs?|" \
                 r"kronor|kroner|krona|pesos?|reais|baht|rand|lira|won|ringgit|dirhams?"
AMOUNT_PATTERNS = (
    # "64 pounds 20", "12 dollars and 50 cents": units and hundredths
    re.compile(r"\b(\d+) (?:pounds|quid|dollars?|euros?|bucks) (?:and )?(\d{1,2})\b(?: (?:cents?|pence|p)\b)?(?! ?(?:am|pm|minutes?|hours?|people|of|percent|%))"),
    re.compile(r"(?:\$|usd ?|£|€|eur ?)\s?(\d+(?:\.\d+)?)(?: ?(k|thousand|million))?"),
    re.compile(rf"\b(\d+(?:\.\d+)?)(?: ?(k|thousand|million))? ?(?:{CURRENCY_NAMES})\b"),
)
PERCENT_PATTERN = re.compile(r"\b(\d+(?:\.\d+)?) ?(?:%|percent)")
QUANTITY_PATTERN = re.compile(r"\b(?:for |of )?(\d+) (people|persons|guests|tickets|nights|seats|rooms|kids|adults|"
                              r"days|weeks|boxes|bags|items|pieces|kg|kilos|miles|km|laps|pages)\b")  # (hours: `durations`)
# how many people a booking is for, said without the word "people" ("a table for eight", "a party of six",
# "there'll be nine of us"); its unit is "people", as the count fields of a record ("guests": 12)
PARTY_PATTERN = re.compile(r"\b(?:(?:a )?table for|party of|group of) (\d+)\b(?! ?(?:o'clock|am|pm|:|\.\d))|"
                           r"\b(\d+) of us\b")
PARTY_UNIT = "people"
HEAD_COUNT_UNITS = frozenset({"people", "person", "persons", "guest", "guests"})  # a head count, however it is said
FREQUENCY_PATTERN = re.compile(r"\b(once|twice|thrice|\d+ times?|one time) (?:a|per|every|each) (day|week|month|night|morning)\b")
_FREQ_WORDS = {"once": 1, "one time": 1, "twice": 2, "thrice": 3}
_SCALE = {"k": 1000, "thousand": 1000, "million": 1_000_000, None: 1, "": 1}


# an ordinal that counts something other than days ("on the third floor", "from the 2nd row", "by the 4th lap")
ORDINAL_OF_A_THING = re.compile(r"\s*(?:\w+ )?(?:floor|storey|story|row|round|lap|place|level|gear|grade|year|stage|"
                                r"attempt|try|go|time|page|chapter|tee|hole|pitch|court|platform|gate|door|house|"
                                r"street|avenue|exit|turning|turn|left|right|generation|edition|anniversary|birthday)s?\b")


def _token_index(t: Text, char_pos: int) -> int:
    return len(re.findall(WORD, t.norm[:char_pos]))


def _neg(t: Text, idx: int) -> bool:
    return 0 <= idx < len(t.negated) and t.negated[idx]


def _clock(h: str, m: str | None, ap: str | None) -> ClockTime | None:
    hour, minute = int(h), int(m or 0)
    if not (0 <= hour <= 23 and 0 <= minute < 60) or (ap and hour > 12):
        return None
    if ap:
        return ClockTime(hour % 12 + (12 if ap == "pm" else 0), minute, True)
    return ClockTime(hour, minute, hour > 12 or hour == 0)


def _ranges(t: Text) -> tuple[list[Mention], list[tuple[int, int]]]:
    """"from 9 to 11", "9 am to 11 am", "between 2 and 4 pm", "9-11am": a start and an end. A side
    without am/pm takes the other's (the end's am/pm for the start when the start comes earlier that way)."""
    out: list[Mention] = []
    spans: list[tuple[int, int]] = []
    for m in RANGE_PATTERN.finditer(t.norm):
        g = m.groups()
        a, b = (g[0:3], g[3:6]) if g[0] is not None else (g[6:9], g[9:12])
        start, end = _clock(*a), _clock(*b)
        if start is None or end is None:
            continue
        if not start.ampm_known and end.ampm_known:
            pm = end.hour >= 12
            h = start.hour % 12 + (12 if pm else 0)
            start = ClockTime(h if h * 60 + start.minute <= end.hour * 60 + end.minute else start.hour % 12, start.minute, True)
        elif start.ampm_known and not end.ampm_known:
            h = end.hour % 12 + 12 if start.hour >= 12 or end.hour % 12 < start.hour % 12 else end.hour % 12
            end = ClockTime(h % 24, end.minute, True)
        idx = _token_index(t, m.start())
        end_idx = _token_index(t, m.start(4) if g[0] is not None else m.start(10))
        out.append(Mention("time", start, idx, m.group(0), _neg(t, idx + 1)))
        out.append(Mention("time", end, end_idx, m.group(0), _neg(t, idx + 1)))
        spans.append((m.start(), m.end()))
    for m in BARE_RANGE.finditer(t.norm):
        if any(a < m.end() and m.start() < b for a, b in spans):
            continue
        a, b = int(m.group(1)), int(m.group(3))
        # "ten till one" is ten to one, but not said of a morning ("Tuesday morning, ten till one": 10 to 1)
        morning_span = b < a and b <= 4 and re.search(r"\bmorning\W+(?:\w+\W+){0,2}$", t.norm[: m.start()]) is not None
        if (a in MINUTES_TO and m.group(2) is None and not morning_span) or not (1 <= a <= 23 and 1 <= b <= 23) or a == b:
            continue
        if not re.search(rf"{_TIME_CTX}\s*$|\b(?:is|it's|runs?|open|'s)\s*$|,\s*$", t.norm[: m.start()]) and m.start() > 0:
            continue  # "3 to 4 people", "2 to 1 score": only where a time may stand
        start, end = _clock(m.group(1), m.group(2), None), _clock(m.group(3), m.group(4), None)
        if start is None or end is None:
            continue
        if morning_span:
            end = ClockTime(end.hour + 12, end.minute, True)  # a morning's span ends after noon
        idx = _token_index(t, m.start())
        out.append(Mention("time", start, idx, m.group(0), _neg(t, idx)))
        out.append(Mention("time", end, _token_index(t, m.start(3)), m.group(0), _neg(t, idx)))
        spans.append((m.start(), m.end()))
    return out, spans


def _times(t: Text) -> list[Mention]:
    out, taken = _ranges(t)
    for kind, pat in TIME_PATTERNS:
        for m in re.finditer(pat, t.norm):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            value = _time_value(kind, m)
            if value is None:
                continue
            if kind.startswith("ctx_") and _UNIT_AFTER.match(t.norm[m.end():]):
                continue
            taken.append((m.start(), m.end()))
            idx = _token_index(t, m.start())
            out.append(Mention("time", value, idx, m.group(0), _neg(t, idx + (1 if kind.startswith("ctx") else 0))))
    return out


def _time_value(kind: str, m: re.Match) -> ClockTime | None:
    g = m.groups()
    if kind in ("hm_ampm", "h_m_ampm"):
        h, mi, ap = int(g[0]), int(g[1]), g[2]
    elif kind == "h_ampm":
        h, mi, ap = int(g[0]), 0, g[1]
    elif kind == "hm":
        h, mi = int(g[0]), int(g[1])
        return ClockTime(h, mi, h > 12 or h == 0) if h < 24 and mi < 60 else None
    elif kind == "oclock":
        h, mi, ap = int(g[0]), 0, None
    elif kind in ("half_past", "half_h"):
        h, mi, ap = int(g[0]), 30, None
    elif kind == "quarter_past":
        h, mi, ap = int(g[0]), 15, None
    elif kind == "quarter_to":
        h, mi, ap = (int(g[0]) - 1) % 12 or 12, 45, None
    elif kind == "min_past":
        h, mi, ap = int(g[1]), int(g[0]), None
    elif kind == "min_to":
        h, mi, ap = (int(g[1]) - 1) % 12 or 12, 60 - int(g[0]), None
        if not 0 < int(g[0]) < 60:
            return None
    elif kind == "noon":
        return ClockTime(0 if g[0] == "midnight" else 12, 0, True)
    elif kind in ("ctx_h_m", "ctx_hdotm"):
        h, mi, ap = int(g[0]), int(g[1]), None
    else:  # ctx_h
        h, mi, ap = int(g[0]), 0, None
    if not (0 <= mi < 60) or not (0 <= h <= 23):
        return None
    if ap:
        if h > 12:
            return None
        return ClockTime(h % 12 + (12 if ap == "pm" else 0), mi, True)
    if h > 12 or h == 0:
        return ClockTime(h, mi, True)
    return ClockTime(h, mi, False)


def _settle_ampm(times: list[Mention], parts: list[Mention]) -> list[Mention]:
    """"7 in the evening", "tonight at 8": a part of the day said in the same breath sets am/pm."""
    out = []
    for m in times:
        v: ClockTime = m.value  # type: ignore[assignment]
        near = [p for p in parts if abs(p.index - m.index) <= 6]
        if not v.ampm_known and near:
            lo, hi = DAY_PARTS[near[0].value]  # type: ignore[index]
            h = v.hour % 12
            h = h + 12 if hi > 12.5 and h + 12 < 24 and not (lo <= h < hi) else h
            v = ClockTime(h, v.minute, True)
            m = Mention("time", v, m.index, m.text, m.negated)
        out.append(m)
    return out


def _days(t: Text, now: dt.datetime | None) -> list[Mention]:
    out: list[Mention] = []
    today = now.date() if now else None
    norm = t.norm
    for m in re.finditer(r"\b(?:the )?day after tomorrow\b", norm):
        idx = _token_index(t, m.start())
        out.append(Mention("day", DayRef(m.group(0), today + dt.timedelta(days=2) if today else None), idx,
                           m.group(0), _neg(t, idx)))
    for word, delta in RELATIVE_DAYS.items():
        for m in re.finditer(rf"\b{word}\b", norm):
            if word == "tomorrow" and re.search(r"after\s*$", norm[: m.start()]):
                continue
            idx = _token_index(t, m.start())
            out.append(Mention("day", DayRef(word, today + dt.timedelta(days=delta) if today else None), idx,
                               word, _neg(t, idx)))
    for m in re.finditer(r"\b(this|next|last|on|coming)?\s?(?:the )?(weekend)\b", norm):
        idx = _token_index(t, m.start(2))
        out.append(Mention("day", DayRef(m.group(0).strip(), weekend=True), idx, m.group(0).strip(), _neg(t, idx)))
    dated_weekdays = set()
    for m in re.finditer(r"\b(" + "|".join(WEEKDAYS) + r") (?:the )?(\d{1,2})(?:st|nd|rd|th)\b(?! (?:of )?(?:"
                         + "|".join(MONTHS + tuple(MONTH_ABBREVIATIONS)) + r")\b)", norm):
        # "Thursday the tenth": the tenth that is a Thursday (of the coming months)
        wd, day = WEEKDAYS.index(m.group(1)), int(m.group(2))
        found = _weekday_date(wd, day, today)
        if found is not None:
            idx = _token_index(t, m.start())
            dated_weekdays.add(idx)
            out.append(Mention("day", DayRef(m.group(0), found, wd), idx, m.group(0), _neg(t, idx)))
    for m in re.finditer(r"\b(?:(this|next|last|coming) )?(" + "|".join(WEEKDAYS + tuple(WEEKDAY_ABBREVIATIONS))
                         + r")s?\b\.?", norm):
        if _token_index(t, m.start(2)) in dated_weekdays:
            continue
        wd = WEEKDAYS.index(m.group(2)) if m.group(2) in WEEKDAYS else WEEKDAY_ABBREVIATIONS[m.group(2)]
        idx = _token_index(t, m.start(2))
        out.append(Mention("day", DayRef(m.group(0), _resolve_weekday(wd, m.group(1), today), wd), idx,
                           m.group(0), _neg(t, idx)))
    month_re = "|".join(MONTHS + tuple(MONTH_ABBREVIATIONS))
    for m in re.finditer(rf"\b({month_re})\.? (?:the )?(\d{{1,2}})(?:st|nd|rd|th)?\b", norm):
        out.append(_date_mention(t, m, _month_number(m.group(1)), int(m.group(2)), today))
    for m in re.finditer(rf"\b(?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({month_re})\b", norm):
        out.append(_date_mention(t, m, _month_number(m.group(2)), int(m.group(1)), today))
    for m in re.finditer(r"\b(?:on|by|until|till|before|after|from|since) the (\d{1,2})(?:st|nd|rd|th)\b|"
                         r"\bthe (\d{1,2})(?:st|nd|rd|th) of\b", norm):
        if re.match(rf"\s*(?:of )?(?:{month_re})\b", norm[m.end():]) or ORDINAL_OF_A_THING.match(norm[m.end():]):
            continue  # (the month's own pattern takes it) ("on the third floor": a floor, not a day)
        day = int(m.group(1) or m.group(2))
        if today is not None and 1 <= day <= 31:
            out.append(_date_mention(t, m, today.month if day >= today.day else today.month % 12 + 1, day, today))
    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", norm):
        try:
            d = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        idx = _token_index(t, m.start())
        out.append(Mention("day", DayRef(m.group(0), d, d.weekday()), idx, m.group(0), _neg(t, idx)))
    out = [m for m in out if m is not None] + _spans(t, today)
    # "Saturday, October 26": one day, the date's (the weekday alone would be the coming Saturday)
    dated = {m.index for m in out if any(c.isdigit() for c in m.text)}
    return [m for m in out if not (m.value.weekday is not None and not any(c.isdigit() for c in m.text)
                                   and {m.index + 1, m.index + 2} & dated)]


_PART_OF_MONTH = {"beginning": (1, 10), "start": (1, 10), "early": (1, 10), "middle": (10, 20), "mid": (10, 20),
                  "end": (21, 31), "late": (20, 31)}
_SPAN_OF_MONTH = re.compile(r"\b(?:(?:the )?(?P<part>beginning|start|middle|end) of (?:the )?|(?P<adj>early|mid|late)[- ]?)"
                            r"(?P<what>next month|this month|year|next year|this year|"
                            + "|".join(MONTHS) + r")\b")
_SPAN_OF_WEEK = re.compile(r"\b(?:(?P<adj>early|late) (?P<which>next|this) week|(?:the )?(?P<part>end|start|beginning) of "
                           r"(?:the |this )?(?P<which2>next )?week)\b")


def _month_end(year: int, month: int) -> int:
    return ((dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)).day


def _spans(t: Text, today: dt.date | None) -> list[Mention]:
    """Days said as a stretch ("the end of May" = 21-31 May, "mid-June", "early next week" = Monday to
    Wednesday, "the end of the year" = December), resolved against `today` (none without it)."""
    if today is None:
        return []
    out = []
    for m in _SPAN_OF_MONTH.finditer(t.norm):
        part = m.group("part") or m.group("adj")
        lo_day, hi_day = _PART_OF_MONTH[part]
        what = m.group("what")
        if what.endswith("year"):
            year = today.year + ("next" in what)
            months = {"beginning": (1, 1), "start": (1, 1), "early": (1, 3), "middle": (6, 7), "mid": (6, 7),
                      "end": (12, 12), "late": (10, 12)}[part]
            lo, hi = dt.date(year, months[0], 1), dt.date(year, months[1], _month_end(year, months[1]))
        else:
            if what in MONTHS:
                month, year = MONTHS.index(what) + 1, today.year
                if (dt.date(year, month, 1) - today).days < -180:
                    year += 1
            else:
                month, year = today.month + ("next" in what), today.year
                if month > 12:
                    month, year = 1, year + 1
            last = _month_end(year, month)
            lo, hi = dt.date(year, month, lo_day), dt.date(year, month, min(hi_day, last) if hi_day < 31 else last)
        idx = _token_index(t, m.start())
        out.append(Mention("day", DayRef(m.group(0), lo, None, False, hi), idx, m.group(0), _neg(t, idx)))
    for m in _SPAN_OF_WEEK.finditer(t.norm):
        nxt = (m.group("which") or m.group("which2") or "").strip() == "next"
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 * nxt)
        early = (m.group("adj") == "early") or m.group("part") in ("start", "beginning")
        lo, hi = (monday, monday + dt.timedelta(days=2)) if early else (monday + dt.timedelta(days=3),
                                                                       monday + dt.timedelta(days=6))
        idx = _token_index(t, m.start())
        out.append(Mention("day", DayRef(m.group(0), lo, None, False, hi), idx, m.group(0), _neg(t, idx)))
    return out


def _weekday_date(wd: int, day: int, today: dt.date | None) -> dt.date | None:
    """The first date from a week ago on whose day of the month is `day` and weekday `wd`."""
    if today is None or not 1 <= day <= 31:
        return None
    y, mo = (today - dt.timedelta(days=7)).year, (today - dt.timedelta(days=7)).month
    for _ in range(14):
        try:
            d = dt.date(y, mo, day)
        except ValueError:
            d = None
        if d is not None and d >= today - dt.timedelta(days=7) and d.weekday() == wd:
            return d
        y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
    return None


def _month_number(word: str) -> int:
    return MONTHS.index(word) + 1 if word in MONTHS else MONTH_ABBREVIATIONS[word]


def _date_mention(t: Text, m: re.Match, month: int, day: int, today: dt.date | None) -> Mention | None:
    year = today.year if today else 2000
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None
    if today is not None and (d - today).days < -180:  # "January 5" said in December: next year
        d = d.replace(year=year + 1)
    idx = _token_index(t, m.start())
    return Mention("day", DayRef(m.group(0), d if today else None, d.weekday() if today else None), idx,
                   m.group(0), _neg(t, idx))


def _resolve_weekday(wd: int, qualifier: str | None, today: dt.date | None) -> dt.date | None:
    """The date a weekday names: the coming one ("Friday", "this Friday", "next Friday"), "last" the past one.

    "next Friday" is ambiguous between the coming one and the one after; comparisons use the weekday,
    so only the weekday is relied on (see `DayRef.matches`)."""
    if today is None:
        return None
    ahead = (wd - today.weekday()) % 7
    if qualifier == "last":
        return today - dt.timedelta(days=(today.weekday() - wd) % 7 or 7)
    if qualifier == "next" and ahead == 0:
        ahead = 7
    return today + dt.timedelta(days=ahead)


def _parts(t: Text) -> list[Mention]:
    out = []
    for m in PART_PATTERN.finditer(t.norm):
        word = m.group(1).replace(" ", "")
        idx = _token_index(t, m.start())
        out.append(Mention("part", "lunchtime" if word == "lunchtime" else word, idx, m.group(0), _neg(t, idx)))
    return out


def _amounts(t: Text) -> list[Mention]:
    out = []
    spans: list[tuple[int, int]] = []
    for n, pat in enumerate(AMOUNT_PATTERNS):
        for m in pat.finditer(t.norm):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            spans.append((m.start(), m.end()))
            if n == 0:
                value = int(m.group(1)) + int(m.group(2)) / 100
            else:
                value = float(m.group(1)) * _SCALE[m.group(2)]
            idx = _token_index(t, m.start())
            if not any(o.index == idx for o in out):
                out.append(Mention("amount", value, idx, m.group(0), _neg(t, idx)))
    for m in PERCENT_PATTERN.finditer(t.norm):
        idx = _token_index(t, m.start())
        out.append(Mention("percent", float(m.group(1)), idx, m.group(0), _neg(t, idx)))
    for m in FREQUENCY_PATTERN.finditer(t.norm):
        n = _FREQ_WORDS.get(m.group(1)) or int(m.group(1).split()[0])
        idx = _token_index(t, m.start())
        out.append(Mention("quantity", (n, "times a " + m.group(2)), idx, m.group(0), _neg(t, idx)))
    for m in QUANTITY_PATTERN.finditer(t.norm):
        idx = _token_index(t, m.start(1))
        out.append(Mention("quantity", (int(m.group(1)), m.group(2)), idx, m.group(0), _neg(t, idx)))
    for m in PARTY_PATTERN.finditer(t.norm):
        group = 1 if m.group(1) else 2
        idx = _token_index(t, m.start(group))
        if not any(o.index == idx for o in out):
            out.append(Mention("quantity", (int(m.group(group)), PARTY_UNIT), idx, m.group(0), _neg(t, idx)))
    for m in DOSE_PATTERN.finditer(t.norm):  # "a hundred micrograms", "75 mcg": a dose, in one unit
        idx = _token_index(t, m.start(1))
        unit = next(u for u, pat in DOSE_UNITS.items() if re.fullmatch(pat, m.group(2)))
        value = float(m.group(1))
        out.append(Mention("quantity", (int(value) if value.is_integer() else value, unit), idx, m.group(0), _neg(t, idx)))
    return out


# ---- durations ----------------------------------------------------------------------------------

UNIT_MINUTES = {"hour": 60, "hours": 60, "hr": 60, "hrs": 60, "minute": 1, "minutes": 1, "min": 1, "mins": 1}
_COUNT_WORDS = {**UNITS, **TENS, "a": 1, "an": 1}
# a length said of something else: "an hour early", "a three-hour drive", "two hours a day", "in an hour"
_OTHER_LENGTH_AFTER = frozenset({
    "early", "late", "earlier", "later", "before", "beforehand", "after", "afterwards", "ago", "away", "behind", "ahead",
    "each", "either", "every", "per", "a", "drive", "walk", "ride", "flight", "journey", "trip", "commute", "wait",
    "queue", "delay", "delayed", "nap", "sleep", "of", "from", "difference", "round", "door", "there", "back", "in",
    "into", "between", "off", "extra", "more", "less", "left", "to", "on", "overtime", "notice", "lunch",
    "break", "train", "bus", "ferry", "hike", "run", "time"})
_OTHER_LENGTH_BEFORE = frozenset({"in", "within", "every", "per", "after", "last", "past", "first", "next", "extra",
                                  "another", "additional", "spare", "waited", "spent", "took", "wasted", "lost", "each"})
_HEDGES = frozenset({"about", "around", "roughly", "approximately", "like", "maybe", "nearly", "almost", "under",
                     "over", "probably", "perhaps", "say", "ish", "approx"})
def _count(words: list[str], i: int) -> tuple[float, int] | None:
    """The number said at words[i] ("2", "an", "three", "2 and a half", "1.5"): (value, words used)."""
    w = words[i]
    if re.fullmatch(r"\d+(?:\.\d+)?", w):
        n, used = float(w), 1
    elif w in _COUNT_WORDS:
        n, used = float(_COUNT_WORDS[w]), 1
    else:
        return None
    if words[i + used: i + used + 3] == ["and", "a", "half"]:
        n, used = n + 0.5, used + 3
    return n, used


def durations(t: Text) -> list[Mention]:
    """How long something lasts, in minutes: "an hour", "two and a half hours", "ninety minutes", "a
    three-hour session", "an hour and a half", "half an hour", "a quarter of an hour". The value is
    (minutes, hedged) ("about two hours" is hedged). A length said of something else is skipped: a
    lead or a delay ("an hour early", "in an hour", "two hours ago"), a journey ("a three-hour drive",
    "an hour's drive"), a rate ("two hours a day"), time spent ("we waited an hour")."""
    w, out = t.words, []
    i = 0
    while i < len(w):
        start, minutes, j = i, None, i
        if w[i] == "half" and w[i + 1: i + 3] in (["an", "hour"], ["a", "hour"]) or w[i: i + 2] == ["half", "hour"]:
            minutes, j = 30.0, i + (3 if w[i + 1] != "hour" else 2)
        elif w[i] in ("quarter", "quarters") and "hour" in w[i + 1: i + 4]:
            k = w.index("hour", i + 1)
            many = 3 if i > 0 and w[i - 1] in ("3", "three") else 1
            minutes, j, start = 15.0 * many, k + 1, i - (many == 3)
        elif w[i: i + 3] == ["a", "couple", "of"] and i + 3 < len(w) and w[i + 3] in ("hours", "minutes"):
            minutes, j = 2.0 * UNIT_MINUTES[w[i + 3]], i + 4
        else:
            c = _count(w, i)
            if c and i + c[1] < len(w) and w[i + c[1]] in UNIT_MINUTES:
                n, used = c
                unit = w[i + used]
                minutes, j = n * UNIT_MINUTES[unit], i + used + 1
                if unit.startswith("h") and w[j: j + 3] == ["and", "a", "half"]:
                    minutes, j = minutes + 30, j + 3
                elif unit.startswith("h") and w[j: j + 1] == ["and"] and j + 2 < len(w) and \
                        re.fullmatch(r"\d+", w[j + 1]) and w[j + 2] in ("minutes", "mins", "minute"):
                    minutes, j = minutes + int(w[j + 1]), j + 3
        if minutes is None:
            i += 1
            continue
        after = w[j] if j < len(w) else ""
        before = [x for x in w[max(0, start - 3): start] if x not in ("a", "an", "the", "just", "only", "like")]
        other = after in _OTHER_LENGTH_AFTER or bool(before[-1:] and before[-1] in _OTHER_LENGTH_BEFORE)
        clock = after in ("past", "to", "after", "before") and re.fullmatch(r"\d{1,2}", w[j + 1] if j + 1 < len(w) else "")
        if not other and not clock and minutes > 0:  # ("twelve minutes past five" is a clock, not a length)
            hedged = bool(set(w[max(0, start - 3): start]) & _HEDGES) or w[j: j + 2] == ["or", "so"] or \
                after in ("ish", "tops", "max") or w[start: start + 2] == ["a", "couple"]
            out.append(Mention("duration", (minutes, hedged), start, " ".join(w[start: j]), _neg(t, start)))
        i = j
    return out


# ---- codes ---------------------------------------------------------------------------------------

# things told apart by a number or a letter: "Terminal 5", "gate nine", "Lot C", "room 2B", "seat 14C"
CODE_NOUNS = frozenset({
    "terminal", "gate", "platform", "lot", "bay", "stand", "pier", "berth", "room", "seat", "row", "table", "court",
    "block", "zone", "level", "deck", "cabin", "carriage", "coach", "locker", "unit", "suite", "studio", "door",
    "entrance", "track", "booth", "pod", "field", "ward", "bed", "stall", "site", "plot", "hangar", "dock", "aisle",
    "section", "box", "stage", "pitch", "lane", "bus", "route", "line", "flat", "apartment", "pool", "rink", "hall",
    "wing", "floor", "car", "tent", "pen", "kennel", "cage", "hole", "tee", "station", "desk", "counter", "window"})
_CODE_AFTER = re.compile(r"^(?:(?P<d>\d{1,4})(?:\s*-?\s*(?P<dl>[A-Z])(?![\w']))?|(?P<l>[A-Z])(?:\s*-?\s*(?P<ld>\d{1,3}))?)(?![\w'])"
                         r"(?!\s*(?:[:.]\d|%|am\b|pm\b|o'clock|hours?|minutes?|mins?|days?|weeks?|months?|years?|people|"
                         r"of\b|times\b|pounds?|quid|dollars?|euros?|percent|degrees|miles|km|k\b|metres|meters|feet|foot))")


def code_value(text_after: str) -> str | None:
    """The code at the start of `text_after` ("5", "C", "2 B", "B-14" -> "b14"), lower case, or None.
    A letter must be said as a capital ("table a few" has none) and not be the pronoun "I"; a number
    with a unit after it is an amount ("the bus 2 hours later")."""
    m = _CODE_AFTER.match(text_after)
    if not m or m.group("l") == "I" and not m.group("ld"):
        return None
    return "".join(x for x in m.groups() if x).lower()


def _digits_raw(raw: str) -> str:
    """The raw text, case kept, with number words as digits ("gate nine" -> "gate 9"; "Lot C" kept)."""
    return words_to_digits(raw.replace("\u2019", "'"))


def codes_in(text: str) -> dict[str, set[str]]:
    """Every code a text gives, by noun: "Speaker parking: Lot C" -> {lot: {c}}; "Lots A and E are open"
    -> {lot: {a, e}}; "seats: K-22, K-23" -> {seat: {k22, k23}}."""
    raw, out = _digits_raw(text), {}
    for w in re.finditer(r"[A-Za-z]+", raw):
        word = w.group(0).lower()
        noun = word if word in CODE_NOUNS else word[:-1] if word.endswith("s") and word[:-1] in CODE_NOUNS else None
        if noun is None:
            continue
        rest = raw[w.end():]
        while True:
            rest = rest.lstrip(" :#")
            code = code_value(rest)
            if code is None:
                break
            out.setdefault(noun, set()).add(code)
            m = re.match(r"^[A-Za-z]?\s*-?\s*\d{0,4}\s*-?\s*[A-Za-z]?(?:\s*(?:,|and|or|&)\s*)", rest)
            if noun == word or not m:
                break  # a list of codes follows only a plural ("Lots A and E")
            rest = rest[m.end():]
    return out


def codes(t: Text) -> list[Mention]:
    """Codes said: a code noun and what follows it ("gate nine" -> (gate, "9"); "Lot C"; "room two B")."""
    out, raw, seen = [], _digits_raw(t.raw), {}
    for w in re.finditer(r"[A-Za-z]+", raw):
        noun = w.group(0).lower()
        if noun not in CODE_NOUNS:
            continue
        k = seen[noun] = seen.get(noun, -1) + 1  # the k-th time this noun is said
        code = code_value(raw[w.end():].lstrip(" :#"))
        if code is None:
            continue
        pos = [i for i, x in enumerate(t.words) if x == noun]
        idx = pos[min(k, len(pos) - 1)] if pos else 0
        out.append(Mention("code", (noun, code), idx, f"{noun} {code.upper()}", _neg(t, idx)))
    return out


DOSE_UNITS = {"mcg": r"mcg|µg|ug|micrograms?|mics?", "mg": r"mg|milligrams?|milligrammes?|mgs",
              "ml": r"ml|mls|millilitres?|milliliters?", "iu": r"iu|international units"}
DOSE_PATTERN = re.compile(r"\b(\d+(?:\.\d+)?) ?(" + "|".join(DOSE_UNITS.values()) + r")\b")


_CAPS = re.compile(r"\b(?:[A-Z][\w'&.-]*|\d+(?:st|nd|rd|th)?)(?:\s+(?:of|de|la|del|the|and|&|on)?\s*[A-Z][\w'&.-]*)*")
_NOT_NAMES = frozenset(w.capitalize() for w in WEEKDAYS + MONTHS) | \
    frozenset(w.capitalize() + "s" for w in WEEKDAYS) | {  # "on Thursdays": a day, not a place
    "I", "I'm", "I'll", "I've", "I'd", "OK", "Okay", "Yeah", "Yes", "No", "Oh", "Hey", "Hi", "So", "Well",
    "Actually", "Anyway", "The", "A", "An", "And", "But", "Maybe", "Sure", "Thanks", "Please", "Let's", "Let",
    "Um", "Uh", "Hmm", "Wait", "Right", "Great", "Cool", "Alright", "AM", "PM", "Mr", "Mrs", "Ms", "Dr",
    "That", "This", "It", "It's", "We", "We're", "You", "You're", "He", "She", "They", "What", "When", "Where",
    "Why", "How", "Who", "Is", "Are", "Do", "Did", "Can", "Could", "Would", "Should", "Will", "My", "Our",
    "Your", "Just", "Also", "Then", "There", "Here", "If", "Not", "Don't", "Good", "Nice", "Sounds", "Today",
    "Tomorrow", "Tonight", "Yesterday", "Next", "Last", "This", "Honestly", "Speaking", "By", "Oh,",
}
PLACE_PREPOSITIONS = ("at", "in", "to", "from", "near", "on", "by")


def _names_and_places(raw: str) -> list[Mention]:
    """Capitalised phrases: after a place preposition they are places, else names (sentence starts skipped)."""
    out = []
    text = raw.replace("\u2019", "'")
    last = max(0, len(tokens(normalise(text))) - 1)
    for m in _CAPS.finditer(text):
        phrase = m.group(0).strip()
        words = [w for w in phrase.split() if w not in _NOT_NAMES and w.strip(".,;:!?") not in _NOT_NAMES]
        if not words or all(not w[0].isupper() for w in words):
            continue
        before = text[: m.start()].rstrip()
        sentence_start = not before or before[-1] in ".!?"
        prior = [w.lower().strip(",") for w in before.split()]
        while prior and prior[-1] in ("the", "a", "an", "this", "that", "my", "our", "your"):
            prior.pop()
        prev = prior[-1] if prior else ""
        ends_like_place = words[-1].lower().strip(".,") in PLACE_NOUNS
        kind = "place" if prev in PLACE_PREPOSITIONS or ends_like_place else "name"
        if kind == "place" and re.fullmatch(r"[A-Z][a-z]+'s(?: (?:place|house|flat|home))?", phrase.strip(".,")):
            continue  # "at Chloe's (place)": someone's home, not a named place
        if sentence_start and kind == "name" and len(words) == 1 and phrase.split()[0] in _NOT_NAMES | {words[0]}:
            if phrase.split()[0] == words[0] and len(phrase.split()) == 1:
                continue
        value = (" ".join(words) if kind == "name" else phrase).strip(".,;:!?'")
        # its word in the normalised text ("twenty-one" is one word there)
        idx = min(len(tokens(normalise(text[: m.start()]))), last)
        out.append(Mention(kind, value, idx, phrase))
    return out


PLACE_NOUNS = ("station", "office", "museum", "hospital", "airport", "mall", "park", "library", "center", "centre",
               "store", "restaurant", "cafe", "café", "hotel", "clinic", "school", "stadium", "theater", "theatre",
               "market", "gym", "bank", "street", "avenue", "road", "square", "building", "church", "pharmacy",
               "beach", "bakery", "shop", "venue", "hall", "campus", "plaza", "pier", "terminal", "studio", "pub",
               "bar", "diner", "bistro", "garage", "post office", "town hall", "arena", "court", "lane", "club")
_PLACE_NP = re.compile(r"\b(?:at|in|to|near|from|outside|by) (?:the |that |this |our |my )?"
                       r"(?P<p>(?:[a-z0-9'&-]+ ){0,3}?(?:" + "|".join(PLACE_NOUNS) + r"))\b")


def _common_places(t: Text, found: list[Mention]) -> list[Mention]:
    """Places said in lower case ("at the main library"), when no capitalised one covers them."""
    out = []
    for m in _PLACE_NP.finditer(t.norm):
        phrase = m.group("p")
        idx = _token_index(t, m.start("p"))
        if any(f.kind == "place" and abs(f.index - idx) <= 3 for f in found):
            continue
        out.append(Mention("place", phrase, idx, phrase, _neg(t, idx)))
    return out


def extract(text: str | Text, now: dt.datetime | None = None) -> list[Mention]:
    """Every time, day, part of day, amount, quantity, place and name mentioned, in order."""
    t = text if isinstance(text, Text) else analyse(text)
    parts = _parts(t)
    named = _names_and_places(t.raw)
    mentions = (_settle_ampm(_times(t), parts) + _days(t, now) + parts + _amounts(t) + durations(t) + codes(t) + named
                + _common_places(t, named))
    return sorted(mentions, key=lambda m: m.index)
