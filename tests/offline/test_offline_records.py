"""Phrasing families, third set: records in layouts our builder never writes (a ledger as a list of app
records, a cow's treatments nested under the cow, a call sheet keyed by date, an allergy as a typed
health record, a date with separate "from"/"to" clocks), a record's state ("paid", "cancelled",
"delivered"), days said as an end ("finished on the fifth"), "Thursday the tenth", and values that
belong to something else than the record a sentence names (the speaker's own next step, when a thing
came, a shop's own hours, a value in another sentence). Exact words in.

Found on conversations written by other hands (the development sets and the spent held-out set 3);
every family here is tested with phrasings and records of our own."""

import datetime as dt

import pytest

from provoice_live.agents.offline.understanding.context import facts_from_context
from provoice_live.agents.offline.understanding.entities import extract
from provoice_live.agents.offline.understanding.fact_check import check
from provoice_live.agents.offline.understanding.instruction import parse_instruction
from provoice_live.agents.offline.understanding.mind import Mind
from support.offline_helpers import TOOLS, context, event, said

NOW = "2026-04-14 09:00"  # a Tuesday


def _ctx(apps: dict | list, now: str = NOW) -> dict:
    return {"app_states": apps, "datetime_info": {"current_datetime": now, "day_of_week": "Tuesday"}}


def _facts(apps, now: str = NOW):
    return facts_from_context(_ctx(apps, now))


def _check(line: str, apps, now: str = NOW, before: str = ""):
    return check(line, _facts(apps, now), dt.datetime.fromisoformat(now), before=before)


# ---- layouts: every record found, whatever its shape ----------------------------------------------------
LEDGER = [{"app": "Tally", "kind": "receivables", "records": [
    {"client": "Okafor Joinery", "invoice": "T-2231", "amount": "GBP 1,240.00", "due": "2026-04-30", "status": "unpaid"},
    {"client": "Bright Lane Cafe", "invoice": "T-2217", "amount": "GBP 310.00", "due": "2026-04-02", "status": "paid"}]},
    {"app": "Orders", "records": [{"item": "Standing desk", "order_no": "88-1120", "status": "shipped"},
                                  {"item": "Desk lamp", "order_no": "88-1121", "status": "delivered"}]},
    {"app": "Bookings", "records": [{"what": "Harbour boat tour", "when": "2026-04-18 10:00", "status": "confirmed"}]}]


def test_a_list_of_app_records_gives_each_app_its_own_name_and_untitled_rows_their_first_plain_words():
    by_title = {f.title: f for f in _facts(LEDGER)}
    assert {"Okafor Joinery", "Bright Lane Cafe", "Standing desk", "Desk lamp", "Harbour boat tour"} <= set(by_title)
    assert by_title["Okafor Joinery"].source == "Tally" and by_title["Okafor Joinery"].status == "unpaid"
    assert by_title["Okafor Joinery"].amounts == (1240.0,)
    assert by_title["Standing desk"].source == "Orders"


def test_nested_records_inherit_what_their_parent_is_about_and_a_date_of_birth_is_no_event():
    apps = {"Stable": {"yard": "Hill Farm", "horses": [
        {"name": "Pepper", "born": "2015-05-02", "treatments": [
            {"drug": "Bute", "given": "2026-04-10", "no_riding_until": "2026-04-17"}]}]}}
    facts = _facts(apps)
    treat = next(f for f in facts if "Bute" in f.title)
    assert "pepper" in treat.anchors and treat.end == dt.datetime(2026, 4, 17) and treat.start is None
    assert not any(f.start == dt.datetime(2015, 5, 2) for f in facts)


@pytest.mark.parametrize("apps, start", [
    ({"Rota": {"days": {"2026-04-16": {"crew": [{"role": "sound", "person": "me", "call": "07:15"}]}}}},
     dt.datetime(2026, 4, 16, 7, 15)),
    ({"Diary": [{"title": "Physio", "date": "2026-04-16", "from": "13:00", "to": "13:45"}]}, dt.datetime(2026, 4, 16, 13, 0)),
    ({"Diary": [{"title": "Physio", "day": "2026-04-16", "starts": "13:00"}]}, dt.datetime(2026, 4, 16, 13, 0)),
])
def test_a_bare_clock_is_on_the_day_its_key_or_its_record_gives(apps, start):
    timed = [f for f in _facts(apps) if f.has_time]
    assert [f.start for f in timed] == [start]


def test_a_records_clock_window_is_among_its_times():
    apps = {"Trips": [{"ship": "MV Solent", "embark_date": "2026-05-20", "boarding": "11:30-13:00", "all_aboard": "15:30"}]}
    f = _facts(apps)[0]
    assert f.start == dt.datetime(2026, 5, 20, 15, 30)
    assert {(t.hour, t.minute) for t in f.times} == {(11, 30), (13, 0)}
    assert _check("Boarding on the MV Solent is from half eleven.", apps) is None
    assert _check("Boarding on the MV Solent is at two.", apps) is not None


@pytest.mark.parametrize("record", [
    {"record_id": "h1", "type": "allergy", "detail": "Sesame - anaphylaxis"},
    {"category": "Allergy", "notes": "sesame (severe)"},
    {"kind": "allergies", "description": "Sesame seeds"},
])
def test_a_record_typed_as_an_allergy_is_a_standing_constraint(record):
    apps = {"Health": {"context": "", "state": {"entries": [record]}}}
    assert any("sesame" in c.lower() for f in _facts(apps) for c in f.constraints)
    c = _check("Ooh, I'll have the sesame bagel, please.", apps)
    assert c is not None and c.attribute in ("diet", "allergy")


# ---- a record's state -----------------------------------------------------------------------------------
@pytest.mark.parametrize("line, fires", [
    ("Okafor Joinery paid up on Friday, so cross them off.", True),
    ("Good news, Okafor Joinery have settled up.", True),
    ("Bright Lane Cafe still owe us for March.", True),
    ("Bright Lane Cafe came through last week.", False),   # agrees: paid
    ("Okafor Joinery haven't paid yet.", False),            # agrees: unpaid
    ("Has Okafor Joinery paid?", False),                     # a question says nothing
    ("If Okafor Joinery paid, we'd be fine.", False),        # a condition says nothing
    ("The standing desk arrived this morning.", True),       # the order is only shipped
    ("The desk lamp arrived yesterday.", False),
    ("The harbour boat tour got cancelled, by the way.", True),
])
def test_a_state_said_of_a_record_is_checked_against_its_status(line, fires):
    c = _check(line, LEDGER)
    assert (c is not None and c.attribute == "status") == fires, c


# ---- days said as an end; a day inside a span --------------------------------------------------------------
SPAN = {"Vet": [{"animal": "Pepper", "treatment": "box rest", "start": "2026-04-10", "until": "2026-04-20"}]}


@pytest.mark.parametrize("line, fires", [
    ("Pepper's box rest finished on the twelfth, so she can go out.", True),
    ("Pepper's box rest ends on the twentieth.", False),
    ("Pepper's box rest runs until the twentieth.", False),
    ("Pepper is on box rest today, so keep her in.", False),   # a day inside the span
])
def test_an_end_is_compared_with_the_records_end_and_a_day_inside_a_span_agrees(line, fires):
    assert (_check(line, SPAN) is not None) == fires


@pytest.mark.parametrize("text, date", [
    ("The scan isn't until Thursday the 23rd.", dt.date(2026, 4, 23)),
    ("It's on Friday the first, I think.", dt.date(2026, 5, 1)),
    ("We go on Monday the 20th.", dt.date(2026, 4, 20)),
])
def test_a_weekday_with_its_day_of_the_month_is_that_date(text, date):
    days = [m for m in extract(text, dt.datetime.fromisoformat(NOW)) if m.kind == "day"]
    assert [d.value.date for d in days] == [date]


def test_not_until_a_day_is_a_claim_of_that_day():
    apps = {"Calendar": {"events": [event("Boiler service - Gasfix", "2026-04-17 08:00", "2026-04-17 09:00", "Home"),
                                    event("Pub quiz", "2026-04-18 20:00", "2026-04-18 22:00", "The Crown car park")]}}
    c = _check("The boiler man's coming for the service, but that's not until Monday morning, so no rush.", apps)
    assert c is not None and "Friday" in c.response


# ---- values that belong to something else -------------------------------------------------------------------
BBQ = {"Calendar": {"events": [event("Barbecue at Dev's", "2026-04-18 14:00", "2026-04-18 19:00", "Dev's garden")]}}
BILLS = {"Notes": {"notes": [{"title": "Bills", "content": "Water bill 86.40, due May 3rd."}]}}


@pytest.mark.parametrize("line, apps", [
    ("Can't wait for the barbecue, I'll just pick up the charcoal on Friday.", BBQ),
    ("Looking forward to the barbecue. We'll grab the burgers on Thursday then.", BBQ),
    ("Yeah, the water bill came on Friday.", BILLS),
    ("The water bill arrived on Monday, I'll pay it later.", BILLS),
])
def test_the_speakers_own_next_step_and_when_a_thing_came_are_not_the_records_day(line, apps):
    assert _check(line, apps) is None


def test_a_clause_about_a_place_of_its_own_is_not_about_the_record_the_sentence_names():
    apps = {"Family": [{"activity": "swimming", "where": "Lakeside pool", "time": "16:30"}]}
    assert _check("The chemist on Market Street shuts at six, so we've got time after swimming.", apps) is None
    assert _check("Swimming is at five today, right after school.", apps) is not None


def test_a_value_in_one_sentence_is_not_about_a_record_named_in_another():
    apps = {"Calendar": {"events": [event("Supplier call", "2026-04-16 13:00", "2026-04-16 14:30")]}}
    assert _check("Thursday at three works, yeah. I've got the supplier call after lunch but it's done before three.",
                  apps) is None
    assert _check("The supplier call is at three on Thursday.", apps) is not None


def test_before_a_time_agrees_with_a_record_that_ends_by_then():
    apps = {"Calendar": {"events": [event("Supplier call", "2026-04-16 13:00", "2026-04-16 14:30")]}}
    assert _check("The supplier call is done before three.", apps) is None
    assert _check("The supplier call is over before two.", apps) is not None


def test_a_bare_weekday_said_of_a_trip_months_away_is_its_weekday():
    apps = {"Trips": [{"hotel": "Quayside Inn", "checkin": "2026-07-11"}]}  # a Saturday, months ahead
    assert _check("We drive down on the Saturday and stay at the Quayside Inn.", apps) is None
    assert _check("We drive down on the Friday and stay at the Quayside Inn.", apps) is not None


# ---- requests -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("request_, kind", [
    ("If there's any thunder, tell me straight away, we have to get off the roof.", "sound"),
    ("If there's any rain tomorrow, let me know so I can move the party.", "topic"),
    ("Tell me if there's any snow on Saturday.", "topic"),
    ("If you hear any thunder, shout.", "sound"),
])
def test_any_weather_is_a_sound_unless_a_later_day_makes_it_a_forecast(request_, kind):
    w = parse_instruction(request_)
    assert w is not None and w.kind == kind


@pytest.mark.parametrize("withdrawal", [
    "Actually, scrap that thing about the minibus, I've sorted it.",
    "Forget the bit about the minibus, Jo's driving.",
    "Ignore that request about the minibus.",
])
def test_the_request_taken_back_by_what_it_was_about(withdrawal):
    request_ = "Let me know if anyone mentions the minibus for Saturday, I need to know who's driving."
    assert said(request_, ["Morning.", withdrawal, "The minibus leaves at eight from the clubhouse."]) == []
    assert [d.rule for d in said(request_, ["Morning.", "The minibus leaves at eight from the clubhouse."])] == ["topic"]


@pytest.mark.parametrize("line, pair", [
    ("I've got 200 euros. No idea what that is in Japanese yen.", "EUR in JPY"),
    ("I have 5000 rupees left, no clue what that is in Australian dollars.", "INR in AUD"),
])
def test_a_currency_named_with_its_country_is_a_conversion(line, pair):
    m = Mind(None, context(), TOOLS)
    d = m.hear_then_pause(line)
    assert d is not None and d.tool_calls[0].name == "financial_query" and pair in d.tool_calls[0].arguments["target"]


# ---- how a request's condition names its topic -------------------------------------------------------------
@pytest.mark.parametrize("request_, words", [
    ("Hey, when Coach Baker gives the warmup time for Sunday, let me know.", {"warmup"}),
    ("If anybody on the team says the printer's fixed, tell me, I've got forms to print.", {"printer", "fix"}),
    ("When they give us the door code for the flat, tell me what it is and save it in my notes.", {"door", "code"}),
    ("Let me know if anyone puts in an offer for my old bike.", {"offer", "bike"}),
    ("The moment they give a ticket number, note it down.", {"ticket", "number"}),
    ("If Priya recommends any podcasts while we talk, add them to my list.", {"podcast"}),
])
def test_the_condition_clause_after_its_verb_is_the_topic(request_, words):
    w = parse_instruction(request_)
    assert w is not None and w.kind == "topic", w
    assert words <= set(w.keywords), w.keywords
    assert not {"tell", "let", "know", "note"} & set(w.keywords)


@pytest.mark.parametrize("request_", [
    "If you hear my alarm, tell me what's next in my calendar.",
    "Can you tell me when the kettle boils? I'll be in the garden.",
])
def test_tell_me_what_or_when_is_the_action_not_the_topic(request_):
    w = parse_instruction(request_)
    assert w is not None and w.kind == "sound"


@pytest.mark.parametrize("line, fires", [
    ("The warmup's at nine fifteen on Sunday, don't be late.", True),
    ("We're doing a longer warmup this week, lots of stretching.", False),   # no time said
])
def test_a_request_for_a_time_waits_for_a_time(line, fires):
    request_ = "Hey, when Coach Baker gives the warmup time for Sunday, let me know."
    assert bool(said(request_, ["Right, listen up everyone.", line])) == fires


@pytest.mark.parametrize("line, fires", [
    ("Sam and Jo did a deal, Jo gets Sam's old bike for forty quid.", False),
    ("Someone asked whether your old bike's still for sale, they'd offer sixty.", True),
])
def test_my_thing_is_not_heard_in_someone_elses(line, fires):
    request_ = "Let me know if anyone puts in an offer for my old bike."
    assert bool(said(request_, ["Evening all.", line])) == fires


def test_a_day_in_the_topic_is_when_not_what():
    request_ = "Let me know if anyone says they can't drive on Thursday."
    assert said(request_, ["Morning.", "Are you sorting Thursday's rota swap?"]) == []


# ---- doses, bookings named by their place, a sentence that names the thing before its values ---------------------
MEDS = {"Health": [{"kind": "medication", "name": "Levothyroxine", "dose": "75 mcg", "schedule": "daily 06:30"},
                   {"kind": "medication", "name": "Sertraline", "dose": "50 mg"}]}


@pytest.mark.parametrize("line, fires", [
    ("Thyroxine, yeah. A hundred micrograms, every morning.", True),
    ("My levothyroxine is seventy-five micrograms, first thing.", False),
    ("The sertraline, I'm on 100 mg of it now.", True),
    ("Sertraline, fifty milligrams, same as always.", False),
])
def test_a_dose_said_is_compared_with_the_recorded_dose_in_one_unit(line, fires):
    c = _check(line, MEDS)
    assert (c is not None and c.attribute == "quantity") == fires, c


def test_a_booking_with_no_title_is_named_by_its_place():
    apps = {"Bookings": {"confirmed": [{"id": "BK-1", "place": "Loch Ness hostel", "check_in": "2026-04-24", "nights": 2}]}}
    assert [f.title for f in _facts(apps)] == ["Loch Ness hostel"]
    assert _check("We're in the hostel from the twenty-fifth, two nights.", apps) is not None
    assert _check("We're in the hostel from the twenty-fourth, two nights.", apps) is None


def test_a_value_sentence_is_not_about_a_thing_the_next_sentence_names():
    apps = {"Calendar": {"events": [event("Vet: ear check", "2026-04-14 11:00", "2026-04-14 11:30"),
                                    event("Rabies booster", "2026-04-22 10:00", "2026-04-22 10:30")]}}
    line = "Just her ear, she keeps scratching. And her rabies booster is due next Wednesday anyway."
    assert _check(line, apps) is None


# ---- records with nothing that names them but the list they are in ---------------------------------------------
@pytest.mark.parametrize("apps, title", [
    ({"Roster": {"crew": "Blue watch", "duties": [{"duty": "418", "date": "2026-04-15", "sign_on": "05:40",
                                                  "departs": "06:02", "bay": "D2"}]}}, "duty 418"),
    ({"Depot": {"rounds": [{"round": "R-7", "date": "2026-04-15", "starts": "06:02"}]}}, "round R-7"),
    ({"Kennels": {"context": "", "state": {"stays": [{"pen": "12", "date": "2026-04-15", "drop": "06:02"}]}}}, "stay 12"),
])
def test_an_untitled_record_is_named_by_its_list_and_checked(apps, title):
    """{"duties": [{"duty": "418", "date": ..., "departs": "06:02"}]}: no key names the record, and no plain
    words do; it was dropped. It is "duty 418" (its list's noun and its identifier), and its clocks are checked."""
    f = next(f for f in _facts(apps) if f.start)
    assert f.title == title and f.start == dt.datetime(2026, 4, 15, 6, 2)


def test_a_records_other_clocks_that_day_agree_and_its_end_still_is_no_start():
    apps = {"Roster": {"duties": [{"duty": "418", "date": "2026-04-15", "sign_on": "05:40", "departs": "06:02",
                                   "finish": "14:10"}]}}
    assert _check("Duty 418 tomorrow, signing on at twenty to six.", apps) is None  # its sign-on
    assert _check("Duty 418 tomorrow departs at two minutes past six.", apps) is None
    assert _check("Duty 418 tomorrow departs at half six.", apps) is not None
    assert _check("Duty 418 tomorrow departs at ten past two.", apps) is not None  # its finish is no start


@pytest.mark.parametrize("line, fires", [
    ("My lesson with Dev tomorrow, he's picking me up at the Tim Hortons on Bank Street.", True),
    ("My lesson with Dev tomorrow, he's picking me up at the Carlingwood Library.", False),
])
def test_a_pickup_point_is_the_records_place(line, fires):
    apps = {"DriveRight": {"lessons": [{"lesson_no": 7, "date": "2026-04-15", "start": "08:00",
                                        "pickup": "Carlingwood Library, Woodroffe Ave", "instructor": "Dev"}]}}
    c = _check(line, apps)
    assert (c is not None and c.attribute == "place") == fires, c


@pytest.mark.parametrize("line", [
    "I'm not back in till Sunday, so Thursday I'm all yours for the drinks.",
    "Thursday night I'm off work, so count me in.",
    "On Thursday we're all yours, just say when.",
])
def test_all_yours_and_off_work_say_free(line):
    apps = {"Rota": {"shifts": [{"title": "Night shift", "start": "2026-04-16 22:00", "end": "2026-04-17 06:00"}]}}
    c = _check(line, apps)
    assert c is not None and c.attribute == "availability", c


@pytest.mark.parametrize("apps, line", [
    ({"Mail": {"inbox": [{"from": "The Old Mill", "subject": "Booking confirmed: Saturday 18 April, 19:00, 2 guests",
                          "received": "2026-04-10 10:02"}]}}, "I booked the Old Mill for seven on Saturday, all confirmed."),
    ({"Email": {"events": [{"from": "Park & Lowe Solicitors", "subject": "Completion statement",
                            "received": "2026-04-13 15:10"}]}}, "The completion statement is in, so that's the weekend free."),
    ({"Photos": {"latest": [{"taken": "2026-04-13 17:42", "caption": "tide board"}]}}, "The tide board said high tide at twelve-forty today."),
])
def test_when_a_mail_came_or_a_photo_was_taken_is_not_when_its_subject_is(apps, line):
    assert _check(line, apps) is None


@pytest.mark.parametrize("line, fires", [
    ("Forty-two left for the matinee, mostly at the back, and the evening's down to nine.", False),
    ("The matinee on Saturday starts at half seven.", True),
])
def test_a_value_word_that_names_another_record_is_that_record(line, fires):
    apps = {"BoxOffice": [{"performance": "2026-04-18 14:30", "label": "matinee", "seats_left": 42},
                          {"performance": "2026-04-18 19:30", "label": "evening", "seats_left": 9}]}
    assert (_check(line, apps) is not None) == fires
