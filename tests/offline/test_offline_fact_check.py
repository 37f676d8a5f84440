"""Context fact checking: statements that contradict the digital context get the correction;
statements that agree with it (or talk about other things) stay silent."""

import pytest

from support.offline_helpers import CALENDAR_CTX, context, event
from provoice_live.agents.offline.understanding.entities import now_from_context
from provoice_live.agents.offline.understanding.fact_check import check, facts_from_context

FACTS = facts_from_context(CALENDAR_CTX)
NOW = now_from_context(CALENDAR_CTX)  # Wednesday 12 March 2025, 09:15


def test_facts_come_from_every_app():
    titles = {f.title for f in FACTS}
    assert {"Dentist check-up", "Quarterly budget review", "Dinner with Jonas", "Yoga class", "Car repair"} <= titles
    assert any(f.source == "Messaging" and f.days for f in FACTS)  # "lands Saturday at 6:40 pm"


@pytest.mark.parametrize("said, attribute, truth_part", [
    ("My dentist check-up is on Thursday, right?", "day", "Friday, March 14"),
    ("The dentist is at two thirty on Friday.", "time", "3:30 PM"),
    ("The budget review is tomorrow afternoon.", "part", "10 AM"),
    ("Dinner with Jonas is at Luigi's on Saturday.", "place", "Casa Verde"),
    ("The garage said the brakes would be about $250.", "amount", "420"),
    ("Mia's flight lands on Sunday evening.", "day", "saturday"),
    ("Yeah, I'm totally free tonight, let's do something.", "availability", "Yoga class"),
    ("I've got nothing on Friday afternoon, come over whenever.", "availability", "Dentist check-up"),
    ("The budget review with Priya and Sam is tomorrow at ten.", "person", "Priya Nair"),
])
def test_contradictions_are_caught_with_the_correction(said, attribute, truth_part):
    c = check(said, FACTS, NOW)
    assert c is not None and c.attribute == attribute, c
    assert truth_part.lower() in c.response.lower()
    assert c.response.startswith("Actually")


@pytest.mark.parametrize("said", [
    "My dentist check-up is on Friday at half past three.",
    "The budget review is tomorrow at 10, in room 4B.",
    "Dinner with Jonas is at Casa Verde on Saturday evening.",
    "I'm free tomorrow afternoon if you want to meet.",  # nothing then
    "Mia lands Saturday evening, I'll pick her up.",
    "The brakes will cost 420 dollars, ugh.",
    "I'm not free tonight, I have yoga.",
    "My sister's wedding is on Sunday at noon.",  # nothing in the context about it
    "It's gluten-free, don't worry.",
    "Are you free on Friday afternoon?",  # a question to someone else
])
def test_agreement_and_unrelated_talk_stay_silent(said):
    assert check(said, FACTS, NOW) is None


def test_relative_days_resolve_from_the_context_clock():
    ctx = context("2024-05-23 19:30", "Thursday", Calendar={"events": [
        event("Smartphone review meeting", "2024-05-24 10:00", "2024-05-24 11:30", "Downtown co-working space")]})
    facts, now = facts_from_context(ctx), now_from_context(ctx)
    assert check("I'm totally free tomorrow morning, let's grab coffee!", facts, now) is not None
    assert check("I'm free tomorrow evening, let's grab a drink!", facts, now) is None
    assert check("The smartphone review meeting is tomorrow at ten.", facts, now) is None
    assert check("The smartphone review meeting is on Saturday.", facts, now).attribute == "day"


def test_no_context_no_check():
    assert facts_from_context(None) == [] and check("The dentist is on Monday.", [], None) is None


def test_who_brings_what_against_the_message():
    ctx = context(Messaging={"conversations": [{"participants": ["Dana Reyes", "Me"], "messages": [
        {"sender": "Dana Reyes", "timestamp": "2025-03-11 18:00",
         "content": "For the picnic I'll bring the lemonade, can you bring the sandwiches?"}]}]})
    facts, now = facts_from_context(ctx), now_from_context(ctx)
    c = check("Don't worry about the sandwiches, Dana said she'd handle it.", facts, now)
    assert c is not None and c.attribute == "responsibility" and "lemonade" in c.response
    assert check("Dana is bringing the lemonade, so we're fine.", facts, now) is None


def test_allergies_and_medication_schedule_from_a_health_app():
    ctx = context(Health={"allergies": ["tree nuts"], "medications": [
        {"name": "ibuprofen", "dose": "200 mg", "schedule": "twice a day"}]})
    facts, now = facts_from_context(ctx), now_from_context(ctx)
    c = check("Honestly I'm not allergic to anything, pass the walnut cake.", facts, now)
    assert c is not None and "tree nuts" in c.response
    c = check("The nurse said ibuprofen four times a day.", facts, now)
    assert c is not None and c.attribute == "quantity" and "2 times a day" in c.response
    assert check("I take the ibuprofen twice a day with food.", facts, now) is None


def test_a_doubt_is_not_a_denial():
    # "isn't until ten" states the time; it is not a negated time
    c = check("Relax, the dentist check-up isn't until ten on Friday.", FACTS, NOW)
    assert c is not None and c.attribute == "time"


@pytest.mark.parametrize("said", [
    "Dinner with Jonas: twenty-one, twenty-two, twenty-three of us at the Old Mill",
    "Dinner with Jonas, about twenty-five quid, at the Old Mill",
    "Renée and Zoë said dinner with Jonas is at the Old Mill",
])
def test_a_place_after_numbers_or_accented_names_is_still_checked(said):
    c = check(said, FACTS, NOW)
    assert c is not None and c.attribute == "place" and "Casa Verde" in c.response
