"""Families of the ninth session: how long a thing lasts (a value of its own kind, compared with the
record's span); codes that tell places apart ("Lot C", "gate nine", "Terminal 5", "room two B"); a
weekday said with its date is that date; days said as a stretch; a trip not yet worked out; a
question not known ("no idea what time"), a sum of units to convert, an order already placed. Each
family in phrasings of our own."""

from __future__ import annotations

import pytest

from support.offline_helpers import CALENDAR_CTX, context, said
from provoice_live.agents.offline.understanding.entities import codes, codes_in, durations, extract
from provoice_live.agents.offline.understanding.text import analyse


@pytest.mark.parametrize("line,minutes,hedged", [
    ("Mika only blocked out an hour for me.", 60, False),
    ("It's a two-hour session.", 120, False),
    ("The class runs for ninety minutes.", 90, False),
    ("it only takes forty-five minutes", 45, False),
    ("we've got the room for an hour and a half", 90, False),
    ("about two and a half hours, I reckon", 150, True),
    ("a ninety-minute class", 90, False),
    ("three quarters of an hour", 45, False),
    ("1 hour and 20 minutes", 80, False),
    ("half an hour tops", 30, True),
    ("two hours or so", 120, True),
])
def test_a_length_said_in_many_ways(line, minutes, hedged):
    found = durations(analyse(line))
    assert [(m.value[0], m.value[1]) for m in found] == [(minutes, hedged)]


@pytest.mark.parametrize("line", [
    "it's a three-hour drive with the trailer",
    "an hour's drive back",
    "I got there an hour early",
    "the bus comes in an hour",
    "we waited an hour in the rain",
    "I practise two hours a day",
    "she spent ten minutes on the intro",
    "the train was forty minutes late",
])
def test_a_length_of_something_else_is_not_read(line):
    assert durations(analyse(line)) == []


@pytest.mark.parametrize("line,wrong", [
    ("The budget review only runs an hour this time, thank goodness.", True),  # 10:00-11:30
    ("The budget review is ninety minutes, so block the morning.", False),
    ("The yoga class is a two-hour session now, which is a lot.", True),  # 18:00-19:00
    ("The yoga class is an hour, same as always.", False),
    ("Dinner with Jonas should be about two hours.", False),
    ("The dentist check-up is forty-five minutes, apparently.", False),
    ("The dentist check-up takes two hours, can you believe it?", True),  # 15:30-16:15
])
def test_a_length_against_the_record(line, wrong):
    found = said(None, [line], CALENDAR_CTX)
    assert [d.rule for d in found] == (["contradiction"] if wrong else [])
    if wrong:
        assert found[0].evidence["attribute"] == "duration"


def test_a_length_is_of_the_thing_named_not_of_its_place():
    ctx = context(Calendar={"events": [{"title": "Team standup", "start": "2025-03-13 12:30", "end": "2025-03-13 14:00",
                                        "location": "Riverside Park"}]})
    assert said(None, ["I set a timer for the parking meter already, fifteen minutes."], ctx) == []
    assert [d.rule for d in said(None, ["The team standup is fifteen minutes, tops."], ctx)] == ["contradiction"]


SAVE_THE_DATE = context("2024-09-29 09:15", "Sunday", Messaging={"conversations": [{
    "title": "Ana", "participants": ["Ana", "User"], "messages": [
        {"sender": "Ana", "timestamp": "2024-09-20 10:00", "content": "Save the date! Saturday, October 26 in Copenhagen."}]}]})


@pytest.mark.parametrize("line,wrong", [
    ("The graduation is in Copenhagen on Saturday, October 26, so I need the Friday off.", False),
    ("Ana's thing is Saturday the 26th of October, in Copenhagen.", False),
    ("The graduation is in Copenhagen on Sunday, October 27, right?", True),
])
def test_a_weekday_said_with_its_date_is_that_date(line, wrong):
    assert [d.rule for d in said(None, [line], SAVE_THE_DATE)] == (["contradiction"] if wrong else [])


def test_the_weekday_before_a_date_is_not_a_day_of_its_own():
    days = [m for m in extract(analyse("on Saturday, October 26, and then"), None) if m.kind == "day"]
    assert [m.text for m in days] == ["october 26"]


@pytest.mark.parametrize("line,offered", [
    ("The wedding is in Barcelona in December, and I still haven't figured out how to get there.", True),
    ("My cousin's graduation is in Lisbon next month and we haven't sorted out getting there yet.", True),
    ("The wedding is in Barcelona in December, and I finally figured out how to get there.", False),
])
def test_a_trip_not_yet_worked_out(line, offered):
    found = said(None, [line])
    assert bool([d for d in found if d.rule == "intent" and d.tool_calls[0].name == "travel_search"]) == offered


@pytest.mark.parametrize("line,found", [
    ("We're parking in Lot E, it's the one for speakers.", [("lot", "e")]),
    ("This time it's gate nine on the ticket.", [("gate", "9")]),
    ("Mum's coming into Terminal 5, so we'll park there.", [("terminal", "5")]),
    ("We're in room two B and I'm in seat 14C.", [("room", "2b"), ("seat", "14c")]),
    ("Block A is closed for cleaning.", [("block", "a")]),
    ("Pull into bay B-12 and wait.", [("bay", "b12")]),
    ("Grab a table a few metres from the bar.", []),
    ("The bus 2 hours later was empty.", []),
    ("Which gate, I think it's on the board?", []),
])
def test_a_code_said(line, found):
    assert [m.value for m in codes(analyse(line))] == found


def test_the_codes_a_record_gives():
    assert codes_in("Speaker parking: Lot C (show permit at the barrier). Room 2B, 11:20-12:00") == \
        {"lot": {"c"}, "room": {"2b"}}
    assert codes_in("Delegates: Lots A and E are open from 07:30.") == {"lot": {"a", "e"}}
    assert codes_in("venue: Aviva Stadium entry: Gate 14 block: K seats: K-22, K-23") == \
        {"gate": {"14"}, "block": {"k"}, "seat": {"k22", "k23"}}


PARKING = context(Email={"emails": [
    {"subject": "Your speaker pack", "body": "Speaker parking: Lot C (show your permit at the barrier). Talk in Room 2B."},
    {"subject": "Delegate parking update", "body": "Delegates: Lots A and E are open from 07:30. Lot C is reserved."}]})


@pytest.mark.parametrize("line,wrong", [
    ("We're parking in Lot E, it's the one for speakers, then a short walk.", True),
    ("We're parking in Lot C, it's the one for speakers, then a short walk.", False),
    ("The delegates are parking in Lot E, we're with the speakers.", False),  # Lot E is the delegates'
])
def test_a_code_against_the_record_the_sentence_names(line, wrong):
    found = said(None, [line], PARKING)
    assert [d.rule for d in found] == (["contradiction"] if wrong else [])
    if wrong:
        assert found[0].evidence["attribute"] == "code" and "lot C" in found[0].text


FLIGHT_AND_PICKUP = context(
    Calendar={"events": [{"title": "Pick up Mum", "start": "2025-03-14 14:00", "end": "2025-03-14 15:30",
                          "location": "Heathrow"}]},
    Travel={"bookings": [{"flight": "SH 158", "from": "Dublin", "arrives": "2025-03-14 14:20",
                          "terminal": "2"}]})


@pytest.mark.parametrize("line,wrong", [
    ("It's straight from Dublin this time. Mum's coming into Terminal 5, so we'll park in the short stay.", True),
    ("It's straight from Dublin this time. Mum's coming into Terminal 2, so we'll park in the short stay.", False),
])
def test_a_code_the_named_record_lacks_is_checked_on_the_one_that_has_it(line, wrong):
    assert [d.rule for d in said(None, [line], FLIGHT_AND_PICKUP)] == (["contradiction"] if wrong else [])


VET_MESSAGE = context("2026-03-09 12:30", "Monday", Messages={"threads": [{"from": "Hollins Vets", "time": "2026-03-09 12:14",
    "text": "Reminder: Biscuit is booked for his annual booster on Thu 12 Mar at 09:40. "
            "Pepper's dental is on Thu 19 Mar, drop-off 14:00."}]})


@pytest.mark.parametrize("line,wrong", [
    ("I'll drop Pepper off for her dental on the twelfth at twenty to ten, on my way to work.", True),  # Biscuit's slot
    ("I'll drop Pepper off for her dental on the nineteenth at two, then go to work.", False),
    ("Biscuit's booster is on the twelfth at twenty to ten, so I'll work from home.", False),
    ("Biscuit's booster is on the nineteenth, so I'll work from home that day.", True),  # Pepper's day
])
def test_a_message_about_two_things_is_read_through_the_sentence_that_names_one(line, wrong):
    assert [d.rule for d in said(None, [line], VET_MESSAGE)] == (["contradiction"] if wrong else [])


@pytest.mark.parametrize("line,lo,hi", [
    ("The MOT's not due till the end of May.", "2026-05-21", "2026-05-31"),
    ("We'll go mid-June, once the kids break up.", "2026-06-10", "2026-06-20"),
    ("Can we do it early next week?", "2026-03-16", "2026-03-18"),
    ("He's paid up till the end of the year.", "2026-12-01", "2026-12-31"),
    ("It should land late April.", "2026-04-20", "2026-04-30"),
    ("Let's say the beginning of next month.", "2026-04-01", "2026-04-10"),
])
def test_a_stretch_of_days_said_vaguely(line, lo, hi):
    import datetime as dt

    days = [m.value for m in extract(analyse(line), dt.datetime(2026, 3, 11, 9, 0)) if m.kind == "day"]
    assert [(d.date.isoformat(), d.until.isoformat()) for d in days] == [(lo, hi)]


GARAGE = context("2026-03-11 09:00", "Wednesday", GarageMate={"vehicles": [
    {"model": "Skoda Octavia Estate", "reg": "KX19 LMT", "mot_due": "2026-04-03"}]})


@pytest.mark.parametrize("line,wrong", [
    ("The MOT's not due till the end of May, so there's no rush.", True),
    ("The MOT's due early next month, so I'll book it this week.", False),
    ("The MOT's due at the beginning of April, I'll book it now.", False),
])
def test_a_vague_date_against_the_record_its_key_names(line, wrong):
    assert [d.rule for d in said(None, [line], GARAGE)] == (["contradiction"] if wrong else [])


BIRTHDAYS = context("2026-03-11 09:00", "Wednesday",
                    Contacts={"people": [{"name": "Mum", "birthday": "1961-04-03"},
                                         {"name": "Callum", "birthday": "2016-04-30"}]},
                    Reminders={"items": [{"text": "Post Mum's card", "due": "2026-03-27"}]})


@pytest.mark.parametrize("line,wrong", [
    ("Mum's is the first one, early next month, so hers has to go in the post by Friday.", False),
    ("Callum's birthday is at the end of April, I'll do his card next week.", False),
    ("Callum's birthday is early next month, so his card goes first.", True),  # the 30th
])
def test_a_birthday_comes_round_each_year(line, wrong):
    assert [d.rule for d in said(None, [line], BIRTHDAYS)] == (["contradiction"] if wrong else [])


@pytest.mark.parametrize("line,tool", [
    ("I've got no idea what time the last ferry leaves from the island on Sunday.", "search"),
    ("No clue how many people that hall holds, to be honest.", "search"),
    ("I need to know what sixty-two and a half inches is in centimetres before I cut it.", "calculate"),
    ("No idea what three pints comes to in litres, and the recipe's all metric.", "calculate"),
])
def test_a_question_not_known_and_units_to_convert(line, tool):
    found = [d for d in said(None, [line]) if d.rule == "intent"]
    assert found and found[0].tool_calls[0].name == tool


@pytest.mark.parametrize("later", [
    "Wait, no, I did it. I placed the order on Friday, there's the confirmation.",
    "Oh hang on, I've done it already, it came up in my emails.",
    "Actually we put in the order last week, panic over.",
])
def test_an_order_placed_after_all_settles_the_need(later):
    assert said(None, ["Oh no, I need to order the new oars, that's been on my list for weeks.",
                       "The captain keeps asking about them.", later]) == []


PITCH = "If anybody mentions whether the pitch has dried out enough to play on, tell me."
CHARGE = "If the landlord says anything about a charge for the stained carpet, let me know."


@pytest.mark.parametrize("request_,line,heard", [
    (PITCH, "Me and the lads are pitching the tea tent by the scorebox.", False),
    (PITCH, "We'll pitch it on the gravel, well clear of the grass.", False),
    (PITCH, "Groundsman says the pitch is bone dry now, we're on at two.", True),
    (CHARGE, "My phone's dead, I need to charge it first.", False),
    (CHARGE, "They'll charge the car overnight at the hotel.", False),
    (CHARGE, "He mentioned a charge of eighty quid for the carpet.", True),
])
def test_the_request_s_noun_heard_only_as_a_verb_is_another_sense(request_, line, heard):
    assert [d.rule for d in said(request_, [line])] == (["topic"] if heard else [])


CREW = "Can you let me know when Coach posts this year's crew list for the regatta?"
NEWSLETTER = "Tell me if anyone mentions the next club newsletter."


@pytest.mark.parametrize("request_,line,heard", [
    (CREW, "Someone dug out the crew list from last year's regatta for the photo wall.", False),
    (CREW, "Last season's crew list is still pinned up in the boathouse, ha.", False),
    (CREW, "Coach just posted the crew list for the regatta, you're in the eight!", True),
    (CREW, "Last year's was a mess, but this year's crew list for the regatta is up now.", True),
    (NEWSLETTER, "The previous newsletter had a typo on every page.", False),
    (NEWSLETTER, "The next newsletter goes out on Friday, Jan says.", True),
])
def test_an_earlier_one_is_not_this_time_s(request_, line, heard):
    assert [d.rule for d in said(request_, [line])] == (["topic"] if heard else [])


PEANUT = context(Health={"profile": {"allergies": ["peanuts"]}})


@pytest.mark.parametrize("line,wrong", [
    ("No chance, that's peanuts. You get the satay if you want, I'll have the fries.", False),
    ("He'll have the peanut noodles, he loves them.", False),
    ("Go on then, I'll have the satay skewers, just the one.", True),
])
def test_food_someone_else_eats_is_not_the_user_s(line, wrong):
    assert [d.rule for d in said(None, [line], PEANUT)] == (["contradiction"] if wrong else [])


def test_a_food_offered_to_the_user_is_still_theirs_when_they_say_yes():
    assert [d.rule for d in said(None, ["Can you eat the satay? It's what I ordered.", "Sure, go for it."],
                                 PEANUT)] == ["contradiction"]
