"""Implicit needs by meaning: which of the session's tools an utterance's unspoken need is for.

The intent table (`intent.INTENT_RULES`) lists the phrasings of a need it knows ("running late",
"out of milk"); people state needs in ways no table lists: an idiom ("it's baltic in here"), an
understatement ("it won't be me doing the sums"), a complaint ("I've been walking in circles"). Here
each intent row has a few plain descriptions of the need it serves (`NEED_DESCRIPTIONS`, written as
a user's situation, not as phrasings to match). The semantic layer (`semantic.Meaning`, e5 retrieval
scores: the utterance as a passage, each description as a query) ranks the rows whose tool the
session has; the best row is taken when its score clears `NEED_MIN` and beats the runner-up row by
`NEED_MARGIN`. The row's own argument builder and precise guards (`intent.apply` without its cue
regexes: done already, told of the past, a question put to the other person, the values the tool
needs) then run on the pair.

Descriptions are embedded once per process (a cache in `semantic.Meaning`); an utterance costs one
passage embedding (shared with the topic and fact pairing of the same sentence).
Thresholds were set on our own scenes only (builder presets and `tests/fixtures/dev2`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...base import ToolSchema
from . import semantic
from typing import Callable

from .diet import foods_in, foods_named
from .fact_check import about, facts_from_context
from .intent import FACTUAL, INTENT_RULES, UNSURE, Heard, _finance_target, IntentRule, Offer, apply_rule, find_tool, heard
from .text import Text, analyse, clean, tokens

NEED_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "weather": ("I'm worried the weather will be bad for my plans", "will it rain or be windy when I go out"),
    "finance": ("I don't know what this price is worth in my own currency", "how much is this amount in another currency"),
    "timer": ("something needs a set number of minutes and I will forget to check it",
              "I'll lose track of the time while this is cooking or setting",
              "I'll get distracted and miss it when the time is up"),
    "calculate": ("I can't work out the sum, how much each person owes when we split the bill",
                  "doing the arithmetic in my head is hard"),
    "directions": ("I'm lost and can't find the place I'm going to", "I don't know the way there"),
    "environment": ("it's too cold in the room and I'm freezing", "it's too hot and stuffy in here",
                    "it's too dark in here to see", "I'm so cold in here my hands are numb"),
    "shopping": ("we've run out of something and need to buy more", "something I own broke and I need a new one",
                 "the last one is used up and there's none left"),
    "late": ("I'm stuck and will be late for the people I'm meeting",),
    "recipe": ("I don't know what to cook with the food I have",),
    "guided_activity": ("I'm really stressed and anxious and need to calm down",),
    "media": ("I'd like to listen to some music or a podcast",
              "it's too quiet to focus, some music or background sound on would help"),
    "calendar": ("we've just agreed a day and a time to meet and I might forget it",),
    "search": ("I have no idea how healthy this food is, its calories, sugar or protein",),
    "taxi": ("I need a ride, a car to take me somewhere",),
    "restaurant": ("we want to eat out and need a table at a restaurant",),
}
# precise guards the meaning cannot give (the meaning finds a need-like line close to a need):
# a wish or a hypothetical is no need now, what is done is done
UNREAL = re.compile(r"\b(?:if (?:i|we|you) (?:ever|had|were|could|did)|i'd (?:have to|learn|love to(?! (?:know|find out|hear|work out|figure out)\b)|like to one day|need|be)|"
                    r"we'd (?:need|have to|be)|some ?day|one day|what if|imagine if|suppose|supposing)\b")
# the meaning alone also takes these as over ("Simon will already be there" is part of a need the table reads)
OVER = re.compile(r"\b(?:already|last (?:week|year|month|time)|yesterday)\b")
# the problem told as over: "... but Jo put a clock over the kiln and it's been fine since", "we're sorted"
SOLVED = re.compile(r"\b(?:sorted|fixed|solved|resolved|all good|been fine|fine (?:now|since|ever since)|ever since|"
                    r"(?:he|she|they|we|i)(?:'s|'re| is| are| am|'m) (?:\w+ )?(?:up )?there now|anyway|in the end|"
                    r"made it (?:in time|after all)|(?:came|turned|worked) out (?:\w+ )?(?:fine|perfect|great|well|ok|okay))\b")
# what the tool would find out is already known ("I looked at the forecast at lunch", "I rang them this
# morning"), or there is no hurry to serve ("we've got loads of time")
KNOWN = re.compile(r"\b(?:i|we|i've|we've|he|she|they|he's|she's|they've) (?:just |already )?"
                   r"(?:looked at|checked|seen|saw|read|rang|called|phoned|asked) "
                   r"(?:the (?:forecast|weather|timetable|times|hours|app|website|map|prices?)|them|him|her)\b|"
                   r"\b(?:rang|phoned|called|checked) the (?:forecast|weather)(?: line| app| service)?\b|"  # "Mick rang the forecast line"
                   r"\b(?:loads|plenty|lots|heaps) of time\b|\bno rush\b")
# someone else's trouble, reported: "the new driver says he couldn't find gate seven"
REPORTED = re.compile(r"\b(?:says|said|told (?:me|us)|reckons|mentioned) (?:that )?(?:he|she|they)\b")
# the speaker's own doubt or need beside the report ("Mum said she'd cover it but ... I honestly have no idea")
OWN_DOUBT = re.compile(r"\bi (?:\w+ )?(?:have no idea|don't know|do not know|need to|have to|can't work out|'m not sure|am not sure|"
                       r"wonder|haven't a clue|have no clue)\b|\bi've (?:got )?no (?:idea|clue)\b")
# told of the past as a story: "it was windy at Henley on Saturday" (nothing still to come in it)
TOLD_PAST = re.compile(r"\b(?:it was|it were|it had been|(?:we|they) were|(?:he|she) was|we had|i was|i had)\b")
STILL_TO_COME = re.compile(r"\b(?:will|'ll|going to|gonna|tomorrow|tonight|next|whether|if|now|still|right now|can't|cannot|"
                           r"(?:meant|supposed) to|there's been nothing|hasn't|haven't|not yet)\b")  # or not come yet


def _negated_at(t: Text, char_pos: int) -> bool:
    i = len(tokens(t.norm[:char_pos]))
    return i < len(t.negated) and t.negated[i]


# the speaker provides it: "I'll drive, I'll pick you up at half six" (a lift offered is no need of a ride)
LIFT = r"drive|pick (?:you|them|him|her|us) up|give (?:you|them|him|her|us) a lift|run (?:you|them|him|her|us) (?:there|over|in|down)"
PROVIDED = re.compile(rf"\b(?:i'll|i will|i can|we'll|we can|let me) (?:{LIFT})\b|"
                      r"\b(?:i'll|i will) (?:just )?(?:\w+ ){1,4}?(?:it|them|one) myself\b")  # "I'll just come and collect it myself"


def not_a_need(t: Text) -> str | None:
    """Why a line the meaning finds close to a need is not one ("hypothetical", "solved", "reported",
    "past"), or None. Each guard is a family of phrasings tested in tests/offline/test_offline_near_misses.py."""
    unreal = UNREAL.search(t.norm)
    if unreal and not (unreal.group(0).startswith("i'd love to") and OWN_DOUBT.search(t.norm)):
        return "hypothetical"  # (but "I'd love to make something with it, but I've no idea what" is a doubt now)
    if any(not _negated_at(t, m.start()) for m in SOLVED.finditer(t.norm)):
        return "solved"  # (not "we haven't sorted out getting there")
    if KNOWN.search(t.norm):
        return "known"
    if PROVIDED.search(t.norm):
        return "provided"
    if REPORTED.search(t.norm) and not OWN_DOUBT.search(t.norm):
        return "reported"
    if TOLD_PAST.search(t.norm) and not STILL_TO_COME.search(t.norm):
        return "past"
    return None


def _has_time(h: Heard) -> bool:
    return any(m.kind in ("day", "time", "part") for m in h.mentions)


# the values a row's tool needs, asked of a row the meaning chose (its cue regexes found them otherwise)
def _today_only(h: Heard) -> bool:
    """No day said but today (being late is about now: "I'm meeting Tessa tomorrow" is no delay)."""
    days = [m.value for m in h.mentions if m.kind == "day"]
    return all(h.now is not None and d.matches(h.now.date()) and d.date is not None for d in days)


WEATHER = re.compile(r"\b(?:weather|forecast|rain\w*|wind\w*|pour\w*|wet|drizzl\w*|showers?|storm\w*|thunder\w*|snow\w*|"
                     r"sun|sunny|sunshine|hot|heat\w*|cold|chilly|freez\w*|frost\w*|ic[ey]|fog\w*|mist\w*|cloud\w*|"
                     r"umbrella|gales?|breez\w*|blow\w*|humid\w*|damp|scorch\w*)\b")
DELAYED = re.compile(r"\b(?:late(?! (?:breakfast|brunch|lunch|dinner|supper|tea|night|nights|start|checkout|check-out|shift|"
                     r"show|afternoon|morning|evening|riser|one|bloomer|summer|season))|delay\w*|stuck|held up|traffic|jam|won't make it|not (?:going to|gonna) make it|"
                     r"miss(?:ed)? (?:the|my)|running behind|behind schedule|cancel+ed|broke(?:n)? down|queue|"
                     r"diversion|roadworks|still (?:at|on|in)|only just (?:left|leaving))\b")
PAST_WEATHER = re.compile(r"\b(?:it|that) (?:rained|poured|snowed|hailed|blew|was (?:wet|windy|sunny|freezing|raining|pouring))\b|"
                          r"\brained all\b")
ATTENTION = re.compile(r"\b(?:forget|forgot|lose track|los(?:e|ing) count|distract\w*|miss (?:it|the)|burn\w*|overcook\w*|"
                       r"boil(?:s|ing)? (?:over|dry)|ready|done|come (?:out|off)|take (?:it|them) (?:out|off)|check on|"
                       r"keep an eye|remember|timer|alarm|go off|on the hob|in the oven|setting|rest(?:ing)?|soak\w*|"
                       r"steep\w*|brew\w*|prove|proving|rise|charg\w*)\b")
HERE = re.compile(r"\b(?:here|in this (?:room|flat|house|office|place)|this (?:flat|room|office|house)|inside|indoors)\b")
VALUES_NEEDED: dict[str, Callable[[Heard], bool]] = {
    "late": lambda h: (_has_time(h) or bool(about(h.text, facts_from_context(h.ctx)))) and _today_only(h)
    and DELAYED.search(h.text.norm) is not None,  # held up now, not "the earliest I'd make it is half six"
    # a sum the speaker cannot do, not amounts told ("my rent's 1,150 and it goes out on the first")
    "calculate": lambda h: re.search(UNSURE + r"|\b(?:work out|figure out|add up|split|each|per person|how much|"
                                     r"maths|math|sums?|calculat\w*)\b", h.text.norm) is not None,
    "environment": lambda h: HERE.search(h.text.norm) is not None,  # the room the devices are in, not the weather
    # a time or a place, and the weather itself named: a plan with a place and a day is no worry about it
    "weather": lambda h: (_has_time(h) or any(m.kind == "place" for m in h.mentions)) and WEATHER.search(h.text.norm) is not None
    and not PAST_WEATHER.search(h.text.norm),  # "it rained all weekend" is over
    "finance": lambda h: _finance_target(h) != "stock market",  # a currency pair or a named stock, not a default
    # a doubt about what to cook with foods named, not a meal chosen nor any question
    "recipe": lambda h: re.search(UNSURE + r"|\bsomething (?:i|we|you) (?:can|could) (?:do|make|cook)\b|"
                                  r"\bsomething to (?:make|cook|do) with\b", h.text.norm) is not None and bool(foods_in(h.text) or foods_named(h.text)),
    "calendar": _has_time,  # a day or a time to put it at
    # something to come back to when the time is up, at risk of being missed ("an hour on the turbo trainer" is none)
    "timer": lambda h: ATTENTION.search(h.text.norm) is not None,
    "search": lambda h: re.search(FACTUAL, h.text.norm) is not None,  # a fact to look up is named (calories, how much...)
    # a way to get somewhere is wanted ("no idea how to get to Fernhill", "another way of getting to Manchester"), not
    # a trip joked about ("a one-way ticket to Barbados") nor a bill split (on hand-written scenes the meaning alone
    # offered a taxi 7 times, 2 rightly)
    "taxi": lambda h: TRAVEL_SAID.search(h.text.norm) is not None,
}
TRAVEL_SAID = re.compile(r"\b(?:how (?:to|do i|do we|would i|would we|will i|will we|can i|can we) get (?:to|there|home|back)|"
                         r"(?:way|means) of getting|getting (?:to|there|home|back)|get (?:there|home|back)|ride|lift|taxi|cab|"
                         r"uber|drive|driving|pick (?:me|us) up|no car|without a car|miss(?:ed)? the (?:last )?(?:bus|train))\b")
# a description that says the value its row's builder reads from the words ("cold": raise the heating)
VALUE_OF: dict[str, str] = {"it's too cold in the room and I'm freezing": "cold in here",
                            "I'm so cold in here my hands are numb": "cold in here",
                            "it's too hot and stuffy in here": "hot in here", "it's too dark in here to see": "dark in here"}
NEED_MIN = 0.84  # e5 retrieval score the best description must reach
NEED_MARGIN = 0.01  # over the best description of any other row, for the meaning alone to be clear
NEED_BAND = 0.02  # rows this close to the best are all candidates; their precise checks decide
MIN_WORDS = 5


@dataclass
class NeedChoice:
    rule: IntentRule
    score: float
    runner_up: float
    description: str


def candidates(text: str | Text, tools: list[ToolSchema]) -> list[NeedChoice]:
    """The intent rows an utterance's need may be about, by meaning, best first: the best row when it
    reaches `NEED_MIN`, and the rows within `NEED_BAND` of it (the precise checks choose among them)."""
    m = semantic.meaning()
    t = text if isinstance(text, Text) else analyse(text)
    if m is None or len(t.words) < MIN_WORDS:
        return []
    scored = []
    for rule in INTENT_RULES:
        if rule.name not in NEED_DESCRIPTIONS or find_tool(rule, tools) is None:
            continue
        scored.append(max((m.relevance(t.raw, d), rule.name, rule, d) for d in NEED_DESCRIPTIONS[rule.name]))
    scored.sort(key=lambda s: (-s[0], s[1]))
    if not scored or scored[0][0] < NEED_MIN:
        return []
    best = scored[0][0]
    near = [s for s in scored if s[0] >= max(best - NEED_BAND, NEED_MIN)]  # each candidate clears the threshold itself
    return [NeedChoice(rule, score, scored[k + 1][0] if k + 1 < len(scored) else 0.0, d)
            for k, (score, _name, rule, d) in enumerate(near)]


def choose(text: str | Text, tools: list[ToolSchema]) -> NeedChoice | None:
    """The row an utterance's need is about when the meaning alone is clear (best by `NEED_MARGIN`)."""
    found = candidates(text, tools)
    return found[0] if found and found[0].score - found[0].runner_up >= NEED_MARGIN else None


def detect(text: str | Text, ctx: dict | None, tools: list[ToolSchema]) -> Offer | None:
    """An offer for a need the table's phrasings missed: among the rows the meaning finds near the
    best, the first whose precise checks pass (the values its tool needs, its guards, its builder)."""
    t = text if isinstance(text, Text) else analyse(text)
    if not_a_need(t) or OVER.search(t.norm):
        return None
    for choice in candidates(t, tools):
        value = VALUE_OF.get(choice.description)
        h = heard(analyse(f"{t.raw} ({value})") if value else t, ctx)
        needed = VALUES_NEEDED.get(choice.rule.name)
        if needed is not None and not needed(h):
            continue
        offer = apply_rule(choice.rule, h, tools, cue_found=True)
        if offer is not None:
            return offer
    return None


# ---- a need met after it was said -----------------------------------------------------------------
# A need said to the room is offered at the next pause (see `Mind.pause`); what is said before then may
# meet it. Families (tests/offline/test_offline_floor.py):
# taken back: "... I'm kidding", "actually, forget it", "never mind, I'll live"
DROPPED = re.compile(r"\b(?:forget (?:it|that|about it)(?!['\w])|never ?mind|scratch that|(?:it )?doesn't matter|not worth (?:it|the hassle)|"
                     r"(?:i'm|i am|i was) (?:only |just )?(?:kidding|joking)|just (?:kidding|joking)|only joking|"
                     r"(?:i'll|we'll|i will|we will) (?:manage|live|survive|cope|wing it)|on second thoughts?|"
                     r"(?:i|we) (?:don't|do not) need (?:to|it|one) (?:now|any ?more)|no need (?:now|any ?more|then))\b")
# done already, by anyone: "I checked like ten minutes ago", "they've booked you on the six-ten", "all done"
DONE = re.compile(r"\b(?:i|we|he|she|they|you)(?:'ve| have| had|'d)? (?:already|just) (?:\w+ ){0,2}?(?:checked|looked|booked|"
                  r"ordered|sent|did|done|set|put|added|sorted|called|rang|phoned|paid|bought|got|found|texted|messaged|"
                  r"emailed|reserved|arranged|scheduled|made|asked|googled|worked (?:it )?out)\b|"
                  r"\b(?:i|we|he|she|they)(?:'ve| have)? (?:checked|googled|looked (?:it|that) up|booked (?:it|one|us|you|the)|"
                  r"sorted (?:it|that)|ordered (?:it|one|them|some))\b|"
                  r"\b(?:all|already) (?:booked|sorted|done|paid|ordered|arranged|taken care of|in hand)\b|"
                  r"\b(?:it's|that's|it is|that is) (?:all )?(?:booked|sorted|done|handled|taken care of)\b|"
                  r"\b(?:i|we|he|she|they) (?:already )?did (?:it|that)\b|\b(?:i've|we've|i|we) (?:already )?(?:done|sorted) (?:it|that)\b|"
                  r"\b(?:placed|put in|submitted) (?:the|an|my|our) order\b|"
                  # "Did it last night, they're coming tomorrow. Already shipped, I got the email."
                  r"(?<!should've )(?<!should have )(?<!could've )(?<!ought to have )(?<!meant to have )"  # (a regret)
                  r"\b(?:did|done|sorted|ordered) (?:it|that|them|some) (?:last night|yesterday|this morning|earlier)\b|"
                  r"\b(?:already|just) (?:been )?(?:shipped|dispatched|posted|on (?:its|their|the) way)\b|"
                  # bought by another, and come: "he says he ordered five kilos on Wednesday and it came this morning"
                  r"\b(?:he|she|they|someone|somebody) (?:ordered|bought|reserved) (?:\w+ ){0,4}?(?:and|but) (?:it|they|that) "
                  r"(?:came|arrived|turned up|got here|(?:has|have|'s|'ve) (?:come|arrived|been delivered))\b")
# taken on by someone in the room (the next utterance, another voice): "I'll look it up", "leave it with me"
TAKEN_ON = re.compile(r"\b(?:i'll|i will|let me|i can|i'm gonna|i'm going to|i'll just) (?:just |quickly |go )?(?:check|look|"
                      r"google|book|order|call|ring|phone|text|sort|handle|grab|find|pick up|send|set|add|put|work it out|"
                      r"do (?:it|that|the)|" + LIFT + r")\b|"
                      r"\bleave it (?:with|to) me\b")
NUMBER_SAID = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|"
                         r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|half|quarter)\b")
ROUTE_SAID = re.compile(r"\b(?:left|right|straight on|straight ahead|turn|exit|junction|roundabout|past the|next to|opposite|"
                        r"follow|take the|down the road|round the corner|minutes? (?:walk|drive|away))\b")
# any question answered with a number first ("How many ounces is a liter?" - "Thirty-three point eight")
NUMBER_FIRST = re.compile(r"^\W*(?:(?:um|uh|oh|er|well|so|about|around|like|roughly|nearly|almost|it's|its|that's|"
                          r"it is|that is|just|only)\W+){0,3}" + NUMBER_SAID.pattern)
# what a question's answer brings, by the row that served the need ("How many ounces in a liter?" - "Thirty-three")
ANSWERS: dict[str, re.Pattern] = {"weather": WEATHER, "calculate": NUMBER_SAID, "finance": NUMBER_SAID,
                                  "directions": ROUTE_SAID}


def met_after(rule: str, asked: bool, later: str, next_turn: bool) -> str | None:
    """Why what was said after a need meets it ("dropped", "done", "taken on", "answered"), or None.

    `later`: the rest of the utterance the need was said in (`next_turn` False) or the next one (True,
    most likely another voice); `asked`: the need was put as a question to the room. Only the next
    utterance takes a need on or answers its question: the speaker's own "I'll have to look it up"
    after it is the need itself."""
    low = clean(later).lower()
    if DROPPED.search(low):
        return "dropped"
    if DONE.search(low) or KNOWN.search(low):
        return "done"
    if next_turn and TAKEN_ON.search(low):
        return "taken on"
    answer = ANSWERS.get(rule)
    if next_turn and asked and (NUMBER_FIRST.search(low) or (answer is not None and answer.search(low))):
        return "answered"
    return None


__all__ = ["NEED_DESCRIPTIONS", "NeedChoice", "candidates", "choose", "detect", "met_after"]
