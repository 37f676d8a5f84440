"""Text normalisation shared by every rule: tokens, lemma-ish forms, number words, negation.

Whisper tiny.en writes numbers sometimes as digits ("3:30 PM") and sometimes as words ("three
thirty"), with curly quotes, dashes and the odd bracketed sound note ("[doorbell rings]"). The
rules never look at raw text: they look at `Text` (normalised string + tokens + lemmas), built once
per utterance by `analyse`.

`lemma` is a deliberately small stemmer (irregular table + suffix rules). It is not linguistics:
what matters is that the lexicon's terms and the heard words go through the same function, so
"booked", "bookings" and "book" meet at "book".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .lexicon import GENERIC_WORDS, IRREGULAR_LEMMAS, NEGATORS, STOPWORDS

# ---- number words -------------------------------------------------------------------------------

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
        "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "thirtieth": 30,
}
_NUMBER_WORDS = set(UNITS) | set(TENS) | set(SCALES) | set(ORDINALS) | {"a", "and"}
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def ordinal_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else _SUFFIX.get(n % 10, "th")


def _parse_run(words: list[str]) -> tuple[int, bool] | None:
    """Value of a run of number words ("one hundred and twenty", "twenty fourth"); (value, ordinal)."""
    total, current, ordinal, seen = 0, 0, False, False
    for i, w in enumerate(words):
        if w == "and" or (w == "a" and i + 1 < len(words) and words[i + 1] in SCALES):
            continue
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w in ORDINALS:
            current += ORDINALS[w]
            ordinal = True
        elif w in SCALES:
            current = max(current, 1) * SCALES[w]
            if SCALES[w] >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return (total + current, ordinal) if seen else None


def _split_runs(tokens: list[str]) -> list[list[str]]:
    """Group consecutive number words; "three thirty" and "twenty twenty" stay two numbers.

    A new number starts when a unit/teen follows a unit/teen, or a tens word follows anything but a
    scale (so clock readings "three thirty" and "seven fifteen" split as a person would read them).
    """
    runs: list[list[str]] = []
    for w in tokens:
        if runs and runs[-1]:
            prev = runs[-1][-1]
            starts_new = ((w in UNITS and prev in UNITS) or (w in TENS and prev not in SCALES and prev != "and")
                          or (w in UNITS and prev in ORDINALS) or (w in ORDINALS and prev in ORDINALS)
                          or (w in TENS and prev in TENS))
            if not starts_new:
                runs[-1].append(w)
                continue
        runs.append([w])
    return runs


# letters are any alphabet's ("Renée", "Zoë", "café" are one word each, not "Ren é e")
_WORD_TOKEN = re.compile(r"\d+(?:[:.,]\d+)*(?:st|nd|rd|th|am|pm|s)?|[^\W\d_]+(?:['-][^\W\d_]+)*|[^\s\w]|_")
_MONTH_NAMES = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"}


def _is_number_word(tok: str) -> bool:
    return all(p in _NUMBER_WORDS for p in tok.lower().split("-"))


_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
                "seven": "7", "eight": "8", "nine": "9"}


def _spelled_code(tok: str) -> str | None:
    """A code spelled letter and digits with hyphens ("F-seven-five-zero" -> "f 750", as "F750" reads)."""
    parts = tok.lower().split("-")
    if len(parts) >= 2 and parts[0].isalpha() and len(parts[0]) == 1 and all(p in _DIGIT_WORDS for p in parts[1:]):
        return parts[0] + " " + "".join(_DIGIT_WORDS[p] for p in parts[1:])
    return None


def words_to_digits(text: str) -> str:
    """Replace spelled-out numbers with digits, token by token (spaces around punctuation).

    "twenty-four dollars" -> "24 dollars", "the twenty fourth" -> "the 24th", "three thirty" ->
    "3 30" (the time parser reads that), "a hundred" -> "100". A lone "first"/"second" stays a word
    unless a date needs it ("the first", "May second").
    """
    toks = _WORD_TOKEN.findall(text)
    out: list[str] = []
    i = 0
    while i < len(toks):
        w = toks[i].lower()
        code = _spelled_code(w) if "-" in w else None
        if code:
            out.append(code)
            i += 1
            continue
        starts = _is_number_word(w) and w not in ("a", "and") or (
            w == "a" and i + 1 < len(toks) and toks[i + 1].lower() in SCALES)
        if not starts:
            out.append(toks[i])
            i += 1
            continue
        j, run = i, []
        while j < len(toks) and _is_number_word(toks[j]):
            if toks[j].lower() == "and" and (not run or run[-1] not in SCALES):
                break  # "nine and eleven" is two numbers; "a hundred and twenty" is one
            run.extend(toks[j].lower().split("-"))
            j += 1
        while run and run[-1] in ("a", "and"):
            run.pop()
            j -= 1
        prev = out[-1].lower() if out else ""
        if run in (["first"], ["second"]) and prev != "the" and prev not in _MONTH_NAMES:
            out.append(toks[i])
            i += 1
            continue
        for sub in _split_runs(run):
            parsed = _parse_run(sub)
            if parsed is None:
                out.extend(sub)
            else:
                value, ordinal = parsed
                out.append(f"{value}{ordinal_suffix(value)}" if ordinal else str(value))
        i = j
    return " ".join(out)


# ---- normalisation and tokens -------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": " - ",
                         "\u2013": " - ", "\u2026": "..."})
_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*")


_AM_PM = re.compile(r"\b([AaPp])\.?\s?[Mm]\b\.?")


def clean(text: str) -> str:
    """Unify quotes and dashes, drop bracketed sound notes, "p.m." -> "pm", collapse spaces (case kept)."""
    text = _BRACKETED.sub(" ", text.translate(_QUOTES))
    text = _AM_PM.sub(lambda m: m.group(1).lower() + "m", text)
    return re.sub(r"\s+", " ", text).strip()


def sound_notes(text: str) -> list[str]:
    """The bracketed notes Whisper writes for non-speech ("[doorbell rings]" -> "doorbell rings")."""
    return [m.group(0)[1:-1].strip().lower() for m in _BRACKETED.finditer(text.translate(_QUOTES))]


WORD = r"[^\W_]+(?:['.:][^\W_]+)*"  # a word of the normalised text: letters of any alphabet, digits
_TOKEN = re.compile(WORD)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


@lru_cache(maxsize=20000)
def lemma(word: str) -> str:
    """A lemma-ish form: irregulars from the table, else strip common suffixes."""
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in IRREGULAR_LEMMAS:
        return IRREGULAR_LEMMAS[w]
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, repl, min_stem in _SUFFIX_RULES:
        if w.endswith(suffix) and len(w) - len(suffix) >= min_stem:
            stem = w[: len(w) - len(suffix)] + repl
            if suffix in ("ing", "ed"):
                if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                    stem = stem[:-1]  # "shopping" -> "shop", but "calling" -> "call"
                elif _short_cvc(stem):
                    stem += "e"  # "moving" -> "move", "dining" -> "dine", "baking" -> "bake"
            return stem
    return w


_VOWELS = set("aeiou")


def _short_cvc(stem: str) -> bool:
    """One syllable ending consonant-vowel-consonant (not w, x, y): the stem lost an "e"."""
    if len(stem) < 3 or stem[-1] in "wxy" or stem[-1] in _VOWELS or stem[-2] not in _VOWELS or stem[-3] in _VOWELS:
        return False
    syllables = sum(1 for a, b in zip(stem, stem[1:]) if a in _VOWELS and b not in _VOWELS)
    return syllables == 1


# (suffix, replacement, minimal stem length), first match wins
_SUFFIX_RULES: tuple[tuple[str, str, int], ...] = (
    ("ies", "y", 2), ("ied", "y", 2), ("ings", "", 3), ("ing", "", 3), ("ness", "", 3), ("ations", "ate", 3),
    ("ation", "ate", 3), ("sses", "ss", 1), ("ches", "ch", 1), ("shes", "sh", 1), ("xes", "x", 1),
    ("ed", "", 3), ("es", "e", 3), ("ss", "ss", 1), ("us", "us", 1), ("is", "is", 1), ("s", "", 3),
)


def lemmas(words: list[str]) -> list[str]:
    return [lemma(w) for w in words]


def is_content(word: str) -> bool:
    w = word.lower()
    return w not in STOPWORDS and lemma(w) not in GENERIC_WORDS and len(w) > 1 and not w.isdigit()


@dataclass
class Text:
    """One utterance, analysed once: `norm` is lower-case with digits for numbers."""

    raw: str
    norm: str
    words: list[str]
    lemmas: list[str]
    negated: list[bool] = field(default_factory=list)

    def lemma_set(self) -> set[str]:
        return set(self.lemmas)

    def has_phrase(self, phrase_lemmas: tuple[str, ...], allow_negated: bool = False) -> bool:
        """True if the lemma sequence occurs (and, unless allowed, not under a negation)."""
        n = len(phrase_lemmas)
        for i in range(len(self.lemmas) - n + 1):
            if tuple(self.lemmas[i:i + n]) == phrase_lemmas and (allow_negated or not self.negated[i]):
                return True
        return False


NEGATION_SCOPE = 4  # words after a negator that it covers ("not a proper dinner")
_PIECE = re.compile(WORD + r"|[,.;!?]")
_SCOPE_BREAK_WORDS = {"but", "though", "although", "however"}
_UNTIL = {"until", "till", "til"}


NOT_NEGATING_AFTER = frozenset({"idea", "clue", "sure", "know", "doubt", "wonder", "problem", "worries", "way",
                                "matter", "kidding", "joke", "longer", "one", "wait", "stop", "until", "till",
                                "til", "before"})  # "isn't until ten" says when it is  # "no idea who'll..."


def _negation_marks(norm: str) -> list[bool]:
    """For each token of `norm`: is it within a few words after a negator, in the same clause?
    ("no idea", "not sure", "don't know" express doubt, not a negated fact: they open no scope.)"""
    marks: list[bool] = []
    left = 0
    pieces = _PIECE.findall(norm)
    for i, piece in enumerate(pieces):
        if not piece[0].isalnum():
            left = 0
            continue
        if piece in _SCOPE_BREAK_WORDS or piece in _UNTIL:  # "isn't due until Sunday" says when it is
            left = 0
            marks.append(False)
        elif piece in NEGATORS or piece.endswith("n't"):
            following = pieces[i + 1] if i + 1 < len(pieces) else ""
            left = 0 if following in NOT_NEGATING_AFTER else NEGATION_SCOPE
            marks.append(False)
        else:
            marks.append(left > 0)
            left = max(0, left - 1)
    return marks


# hesitations of transcribed speech ("on the um the twenty-first", "at, uh, half five"): no words of what is said
FILLERS = re.compile(r"(?:,\s*)?\b(?:um+|uh+|uhm+|erm+|er|hmm+|mm+)\b,?", re.IGNORECASE)
RESTARTED = re.compile(r"\b(the|a|an|on|at|in|to|by|for|my|our|it's|is) \1\b", re.IGNORECASE)  # "on the the 21st"


def normalise(raw: str) -> str:
    """The text the word tables read: cleaned, numbers as digits, lower case."""
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", words_to_digits(clean(raw)).lower())  # 1,200 -> 1200


def analyse(raw: str) -> Text:
    if FILLERS.search(raw) or RESTARTED.search(raw):  # the raw text too: names and places are read from it by position
        raw = RESTARTED.sub(r"\1", re.sub(r"\s+", " ", FILLERS.sub("", raw))).strip()
    norm = normalise(raw)
    words = tokens(norm)
    t = Text(raw=raw, norm=norm, words=words, lemmas=lemmas(words))
    t.negated = _negation_marks(norm)
    return t
