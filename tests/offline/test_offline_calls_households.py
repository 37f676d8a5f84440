"""Phrasing families, thirteenth session: a code spelled letter by digit ("F-seven-five-zero"), a generic
word heading a compound ("a start date"), what someone is charging, a conversion into a qualified unit
("US gallons"), a thing to have booked, a share told rather than asked, a day said as a deadline for
something else ("the orders by tomorrow"), an order put down for oneself ("put me down for the prawn
cocktail"), the release's `key_events` read (and those that only point at a record by id left to it),
and a change denied by "nothing has moved". Exact words in.

The families were found on the spent sets heldout22 (calls) and heldout23 (family households); every case
here is our own phrasing."""

import datetime as dt

import pytest

from provoice_live.agents.offline.understanding.context import facts_from_context
from provoice_live.agents.offline.understanding.fact_check import check
from provoice_live.agents.offline.understanding.instruction import parse_instruction
from provoice_live.agents.offline.understanding.intent import detect
from provoice_live.agents.offline.understanding.text import analyse
from support.offline_helpers import TOOLS, context, said


def _topics(request_: str, *lines: str) -> list:
    return [d for d in said(request_, ["Right then.", *lines]) if d.rule == "topic"]


# ---- a code spelled letter and digits ------------------------------------------------------------------------------
@pytest.mark.parametrize("line, norm", [
    ("The module code is F-seven-five-zero.", "the module code is f 750 ."),  # as "F750" reads
    ("You're in room B-two, up the stairs.", "you're in room b 2 , up the stairs ."),
    ("Your seat's K-one-four.", "your seat's k 14 ."),
    ("No-one rang back.", "no-one rang back ."),  # a word, not a code
    ("That's a well-known spot.", "that's a well-known spot ."),
])
def test_a_code_spelled_letter_and_digits_is_read_as_one(line, norm):
    assert analyse(line).norm == norm


@pytest.mark.parametrize("request_, line, fires", [
    ("If they give me a course code on this call, write it down.",
     "The course code you'll want on the form is H-three-one-one.", True),
    ("If they give me a course code on this call, write it down.",
     "I'll look up the course code and email it over tonight.", False),
])
def test_a_spelled_code_is_the_number_asked_for(request_, line, fires):
    assert bool(_topics(request_, line)) == fires


# ---- a generic word heading a compound names the topic there -------------------------------------------------------
@pytest.mark.parametrize("request_, head", [
    ("If she gives me a start date for the Leeds contract, put it in the calendar.", "start"),
    ("Tell me if they say the finish time for the relay.", "finish"),
    ("When the agency says the end date of the placement, note it.", "end"),
])
def test_a_compound_head_is_a_keyword(request_, head):
    assert head in parse_instruction(request_).keywords


@pytest.mark.parametrize("line, fires", [
    ("You start on Monday the eighth of June at half eight, ask for Deb at reception.", True),
    ("They were really pleased with the interview, honestly.", False),
])
def test_the_start_said_with_a_day_is_the_start_date(line, fires):
    assert bool(_topics("If she gives me a start date for the Leeds contract, put it in the calendar.", line)) == fires


# ---- what someone is charging is an amount -------------------------------------------------------------------------
@pytest.mark.parametrize("request_, line, fires", [
    ("When Dana says what she's charging for the summer, put it in my notes.",
     "I wanted to talk about the summer now my classes have finished.", False),
    ("When Dana says what she's charging for the summer, put it in my notes.",
     "For the summer it'd be twenty-two an hour, Monday to Thursday.", True),
    ("If the tutor says what he charged the Bakers for the holidays, tell me.",
     "He did the Bakers over the holidays as well, the two boys.", False),
])
def test_what_someone_charges_waits_for_a_sum(request_, line, fires):
    assert bool(_topics(request_, line)) == fires


# ---- needs: a qualified unit, a thing to have booked, a share told -------------------------------------------------
@pytest.mark.parametrize("line, expression", [
    ("I need forty-eight thousand litres in US gallons for this pump.", "48000 litres to gallons"),
    ("I have to get twelve litres into imperial pints for the brewing kit.", "12 litres to pints"),
    ("I need that in litres, the eleven hundred and eighty gallons, to work out the hose.", "1180 gallons to litres"),
    ("I've got to have it in kilos, the hundred and ten lbs the vet said.", "110 lbs to kilos"),
])
def test_a_conversion_into_a_qualified_unit(line, expression):
    offer = detect(line, None, TOOLS)
    assert offer is not None and offer.rule == "units" and offer.arguments["expression"] == expression


@pytest.mark.parametrize("line, what", [
    ("I'll need a babysitter booked for Monday and Tuesday, there's nobody else.", "a babysitter"),
    ("We need a minibus booked for the away match on Saturday.", "a minibus"),
])
def test_a_thing_to_have_booked_is_a_booking(line, what):
    offer = detect(line, None, TOOLS)
    assert offer is not None and offer.rule == "booking" and offer.arguments["details"] == what


@pytest.mark.parametrize("line, offered", [
    ("Tuesday the nineteenth, quarter to seven, and it's twelve-fifty each for the match fee.", False),
    ("It comes to eight pounds each for the coach, bring cash.", False),
    ("The meal was ninety-six and there were eight of us, I can't do that in my head, what's each?", True),
])
def test_a_share_told_is_no_sum_to_work_out(line, offered):
    offer = detect(line, None, TOOLS)
    assert (offer is not None and offer.rule == "calculate") == offered


# ---- a day said as a deadline for something else -------------------------------------------------------------------
DINNER = context(now="2026-05-06 18:40", weekday="Wednesday",
                 Calendar={"events": [{"event_id": "k-4", "title": "Club dinner", "start_datetime": "2026-05-23 19:30",
                                       "location": "The Harbour Hotel"}], "key_events": []})


@pytest.mark.parametrize("line, contradicts", [
    ("The hotel wants the orders by tomorrow.", False),
    ("The hotel needs the numbers by Friday, so get them in.", False),
    ("The club dinner at the Harbour Hotel is tomorrow night.", True),
])
def test_a_deadline_for_something_else_is_not_the_events_day(line, contradicts):
    now = dt.datetime(2026, 5, 6, 18, 40)
    assert (check(line, facts_from_context(DINNER), now) is not None) == contradicts


# ---- an order put down for oneself is eating it ---------------------------------------------------------------------
@pytest.mark.parametrize("line, contradicts", [
    ("Put me down for the prawn cocktail and the salmon after.", True),
    ("Mark me down for the crab linguine, please.", True),
    ("Put me down for the goat's cheese tart and the chicken.", False),
    ("Put Ciara down for the prawn cocktail, she loves it.", False),
])
def test_an_order_put_down_for_oneself(line, contradicts):
    ctx = context(now="2026-04-22 20:15", weekday="Wednesday",
                  Health={"events": [], "key_events": [{"allergy": "shellfish (prawn, crab, lobster)",
                                                        "severity": "anaphylaxis"}]})
    c = check(line, facts_from_context(ctx), dt.datetime(2026, 4, 22, 20, 15))
    assert (c is not None and c.attribute == "diet") == contradicts


# ---- the release's key_events ---------------------------------------------------------------------------------------
def test_key_events_are_records_unless_they_point_at_one():
    ctx = context(now="2026-05-12 09:00", weekday="Tuesday",
                  Calendar={"events": [{"event_id": "ev-1", "title": "Doubles final", "start_datetime": "2026-05-16 10:00"}],
                            "key_events": [{"event_id": "ev-1", "note": "Final: be on court by 09:50"},
                                           {"allergy": "peanuts", "severity": "severe"}]})
    facts = facts_from_context(ctx)
    assert any("peanuts" in f.extra_text for f in facts)
    assert not any("09:50" in f.extra_text or "be on court" in f.title for f in facts)
    assert not any("key" in f.anchors for f in facts)  # the list's name is "events", not "key"


# ---- a change denied ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("line, fires", [
    ("No, nothing has moved, it's still four o'clock and they won't let us start earlier anyway.", False),
    ("Nothing's changed, it's four o'clock like it says on the card.", False),
    ("They've moved the start to three o'clock because of the football.", True),
])
def test_a_change_denied_is_no_change(line, fires):
    assert bool(_topics("If anybody says the start time for Saturday's party has changed, let me know.", line)) == fires


# ---- a weekday said in the plural is a day, not a place ------------------------------------------------------------
def test_a_weekday_in_the_plural_is_no_place():
    from provoice_live.agents.offline.understanding.entities import extract

    for line in ("What time does it start on Thursdays again?", "We only swim on Saturdays now."):
        kinds = [m.kind for m in extract(analyse(line), None)]
        assert "day" in kinds and "place" not in kinds


# ---- the need met: done the night before, already shipped ----------------------------------------------------------
@pytest.mark.parametrize("later, met", [
    ("Did it last night, they're coming tomorrow, sixty of them.", "done"),
    ("Already shipped, I got the email this morning.", "done"),
    ("They've just been dispatched, look.", "done"),
    ("Did it rain last night? The bins are soaked.", None),
    ("I should've sorted it earlier, but you know how it is.", None),  # a regret, not done
    ("It hasn't shipped yet, they're out of stock.", None),
])
def test_an_order_done_or_shipped_meets_the_need(later, met):
    from provoice_live.agents.offline.understanding.needs import met_after

    assert met_after("shopping", False, later, next_turn=True) == met


# ---- a midnight stamp is a date -------------------------------------------------------------------------------------
def test_a_midnight_stamp_is_a_date_not_a_time():
    ctx = context(now="2026-02-10 09:40", weekday="Tuesday",
                  Health={"events": [{"event_id": "h-1", "title": "Isla: chickenpox", "details": "spots from 2026-02-08",
                                      "start_datetime": "2026-02-08 00:00"}], "key_events": []},
                  Parties={"events": [{"event_id": "p-1", "title": "New Year party", "start_datetime": "2026-12-31 00:00",
                                       "end_datetime": "2026-12-31 02:00"}], "key_events": []})
    facts = {f.title: f for f in facts_from_context(ctx)}
    assert not facts["Isla: chickenpox"].has_time and facts["New Year party"].has_time
    now = dt.datetime(2026, 2, 10, 9, 40)
    assert check("Isla's chickenpox, so no more Calpol until ten past ten.", list(facts.values()), now) is None


# ---- a child named crying is the crying the request waits for -----------------------------------------------------
@pytest.mark.parametrize("request_", [
    "If Isla cries on the monitor, mute me and tell me. If it's just her little cough, ignore it.",
    "When Theo starts crying upstairs, pause the film.",
    "Tell me if the little one wakes up crying, I'll be in the garden.",
])
def test_a_child_named_crying_is_the_crying_watched_for(request_):
    w = parse_instruction(request_)
    assert w is not None and w.kind == "sound" and w.sound_class == "crying_baby"


# ---- a log's records are when things happened; a stretch meets a stretch ---------------------------------------------
def test_a_call_log_time_is_when_the_call_was():
    ctx = context(now="2026-08-13 10:45", weekday="Thursday")
    ctx["app_states"]["Call log"] = [{"number": "Kingsmead University clearing", "at": "2026-08-13 09:12",
                                      "duration": "00:11:40", "direction": "outgoing"}]
    now = dt.datetime(2026, 8, 13, 10, 45)
    assert check("I've just come off the phone with Kingsmead, they're ringing me back after eleven.",
                 facts_from_context(ctx), now) is None


@pytest.mark.parametrize("line, contradicts", [
    ("It's a cover and two spots, delivery at the end of June, which is fine.", False),
    ("It's a cover and two spots, delivery in late June.", False),
    ("It's a cover and two spots, delivery at the start of June, I think.", True),
])
def test_a_stretch_said_meets_a_stretch_written(line, contradicts):
    ctx = context(now="2026-04-08 15:15", weekday="Wednesday",
                  Inbox={"events": [{"from": "Harbourlight Press", "subject": "Cover illustration enquiry",
                                     "body": "Would you be available for a cover and two spot illustrations, delivery late June?"}],
                         "key_events": []})
    c = check(line, facts_from_context(ctx), dt.datetime(2026, 4, 8, 15, 15))
    assert (c is not None) == contradicts


@pytest.mark.parametrize("line, offered", [
    ("Dana, it's Luc from Northshore Snow. Sorry, I'm in the truck, can you hear me okay?", False),
    ("Hi, Greenway Rain Gardens here, not sure if you got our quote?", False),
    ("I'm not sure if it's going to snow tomorrow, and I've got the drive to Leeds.", True),
])
def test_a_weather_word_inside_a_company_name_is_no_weather(line, offered):
    offer = detect(line, None, TOOLS)
    assert (offer is not None and offer.rule == "weather") == offered


def test_more_of_the_ones_is_the_item_to_buy():
    offer = detect("We need to order more of the overnight ones or we're changing sheets at three again.", None, TOOLS)
    assert offer is not None and offer.rule == "shopping" and offer.arguments["content"] == "overnight ones"


def test_a_particle_names_no_record():
    ctx = context(now="2026-06-29 07:45", weekday="Monday",
                  School={"events": [{"event_id": "s-1", "title": "Sports Day (KS1 and KS2)", "start_datetime": "2026-07-03 13:15",
                                      "end_datetime": "2026-07-03 15:30"}], "key_events": []},
                  Calendar={"events": [{"event_id": "c-1", "title": "Gareth: afternoon off (sports day)",
                                        "start_datetime": "2026-07-03 12:00", "end_datetime": "2026-07-03 17:00"}], "key_events": []})
    now = dt.datetime(2026, 6, 29, 7, 45)
    assert check("Sports day's Friday the third, it kicks off at quarter past one.", facts_from_context(ctx), now) is None
