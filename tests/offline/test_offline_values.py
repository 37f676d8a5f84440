"""Values compared as values: clock times with and without am/pm, 24 h, ranges, amounts, currencies."""

import datetime as dt

import pytest

from provoice_live.agents.offline.understanding.entities import ClockTime, extract
from provoice_live.agents.offline.understanding.fact_check import check
from provoice_live.agents.offline.understanding.context import facts_from_context

NOW = dt.datetime(2025, 3, 12, 9, 15)


def times(s):
    return [m.value for m in extract(s, NOW) if m.kind == "time"]


def amounts(s):
    return [m.value for m in extract(s, NOW) if m.kind == "amount"]


@pytest.mark.parametrize("said, expected", [
    ("from 9 to 11", [ClockTime(9), ClockTime(11)]),
    ("from 9 am to 11 am", [ClockTime(9, 0, True), ClockTime(11, 0, True)]),
    ("between 2 and 4 pm", [ClockTime(14, 0, True), ClockTime(16, 0, True)]),
    ("9 to 11 am", [ClockTime(9, 0, True), ClockTime(11, 0, True)]),
    ("from 10:30 till 12", [ClockTime(10, 30), ClockTime(12)]),
])
def test_ranges_are_a_start_and_an_end(said, expected):
    assert times(said) == expected


@pytest.mark.parametrize("said, expected", [
    ("see you at half six", ClockTime(6, 30)),
    ("five past two in the morning", ClockTime(2, 5, True)),
    ("at 16:00", ClockTime(16, 0, True)),
    ("ten to eleven", ClockTime(10, 50)),
    ("at seven in the evening", ClockTime(19, 0, True)),
])
def test_clock_readings(said, expected):
    assert times(said) == [expected]


@pytest.mark.parametrize("said, expected", [
    ("sixty four pounds twenty", [64.2]), ("two hundred and twenty quid", [220.0]), ("240 zloty a night", [240.0]),
    ("twelve dollars and fifty cents", [12.5]), ("$1,200", [1200.0]), ("3k euros", [3000.0]),
])
def test_amounts_and_currencies(said, expected):
    assert amounts(said) == expected


def _offsite(start="2025-03-13 09:00", end="2025-03-13 11:00"):
    return facts_from_context({"app_states": {"Calendar": {"events": [
        {"title": "Team offsite", "start_datetime": start, "end_datetime": end}]}},
        "datetime_info": {"current_datetime": "2025-03-12 09:15"}})


@pytest.mark.parametrize("said", [
    "The team offsite is tomorrow from 9 to 11.", "The team offsite tomorrow is from 9 to 11, right?",
    "The team offsite is tomorrow from 9 AM to 11 AM.", "Team offsite tomorrow, nine till eleven.",
    "The team offsite starts at nine tomorrow.", "The team offsite is at 09:00 tomorrow.",
])
def test_agreeing_readings_are_silent(said):
    assert check(said, _offsite(), NOW) is None


@pytest.mark.parametrize("said, attribute", [
    ("The team offsite tomorrow runs from 10 till 12.", "time"),
    ("The team offsite is tomorrow at 9 in the evening.", "time"),
    ("The team offsite is on Friday at nine.", "day"),
    ("The team offsite is tomorrow at five.", "time"),
])
def test_disagreeing_values_are_contradictions(said, attribute):
    c = check(said, _offsite(), NOW)
    assert c is not None and c.attribute == attribute


def test_a_bare_hour_against_a_24h_stamp():
    facts = _offsite("2025-03-13 16:00", "2025-03-13 17:00")
    assert check("The team offsite is tomorrow at four.", facts, NOW) is None
    # 5 is its end: said as one it agrees; "at five" for an event of an hour or more is its start said wrong
    assert check("The team offsite tomorrow finishes at five.", facts, NOW) is None
    assert check("The team offsite is tomorrow at five.", facts, NOW).attribute == "time"
    assert check("The team offsite is tomorrow at six.", facts, NOW).attribute == "time"


def test_negated_and_hedged_statements():
    facts = _offsite()
    assert check("The team offsite isn't on Friday, it's tomorrow.", facts, NOW) is None
    assert check("I think the team offsite is on Friday, maybe.", facts, NOW).attribute == "day"
