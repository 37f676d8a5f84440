"""Reading the user's standing request: what topic or sound to watch for, and what to do then.

"When you hear any mention of restaurant bookings or dining plans, help me log a note" becomes a
topic `Watch` (target "restaurant bookings or dining plans", action "help me log
a note"); "If you hear the kettle whistle, remind me to take it off" becomes a sound `Watch` (class
kettle, action "remind me to take it off").

The request comes as text (`SessionContext.instruction`) or only in the audio (the ablation without
it): `is_instruction` recognises a heard utterance that sets up a watch, and `parse_instruction`
reads one. Both work from the tables in `lexicon` and the pattern tables below.
"""

from __future__ import annotations

import difflib
import dataclasses
import re
from dataclasses import dataclass, field

from .lexicon import SOUND_NAMES
from .text import WORD, analyse, clean, is_content, lemma, tokens

# "keep an ear out for X": a sound if X names one, else a topic
LISTEN_FOR = (r"keep an? (?:ear|eye) out for", r"listen (?:out )?for", r"watch (?:out )?for", r"look out for",
              r"be on the lookout for", r"pay attention to", r"wait for", r"tune in to",
              r"monitor (?:\w+ ){0,3}?for", r"listen (?:\w+ ){1,3}?for", r"keep track of")
# verbs that say "someone talks about X"; the topic follows them
TOPIC_AFTER = LISTEN_FOR + (
    r"any mentions? of", r"mentions? of", r"mention(?:s|ed|ing)?(?: anything| something)?(?: about| of| regarding)?",
    r"talk(?:s|ed|ing)? about", r"speak(?:s|ing)? about", r"bring(?:s|ing)? up", r"brought up",
    r"says? anything about", r"say(?:s)? something about", r"discuss(?:es|ing)?", r"ask(?:s|ing)? about",
    r"refer(?:s|ring)? to", r"chat(?:s|ting)? about", r"hear (?:anything|something|anyone talk|someone talk) about",
    r"hear about", r"raises?", r"offers? (?:me|us)", r"announc(?:e|es|ed|ing)", r"invites? (?:me|us) (?:to|for)", r"anything (?:about|regarding|related to|to do with)", r"the (?:topic|subject) of",
    r"(?:talk|conversation|chat|subject|topic) (?:turns|moves|gets|comes|shifts|drifts) (?:around )?to",
    # "if anybody says when the health inspection is": the question said is the topic
    r"(?:says?|tells? (?:us|everyone|everybody|them)|announces?|confirms?|posts?|shares?|lets? us know|"
    r"finds? out|works? out|figures? out|counts? up)(?= (?:when|what|where|who|whether|how|which)\b)",
    # "if anybody puts in a trade offer for my running back": what someone does is the topic
    r"(?:anybody|anyone|somebody|someone) (?:puts? in|makes?|submits?|sends?|posts?|proposes?|files?|asks? for|requests?|"
    r"books?|cancels?|changes?|moves?)",
)
# "...if X comes up": the topic comes before these
TOPIC_BEFORE = (r"comes? up", r"is mentioned", r"gets? mentioned", r"is brought up", r"is discussed",
                r"gets? brought up", r"(?:is|are) talked about")
# words that end a topic phrase (the rest is the action or filler)
TOPIC_END = TOPIC_BEFORE + (r"\bif (?:it|that|this|so|anyone|someone)\b", r"\bwhen (?:it|that|this)\b", r",", r"\.", r";", r"\?", r"!", r"\bthen\b", r"\blet me know\b", r"\btell me\b", r"\bremind me\b",
             r"\bhelp me\b", r"\bplease\b", r"\bduring\b", r"\bin (?:my|our|the|this) (?:conversation|chat|call)s?\b",
             r"\bwhile\b", r"\bso (?:that|you|i)\b", r"\band (?:let|tell|remind|help|check|look|add|set|book|find|suggest|send|play|turn)\b",
             r"\bfrom now on\b", r"\bat any point\b", r"\btoday\b$",
             r"(?<!the )(?<!a )\b(?:because|'?cause|'?cos|coz|cuz)\b",  # the reason said after the topic
             # an ask run on without a comma, as speech is transcribed ("... for his old phone can you write it down")
             r"\b(?:can|could|would|will) you (?:write|note|jot|put|add|tell|let|remind|save|log|pop|stick|make|text|send)\b",
             r"\bi (?:wanna|want to|need to|'d like to) (?:check|know|see|compare|budget|plan)\b")
# leading filler in a topic phrase
TOPIC_LEAD = r"^(?:(?:any|anything|something|about|regarding|the|a|an|of|on|to|do|with|related|specific|new|"\
             r"any kind of|kind of|sort of|some)\s+)+"
# the request is addressed to the assistant (a heard instruction must say one of these)
ADDRESSED = (r"\blet me know\b", r"\btell me\b", r"\bremind me\b", r"\balert me\b", r"\bnotify me\b",
             r"\bhelp me\b", r"\bping me\b", r"\bheads[- ]up\b", r"\bgive me a shout\b", r"\bflag\b",
             r"\byou hear\b", r"\byou detect\b", r"\byou notice\b", r"\blisten (?:out )?for\b",
             r"\bkeep an? (?:ear|eye) out\b", r"\bwatch (?:out )?for\b", r"\bwait for\b", r"\bfor me\b",
             r"\bwarn me\b", r"\bgive me a nudge\b", r"\bshould (?:you|it) hear\b", r"\bwhen you hear\b",
             r"\bif you hear\b", r"\bmake sure (?:to|you)\b", r"\bcheck\b", r"\blook up\b", r"\bsuggest\b",
             r"\b(?:note|jot|write|put) (?:it|that|them|this) down\b", r"\bmake a note\b", r"\bsave (?:it|that|them)\b",
             r"\badd (?:it|them|that) to (?:my|the|our)\b", r"\bput (?:it|them|that) (?:in|on|into) (?:my|the|our)\b",
             r"\blisten out\b", r"\byou (?:send|text|message|call|ring|phone|remind|add|write|note|book|play|pause)\b", r"\bi(?: want|'d want| need|'d like| would like) to know (?:the (?:moment|minute|second)|as soon as|when|if)\b")
# "the second they call" is a condition; "the second floor" is not: a subject follows the condition's "the second"
SUBJECT_NEXT = r"(?= (?:i|you|he|she|we|they|it|there|the|a|an|my|our|your|his|her|their|this|that|anyone|anybody|someone|somebody|[a-z]+'s)\b)"
# ("should" is a condition only where a clause starts: "should anyone call, ..."; not "we should leave at ten")
CONDITION = r"(?:\b(?:if|when|whenever|once|as soon as|in case|the (?:moment|minute|second)" + SUBJECT_NEXT + \
    r"|every time)|(?:^|[,;:.!?] *|\b(?:and|but|so|please|assistant) )should)\b"
SOUND_VERBS = r"\b(?:hear|heard|detect|notice|goes? off|go off|ring|rings|ringing|beep|beeps|beeping|whistle|" \
              r"whistles|whistling|sound|sounds|bark|barks|barking|knock|knocks|knocking|chime|chimes|buzz|" \
              r"buzzes|listen|wait for|cry|cries|crying|starts?|stops?|finish|finishes|done)\b"


@dataclass
class Watch:
    """What the user asked the agent to wait for."""

    kind: str  # "topic" | "sound"
    text: str  # the whole request, cleaned
    target: str  # the topic phrase or the sound as the user named it
    action: str = ""  # what to do then, in the user's words ("remind me to close the windows")
    sound_class: str | None = None
    keywords: tuple[str, ...] = ()  # content lemmas of the topic phrase (common words)
    names: tuple[str, ...] = ()  # proper names in the topic phrase (lemmas)
    identifiers: tuple[str, ...] = ()  # numbers that name the thing ("TP 1335"): a mention must say one
    extra: dict = field(default_factory=dict)


def _search_any(patterns, text: str):
    best = None
    for p in patterns:
        m = re.search(p, text)
        if m and (best is None or m.start() < best.start()):
            best = m
    return best


def find_sound(text: str) -> tuple[str, str, int] | None:
    """(class, phrase, token index) of the first named sound; a name inside a longer one ("alarm" in
    "smoke alarm") gives way to the longer one. None if no sound is named."""
    lems = [lemma(w) for w in tokens(text.replace("_", " "))]
    hits = []
    for cls, names in SOUND_NAMES.items():
        for name in names:
            pat = [lemma(w) for w in tokens(name.replace("_", " "))]
            for i in range(len(lems) - len(pat) + 1):
                if lems[i:i + len(pat)] == pat:
                    hits.append((i, i + len(pat), cls, name))
    hits = [h for h in hits if not any(o[0] <= h[0] and h[1] <= o[1] and (o[1] - o[0]) > (h[1] - h[0])
                                       for o in hits)]
    if not hits:
        return None
    # the sound waited for is the one in the condition ("I'll be on the phone for ages, so when Biscuit
    # starts barking..."): the first named after a condition word in its clause, else the first named
    conditioned = [h for h in hits if _in_condition(lems, h[0])]
    i, _, cls, name = min(conditioned or hits)
    return cls, name, i


CONDITION_WORDS = frozenset({"if", "when", "whenever", "once", "should"})
CLAUSE_WORDS = 8  # a condition word this close before the sound governs it


def _in_condition(lems: list[str], index: int) -> bool:
    return any(w in CONDITION_WORDS for w in lems[max(0, index - CLAUSE_WORDS): index])


def _topic_phrase(low: str) -> tuple[str, int, int, bool] | None:
    """(phrase, start, end, listened_for): the topic and where its clause is; `listened_for` when
    it was introduced by "keep an ear out for" and the like (then a sound name makes it a sound)."""
    m = _search_any([rf"\b{p}\b" for p in TOPIC_AFTER], low)
    if m:
        listened = bool(re.fullmatch(rf"(?:{'|'.join(LISTEN_FOR)})", m.group(0)))
        rest = low[m.end():]
        end = _search_any(TOPIC_END, rest)
        phrase = rest[: end.start()] if end else rest
        phrase = re.sub(TOPIC_LEAD, "", phrase.strip())
        if phrase:
            return phrase.strip(" ,.;"), m.start(), m.end() + (end.start() if end else len(rest)), listened
    m = _search_any([rf"\b{p}\b" for p in TOPIC_BEFORE], low)
    if m:
        cond = None
        for c in re.finditer(CONDITION, low[: m.start()]):
            cond = c
        start = cond.end() if cond else 0
        phrase = re.sub(TOPIC_LEAD, "", low[start: m.start()].strip())
        if phrase:
            return phrase.strip(" ,.;"), start, m.end(), False
    return None


# what someone does in a request's condition that makes the rest of the clause the topic ("if they give us
# the gate code", "when Carl decides where we're stopping", "if anybody on the floor says the laundry's fixed")
REPORT_VERBS = r"says?|said|mentions?|gives?|tells?|announces?|posts?|confirms?|decides?|calls?|recommends?|suggests?|" \
               r"sends?|shares?|puts?|offers?|brings?|asks?|reports?|texts?|emails?|rings?|phones?|lets? slip|" \
               r"reads? out|shouts?|comes? back with|gets? back (?:to us )?with|sorts? out|fixes|agrees?"
CONDITION_CLAUSE = re.compile(rf"\b(?:if|when|whenever|once|as soon as|the (?:moment|minute|second)|every time)\s+(?P<who>[^,.;?!]*?)\b"
                              rf"(?P<verb>{REPORT_VERBS})\s+(?:(?:us|me|you|them|out|in|that|anything about|something about)\s+)*"
                              rf"(?P<x>[^,.;?!]+)")


# an order to the assistant, said as a bare imperative at a clause's start ("..., text my sister", "send a message to
# my dad"): the request's ask, as "let me know" is
IMPERATIVE = re.compile(r"(?:^|[,.;:!?] *|\b(?:please|then|and|just) )(?:send|text|message|call|ring|phone|remind|add|write|note|"
                        r"book|play|pause|turn|switch|put|pop|stick|jot|log|order|email|ping|alert|warn)\b(?! (?:you|yourself)\b)")


def _condition_topic(low: str) -> tuple[str, int, int, bool] | None:
    """The topic of a request shaped "if/when SOMEONE VERB the thing, tell me": the condition clause
    after its verb. Only when the subject is short (a pronoun, a name, "anybody on the floor"), and the
    clause is the request's (an ask to the assistant follows or precedes it)."""
    for m in CONDITION_CLAUSE.finditer(low):
        if len(m.group("who").split()) > 5 or re.search(r"\byou (?:hear|detect|notice)\b", m.group(0)):
            continue
        x = m.group("x")
        end = _search_any(TOPIC_END[len(TOPIC_BEFORE):], x)
        phrase = re.sub(TOPIC_LEAD, "", (x[: end.start()] if end else x).strip()).strip(" ,.;")
        if re.fullmatch(r"(?:back|up|round|over|in|out|off|through)(?: \w+)?", phrase):
            continue  # "when they ring back": the verb's particle, not a thing said
        if phrase and any(is_content(w) for w in tokens(phrase)) and (_search_any(ADDRESSED, low) is not None
                                                                       or IMPERATIVE.search(low) is not None):
            return phrase, m.start(), m.start("x") + (end.start() if end else len(x)), False
    return None


# the thing named before the condition ("please note down the grading fee when Sensei tells us", "pop the fee in the
# gig money once she gives it"): the object of the ask, waited for
OBJECT_FIRST = re.compile(r"\b(?:note down|write down|jot down|note|log|record|save|put|pop|add|stick|tell me|let me know|"
                          r"remind me of|give me)\s+(?P<x>(?:the|my|our|this|that|his|her|their)\s+[^,.;!?]+?)\s+"
                          r"(?:when|once|as soon as|whenever|if)\s+(?:[\w']+\s+){1,3}?(?:" + REPORT_VERBS + r")\b")


def _object_topic(low: str) -> tuple[str, int, int, bool] | None:
    m = OBJECT_FIRST.search(low)
    if m is None or not any(is_content(w) for w in tokens(m.group("x"))):
        return None
    phrase = re.sub(r"\s+(?:in|into|on|onto|to)\s+(?:my|the|our)\s+\w+(?:\s+\w+)?$", "", m.group("x"))  # "in my notes"
    return re.sub(TOPIC_LEAD, "", phrase).strip(" ,.;"), m.start("x"), m.start("x") + len(phrase), False


def _lemmas_of(term: str) -> tuple[str, ...]:
    return tuple(lemma(w) for w in tokens(term))


# an action clause must ask for something; pure addressing ("can you listen out for") is not one
ACTION_VERBS = r"\b(?:remind|tell|let me know|alert|notify|help|check|look|find|add|set|book|suggest|send|text|" \
               r"message|call|play|turn|switch|start|stop|open|close|log|note|write|save|search|show|order|buy|" \
               r"give|ping|warn|get|make|put|pause|read|record|track|calculate|schedule|create|message|update|offer|" \
               r"switch|lower|raise|dim|unlock|lock|water|feed|unplug|plug|pop|stick|bung|let \w+ know)\b"


def _action(text: str, span: tuple[int, int] | None) -> str:
    """The request's other clause: what to do when the watch fires ("" if it only says to tell).
    `span` is the condition clause's position (found on the lower-cased text, same length)."""
    if span is None:
        return ""
    rest = (text[: span[0]] + " | " + text[span[1]:])
    parts = [p.strip(" ,.;|") for p in re.split(r"[.;?!|]", rest)]
    parts = [re.sub(r"^(?:then|and|please|so|also)\s+", "", p, flags=re.IGNORECASE) for p in parts if p.strip(" ,")]
    parts = [_without_aside(p) for p in parts]
    # what is left of the condition's clause ("... if the landlord" before "mentions the deposit")
    parts = [re.sub(r"[ ,]*\b(?:if|when|whenever|once|as soon as|in case)\b[^,]*$", "", p, flags=re.IGNORECASE)
             for p in parts]
    parts = [p for p in parts if re.search(ACTION_VERBS, p.lower()) and not re.fullmatch(JUST_TELL, p.lower().strip(" ,."))]
    return parts[0].strip(" ,") if parts else ""


# an action that only asks to be told: the watch's own announcement covers it
JUST_TELL = r"(?:please |and |just |can you |could you )*(?:let me know|tell me|alert me|notify me|ping me|warn me|flag it|" \
            r"flag that|give me a (?:shout|nudge|heads[- ]up)|remind me|let me hear about it)(?: about it| right away| straight away| please)?"
ASIDE = re.compile(r",\s*(?:and |but )?(?:this is|that's|it's|which is|because|since|as|by the way|honestly|you know|i mean)\b[^,]*,",
                   re.IGNORECASE)


def _without_aside(text: str) -> str:
    """"Let me know, and this is important because I forget, if ..." -> "Let me know if ..."."""
    return ASIDE.sub(" ", text).strip()


# a speaker looking for a word ("the, how you say, the money for the trip") says nothing about the topic
FILLER_ASIDE = re.compile(r",?\s*\b(?:how (?:do )?you say|what(?:'s| is) it called|what do you call it|"
                          r"what do they call it|or whatever it's called)\b\s*,?", re.IGNORECASE)


def parse_instruction(text: str | None) -> Watch | None:
    """Read a request; None if it asks for no watch. A request of several sentences whose whole reads
    only by meaning is read from the sentence that states it ("Can you listen out for me while we have
    breakfast? If anybody says which days the rail strike's on, let me know, because...")."""
    whole = _parse_instruction(text)
    if text and (whole is None or whole.extra.get("by_meaning")):
        sentences = re.split(r"(?<=[.!?])\s+", clean(text).strip())
        for sentence in sentences if len(sentences) > 1 else ():
            one = _parse_instruction(sentence)
            if one is not None and not one.extra.get("by_meaning"):
                return dataclasses.replace(one, text=whole.text if whole is not None else one.text)
    return whole


def _parse_instruction(text: str | None) -> Watch | None:
    if not text or not text.strip():
        return None
    cleaned = FILLER_ASIDE.sub(" ", plain_ask(clean(text)))
    cleaned = re.sub(r"\s+([,.?!])", r"\1", re.sub(r",\s*,", ",", re.sub(r"\s{2,}", " ", cleaned))).strip()
    low = cleaned.lower()
    topic = _topic_phrase(low)
    clause = _condition_topic(low) or _object_topic(low)
    if clause is not None and (topic is None or not clause[1] <= topic[1] < clause[2]) and not (topic and topic[3]):
        topic = clause  # the thing said in the request's condition, where no phrase table read one inside it
    sound = find_sound(low)
    if sound and _forecast(low, sound):
        # "alert me if it's going to rain": a forecast to watch for, not a sound to listen for
        topic = topic or _forecast_topic(low, sound)
        sound = None
    if sound and (topic is None or not _topic_wins(low, topic, sound)):
        cls, name, index = sound
        span = _sound_clause(low, index)
        return Watch(kind="sound", text=cleaned, target=name, sound_class=cls, action=_action(cleaned, span))
    if topic is None and sound is None:
        topic = _weather_forecast(low)  # "warn me if it's supposed to snow tomorrow"
    if (topic is None and sound is None) or (topic is not None and not any(is_content(w) for w in tokens(topic[0]))):
        return _meaning_watch(cleaned, low)
    phrase, start, end, _listened = topic
    more, end, naming = _elaboration(low, end)
    said = _original_span(cleaned, low, phrase) + ("" if naming else " " + more)
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", said)]
    names = tuple(lemma(w) for w in words if w[0].isupper() and w.lower() not in ("i",) and _topic_word(w))
    keywords = tuple(dict.fromkeys(lemma(w) for w in tokens(phrase if naming else f"{phrase} {more}") if _topic_word(w)))
    keywords = _with_compound_heads(phrase, keywords)
    identifiers = tuple(digit_runs(analyse(more).words)) if naming else ()
    return Watch(kind="topic", text=cleaned, target=f"{phrase} {more}".strip(), keywords=keywords, names=names,
                 identifiers=identifiers, action=_action(cleaned, (start, end)))


# a title says nothing about who is meant ("Mrs Adeyemi" is called as "Folasade Adeyemi")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mister", "missus", "dr", "sir", "madam"})


QUANTITY_WORDS = frozenset({"many", "much", "lot", "lots"})
FILLERS = frozenset({"um", "uh", "er", "erm", "ehm", "em", "hmm", "mm", "uhm", "ah"})
NOT_TOPIC_WORDS = TITLES | QUANTITY_WORDS | FILLERS


# a generic word that heads a compound names the topic there ("a start date for the contract": "You start Monday
# the eighth" is its mention, though "start" alone is no topic)
COMPOUND_HEADS = re.compile(r"\b(start|finish|end)(?= (?:date|day|time)s?\b)")


def _with_compound_heads(phrase: str, keywords: tuple[str, ...]) -> tuple[str, ...]:
    heads = [m.group(1) for m in COMPOUND_HEADS.finditer(phrase.lower())]
    return tuple(dict.fromkeys(heads + list(keywords))) if heads else keywords


def _topic_word(word: str) -> bool:
    """A word that says what the topic is (not a title, a quantity or a filler: "how many days" is about days)."""
    return is_content(word) and word.lower().strip(".") not in NOT_TOPIC_WORDS


# what the user says to make the topic plain, right after it: an aside ("the hybrid policy, like, how
# many days we have to be in"), a restatement ("the subs, the membership fees, I mean"), or a last
# sentence that names the thing ("our flight, yeah? TP thirteen thirty-five to Lisbon.")
ELABORATION_MARK = r"(?:like|i mean|as in|that is|you know|especially|in particular|specifically|namely|or rather|basically)"
ELABORATION = re.compile(rf"^\s*[,:]\s*(?P<mark>{ELABORATION_MARK}\s*,?\s*)?(?P<x>[^,.;?!]+?)"
                         rf"(?P<after>\s*,?\s*i mean)?\s*(?=[,.;?!]|$)")
NAMING_SENTENCE = re.compile(r"^\s*(?:,\s*(?:yeah|yes|ok|okay|right|alright|please|mate|love|yep)\s*)?[.?!]\s+"
                             r"(?P<x>[^.?!]+?)[.?!]?\s*$")
ELABORATION_WH = re.compile(r"^(?:how|what|when|whether|which|who|where)\b")
NOT_ELABORATION = re.compile(r"\b(?:i|we|you|he|she|they|it|me|my|us|our|your|if|when|whenever|once)\b")
ELABORATION_MAX_WORDS = 8


def digit_runs(words: list[str]) -> list[str]:
    """Numbers as said in a row, joined: ["tp", "13", "35"] -> ["1335"], ["2", "4", "9", "oh"] -> ["2490"]
    (a code is said in pieces, a zero as "oh")."""
    runs: list[str] = []
    prev_digit = False
    for w in words:
        if w in ("oh", "o") and prev_digit:
            w = "0"
        digit = w.isdigit()
        if digit and prev_digit:
            runs[-1] += w
        elif digit:
            runs.append(w)
        prev_digit = digit
    return runs


def _elaboration(low: str, end: int) -> tuple[str, int, bool]:
    """Words right after the topic phrase that say what it is (see ELABORATION), and the new end of
    the topic's clause; ("", end) when none. An elaboration is marked ("like", "I mean"...) or a
    question ("how many days..."), or the request's last sentence naming the thing without a verb of
    its own (a code, a number, a name: then True, the naming); it never holds an ask to the assistant."""
    rest = low[end:]
    m = ELABORATION.match(rest)
    if m and (m.group("mark") or m.group("after") or ELABORATION_WH.match(m.group("x"))):
        x = m.group("x").strip()
        if 0 < len(x.split()) <= ELABORATION_MAX_WORDS and _search_any(ADDRESSED, x) is None \
                and not re.search(ACTION_VERBS, x.split()[0]):
            return x, end + m.end(), False
    m = NAMING_SENTENCE.match(rest)
    if m:
        x = m.group("x").strip()
        if 0 < len(x.split()) <= ELABORATION_MAX_WORDS and not NOT_ELABORATION.search(x) \
                and _search_any(ADDRESSED, x) is None and re.search(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty|forty|fifty)\b", x):
            return x, end + m.end(), True
    return "", end, False


REQUEST_FRAME = re.compile(r"\b(?:kindly|please|pls|hey|ok|okay|you|me|my|i|it|that thing i said earlier|as i said|"
                           r"is very important for|very important|inform|notify|alert|flag|tell|let|know|ping|"
                           r"should|if|when|whenever|once|somebody|someone|anyone|anybody|is|be|the matter of|"
                           r"arise|arises|raised|during this call|in this call|comes? up|talking|speaking|about)\b")


# what a request read by meaning must say: an ask to tell the user (not "check", "suggest": "I should check
# the traffic" is no request) and a condition ("should" only as "should the matter arise", not as a modal)
MEANING_ADDRESS = re.compile(r"\b(?:inform me|notify me|tell me|let me know|alert me|flag it|flag|ping me|warn me|"
                             r"give me a (?:shout|nudge)|make a note|note it|jot it down)\b")
MEANING_CONDITION = re.compile(r"\b(?:if|when|whenever|once|as soon as|in case|the moment|every time)\b|"
                               r"\bshould (?:the|anyone|anybody|someone|somebody|it|that|this|my|our|there)\b")


def _meaning_watch(cleaned: str, low: str) -> Watch | None:
    """A request addressed to the assistant whose topic no pattern reads ("Kindly inform me should the
    matter of the boiler replacement be raised"): a topic watch on what is left once the request's
    frame is taken out (its words, and its meaning through `topic_watch`'s semantic layer)."""
    if not MEANING_ADDRESS.search(low) or not MEANING_CONDITION.search(low):
        return None
    # the sentence that asks; the others give reasons ("My hearing's not great") and name nothing to watch
    asking = [s for s in re.split(r"(?<=[.?!])\s+", low) if MEANING_CONDITION.search(s)]
    low = " ".join(asking) if asking else low
    rest = re.sub(r"\s+", " ", re.sub(r"[,.;!?]", " ", REQUEST_FRAME.sub(" ", low))).strip()
    if not any(is_content(w) for w in tokens(rest)):
        return None
    keywords = tuple(dict.fromkeys(lemma(w) for w in tokens(rest) if _topic_word(w)))
    return Watch(kind="topic", text=cleaned, target=rest, keywords=keywords,
                 extra={"by_meaning": True})


FORECAST_BEFORE = re.compile(r"\b(?:going to|gonna|will|'ll|might|may|could|likely to|supposed to|expected to|about to|"
                             r"forecast(?:s|ed)?(?: to)?|chance of|looks? like(?: it(?:'s| is| will)?(?: going to)?)?|any)\s+(?:\w+\s+)?$")
HEARING_WORDS = re.compile(r"\b(?:hear|heard|hears|sound of|listen|noise|detect)\b")


LATER_DAY = re.compile(r"\b(?:tomorrow|later|this (?:week|weekend|afternoon|evening)|next|on (?:the )?(?:monday|tuesday|"
                       r"wednesday|thursday|friday|saturday|sunday|weekend))\b")


def _forecast(low: str, sound: tuple[str, str, int]) -> bool:
    """Is the named sound (rain, thunder, wind...) a weather forecast to watch, not a sound? "if there's
    any rain tomorrow" is; "if there's any thunder, tell me straight away" is a sound (no later day)."""
    pos = _char_of_token(low, sound[2])
    found = FORECAST_BEFORE.search(low[:pos])
    if found is None or HEARING_WORDS.search(low):
        return False
    if re.match(r"any\b", found.group(0)):
        clause = re.split(r"[,.;!?]", low[pos:], maxsplit=1)[0]
        return LATER_DAY.search(clause) is not None
    return True


WEATHER_WORDS = r"rain|raining|snow|snowing|storm|stormy|thunder|hail|frost|freeze|freezing|sleet|fog|foggy|wind|windy|" \
                r"heatwave|heat wave|sunny|sunshine|drizzle|showers?|gale"


def _weather_forecast(low: str) -> tuple[str, int, int, bool] | None:
    """A request about tomorrow's weather that names no sound ("tell me if it's supposed to snow")."""
    m = re.search(rf"(?:{FORECAST_BEFORE.pattern[:-1]})\b({WEATHER_WORDS})\b", low)
    if m is None or not re.search(CONDITION, low[: m.start(1)]) or _search_any(ADDRESSED, low) is None:
        return None
    return m.group(1), m.start(), m.end(), False


def _forecast_topic(low: str, sound: tuple[str, str, int]) -> tuple[str, int, int, bool]:
    pos = _char_of_token(low, sound[2])
    cond = None
    for c in re.finditer(CONDITION, low[: pos + 1]):
        cond = c
    start = cond.start() if cond else pos
    end_m = re.search(r"[,.;?!]|\bthen\b|\bso\b|\band\b", low[pos:])
    end = pos + end_m.start() if end_m else len(low)
    return sound[1], start, end, False


def _topic_wins(low: str, topic: tuple[str, int, int, bool], sound: tuple[str, str, int]) -> bool:
    """A sound named inside a talk-about phrase ("if anyone mentions the dog") is a topic; named
    after "listen for" or "keep an ear out for" it is a sound."""
    phrase, _start, _end, listened = topic
    if listened:
        return False
    if not _in_condition([lemma(w) for w in tokens(low.replace("_", " "))], sound[2]) and \
            not HEARD_FOR.search(_sentence_at(low, _char_of_token(low, sound[2]))):
        # "when they say my glasses are ready, ... I cannot read my phone without them": the phone is an aside
        # (but "I'm waiting for the phone ringing. As soon as you hear it, ...": the sound listened for)
        return True
    return sound[1].split()[0] in phrase or re.search(SOUND_VERBS, low) is None


HEARD_FOR = re.compile(r"\b(?:hear|heard|listen|listening|wait(?:ing)? for|keep an? ear|ear out|expecting)\b")


def _sentence_at(low: str, pos: int) -> str:
    start = max(low.rfind(c, 0, pos) for c in ".!?") + 1
    ends = [i for i in (low.find(c, pos) for c in ".!?") if i >= 0]
    return low[start: min(ends) if ends else len(low)]


def _sound_clause(low: str, token_index: int) -> tuple[int, int]:
    """The character span of the condition clause around the sound name (the rest is the action)."""
    pos = _char_of_token(low, token_index)
    cond = None
    for c in re.finditer(CONDITION, low[: pos + 1]):
        cond = c
    start = cond.start() if cond else pos
    end_m = re.search(rf"[,.;?!]|\bthen\b|\blet me know\b|\bremind me\b|\btell me\b|\bplease\b|\band (?={ACTION_VERBS})",
                      low[pos:])
    end = pos + end_m.start() if end_m else len(low)
    return start, end


def _char_of_token(low: str, index: int) -> int:
    spans = [m.start() for m in re.finditer(WORD, low.replace("_", " "))]
    return spans[index] if index < len(spans) else 0


def _original_span(cleaned: str, low: str, phrase: str) -> str:
    i = low.find(phrase)
    return cleaned[i: i + len(phrase)] if i >= 0 else phrase


def is_addressed(text: str) -> bool:
    """Is this said to the assistant (an ask: "let me know", "remind me", "if you hear", "keep an ear out")?"""
    low = clean(text).lower()
    return _search_any(ADDRESSED, low) is not None or re.search(r"\b(?:me|you)\b", low) is not None and \
        re.search(CONDITION, low) is not None


# asks said as idioms, before a condition: "shout if anyone says...", "give me a bell when...", "nudge me once..."
# ("give me a bell" is a call, not the sound of bells)
ASK_IDIOM = re.compile(r"(?<!don't )(?<!do not )(?<!never )(?<!not )"
                       r"\b(?:give me a (?:shout|yell|bell|buzz|nudge|ring|holler)|shout|holler|sing out|nudge me|buzz me)"
                       r"(?=,? (?:if|when|whenever|once|as soon as|the moment)\b)", re.IGNORECASE)


def plain_ask(text: str) -> str:
    """The ask said as an idiom put plainly: "Shout if anyone says..." -> "Let me know if anyone says..."."""
    return ASK_IDIOM.sub(lambda m: "Let me know" if m.group(0)[0].isupper() else "let me know", text)


def is_instruction(text: str) -> bool:
    """Does a heard utterance set up a watch (a condition, an address to the assistant, a target)?"""
    low = plain_ask(clean(text)).lower()
    if not re.search(CONDITION, low) and not re.search(r"\b(?:listen|watch|wait|keep an? (?:ear|eye))\b", low):
        return False
    if not any(not _own_plan(low, m) for p in ADDRESSED for m in re.finditer(p, low)):
        return False
    watch = parse_instruction(text)
    return watch is not None and tokens(watch.target)[:1] not in (["you"], ["me"], ["us"], ["him"], ["her"], ["them"])
    # (a watch for a person pronoun is no watch: "wait for you outside the building")


# the speaker's own plan ("I'll come straight from work and wait for you outside", "we're watching for the bus"):
# a first person before the verb in the same sentence, no condition between
OWN_PLAN = re.compile(r"\b(?:i|we)(?:'ll|'m|'re| will| am| are| can| could| would|'d| shall)?\b(?:(?!\b(?:if|when|whenever|once)\b)[^.!?])*$")
SELF_VERBS = re.compile(r"(?:wait|watch|listen|keep an? (?:ear|eye))")


def _own_plan(low: str, m: re.Match) -> bool:
    """Is this address ("wait for", "watch for") the speaker's own plan, said of themselves?"""
    return SELF_VERBS.match(m.group(0)) is not None and OWN_PLAN.search(low[: m.start()]) is not None


def overlap_with(utterance: str, instruction: str) -> float:
    """Share of the utterance's content words that the instruction also has (echo detection)."""
    words = tokens(clean(utterance))
    u = [lemma(w) for w in words if is_content(w)] or [lemma(w) for w in words if len(w) > 2]
    if not u:
        return 0.0
    ins = {lemma(w) for w in tokens(clean(instruction))}
    return sum(w in ins for w in u) / len(u)


REQUEST_COVERAGE = 0.5  # this share of the request's words, in order, in one utterance: the request is in it
REQUEST_DENSITY = 0.5  # and they fill at least this share of the stretch they span
REQUEST_SLACK_WORDS = 4  # unmatched words between the request's found words and a sentence's end still its own
_WORD_SPAN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)*")


def request_span(utterance: str, instruction: str) -> tuple[str, str] | None:
    """Where the spoken request sits in an utterance, as the talk before and after it; None if absent.

    Recognition garbles a spoken request ("Should anyone bring up upcoming trips" heard as "Shorten it
    wandering up upcoming trips") and the VAD often joins it with the next turn, so a sentence-by-
    sentence echo test misses its garbled middle, which then reads as a mention of the watched topic.
    Here the request's words are aligned with the utterance's in order (difflib): when at least
    `REQUEST_COVERAGE` of them are found, densely, the whole sentences from the first found word to the
    last are the request; what precedes and follows them is talk."""
    ins = [lemma(w) for w in tokens(clean(instruction))]
    found = list(_WORD_SPAN.finditer(utterance))
    if len(ins) < 4 or not found:
        return None
    words = [lemma(m.group(0).lower()) for m in found]
    blocks = [b for b in difflib.SequenceMatcher(None, ins, words, autojunk=False).get_matching_blocks() if b.size]
    matched = sum(b.size for b in blocks)
    if matched < REQUEST_COVERAGE * len(ins):
        return None
    first, last = blocks[0].b, blocks[-1].b + blocks[-1].size - 1
    if matched < REQUEST_DENSITY * (last - first + 1):
        return None
    # widen to whole sentences as Whisper punctuates them, unless the sentence runs on into talk
    start, end = found[first].start(), found[last].end()
    stops = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", utterance)]
    before = max((s for s in stops if s <= start), default=0)
    after = min((s for s in stops if s >= end), default=len(utterance))
    if len(_WORD_SPAN.findall(utterance[before:start])) <= REQUEST_SLACK_WORDS:
        start = before
    if len(_WORD_SPAN.findall(utterance[end:after])) <= REQUEST_SLACK_WORDS:
        end = after
    return utterance[:start].strip(), utterance[end:].strip(" ,;")
