"""Topic watch: after "let me know if anyone mentions dining plans", does this utterance mention it?

A mention is scored over the watch's lexical fields (`lexicon.TOPIC_FIELDS`) and its own words:

| evidence (not under a negation)                          | weight |
|----------------------------------------------------------|--------|
| a strong term of a watched field ("restaurant", "brunch") | 1.0    |
| a word of the request itself ("dining", "Taipei")        | 1.0 when it belongs to a watched field or the watch has no field; else 0.5 |
| a weak term of a watched field ("pasta", "menu")         | 0.5 each (distinct) |

An utterance mentions the topic when the evidence reaches `THRESHOLD` (1.0): one strong term, or
two weaker pieces. Paraphrases meet through the fields; literal request words through the keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .instruction import Watch
from .lexicon import TOPIC_FIELDS
from .text import Text, lemma, tokens

THRESHOLD = 1.0
WEIGHTS = {"strong": 1.0, "keyword": 1.0, "keyword_off_field": 0.5, "weak": 0.5}
TIME_WORDS = frozenset({"weekend", "tonight", "today", "tomorrow", "week", "morning", "evening", "afternoon",
                        "night", "month", "year", "after", "before"})


@dataclass
class TopicHit:
    score: float
    terms: list[str]  # what was heard, as the table spells it


@lru_cache(maxsize=None)
def _field_terms(category: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    field = TOPIC_FIELDS[category]
    return {kind: tuple(tuple(lemma(w) for w in tokens(term)) for term in field[kind]) for kind in ("strong", "weak")}


def _field_lemmas(categories: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for c in categories:
        for kind in ("strong", "weak"):
            for term in _field_terms(c)[kind]:
                out.update(term)
    return out


def match(watch: Watch, t: Text) -> TopicHit | None:
    """Score one utterance against a topic watch; a hit when the evidence reaches THRESHOLD."""
    terms: list[str] = []
    score = 0.0
    seen: set[tuple[str, ...]] = set()
    for cat in watch.categories:
        for kind in ("strong", "weak"):
            for term in _field_terms(cat)[kind]:
                if term in seen or not t.has_phrase(term):
                    continue
                seen.add(term)
                score += WEIGHTS[kind]
                terms.append(" ".join(term))
    in_field = _field_lemmas(watch.categories)
    for kw in watch.keywords:
        if kw in TIME_WORDS or (kw,) in seen:
            continue
        if t.has_phrase((kw,)):
            seen.add((kw,))
            if not watch.categories:
                weight = WEIGHTS["keyword"]  # the request names only this: a name, a rare word
            elif kw in in_field and kw not in watch.names:
                weight = WEIGHTS["keyword"]
            else:
                weight = WEIGHTS["keyword_off_field"]
            score += weight
            terms.append(kw)
    return TopicHit(score, terms) if score >= THRESHOLD else None
