"""Topic watch: after "let me know if anyone mentions dining plans", does this utterance mention it?

A mention is scored over the request's own words and their near synonyms, then the meaning decides
what the words leave open:

| evidence (not under a negation)                                   | weight |
|-------------------------------------------------------------------|--------|
| a word of the request ("dining", "borrow") or a near synonym of one (`lexicon.SYNONYMS`: "owe", "lend") | 1.0 |
| a proper name of the request ("Taipei") when its topic has other words too ("flights to Taipei") | 0.5 |
| all the words of the request's action said back ("book a table" -> "booked a table at Casa Verde") | 0.4 |

An utterance mentions the topic when the evidence reaches `THRESHOLD` (1.0) and, for a hit on
synonyms alone, the meaning is not elsewhere (`SEMANTIC_VETO`); or, below it, when the semantic
layer finds the utterance about the topic (`SEMANTIC_ALONE`, or `SEMANTIC_WITH_WORDS` when a name of
the request backs it up). Said of the distant past ("last month", "years ago"), evidence counts half
and the meaning alone never decides: a watch waits for news, not for memories; told wholly of an earlier
time with nothing in it still to come ("the skip you had back in February"), it is no mention at all.

A neighbour is not the thing watched (`neighbours`): where the request qualifies a word ("the
*Berlin* office", "*parking* permits", "flight LH *402*") and the utterance says that word with
another qualifier in the same place ("the Munich office", "parking fines", "LH 420", "the sailing
club" for "the rowing club"), that occurrence is no evidence; when every occurrence of the request's
words is such a neighbour, the utterance names a neighbour and nothing, not even the meaning (which
finds neighbours close), makes it a mention.

The wider lexical field of each topic (a table of "strong" and "weak" terms: "bistro", "menu" for
dining) was retired: on our scenes the semantic layer decided every mention it used to back up
(bench/RESULTS.md, "the semantic layer decides the pairing").
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from .instruction import TITLES, Watch, digit_runs
from .lexicon import MONTHS, SYNONYMS, WEEKDAYS
from .entities import codes, codes_in, extract
from .fact_check import DETERMINERS as FACT_DETERMINERS
from .text import Text, analyse, is_content, lemma, tokens

THRESHOLD = 1.0
# the semantic layer's relevance (`semantic.Meaning.relevance`: e5 retrieval score of the utterance for the topic);
# set on the paper preset's LTM scenes (seeds 1-2): above every negative line's score is the first, the 99th
# percentile of them the second
SEMANTIC_ALONE = 0.85  # about the topic by meaning alone ("the plot fees" for "the allotment")
SEMANTIC_WITH_WORDS = 0.825  # enough when a name of the request backs it up
WORDS_FOR_SEMANTIC = 0.4
SEMANTIC_VETO = 0.765  # a hit on synonyms only, with the meaning below this, is elsewhere
# (below every true cue line's score on the paper preset's LTM scenes, seeds 1-3: "busy at work" for
# "open positions", "my hiking boots fell apart" for "outdoor plans", "that series" for "concerts")
WEIGHTS = {"keyword": 1.0, "synonym": 1.0, "name": 0.5, "modifier": 0.5, "action": 0.4}
PAST = re.compile(r"\b(?:last (?:month|year|summer|winter|spring|autumn|fall|christmas)|months ago|years ago|ages ago|"
                  r"used to|back then|years back|a while back|(?:a|one|two|three|a few|a couple of) weeks? ago)\b")
# old news; yesterday's is still news
# told wholly of an earlier time, nothing in it still to come ("the skip you had back in February, they came and got
# that at six"): not the awaited news
EARLIER_TIME = re.compile(r"\b(?:last time|(?:the|that) time before|back in (?:like )?(?:january|february|march|april|"
                          r"may|june|july|august|september|october|november|december))\b")
STILL_TO_COME = re.compile(r"\b(?:will|'ll|going to|gonna|tomorrow|tonight|next|upcoming|coming|this time|now|soon)\b")
# a request for a change to something ("deadlines being moved", "new due dates", "schedule changes")
# waits for a change said, not for the thing named ("my manager loves setting deadlines on Fridays")
CHANGE_ASKED = re.compile(r"\b(?:mov(?:e|ed|es|ing)|chang\w*|new (?:due )?(?:dates?|deadlines?|times?|schedules?)|push(?:ed|ing)?|postpon\w*|reschedul\w*|shift\w*|"
                          r"delay\w*|extend\w*|extension)\b")
CHANGE_SAID = re.compile(r"\b(?:mov(?:e|ed|es|ing)|chang\w*|(?:push|put|bump)(?:ed|ing|s)?(?:[ ,]+\w+){0,4}[ ,]+(?:back|out|forward|off)|postpon\w*|reschedul\w*|"
                         r"shift\w*|delay\w*|extend\w*|extension|brought forward|bring (?:it )?forward|now (?:due|on|at|in|the)|"
                         r"new (?:date|deadline|due date|time)|instead|no longer|anymore|not (?:this|next|on|until|the)|"
                         r"(?:is|are|was|got) (?:now|suddenly)|earlier than|later than|until)\b")
TIME_WORDS = frozenset({"weekend", "tonight", "today", "tomorrow", "week", "morning", "evening", "afternoon",
                        "night", "month", "year", "after", "before"}) | frozenset(WEEKDAYS) | frozenset(MONTHS)
# (a day in a topic says when, not what: "they can't drive Thursday" is not heard in "Thursday's swap")


@dataclass
class TopicHit:
    score: float
    terms: list[str]  # what was heard, as the table spells it
    semantic: float | None = None  # the contrast score, when the meaning decided


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """SYNONYMS as rows of lemma phrases (the key first)."""
    return tuple(tuple(tuple(lemma(w) for w in tokens(term)) for term in (key,) + terms)
                 for key, terms in SYNONYMS.items())


def _synonyms(keywords: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Every term of the rows that hold a request word (as their key or among their terms)."""
    out: list[tuple[str, ...]] = []
    for kw in keywords:
        for row in _groups():
            if (kw,) in row:
                out.extend(row)
    return tuple(dict.fromkeys(out))


ACTION_FRAME = frozenset({"remind", "tell", "let", "know", "help", "check", "look", "find", "add", "set", "suggest",
                          "send", "make", "note", "log", "jot", "save", "put", "write", "flag", "alert", "ping", "please",
                          "calendar", "reminder", "notify", "search", "it", "down", "there", "for", "me", "us"})


@lru_cache(maxsize=64)
def _action_lemmas(action: str) -> tuple[str, ...]:
    """The content words of a watch's action that say what it is about ("book a table for us" -> book,
    table): the assistant verbs and filler left out. At most four; none when the action is empty."""
    words = tuple(dict.fromkeys(lemma(w) for w in tokens(action or "") if is_content(w) and lemma(w) not in ACTION_FRAME))
    return words if 0 < len(words) <= 4 else ()


# content words that never tell one thing from another ("a new boiler before winter" is the boiler replacement)
# (the adjectives among them weigh as modifiers when said alone: "the old one" is not "his old phone")
WEAK_ADJECTIVES = frozenset({"old", "new", "other", "same", "whole", "big", "small", "little", "next", "last"})
NOT_QUALIFIERS = frozenset({"before", "after", "during", "until", "since", "under", "around", "near", "through",
                            "across", "yesterday"}) | WEAK_ADJECTIVES | TIME_WORDS


def _qualifying(word: str) -> bool:
    """A word that tells one thing from its neighbours: a content word, a number or a code ("402")."""
    return word not in NOT_QUALIFIERS and word not in TITLES and (is_content(word) or any(c.isdigit() for c in word))


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith(("'s", "ss")) else word


@lru_cache(maxsize=64)
def _qualifiers(target: str) -> dict[str, tuple[str | None, str | None, str | None]]:
    """For each word of the topic phrase, the qualifying words next to it in the phrase (left, right)
    and, for a plural head, its singular form: "the berlin office" -> office: (berlin, None, None),
    berlin: (None, office, None); "project deadlines" -> deadline: (project, None, "deadline")."""
    words = tokens(target)
    out: dict[str, tuple[str | None, str | None, str | None]] = {}
    for i, w in enumerate(words):
        left = lemma(words[i - 1]) if i > 0 and _qualifying(words[i - 1]) else None
        right = lemma(words[i + 1]) if i + 1 < len(words) and _qualifying(words[i + 1]) else None
        kind = _singular(w) if _singular(w) != w else None
        out.setdefault(lemma(w), (left, right, kind))
    return out


def neighbours(watch: Watch, t: Text) -> tuple[int, int]:
    """(occurrences of the request's words said as the watched thing, occurrences said of a neighbour):
    an occurrence counts as the watched thing when a qualifier of the request's agrees beside it
    ("Berlin office"), as a neighbour's when none agrees and another stands there; a word the
    request does not qualify ("boat" in "the rowing club's new boat") counts for neither.

    An occurrence is a neighbour's when, on a side where the request qualifies the word, the utterance
    has another qualifying word there, neither the request's own nor a near synonym of it, and agrees
    on no side ("on the board, LH 402" is the flight, its number agrees): "the Munich
    office" for "the Berlin office", "parking fines" for "parking permits", "LH 420" for "LH 402". A modifier
    of the request's followed by another head makes its whole compound a neighbour's ("contact lens solution"
    for "contact lens trial")."""
    quals = _qualifiers(watch.target)
    modifiers = _modifiers(watch)
    verdicts: dict[int, str] = {}
    for i, lem in enumerate(t.lemmas):
        if lem not in watch.keywords or lem not in quals:
            continue
        agrees = differs = False
        left, right, kind = quals[lem]
        # a plural head names a kind ("project deadlines", "upcoming birthdays", "gig tickets"): the same word
        # with another qualifier is one of them ("the thesis deadline", "Oscar's birthday"), not a neighbour;
        # another word of the same lemma is not the same word ("recipe book" for "restaurant bookings")
        if kind is not None and t.words[i] == kind:  # one of them, said in the singular (not "train tickets")
            left = None
        for side, want in zip((-1, 1), (left, right)):
            j = i + side
            if want is None or not 0 <= j < len(t.words) or not _qualifying(t.words[j]):
                continue
            got = t.lemmas[j]
            if any(c.isdigit() for c in got) != any(c.isdigit() for c in want):
                continue  # a number stands against a number only ("LH 420" for "LH 402"; "two tickets" is no other ticket)
            if got == want or (got,) in _synonyms((want,)) or got in watch.keywords or _stems_match(got, want):
                agrees = True  # the qualifier, a synonym of it, or another of the request's own words ("Half open")
            else:
                differs = True
        if differs and not agrees:
            verdicts[i] = "other"
        elif agrees:
            verdicts[i] = "same"
        if lem in modifiers and right is not None and i + 1 < len(t.words) and _qualifying(t.words[i + 1]) \
                and t.lemmas[i + 1] != right and t.lemmas[i + 1] not in watch.keywords \
                and (t.lemmas[i + 1],) not in _synonyms((right,)) \
                and not _stems_match(t.lemmas[i + 1], right) and not any(c.isdigit() for c in t.lemmas[i + 1] + right):
            # a modifier of the request's that qualifies another head ("contact lens solution" for "contact lens
            # trial"): the whole compound is a neighbour, its own words agreeing with each other notwithstanding
            j = i
            while j >= 0 and t.lemmas[j] in watch.keywords:
                verdicts[j] = "other"
                j -= 1
    same = sum(v == "same" for v in verdicts.values())
    return same, len(verdicts) - same


CALENDAR_WORDS = frozenset({"calendar", "diary", "schedule", "agenda", "planner"})
CALENDAR_ACTION = re.compile(r"\b(?:" + "|".join(sorted(CALENDAR_WORDS)) + r")\b")
DATE_SAID = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)\b|\b(?:today|tonight|tomorrow|weekend|next (?:week|month)|"
                       r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|"
                       r"july|august|september|october|november|december)\b|"
                       r"\b(?:a|an|one|two|three|four|five|six|\d+) (?:more |extra )?(?:days?|weeks?|months?|hours?)\b|"  # "extended by a week"
                       r"\b(?:to|on|by|until|till) (?:the )?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                       r"\w+teenth|twentieth|thirtieth|twenty-\w+|thirty-first)\b")  # "back to first"


def _dated(t: Text) -> bool:
    """Does the utterance say when (a day, a date, a time, a part of a day, or a shift by a duration)?"""
    return DATE_SAID.search(t.norm) is not None or any(m.kind in ("day", "time", "part") for m in extract(t))


NEGATED_CHANGE = re.compile(r"\b(?:not|n't|never|hasn't|haven't|isn't|wasn't|won't)\s+(?:been\s+|be\s+|being\s+)?$|"
                            r"\bnothing(?:'s|\s+has|\s+have|\s+had)?\s+(?:been\s+)?$")  # "no, nothing has moved"


def _change_said(watch: Watch, t: Text) -> bool:
    """A change said of the watched thing: in a sentence that names it (a word of the request or a synonym)
    and not denied ("the exam itself hasn't moved ... it's the coursework that's been pushed")."""
    words = set(watch.keywords) | {w for term in _synonyms(watch.keywords) for w in term}
    for sentence in re.split(r"\s[.!?;](?:\s|$)", t.norm):
        if not words & {lemma(w.removesuffix("'s")) for w in tokens(sentence)}:  # "the exam's been moved"
            continue
        if any(not NEGATED_CHANGE.search(sentence[: m.start()]) for m in CHANGE_SAID.finditer(sentence)):
            return True
    return False


# heads that say nothing of what the topic is ("pet sitting *requests*", "*news* about Leo"): then no word is a modifier
GENERIC_HEADS = frozenset({"request", "plan", "news", "update", "thing", "stuff", "issue", "matter", "detail", "info",
                           "information", "talk", "mention", "question", "idea", "option", "change", "situation", "story",
                           "opportunity", "date", "somewhere", "anything", "something", "offer", "opening", "vacancy",
                           "event", "activity", "arrangement", "recommendation", "suggestion", "problem"})
HEAD_END = re.compile(r"\b(?:for|of|about|on|with|from|at|in|to|regarding|that|which|who)\b")


@lru_cache(maxsize=64)
def _modifiers_of(target: str, names: tuple[str, ...]) -> frozenset[str]:
    """The words of a compound topic that only qualify its head: "car" in "the car insurance", "cottage" in
    "the deposit for the cottage". Said alone they are another thing ("the car's been a nightmare"), so
    they weigh as a name does. None when the head is generic ("pet sitting requests"), the topic one
    word, or the word a name ("flights to Taipei": Taipei is already weighed as a name)."""
    first = HEAD_END.split(target, maxsplit=1)[0]
    heads = set()
    for conjunct in re.split(r"\b(?:or|and|being|getting)\b|,|/", first):  # "concerts or live shows": two heads
        part = [w for w in tokens(conjunct) if is_content(w)]
        while len(part) > 1 and part[-1].endswith(("ing", "ed")) and part[-2].endswith("s"):  # "entries opening"
            part.pop()  # (but "pet sitting" is about sitting)
        if part:
            heads.add(lemma(part[-1]))
    if not heads or heads & GENERIC_HEADS:
        return frozenset()
    words = {lemma(w) for w in tokens(target) if is_content(w)}
    return frozenset(w for w in words if w not in heads and w not in names) if len(words) > 1 else frozenset()


# "when the freezer engineer is coming": the question's subject is a noun phrase with a head
WHEN_SUBJECT = re.compile(r"^(?:when|what time|what day|which day|whether|if) (?:the|my|our|his|her|their) "
                          r"((?:[a-z]+ ){0,2}[a-z]+) (?:is|are|will|gets?|comes?|can|has|have)\b")


def _modifiers(watch: Watch) -> frozenset[str]:
    if watch.extra.get("by_meaning"):
        return frozenset()
    subject = WHEN_SUBJECT.match(watch.target.lower())
    if subject:
        return _modifiers_of(subject.group(1), tuple(watch.names))
    if re.match(r"(?:how|what|when|where|which|who|whether)\b", watch.target.lower()):
        return frozenset()  # a question said ("how much we pay for the course") has no head noun to qualify
    return _modifiers_of(watch.target, tuple(watch.names))


def _change_asked(watch: Watch) -> bool:
    """Does the request ask for a change? (its topic with the word before it: "new" is left out of the topic)"""
    target = watch.target.lower()
    before = re.search(r"\b(\w+) " + re.escape(target), watch.text.lower())
    return CHANGE_ASKED.search(f"{before.group(1)} {target}" if before else target) is not None


# a request for an amount ("how much we must pay for the trip", "how many days we have to be in") waits for
# the amount: a sum of money, or a number of the things counted
AMOUNT_ASKED = re.compile(r"\bhow (?:much|many)\b|"  # ... or what it costs: "what the fast track service costs", "what it'll cost to"
                          r"\bwhat (?:(?!if\b|when\b)\w+'?\w* ){1,6}?(?:costs?|'ll cost|will cost|would cost|charges?|charging|charged|they charge|"
                          r"(?:offered|offering|paid|pays?)(?: \w+)? for)\b")  # (a price for a thing, not "what they offered him")
HOW_MANY = re.compile(r"\bhow many (\w+)")
HOW_MANY_PHRASE = re.compile(r"\bhow many ((?:\w+ ){0,2}\w+?)(?= (?:we|i|you|they|he|she|it|are|is|do|does|will|to)\b)")
PEOPLE_COUNTED = frozenset({"people", "person", "guest", "adult", "kid", "child", "relative", "folk"})
MONEY_SAID = re.compile(r"[£$€₹₦]\s?\d|\b\d+(?:[.,]\d+)?\s*(?:pounds?|quid|dollars?|bucks|euros?|pence|p|cents?|grand|k|rand|naira|"
                        r"rupees?|pesos?|yen|yuan|dirhams?|ringgit|shillings?|francs?|kronor|krona|zloty|reais|real|cedis?)\b|"
                        r"\b(?:free|no charge|costs? nothing|nothing to pay)\b|"
                        # a sum said by what it buys ("forty-five for the full set", "twenty a session", "eight each")
                        r"\b\d+(?:[.,]\d+)? (?:for (?:a|an|the|each|one|both) (?!(?:\w+ )?(?:people|of us|kids|adults|guests|"
                        r"minutes?|hours?|days?|weeks?|nights?|evening|morning|afternoon|weekend)\b)|each\b|apiece\b|a (?:set|pair|piece|head|session|go|lesson|class)\b|"
                        r"per (?:head|person|set|pair|session|lesson|class|hour|night)\b)|"
                        # a price said without its currency ("he's asking eight thousand five hundred", "it's 450 for the night")
                        r"\b(?:pays?|paying|costs?|costing|asking|charg(?:e|es|ing)|comes? to|fee is|price is|it's|that's|is|(?:'d|would|will|'ll) be|are|'re|"
                        r"(?:goes|go|going|went|gone) (?:up|down) to|rises? to|drops? to)\s+"
                        r"(?:(?:like|about|around|only|just|roughly)\s+)?\d+(?:[.,]\d+)?(?!\s*(?:am|pm|o'clock|:|minutes?|hours?|days?|weeks?|"
                        r"years?|people|kilos?|kg|km|miles?|percent|%))\b")


TIME_ASKED = re.compile(r"^(?:when|what time|what day|which day|what date)\b|\b(?:time|date)s? (?:for|of)\b|\btime$")


def _time_asked(watch: Watch) -> bool:
    """"if anybody says when the health inspection is": the inspection named without a day or a time is not it."""
    return watch.kind == "topic" and TIME_ASKED.search(watch.target) is not None


GREETING = re.compile(r"(?:^|(?<=[.!?] ))(?:good )?(?:morning|afternoon|evening|night)(?: all| everyone| guys)?[!,.]",
                      re.IGNORECASE)  # "Morning! Mind the step": a greeting, not when


# a day already gone says when something was, not when the awaited thing will be ("I saw him with the meat last night")
GONE_DAY = re.compile(r"\b(?:last (?:night|week|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday"
                      r"(?: (?:morning|afternoon|evening))?|(?:\w+ )?(?:days?|weeks?|hours?) ago)\b")
PRESENT_DAY = re.compile(r"\b(?:today|now|tonight|this (?:morning|afternoon|evening))\b")
CLAUSE_END = re.compile(r"[,;.!?]|\b(?:and then|and|but|so)\b")


def _time_said(t: Text, watch: Watch | None = None) -> bool:
    """A day, a time or a part of a day said, not of a day gone; with the watch, in the clause that names the
    topic or after it ("So today is the notice of marriage, and then we can look at dates for the ceremony":
    today is the notice's)."""
    text = GREETING.sub("", t.raw)
    if watch is not None:
        keys = {k for k in watch.keywords if k not in TIME_WORDS}
        clauses = [c for c in CLAUSE_END.split(text) if c.strip()]
        first = next((i for i, c in enumerate(clauses) if keys & {lemma(w.removesuffix("'s")) for w in tokens(c)}), None)
        if first is not None:
            # a day said before the topic is named counts ("On Friday the twentieth, that's when the fence gets fixed"),
            # but not today's ("So today is the notice of marriage, and then we can look at dates for the ceremony")
            later = [c for c in clauses[:first] if not PRESENT_DAY.search(c.lower())] + clauses[first:]
            if FUTURE_ASKED.search(watch.target.lower()) or PROGRESSIVE.search(watch.target.lower()):
                # "when the freezer engineer is coming": "it was minus eighteen at ten" is a time gone
                later = [c for c in later if not PAST_STATE.search(c.lower())]
            text = " , ".join(later)
    t = analyse(GONE_DAY.sub(" ", text))
    return any(m.kind in ("day", "time", "part") and not m.negated for m in extract(t, None))


# a request for a value or an answer ("who the godparents will be", "whether the match is on"): a question
# about it or word that it is not known yet is no answer
ANSWER_ASKED = re.compile(r"^(?:who|whom|whose|where|which|what|whether|if|how (?:much|many|long))\b")
NOT_YET = re.compile(r"\b(?:not yet|(?:haven't|hasn't|have not|has not|hadn't) (?:\w+ ){0,2}?(?:decided|heard|said|confirmed|"
                     r"announced|counted|done|finished|sorted|fixed|set|chosen|picked|agreed)|no (?:word|news|date|time|decision) yet|"
                     r"still (?:waiting|deciding|undecided|arguing|dithering|to be (?:decided|confirmed))|undecided|tbc|"
                     r"to be confirmed|(?:don't|do not|doesn't|does not) know yet|nothing (?:definite|confirmed|decided) yet)\b")


# a request for a state reached ("when the donations have arrived", "if the lift is fixed"): word that it is not
# reached ("they probably won't get here today", "still isn't working") is no news of it
STATE_ASKED = re.compile(r"\b(?:has|have|is|are|'s|'re|gets?|got)\s+(?:\w+\s+)?(?:arrived|come|landed|here|ready|fixed|"
                         r"done|open|back|in|delivered|working|sorted|finished|started)\b")
NOT_REACHED = re.compile(r"\b(?:won't|will not|wouldn't|isn't|aren't|hasn't|haven't|didn't|not)\s+(?:\w+\s+){0,2}?"
                         r"(?:get here|arrive|arrived|come|came|be here|here|ready|fixed|working|delivered|done|open|started)\b|"
                         r"\b(?:usually|normally|always) (?:come|comes|arrive|arrives)\b")
# ... and news of it says it is reached ("your glasses are in", "the parcel's arrived", "it's ready now"); the thing
# named in passing ("everybody needs the glasses") is not that news
STATE_SAID = re.compile(r"\b(?:is|are|'s|'re|has|have|been|now|just|all)\s+(?:\w+\s+)?(?:arrived|come|landed|here|ready|fixed|"
                        r"done|open|back|in|delivered|working|sorted|finished|started|through|out|up|over)\b|"
                        r"\b(?:arrived|landed|delivered|turned up|showed up|came in|came through|got here|got in|finished|"
                        r"fixed|sorted|ready|done)\b")
# a request about when something will be ("when our pots will be out of the kiln"): a day said of it in the past
# tense ("the big kiln was serviced on Monday") is about something else that happened
PROGRESSIVE = re.compile(r"\b(?:is|are|'s|'re) (?:\w+ )?\w+ing\b")  # "when the engineer is coming"
# a clause of how things were ("it was minus eighteen at ten"), not of a plan made ("it was booked for Tuesday")
PAST_STATE = re.compile(r"\b(?:was|were|had been)\b(?! (?:\w+ )?(?:booked|scheduled|set|confirmed|moved|pushed|changed|"
                        r"arranged|put|told|going|supposed|meant|due|planned|fixed|agreed))")
FUTURE_ASKED = re.compile(r"\b(?:will|'ll|going to|gonna|is being|are being|due)\b")
PAST_CLAUSE = re.compile(r"\b(?:was|were|had been|did|got)\b")


def _state_unsaid(watch: Watch, t: Text) -> bool:
    # (a question about it, "what time Nana's flight gets in", waits for the answer, not for the state)
    return watch.kind == "topic" and STATE_ASKED.search(watch.target.lower()) is not None and \
        not _answer_asked(watch) and STATE_SAID.search(t.norm) is None


def _headed_by(words: str, leads: str = "the |my |our |this |that |his |her |their ") -> re.Pattern:
    """A topic phrase whose head (within its first few words) is one of `words`."""
    return re.compile(rf"^(?:{leads})*(?:\w+ ){{0,2}}?(?:{words})s?\b")


# a value the request waits for ("the fee for that wedding", "the grading fee"): a question about it is no answer
# (a deadline is a time: `_time_asked`); a sum of money's heads, and a sum said is their answer
MONEY_WORDS = "fee|price|cost|charge|rate|quote|total|amount|deposit|bill"
VALUE_HEAD = _headed_by(MONEY_WORDS + "|address|score|result|results|figure|headcount")
MONEY_HEAD = _headed_by(MONEY_WORDS)
# ... but a request for any mention of it ("if the landlord mentions the deposit") waits for the thing named;
# a price, a fee, a charge is a value even then ("the price cards" is no mention of the milk price)
MENTION_ASKED = re.compile(r"\b(?:mentions?|mentioned|talks? about|brings? up|anything (?:about|on)|comes? up|any (?:news|word))\b")
VALUE_NOUN = _headed_by("fee|price|cost|charge|rate|quote|total|amount|figure", leads="the |my |our |this |that |his |her |their |new |any ")


# a request for a number ("my new sort code and account number", "the reference number", "the door code"): its digits
NUMBER_HEAD = _headed_by("number|code|postcode|zip code|pin code|pin number")


def _number_asked(watch: Watch) -> bool:
    return watch.kind == "topic" and not watch.identifiers and NUMBER_HEAD.search(watch.target.lower()) is not None


def _value_asked(watch: Watch, heads: re.Pattern) -> bool:
    target = watch.target.lower()
    if re.search(r"\b(?:or|and)\b", target):
        return False  # "the topic of money or prices": a subject, not one value
    return watch.kind == "topic" and heads.search(target) is not None and \
        (MENTION_ASKED.search(watch.text.lower()) is None or VALUE_NOUN.search(target) is not None)


def _answer_asked(watch: Watch) -> bool:
    return watch.kind == "topic" and (ANSWER_ASKED.search(watch.target.lower()) is not None or _time_asked(watch)
                                      or _value_asked(watch, VALUE_HEAD))


def _state_not_reached(watch: Watch, t: Text) -> bool:
    return watch.kind == "topic" and STATE_ASKED.search(watch.target.lower()) is not None and \
        NOT_REACHED.search(t.norm) is not None


def _time_only_in_the_past(watch: Watch, t: Text) -> bool:
    """Every clause that names the topic and says a day or a time is in the past tense, while the request
    asks when it will be."""
    if not (_time_asked(watch) and FUTURE_ASKED.search(watch.target.lower())):
        return False
    keys = {k for k in watch.keywords if k not in TIME_WORDS}
    timed = [c for c in CLAUSE_END.split(t.norm)
             if keys & {lemma(w) for w in tokens(c)} and _time_said(analyse(c))]
    return bool(timed) and all(PAST_CLAUSE.search(c) for c in timed)


def _unanswered(watch: Watch, t: Text) -> bool:
    """The topic named only in questions ("have they decided on godparents yet?") or with word that its
    answer is not known yet ("I haven't done the whole cash box yet")."""
    if NOT_YET.search(t.norm):
        return True
    keys = {k for k in watch.keywords if k not in TIME_WORDS}
    keys |= {term[0] for term in _synonyms(tuple(keys)) if len(term) == 1}  # ("And the money?" for the fee)
    naming = [s for s in re.split(r"(?<=[.!?])\s+", t.raw.strip())
              if keys & {lemma(w) for w in tokens(s)}]
    return bool(naming) and all(s.rstrip().endswith("?") for s in naming)


def _amount_asked(watch: Watch) -> bool:
    return AMOUNT_ASKED.search(watch.text.lower()) is not None or _value_asked(watch, MONEY_HEAD)


def _amount_said(watch: Watch, t: Text) -> bool:
    """Does the utterance say the amount the request asks for? "how many days": a number before "days"
    (within two words); "how much": a sum of money."""
    counted = HOW_MANY.search(watch.text.lower())
    if counted:
        noun = lemma(counted.group(1))
        if noun in PEOPLE_COUNTED and re.search(r"\b\d+ (?:of (?:them|us|you)|(?:more )?(?:people|guests|adults|kids|"
                                                  r"children|of the family))\b", t.norm):
            return True  # "how many people are coming": "it's nine of them in the end"
        phrase = HOW_MANY_PHRASE.search(watch.text.lower())  # ("how many bin bags": "two hundred of the heavy-duty bags")
        counted_words = {noun} | ({lemma(w) for w in phrase.group(1).split()} if phrase else set())
        return any(w.isdigit() and counted_words & set(t.lemmas[i + 1: i + 6]) for i, w in enumerate(t.words))
    return MONEY_SAID.search(t.norm) is not None


def _same_stem(word: str, t: Text) -> bool:
    """A word of the same stem said ("approval" - "approved", "renovation" - "renovating"): a common
    start of at least six letters that is most of the shorter word."""
    return len(word) >= 6 and any(_stems_match(word, w) and not (i < len(t.negated) and t.negated[i])
                                  for i, w in enumerate(t.lemmas))


def _stems_match(a: str, b: str) -> bool:
    n = len(os.path.commonprefix([a, b]))
    return n >= 6 and n >= 0.8 * min(len(a), len(b))


def _others_own(watch: Watch, t: Text) -> bool:
    """The request is about the user's own thing ("my running back") and the utterance names it only as
    someone else's ("Dave's running back", "his running back")."""
    if "my" not in tokens(watch.target.lower()):
        return False
    from .fact_check import _owned_by_others

    owned = _owned_by_others(t)
    found = [i for i, lem in enumerate(t.lemmas) if lem in watch.keywords and lem not in TIME_WORDS]
    return bool(found) and all(i in owned for i in found)


def _head_said(watch: Watch, t: Text) -> bool:
    """The request's head word said in another form of its stem ("the ethics committee approved it" for
    "the ethics approval"): a qualifier of the request seen with another word beside it is then no
    neighbour of the thing. The head itself said with another qualifier ("the Munich office") still is."""
    modifiers = _modifiers(watch)
    heads = [kw for kw in watch.keywords if kw not in modifiers and kw not in TIME_WORDS]
    return any(h not in t.lemmas and _same_stem(h, t) for h in heads)  # (the same word said is neighbours' to judge)


def _initials(words: list[str]) -> dict[str, str]:
    """Runs of 2-5 words by their initials ("annual general meeting" -> "agm")."""
    out = {}
    for n in range(2, 6):
        for i in range(len(words) - n + 1):
            run = words[i:i + n]
            if all(w[:1].isalpha() for w in run):
                out.setdefault("".join(w[0] for w in run), " ".join(run))
    return out


def _acronyms(watch: Watch, t: Text) -> list[str]:
    """An acronym said for the request's words, or the request's acronym said in full: "the AGM's a week
    on Tuesday" for "when the annual general meeting is" (content words only, three letters or more)."""
    target = [w for w in tokens(watch.target.lower()) if is_content(w)]
    said = [w for w in t.words if is_content(w)]
    found = []
    for short, full in _initials(target).items():
        if len(short) >= 3 and any(w.split("'")[0] == short for w in t.words):
            found.append(short)
    for short, full in _initials(said).items():
        if len(short) >= 3 and short in target:
            found.append(full)
    return found


NOUN_BEFORE = frozenset({"the", "a", "an", "any", "some", "my", "our", "your", "their", "his", "her", "its", "this",
                         "that", "new", "next", "first", "last", "no"})
NOUN_AFTER = frozenset({"for", "of", "from", "about", "has", "had", "is", "was", "will", "to"})
VERB_BEFORE = frozenset({"to", "will", "can", "can't", "cannot", "could", "would", "should", "must", "might", "don't",
                         "didn't", "doesn't", "won't", "i", "we", "they", "you", "please", "let's", "gonna", "gotta"})
BE_BEFORE = frozenset({"am", "are", "is", "was", "were", "be", "been", "being", "i'm", "we're", "they're", "you're",
                       "he's", "she's", "it's", "'re"})
OBJECT_AFTER = frozenset({"it", "them", "him", "her", "us", "me", "up", "out"})


def _verb_for_a_noun(watch: Watch, t: Text, kw: str) -> bool:
    """The request uses the word as a noun ("a charge for the carpet", "the pitch has dried") and the
    utterance says it only as a verb ("I need to charge it", "we're pitching the tea tent", "pitch it")."""
    target = tokens(watch.target.lower())
    noun = False
    for j, w in enumerate(target):
        if lemma(w) == kw:
            before, after = (target[j - 1] if j else ""), (target[j + 1] if j + 1 < len(target) else "")
            noun = noun or before in NOUN_BEFORE or before.endswith("'s") or after in NOUN_AFTER
    if not noun:
        return False
    uses = [i for i, lem in enumerate(t.lemmas) if lem == kw]
    if not uses:
        return False
    for i in uses:
        w, before = t.words[i], (t.words[i - 1] if i else "")
        after = t.words[i + 1] if i + 1 < len(t.words) else ""
        verb = (before in VERB_BEFORE or before.endswith("'ll") or (w.endswith("ing") and before in BE_BEFORE)
                or (after in OBJECT_AFTER and before not in NOUN_BEFORE))
        if not verb:
            return False
    return True


THIS_ONE = re.compile(r"\b(?:this|next|upcoming|coming)(?: (?:year|season|week|month|term|time|round|edition))?(?:'s)?\b"
                      r"|\bnew\b")
EARLIER_ONE = re.compile(r"\b(?:last|previous|the old|from last|(?:a|two|three|few) (?:years?|seasons?|months?) ago)"
                         r"(?: (?:year|season|week|month|term|time|round|edition)(?:'s)?)?\b")


def _an_earlier_one(watch: Watch, t: Text) -> bool:
    """The request is for this time's thing ("this year's crew list", "the next newsletter") and the
    utterance names only an earlier one ("the crew list from last year's regatta", "last season's")."""
    return bool(THIS_ONE.search(watch.target.lower()) and EARLIER_ONE.search(t.norm) and not THIS_ONE.search(t.norm))


DETERMINERS = frozenset(FACT_DETERMINERS) | {"your"}
RAW_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def _proper_only(watch: Watch, t: Text) -> set[str]:
    """The request's lower-case words said only as names, capitalised inside a sentence ("off to Turkey in
    January" for "the turkey order", "Mr Baker" for "the baker"): another sense of the word."""
    def inside(raw: str) -> list[tuple[str, bool]]:
        """(lemma, a name on its own) for each word: capitalised inside a sentence, its neighbours not (but a
        title: "Mr Baker"); a word of a longer name ("the Riverside Half") names the thing by its name."""
        found = list(RAW_WORD.finditer(raw))
        caps = []
        for m in found:
            before = raw[: m.start()].rstrip()
            first = not before or before[-1] in ".!?:\"“"
            caps.append(m.group(0)[0].isupper() and not first)
        out = []
        for k, m in enumerate(found):
            near = [caps[j] and found[j].group(0).lower() not in TITLES for j in (k - 1, k + 1) if 0 <= j < len(found)]
            led = k > 0 and found[k - 1].group(0).lower() in DETERMINERS  # "the Marathon": a thing of that kind, named
            out.append((lemma(m.group(0).lower()), caps[k] and not any(near) and not led))
        return out

    request = inside(watch.text)
    if not any(cap for _w, cap in request):
        return set()  # a request transcribed all in lower case tells no name from a word
    asked = {w for w, cap in request if not cap}
    said: dict[str, set[bool]] = {}
    for w, cap in inside(t.raw):
        said.setdefault(w, set()).add(cap)
    return {w for w in watch.keywords if w in asked and said.get(w) == {True} and w not in watch.names}


def _another_code(watch: Watch, t: Text) -> bool:
    """The request names a thing by its code ("the shuttle to Lot C", "gate nine") and the utterance gives
    the same kind of thing another code only."""
    wanted = codes_in(watch.text)
    said: dict[str, set[str]] = {}
    for m in codes(t):
        noun, code = m.value  # type: ignore[misc]
        said.setdefault(noun, set()).add(code)
    return any(noun in wanted and not said[noun] & wanted[noun] for noun in said)


# words of one kind that tell one thing from its siblings: "the evening visit" is not "the morning visit"
KINDS = (frozenset({"morning", "afternoon", "evening", "night", "lunchtime", "overnight", "daytime"}),
         frozenset(WEEKDAYS), frozenset(MONTHS), frozenset({"spring", "summer", "autumn", "fall", "winter"}),
         frozenset({"front", "back", "side"}), frozenset({"upstairs", "downstairs"}), frozenset({"left", "right"}),
         frozenset({"first", "second", "third", "fourth", "fifth", "final"}), frozenset({"home", "away"}),
         frozenset({"junior", "senior"}), frozenset({"weekday", "weekend"}), frozenset({"indoor", "outdoor"}),
         frozenset({"red", "blue", "green", "yellow", "black", "white", "grey", "gray", "pink", "purple", "orange",
                    "brown", "silver", "gold"}))


def _sibling(watch: Watch, t: Text) -> bool:
    """The request's thing is told from its siblings by a word of a kind ("Mum's evening visit", "the back
    door", "the blue folder") and the utterance names the thing only with another word of that kind ("her
    morning visit", "the front door")."""
    words = tokens(watch.target.lower())
    wanted = {(kind, w, lemma(words[i + 1])) for i, w in enumerate(words[:-1])
              for kind in KINDS if w in kind and is_content(words[i + 1])}
    if not wanted:
        return False
    verdicts = set()
    for kind, w, head in wanted:
        for j in range(len(t.words) - 1):
            if t.lemmas[j + 1] == head and t.words[j] in kind:
                verdicts.add(t.words[j] == w)
    return verdicts == {False}


def match(watch: Watch, t: Text, semantic: "Callable[[], float | None] | None" = None) -> TopicHit | None:
    """Score one utterance against a topic watch; a hit when the evidence reaches THRESHOLD, or when
    the words fall short and the meaning (`semantic()`, the contrast score, asked for only then) is
    clearly about the topic."""
    if EARLIER_TIME.search(t.norm) and not STILL_TO_COME.search(t.norm):
        return None  # "the skip you had back in February": told of an earlier time only
    if watch.identifiers and not set(watch.identifiers) & set(digit_runs(t.words)):
        return None  # "our flight, TP 1335": a flight without its number is not it
    if _another_code(watch, t):
        return None  # "the shuttle to Lot B" for "the shuttle to Lot C"
    if _sibling(watch, t):
        return None  # "her morning visit" for "Mum's evening visit"
    if _time_asked(watch) and not _time_said(t, watch):
        return None
    if _number_asked(watch) and not digit_runs(t.words):
        return None  # "my new sort code and account number": the account named without its digits is not them
    if _answer_asked(watch) and _unanswered(watch, t):
        return None
    if _state_not_reached(watch, t) or _time_only_in_the_past(watch, t) or _an_earlier_one(watch, t) or \
            _state_unsaid(watch, t):
        return None
    if _amount_asked(watch) and not _amount_said(watch, t):
        return None  # "how much we must pay for the trip": the trip without a price is not it
    same, other = neighbours(watch, t)
    if other and not same and not _head_said(watch, t):
        return None  # a neighbour of the watched thing, named as such
    if _change_asked(watch) and not _change_said(watch, t):
        return None  # "deadlines being moved": deadlines named with nothing changed is not it
    if CALENDAR_ACTION.search(watch.action or "") and not _dated(t):
        return None  # "pop it in the calendar": news of it has a date ("any news from the hospital?" has none)
    terms: list[str] = []
    score = 0.0
    seen: set[tuple[str, ...]] = set()

    if _others_own(watch, t):
        return None  # "a trade offer for my running back": "Dave's running back" is not mine

    proper = _proper_only(watch, t)

    def take(term: tuple[str, ...], weight: float) -> None:
        nonlocal score
        if term in seen or not (t.has_phrase(term) or len(term) == 1 and _same_stem(term[0], t)):
            return
        if len(term) == 1 and term[0] in proper:
            return  # "Uncle Tony's off to Turkey" for "the turkey order": a name, another sense
        seen.add(term)
        score += weight
        terms.append(" ".join(term))

    others = [w for w in tokens(watch.target) if lemma(w) not in watch.names]  # "news about Leo": a name among other words
    modifiers = _modifiers(watch)
    for kw in watch.keywords:
        if kw in TIME_WORDS:
            continue
        is_name = kw in watch.names and bool(others)
        weak = kw in WEAK_ADJECTIVES and len(watch.keywords) > 1  # "the old one" is not "his old phone"
        take((kw,), WEIGHTS["name"] if is_name or kw in modifiers or weak else WEIGHTS["keyword"])
    head_words = tuple(kw for kw in watch.keywords if kw not in modifiers)
    for term in _synonyms(head_words):
        take(term, WEIGHTS["synonym"])
    for term in _synonyms(tuple(modifiers)):
        take(term, WEIGHTS["modifier"])
    acronyms = [x for x in _acronyms(watch, t) if x not in terms]  # "the AGM" for "the annual general meeting", and back
    score += WEIGHTS["keyword"] * bool(acronyms)
    terms += acronyms
    lone = [kw for kw in head_words if kw in terms]
    if len(terms) == 1 and lone == terms and _verb_for_a_noun(watch, t, lone[0]):
        # "pitching the tea tent", "I need to charge it" for "whether the pitch has dried", "a charge for the
        # carpet": the request's noun heard only as a verb is another sense, and the meaning, which the shared
        # word pulls close, does not make it a mention either
        return None
    own_words = bool(acronyms) or any(term in terms for term in (" ".join((kw,)) for kw in head_words))
    # the request's action said back ("book a table" -> "booked a table"): backing for the meaning, never a mention alone
    action = _action_lemmas(watch.action)
    if action and all(t.has_phrase((w,)) for w in action):
        score += WEIGHTS["action"]
        terms.append(" ".join(action))
    past = PAST.search(t.norm) is not None
    if past:
        score *= 0.5
    if score >= THRESHOLD:
        if own_words or semantic is None:
            return TopicHit(score, terms)
        # synonyms alone ("works" for "job openings"): the meaning must not be elsewhere
        z = semantic()
        return TopicHit(score, terms, semantic=z) if z is None or z >= SEMANTIC_VETO else None
    z = semantic() if semantic is not None and not past else None
    if z is not None and (z >= SEMANTIC_ALONE or (score >= WORDS_FOR_SEMANTIC and z >= SEMANTIC_WITH_WORDS)):
        return TopicHit(score, terms + [f"meaning {z:.2f}"], semantic=z)
    return None
