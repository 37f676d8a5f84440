"""The cue locator: which words of a conversation the cue consists of, and where they are in time.

A ground truth (the scene's semantic cue, the reference reply, its tool calls) says what the cue is;
the conversation's rendered lines say when each word was spoken. `locate_cue(lines, facts)` picks the
sentence(s) of the right speaker that carry the cue and returns their time span with how it was
found and a confidence. It never sees which line a script marked as the cue: it is checked against
exactly that on our own template scripts (`recovery_on_templates`, `bench/bench_cue_locator.py`).

Input (`TimedLine`): each line's speaker (`user1`, `user2`, or `sound` with the sound's class as
its text), its text, its span in the audio, and optionally its word timings (`sample.WordTiming`,
here relative to the line's start: from the TTS, or from a recogniser's word timestamps). Lines are
in script order.

Method, in order (the first that applies):
1. `sound` (ESS): the sound line whose class the ground truth names (the only one when one exists):
   by any of the class's names in the sound table, in any word form (`sound_classes.classes_named`:
   "The kitchen timer goes off." names `microwave_beep`), the more of the cue description, the reply
   and the instruction name it the likelier; a line whose class is named nowhere scores only by the
   words of its class id, at most half as well; of equally named lines, the later.
2. `quote`: the semantic cue quotes what was said (`Emma says: "..."` or `'...'`; double quotes
   first, single quotes only where they are quote marks, not apostrophes: `quote_spans`); the
   sentences whose words the quote covers (at least `QUOTE_MIN` of a sentence's words, and not only
   its function words: `_quoted`); a sentence too short to tell by its words (fewer than three, or
   function words only: "Nine.", "Oh yes.") only where the quote says it word for word at the place
   that adjoins a quoted neighbour (or as a whole quoted passage), not anywhere: "Nine." before a
   quoted "We need a lane ... at nine, ..." is no part of it (`_quoted_sentences`); the best
   contiguous run of them, where a sentence joins the one before it only where the quote says the two
   in order, next to each other (the quote begins with the first, ends with the second, or goes on
   from one to the other), unless each says most of a quoted passage by itself: "Just the gate." or
   "The Griddle House it is." before a quoted "I need to book a table at the Griddle House ..." share
   its words but are no part of it (`_quote_runs`); of equally good runs, the later (the cue is the
   last turn before the reply). Sentences end at ".", "!", "?", "…", not after a title, an initial or
   an abbreviation ("Dr. Patel", "J. R. Tolkien", "7 a.m. tomorrow": `ends_sentence`). A sentence
   the quote does not say as a whole may say it as a run of consecutive words, and a line with no
   sentence end at all (a recogniser's run-on turn: "so um we were gonna go at six but the council
   said the bin bags come at two hundred a pack so yeah") is no sentence: there the run that says a
   quoted passage stands for the sentence (`_quoted_part`: the passage's words in order, at least
   `QUOTE_MIN` of them and of the run's own words, three at least, the passage's content words
   there; never a passage of function words only), competing with whole sentences on the same terms.
3. `content`: sentences scored by the ground truth's content words they say (tool-call arguments,
   then the reply's words, then the cue description's; names and numbers count more, words common
   in the conversation less), weighted by the task's expected speaker (the wearer, User1, for PIC and
   CFC; anyone else for LTM) and slightly by position (later is likelier); the best sentence plus
   neighbours of the same line that score at least half as well.
4. `fallback`: the last line of the expected speaker, confidence 0.1.
User1's instruction line (LTM, ESS) is never the cue.

Timing: a selection that covers whole lines takes the lines' exact spans; one inside a line takes
its words' times (`words_from` says from where). A line without word timings gets a proportional
estimate (by characters, with pauses at punctuation) or, when the caller passes `word_timer`, the
timer's words (a recogniser on that line's audio). A proportional window costs confidence
(x `PROPORTIONAL_PENALTY`) and says so in `how`.

Confidence is in [0, 1]; a location below `FLAG_BELOW` is `flagged`: kept in the corpus with its
record (`CueLocation.record()` in the sample's `meta.cue_location`) and counted in the build's
fidelity report, never silently trusted.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from ..sound_classes import classes_named, sound_class
from .sample import CueWindow, ToolCall, WordTiming

QUOTE_MIN = 0.6
FLAG_BELOW = 0.5
PROPORTIONAL_PENALTY = 0.6
_TOKEN = re.compile(r"[a-z0-9']+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'’”)]*$")
STOPWORDS = frozenset("""
a about after again all also am an and any are as at be because been before being but by can could
did do does doing don't for from get got had has have having he her here hers him his how i i'm if
in into is it it's its i've i'll i'd just let's like me my no not now of off on one oh okay or our
out over really said say says she so some than that that's the their them then there these they
this those to too up us very was we we're well were what when where which while who why will with
would yeah yes you you're your user user1 user2 assistant
""".split())


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept inside words)."""
    return [t.strip("'") for t in _TOKEN.findall(text.lower().replace("’", "'")) if t.strip("'")]


# --- quotes and sentence ends ---------------------------------------------------------------------
# A quote mark opens after a start, a space, a bracket, a colon or a dash (or another quote mark) and
# before what it quotes; it closes after what it quotes and before a space, the end, punctuation or
# another quote mark.
_OPEN_AFTER = "([{:—–-/\"'‘’“”"
_CLOSE_BEFORE = ".,;:!?…)]}—–-/\"'‘’“”"
_SINGLE = "'‘’"
# Words said with their first letters left out ('em, 'cause, 'til, rock 'n' roll, the '90s): the mark
# is an apostrophe, not a quote, unless the word is capitalised or the mark follows a colon (`says:`)
# or starts the text, where quotes begin ('Cause I said so.'). A year ('99) may also open a quote
# ('19 degrees'): it does when a closing mark follows.
_ELIDED = re.compile(r"(?:em|cause|cos|coz|cuz|til|till|tis|twas|twere|twill|bout|round|nuff|fraid|scuse|"
                     r"cept|gainst|neath|im|n['‘’]|\d\ds?)(?![\w'‘’])", re.I)


def _opens(text: str, i: int) -> bool:
    return (i == 0 or text[i - 1].isspace() or text[i - 1] in _OPEN_AFTER) and i + 1 < len(text) \
        and not text[i + 1].isspace()


def _closes(text: str, i: int) -> bool:
    return i > 0 and not text[i - 1].isspace() and (i + 1 == len(text) or text[i + 1].isspace()
                                                     or text[i + 1] in _CLOSE_BEFORE)


def _double_spans(text: str) -> list[tuple[int, int]]:
    """Double-quoted passages (straight or curly): (opening mark, closing mark) indices."""
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    for i, c in enumerate(text):
        if c not in '"“”':
            continue
        if opened is not None and c in '"”' and _closes(text, i) and i > opened + 1:
            spans.append((opened, i))
            opened = None
        elif c in '"“' and _opens(text, i):
            opened = i  # an earlier opening left unclosed (12" or a stray mark) is no quote
    return spans


def _single_spans(text: str) -> list[tuple[int, int]]:
    """Single-quoted passages (straight or curly), the apostrophes told apart from the quote marks:
    a mark inside a word (can't, rock'n'roll) or before an elided word ('em, 'til, rock 'n' roll) is
    an apostrophe; after an opening mark, the closing one is the first after end punctuation or
    before punctuation or the end ("... at six.'"), else the first not shaped like a plural possessive
    or a dropped g followed by a word ("the guys' jerseys", "goin' home"), else the first; an opening
    mark without a closing one before the next opening mark is no quote."""
    skip: set[int] = set()
    soft: set[int] = set()  # opening marks that may be apostrophes: they never end an earlier quote
    opens: list[int] = []
    closes: dict[int, tuple[bool, bool]] = {}  # index -> (strong, shaped like an apostrophe)
    n = len(text)
    for i, c in enumerate(text):
        if c not in _SINGLE or i in skip:
            continue
        prev = text[i - 1] if i else " "
        nxt = text[i + 1] if i + 1 < n else " "
        if prev.isalnum() and nxt.isalnum():
            continue  # can't, o'clock
        if _opens(text, i) and (nxt.isalnum() or nxt in _SINGLE + '"“'):
            elided = _ELIDED.match(text, i + 1)
            if elided and text[i + 1].isdigit() and not elided.group().lower().endswith("s"):
                soft.add(i)  # '99 (the year) or '19 degrees' (a quote)
            elif elided:
                quote_start = not text[:i].strip() or text[:i].rstrip()[-1] in ":([{"
                if (text[i + 1].isdigit() or text[i + 2:i + 3] in _SINGLE or prev in _SINGLE + '"“'
                        or not (quote_start or text[i + 1].isupper())):
                    skip.update(k for k in range(i + 1, elided.end()) if text[k] in _SINGLE)
                    continue  # 'em, 'til, rock 'n' roll, the '90s, "''Cause ...'"
            opens.append(i)
        elif _closes(text, i):
            after = text[i + 1:i + 3]
            strong = prev in ".,;:!?…" or i + 1 == n or not after[:1].isspace()
            word_after = after[:1].isspace() and after[1:2].islower()
            possessive = word_after and (prev in "sS" or text[max(0, i - 2):i].lower() == "in")
            closes[i] = (strong, possessive)
    spans: list[tuple[int, int]] = []
    hard = [o for o in opens if o not in soft] + [n]
    for o in opens:
        if spans and o < spans[-1][1]:
            continue  # inside the quote before ('We met in '99, remember?')
        limit = next(h for h in hard if h > o)  # the next opening mark (a year's mark is none)
        cands = [k for k in closes if o < k < limit and (o not in soft or not closes[k][1])]
        if not cands:
            continue
        best = next((k for k in cands if closes[k][0]), None)
        best = best if best is not None else next((k for k in cands if not closes[k][1]), cands[0])
        spans.append((o, best))
    return spans


def quote_spans(text: str) -> list[tuple[int, int, int, int]]:
    """The quoted passages of a text, in order: (opening mark, passage start, passage end, after the
    closing mark). Double quotes (straight or curly) come first; single quotes are read in the rest
    (a single quote inside a double-quoted passage is the passage's own) and only where they are
    quote marks, never apostrophes (`_single_spans`). A single-quoted passage around a double-quoted
    one is no quote, unless the double-quoted one is a word ('He said "go" twice.')."""
    double = _double_spans(text)
    masked = list(text)
    for a, b in double:
        masked[a:b + 1] = " " * (b + 1 - a)
    single = _single_spans("".join(masked))
    word = {d for d in double if len(tokens(text[d[0] + 1:d[1]])) < 2}
    single = [s for s in single if all(d in word for d in double if s[0] < d[0] < s[1])]
    double = [d for d in double if not any(s[0] < d[0] < s[1] for s in single)]
    return sorted((a, a + 1, b, b + 1) for a, b in double + single)


# Abbreviations after which a "." does not end a sentence: titles and the like (before a name or a
# number), and those that may end one only before a capitalised word that does not go with them
# ("at 7 p.m. Friday" goes on; "at 7 p.m. Sarah brings wine" is two sentences).
_NEVER_ENDS = frozenset("""mr mrs ms mx dr prof rev fr st mt ft capt lt sgt col gen gov sen rep hon pres supt
det insp messrs e.g i.e cf vs viz approx incl esp a.k.a""".split())
_MAY_END = frozenset("""a.m p.m etc jr sr inc ltd co corp bros ave rd blvd hwy jan feb mar apr jun jul aug sep
sept oct nov dec mon tue tues wed thu thur thurs fri sat sun""".split())
_BEFORE_NUMBER = frozenset("""no nos ext rm apt tel vol pp fig ch sec""".split())  # "ext. 2140", "No. 9"
_MONTH_ABBREVIATIONS = frozenset("""jan feb mar apr jun jul aug sep sept oct nov dec""".split())
_GOES_ON = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december today tonight tomorrow yesterday est edt cst cdt mst
mdt pst pdt gmt utc bst cet eastern central pacific mountain""".split())


def ends_sentence(words: Sequence[str], i: int) -> bool:
    """Whether whitespace word `i` ends a sentence ("Dr. Patel", "7 a.m. tomorrow", "J. R. Tolkien",
    "e.g. milk" do not)."""
    w = words[i]
    if not _SENTENCE_END.search(w):
        return False
    if not w.endswith(".") or w.endswith(".."):
        return True  # "?", "!", "…", or a closing quote or bracket after the stop
    stem = re.sub(r"^\W+", "", w[:-1])
    low = stem.lower()
    if stem == "I" and not (i > 0 and re.fullmatch(r"[A-Z][a-z]*\.?", words[i - 1])):
        return True  # the pronoun ("So would I. The trouble is..."), not an initial ("John I. Smith")
    if low in _NEVER_ENDS or (low not in _MAY_END and re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", stem)):
        return False  # a title or an initial (J. or J.R. or U.S.)
    nxt = re.sub(r"^\W+", "", words[i + 1]) if i + 1 < len(words) else ""
    if low in _BEFORE_NUMBER and nxt[:1].isdigit():
        return False  # "Dial ext. 2140 first.", "Use gate No. 9 tonight."
    if low in _MONTH_ABBREVIATIONS and nxt[:1].isupper():
        return True  # "Ask Dec. Monday is fine.": a date goes on with its day's number ("Dec. 5"), not a weekday
    if low in _MAY_END or ("." in stem and re.fullmatch(r"(?:\w+\.)+\w+", stem)):
        return not nxt or (nxt[:1].isupper() and re.sub(r"\W+$", "", nxt).lower() not in _GOES_ON)
    return True


def indexed_tokens(texts: Iterable[str]) -> tuple[list[str], list[int]]:
    """The tokens of several texts in order, and for each token the index of its text."""
    toks: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        for t in tokens(text):
            toks.append(t)
            owner.append(i)
    return toks, owner


@dataclass(frozen=True)
class TimedLine:
    """One rendered line: who, what, when (absolute seconds), and optionally its words' timings."""

    speaker: str  # "user1" | "user2" | "sound"
    text: str  # what is said; for a sound line, the sound's class
    start_s: float
    end_s: float
    words: tuple[WordTiming, ...] = ()
    words_from: str = ""  # where `words` come from: "tts", "asr"...

    @property
    def is_sound(self) -> bool:
        return self.speaker == "sound"


@dataclass(frozen=True)
class CueFacts:
    """What the ground truth says about the cue (nothing about where it is)."""

    task: str
    semantic_cue: str = ""
    gt_response: str = ""
    gt_tool_calls: tuple[ToolCall, ...] = ()
    instruction: str | None = None

    @classmethod
    def of(cls, obj: Any) -> "CueFacts":
        """From a `Scene` or a `Sample` (both carry these fields)."""
        return cls(task=obj.task, semantic_cue=obj.semantic_cue or "", gt_response=obj.gt_response or "",
                   gt_tool_calls=tuple(obj.gt_tool_calls or ()), instruction=obj.instruction)


@dataclass(frozen=True)
class CueLocation:
    """Where the cue is: its window (None when nothing was found), how, and how sure."""

    window: CueWindow | None
    how: str
    confidence: float
    lines: tuple[int, ...] = ()
    text: str = ""
    notes: tuple[str, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.window is None or self.confidence < FLAG_BELOW

    def record(self) -> dict[str, Any]:
        """The location as stored in a sample's `meta.cue_location`."""
        out: dict[str, Any] = {"how": self.how, "confidence": round(self.confidence, 3), "flagged": self.flagged,
                               "lines": list(self.lines), "text": self.text}
        if self.notes:
            out["notes"] = list(self.notes)
        return out


WordTimer = Callable[[int, TimedLine], tuple[Sequence[WordTiming], str] | None]


# --- units: sentences of lines ------------------------------------------------------------------
@dataclass
class _Unit:
    line: int
    first: int  # index of the first whitespace word of the line in this unit
    last: int  # index of the last one (inclusive)
    text: str
    toks: list[str]
    whole: bool  # the unit is the whole line
    score: float = 0.0
    quote: float = 0.0
    said: tuple[int, int] | None = None  # what the quote says of it (indices in the quote's words)
    most: bool = False  # it says most of a quoted passage by itself


def _sentences(line_index: int, text: str) -> list[_Unit]:
    words = text.split()
    units: list[_Unit] = []
    start = 0
    for i, w in enumerate(words):
        if i == len(words) - 1 or ends_sentence(words, i):
            chunk = " ".join(words[start: i + 1])
            units.append(_Unit(line_index, start, i, chunk, tokens(chunk), False))
            start = i + 1
    if len(units) == 1:
        units[0].whole = True
    return [u for u in units if u.toks]


def quotes(semantic_cue: str) -> list[str]:
    """The passages a cue description quotes (`says: "..."`, `says: '...'`), longest first (see
    `quote_spans`); a passage of fewer than two words is no quote of what was said."""
    found = [semantic_cue[a:b] for _, a, b, _ in quote_spans(semantic_cue)]
    return sorted((q for q in found if len(tokens(q)) >= 2), key=lambda q: -len(q))


def _coverage(unit: list[str], ref: list[str]) -> int:
    """How many of `unit`'s tokens match `ref` in order (difflib's matching blocks)."""
    blocks = difflib.SequenceMatcher(a=unit, b=ref, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks)


def _expected_speaker(task: str, speaker: str) -> float:
    if task in ("PIC", "CFC"):
        return 1.0 if speaker == "user1" else 0.6
    if task == "LTM":
        return 1.0 if speaker != "user1" else 0.6
    return 1.0


def _is_instruction(line: TimedLine, facts: CueFacts) -> bool:
    if not facts.instruction or line.speaker != "user1":
        return False
    a, b = tokens(line.text), tokens(facts.instruction)
    return bool(a) and _coverage(a, b) >= 0.8 * max(len(a), len(b))


def _content_terms(facts: CueFacts) -> dict[str, float]:
    """Ground-truth words and their source weights (names and numbers weigh more)."""
    terms: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        for raw in re.findall(r"[A-Za-z0-9'’]+", text):
            tok = tokens(raw)
            if not tok:
                continue
            t = tok[0]
            if t in STOPWORDS or (len(t) < 3 and not t.isdigit()):
                continue
            w = weight * (1.5 if raw[:1].isupper() or t.isdigit() else 1.0)
            terms[t] = max(terms.get(t, 0.0), w)

    for call in facts.gt_tool_calls:
        for value in _flatten(call.arguments):
            add(str(value), 2.0)
    add(facts.gt_response, 1.5)
    cue = facts.semantic_cue
    for q in quotes(cue):
        cue = cue.replace(q, " ")
    add(cue, 1.0)
    return terms


def _flatten(value: Any) -> Iterable[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _flatten(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


# --- timing ------------------------------------------------------------------------------------
def proportional_words(line: TimedLine) -> tuple[WordTiming, ...]:
    """An estimate of a line's word timings: its duration shared by characters, with pauses after
    commas (3 characters' worth) and sentence ends (6). Labelled `proportional` wherever used."""
    words = line.text.split()
    weights = [len(w) + 1 + (6 if ends_sentence(words, i) else 3 if w.endswith((",", ";", ":", "—")) else 0)
               for i, w in enumerate(words)]
    total = sum(weights) or 1
    dur = line.end_s - line.start_s
    out, t = [], 0.0
    for w, k in zip(words, weights):
        span = dur * k / total
        out.append(WordTiming(text=w, start_s=t, end_s=t + span * (len(w) + 1) / k))
        t += span
    return tuple(out)


def words_on_text(line: TimedLine, timed: Sequence[WordTiming]) -> list[tuple[float, float] | None]:
    """Each whitespace word of `line.text`: its (start, end) relative to the line, from `timed`
    words aligned by their tokens (difflib); None where no timed word matched."""
    words = line.text.split()
    ref, ref_word = indexed_tokens(words)
    hyp, hyp_word = indexed_tokens(w.text for w in timed)
    spans: list[tuple[float, float] | None] = [None] * len(words)
    for b in difflib.SequenceMatcher(a=ref, b=hyp, autojunk=False).get_matching_blocks():
        for k in range(b.size):
            i, j = ref_word[b.a + k], hyp_word[b.b + k]
            s, e = timed[j].start_s, timed[j].end_s
            spans[i] = (s, e) if spans[i] is None else (min(spans[i][0], s), max(spans[i][1], e))
    return spans


def _span(line: TimedLine, first: int, last: int, timer: WordTimer | None,
          index: int) -> tuple[float, float, str]:
    """Absolute (start, end) of words first..last of a line, and where the timing came from."""
    n = len(line.text.split())
    if first == 0 and last >= n - 1:
        return line.start_s, line.end_s, "line"
    timed, source = line.words, line.words_from or "given"
    if not timed and timer is not None:
        got = timer(index, line)
        if got:
            timed, source = tuple(got[0]), got[1]
    spans = words_on_text(line, timed) if timed else []
    est = proportional_words(line)
    # an edge word the timing missed: shifted from the nearest timed word inside the selection
    inner = [k for k in range(first, last + 1) if spans and spans[k]]
    start = end = None
    if inner:
        start = spans[inner[0]][0] - (est[inner[0]].start_s - est[first].start_s)
        end = spans[inner[-1]][1] + (est[last].end_s - est[inner[-1]].end_s)
    else:
        start, end, source = est[first].start_s, est[last].end_s, "proportional"
    start_s = line.start_s if first == 0 else line.start_s + start
    end_s = line.end_s if last >= n - 1 else line.start_s + end
    return start_s, max(start_s, min(end_s, line.end_s)), source


# --- the locator -------------------------------------------------------------------------------
def locate_cue(lines: Sequence[TimedLine], facts: CueFacts, *, word_timer: WordTimer | None = None) -> CueLocation:
    """The cue's words in `lines` (see the module docstring for the method and the confidence)."""
    if facts.task == "ESS":
        return _locate_sound(lines, facts)
    units: list[_Unit] = []
    for i, line in enumerate(lines):
        if line.is_sound or _is_instruction(line, facts):
            continue
        units += _sentences(i, line.text)
    if not units:
        return CueLocation(None, "none", 0.0, notes=("no spoken line to locate the cue in",))
    found = _by_quote(units, lines, facts) or _by_content(units, lines, facts)
    if found is None:
        expected = [u for u in units if _expected_speaker(facts.task, lines[u.line].speaker) == 1.0] or units
        last = expected[-1].line
        found = ([u for u in units if u.line == last], "fallback", 0.1,
                 ("no sentence carries the ground truth's words; the expected speaker's last line",))
    run, how, confidence, notes = found
    return _window(run, lines, how, confidence, notes, word_timer)


def _window(run: list[_Unit], lines: Sequence[TimedLine], how: str, confidence: float,
            notes: tuple[str, ...], timer: WordTimer | None) -> CueLocation:
    first, last = run[0], run[-1]
    if first.line == last.line:
        start, end, src = _span(lines[first.line], first.first, last.last, timer, first.line)
        sources = {src}
    else:  # a run over several lines of one speaker: from its first word to its last
        start, _, src1 = _span(lines[first.line], first.first, len(lines[first.line].text.split()) - 1,
                               timer, first.line)
        _, end, src2 = _span(lines[last.line], 0, last.last, timer, last.line)
        sources = {src1, src2}
    sources.discard("line")
    if "proportional" in sources:
        confidence *= PROPORTIONAL_PENALTY
        notes = notes + ("word times estimated in proportion to the text",)
    how = how + "".join(f"+words:{s}" for s in sorted(sources))
    text = " ".join(u.text for u in run)
    line_ids = tuple(sorted({u.line for u in run}))
    return CueLocation(CueWindow(start_s=start, end_s=max(start, end), derived=True), how,
                       round(min(1.0, max(0.0, confidence)), 3), line_ids, text, notes)


def _runs(picked: list[_Unit], units: list[_Unit], lines: Sequence[TimedLine]) -> list[list[_Unit]]:
    """Picked units grouped into runs: consecutive units of one speaker, nothing else between them."""
    order = {id(u): k for k, u in enumerate(units)}
    runs: list[list[_Unit]] = []
    for u in sorted(picked, key=lambda u: order[id(u)]):
        prev = runs[-1][-1] if runs else None
        if (prev is not None and order[id(u)] == order[id(prev)] + 1
                and lines[u.line].speaker == lines[prev.line].speaker):
            runs[-1].append(u)
        else:
            runs.append([u])
    return runs


def _quoted(unit: _Unit, ref: list[str]) -> bool:
    """Whether the quote says this sentence of three words or more with content words (sets
    `unit.quote`, the share of its words it covers): at least `QUOTE_MIN` of its words, and not only
    its function words (`STOPWORDS`): `QUOTE_MIN` of its content words or at least two of them ("Now
    only the statistics problem." shares "now", "the" and "problem" with a quote about the
    calculator problem: one content word of three, no quote; "Lands oh-six-forty tomorrow." shares
    "six" and "forty" with the quote "oh-six-forty": quoted). A shorter sentence or one of function
    words only says too little to be found by its words: `_quoted_sentences` takes it by position."""
    size = len(unit.toks)
    said = [False] * size
    for b in difflib.SequenceMatcher(a=unit.toks, b=ref, autojunk=False).get_matching_blocks():
        said[b.a:b.a + b.size] = [True] * b.size
    unit.quote = sum(said) / size
    content = [k for k, t in enumerate(unit.toks) if t not in STOPWORDS]
    if _by_position(unit):
        return False
    shared = sum(said[k] for k in content)
    return unit.quote >= QUOTE_MIN and (shared >= QUOTE_MIN * len(content) or shared >= 2)


SHORT = 3  # a sentence of fewer words is told by where the quote says it, not by its words


def _by_position(unit: _Unit) -> bool:
    """A sentence too short to tell by its words: fewer than `SHORT` words, or function words only."""
    return len(unit.toks) < SHORT or all(t in STOPWORDS for t in unit.toks)


def _adjoining(toks: list[str], span: tuple[int, int], before: bool,
               bounds: list[tuple[int, int]], ref: list[str]) -> tuple[int, int] | None:
    """Where the quote says `toks` next to a neighbour the quote says at `span` (indices in `ref`):
    right before it, or at its passage's start (`before`); right after it, or at its passage's end.
    Never past the neighbour's own words, never in another passage. None when it does not."""
    size = len(toks)
    at = span[0] if before else span[1] - 1
    ps, pe = next(((a, b) for a, b in bounds if a <= at < b), (0, len(ref)))
    starts = (span[0] - size, ps) if before else (span[1], pe - size)
    for s in starts:
        if ps <= s and s + size <= pe and (s + size <= span[0] if before else s >= span[1]) \
                and ref[s:s + size] == toks:
            return s, s + size
    return None


def _quoted_sentences(units: list[_Unit], lines: Sequence[TimedLine], passages: list[list[str]],
                      bounds: list[tuple[int, int]]) -> list[_Unit]:
    """The sentences the quote says, each with what the quote says of it (`_Unit.said`, indices in the
    passages' words one after another; `bounds` are the passages' there). One of three words or more
    with content words by its words (`_quoted`), where it says them in order (`_aligned`); whether it
    joins its quoted neighbours is decided by where the quote says it (`_quote_runs`). A shorter one
    or one of function words only (`_by_position`) where the quote says it word for word at the place
    that adjoins a quoted neighbour in the run (the sentence before or after it, of the same speaker:
    the quote says it right before or after what it says of that neighbour, or begins or ends with
    it), or as a whole passage. Its words somewhere else in the quote are no evidence: "Nine." before a
    quoted "We need a lane for eight people on Friday at nine, ..." is not taken in, as "Yes, that's
    the one." before "Book the corner table ..." quoted as "Yes, that's the one. Book the corner table
    ..." is."""
    ref = [t for p in passages for t in p]
    spans: dict[int, tuple[int, int]] = {}  # unit index -> what the quote says of it (indices in `ref`)
    weak: list[int] = []
    for k, u in enumerate(units):
        if _quoted(u, ref):
            pairs = _aligned(u.toks, ref)
            spans[k] = (pairs[0][1], pairs[-1][1] + 1) if pairs else (0, len(ref))
            u.most = any(len(_aligned(u.toks, p)) >= QUOTE_MIN * len(p) for p in passages)
        elif _by_position(u):
            whole = next((b for b, p in zip(bounds, passages) if p == u.toks), None)
            if whole is not None:
                spans[k], u.quote, u.most = whole, 1.0, True
            else:
                weak.append(k)
    grown = True
    while grown and weak:  # outward from the quoted sentences, one neighbour at a time
        grown = False
        for k in list(weak):
            for nb, before in ((k + 1, True), (k - 1, False)):
                if nb not in spans or lines[units[nb].line].speaker != lines[units[k].line].speaker:
                    continue
                found = _adjoining(units[k].toks, spans[nb], before, bounds, ref)
                if found is not None:
                    spans[k], units[k].quote = found, 1.0
                    weak.remove(k)
                    grown = True
                    break
    for k, span in spans.items():
        units[k].said = span
    return [units[k] for k in sorted(spans)]


SEAM = 2  # quoted words a quote may have between two sentences it says one after the other ("and")


def _adjoin(a: tuple[int, int], b: tuple[int, int], bounds: list[tuple[int, int]]) -> bool:
    """Whether the quote says sentence `b` where it continues sentence `a` (the sentence before it),
    by what it says of each (`_Unit.said`): `b` goes on where `a` stops (a word either side of the
    seam may be misheard, and the quote may have up to `SEAM` words between them: "..., and"); or the
    quote begins with `a` and says `b` after it; or it ends with `b` and says `a` before it; or `a`
    ends one quoted passage and `b` begins another. Never where the quote says `b` before `a` or
    inside it ("Just the gate." before "I will leave the side gate unlocked ..." quoted as that)."""
    pa = next(((s, e) for s, e in bounds if s < a[1] <= e), (0, a[1]))
    pb = next(((s, e) for s, e in bounds if s <= b[0] < e), (b[0], b[1]))
    if pa != pb:
        return a[1] >= pa[1] - 1 and b[0] <= pb[0] + 1
    return (-1 <= b[0] - a[1] <= SEAM
            or (a[0] <= pa[0] + 1 and b[0] >= a[1] - 1)
            or (b[1] >= pa[1] - 1 and b[0] >= a[1] - 1))


def _quote_runs(picked: list[_Unit], units: list[_Unit], lines: Sequence[TimedLine],
                bounds: list[tuple[int, int]]) -> list[list[_Unit]]:
    """Quoted sentences grouped into runs: consecutive sentences of one speaker, nothing between them,
    each where the quote says it next to the one before (`_adjoin`) or both saying most of a quoted
    passage by themselves. A sentence that shares words with the quote but is not said there ("The
    Griddle House it is." before "I need to book a table at the Griddle House ...") is a run of its own."""
    runs: list[list[_Unit]] = []
    for run in _runs(picked, units, lines):
        runs.append([run[0]])
        for prev, u in zip(run, run[1:]):
            if (prev.most and u.most) or (prev.said is not None and u.said is not None
                                          and _adjoin(prev.said, u.said, bounds)):
                runs[-1].append(u)
            else:
                runs.append([u])
    return runs


RUN_GAP = 0.5


def _aligned(toks: list[str], passage: list[str]) -> list[tuple[int, int]]:
    """Where a passage is said inside a sentence, word by word in order: the best local alignment
    (a word both say +1; a word of the sentence inside the run that the passage does not say, or a
    word of the passage the run skips, -`RUN_GAP`), as (sentence index, passage index) pairs; of
    equally good runs, the later. Unlike difflib's longest-block-first matching, a shared function
    word far from the rest ("i dunno i was ... and i really have to pick up the cake") stays out."""
    n, m = len(toks), len(passage)
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    best, at = 0.0, (0, 0)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            h = max(0.0, score[i - 1][j] - RUN_GAP, score[i][j - 1] - RUN_GAP)
            if toks[i - 1] == passage[j - 1]:
                h = max(h, score[i - 1][j - 1] + 1.0)
            score[i][j] = h
            if h > 0 and h >= best:
                best, at = h, (i, j)
    pairs: list[tuple[int, int]] = []
    i, j = at
    while i > 0 and j > 0 and score[i][j] > 0:
        if toks[i - 1] == passage[j - 1] and score[i][j] == score[i - 1][j - 1] + 1.0:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif score[i][j] == score[i - 1][j] - RUN_GAP:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def _run_on(unit: _Unit, lines: Sequence[TimedLine]) -> bool:
    """Whether the unit is a whole line with no sentence end in it, not even at its end ("so um we
    were gonna go at six but the council said..."): a recogniser's turn, no sentence of its own."""
    words = lines[unit.line].text.split()
    return unit.whole and not ends_sentence(words, len(words) - 1)


def _quoted_part(unit: _Unit, line_text: str, passages: list[list[str]], ref: list[str]) -> _Unit | None:
    """The run of consecutive words of a sentence that says a quoted passage: in a sentence the quote
    does not say as a whole, or in a line with no sentence end at all (`_run_on`: a recogniser's turn,
    "so um we were gonna go at six but the council said the bin bags come at two hundred a pack so
    yeah", is one "sentence" that a quote of most of its words still says only in part). The run
    goes from the first to the last word it shares with the passage, in order (`_aligned`); it must say
    at least `QUOTE_MIN` of the passage's words and three words at least, at least `QUOTE_MIN` of its
    own words must be the passage's, and the passage's content words must be there: `QUOTE_MIN` of
    them and two at least (all of them when it has one). A passage of function words only is found in
    no longer sentence. With several passages that qualify, from the first one's run to the last
    one's. None when no run qualifies."""
    words = line_text.split()[unit.first:unit.last + 1]
    toks, owner = indexed_tokens(words)
    spans: list[tuple[int, int]] = []
    for passage in passages:
        content = {k for k, t in enumerate(passage) if t not in STOPWORDS}
        pairs = _aligned(toks, passage) if content else []
        if not pairs:
            continue
        a0, a1 = pairs[0][0], pairs[-1][0] + 1
        said, shared = len(pairs), sum(j in content for _, j in pairs)
        if (said >= 3 and said >= QUOTE_MIN * len(passage) and said >= QUOTE_MIN * (a1 - a0)
                and shared >= QUOTE_MIN * len(content) and shared >= min(2, len(content))):
            spans.append((a0, a1))
    if not spans:
        return None
    a0, a1 = min(a for a, _ in spans), max(b for _, b in spans)
    first, last = unit.first + owner[a0], unit.first + owner[a1 - 1]
    text = " ".join(line_text.split()[first:last + 1])
    part = _Unit(unit.line, first, last, text, tokens(text), False)
    part.quote = _coverage(part.toks, ref) / len(part.toks)
    return part


def _by_quote(units: list[_Unit], lines: Sequence[TimedLine], facts: CueFacts):
    passages = quotes(facts.semantic_cue)
    if not passages:
        return None
    said_passages = [tokens(q) for q in passages]
    ref = [t for p in said_passages for t in p]
    bounds, at = [], 0
    for p in said_passages:
        bounds.append((at, at + len(p)))
        at += len(p)
    picked = _quoted_sentences(units, lines, said_passages, bounds)
    # a sentence not quoted as a whole may still say the quote as a run of its words (a run-on turn)
    whole = {id(u) for u in picked}
    parts = [p for u in units if id(u) not in whole
             for p in [_quoted_part(u, lines[u.line].text, said_passages, ref)] if p]
    if not picked and not parts:
        return None
    # a line with no sentence end at all (a recogniser's run-on turn) is no sentence: of it, the run of
    # words that says the quote, when one does
    runs = [[_quoted_part(run[0], lines[run[0].line].text, said_passages, ref) or run[0]]
            if len(run) == 1 and _run_on(run[0], lines) else run for run in _quote_runs(picked, units, lines, bounds)]
    runs += [[p] for p in parts]

    def value(run: list[_Unit]) -> float:
        said = [t for u in run for t in u.toks]
        return _coverage(ref, said) * _expected_speaker(facts.task, lines[run[0].line].speaker)

    # the best first; of runs that say the quote equally fully, the later (the cue is the last turn
    # before the reply in the release's format), still noted as ambiguous below
    runs.sort(key=lambda run: (value(run), run[0].line, run[0].first), reverse=True)
    best = runs[0]
    said = [t for u in best for t in u.toks]
    recall = max(_coverage(tokens(q), said) / len(tokens(q)) for q in passages)  # of the passage it says
    precision = sum(u.quote * len(u.toks) for u in best) / len(said)
    confidence = 0.5 * precision + 0.5 * min(1.0, recall * 1.25)
    notes: tuple[str, ...] = ()
    if len(runs) > 1 and value(runs[1]) >= 0.8 * value(best):
        confidence *= 0.7
        notes = (f"the quote also matches {runs[1][0].text!r}",)
    return best, "quote", confidence, notes


def _by_content(units: list[_Unit], lines: Sequence[TimedLine], facts: CueFacts):
    terms = _content_terms(facts)
    if not terms:
        return None
    df = Counter(t for u in units for t in set(u.toks))
    n = len(units)
    last_line = max(u.line for u in units) or 1
    for u in units:
        raw = sum(terms[t] * math.log(1 + n / df[t]) for t in set(u.toks) if t in terms)
        u.score = raw / (1 + 0.03 * len(u.toks))
        u.score *= _expected_speaker(facts.task, lines[u.line].speaker) * (0.85 + 0.15 * u.line / last_line)
    ranked = sorted(units, key=lambda u: u.score, reverse=True)
    best = ranked[0]
    if best.score <= 0:
        return None
    run = [u for u in units if u.line == best.line and u.score >= 0.5 * best.score]
    run = next(r for r in _runs(run, units, lines) if best in r)
    rest = [u.score for u in ranked if u not in run]
    second = rest[0] if rest else 0.0
    margin = 1.0 - second / best.score
    strength = min(1.0, best.score / 4.0)
    return run, "content", strength * (0.4 + 0.6 * margin), ()


def _locate_sound(lines: Sequence[TimedLine], facts: CueFacts) -> CueLocation:
    sounds = [(i, ln) for i, ln in enumerate(lines) if ln.is_sound]
    if not sounds:
        return CueLocation(None, "none", 0.0, notes=("no sound line",))
    sources = [t for t in (facts.semantic_cue, facts.gt_response, facts.instruction or "") if t.strip()]
    said = set(tokens(" ".join(sources)))
    named = [classes_named(t) for t in sources]

    def match(line: TimedLine) -> float:
        heard = sound_class(line.text)
        if heard is not None and any(heard.name in n for n in named):  # by any of its names, in any word form
            return 0.5 + 0.5 * sum(heard.name in n for n in named) / len(named)
        name = [t for t in tokens(line.text.replace("_", " ")) if t not in STOPWORDS]
        return 0.5 * sum(t in said for t in name) / max(1, len(name))  # only words of the class id

    scored = sorted(sounds, key=lambda p: (match(p[1]), p[0]), reverse=True)  # of equals, the later (the cue is last)
    i, line = scored[0]
    m = match(line)
    if len(sounds) == 1:
        confidence = 0.95 if m > 0 else 0.6
    else:
        second = match(scored[1][1])
        confidence = 0.3 + 0.6 * m * (1.0 - second / m) if m > 0 else 0.2
    return CueLocation(CueWindow(start_s=line.start_s, end_s=line.end_s, derived=True), "sound",
                       round(confidence, 3), (i,), line.text)


# --- checking the locator on scripts whose cue the builder knows -------------------------------
def iou(a: CueWindow, b: CueWindow) -> float:
    """Intersection over union of two windows (1.0 for two identical instants)."""
    inter = max(0.0, min(a.end_s, b.end_s) - max(a.start_s, b.start_s))
    union = max(a.end_s, b.end_s) - min(a.start_s, b.start_s)
    return inter / union if union > 0 else float(a.start_s == b.start_s)


def inside(found: CueWindow, truth: CueWindow, slack_s: float = 0.05) -> bool:
    """`found` lies within `truth` (a part of the right line(s), e.g. its key sentence)."""
    return found.start_s >= truth.start_s - slack_s and found.end_s <= truth.end_s + slack_s


@dataclass
class Recovery:
    """How often the locator recovers known windows, per (task, label): IoU >= `threshold`
    (`rate`), and the weaker "lies within the known window" (`inside_rate`)."""

    threshold: float = 0.8
    results: dict[tuple[str, bool], list[tuple[float, bool]]] = field(default_factory=dict)
    hows: Counter = field(default_factory=Counter)
    flagged: int = 0

    def add(self, task: str, label: bool, truth: CueWindow, found: CueLocation) -> float:
        score = iou(truth, found.window) if found.window is not None else 0.0
        within = found.window is not None and inside(found.window, truth)
        self.results.setdefault((task, label), []).append((score, within))
        self.hows[found.how.split("+")[0]] += 1
        self.flagged += found.flagged
        return score

    def _pick(self, task: str | None, label: bool | None) -> list[tuple[float, bool]]:
        return [r for (t, lab), v in self.results.items() for r in v
                if (task is None or t == task) and (label is None or lab == label)]

    def rate(self, task: str | None = None, label: bool | None = None) -> float:
        rows = self._pick(task, label)
        return sum(s >= self.threshold for s, _ in rows) / len(rows) if rows else float("nan")

    def inside_rate(self, task: str | None = None, label: bool | None = None) -> float:
        rows = self._pick(task, label)
        return sum(w for _, w in rows) / len(rows) if rows else float("nan")

    def count(self, task: str | None = None, label: bool | None = None) -> int:
        return sum(len(v) for (t, lab), v in self.results.items()
                   if (task is None or t == task) and (label is None or lab == label))


def strip_quotes(semantic_cue: str) -> str:
    """The cue description without its quoted passages (the locator's `content` method alone)."""
    out, at = [], 0
    for start, _, _, end in quote_spans(semantic_cue):
        out += [semantic_cue[at:start], " "]
        at = end
    return "".join(out) + semantic_cue[at:]
