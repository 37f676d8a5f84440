"""Standing diets and allergies: what a record rules out, and what an utterance is about to eat.

`forbidden_categories(text)` reads a note, record or profile ("Doctor says avoid red meat and dairy",
"allergies: peanuts", "Diet: vegan") into the diet categories it rules out (`lexicon.DIET_CATEGORIES`);
`foods_in(t)` finds the foods named in an utterance with their categories (`lexicon.FOOD_CATEGORIES`:
"beef lasagna" is red meat, dairy and gluten). `fact_check.check_diet` puts the two together when the
user is about to eat (`EATING`). Exact tables on purpose: a wrong "that has dairy" is worse than none.
"""

from __future__ import annotations

import re

from .text import Text, lemma, tokens

EATING = re.compile(r"\b(?:i'll|i will|i'm going to|i'm gonna|i am going to|let me|i'd like|i would like|can i|could i|"
                    r"i'm having|i am having|i'm getting|i'll just|i think i'll|i might|i'm eating|i'm ordering|"
                    r"pass me|give me|i want|i'm craving|i'll go for|i'll go with|i fancy|sign me up for)\s+"
                    r"(?:\w+\s+){0,3}?(?:have|grab|eat|take|order|try|get|go for|go with|some|a|an|the|bite|slice|"
                    r"piece|plate|bowl|portion|taste)\b|\b(?:i'll|i will) (?:have|grab|eat|take|order|try|get)\b|"
                    r"\byes(?:,)? please\b|\bsounds (?:delicious|great|good|lovely), (?:i'll|count me)|"
                    r"\b(?:load|dish|pile|fill|serve) me up\b|\bfill my plate\b|\b(?:save|keep|put aside|set aside) me (?:a|some)\b|"
                    # food fetched for the speaker ("just get me the regular garlic bread", "grab me a samosa")
                    r"\b(?:get|grab|order|bring|fetch) me (?:\w+\s+){0,2}?(?:a|an|the|some|one|two|a couple of)\b|"
                    # an order given for the speaker ("put me down for the prawn cocktail", "mark me down for the curry")
                    r"\b(?:put|mark|pencil|write) me (?:down )?for (?:the|a|an|some)\b")
DIET_RULE = re.compile(r"\b(?:avoid(?:ing)?|no|not|never|can't (?:eat|have)|cannot (?:eat|have)|don't eat|doesn't eat|"
                       r"stay away from|cut(?:ting)? out|off|free of|without|limit|allergic to|allergy to|allerg(?:y|ies)(?: list| items)?:?|"
                       r"intolerant to|intolerance:?|restrictions?:?|diet:?)\s+(?P<x>[a-z ,/&-]{2,80})")
_FOOD_TERMS = None


def _food_terms() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """FOOD_CATEGORIES as (lemma sequence, categories), longest first."""
    global _FOOD_TERMS
    if _FOOD_TERMS is None:
        from .lexicon import FOOD_CATEGORIES

        _FOOD_TERMS = sorted(((tuple(lemma(w) for w in tokens(k)), v) for k, v in FOOD_CATEGORIES.items()),
                             key=lambda kv: -len(kv[0]))
    return _FOOD_TERMS


EAT_VERBS = frozenset({"have", "grab", "eat", "take", "order", "try", "get", "having", "eating", "ordering", "getting",
                       "grabbing", "trying", "craving", "fancy", "want", "slice", "bite", "piece", "plate", "bowl",
                       "portion", "taste", "some", "please", "pass", "dollop", "helping", "serving", "spoonful", "scoop",
                       "plenty", "loads", "lots", "seconds", "extra"})
SKIP_WORDS = frozenset({"skip", "skipping", "avoid", "avoiding", "without", "instead", "no", "not", "minus", "hold",
                        "except", "than", "allergic", "can't", "cannot", "won't"})
EAT_REACH = 6  # tokens from the eating verb to the food
OTHER_EATERS = frozenset({"you", "you'll", "he", "he'll", "she", "she'll", "they", "they'll", "y'all", "yous"})


def foods_named(t: Text) -> list[str]:
    """Every food named, eaten or not ("there's mince in the cool box"), not under a negation."""
    lem = t.lemmas
    return [" ".join(term) for i in range(len(lem)) if not t.negated[i]
            for term, _cats in _food_terms() if tuple(lem[i:i + len(term)]) == term]


def foods_in(t: Text, offered: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """The foods the speaker is about to eat: named within a few words after an eating verb ("I'll grab
    a slice of your beef lasagna"), not after "skip", "without", "instead of" or under a negation."""
    eaten: list[tuple[str, tuple[str, ...]]] = []
    lem, words = t.lemmas, t.words
    for i in range(len(lem)):
        if t.negated[i]:
            continue
        for term, cats in _food_terms():
            if tuple(lem[i:i + len(term)]) != term:
                continue
            window = words[max(0, i - EAT_REACH):i]
            window = [("skip" if w == "pass" and k + 1 < len(window) and window[k + 1] == "on" else w)
                      for k, w in enumerate(window)]  # "pass on the prawns" (but "pass me the prawns")
            window = [("order" if w == "down" and k > 0 and window[k - 1] == "me" else w)
                      for k, w in enumerate(window)]  # "put me down for the prawn cocktail"
            verb = max((k for k, w in enumerate(window) if w in EAT_VERBS), default=None)
            if verb is not None and not offered and any(w in OTHER_EATERS for w in window[max(0, verb - 2):verb]):
                break  # "you get the satay if you want": someone else eats it (but "can you eat the prawns?" offers)
            if verb is not None and not any(w in SKIP_WORDS for w in window[verb:]) and \
                    not any(w in SKIP_WORDS for w in window[max(0, verb - 2):verb]):
                eaten.append((" ".join(words[i:i + len(term)]), cats))
            elif _portion_asked_after(words, i + len(term)):
                eaten.append((" ".join(words[i:i + len(term)]), cats))
            break
    return eaten


PORTION_ASKED = re.compile(r"^(?:save|keep|put aside|set aside|cut|wrap up|pack up) me (?:a|some|the|one|two|a bit)\b|"
                           r"^(?:i'll|i will|i'd) (?:have|take) (?:a|some) (?:slice|piece|bit|bite|taste)\b")


def _portion_asked_after(words: list[str], end: int) -> bool:
    """A food named and then asked for ("The walnut loaf sounds lovely, save me a big slice"): a portion
    asked for within a few words after it."""
    after = words[end: end + EAT_REACH + 4]
    return any(PORTION_ASKED.search(" ".join(after[k:])) for k in range(len(after)))


def forbidden_categories(text: str) -> dict[str, str]:
    """The diet categories a note, record or profile rules out -> the words that said so.
    "Doctor says avoid red meat and dairy" -> {red meat: "red meat", dairy: "dairy"}; "Diet: vegan" -> ..."""
    from .lexicon import DIET_CATEGORIES

    low = text.lower().replace("-free", " free")
    out: dict[str, str] = {}
    spans = [m.group("x") for m in DIET_RULE.finditer(low)]
    spans += [m.group(1) for m in re.finditer(r"\b([a-z]+) free\b", low)]  # "gluten-free"
    spans += [m.group(0) for m in re.finditer(r"\b(?:vegetarian|vegan|pescatarian|coeliac|celiac|halal|kosher|"
                                               r"lactose intolerant)\b", low)]
    for span in spans:
        span = re.split(r"[.;!?]|\b(?:for|until|because|since|but|except|apart from)\b", span)[0]
        for name, cats in sorted(DIET_CATEGORIES.items(), key=lambda kv: -len(kv[0])):
            if re.search(rf"\b{re.escape(name)}\b", span):
                for c in cats:
                    out.setdefault(c, name)
    return out



__all__ = ["EATING", "foods_in", "forbidden_categories"]
