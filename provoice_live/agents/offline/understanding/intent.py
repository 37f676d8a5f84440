"""Proactive intent capture: an action item or a hesitation that one of the session's tools serves.

`INTENT_RULES` is the table: each row says which words show the need (`cues`, regexes over the
normalised utterance, optionally naming the object with a `(?P<what>...)` group), what else must
be there (`requires`), which tools serve it (by name, else by words of a tool's description), how
to fill the arguments (a builder over the `Heard` utterance) and how to offer it ("Shall I ...?").

`detect(text, ctx, tools)` returns the first row that applies as an `Offer` (tool call + question),
or None. A row never fires when the need is said to be taken care of already (`DONE_MARKERS`), when
a plan is told in the past, or when the calendar already holds what would be added.

`serve(action_text, heard, tools)` reuses the same table for a watch's action ("check the forecast
for me") so that topic and sound watches can offer the tool their request names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ...base import ToolSchema
from .entities import ClockTime, DayRef, Mention, extract, now_from_context
from .fact_check import about, facts_from_context
from .lexicon import DONE_MARKERS
from .text import WORD, Text, analyse, clean, is_content, lemma, tokens

UNSURE = (r"\b(?:i wonder|wondering|not sure|no idea|i don't know|i dunno|can't remember|cannot remember|"
          r"(?:can't|cannot|couldn't) tell (?:if|whether|what|how)|"
          r"can't recall|i forget|i forgot|do you think|should i|should we|hmm|um+|uh+|what was|any idea|"
          r"is it going to|will it|going to be|gonna be|i hope|hopefully|let me think|i need to check|"
          r"i should check|i'd like to know|i want to know|how much|how many|how long|what time|when does|"
          r"when is|which|whether)\b|\?")
NEED = r"\b(?:need|needs|should|have to|has to|got to|gotta|must|want to|wanna|would like|looking for|" \
       r"figure out|find|haven't|yet|still|ought to|better|plan to|planning to|thinking of|thinking about)\b"
FACTUAL = r"\b(?:what time (?:[a-z]+ ){0,3}?(?:is|does|do|are|opens?|closes?|starts?|leaves?|departs?|arrives?|lands?|ends?|finish(?:es)?)|when (?:is|does|do|are) (?:the )?(?:high|low) tide|healthy|calories?|nutrition\w*|protein|sugar content|carbohydrates?|carbs|caffeine|how many|how much|how long|how far|how old|how tall|" \
          r"what year|who (?:wrote|was|is|invented|directed|sang)|when (?:did|was)|is it true|true that|" \
          r"what's the (?:name|capital|difference)|good for you|safe to|vitamins?|ingredients?|made of|" \
          r"origin|history of|meaning of|stand for|population|distance)\b"
UNIT_WORDS = (r"inch(?:es)?|cm|centimet(?:re|er)s?|feet|foot|ft|met(?:re|er)s?|miles?|km|kilomet(?:re|er)s?|kilos?|kg|"
              r"ounces?|oz|grams?|cups?|tablespoons?|teaspoons?|ml|millilit(?:re|er)s?|fahrenheit|celsius|stones?|"
              r"pints?|lit(?:re|er)s?|gallons?|yards?|lbs?")
def _conversion(h: "Heard") -> str:
    """"62 and a half inches to centimetres" (the units rule's match, either order)."""
    if not h.match:
        return ""
    found = {k: v for k, v in h.match.groupdict().items() if v}
    what = found.get("what") or found.get("what2", "")
    return f"{re.sub(r' (?:us|uk|imperial|american) ', ' ', what)} to {found.get('to') or found.get('to2', '')}"


MEDIA_PHRASE = r"(?:[a-z-]+ ){0,3}?(?:music|songs?|playlist|jazz|podcast|album|tunes|radio|news|sounds|white noise|audiobook|rock)"
CURRENCY_CODES = {"euro": "EUR", "pound": "GBP", "yen": "JPY", "yuan": "CNY", "franc": "CHF", "won": "KRW",
                  "rupee": "INR", "peso": "MXN", "krona": "SEK", "krone": "NOK", "real": "BRL", "baht": "THB",
                  "rand": "ZAR", "zloty": "PLN", "lira": "TRY", "ringgit": "MYR", "dirham": "AED"}
CURRENCY_WORDS = r"dollars?|euros?|pounds|yen|yuan|francs?|won|rupees?|pesos?|kronas?|kronor|kroner|reais|baht|rand|zloty|lira|ringgit|dirhams?"
FORGET = r"\b(?:forget|forgot|forgetting|remember|slip my mind|slips my mind|lose track|lost track|distracted|" \
         r"zone out|lose count)\b"
PAST = r"\b(?:yesterday|last (?:week|night|month|year|time|weekend)|ago|earlier today|went|used to|" \
       r"already|previously|back then)\b"
FUTURE = r"\b(?:tomorrow|tonight|next|later|will|'ll|going to|gonna|this (?:weekend|week|evening|afternoon|" \
         r"morning|friday|saturday|sunday|monday|tuesday|wednesday|thursday)|need to|have to|should|" \
         r"upcoming|coming up|soon|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|at \d|" \
         r"let's|want to|plan|planning)\b"
CUT = re.compile(r"[,.;!?]| - |\b(?:but|because|so that|and then|then|before|after|when|since|or|while|"
                 r"if|which|right|though|cause|cuz)\b")


@dataclass
class Heard:
    """An utterance with what the builders need: its entities, the context, the clock."""

    text: Text
    mentions: list[Mention]
    ctx: dict | None
    now: dt.datetime | None
    match: re.Match | None = None
    action: str = ""  # a watch's action in the user's words, when serving one
    topic: str = ""  # what the watch was for

    def from_action(self, pattern: str, default: str = "") -> str:
        """A group of `pattern` (named `x`) in the action text, cleaned; `default` if absent."""
        m = re.search(pattern, clean(self.action), flags=re.IGNORECASE)
        return m.group("x").strip(" .,!?") if m and m.group("x") else default

    @property
    def raw(self) -> str:
        return clean(self.text.raw)

    def what(self, default: str = "") -> str:
        if self.match is not None and "what" in self.match.groupdict() and self.match.group("what"):
            return object_phrase(self.match.group("what"), self.mentions)
        return default

    def when(self) -> str:
        return spoken_when(self.mentions)

    def city(self) -> str:
        return city_of(self)

    def place(self) -> str:
        places = [m.value for m in self.mentions if m.kind == "place"]
        return str(places[0]) if places else ""

    def context_place(self) -> str:
        """Where the thing talked about happens, from the digital context (an event's location)."""
        for f in about(self.text, facts_from_context(self.ctx)):
            if f.location:
                return f.location
        return ""

    def person(self) -> str:
        names = [m.value for m in self.mentions if m.kind == "name"]
        return str(names[0]) if names else ""


def object_phrase(s: str, mentions: list[Mention]) -> str:
    """The thing talked about: up to the end of the clause, without the time words, at most 8 words."""
    s = CUT.split(s, maxsplit=1)[0]
    for m in mentions:
        if m.kind in ("day", "time", "part"):
            s = re.sub(rf"\b(?:on |at |by |this |next |for |around |in the )?{re.escape(m.text)}\b", " ", s)
    s = re.sub(r"\b(?:tomorrow|today|tonight|later|soon|this week(?:end)?|next week|in the (?:morning|evening|afternoon))\b",
               " ", s)
    s = re.sub(r"^(?:to |a |an |some |the )", "", s.strip())
    words = s.split()
    return " ".join(words[:8]).strip(" ,.'")


def spoken_when(mentions: list[Mention]) -> str:
    day = next((m for m in mentions if m.kind == "day"), None)
    time = next((m for m in mentions if m.kind == "time"), None)
    part = next((m for m in mentions if m.kind == "part"), None)
    out = []
    if day:
        ref: DayRef = day.value  # type: ignore[assignment]
        out.append(re.sub(r"\b(?:on )?(\w+day)\b", lambda m: m.group(1).capitalize(), ref.text).strip())
    if time:
        t: ClockTime = time.value  # type: ignore[assignment]
        out.append("at " + t.spoken())
    elif part and (not day or part.text not in day.text):
        out.append(("in the " + part.text) if part.text in ("morning", "afternoon", "evening") else part.text)
    return " ".join(out).strip()


def city_of(h: Heard) -> str:
    """The city meant: one said ("in Boston"), else where the context puts the user."""
    places = [str(m.value) for m in h.mentions if m.kind == "place"]
    if places:
        return places[0]
    maps = ((h.ctx or {}).get("app_states") or {}).get("Maps") or {}
    state = maps.get("state", maps) if isinstance(maps, dict) else {}
    loc = state.get("maps", state) if isinstance(state, dict) else {}
    for key in ("current_location", "home_location", "location", "city"):
        value = loc.get(key) if isinstance(loc, dict) else None
        if isinstance(value, str) and value:
            return _city_from_address(value)
    return "current location"


def _city_from_address(addr: str) -> str:
    parts = [p.strip() for p in addr.split(",") if p.strip()]
    for p in parts[1:]:
        if re.fullmatch(r"[A-Za-z][A-Za-z .'-]+", p) and not re.fullmatch(r"[A-Z]{2}", p):
            return p
    return parts[0] if parts else addr


# ---- argument builders --------------------------------------------------------------------------

# the sum done aloud: "twelve at fifty p each, that's six pounds"; "so forty-three twenty each"
RESULT_SAID = re.compile(r"\b(?:that's|that is|which is|which makes|makes|so|equals|works out at|that'll be)"
                         r",? (?:about |roughly |exactly |just |only )?(?:[£$€] ?)?\d|"
                         # the share told, not to be worked out ("it's twelve-fifty each for the match fee")
                         r"\b(?:it's|it is|they're|they are|that's|costs?|comes to) (?:[£$€] ?)?\d+(?:[. ]\d+)? each\b")


def _expression(h: Heard) -> str:
    """The arithmetic said: "15 percent of 84", "84 / 3", "12 times 7" ("" when the speaker said the result)."""
    norm = h.text.norm
    if RESULT_SAID.search(norm) and not re.search(r"\b(?:not sure|no idea|don't know|dunno|can't (?:work out|do)|how much|how many)\b|\?", norm):
        return ""
    m = re.search(r"(\d+(?:\.\d+)?) ?(?:%|percent)(?: tip)? (?:of |on )?(?:the |a |that )?(?:\$ ?)?(\d+(?:\.\d+)?)?", norm)
    numbers = re.findall(r"\d+(?:\.\d+)?", norm)
    if m:
        base = m.group(2) or next((n for n in numbers if n != m.group(1)), "")
        return f"{m.group(1)} percent of {base}".strip()
    people = re.search(r"\b(?:the |all )?(\d+) of us\b|\b(\d+) (?:ways|people|persons)\b", norm)
    if people and len(numbers) >= 2:
        count = people.group(1) or people.group(2)
        amount = next((n for n in numbers if n != count), numbers[0])
        return f"{amount} / {count}"
    if len(numbers) >= 2 and re.search(r"\b(?:split|divide|divided|between|among|each|per person|ways)\b", norm):
        return f"{numbers[0]} / {numbers[1]}"
    ops = re.findall(r"\b(plus|minus|times|divided by)\b", norm)
    if len(numbers) >= 2 and ops:
        return f" {ops[0]} ".join(numbers[:2])
    return " + ".join(numbers) if len(numbers) >= 2 else ""


def _calendar_title(h: Heard) -> str:
    what = h.what()
    name = h.person()
    if not what:
        what = "Meeting"
    if name and name.lower() not in what.lower() and re.search(r"\bwith\b", h.text.norm):
        what = f"{what} with {name}"
    return what[:1].upper() + what[1:]


def _already_in_calendar(h: Heard, title: str) -> bool:
    """The calendar (or notes) already hold this (same words, same day when one is said)."""
    days = [m.value for m in h.mentions if m.kind == "day"]
    words = {lemma(w) for w in tokens(title) if is_content(w)}
    for f in facts_from_context(h.ctx):
        if not (words & f.anchors):
            continue
        if not days or not f.start or any(d.matches(f.start.date()) for d in days):  # type: ignore[union-attr]
            return True
    return False


ArgBuilder = Callable[[Heard], "dict[str, Any] | None"]


def _args_calendar(h: Heard) -> dict[str, Any] | None:
    if not any(m.kind in ("day", "time", "part") for m in h.mentions):
        return None
    title = _calendar_title(h)
    if _already_in_calendar(h, title):
        return None
    return {"action": "create", "title": title, "time": h.when()}


def _zone_place(h: Heard) -> str:
    """The place before "is N hours ahead/behind" ("if Berlin is eight hours ahead")."""
    m = re.search(r"\b(?:if|whether|is|in) ([A-Z][a-z]+)(?: is)? (?:\w+ )?(?:\d+|\w+) hours? (?:ahead|behind)", h.text.raw) or \
        re.search(r"\btime (?:difference|zone) (?:with|in|for|of) ([A-Z][a-z]+)", h.text.raw)
    return m.group(1) if m else ""


def _args_search(h: Heard) -> dict[str, Any] | None:
    out = _b(source="world", item=_search_item, query=_search_query)(h)
    if out is not None:  # (not a tool argument: the offer's wording) "what time high tide is at whitby" needs no "of"
        out["of_item"] = "" if out["query"].startswith("what time") else f" of {out['item']}"
    return out


def _booked_kind(h: Heard) -> str:
    """What kind of service a booking is for, from its head noun ("a puppy training class" -> "class")."""
    m = re.search(r"\b(class|course|lesson|appointment|session|slot|table|room|service|check-?up|consultation|"
                  r"visit|treatment|test|inspection)s?\b", h.match.group("what") if h.match else h.text.norm)
    return m.group(1) if m else "appointment"


def _args_reminder(h: Heard) -> dict[str, Any] | None:
    """A reminder needs a when ("tomorrow at 5") or a fear of forgetting ("don't let me forget")."""
    what = re.sub(r"^(?:remember|not forget|to remember) to ", "", h.what())
    if not what or len(what.split()) < 2:
        return None
    if not (any(m.kind in ("day", "time", "part") for m in h.mentions) or re.search(FORGET, h.text.norm)):
        return None
    return {"action": "set", "content": what, "time": h.when() or "later today", "title": what}


def _args_timer(h: Heard) -> dict[str, Any] | None:
    m = re.search(r"\b(\d+|an|a|half an) (?:more )?(minutes?|mins?|hours?|seconds?)\b", h.text.norm)
    if not m:
        return None
    unit = {"min": "minutes", "mins": "minutes"}.get(m.group(2), m.group(2))
    if m.group(1) in ("an", "a", "half an"):
        return _timer_args(h, "30 minutes" if m.group(1) == "half an" else f"1 {unit.rstrip('s')}")
    return _timer_args(h, f"{m.group(1)} {unit}")


def _timer_args(h: Heard, duration: str) -> dict[str, Any]:
    thing = re.search(r"\b(?:the|my|our) (oven|roast|lasagne|chicken|turkey|bread|cake|pasta|rice|eggs?|laundry|washing|dryer|tea|roast|pizza|cookies|batch)\b",
                      h.text.norm)
    what = f"check the {thing.group(1)}" if thing else "time is up"
    return {"action": "set", "time": duration, "content": what, "title": what}


# generic slot -> schema property names it may fill (first that the tool has wins)
SLOT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "city": ("city", "location", "place"),
    "to": ("to", "destination", "address", "location"),
    "what": ("content", "query", "query_item", "title", "item", "details", "expression", "target", "topic"),
    "details": ("details", "content", "query", "description"),
    "time": ("time", "datetime", "when", "date"),
    "who": ("target", "recipient", "contact", "to"),
    "stop": ("busStopName", "stop", "station"),
    "amount": ("amount", "value", "sum"),
    "currency_from": ("from_ccy", "from_currency", "source_currency", "base_currency", "currency_from", "from"),
    "currency_to": ("to_ccy", "to_currency", "target_currency", "quote_currency", "currency_to", "to"),
}


@dataclass(frozen=True)
class IntentRule:
    name: str
    cues: tuple[str, ...]
    tools: tuple[str, ...]
    offer: str  # "Shall I ...?" with {arg} placeholders from the built arguments
    build: ArgBuilder
    requires: tuple[str, ...] = ()  # each must match
    tool_words: tuple[str, ...] = ()  # words of a tool's name/description that serve the need too
    future: bool = False  # a plan or need ahead, not a story about the past
    extra: dict = field(default_factory=dict)


def _b(**fixed: Any) -> ArgBuilder:
    """A builder from slot functions: values are constants or callables of the Heard."""
    def build(h: Heard) -> dict[str, Any] | None:
        out = {k: (v(h) if callable(v) else v) for k, v in fixed.items()}
        return out if all(v not in (None, "") for v in out.values()) else None
    return build


# Running late: both an implicit need (INTENT_RULES) and an action item (ACTION_RULES).
LATE_RULE = IntentRule(
    "late", (r"\b(?:no way i'm (?:making it|going to make it|getting there)|(?:not|never) going to make it|won't make it|"
             r"running late|(?:'m|'re|\bam|\bare|\bis|'s) (?:going to|gonna) be late|running behind)\b",),
    ("communication",), "Shall I let {target} know you're running late?",
    _b(action="message", who=lambda h: h.person() or _attendee(h) or "the people you're meeting",
       what="I'm running late, sorry!"),
    tool_words=("message", "send", "communicat"))

INTENT_RULES: tuple[IntentRule, ...] = (
    IntentRule("weather", (r"\b(?:weather|forecast|rain(?:ing|y)?|snow(?:ing)?|storm|temperature|sunny|"
                           r"how (?:hot|cold|warm)|degrees|chilly)\b", r"\b(?:bring|take|need|pack|wear) (?:an|a|my|the) (?:umbrella|jacket|coat|sweater|scarf|raincoat)\b"),
               ("realtime_weather",), "Shall I check the weather forecast for {city}?",
               _b(city=Heard.city), requires=(UNSURE,), tool_words=("weather", "forecast")),
    IntentRule("air_quality", (r"\b(?:air quality|pollution|smog|aqi|haze|hazy|pm ?2\.5|the air)\b",),
               ("realtime_aqi",), "Shall I check the air quality in {city}?", _b(city=Heard.city),
               requires=(UNSURE,), tool_words=("air quality", "aqi")),
    IntentRule("bus", (r"\b(?:bus|buses)\b",), ("CheckBusSchedule",),
               "Shall I check the bus schedule at {busStopName}?",
               _b(busStopName=lambda h: h.place() or "the nearest stop", busScheduleInfo="next departures"),
               requires=(UNSURE + r"|\b(?:next|catch|miss|late|schedule|when)\b",), tool_words=("bus",)),
    IntentRule("taxi", (r"\b(?:need|get|call|grab|book|order|take) (?:a |an |us a )?(?:taxi|cab|uber|lyft|ride)\b",
                        r"\b(?:taxi|cab) (?:to|for)\b"),
               ("book_service",), "Shall I book a taxi for you?",
               _b(service_type="taxi", details=lambda h: ("taxi " + (f"to {h.place()} " if h.place() else "") + h.when()).strip()),
               tool_words=("taxi",), extra={"service_type": "taxi"}),
    IntentRule("restaurant", (r"\b(?:book|reserve|get|grab) (?:us )?(?:a )?table\b",
                              r"\b(?:make|need|get|book) (?:a )?(?:dinner |lunch )?reservation\b",
                              r"\bhope they (?:have|'ve got|got) (?:space|room|a table|availability|seats)\b",
                              r"\b(?:never |not )?get a table\b", r"\bwithout (?:booking|a reservation|reserving)\b",
                              # a venue to be rung for a date and a party ("ring them and check it's free on the 17th for eight of us")
                              r"\b(?:ring|call|phone|book|check with) (?:them|the \w+)\b[^.]*\bfor (?:\w+) of us\b",
                              r"\bcheck (?:if |whether )?(?:it's|they're|they've got|they have) (?:free|space|room|a table|availability)\b[^.]*\bfor (?:\w+) of us\b",
                              r"\b(?:should|could|let's|wanna|want to) (?:go|eat|try|grab (?:dinner|lunch|brunch)|"
                              r"have (?:dinner|lunch))\b.*\b(?:restaurant|bistro|cafe|trattoria|sushi|pizzeria|"
                              r"steakhouse|place)\b"),
               ("book_service",), "Shall I book a table for you ({details})?",
               _b(service_type="restaurant", details=lambda h: " ".join(
                   x for x in (h.what("table"), h.when()) if x) or "table"),
               tool_words=("restaurant", "table"), future=True),
    IntentRule("flight", (r"\b(?<!the )(?<!our )(?<!my )(?<!your )(?:flights?|fly (?:to|out|back|home)|plane tickets?|airfare)\b",
                          r"\b(?:(?:haven't|have not|hasn't|not) (?:yet |even )?(?:sorted|figured|worked) out|sort out|figure out|work out|book|arrange|organi[sz]e|plan|look into) (?:getting|travel(?:ling)?|"
                          r"my trip|a trip|the trip|how to get|how (?:i'm|we're|i am|we are) getting) (?:to|over to|down to|up to|there)\b"),
               ("travel_search",), "Shall I search for flights ({details})?",
               _b(type="flight", details=lambda h: " ".join(x for x in ("flights", ("to " + h.place()) if h.place() else "", h.when()) if x)),
               requires=(NEED + "|" + UNSURE,), tool_words=("flight",), future=True),
    IntentRule("hotel", (r"\b(?<!the )(?<!our )(?<!my )(?<!your )(?:hotels?|place to stay|accommodation|airbnb|somewhere to stay)\b",),
               ("travel_search",), "Shall I search for hotels ({details})?",
               _b(type="hotel", details=lambda h: " ".join(x for x in ("hotels", ("in " + h.place()) if h.place() else "", h.when()) if x)),
               requires=(NEED + "|" + UNSURE,), tool_words=("hotel",), future=True),
    IntentRule("recipe", (r"\bwhat (?:can|should|could|do|would) (?:i|we|you|one) (?:even |possibly |actually )?(?:make|cook|bake)(?: with)? (?P<what>.*)",
                          r"\bwhat (?:i|we) (?:can|could|should|might) (?:even |possibly |actually )?(?:make|cook|bake)(?: with)? (?P<what>.*)",
                          r"\brecipes? (?:for |with )?(?P<what>.*)",
                          r"\bhow (?:do|would|can) (?:you|i|we) (?:make|cook|bake) (?P<what>.*)",
                          r"\bideas? for (?P<what>(?:dinner|lunch|breakfast).*)",
                          r"\b(?:no idea|not sure|don't know|no clue|any ideas?) (?:what|for what) (?:(?:main |side )?(?:dish|meal|course|dessert|pudding|curry|starter) )?"
                          r"(?:to |i should |we should |i can |we can )?(?:make|cook|have for (?:dinner|lunch))\b",
                          r"\bwhat (?:to|should i|should we) (?:make|cook)\b",
                          r"\b(?:make|cook|bake) something\b[^.]*\b(?:no idea|not sure|no clue|don't know|haven't a clue) what\b"),
               ("recipe_search",), "Shall I look up a recipe for {query}?",
               _b(what=lambda h: h.what() or _ingredients(h) or "dinner ideas"), tool_words=("recipe",)),
    IntentRule("calculate", (r"\b(?:split|divided by|times(?! (?:a|per|each|every) (?:day|week|month|year|night|morning|evening)\b| daily\b| weekly\b)|plus|minus|percent of|% of|tip|per person|add up|"
                             r"calculate|how much (?:is|would|will|does) (?:that|it|each)|each(?! time))\b",
                             r"\b(?:can't|cannot|can not|couldn't) (?:\w+ )?(?:do|work) (?:that|this|it|the (?:sums?|maths?)) (?:out )?in my head\b",
                             r"\b(?:bad|terrible|awful|hopeless|rubbish|useless|not great|never good) (?:at|with) "
                             r"(?:math|maths|numbers|arithmetic|sums)\b"),
               ("calculate",), "Shall I calculate {expression} for you?", _b(what=_expression),
               requires=(r"\d.*\d|\d+ ?(?:%|percent)",
                         UNSURE + r"|\b(?:let me|figure|work out|bad at|terrible at|hopeless at|rubbish at|each|split|in my head)\b"),
               tool_words=("calculat", "math", "arithmetic")),
    IntentRule("finance", (r"\b(?:stock|stocks|shares|share price|exchange rate|ticker|nasdaq|dow jones)\b",
                           r"\b(?:dollars?|euros?|yen|pounds|yuan) (?:to|in|into|against) (?:dollars?|euros?|yen|pounds|yuan)\b",
                           rf"\b(?:{CURRENCY_WORDS})\b.*\b(?:in|to|into) (?:(?:us|canadian|australian|japanese|indian|swiss|"
                           rf"hong kong|new zealand|south african|chinese|mexican|brazilian|thai|turkish) )?(?:{CURRENCY_WORDS})\b",
                           r"\bexchange rate\b|\bthe rate\b",
                           rf"\bhow much (?:that|it|this|[a-z' ]{{1,20}}?) (?:is|comes to|would be|works out at) in (?:us |canadian |australian )?(?:{CURRENCY_WORDS})\b"),
               ("financial_query", "QueryStock", "convert_money", "currency_convert", "convert_currency"), "Shall I look up {what}?",
               lambda h: _args_finance(h), requires=(UNSURE + r"|\b(?:doing|check|price|worth)\b",),
               tool_words=("stock", "exchange", "currency")),
    IntentRule("directions", (r"\bhow (?:do|can|would|should) (?:i|we) get (?:to|there)\b", r"\bdirections\b",
                              r"\bwhere (?:exactly )?is (?:the|that)\b", r"\bnever been (?:to|there)\b",
                              r"\bnot sure (?:where|how to get)\b", r"\bfind (?:the|my|our) way\b",
                              r"\bwhich way\b", r"\bget lost\b", r"\bhow far is\b",
                              r"\b(?:no idea|no clue|not sure|don't know|dunno|can't remember) (?:how to get|how i get|"
                              r"how we get|where (?:it|that|the \w+) is|the way)\b",
                              r"\bsomewhere on the other side of\b"),
               ("find_directions",), "Shall I get directions to {to}?",
               _b(to=lambda h: h.place() or h.context_place()), tool_words=("direction", "navigat", "route")),
    IntentRule("shopping", (r"\b(?:need|have) to (?:buy|order|pick up) (?:some |a |new |more |another )?"
                            r"(?:of (?:the |those |these |our |my )?)?(?P<what>[a-z0-9' ]+)",  # ("more of the overnight ones")
                            # "somebody must order the PBS today": an order someone has to place
                            r"\b(?:somebody|someone|(?:one|1) of us|we) (?:must|needs? to|has to|have to|should|ought to|'ll have to) "
                            r"(?:buy|order|reorder|pick up) (?:some |a |new |more |another |the )?(?P<what>[a-z0-9' ]+?)"
                            r"(?= today| tonight| tomorrow| before| by| this|[,.;!?]|$)",
                            r"\b(?:we're|i'm|we are|i am) (?:\w+ )?(?:out of|running (?:low|out) (?:on|of)) (?P<what>[a-z0-9' ]+)",
                            r"\bran out of (?P<what>[a-z0-9' ]+)", r"\bneed (?:a )?new (?P<what>[a-z0-9' ]+)",
                            r"\b(?:broke|lost|ruined) my (?P<what>[a-z0-9' ]+)",
                            r"\bmy (?P<what>[a-z' ]{3,30}?) (?:just |has |is |finally )?(?:broke|broken|died|stopped working|snapped|"
                            r"cracked|ripped|tore|fell apart|gave out|wore out)\b",
                            r"\bno (?P<what>[a-z' ]{3,30}?) left\b", r"\b(?:used|finished) (?:up )?the last of (?:the |my |our )?(?P<what>[a-z' ]+)",
                            r"\b(?:i|we) (?:have|got|'ve got) no (?!idea|clue|time|plans|way|choice)(?P<what>[a-z' ]{3,30})",
                            r"\bstill need (?:a |an |some |to buy |to get )?(?!to\b)(?P<what>[a-z' ]{3,30})",
                            r"\b(?:putting off|put off) (?:getting|buying|ordering) (?:a |an |some |new )?(?P<what>[a-z' ]{3,30})",
                            # an order always forgotten: "I keep meaning to get the oat milk reordered"
                            r"\b(?:keep meaning to|keep forgetting to|always forget to|never remember to) (?:re)?(?:order|buy) "
                            r"(?:some |a |more |the |our )?(?P<what>[a-z0-9' ]{3,30}?)(?= from\b| and\b| but\b|[,.]|$)",
                            r"\b(?:keep meaning to|keep forgetting to|always forget to|never remember to) get "
                            r"(?:some |a |more |the |our )?(?P<what>[a-z0-9' ]{3,30}?) (?:re)?ordered\b"),
               ("shop", "note_taking"), "Shall I look for {content} to buy?", _b(what=lambda h: h.what()),
               tool_words=("purchase", "shop", "buy")),
    IntentRule("media", (r"\b(?:put(?:ting)? on|play(?:ing)?|listen(?:ing)? to|in the mood for|could (?:really )?(?:use|do with)|feel like listening to|hear|(?:nicer|better) with) (?:some |a |an |the )?(?P<what>" + MEDIA_PHRASE + r")\b",
                         r"\bwatch (?:a|the|some) (?P<what>movie|film|show|episode|documentary)\b"),
               ("play_media",), "Shall I play {content}?", _b(what=lambda h: h.what() or _media_phrase(h)),
               tool_words=("play", "music", "media")),
    IntentRule("guided_activity", (r"\b(?:so|really|super|too|very|totally|feeling|feel) (?:stressed|anxious|tense|wound up|overwhelmed|restless|burned out)\b",
                                   r"\b(?:need|want|have) to (?:calm down|unwind|relax|de-?stress|meditate|stretch|breathe)\b",
                                   r"\bcan't (?:relax|calm down|switch off|unwind)\b",
                                   r"\b(?:rattled|shaken|on edge|a nervous wreck|panicking|freaking out)\b|\b(?:hands|legs) (?:are )?(?:still )?shaking\b|\bheart is (?:still )?(?:racing|pounding)\b",
                                   r"\b(?:quick|short) (?:workout|meditation|stretch|breathing)\b"),
               ("guided_activity",), "Shall I start a {content} for {time}?",
               _b(what=lambda h: "guided workout" if re.search(r"workout|stretch", h.text.norm) else "guided meditation",
                  time=lambda h: _duration(h) or "ten minutes"),
               tool_words=("meditation", "guided", "activity")),
    IntentRule("environment", (r"\b(?:it's|it is|getting|feels?|so|way too|too) (?:so |really |way |too |kind of |a bit |pretty )?(?P<what>cold|hot|warm|chilly|freezing|stuffy|dark|bright|dim|humid|boiling|roasting|sweltering|stifling|baking)(?: (?:in )?(?:here|in this room|inside))\b",
                               r"\bturn (?:on|off|up|down) (?:the )?(?P<what>lights?|heat(?:ing)?|ac|air conditioning|thermostat|fan)\b",
                               r"\bcan't see (?:a thing|anything)\b"),
               ("control_environment",), "Shall I adjust the {target} ({value})?",
               _b(target=lambda h: _env_target(h), value=lambda h: _env_value(h)),
               tool_words=("device", "thermostat", "lights", "environment")),
    # (a need to message someone; "I'll text Dana" is the speaker doing it)
    IntentRule("message", (r"\b(?:i should|i need to|i have to|i must|i gotta|gotta|i ought to|remind me to|"
                           r"don't let me forget to|i forgot to|i still need to|i promised to) (?:text|message|tell|email|ping|"
                           r"let|call|send) (?P<who>[a-z]+)(?: know)?(?: that)? ?(?P<what>.*)",),
               ("communication",), "Shall I send {target} a message: '{content}'?",
               _b(action="message", who=lambda h: _recipient(h), what=lambda h: h.what() or "a quick update"),
               tool_words=("message", "send", "communicat")),
    LATE_RULE,
    # a parcel that has not come ("it was meant to be here yesterday, and there's been nothing")
    IntentRule("delivery", (r"\b(?:hasn't|has not|haven't|still not|never|not) (?:arrived|come|turned up|shown up|been delivered)\b",
                            r"\b(?:meant|supposed|due) to (?:be here|arrive|come|be delivered)\b", r"\bno sign of (?:it|the|my|our)\b",
                            r"\b(?:lost|stuck) in the post\b", r"\bsitting in (?:some|a|the) (?:depot|warehouse|sorting office)\b",
                            r"\b(?:no idea|not sure|don't know|no clue) where (?:that|the|my|our|this) (?:\w+ )?"
                            r"(?:order|parcel|package|delivery|shipment|boxes) (?:is|are|has got to|went)\b"),
               ("track_delivery", "track_package", "track_parcel"), "Shall I track the {what}?",
               _b(what=lambda h: _parcel(h)),
               requires=(r"\b(?:parcel|package|delivery|order|present|shipment|sent|posted|courier|tracking|ordered)\b",),
               tool_words=("track", "delivery", "parcel", "package", "shipment")),
    IntentRule("calendar", (r"\b(?:i have|i've got|i got|there's|we have|we've got|i'm having|i booked|we booked|i scheduled|i've scheduled|"
                            r"(?<!'s )(?<!\bhe )(?<!\bshe )(?<!\bthey )(?:have|got)) (?:a|an|my|the|our|that) (?P<what>(?:[a-z']+ ){0,3}?(?:appointment|meeting|interview|class|session|"
                            r"lesson|dinner|lunch|party|game|call|check-?up|exam|practice|rehearsal|date|deadline|concert|"
                            r"reservation|consultation|haircut|recital|match|viewing|visit|presentation|workshop|ceremony))\b",
                            r"\blet's (?P<what>(?:meet|get together|catch up|do lunch|grab (?:lunch|dinner|coffee|drinks)))\b",
                            r"\b(?:we|i) (?:should|could) (?P<what>(?:meet|get together|catch up|grab (?:lunch|dinner|coffee|drinks)))\b",
                            r"\b(?:at|on) [^.]*? to (?P<what>(?:go over|discuss|talk about|review|plan|prepare|meet|look at) [a-z' ]+)",
                            r"\b(?:forget to (?:write|put|note) (?:it|that|this) down|(?:put|add|write) (?:it|that|this) (?:down|in (?:my|the) calendar))\b"),
               ("calendar_event",), "Shall I add '{title}' to your calendar for {time}?", _args_calendar,
               tool_words=("calendar", "event", "schedule"), future=True),
    # a meeting agreed at a clock time ("Thursday at five works for me", "Fine, the 7th, 9:30, let's do it");
    # being free on a day ("I'm free Saturday afternoon, let's do it") is no appointment yet
    IntentRule("calendar", (r"\b(?:works|suits|is good|is fine) for (?:me|us)\b|\blet's do it\b|\bsee you then\b|\bit's a date\b",),
               ("calendar_event",), "Shall I add '{title}' to your calendar for {time}?",
               lambda h: _args_calendar(h) if any(m.kind == "time" for m in h.mentions) else None,  # a clock time, not a day alone
               tool_words=("calendar", "event", "schedule"), future=True),
    IntentRule("timer", (r"\b(?:lose track of time|lost track of time|(?:set|start) a timer|keep track of the time|"
                         r"keep an eye on the (?:time|clock))\b",
                         r"\b(?:needs?|takes?|another|for|in|going|going for|has) (?P<dur>\d+ (?:more )?(?:minutes?|mins?|hours?|seconds?))\b",
                         r"\b\d+ (?:more )?(?:minutes?|mins?|hours?) (?:to go|left|remaining)\b",
                         r"\b(?:needs?|takes?) (?:an|another|half an) hour\b"),
               ("temporal_attention",), "Shall I set a timer for {time}?",
               lambda h: _args_timer(h), requires=(FORGET + r"|\btimer\b|\b(?:oven|bread|cake|pasta|rice|eggs?|laundry|"
                                                   r"washing|dryer|tea|roast|pizza|cookies|batch|lasagne|chicken)\b",),
               tool_words=("remind", "timer", "countdown", "attention", "alarm")),
    IntentRule("reminder", (r"\b(?:i need to|i have to|i've got to|i gotta|gotta|i must|don't let me forget to|i can't forget to|"
                            r"i shouldn't forget to|i should remember to|remember to|i keep forgetting to|i always forget to|i keep meaning to|"
                            r"i'd better|i better|i mustn't forget to|i can't forget) (?P<what>.+)",),
               ("temporal_attention", "note_taking", "calendar_event"), "Shall I set a reminder to {content}{at_time}?",
               _args_reminder, tool_words=("remind", "reminder", "attention", "alarm"), future=True),
    # the thing to remember said first, the fear of forgetting after it ("The presale opens at ten on Thursday
    # and I know I'll completely forget")
    IntentRule("reminder", (r"(?:^|[.;!?] )(?P<what>[^.;!?]+?),? (?:and|but) (?:i know |knowing me,? )?i(?:'ll| will| would) "
                            r"(?:completely |totally |definitely |probably |just |so )?forget\b(?! (?:about )?(?:it|that) (?:ever|soon))",),
               ("temporal_attention", "note_taking", "calendar_event"), "Shall I set a reminder: {content}{at_time}?",
               _args_reminder, tool_words=("remind", "reminder", "attention", "alarm"), future=True),
    # a class, a course or an appointment to be booked ("we really need to get him booked into a puppy training class")
    IntentRule("booking", (r"\b(?:need|have|has|got|ought|want|meant) to (?:get (?:him|her|them|us|me|it) )?(?:book(?:ed)?|"
                           r"sign(?:ed)? (?:(?:him|her|them|us|me) )?up|enrol(?:led)?|register(?:ed)?)(?: (?:him|her|them|us|me))?"
                           r"(?: (?:in|into|on|onto|for))? (?P<what>(?:a|an|the|some) [^,.;!?]+)",
                           # the thing named before ("We still need to book it for six people for Saturday afternoon")
                           r"\b(?:need|have|has|got|ought|want|meant) to (?:book|reserve) (?:it|them|one|that|this)"
                           r"(?P<what> (?:for|on) [^,.;!?]+)",
                           # the thing to have booked ("I'll need a babysitter booked for Monday and Tuesday")
                           r"\b(?:i|we)(?:'ll| will)? (?:need|have to get|need to get|must get|gotta get) "
                           r"(?P<what>(?:a|an|the|some) (?:\w+ ){0,2}?\w+) (?:booked|reserved|arranged|sorted)\b"),
               ("book_service",), "Shall I book {details}?",
               _b(service_type=lambda h: _booked_kind(h), details=lambda h: h.match.group("what").strip() if h.match else _said_topic(h)[:80],
                  time=lambda h: h.when() or "to be confirmed"),
               tool_words=("book", "booking", "appointment"), future=True),
    IntentRule("note", (r"\b(?:write (?:this|that|it) down|make a note|note to self|jot (?:this|that|it) down|"
                        r"add (?:that|it|this) to (?:my|the) (?:list|notes)|i should note|keep track of) ?(?P<what>.*)",),
               ("note_taking",), "Shall I note down: '{content}'?", _b(what=lambda h: h.what() or h.raw[:80]),
               tool_words=("note", "list")),
    # the time somewhere else: "I never remember if Berlin is eight hours ahead of us or nine"
    IntentRule("timezone", (r"\b(?:\w+ )?hours? (?:ahead|behind)\b", r"\btime (?:difference|zone)\b",
                            r"\bwhat time (?:it is|is it) (?:in|over in|out in) [a-z]+"),
               ("world_clock", "time_zone", "timezone", "search"), "Shall I check the time in {place}?",
               _b(place=lambda h: h.place() or _zone_place(h), query=lambda h: "time difference"),
               requires=(UNSURE + r"|\bnever remember\b|\bforget\b|\bconfus\w*|\bwhich is it\b",),
               tool_words=("clock", "time zone", "timezone")),
    IntentRule("units", (rf"\b(?P<what>\d+(?:\.\d+)?(?: and a half)? (?:{UNIT_WORDS})) (?:is |are |would be |comes to |works out )?"
                         rf"(?:in|into|to) (?:us |u\.s\. |uk |imperial |metric |american |british )?(?P<to>{UNIT_WORDS})\b",
                         # the unit wanted first ("I need that in litres, the eleven hundred and eighty gallons")
                         rf"\b(?:that|this|it) (?:in|into) (?P<to2>{UNIT_WORDS})\s*,?\s*(?:the |all )?"
                         rf"(?P<what2>\d+(?:\.\d+)?(?: and a half)? (?:us |uk |imperial |american )?(?:{UNIT_WORDS}))\b"),
               ("convert_units", "unit_converter", "calculate", "search"), "Shall I convert {what} for you?",
               _b(what=_conversion, expression=_conversion, query=_conversion),
               requires=(NEED + "|" + UNSURE + r"|\bneed to know\b|\bwant to know\b",),
               tool_words=("convert", "unit", "calculat")),
    # a place to be found ("I need to find somewhere near junction fifteen that can feed fifty people")
    IntentRule("places", (r"\b(?:need|have|got|want|'ve got) to find (?P<what>(?:somewhere|someplace|a place|a spot|an? (?:\w+ ){0,2}?"
                          r"(?:cafe|café|restaurant|pub|garage|chemist|pharmacy|shop|hotel|b&b|hostel|campsite|car park|parking|"
                          r"petrol station|services|venue|hall|vet|dentist|launderette|laundrette))\b[^.;!?]*)",),
               ("search",), "Shall I search for {query}?",
               _b(query=lambda h: h.match.group("what").strip()[:100] if h.match else _said_topic(h)[:80], source="local"),
               tool_words=("search", "look up", "places", "nearby"), future=True),
    IntentRule("search", (r"\b(?:i wonder|wondering|i'm not sure|not sure (?:if|whether|what|how)|"
                          r"(?:no idea|no clue|(?:haven't|have not) (?:got )?a clue|(?:need|want|'d like|would like) to know) "
                          r"(?:what|when|how|if|whether|where|who|which)|"
                          r"i (?:honestly |really |genuinely |just |actually )?(?:don't|do not) know (?:if|whether|what|how|who|when)|"
                          r"i can't remember|can't recall|is it true|any idea)\b",
                          r"\b(?:are|is) (?:they|those|these|it|that|\w+(?: \w+)?) (?:really |actually |even |even really )?(?:healthy|good for you|safe)\b",
                          r"\bright\s*\?\s*$", r"\bhow (?:much|many) (?:caffeine|sugar|calories|protein|fat|salt|carbs)\b"),
               ("search",), "Shall I look up {query}{of_item} for you?",
               _args_search,
               requires=(FACTUAL,), tool_words=("search", "look up", "knowledge")),
)


def _parcel(h: Heard) -> str:
    """What is on its way ("my sister's birthday present", "the parcel"); "parcel" when not named."""
    m = re.search(r"\b((?:my|the|our|her|his|their) (?:[a-z']+ ){0,3}?(?:parcel|package|delivery|order|present|shipment))\b",
                  h.text.norm)
    return m.group(1) if m else "parcel"


def _args_finance(h: Heard) -> dict[str, Any]:
    """A stock or a currency pair; for a pair also its codes and the amount said ("340 euros in dollars":
    EUR, USD, 340), for a converter's own parameters."""
    target = _finance_target(h)
    out: dict[str, Any] = {"what": target}
    pair = re.fullmatch(r"([A-Z]{3}) to ([A-Z]{3})", target)
    if pair is None and re.search(rf"\b(?:{CURRENCY_WORDS})\b", h.text.norm) and target == "stock market":
        return {}  # one currency named: the amount's own is said elsewhere (the sentence before, joined later)
    if pair:
        out["currency_from"], out["currency_to"] = pair.groups()
        amounts = [m.value for m in h.mentions if m.kind == "amount" and isinstance(m.value, (int, float))]
        if amounts:
            out["amount"] = amounts[0]
            out["what"] = f"{amounts[0]:g} {pair.group(1)} in {pair.group(2)}"
    return out


def _finance_target(h: Heard) -> str:
    pair = re.findall(rf"\b((?:us|canadian|australian|swiss|hong kong|new zealand) )?({CURRENCY_WORDS})\b", h.text.norm)
    if len(pair) >= 2:
        codes = [_currency_code(q.strip(), c) for q, c in pair[:2]]
        if codes[0] != codes[1]:
            return f"{codes[0]} to {codes[1]}"
    return _stock_target(h)


def _currency_code(qualifier: str, word: str) -> str:
    w = lemma(word)
    if w == "dollar":
        return {"canadian": "CAD", "australian": "AUD", "hong kong": "HKD", "new zealand": "NZD"}.get(qualifier, "USD")
    return CURRENCY_CODES.get(w, w.upper())


def _stock_target(h: Heard) -> str:
    m = re.search(r"\b([a-z]+) (?:stock|shares|share price)\b", h.text.norm)
    if m and is_content(m.group(1)):
        return m.group(1).upper() if len(m.group(1)) <= 4 else m.group(1).capitalize() + " stock"
    m = re.search(r"\b(dollars?|euros?|yen|pounds|yuan) (?:to|in|into|against) (dollars?|euros?|yen|pounds|yuan)\b", h.text.norm)
    if m:
        code = {"dollar": "USD", "euro": "EUR", "yen": "JPY", "pound": "GBP", "yuan": "CNY"}
        return f"{code[lemma(m.group(1))]} to {code[lemma(m.group(2))]}"
    names = [m.value for m in h.mentions if m.kind == "name"]
    return f"{names[0]} stock" if names else "stock market"


def _attendee(h: Heard) -> str:
    """Someone the talked-about event is with (its attendees, or "with X" in its title)."""
    for f in about(h.text, facts_from_context(h.ctx)):
        if f.people:
            return f.people[0]
    return ""


def _ingredients(h: Heard) -> str:
    """The foods to cook with: "I've only got eggs, spinach and feta", "make something with that squash and feta"."""
    w = re.search(r"\b(?:make|cook|do|bake) something (?:\w+ )?with (?:that |the |some |my )?(?P<x>[a-z' ]+? and (?:that |the |some )?[a-z' ]+?)"
                  r"(?:,| but\b|\.|$)", h.text.norm)
    if w:
        return re.sub(r"\b(?:that|the|some) ", "", w.group("x")).strip()
    m = re.search(r"\b(?:only )?(?:got|have|left with) (?:some |only )?(?P<x>[a-z' ]+(?:,? (?:and )?[a-z' ]+)*?)(?: at home| in the fridge|\.|$)",
                  h.text.norm)
    return m.group("x").strip() if m and "," in h.text.norm[m.start():m.end() + 1] or m and " and " in (m.group("x") if m else "") else ""


def _duration(h: Heard) -> str:
    m = re.search(r"\b(\d+) ?(minutes?|mins?)\b", h.text.norm)
    return f"{m.group(1)} minutes" if m else ""


def _env_target(h: Heard) -> str:
    norm = h.text.norm
    if re.search(r"cold|hot|warm|chilly|freezing|stuffy|humid|heat|thermostat|ac\b|air conditioning|boiling|roasting|"
                 r"sweltering|stifling|baking", norm):
        return "thermostat"
    if re.search(r"dark|bright|dim|light|see", norm):
        return "lights"
    return "fan"


def _env_value(h: Heard) -> str:
    norm = h.text.norm
    table = (("cold|chilly|freezing", "raise temperature to 22C"),
             ("hot|warm|stuffy|humid|boiling|roasting|sweltering|stifling|baking", "lower temperature to 20C"),
             ("dark|dim|can't see", "on, brightness 80%"), ("bright", "dim to 40%"),
             (r"turn off", "off"), (r"turn on", "on"), (r"turn up", "up"), (r"turn down", "down"))
    for pat, value in table:
        if re.search(pat, norm):
            return value
    return "on"


def _recipient(h: Heard) -> str:
    who = h.match.group("who") if h.match is not None and h.match.groupdict().get("who") else ""
    names = [str(m.value) for m in h.mentions if m.kind == "name"]
    for n in names:
        if n.lower().startswith(who.lower()):
            return n
    # ("I'll call it a day", "I'll send it over", "let that go": no one to message)
    return who.capitalize() if who and who not in NOT_RECIPIENTS else (names[0] if names else "")


NOT_RECIPIENTS = frozenset({"her", "him", "them", "the", "my", "a", "an", "it", "that", "this", "those", "these", "out",
                            "off", "back", "round", "over", "up", "in", "down", "some", "something", "anything",
                            "everything", "nothing", "one", "on", "me", "myself"})


def _search_item(h: Heard) -> str:
    names = [str(m.value) for m in h.mentions if m.kind == "name"]
    if names:
        return names[-1]
    m = re.search(r"\b(?:keep |been )?(?:eating|drinking|having) (?:some |a lot of |lots of |the |so much )?(?P<x>[a-z ]{3,30}?)(?: but| and| every|,|\.|$)", h.text.norm)
    if m:
        return m.group("x").strip()
    m = re.search(r"\b(?:are|is) (?:those |these |the )?(?P<x>[a-z ]{3,40}?) (?:really |actually |even )?(?:healthy|good for you|safe)\b", h.text.norm)
    if m:
        return m.group("x").strip()
    words = [w for w in h.text.words if is_content(w)]
    return " ".join(words[-3:])


MEDIA_LEAD = frozenset({"bit", "of", "little", "use", "really", "putting", "put", "on", "some", "a", "an", "the", "play", "playing", "listen",
                        "listening", "to", "could", "with", "hear", "need", "want"})


def _media_phrase(h: Heard) -> str:
    """What to play, named anywhere in the line (the semantic layer chose the row, no cue matched)."""
    m = re.search(r"\b(?:some |a |an |the )?(" + MEDIA_PHRASE + r")\b", h.text.norm)
    if not m:
        return ""
    words = m.group(1).split()
    while len(words) > 1 and words[0] in MEDIA_LEAD:
        words.pop(0)
    return object_phrase(" ".join(words), h.mentions)


def _nutrient(h: Heard) -> str:
    m = re.search(r"\b(sugar|salt|fat|fibre|fiber|carb(?:ohydrate)?s?|caffeine|iron|calcium|protein)(?: content)?\b", h.text.norm)
    return f"{m.group(1)} content" if m else ""


def _search_query(h: Heard) -> str:
    nutrient = _nutrient(h)
    if nutrient:
        return nutrient
    m = re.search(FACTUAL, h.text.norm)
    if m and m.group(0).startswith("what time"):  # the whole question: "what time high tide is at whitby on saturday"
        return re.split(r"[,;.?!]| and | but | so ", h.text.norm[m.start():])[0].strip()
    word = m.group(0) if m else "information"
    return {"healthy": "nutritional content", "good for you": "health benefits", "calories": "calorie content",
            "calorie": "calorie content"}.get(word, word)


# ---- applying the table -------------------------------------------------------------------------

@dataclass
class Offer:
    rule: str
    tool: str
    arguments: dict[str, Any]
    question: str


def find_tool(rule: IntentRule, tools: list[ToolSchema]) -> ToolSchema | None:
    """The session's tool that serves the rule: by name first, else by words of its description."""
    by_name = {t.name: t for t in tools}
    for name in rule.tools:
        if name in by_name:
            return by_name[name]
    for t in tools:
        desc = f"{t.name} {t.description}".lower().replace("_", " ")
        if any(w in desc for w in rule.tool_words):
            return t
    return None


def fit_arguments(built: dict[str, Any], tool: ToolSchema) -> dict[str, Any]:
    """Map the builder's slots onto the tool's parameters (names, enums, required ones)."""
    props: dict[str, Any] = (tool.parameters or {}).get("properties", {}) or {}
    out: dict[str, Any] = {}
    for key, value in built.items():
        if key in props:
            out[key] = value
    for slot, names in SLOT_PROPERTIES.items():
        if slot in built:
            for name in names:
                if name in props and name not in out:
                    out[name] = built[slot]
                    break
    for name, spec in props.items():
        enum = spec.get("enum") if isinstance(spec, dict) else None
        if enum and name in out and out[name] not in enum:
            out[name] = enum[0]
        if enum and name not in out and name in (tool.parameters or {}).get("required", []):
            out[name] = enum[0]
    for name in (tool.parameters or {}).get("required", []):
        if name not in out:
            filler = built.get("what") or built.get("details") or built.get("content") or built.get("title")
            if filler:
                out[name] = filler
    return out


BARE_QUESTION = re.compile(r"^(?!.*\b(?:i|we|me|us|my|our)\b)(?:and |so |but |um,? |oh,? )?(?:which|what|when|where|who|how)\b(?:\W+\w+){0,4}\W*\?$", re.IGNORECASE)
ASKS_THE_OTHER = re.compile(r"\b(?:your|you're)\b|\b(?:do|did|are|were|have) you\b")
OWN_DOUBT = re.compile(r"\b(?:do you (?:know|think|reckon)|any idea|you know (?:if|whether|what|how)|can you believe)\b")


def _blocked(t: Text, rule: IntentRule) -> bool:
    """No offer when it is done already, told of the past, or a question put to the other person
    ("What time is your flight?": their plans, not the user's need)."""
    norm = t.norm
    if any(re.search(rf"\b{re.escape(m)}\b", norm) for m in DONE_MARKERS) or re.search(r"\balready\s*(?:[,.!?]|$)", norm):
        return True
    if rule.future and re.search(PAST, norm) and not re.search(FUTURE, norm):
        return True
    if t.raw.rstrip().endswith("?") and ASKS_THE_OTHER.search(norm) and not OWN_DOUBT.search(norm):
        return True
    if BARE_QUESTION.match(t.raw.strip()):
        return True  # "Which flight?", "What time, roughly?": a question put to the other person, no need voiced
    return False


KNOWN_ALREADY = frozenset({"reminder", "calendar", "flight", "hotel", "restaurant", "taxi", "booking"})


TEMPLATE_SLOTS = {"target": "who", "content": "what", "query": "what", "details": "what"}


def _fill(template: str, args: dict[str, Any]) -> str:
    values = dict(args)
    values["at_time"] = f" {args['time']}" if args.get("time") and args.get("time") != "later today" else ""
    for key in ("time",):
        values.setdefault(key, "later")
    for key, slot in TEMPLATE_SLOTS.items():  # the builder's own slot when the tool names it otherwise ("to", "message")
        if not str(values.get(key) or "").strip() and str(values.get(slot) or "").strip():
            values[key] = values[slot]
    def value(m: re.Match) -> str:
        v = str(values.get(m.group(1), ""))
        return v if m.group(1) in ("at_time", "of_item") else (v.strip() or "it")
    return re.sub(r"\{(\w+)\}", value, template)


def heard(text: str | Text, ctx: dict | None) -> Heard:
    t = text if isinstance(text, Text) else analyse(text)
    now = now_from_context(ctx)
    return Heard(t, [m for m in extract(t, now) if not m.negated], ctx, now)


def apply(rule: IntentRule, h: Heard, tools: list[ToolSchema]) -> Offer | None:
    """One row against one utterance."""
    return apply_rule(rule, h, tools)


def apply_rule(rule: IntentRule, h: Heard, tools: list[ToolSchema], cue_found: bool = False) -> Offer | None:
    """One row against one utterance. `cue_found`: the semantic layer chose this row (`needs`), so
    its cue phrasings and word requirements are not asked for; its guards (done already, told of the
    past, a question to the other person, a plan already in the calendar) and its argument builder
    (the values the tool needs) still decide."""
    norm = h.text.norm
    if cue_found:
        return _offer(rule, h, tools, None) if not _blocked(h.text, rule) else None
    match = None
    for cue in rule.cues:
        for m in re.finditer(cue, norm):
            idx = len(re.findall(WORD, norm[: m.start()]))
            if idx < len(h.text.negated) and h.text.negated[idx]:
                continue
            if _inside_a_name(m.group(0), h.raw):
                continue  # "Luc from Northshore Snow": a company's name, not the weather
            match = m
            break
        if match:
            break
    if match is None or any(not re.search(r, norm) for r in rule.requires) or _blocked(h.text, rule):
        return None
    return _offer(rule, h, tools, match)


def _inside_a_name(word: str, raw: str) -> bool:
    """Is a one-word cue said only as the later word of a capitalised name ("Northshore Snow")?"""
    if " " in word.strip() or not word.strip().isalpha():
        return False
    said = list(re.finditer(rf"\b{re.escape(word.strip())}\b", raw, re.IGNORECASE))
    return bool(said) and all(m.group(0)[0].isupper() and re.search(r"\b[A-Z][\w'-]*\s+$", raw[: m.start()])
                              and not re.search(r"(?:^|[.!?]\s+)\S+\s+$", raw[: m.start()]) for m in said)


def _offer(rule: IntentRule, h: Heard, tools: list[ToolSchema], match: re.Match | None) -> Offer | None:
    """The row's tool call for this utterance (None: no tool of the session, or a value missing)."""
    tool = find_tool(rule, tools)
    if tool is None:
        return None
    h.match = match
    built = rule.build(h)
    if not built:
        return None
    if rule.name in KNOWN_ALREADY and _scheduled_already(h, only_named=rule.name == "reminder"):
        return None
    args = fit_arguments(built, tool)
    return Offer(rule.name, tool.name, args, _fill(rule.offer, {**built, **args}))


def _scheduled_already(h: Heard, only_named: bool = False) -> bool:
    """The calendar (or a reminder) already holds what this talks about, on the day said if any. With
    `only_named` (a reminder), a record named only by where it is does not hold it: "I must remember to
    bring them to the village hall on Wednesday" is a thing to do at the meeting there, not the meeting."""
    days = [m.value for m in h.mentions if m.kind == "day"]
    said = set(h.text.lemmas)
    for f in about(h.text, facts_from_context(h.ctx)):
        if only_named and f.location and not (said & f.anchors) - {lemma(w) for w in tokens(f.location)}:
            continue
        if f.start and (not days or any(d.matches(f.start.date()) for d in days)):  # type: ignore[union-attr]
            return True
    return False


def detect(text: str | Text, ctx: dict | None, tools: list[ToolSchema],
           rules: tuple[IntentRule, ...] = INTENT_RULES) -> Offer | None:
    """The first intent rule that an utterance satisfies with a tool of this session."""
    h = heard(text, ctx)
    for rule in rules:
        offer = apply(rule, h, tools)
        if offer:
            return offer
    return None


def serve(action: str, said: str | Text, ctx: dict | None, tools: list[ToolSchema], topic: str = "") -> Offer | None:
    """A watch's action ("check the forecast for me") as an offer, arguments taken from what was said
    (and `topic`, what the watch was for, as a title)."""
    if not action:
        return None
    act = analyse(action)
    h = heard(said, ctx)
    h.action = action
    h.topic = topic
    for rule in ACTION_RULES:
        if re.search(rule.cues[0], act.norm):
            tool = find_tool(rule, tools)
            if tool is None:
                continue
            h.match = None
            built = rule.build(h)
            if not built:
                continue
            args = fit_arguments(built, tool)
            return Offer(rule.name, tool.name, args, _fill(rule.offer, {**built, **args}))
    return None


def _action_time(h: Heard) -> str:
    return spoken_when([m for m in extract(h.action, h.now) if not m.negated]) or _duration_in(h.action) or "now"


def _duration_in(text: str) -> str:
    m = re.search(r"\b(?:in|after|for) (\d+|a few|ten|five|twenty|thirty|fifteen) (minutes?|hours?)\b", analyse(text).norm)
    return f"in {m.group(1)} {m.group(2)}" if m else ""


def _titled(h: Heard) -> str:
    """A title for what was heard: the watch's topic with the place or name said, else the words."""
    if not h.topic:
        return _said_topic(h)[:60]
    extra = h.place() or h.person()
    title = h.topic[:1].upper() + h.topic[1:]
    return f"{title}: {extra}" if extra else title


def _said_topic(h: Heard) -> str:
    words = [w for w in h.text.raw.split()][:12]
    return " ".join(words)


# a watch's action, in the user's words -> which tool it asks for (the same tools and builders)
ACTION_RULES: tuple[IntentRule, ...] = (
    IntentRule("weather", (r"\b(?:weather|forecast)\b",), ("realtime_weather",), "Shall I check the weather forecast for {city}?",
               _b(city=Heard.city), tool_words=("weather",)),
    IntentRule("air_quality", (r"\b(?:air quality|aqi|pollution)\b",), ("realtime_aqi",), "Shall I check the air quality in {city}?",
               _b(city=Heard.city), tool_words=("air quality",)),
    IntentRule("directions", (r"\b(?:directions?|navigat\w*|route|how to get)\b",), ("find_directions",),
               "Shall I get directions to {to}?", _b(to=lambda h: h.place() or h.context_place()), tool_words=("direction",)),
    IntentRule("environment", (r"\b(?:turn|switch|put) (?:on|off|up|down)\b|\b(?:lights?|fan|heating|thermostat|oven|stove)\b",),
               ("control_environment",), "Shall I set the {target} to {value}?",
               _b(target=lambda h: h.from_action(r"\b(?:turn|switch|put) (?:on|off|up|down) (?:the |my )?(?P<x>[a-z ]+)", "lights"),
                  value=lambda h: h.from_action(r"\b(?:turn|switch|put) (?P<x>on|off|up|down)\b", "on")),
               tool_words=("device", "environment")),
    IntentRule("message", (r"\b(?:text|message|tell (?!me\b)\w+|send|let (?!me\b)\w+ know)\b",), ("communication",),
               "Shall I message {target}: '{content}'?",
               _b(action="message",
                  who=lambda h: h.from_action(r"\b(?:text|message|tell|send|let) (?P<x>[A-Za-z]+)", "") or h.person() or "contact",
                  what=lambda h: h.from_action(r"\b(?:text|message|tell|let) [A-Za-z]+ (?:know )?(?:that )?(?P<x>.+)", "")
                  or _said_topic(h)[:80]),
               tool_words=("message",)),
    IntentRule("reminder", (r"\b(?:remind|reminder|alarm)\b",), ("temporal_attention",), "Shall I set a reminder to {content} ({time})?",
               _b(action="set", time=_action_time,
                  what=lambda h: re.sub(r"\s*\b(?:in|after) (?:\d+|a few|ten|five|twenty|thirty|fifteen) (?:minutes?|hours?)$", "",
                                        h.from_action(r"\b(?:remind me (?:to|that|about)|reminder (?:to|for|that|about)) (?P<x>.+)", "")
                                        or _said_topic(h)[:60])),
               tool_words=("remind",)),
    LATE_RULE,
    # a parcel that has not come ("it was meant to be here yesterday, and there's been nothing")
    IntentRule("delivery", (r"\b(?:hasn't|has not|haven't|still not|never|not) (?:arrived|come|turned up|shown up|been delivered)\b",
                            r"\b(?:meant|supposed|due) to (?:be here|arrive|come|be delivered)\b", r"\bno sign of (?:it|the|my|our)\b",
                            r"\b(?:lost|stuck) in the post\b", r"\bsitting in (?:some|a|the) (?:depot|warehouse|sorting office)\b"),
               ("track_delivery", "track_package", "track_parcel"), "Shall I track the {what}?",
               _b(what=lambda h: _parcel(h)),
               requires=(r"\b(?:parcel|package|delivery|order|present|shipment|sent|posted|courier|tracking|ordered)\b",),
               tool_words=("track", "delivery", "parcel", "package", "shipment")),
    IntentRule("calendar", (r"\b(?:calendar|schedule|add (?:it|that|this) to)\b",), ("calendar_event",),
               "Shall I add '{title}' to your calendar ({time})?",
               _b(action="create", title=lambda h: _titled(h), time=lambda h: h.when() or "to be confirmed"),
               tool_words=("calendar",)),
    IntentRule("restaurant", (r"\b(?:book|reserve|reservation|table)\b",), ("book_service",), "Shall I make a booking ({details})?",
               _b(service_type="restaurant", details=lambda h: _said_topic(h)[:80]), tool_words=("book",)),
    IntentRule("recipe", (r"\b(?:recipe|meal|cook)\w*",), ("recipe_search",), "Shall I look up a recipe for {query}?",
               _b(what=lambda h: h.from_action(r"\b(?:recipe for|suggest (?:a|an|some)) (?P<x>.+)", "healthy meal")),
               tool_words=("recipe",)),
    IntentRule("note", (r"\b(?:note|log|write|jot|list)\b",), ("note_taking",), "Shall I note that down?",
               _b(what=lambda h: _said_topic(h)[:100], title=lambda h: h.from_action(r"\bfor (?:the |my )?(?P<x>[a-z ]+)$", "Note")),
               tool_words=("note",)),
    IntentRule("media", (r"\b(?:play|music|song|playlist)\b",), ("play_media",), "Shall I play {content}?",
               _b(what=lambda h: h.from_action(r"\bplay (?:the |some |my |a )?(?P<x>.+)", "music")), tool_words=("play",)),
    IntentRule("finance", (r"\b(?:stock|price|exchange rate|currency)\b",), ("financial_query", "QueryStock"),
               "Shall I look up {target}?", _b(what=lambda h: _finance_target(h)), tool_words=("stock",)),
    IntentRule("search", (r"\b(?:search|look (?:it |that )?up|find out|check)\b",), ("search",), "Shall I look that up?",
               _b(source="world", item=lambda h: _search_item(h), query=lambda h: "latest information"),
               tool_words=("search",)),
    IntentRule("shopping", (r"\b(?:buy|order|shop)\b",), ("shop",), "Shall I look for it to buy?",
               _b(what=lambda h: _search_item(h)), tool_words=("shop",)),
    IntentRule("travel", (r"\b(?:flight|hotel|travel)\b",), ("travel_search",), "Shall I search for travel options?",
               _b(type="flight", details=lambda h: _said_topic(h)[:80]), tool_words=("travel",)),
)

SLOT_PROPERTIES.update({"item": ("query_item",), "query": ("query",), "source": ("source",), "type": ("type",),
                        "service_type": ("service_type",), "action": ("action",), "title": ("title",)})
