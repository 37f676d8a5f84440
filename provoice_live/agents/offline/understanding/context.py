"""Any digital context as typed facts: walk whatever JSON the app states are and keep the records.

App states come in many shapes: the release's `{"Calendar": {"context": "", "state": {"events": [...]}}}`,
a flat `{"Agenda": [{"what": ..., "when": ..., "where": ...}]}`, message threads nested as
`threads[].log[]` with `from`/`at`/`text`, health profiles `{"allergies": ["penicillin"]}`, orders
with `"total": "£329.00"`, records with or without ids, a start given as `{"date": ..., "time": ...}`.
`facts_from_context(ctx)` walks any of them and returns `Fact`s, each with its kind.

How a field is read is decided by its key's words *and* its value (`field_role`): a key naming a
time (`when`, `starts`, `departs`, `due`...) whose value parses as a date is the start; `due` with a
number is an amount; `from` with a name is a person. A dict is a record when it has something to
talk about (a title or a text) and something checkable (a date, a place, people, an amount, a
standing constraint); its list children (a thread's messages, an order's lines) are records of their
own that inherit the parent's title and people.

| kind        | what it is                                                  |
|-------------|-------------------------------------------------------------|
| `event`     | a dated record (calendar event, booking, delivery, bill due) |
| `text`      | a note or a message (its words carry the values)            |
| `record`    | anything else with a checkable value (an order's total)      |
| `profile`   | an app's plain values: allergies, diet, conditions           |
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .diet import forbidden_categories
from .entities import PARTY_UNIT, ClockTime, DayRef, extract, now_from_context, parse_datetime
from .lexicon import MONTHS, WEEKDAYS
from .text import is_content, lemma, tokens

# key words -> role (a key is split into words: "start_datetime" -> start, datetime; "amountDue" -> amount, due)
# amounts whose key says what they are for: the user names the record by them ("the repayment is forty-two a week")
AMOUNT_NAMES = frozenset({"repayment", "repayments", "instalment", "installment", "premium", "rent", "deposit", "fare",
                          "wage", "wages", "salary", "contribution", "dues", "subscription", "fee", "bill", "refund", "tip",
                          "fine", "toll", "levy", "allowance", "pension"})
ROLE_WORDS: dict[str, frozenset[str]] = {
    "title": frozenset({"title", "name", "subject", "summary", "what", "heading", "event", "item", "product",
                        "service", "task", "activity", "label", "topic", "payee", "merchant", "vendor", "store",
                        "shop", "restaurant", "hotel", "airline", "flight", "query", "caption", "headline", "session",
                        "class", "course", "lesson", "appointment"}),
    "text": frozenset({"content", "text", "body", "message", "msg", "notes", "note", "details", "description",
                       "comment", "memo", "snippet", "preview", "reference", "ref"}),
    "start": frozenset({"start", "starts", "begin", "begins", "date", "time", "when", "datetime", "at", "on", "due", "from",
                        "deadline", "departs", "departure", "depart", "scheduled", "appointment", "pickup", "checkin",
                        "expected", "eta", "delivery", "remind", "reminder", "day", "promised", "ready"}),
    "end": frozenset({"end", "ends", "until", "finish", "finishes", "arrival", "arrives", "arrive", "checkout", "till", "to"}),
    "place": frozenset({"location", "address", "place", "venue", "where", "destination", "room", "city", "site",
                        "pickup", "dropoff", "collection", "branch", "point"}),  # "pickup": "Tim Hortons, Richmond Rd"
    "people": frozenset({"attendees", "participants", "with", "who", "people", "guests", "contact", "contacts",
                         "sender", "from", "author", "organizer", "organiser", "host", "members", "by", "recipient", "person"}),
    "amount": frozenset({"amount", "price", "cost", "total", "balance", "budget", "fee", "value", "payment", "paid",
                         "charge", "bill", "spent", "owed", "owe", "refund", "subtotal", "each", "share"}) | frozenset(AMOUNT_NAMES),
    "status": frozenset({"status", "state", "stage"}),
    "constraint": frozenset({"allergies", "allergy", "allergic", "diet", "dietary", "intolerance", "intolerances",
                             "avoid", "restrictions", "restriction", "conditions", "condition", "medications",
                             "medication", "preferences"}),
}
# a number field that counts the people a booking is for ("guests": 12, "party_size": 4, "covers": 8)
PARTY_KEYS = frozenset({"guests", "pax", "covers", "party", "diners", "headcount", "persons", "people"})
# stamps that say when a record was written, not when its subject happens
SENT_WORDS = frozenset({"timestamp", "sent", "at", "time", "datetime"})  # a message's send time
BOOKKEEPING = frozenset({"created", "updated", "modified", "last", "edited", "synced", "id", "uuid",
                         "born", "dob", "birth", "given", "issued", "joined", "registered",
                         "received", "uploaded", "posted", "captured", "emailed", "submitted", "taken"})  # not when its subject happens
LOG_WORDS = frozenset({"messages", "log", "history", "chat"})  # a list (or an app) of things that happened
META_KEYS = frozenset({"datetime_info", "theme", "app_state_uuid", "context"})
NOT_ANCHORS = frozenset(WEEKDAYS) | frozenset(MONTHS) | frozenset(
    {"minute", "hour", "second", "month", "year", "dollar", "buck", "euro", "pound", "percent", "people", "run",
     "late", "sorry", "ago", "soon", "later", "tomorrow's", "next", "last", "going", "get", "got", "need", "want",
     "yesterday", "thank", "again", "off",  # ("afternoon off" is not named by "it kicks off at one")
     "user", "morning", "afternoon", "evening", "night", "tonight", "tomorrow", "today", "pm", "am", "week",
     "weekend", "time", "day", "schedule", "calendar", "reminder", "note", "message", "event", "hi", "hey",
     "thanks", "ok", "sure", "see", "don't", "forget", "let", "know", "just", "please", "great", "free",
     "gbp", "usd", "eur", "aud", "cad", "nzd", "inr", "jpy", "chf"})
_MONEY = re.compile(r"^\s*(?:[$£€¥₹₦]|[a-z]{3}|[a-z]{1,2}\$)?\s*-?\d+(?:,\d{3})*(?:\.\d+)?\s*"
                    r"(?:[$£€¥₹₦]|[a-z]{3}|dollars?|euros?|pounds?|rupees?)?\s*$", re.IGNORECASE)  # "186.39 CAD", "A$40"


@dataclass
class Fact:
    source: str  # the app ("Calendar", "Notes", "Messaging"...)
    title: str
    anchors: frozenset[str]
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    has_time: bool = False  # the stamp carries a time of day (not a bare date)
    location: str | None = None
    people: tuple[str, ...] = ()
    amounts: tuple[float, ...] = ()
    quantities: tuple[tuple[int, str], ...] = ()
    days: tuple[DayRef, ...] = ()  # days said in a note's or message's text
    times: tuple[ClockTime, ...] = ()  # times said in a note's or message's text
    kind: str = "record"  # "event" | "text" | "record" | "profile" (see the module's table)
    extra_text: str = ""  # a note's or message's words, and a record's other values (for the special checks)
    constraints: tuple[str, ...] = ()  # standing constraints stated ("allergies: penicillin", "diet: avoid dairy")
    status: str | None = None  # a record's state as written ("unpaid", "cancelled", "delivered")


def key_words(key: str) -> list[str]:
    """"start_datetime" -> [start, datetime]; "amountDue" -> [amount, due]; "check-in" -> [checkin]."""
    key = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).lower().replace("check_in", "checkin").replace("check_out", "checkout")
    key = key.replace("check-in", "checkin").replace("check-out", "checkout")
    return [w for w in re.split(r"[^a-z0-9]+", key) if w]


def field_role(key: str, value: Any) -> str | None:
    """What a field says about its record, from its key's words and its value (None: nothing)."""
    words = key_words(key)
    if not words or set(words) & BOOKKEEPING and not set(words) & {"due", "expected"}:
        return None
    ws = set(words) | {w[:-1] for w in words if w.endswith("s")} | {w + "s" for w in words}  # "detail" ~ "details"
    if ws & ROLE_WORDS["status"] and isinstance(value, str) and not parse_datetime(value):
        return "status"
    if ws & ROLE_WORDS["constraint"]:
        return "constraint"
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return "amount" if ws & ROLE_WORDS["amount"] or "due" in ws else None
    if isinstance(value, str):
        if parse_datetime(value) is not None:
            if ws & ROLE_WORDS["end"]:
                return "end"
            if ws & ROLE_WORDS["start"] or ws & {"datetime", "date", "time"}:
                return "start"
            return None
        if ws & ROLE_WORDS["amount"] and _MONEY.match(value):
            return "amount"
        for role in ("text", "title", "place", "people"):
            if ws & ROLE_WORDS[role]:
                return role
        return None
    if isinstance(value, list) and all(isinstance(v, (str, dict)) for v in value):
        if ws & ROLE_WORDS["people"]:
            return "people"
    return None


def _amount(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        m = re.search(r"-?\d+(?:,\d{3})*(?:\.\d+)?", value)
        if m:
            return float(m.group(0).replace(",", ""))
    return None


def _people(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(p.strip() for p in re.split(r",|;| and ", value) if p.strip())
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, dict):
                v = next((v[k] for k in ("name", "contact", "display_name", "id") if isinstance(v.get(k), str)), "")
            if isinstance(v, str) and v:
                out.append(v)
        return tuple(out)
    return ()


SCHEMA_WORDS = frozenset().union(*ROLE_WORDS.values()) | BOOKKEEPING | {"next", "last", "date", "datetime", "iso"}


def _key_name(kv: tuple[str, Any] | None) -> str:
    """What a date's key names beside its role ("mot_due" -> "mot", "renewal_date" -> "renewal"): the user
    says "the MOT's not due till May" of the record whose MOT is due on 2026-04-03."""
    return " ".join(w for w in key_words(kv[0]) if w not in SCHEMA_WORDS) if kv else ""


def _type_of(rec: dict) -> str:
    """A record's kind, said in a field of its own ({"type": "loan"}, {"category": "repair"})."""
    return next((str(v) for k, v in rec.items() if isinstance(v, str) and set(key_words(k)) & TYPE_KEYS and len(v) < 30), "")


def _anchor_words(*texts: str) -> frozenset[str]:
    out = set()
    for text in texts:
        for w in tokens(text or ""):
            lw = lemma(w)
            if is_content(w) and lw not in NOT_ANCHORS and not any(c.isdigit() for c in w):
                out.add(lw)
    return frozenset(out)


def _flatten(rec: dict) -> dict[str, Any]:
    """Small child dicts of plain values join their parent: {"start": {"date": d, "time": t}} -> "start" = "d t"."""
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if isinstance(v, dict) and v and all(not isinstance(x, (dict, list)) for x in v.values()):
            date = next((v[x] for x in v if "date" in key_words(x) or x in ("day", "d")), None)
            time = next((v[x] for x in v if "time" in key_words(x) or x in ("hour", "t")), None)
            if isinstance(date, str) and isinstance(time, str):
                out[k] = f"{date} {time}"
                continue
            for k2, v2 in v.items():
                out.setdefault(f"{k}_{k2}" if k2 not in out else f"{k}_{k2}", v2)
        else:
            out[k] = v
    return out


TYPE_KEYS = frozenset({"type", "kind", "category", "class"})  # {"type": "allergy"}: what the record is
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9/#._-]*\d[A-Z0-9/#._-]*$")  # "INV-0417", "UK 204117" parts: identifiers


def _identity(rec: dict) -> str | None:
    """What an untitled record is about: its first plain words under a key no table names
    ({"client": "Harlow & Finch Ltd", "invoice": "INV-0417", "amount": ...} -> "Harlow & Finch Ltd");
    an identifier only when nothing else names it."""
    plain = [v for k, v in rec.items() if isinstance(v, str) and field_role(k, v) is None and v.strip()
             and not set(key_words(k)) & (BOOKKEEPING | TYPE_KEYS) and not parse_datetime(v) and not _MONEY.match(v)
             and re.search(r"[A-Za-z]{2}", v) and len(v) <= 60]
    words = [v for v in plain if not _CODE.match(v.strip()) and not re.fullmatch(r"\d+(?::\d\d)?", v.strip())]
    return (words or plain or [None])[0]


def _roles(rec: dict) -> dict[str, list[tuple[str, Any]]]:
    """The fields of a record by role. A record with no start field but exactly one date under a key
    no table names ("slot", "appt") takes that date as its start (bookkeeping keys never do, nor a
    message or note: its own date is when it was written, its text says when things happen)."""
    roles: dict[str, list[tuple[str, Any]]] = {}
    for k, v in rec.items():
        r = field_role(k, v)
        if r:
            roles.setdefault(r, []).append((k, v))
    if "start" not in roles and "text" not in roles:  # a message's or note's own date is when it was written
        dated = [(k, v) for k, v in rec.items() if isinstance(v, str) and parse_datetime(v) is not None
                 and not set(key_words(k)) & BOOKKEEPING and field_role(k, v) is None]
        if len(dated) == 1:
            roles["start"] = dated
    return roles


def _first_of(roles: dict, role: str, prefer: tuple[str, ...] = ()) -> tuple[str, Any] | None:
    items = roles.get(role) or []
    for want in prefer:
        for k, v in items:
            if want in key_words(k):
                return k, v
    return items[0] if items else None


LABELLED_PLACE = re.compile(r"\b(?:venue|location|address|where|place|meeting point)\s*:\s*([^.;\n]+)", re.IGNORECASE)
SHARE_KEYS = frozenset({"each", "split", "share", "shares", "per"})  # {"split": 3, "each": "62.13"}: "my share"
CLOCK_SPAN = re.compile(r"\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*")


def record_fact(app: str, rec: dict, now: dt.datetime | None, inherited: dict[str, Any] | None = None) -> Fact | None:
    """One record (a dict of fields) as a Fact, or None when it has nothing to check."""
    inherited = inherited or {}
    rec = _flatten(rec)
    day = inherited.get("date")
    dates = [k for k, v in rec.items() if isinstance(v, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", v)]
    clocks = [k for k, v in rec.items() if isinstance(v, str) and re.fullmatch(r"\s*\d{1,2}:\d{2}\s*", v)]
    spans = [k for k, v in rec.items() if isinstance(v, str) and CLOCK_SPAN.fullmatch(v)]
    if not day and len(dates) == 1 and (clocks or spans):  # {"date": "2025-06-12", "from": "13:00", "to": "14:45"}
        day = rec[dates[0]].strip()
        rec = {k: v for k, v in rec.items() if k != dates[0]}
    if day and len(spans) == 1 and not clocks:
        # {"date": "2026-03-14", "window": "07:00-08:00"}: the record's one span of clocks is its start and end that
        # day (beside another clock, "all_aboard": "15:30", a span is among its times)
        for k in spans:
            a, b = CLOCK_SPAN.fullmatch(rec.pop(k)).groups()  # type: ignore[union-attr]
            rec[f"{k}_start"], rec[f"{k}_end"] = a, b
            clocks += [f"{k}_start", f"{k}_end"]
    if day:  # a bare clock time under a dated key, or beside the record's one date, is on that day
        rec = {k: (f"{day} {v.strip()}" if k in clocks else v) for k, v in rec.items()}
    roles = _roles(rec)
    title_kv = _first_of(roles, "title", ("title", "name", "subject", "what", "event", "heading"))
    title = str(title_kv[1]) if title_kv else str(inherited.get("title") or "")
    named = _identity(rec) if not title_kv else None  # {"client": "Harlow & Finch Ltd", ...}: what it is about
    if named:
        title = f"{title}: {named}" if title else named
    if not title and not roles.get("text") and (place_first := _first_of(roles, "place")):
        title = str(place_first[1])  # {"place": "Glencoe bunkhouse", "check_in": ...}: a booking at the place
    texts = [str(v) for _k, v in roles.get("text", []) if isinstance(v, str) and v != title]
    text = " ".join(texts)
    start_kv = _first_of(roles, "start", ("start", "starts", "begin", "when", "datetime", "departs", "departure", "due",
                                          "date", "at", "time"))
    start_raw = start_kv[1] if start_kv else None
    if not title and not text and start_kv and inherited.get("listed_as") and not inherited.get("message"):
        # a dated record nothing names but its list: {"duties": [{"duty": "312", "date": ...}]} is "duty 312"
        ident = next((str(v) for k, v in rec.items() if isinstance(v, (str, int)) and not isinstance(v, bool)
                      and _CODE.match(str(v).strip()) and not parse_datetime(str(v))), "")
        title = f"{inherited['listed_as']} {ident}".strip()
    is_message = inherited.get("message", False) or any(w in ("sender", "from") for k, _ in roles.get("people", [])
                                                         for w in key_words(k))
    stamp = parse_datetime(start_raw)
    if is_message:  # a message's time is when it was sent: what its words say is relative to that
        sent = next((parse_datetime(v) for k, v in rec.items() if set(key_words(k)) & SENT_WORDS and parse_datetime(v)), None)
        if start_kv and set(key_words(start_kv[0])) & SENT_WORDS:
            stamp, start_raw = None, None
        now = sent or now
    end_kv = _first_of(roles, "end")
    end = parse_datetime(end_kv[1]) if end_kv else None
    place_kv = _first_of(roles, "place", ("location", "address", "venue", "where", "place"))
    place = str(place_kv[1]) if place_kv and place_kv[1] != title else None
    people: tuple[str, ...] = ()
    for _k, v in roles.get("people", []):
        people += _people(v)
    if not people and not inherited.get("message"):  # a message is by its sender, not by the whole thread
        people = tuple(inherited.get("people", ()))
    amounts = tuple(a for a in (_amount(v) for _k, v in roles.get("amount", [])) if a is not None)
    constraints = tuple(f"{k.replace('_', ' ')}: {', '.join(_plain_value(x) for x in v) if isinstance(v, list) else v}"
                        for k, v in roles.get("constraint", []) if v not in (None, "", []))
    typed = next((str(v) for k, v in rec.items() if isinstance(v, str) and set(key_words(k)) & TYPE_KEYS
                  and set(key_words(v)) & RULES_OUT), None)
    if typed and not constraints:  # {"type": "allergy", "detail": "Tree nuts (walnut, pecan)"}: the record is one
        constraints = (f"{typed}: {text or named or title}",)
    status = next((str(v).lower() for _k, v in roles.get("status", [])), None)
    clock = tuple(ClockTime(int(h), int(mi), True) for v in rec.values() if isinstance(v, str)
                  and re.fullmatch(r"\s*\d{1,2}:\d{2}(?:\s*[-–]\s*\d{1,2}:\d{2})?\s*", v)
                  for h, mi in re.findall(r"(\d{1,2}):(\d{2})", v) if int(h) < 24)  # "all_aboard": "15:30"
    others = " ; ".join(f"{v}" for k, v in rec.items() if isinstance(v, str) and field_role(k, v) not in ("title", "text")
                        and not parse_datetime(v))
    said = (extract(text, now) if text else []) + [m for m in (extract(others, now) if others else [])
                                                   if m.kind in ("quantity", "amount")]
    counted = tuple((int(v), PARTY_UNIT) for k, v in rec.items() if isinstance(v, int) and not isinstance(v, bool)
                    and 0 < v < 1000 and set(key_words(k)) & PARTY_KEYS)  # {"guests": 12}: a table for twelve
    if not (title or text or constraints):
        return None
    if place is None and (labelled := LABELLED_PLACE.search(text)):  # "Venue: Visa Application Centre, Kochi."
        place = labelled.group(1).strip()
    if place is None:  # a place said in a note or message ("let's meet at the main library")
        place = next((str(m.value) for m in said if m.kind == "place" and not m.negated), None)
    titled = re.search(r"\bwith ([A-Z][a-z]+(?: [A-Z][a-z]+)?)", title or "")
    if titled and not people:
        people = (titled.group(1),)
    people = tuple(p for p in people if p and p.lower() not in ("user", "me", "you"))
    first_names = " ".join(p.split()[0] for p in people)
    if stamp and not is_message:  # the record's other clocks that day ("sign_on" 04:50 beside "departs" 05:12)
        clock += tuple(ClockTime(d.hour, d.minute, True) for k, v in rec.items()
                       if start_kv and k != start_kv[0] and isinstance(v, str) and re.search(r"\d:\d", v)
                       and field_role(k, v) != "end"
                       and not set(key_words(k)) & BOOKKEEPING and (d := parse_datetime(v)) and d.date() == stamp.date())
    extra = " ".join([text] + [f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in rec.items()
                               if isinstance(v, (str, list)) and field_role(k, v) != "title"
                               and not (isinstance(v, list) and any(isinstance(x, dict) for x in v))])
    fact = Fact(
        source=app, title=title or text[:60] or app,
        # (what an amount's key names, "repayment: 48.50", and a record's type, "type: loan", name the record too)
        anchors=_anchor_words(title, text, first_names, place or "", *constraints, _key_name(start_kv),
                              *(" ".join(w for w in key_words(k) if w in AMOUNT_NAMES) for k, _v in roles.get("amount", [])),
                              _type_of(rec), "share" if any(set(key_words(k)) & SHARE_KEYS for k in rec) else "",
                              # a record its list names, having no title of its own: one of "permits" is a permit
                              "" if title_kv else str(inherited.get("listed_as") or "")),
        start=stamp, end=end,
        has_time=bool(stamp and isinstance(start_raw, str) and re.search(r"\d:\d", start_raw)) and not _date_only(stamp, end),
        location=place, people=people,
        amounts=tuple(dict.fromkeys(amounts + tuple(m.value for m in said if m.kind == "amount"))),  # type: ignore[misc]
        quantities=counted + tuple(m.value for m in said if m.kind == "quantity"),  # type: ignore[misc]
        days=tuple(m.value for m in said if m.kind == "day" and not m.negated),  # type: ignore[misc]
        times=clock + tuple(m.value for m in said if m.kind == "time" and not m.negated),  # type: ignore[misc]
        kind="event" if stamp else "text" if text else "record",
        extra_text=extra, constraints=constraints, status=status,
    )
    if not fact.constraints and forbidden_categories(f"{title} ; {text}"):  # a note that states a diet or allergy
        fact.constraints = (text or title,)
    if not (fact.start or fact.end or fact.location or fact.people or fact.amounts or fact.days or fact.times
            or fact.quantities or fact.constraints or fact.status or "allerg" in fact.extra_text.lower()):
        return None
    return fact


def _walk(app: str, node: Any, now: dt.datetime | None, out: list[Fact], inherited: dict[str, Any], depth: int) -> None:
    if depth > 12:
        return
    if isinstance(node, list):
        for item in node:
            if isinstance(item, str):  # a log line ("2026-04-02 | Lincoln Middle PTA | -45.00 USD | entry"): a text record
                fact = record_fact(app, _line_record(item), now, inherited) if len(tokens(item)) >= LINE_WORDS else None
                if fact:
                    out.append(fact)
                continue
            _walk(app, item, now, out, inherited, depth + 1)
        return
    if not isinstance(node, dict):
        return
    fact = record_fact(app, node, now, inherited)
    if fact:
        out.append(fact)
    # the children inherit what this node says about them (a thread's title and people)
    roles = _roles(_flatten(node))
    title_kv = _first_of(roles, "title", ("title", "name", "subject"))
    people: tuple[str, ...] = ()
    for _k, v in roles.get("people", []):
        people += _people(v)
    child_inherit = {k: v for k, v in inherited.items() if k != "message"}
    if title_kv:
        child_inherit["title"] = str(title_kv[1])
    if people:
        child_inherit["people"] = people
    for key, value in node.items():
        if key.startswith("key_") or key in META_KEYS:
            continue
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            kw = set(key_words(key))
            message = bool(kw & {"messages", "log", "history", "thread", "chat", "replies", "conversation"})
            # a cow's treatments, an order's lines: records of their own about the parent ("Bramble")
            _walk(app, value, now, out, {**child_inherit, "message": message, "listed_as": _singular(key)}, depth + 1)
        elif isinstance(value, dict):
            day = parse_datetime(key)  # {"2026-03-10": {"call": "05:45", ...}}: the day its records are on
            _walk(app, value, now, out, {"date": key} if day and re.fullmatch(r"[\d/-]+", key.strip()) else {},
                  depth + 1)


def _singular(key: str) -> str:
    """What one record of a list is, from the list's key: "duties" -> "duty", "lessons" -> "lesson"."""
    w = " ".join(k for k in key_words(key) if k != "key")  # the release's "key_events": events
    return re.sub(r"ies$", "y", w) if w.endswith("ies") else re.sub(r"(?<=[^s])s$", "", w)


LINE_WORDS = 4  # a string in a list of records this long is a record of its own (shorter: a tag, a name)


LINE_FIELDS = re.compile(r"\s+[|•;]\s+|\t")
LEADING_STAMP = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2})?)\s*(?:[-–:|]\s*)?(.*)$")


def _line_record(line: str) -> dict[str, str]:
    """A log line as a record: its date (a field of its own, or where the line starts) and its words.
    "2026-04-02 | Lincoln Middle PTA | -45.00 USD | science fair entry" -> when: 2026-04-02, text: the rest."""
    parts = [p.strip() for p in LINE_FIELDS.split(line) if p.strip()]
    if len(parts) == 1 and (lead := LEADING_STAMP.match(line)) and lead.group(2):
        parts = [lead.group(1), lead.group(2)]
    stamps = [p for p in parts if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?", p)]
    words = [p for p in parts if p not in stamps]
    rec = {"text": " ; ".join(words)} if words else {}
    if stamps:
        rec["when"] = stamps[0]
    return rec


# standing constraints that come as records without a title (medications come as records of their own)
RULES_OUT = frozenset({"allergies", "allergy", "allergic", "diet", "dietary", "intolerance", "intolerances", "avoid",
                       "conditions", "condition",
                       "restrictions", "restriction"})


def _constraint_records(key: str, value: Any) -> bool:
    return bool(set(key_words(key)) & RULES_OUT) and isinstance(value, list) and bool(value) \
        and all(isinstance(x, dict) for x in value)


CONSTRAINED_KEYS = ("substance", "allergen", "food", "ingredient", "item", "name", "drug", "medication", "detail",
                    "description")  # what a constraint's record rules out, before its other values


def _plain_record(rec: dict) -> str:
    """{"substance": "penicillin", "reaction": "hives"} -> "penicillin (hives)" (the thing ruled out first,
    an id left out: {"id": "al-1", "substance": "sesame"} -> "sesame")."""
    keys = sorted((k for k in rec if not set(key_words(k)) & {"id", "ref", "uuid"}),
                  key=lambda k: not set(key_words(k)) & set(CONSTRAINED_KEYS))
    values = [str(rec[k]) for k in keys if isinstance(rec[k], (str, int, float)) and str(rec[k]).strip()]
    return f"{values[0]} ({', '.join(values[1:])})" if len(values) > 1 else (values[0] if values else "")


def _plain_value(x: Any) -> str:
    return _plain_record(x) if isinstance(x, dict) else str(x)


def _profile(app: str, body: dict) -> Fact | None:
    """An app's plain values ("allergies": ["shellfish"], "diet": "vegan") as one fact; a standing
    constraint listed as records ("allergies": [{"substance": "penicillin", "reaction": "hives"}]) is
    read as its records' plain values ("penicillin (hives)")."""
    body = {k: ([_plain_record(x) for x in v] if _constraint_records(k, v) else v) for k, v in body.items()}
    plain = {k: v for k, v in body.items()
             if isinstance(v, str) or (isinstance(v, list) and v and all(isinstance(x, str) for x in v))}
    if not plain:
        return None
    text = "; ".join(f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in plain.items())
    constraints = tuple(f"{k.replace('_', ' ')}: {', '.join(v) if isinstance(v, list) else v}"
                        for k, v in plain.items() if field_role(k, v) == "constraint")
    return Fact(source=app, title=app, anchors=_anchor_words(" ".join(plain), *constraints), kind="profile",
                extra_text=text, constraints=constraints)


def app_states(ctx: dict | None) -> dict[str, Any]:
    """The apps of a context: its `app_states`, or (a context without that wrapper) its own keys."""
    if not isinstance(ctx, dict):
        return {}
    states = ctx.get("app_states")
    if isinstance(states, dict):
        return states
    if isinstance(states, list) and states and all(isinstance(x, dict) for x in states):
        # [{"app": "LedgerBox", "records": [...]}, ...]: each app by its name, its other keys its state
        out: dict[str, Any] = {}
        for i, x in enumerate(states):
            name = next((x[k] for k in ("app", "name", "app_name", "source") if isinstance(x.get(k), str)), f"app{i + 1}")
            out[str(name)] = {k: v for k, v in x.items() if x.get(k) is not name}
        return out
    return {k: v for k, v in ctx.items() if k not in META_KEYS}


def _unwrap(state: Any) -> Any:
    if isinstance(state, dict) and "state" in state and set(state) <= {"state", "context", "name", "app"}:
        return state["state"]
    return state


def _date_only(stamp: dt.datetime, end: dt.datetime | None) -> bool:
    """A midnight stamp with no later end that day is a date ("chickenpox since 2026-02-08 00:00"), not a time."""
    return (stamp.hour, stamp.minute, stamp.second) == (0, 0, 0) and (end is None or end <= stamp)


def _record_ids(record: dict) -> set[str]:
    """A record's ids (the values of its keys ending in "id": "event_id", "id")."""
    return {str(x) for k, x in record.items() if isinstance(x, (str, int)) and re.search(r"(?:^|_)id$", str(k).lower())}


def _ids_in(body: dict) -> set[str]:
    """The ids of the records in an app's lists other than its `key_*` ones."""
    return {i for key, value in body.items() if not key.startswith("key_") and isinstance(value, list)
            for v in value if isinstance(v, dict) for i in _record_ids(v)}


def facts_from_context(ctx: dict | None) -> list[Fact]:
    """Every checkable record of the digital context, whatever its layout."""
    if not ctx:
        return []
    now = now_from_context(ctx)
    out: list[Fact] = []
    for app, state in app_states(ctx).items():
        body = _unwrap(state)
        if isinstance(body, dict):
            profile = _profile(app, body)
            if profile:
                out.append(profile)
            ids = _ids_in(body)
            for key, value in body.items():
                if key.startswith("key_") and isinstance(value, list):
                    # the release's `key_events`: an allergy lives there; an entry that points at a record by its
                    # id ({"event_id": "ev-7731", "note": ...}) is a note on that record, already read
                    value = [v for v in value if not (isinstance(v, dict) and _record_ids(v) & ids)]
                if isinstance(value, (dict, list)):
                    inherited: dict[str, Any] = {"listed_as": _singular(key)} if isinstance(value, list) else {}
                    if isinstance(value, list) and set(key_words(key)) & LOG_WORDS:
                        inherited["message"] = True
                    _walk(app, value, now, out, inherited, 0)
        else:
            # an app that is a log ("Call log": [{"number": ..., "at": "09:12", "direction": "outgoing"}]): each
            # record's time is when it happened, not a plan its words are checked against
            _walk(app, body, now, out, {"message": True} if isinstance(body, list) and set(key_words(app)) & LOG_WORDS
                  else {}, 0)
    return out


__all__ = ["Fact", "facts_from_context", "record_fact", "field_role", "key_words", "app_states"]
