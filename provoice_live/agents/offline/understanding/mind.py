"""The decision layer: what the agent knows about the session, and whether to speak now.

`Mind` is fed what was heard (`hear(text)`) and the sound events (`sound(event)`) in stream order and
returns an `Intervention` when one of the four behaviours applies. Which behaviours may speak depends on
the session's state (`RULES_BY_STATE`):

| state      | when                                               | what may speak                  |
|------------|----------------------------------------------------|---------------------------------|
| `setup`    | the standing request is being spoken               | nothing                         |
| `watching` | a topic or sound watch is armed                    | that watch only                 |
| `open`     | no standing request                                | a contradiction, else an intent |

A watch is one-shot: once it has spoken the state is `done` and the agent stays quiet. No decision
is made twice (same rule, same subject). The Mind never sees the task, the label or the cue.

**The floor.** A need or a contradiction said to the room is not answered over the people talking:
it waits for the next pause (`pause()`, which the agent calls after `PAUSE_S` of silence and at the
end of the stream). What is said before then may settle it: the rest of the same utterance ("...
I'm kidding"; "Thursday at ten. Sorry, eleven") or the next one ("Nope, I checked ten minutes ago";
"No, it's at eleven, they moved it"; "Leave it with me"). A watched topic or sound is spoken at once:
the user asked to be told.

**Whose voice.** A watched topic is brought up by someone else: the user who asked is waiting for it
("let me know if they give a delivery time"), so their own words ("Are the trusses coming, what's the
story?") are never its mention. `hear(text, own=True)` says the utterance is the wearer's own voice
(by the speaker's name on a script, by its level against the request's on audio: `own_voice.py`);
`own=None` (unknown) changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...base import ToolSchema
from ....corpus.sample import ToolCall
from ....sound_classes import detected_classes, spoken_names
from . import fact_check, intent, needs, semantic, topic_watch
from .entities import now_from_context
from .instruction import CONDITION, Watch, is_addressed, is_instruction, overlap_with, parse_instruction, request_span
from .text import analyse, clean, is_content, lemma, tokens

ECHO_OVERLAP = 0.5  # an utterance sharing this much of the request is the request being spoken
ECHO_OVERLAP_FIRST = 0.3
VERBATIM_OVERLAP = 0.9  # this much of the request's words is the request, addressed or not (garbled address)
VERBATIM_MIN_WORDS = 3  # in at least this many content words


def _content_words(text: str) -> int:
    return sum(1 for w in tokens(clean(text)) if is_content(w))
RULES_BY_STATE: dict[str, tuple[str, ...]] = {
    "setup": (),
    "watching": ("watch",),
    "open": ("fact_check", "intent"),
    "done": (),
}
# sound classes the detector knows (from the one sound table); for others any clear non-speech sound
# is taken (see `sound`)
DETECTABLE = detected_classes()
SOUND_LABELS = spoken_names()
EARLY_SCORE = 0.8  # a still-sounding event is trusted only this sure
UNKNOWN_MIN_S = 0.5


@dataclass
class Intervention:
    rule: str  # "topic" | "sound" | "contradiction" | "intent"
    text: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    key: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    basis: Any = field(default=None, repr=False, compare=False)  # what it rests on (a Contradiction), not logged


DEFERRED = ("intent", "contradiction")  # the rules that wait for a pause (see "The floor" above)
# silence after the last utterance that makes a pause: longer than most gaps between turns (the builder's are
# 0.75 +- 0.35 s, over 1.2 s in about a tenth of them; in live talk most are a few hundred ms), short enough
# to keep the median latency of what waited under 1.5 s
PAUSE_S = 1.2
# the second half of a sentence that takes its need back ("I was going to book a table, but actually, forget it")
CONTRAST = re.compile(r"\b(?:but|actually|although|though|no wait|then again)\b", re.IGNORECASE)


class Mind:
    def __init__(self, instruction: str | None, digital_context: dict | None, tools: list[ToolSchema]):
        self.ctx = digital_context
        self.tools = list(tools)
        self.now = now_from_context(digital_context)
        self.facts = fact_check.facts_from_context(digital_context)
        self.instruction = clean(instruction) if instruction else None
        self.watch: Watch | None = parse_instruction(instruction)
        self.heard_request = False  # the spoken request has been heard (or skipped)
        self.state = "setup" if self.watch else "open"
        if self.watch and self.watch.kind == "sound":
            self.state = "watching"  # a sound may come any time after the request
        self.said: set[str] = set()
        self.transcript: list[str] = []
        self.pending: list[Intervention] = []  # decisions waiting for a pause

    RECHECK_UTTERANCES = 3  # after a context change, the last few utterances are checked again

    def update_context(self, digital_context: dict | None) -> Intervention | None:
        """The digital context changed mid-stream: new facts, a new "now"; the last few utterances are
        checked against the new facts (the meeting moved while they were talking about it)."""
        self.ctx = digital_context
        self.now = now_from_context(digital_context)
        self.facts = fact_check.facts_from_context(digital_context)
        for text in self.transcript[-self.RECHECK_UTTERANCES:]:
            for sentence in split_sentences(text):
                if self._is_request(sentence):
                    continue
                decision = self._once(self._rule_fact_check(sentence))
                if decision:
                    return decision
        return None

    # ---- speech -----------------------------------------------------------------------------------

    def hear(self, text: str, own: bool | None = None) -> Intervention | None:
        """One utterance, as recognised; an Intervention if the agent should speak now. `own`: it is the
        wearer's own voice (True), another's (False) or not known (None); a watch never takes the wearer's.

        The utterance is taken sentence by sentence (the VAD often joins two turns): the sentences
        that are the request being spoken are set aside, the others are talk. The rules see one
        talk sentence at a time, then the whole talk of the utterance (a clause may span two)."""
        text = clean(text)
        if not text:
            return None
        self._settle(text, next_turn=True)
        self.transcript.append(text)
        talk_text = text
        if self.instruction is not None and not self.heard_request:
            found = request_span(text, self.instruction)  # the request, garbled, maybe run on into talk
            if found is not None:
                self.heard_request = True
                talk_text = " ".join(part for part in found if part)
                later = split_sentences(self.instruction)[1:]
                if self.watch is not None and any(withdraws(s, self.watch) for s in later):
                    # taken back in the breath that made it ("..., decline it. Actually, no, forget that, Dominic's
                    # got my phone"): the request's own turn ends with nothing to wait for
                    self.state = "done"
                    return None
        if self.state in ("setup", "watching") and self.watch is not None and self.heard_request and \
                any(withdraws(s, self.watch) for s in split_sentences(talk_text)):
            # "forget the kettle then", "you needn't listen for the phone any more" (which repeats the request's
            # words, so it is tested before the request's echoes are set aside): nothing to wait for now
            self.state = "done"
            return None
        talk: list[str] = []
        said_in: list[str] = []  # the state each talk sentence was said in
        for sentence in split_sentences(talk_text):
            if not self._is_request(sentence):
                talk.append(sentence)
                said_in.append(self.state)
        if not talk:
            return None
        if self.state == "setup":
            self.state = "watching"
        # a sentence said before a request heard in the same utterance is judged in the state it was said in
        # ("The viewing is at half five ... If the baby wakes, tell me": the slip is still a contradiction)
        said_in = [self.state if s == "setup" else s for s in said_in]
        pieces = talk + ([" ".join(talk)] if len(talk) > 1 else [])
        states = said_in + ([self.state] if len(talk) > 1 else [])
        for k, piece in enumerate(pieces):
            for rule in RULES_BY_STATE[states[k]]:
                if rule == "watch" and own:
                    continue  # the one who asked does not bring their own topic up
                decision = self._once(getattr(self, f"_rule_{rule}")(piece))
                if not decision:
                    continue
                if decision.rule not in DEFERRED:
                    return decision
                # the rest of the utterance may settle it: the sentences after, and the sentence's own second half
                after = " ".join(talk[k + 1:]) if k < len(talk) else ""
                contrast = CONTRAST.search(piece)
                own_rest = piece[contrast.start():] if contrast else ""
                if self._settles(decision, f"{own_rest} {after}".strip(), next_turn=False) is None:
                    self.pending.append(decision)
                    return None
        return None

    # ---- the floor --------------------------------------------------------------------------------

    def hear_then_pause(self, text: str) -> Intervention | None:
        """An utterance followed by a pause: what the agent says after it (a watch at once, or what
        waited for the floor). Another decision still waiting stays for the next pause."""
        decision = self.hear(text)
        if decision is not None:
            return decision
        waiting = self.pause()
        self.pending = waiting[1:]
        return waiting[0] if waiting else None

    def pause(self) -> list[Intervention]:
        """A pause in the talk: the decisions waiting for one are spoken now (none is spoken twice)."""
        out, self.pending = self.pending, []
        return out

    def _settle(self, text: str, next_turn: bool) -> None:
        """Drop the waiting decisions that this utterance meets, takes back or corrects."""
        self.pending = [d for d in self.pending if self._settles(d, text, next_turn) is None]

    def _settles(self, d: Intervention, later: str, next_turn: bool) -> str | None:
        if not later:
            return None
        if d.rule == "contradiction":
            c = d.basis
            return "corrected" if c is not None and fact_check.corrected(c, later, self.now) else None
        if d.rule == "intent":
            return needs.met_after(d.evidence.get("rule", ""), bool(d.evidence.get("asked")), later, next_turn)
        return None

    def _is_request(self, text: str) -> bool:
        """Is this (part of) the user's standing request being spoken? Arms a heard request."""
        if self.instruction is not None:
            # a mention that repeats the request's words ("the parking permits will be handed out
            # Monday") is talk, not the request again: the request is addressed to the assistant or
            # says its condition ("If the talk turns to plans to eat out, ...", however garbled the rest)
            shaped = is_addressed(text) or re.search(CONDITION, text.lower()) is not None
            # a looser match for a request-shaped sentence, or before the request was heard (recognition garbles)
            need = ECHO_OVERLAP_FIRST if shaped or not self.heard_request else ECHO_OVERLAP
            head = " ".join(text.split()[: max(4, len(self.instruction.split()) // 2)])
            overlap = overlap_with(text, self.instruction)
            echoes = overlap >= need or overlap_with(head, self.instruction) >= 0.7
            # (verbatim needs words enough to be the request: "Your glasses are in." shares its one word with it)
            verbatim = overlap >= VERBATIM_OVERLAP and _content_words(text) >= VERBATIM_MIN_WORDS
            if echoes and (verbatim or shaped):
                self.heard_request = True
                return True
            return False
        if self.watch is None and is_instruction(text):
            self.watch = parse_instruction(text)
            self.state = "watching"
            return True
        return False

    def _rule_watch(self, text: str) -> Intervention | None:
        if self.watch is None or self.watch.kind != "topic":
            return None
        t = analyse(text)
        target = self.watch.target
        # meaning alone never takes a sentence addressed to the assistant (a garbled request, likely)
        meaning = None if is_addressed(text) else (lambda: _topic_score(text, target))
        hit = topic_watch.match(self.watch, t, semantic=meaning)
        if hit is None:
            return None
        self.state = "done"
        offer = intent.serve(self.watch.action, t, self.ctx, self.tools, topic=self.watch.target)
        about = ", ".join(dict.fromkeys(hit.terms))
        head = f"I heard a mention of {self.watch.target} ({about})."
        return self._decision("topic", head, offer, key=f"topic:{self.watch.target}",
                              evidence={"terms": hit.terms, "score": hit.score})

    def _rule_fact_check(self, text: str) -> Intervention | None:
        before = self.transcript[-2] if len(self.transcript) > 1 and text in self.transcript[-1] else ""
        c = fact_check.check(text, self.facts, self.now, before=before, around=self.transcript[-1] if self.transcript else "")
        if c is None:
            return None
        return Intervention("contradiction", c.response, [], key=f"cfc:{c.fact.title}:{c.attribute}",
                        evidence={"attribute": c.attribute, "said": c.said, "truth": c.truth}, basis=c)

    def _rule_intent(self, text: str) -> Intervention | None:
        t = analyse(text)  # once, for the guards and both detectors
        if needs.not_a_need(t):  # a hypothetical, a solved problem, someone else's, a story: no need now
            return None
        offer = intent.detect(t, self.ctx, self.tools)
        by_meaning = offer is None
        if by_meaning and len(split_sentences(text)) == 1:  # one sentence at a time: a need is said in one
            offer = needs.detect(t, self.ctx, self.tools)  # a need no phrasing of the table lists
        if offer is None:
            return None
        return Intervention("intent", offer.question, [ToolCall(name=offer.tool, arguments=offer.arguments)],
                        key=f"intent:{offer.rule}:{offer.tool}",
                        evidence={"rule": offer.rule, "by_meaning": by_meaning,
                                  "asked": text.rstrip().endswith("?") or INDIRECT_QUESTION.search(t.norm) is not None})

    # ---- sounds -----------------------------------------------------------------------------------

    @property
    def watched_sound(self) -> str | None:
        if self.watch is None or self.watch.kind != "sound" or self.state != "watching":
            return None
        return self.watch.sound_class

    def sound(self, label: str, score: float, final: bool = True, duration_s: float = 1.0) -> Intervention | None:
        """A sound event the detector classified; speaks when it is the one the user waits for.

        For a sound the detector has no class for (thunder, a cow...), a clear event that no known
        class claims (label "unknown", at least `UNKNOWN_MIN_S` long) is taken as it."""
        target = self.watched_sound
        if target is None or label == "speech":
            return None
        if not final and score < EARLY_SCORE:
            return None
        if target in DETECTABLE and label != target:
            return None
        if target not in DETECTABLE and (label != "unknown" or duration_s < UNKNOWN_MIN_S):
            return None
        self.state = "done"
        name = SOUND_LABELS.get(target, f"the {self.watch.target}")  # type: ignore[union-attr]
        action = self.watch.action  # type: ignore[union-attr]
        reminder = _reminder(action)
        offer = None if reminder else intent.serve(action, action, self.ctx, self.tools)
        head = f"I just heard {name}." + (f" {reminder}" if reminder else "")
        if not reminder and offer is None and action:
            head += f" You asked me to {_second_person(action)}."
        return self._once(self._decision("sound", head, offer, key=f"sound:{target}",
                                         evidence={"label": label, "score": score}))

    # ---- helpers ----------------------------------------------------------------------------------

    def _decision(self, rule: str, head: str, offer, key: str, evidence: dict) -> Intervention:
        if offer is not None:
            return Intervention(rule, f"{head} {offer.question}",
                            [ToolCall(name=offer.tool, arguments=offer.arguments)], key, evidence)
        return Intervention(rule, head, [], key, evidence)

    def _once(self, decision: Intervention | None) -> Intervention | None:
        if decision is None or decision.key in self.said:
            return None
        self.said.add(decision.key)
        return decision


# a question put to the room without a question mark: what the next voice says may answer it ("We'd want to
# know what the weather's doing first." - "Mick rang the forecast line, dry all day Saturday")
INDIRECT_QUESTION = re.compile(r"\b(?:(?:want|need|have|like|love) to know|wonder(?:ing)?|no idea|not sure|dunno|"
                               r"don't know) (?:what|how|whether|if|when|where|which)\b")
# the request taken back: "forget the kettle then", "never mind the parcel", "no need to tell me now"
WITHDRAW_THING = re.compile(r"\b(?<!don't )(?<!do not )(?<!not )(?<!never )(?:forget|never ?mind|don't worry about|"
                            r"(?:don't|do not) bother (?:with|about)|skip|scrap) "
                            r"(?:about )?(?:the |my |that |our )?(?P<thing>[a-z][a-z'-]*(?: [a-z][a-z'-]*)?)")
WITHDRAW_ASK = re.compile(r"\b(?:no need to (?:tell|let|remind|warn|alert) me|(?:you )?(?:needn't|don't need to|no need to) "
                          r"(?:listen|watch|wait|keep an? (?:ear|eye) out)|(?:you can|you may) stop (?:listening|watching|"
                          r"waiting)|don't (?:bother|worry about) (?:telling|letting|reminding|warning) me|"
                          r"(?:cancel|scrap|drop|forget) (?:that|the) (?:request|reminder|watch)|"
                          r"forget (?:telling|letting|reminding|warning) me|let it (?:ring|beep|go off|buzz|bark|run)|"
                          # said to the assistant: "so don't worry about it, assistant"
                          r"(?:don't|do not) (?:worry|bother)(?: about it| with it)?,? assistant|"
                          r"assistant,? (?:don't|do not) (?:worry|bother))\b|"
                          # the speaker takes the job on: "Actually, don't worry about it, I'll keep an eye on it myself"
                          r"\b(?:don't|do not) (?:worry|bother)(?: about it| with it)?[,.;]? (?:i'll|i will|i can) [^.?!]*\bmyself\b|"
                          # the last request taken back as a whole: "Cancel that, then, I'll have a lie-in."
                          r"\b(?:cancel|scrap|forget|ignore) (?:that|all that|what i (?:said|asked)(?: you)?)(?:,? then)?\s*(?:[,.;!?]|$)")
# "scrap that about the gate", "forget what I said about the kettle": the request taken back by what it is about
WITHDRAW_ABOUT = re.compile(r"\b(?:forget|scrap|cancel|ignore|never ?mind|drop) (?:that|the|what i said|what i asked)"
                            r"(?: (?:bit|thing|part|request|stuff))? "
                            r"about (?:the |my |that |our )?(?P<thing>[a-z][a-z'-]*(?: [a-z][a-z'-]*)?)")


def withdraws(sentence: str, watch) -> bool:
    """Does this sentence take the standing request back? It must say so of the watched thing ("forget
    the kettle then": a word of the target) or of the ask itself ("no need to tell me now")."""
    low = clean(sentence).lower()
    if WITHDRAW_ASK.search(low):
        return True
    target = {lemma(w) for w in tokens(watch.target)} | set(watch.keywords)
    if topic_watch.AMOUNT_ASKED.search(watch.target.lower()):
        target |= {"price", "cost", "fee", "money", "charge"}  # "how much next term's going to be": "the price thing"
    if any(lemma(w) in target for m in WITHDRAW_THING.finditer(low) for w in tokens(m.group("thing"))):
        return True
    # said of what the request was for ("unlock the side gate" -> "scrap that about the gate"; "put it in the
    # calendar" -> "forget the calendar, I'll ask him to email me")
    action = {lemma(w) for w in tokens(watch.action or "") if is_content(w)}
    if action & topic_watch.CALENDAR_WORDS:
        action |= topic_watch.CALENDAR_WORDS  # "put it in the calendar" -> "skip the diary"
    if any(lemma(w) in action for m in WITHDRAW_THING.finditer(low) for w in tokens(m.group("thing"))[:1]):
        return True
    return any(lemma(w) in target | action for m in WITHDRAW_ABOUT.finditer(low) for w in tokens(m.group("thing")))


def _topic_score(text: str, topic: str) -> float | None:
    m = semantic.meaning()
    return None if m is None or len(text.split()) < 3 else m.relevance(text, topic)


def split_sentences(text: str) -> list[str]:
    """Sentences as Whisper punctuates them (a request's clause "If it comes up, ..." stays whole)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Za-z0-9])", text.strip())
    return [p.strip() for p in parts if p.strip()]


def _second_person(text: str) -> str:
    """The user's words said back: "Unlock the side gate for me, would you?" -> "unlock the side gate for you"."""
    text = re.sub(r"[\s,]+(?:would you|will you|could you|can you|please|yeah|okay|ok|thanks)\W*$", "", text.strip(" .,?!"), flags=re.I)
    text = text[:1].lower() + text[1:] if text[:2] != "I " else text
    return re.sub(r"\b(my|me|i|i'm)\b", lambda w: {"my": "your", "me": "you", "i": "you", "i'm": "you're"}[w.group(1)],
                  text.strip(" .,"))


def _reminder(action: str) -> str:
    """"remind me to close the windows" -> "Don't forget to close the windows." ("" if not a plain
    reminder: "set a reminder ... in ten minutes" is a tool call)."""
    m = re.search(r"\b(?:remind me|tell me|make sure i|don't let me forget) (?:to |that |it's )?(?P<what>.+)", action or "")
    if not m or re.search(r"\b(?:in|after) \w+ (?:minutes?|hours?)\b", m.group("what")):
        return ""
    what = _second_person(m.group("what"))
    return f"Reminder: {what}." if m.group(0).startswith("tell me") else f"Don't forget to {what}."


__all__ = ["DEFERRED", "Mind", "Intervention", "PAUSE_S", "RULES_BY_STATE", "split_sentences"]
