"""The offline agent's text normalisation and entity extraction (numbers, times, days, amounts)."""

import datetime as dt

import pytest

from provoice_live.agents.offline.understanding.entities import ClockTime, extract
from provoice_live.agents.offline.understanding.text import analyse, lemma, words_to_digits

NOW = dt.datetime(2025, 3, 12, 9, 15)  # a Wednesday


@pytest.mark.parametrize("said, expected", [
    ("twenty-four dollars", "24 dollars"),
    ("one hundred and fifty people", "150 people"),
    ("a hundred bucks", "100 bucks"),
    ("the twenty fourth of May", "the 24th of May"),
    ("three thirty", "3 30"),
    ("wait a second", "wait a second"),  # a lone "second" stays a word
    ("May second", "May 2nd"),
])
def test_number_words_become_digits(said, expected):
    assert words_to_digits(said) == expected


def test_lemmas_meet_across_inflections():
    assert lemma("bookings") == lemma("booked") == lemma("book") == "book"
    assert lemma("restaurants") == "restaurant"
    assert lemma("shopping") == "shop" and lemma("calling") == "call"


def test_negation_scope_stops_at_clause_break():
    t = analyse("It was definitely not a proper dinner, but lunch was great.")
    marks = dict(zip(t.words, t.negated))
    assert marks["dinner"] is True and marks["lunch"] is False


def _values(text, kind):
    return [m.value for m in extract(text, NOW) if m.kind == kind and not m.negated]


@pytest.mark.parametrize("said, hour, minute, known", [
    ("see you at 3:30 PM", 15, 30, True),
    ("see you at three thirty p.m.", 15, 30, True),
    ("it starts at half past two", 2, 30, False),
    ("let's say quarter to five", 4, 45, False),
    ("the call is at noon", 12, 0, True),
    ("we meet at seven in the evening", 19, 0, True),
    ("around 14:15 I think", 14, 15, True),
])
def test_times_as_whisper_writes_them(said, hour, minute, known):
    (t,) = _values(said, "time")
    assert (t.hour, t.minute, t.ampm_known) == (hour, minute, known)


def test_bare_hour_matches_both_readings():
    t = ClockTime(3, 0, False)
    assert t.matches(dt.time(15, 0)) and t.matches(dt.time(3, 0)) and not t.matches(dt.time(16, 0))


def test_counts_are_not_times():
    assert _values("a table for 4 people", "time") == []
    assert _values("a table for 4 people", "quantity") == [(4, "people")]


@pytest.mark.parametrize("said, date", [
    ("tomorrow", dt.date(2025, 3, 13)),
    ("the day after tomorrow", dt.date(2025, 3, 14)),
    ("on Friday", dt.date(2025, 3, 14)),
    ("next Monday", dt.date(2025, 3, 17)),
    ("on March twentieth", dt.date(2025, 3, 20)),
    ("the 2nd of April", dt.date(2025, 4, 2)),
])
def test_days_resolve_against_now(said, date):
    days = _values(said, "day")
    assert days and days[0].date == date


def test_amounts_and_percentages():
    assert _values("it came to forty-five dollars", "amount") == [45.0]
    assert _values("that's $1,200 a month", "amount") == [1200.0]
    assert _values("a fifteen percent tip", "percent") == [15.0]


def test_negated_time_is_marked():
    ms = [m for m in extract("The meeting isn't at 3, it's at 4.", NOW) if m.kind == "time"]
    assert [(m.value.hour, m.negated) for m in ms] == [(3, True), (4, False)]


@pytest.mark.parametrize("said, whole", [
    ("Renée booked the Café Noir", ["renée", "café"]),
    ("Zoë's bringing crème brûlée", ["zoë's", "crème", "brûlée"]),
    ("Herr Müller called about the Straße", ["müller", "straße"]),
])
def test_words_of_any_alphabet_stay_whole(said, whole):
    t = analyse(said)
    assert all(w in t.words for w in whole), t.words
    assert len(t.negated) == len(t.words)  # the negation marks still line up with the words


@pytest.mark.parametrize("said, place, first_word", [
    ("We meet at twenty to seven at the Old Mill", "Old Mill", "old"),
    ("It's twenty-one pounds at Lidl", "Lidl", "lidl"),
    ("Twenty-one, twenty-two, twenty-three of us at the Old Mill", "Old Mill", "old"),
    ("Renée and Zoë are at the Café Noir", "Café Noir", "café"),
])
def test_a_named_place_points_at_its_own_word(said, place, first_word):
    """A capitalised place is found in the raw words, its position is that of the normalised words
    (numbers said in words are one word there): it pointed past the end and crashed the check."""
    t = analyse(said)
    m = next(m for m in extract(t) if m.kind == "place")
    assert m.value == place and t.words[m.index] == first_word


@pytest.mark.parametrize("said, hour, minute", [
    ("I'm on the forty-seven at twelve minutes past five.", 5, 12),
    ("The bus is at two minutes past six.", 6, 2),
    ("Doors at ten minutes to eight.", 7, 50),
])
def test_minutes_past_an_hour_are_a_clock_not_a_length(said, hour, minute):
    found = extract(said, NOW)
    assert not [m for m in found if m.kind == "duration"], found
    assert [(m.value.hour, m.value.minute) for m in found if m.kind == "time"] == [(hour, minute)]
