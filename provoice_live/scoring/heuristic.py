"""The offline heuristic judge: tool-call and text agreement with the reference, no model, no network.

It stands in for the paper's LLM judge when no endpoint is available. It is named
"heuristic (offline)" in every table and file it produces, because its verdicts are not the paper's.
Each verdict is 0, 0.5 or 1, given on true positives only.

Tool calls (T_p against T_g):

| reference calls | predicted calls | verdict |
|---|---|---|
| none | none | 1 |
| some | none | 0 |
| none | some | 0.5 (a call nobody asked for: borderline) |
| some | some | pair each reference call with its best unused predicted call: same name scores 0.5 + 0.5 x argument agreement, another name 0.5 x value agreement (a different tool with the same values); the mean m over the reference calls gives 1 if m >= 0.875, 0.5 if m >= 0.375, else 0; predicted calls left unpaired cap the verdict at 0.5 |

Argument agreement is the mean, over the reference's arguments, of the agreement of the predicted
value under the same key (0 when missing); a reference call without arguments agrees fully. Names
and keys are compared lower-cased with non-alphanumerics dropped (`start_time` = `startTime`).

Value agreement (each 0, 0.5 or 1):

| values | rule |
|---|---|
| numbers ("$1,200" = 1200) | 1 if within 1 % (or 1e-6), else 0 |
| dates and times ("2025-03-04T15:00" = "March 4, 3 pm") | on the parts both give (date, time of day): a conflict (times more than 5 min apart) 0; the same parts 1; one side giving a part the other lacks 0.5 |
| booleans ("yes" = true) | equal 1, else 0 |
| text | token F1 after normalising case, accents, punctuation, plurals and -ing/-ed: >= 2/3 gives 1, >= 1/3 gives 0.5, else 0 |
| lists, objects | mean agreement of the paired elements / of the reference's keys, snapped to 0, 0.5, 1 |

Text (R_p against R_g, given the semantic cue S_c):

| reference text | predicted text | verdict |
|---|---|---|
| empty | empty | 1 |
| some | empty | 0 |
| empty | some | 0.5 |
| some | some | 1 if the content-word coverage is >= 0.6 and the key-term coverage >= 0.5; else 0.5 if their mean is >= 0.125; else 0 |

Content words are the reference's words minus stop words, lightly stemmed (number words and times
of day normalised: "forty" = "40", "11:00 AM" = "11am" = "11"); a word is covered when
the prediction has it, or a word it prefixes (5+ letters: "thunder" covers "thunderstorm"). Key terms
are the reference's numbers and times, its capitalised words (not opening a sentence) and its content
words that the semantic cue also uses: the facts the scene is about. With no key terms, key coverage
is the content-word coverage. The text score is recall-oriented: a longer reply is not penalised.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Sequence

from .response import Verdict

NAME = "heuristic (offline)"

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing don down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just let
lets me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these they
this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves ok okay sure please hey hi hello yes also like
want need know think going get got t s ll re ve d m im youre dont thats itll shall may might must
maybe perhaps actually according really quite am pm a.m p.m
""".split())
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm|a\.m|p\.m)?")

_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789.:")
# bytes.translate with a 256-byte table: lower-cases A-Z and blanks every byte outside [a-z0-9.:]
_ASCII_TABLE = bytes(c if c in _KEEP else c + 32 if 65 <= c <= 90 else 32 for c in range(256))
_DIGITS = frozenset("0123456789")
_NON_WORD = re.compile(r"[^a-z0-9.:]+")
_LETTER_WORD = re.compile(r"\b[^\W\d_][\w'’]*")
# keeps letters (either case), digits and sentence ends: tokens for finding capitalised words
_CASE_TABLE = bytes(c if 65 <= c <= 90 or 97 <= c <= 122 or 48 <= c <= 57 or c in b".!?" else 32 for c in range(256))
_SENTENCE_ENDS = frozenset(b".!?")
_OPENERS = " \t\n\"'“‘(«"
NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
NUMBER_WORDS |= {w: str(10 * i) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
MONTHS = {m: i + 1 for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split())}


# ---- text normalisation -------------------------------------------------------------------------

def _fold(text: str) -> str:
    """Lower case without accents."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


_STEMS: dict[str, str] = {}  # word -> stem, a plain dict: faster than lru_cache in the hot loop


def _stem(word: str) -> str:
    clock = _CLOCK.fullmatch(word)
    if clock and (clock.group(2) or clock.group(3)):  # a time of day: "11:00" = "11am" -> "11"
        hour, minute = int(clock.group(1)), clock.group(2)
        return str(hour) if minute in (None, "00") else f"{hour}:{minute}"
    word = NUMBER_WORDS.get(word, word)
    if len(word) > 4 and not word[0].isdigit():
        for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                return word[: -len(suffix)] + repl
    return word


def stem(word: str) -> str:
    """A light stemmer: enough to match plurals and -ing/-ed forms of the same word."""
    s = _STEMS.get(word)
    if s is None:
        s = _stem(word)
        if len(_STEMS) < 500_000:
            _STEMS[word] = s
    return s


def raw_tokens(text: str) -> list[bytes]:
    """Lower-cased, accent-free runs of [a-z0-9.:] as ASCII bytes ("15:00", "5.5", "list." stay whole)."""
    if text.isascii():
        return text.encode().translate(_ASCII_TABLE).split()
    return _NON_WORD.sub(" ", _fold(text)).encode().split()


def tokens(text: str) -> list[str]:
    """All normalised tokens of a text, stop words included."""
    return [stem(w) for raw in raw_tokens(text) if (w := raw.decode().strip(".:"))]


_CONTENT: dict[bytes, str] = {}  # raw token -> its stem, or "" for a stop word


def _content(raw: bytes) -> str:
    word = raw.decode().strip(".:")
    s = stem(word) if word else ""
    s = "" if s in STOPWORDS or word in STOPWORDS else s
    if len(_CONTENT) < 500_000:
        _CONTENT[raw] = s
    return s


def content_words(text: str) -> set[str]:
    """The normalised words of a text that carry meaning (stop words dropped, stemmed)."""
    words = set(raw_tokens(text))
    out = set(map(_CONTENT.get, words))  # the hot path: a C loop over known tokens
    if None in out:
        out.discard(None)
        out.update(_content(w) for w in words if w not in _CONTENT)
    out.discard("")
    return out


def covered(ref_words: set[str], pred_words: set[str]) -> set[str]:
    """The reference words the prediction has, or has as a prefix either way (5+ letters:
    "thunder" covers "thunderstorm")."""
    hit = ref_words & pred_words
    rest = [w for w in ref_words - hit if len(w) >= 5]
    if rest:
        long_pred = [p for p in pred_words if len(p) >= 5]
        hit |= {w for w in rest if any(p.startswith(w) or w.startswith(p) for p in long_pred)}
    return hit


def token_f1(a: Iterable[str], b: Iterable[str]) -> float:
    sa, sb = set(a), set(b)
    if not sa and not sb:
        return 1.0
    common = len(sa & sb)
    if not common:
        return 0.0
    p, r = common / len(sb), common / len(sa)
    return 2 * p * r / (p + r)


def snap(x: float, full: float = 0.75, half: float = 0.25) -> float:
    """A score in [0, 1] to the verdict scale 0 / 0.5 / 1."""
    return 1.0 if x >= full else 0.5 if x >= half else 0.0


_KEYS: dict[str, str] = {}


def norm_key(name: str) -> str:
    """A tool or argument name, lower-cased with non-alphanumerics dropped (memoised)."""
    key = _KEYS.get(name)
    if key is None:
        key = re.sub(r"[^a-z0-9]", "", _fold(str(name)))
        if len(_KEYS) < 100_000:
            _KEYS[name] = key
    return key


# ---- values: numbers, dates, times --------------------------------------------------------------

_NUMBER = re.compile(r"^\s*[-+]?[$€£]?\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*%?\s*$")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_MONTH_DAY = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b(?:,?\s+(\d{4}))?")
_TIME = re.compile(r"(?:\b|t)(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*(a\.?m\.?|p\.?m\.?)?(?![\d-])")
_NOON = {"noon": 12 * 60, "midday": 12 * 60, "midnight": 0}


def parse_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value):
        return float(re.sub(r"[^\d.+-]", "", value))
    return None


@lru_cache(maxsize=16384)
def parse_when(text: str) -> tuple[tuple[int | None, int, int] | None, int | None]:
    """(date as (year or None, month, day), minutes after midnight) found in a string; None parts absent."""
    s = _fold(text)
    day = None
    if m := _ISO_DATE.search(s):
        day = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        s = s[: m.start()] + " " + s[m.end():]
    elif m := _MONTH_DAY.search(s):
        day = (int(m.group(3)) if m.group(3) else None, MONTHS[m.group(1)], int(m.group(2)))
        s = s[: m.start()] + " " + s[m.end():]
    elif m := _DAY_MONTH.search(s):
        day = (int(m.group(3)) if m.group(3) else None, MONTHS[m.group(2)], int(m.group(1)))
        s = s[: m.start()] + " " + s[m.end():]
    minutes = None
    for word, value in _NOON.items():
        if word in s:
            minutes = value
    for m in _TIME.finditer(s):
        hour, minute, ampm = int(m.group(1)), m.group(2), m.group(3)
        if minute is None and ampm is None:
            continue  # a bare number is not a time
        if hour > 24 or (minute is not None and int(minute) > 59):
            continue
        if ampm:
            hour = hour % 12 + (12 if ampm.startswith("p") else 0)
        minutes = hour * 60 + int(minute or 0)
        break
    if day is not None:
        try:
            date(day[0] or 2000, day[1], day[2])
        except ValueError:
            day = None
    return day, minutes


def when_agreement(a: tuple, b: tuple) -> float | None:
    """Agreement of two parsed (date, minutes); None when they share no part."""
    (da, ta), (db, tb) = a, b
    common = 0
    if da is not None and db is not None:
        if da[1:] != db[1:] or (da[0] is not None and db[0] is not None and da[0] != db[0]):
            return 0.0
        common += 1
    if ta is not None and tb is not None:
        if abs(ta - tb) > 5:
            return 0.0
        common += 1
    if not common:
        return None
    same_parts = (da is None) == (db is None) and (ta is None) == (tb is None)
    return 1.0 if same_parts else 0.5


# ---- value, argument and call agreement ---------------------------------------------------------

def value_agreement(ref: Any, pred: Any) -> float:
    """How well a predicted argument value agrees with the reference's: 0, 0.5 or 1."""
    if ref == pred and type(ref) is type(pred) and ref not in (None, "", [], {}):
        return 1.0
    if ref is None or ref == "" or ref == [] or ref == {}:
        return 1.0 if pred in (None, "", [], {}) else 0.5
    if isinstance(ref, bool) or isinstance(pred, bool):
        return 1.0 if _as_bool(ref) == _as_bool(pred) and _as_bool(ref) is not None else 0.0
    if isinstance(ref, dict):
        return snap(args_agreement(ref, pred if isinstance(pred, dict) else {}))
    if isinstance(ref, (list, tuple)):
        return snap(list_agreement(ref, pred if isinstance(pred, (list, tuple)) else [pred]))
    if isinstance(pred, (list, tuple)) and len(pred) == 1:
        pred = pred[0]
    na, nb = parse_number(ref), parse_number(pred)
    if na is not None and nb is not None:
        return 1.0 if abs(na - nb) <= max(1e-6, 0.01 * max(abs(na), abs(nb))) else 0.0
    sa, sb = str(ref), "" if pred is None else str(pred)
    if _fold(sa).strip() == _fold(sb).strip():
        return 1.0
    when = when_agreement(parse_when(sa), parse_when(sb))
    if when is not None:
        return when
    wa, wb = content_words(sa) or set(tokens(sa)), content_words(sb) or set(tokens(sb))
    return snap(token_f1(wa, wb), full=0.66, half=0.33)


def _as_bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(_fold(str(v)).strip())


def list_agreement(ref: Sequence[Any], pred: Sequence[Any]) -> float:
    """Pair each reference element with its best unused predicted one; mean over the longer list."""
    if not ref and not pred:
        return 1.0
    unused = list(pred)
    total = 0.0
    for r in ref:
        if not unused:
            break
        scores = [value_agreement(r, p) for p in unused]
        best = max(range(len(unused)), key=scores.__getitem__)
        total += scores[best]
        unused.pop(best)
    return total / max(len(ref), len(pred))


def args_agreement(ref: dict[str, Any], pred: dict[str, Any]) -> float:
    """Mean agreement over the reference's arguments, matched by normalised key (missing: 0)."""
    if not ref:
        return 1.0
    by_key = {norm_key(k): v for k, v in pred.items()}
    return sum(value_agreement(v, by_key[norm_key(k)]) if norm_key(k) in by_key else 0.0
               for k, v in ref.items()) / len(ref)


def values_agreement(ref: dict[str, Any], pred: dict[str, Any]) -> float:
    """Agreement of the argument values whatever their keys (for a different tool)."""
    if not ref:
        return 0.0
    return list_agreement(list(ref.values()), list(pred.values())) if pred else 0.0


def call_agreement(ref: tuple[str, dict], pred: tuple[str, dict]) -> float:
    """One predicted call against one reference call, in [0, 1]."""
    if norm_key(ref[0]) == norm_key(pred[0]):
        return 0.5 + 0.5 * args_agreement(ref[1], pred[1])
    return 0.5 * values_agreement(ref[1], pred[1])


def tool_verdict(ref_calls: Sequence[tuple[str, dict]], pred_calls: Sequence[tuple[str, dict]]) -> float:
    """The tool-call verdict (see the module docstring's first table)."""
    if not ref_calls:
        return 1.0 if not pred_calls else 0.5
    if not pred_calls:
        return 0.0
    unused = list(pred_calls)
    total = 0.0
    for ref in ref_calls:
        if not unused:
            break
        # a call of the same tool scores at least 0.5, another tool at most 0.5: try the same first
        same = [i for i, p in enumerate(unused) if norm_key(p[0]) == norm_key(ref[0])]
        candidates = same or range(len(unused))
        scores = {i: call_agreement(ref, unused[i]) for i in candidates}
        best = max(scores, key=scores.__getitem__)
        total += scores[best]
        unused.pop(best)
    verdict = snap(total / len(ref_calls), full=0.875, half=0.375)
    return min(verdict, 0.5) if unused else verdict


# ---- text ---------------------------------------------------------------------------------------

def proper_nouns(text: str) -> set[str]:
    """Normalised capitalised words that do not open a sentence (names of people, places...)."""
    if not text.isascii():
        return _proper_nouns_unicode(text)
    out: set[str] = set()
    sentence_start = True
    for tok in text.encode().translate(_CASE_TABLE).split():
        if not sentence_start and 65 <= tok[0] <= 90:  # A-Z
            raw = tok.rstrip(b".!?").lower()
            word = _CONTENT.get(raw)
            out.add(_content(raw) if word is None else word)
        sentence_start = tok[-1] in _SENTENCE_ENDS
    out.discard("")
    return out


def _proper_nouns_unicode(text: str) -> set[str]:
    out: set[str] = set()
    for m in _LETTER_WORD.finditer(text):
        if not m.group()[0].isupper():
            continue
        before = text[: m.start()].rstrip(_OPENERS)
        if before and before[-1] not in ".!?":
            out |= content_words(m.group().split("'")[0].split("’")[0])
    return out


def key_terms(reference: str, semantic_cue: str, ref_words: set[str]) -> set[str]:
    """Numbers, times, proper nouns and cue words of the reference: the facts it must get right."""
    keys = {w for w in ref_words if w[-1] in _DIGITS or w[0] in _DIGITS}  # numbers, times, dates
    keys |= proper_nouns(reference) & ref_words
    if semantic_cue:
        keys |= ref_words & content_words(semantic_cue)
    return keys


def text_verdict(reference: str, predicted: str, semantic_cue: str = "") -> float:
    """The text verdict (see the module docstring's last table)."""
    ref_words, pred_words = content_words(reference or ""), content_words(predicted or "")
    if not ref_words:
        return 1.0 if not pred_words else 0.5
    if not pred_words:
        return 0.0
    hit = covered(ref_words, pred_words)
    coverage = len(hit) / len(ref_words)
    if not hit:
        return 0.0  # no key term can be covered either
    if 0.25 <= coverage < 0.6:
        return 0.5  # the key terms cannot change it: not enough for 1, and the mean is >= 0.125 anyway
    keys = key_terms(reference, semantic_cue, ref_words)
    key_cov = len(keys & hit) / len(keys) if keys else coverage
    if coverage >= 0.6 and key_cov >= 0.5:
        return 1.0
    return 0.5 if (coverage + key_cov) / 2 >= 0.125 else 0.0


def clear_caches() -> None:
    """Forget the memoised stems, content words and dates (for benchmarks that must start cold)."""
    _STEMS.clear()
    _CONTENT.clear()
    _KEYS.clear()
    parse_when.cache_clear()


class HeuristicJudge:
    """The offline judge: `judge(items)` gives one Verdict per JudgeItem, with no I/O."""

    name = NAME
    calls = 0  # no model calls, ever

    def judge(self, items: Iterable[Any]) -> list[Verdict]:
        return [Verdict(tool_verdict(it.gt_tool_calls, it.pred_tool_calls),
                        text_verdict(it.gt_response, it.pred_response, it.semantic_cue), NAME)
                for it in items]

    async def ajudge(self, items: Iterable[Any]) -> list[Verdict]:
        return self.judge(items)

    def describe(self) -> dict[str, Any]:
        return {"judge": NAME, "model_calls": 0}
