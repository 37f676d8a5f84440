"""The floor: a need or a contradiction said to the room waits for a pause, and what is said before
then may settle it (taken back, done already, taken on by the next voice, answered, put right).

Each family is written in several phrasings of our own; the lines are heard without a pause between
them and with one after the last (`said`)."""

from __future__ import annotations

import pytest

from support.offline_helpers import CALENDAR_CTX, TOOLS, said
from provoice_live.agents.offline.understanding.mind import Mind
from provoice_live.agents.offline.understanding.needs import met_after


def rules(lines, ctx=None):
    return [d.rule for d in said(None, lines, ctx)]


# ---- needs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "Somebody should find me a recipe for all these courgettes, I have no idea what to make. I'm kidding, I've got loads of ideas.",
    "I was going to book us a taxi to the station for six tomorrow, but actually, forget it, we'll walk.",
    "I need to book a taxi to the station for six tomorrow. Never mind, Sam's driving us.",
])
def test_a_need_taken_back_in_the_same_breath_is_not_offered(line):
    assert rules([line]) == []


@pytest.mark.parametrize("lines", [
    ["Is it going to rain in Leeds on Saturday? We've got the barbecue.", "I looked at the forecast this morning, dry all weekend."],
    ["I honestly don't know how much 340 euros is in dollars.", "About three seventy, I just checked on my phone."],
    ["I need to book a taxi to the station for six tomorrow.", "Leave it with me, I'll sort one out."],
    ["We should book a table at Casa Verde for Saturday.", "It's already booked, half seven."],
])
def test_a_need_the_next_voice_meets_is_not_offered(lines):
    assert rules(lines) == []


@pytest.mark.parametrize("lines", [
    ["Is it going to rain in Leeds on Saturday? We've got the barbecue.", "Good question, we've got forty people coming."],
    ["I honestly don't know how much 340 euros is in dollars.", "Hm, my sister would know."],
    ["I need to book a taxi to the station for six tomorrow.", "Six? That's early."],
])
def test_a_need_the_next_voice_leaves_open_is_offered_at_the_pause(lines):
    assert rules(lines) == ["intent"]


def test_the_speakers_own_plan_to_look_it_up_is_still_the_need():
    # "I'll have to look it up" is the need itself, not someone taking it on
    assert rules(["I honestly don't know how much 340 euros is in dollars, I'll have to look it up later."]) == ["intent"]


def test_a_need_waits_for_the_pause_and_is_said_once():
    m = Mind(None, None, TOOLS)
    assert m.hear("I need to book a taxi to the station for six tomorrow.") is None
    assert [d.rule for d in m.pending] == ["intent"]
    assert [d.rule for d in m.pause()] == ["intent"]
    assert m.pause() == [] and m.hear("Anyway, how was your weekend?") is None and m.pause() == []


# ---- contradictions ----------------------------------------------------------------------------

@pytest.mark.parametrize("lines", [
    ["My dentist check-up is on Thursday, right? Sorry, Friday, I mean Friday."],
    ["The budget review is at two tomorrow. No, hang on, ten, it's ten."],
    ["My dentist check-up is on Thursday, right?", "No, it's on Friday, the fourteenth."],
    ["The budget review is at two tomorrow.", "Isn't it at ten? They moved it to the morning."],
    ["Dinner with Jonas is at eight on Saturday.", "Half seven, actually, I saw the booking."],
])
def test_a_slip_put_right_before_the_pause_is_not_corrected(lines):
    assert rules(lines, CALENDAR_CTX) == []


@pytest.mark.parametrize("lines", [
    ["My dentist check-up is on Thursday, right?", "I think so, yeah."],
    ["The budget review is at two tomorrow.", "Right, I'll bring the slides."],
    ["Dinner with Jonas is at eight on Saturday.", "Lovely, Casa Verde does a great risotto."],
])
def test_a_slip_left_standing_is_corrected_at_the_pause(lines):
    assert rules(lines, CALENDAR_CTX) == ["contradiction"]


# ---- the settling families, one by one ---------------------------------------------------------

@pytest.mark.parametrize("rule,asked,later,next_turn,why", [
    ("recipe", False, "I'm only joking, he can bring what he likes.", False, "dropped"),
    ("taxi", False, "On second thoughts, we'll get the bus.", False, "dropped"),
    ("weather", True, "Nope, I checked ten minutes ago.", True, "done"),
    ("flight", False, "They've booked you on the Thursday flight already.", True, "done"),
    ("taxi", False, "I'll book it, don't worry.", True, "taken on"),
    ("calculate", True, "Forty-three twenty each.", True, "answered"),
    ("directions", True, "Take the second left after the church.", True, "answered"),
    ("weather", True, "Cloudy in the morning, showers after four.", True, "answered"),
    # not settled
    ("taxi", False, "I'll book it, don't worry.", False, None),  # the speaker's own plan: the need itself
    ("weather", False, "Cloudy in the morning, showers after four.", True, None),  # nothing was asked
    ("directions", True, "No idea, honestly.", True, None),
    ("recipe", False, "Don't forget it's Dad's birthday.", True, None),  # "forget it's" is no "forget it"
])
def test_met_after_families(rule, asked, later, next_turn, why):
    assert met_after(rule, asked, later, next_turn) == why
