"""Phrasing families the offline agent must understand (several phrasings each), exact words in.

Each family is a way people say things that word tables written for our templates missed: a
mention repeating the request's words, a request with an aside inside it, a forecast asked for
(not a sound), diets and allergies against what is about to be eaten, ranges said with and without
am/pm. The semantic layer's own figures are in `test_offline_semantic.py`."""

import pytest

from provoice_live.agents.offline.understanding.instruction import parse_instruction, request_span
from provoice_live.agents.offline.understanding.mind import Mind
from support.offline_helpers import CALENDAR_CTX, TOOLS, context, said


# ---- a mention that repeats the request's own words is talk, not the request again -------------
PERMITS = "Let me know if anyone mentions the parking permits."


@pytest.mark.parametrize("mention", [
    "And the parking permits for next quarter will be handed out on Monday.",
    "Second, the parking permit's for next quarter are being handed out on Monday.",
    "The parking permits are ready, you can collect them at reception.",
    "Parking permits for next quarter will be handed out Monday.",
])
@pytest.mark.parametrize("heard_request", [True, False])
def test_a_mention_in_the_requests_words_fires(mention, heard_request):
    m = Mind(PERMITS, None, TOOLS)
    if heard_request:
        assert m.hear_then_pause(PERMITS) is None
    d = m.hear_then_pause(mention)
    assert d is not None and d.rule == "topic"


@pytest.mark.parametrize("echo", [PERMITS, "let me know if anyone mentions parking permits",
                                  "Let me know if anyone mentions the parking permits, please."])
def test_the_request_spoken_again_stays_silent(echo):
    m = Mind(PERMITS, None, TOOLS)
    assert m.hear_then_pause(echo) is None


# ---- the spoken request garbled by recognition, maybe run on into the next turn ---------------------
# (as tiny.en heard our builder's eSpeak voices in the far field: the condition clause is the part lost)
@pytest.mark.parametrize("request_, heard, then", [
    ("Listen in while I chat. Should anyone bring up upcoming trips, please make a note of it.",
     "Listen in while I chat. Shorten it wandering up upcoming trips. Please make a note of it.", None),
    ("Listen in while I chat. Should anyone bring up pet sitting, please put it in my calendar.",
     "Listen in white like chat. Showed anyone, bring up that sitting, please put it in my calendar.", None),
    ("Keep an ear out for friends getting sick. If you hear about it, suggest a get-well message.",
     "Keep a near route for friends getting sick. If you hear about it, suggest a get well message. "
     "Hey Maya, good to see you. How's everything?", "Hey Maya, good to see you."),
    ("Monitor my conversation for trips or flights and when you hear it, make a note of it.",
     "monitor my conversation for trips or flights and when you hear it make a note of it so tell me "
     "everything how have you been", "so tell me everything"),
])
def test_a_garbled_spoken_request_is_not_a_mention(request_, heard, then):
    m = Mind(request_, None, TOOLS)
    assert m.hear_then_pause(heard) is None
    assert m.heard_request
    before, after = request_span(heard, request_)
    assert before == "" and (after.startswith(then) if then else after == "")


@pytest.mark.parametrize("request_, mention", [
    ("Listen in while I chat. Should anyone bring up upcoming trips, please make a note of it.",
     "Guess what, I'm going to Chicago next month for a long weekend, it's one of my upcoming trips."),
    (PERMITS, "And the parking permits for next quarter will be handed out on Monday."),
])
def test_after_a_garbled_request_a_mention_still_fires(request_, mention):
    assert request_span(mention, request_) is None  # a few of the request's words are no request
    m = Mind(request_, None, TOOLS)
    m.hear_then_pause("Hey, sorry I'm late. What's new with you?")
    d = m.hear_then_pause(mention)
    assert d is not None and d.rule == "topic"


# ---- a request with an aside inside it ------------------------------------------------------------
@pytest.mark.parametrize("request_, topic, mention", [
    ("Let me know, and this is really important because I always forget, if anyone mentions the school trip.",
     "school trip", "The school trip is on Friday, the kids need packed lunches."),
    ("If anyone, and I mean anyone, brings up the quarterly budget, tell me.",
     "quarterly budget", "The quarterly budget got cut by ten percent."),
    ("Tell me, because it matters for the move, if the landlord mentions the deposit.",
     "deposit", "The landlord says the deposit comes back next week."),
])
def test_a_request_with_an_aside(request_, topic, mention):
    w = parse_instruction(request_)
    assert w is not None and w.kind == "topic" and topic in w.target
    assert w.action == ""  # "let me know" is the watch's own announcement, not a message to send
    ds = said(request_, [mention])
    assert [d.rule for d in ds] == ["topic"]


# ---- a forecast asked for is not a sound watch ------------------------------------------------------
@pytest.mark.parametrize("request_", [
    "Alert me if it's going to rain.", "alert me if it's going to rain so I can bring the washing in",
    "Tell me if there's any chance of thunder tonight, I want to cancel the barbecue.",
    "Let me know if it looks like rain later.", "Warn me if it's supposed to snow tomorrow.",
])
def test_a_forecast_is_a_topic(request_):
    w = parse_instruction(request_)
    assert w is not None and w.kind == "topic" and w.target in ("rain", "thunder", "snow")


@pytest.mark.parametrize("request_, sound", [
    ("If you hear rain on the roof, tell me.", "rain"), ("If it starts raining, remind me to close the windows.", "rain"),
    ("When you hear thunder, unplug the TV for me.", "thunderstorm"),
])
def test_a_heard_weather_sound_stays_a_sound(request_, sound):
    w = parse_instruction(request_)
    assert w is not None and w.kind == "sound" and w.sound_class == sound


# ---- diets and allergies against what is about to be eaten ----------------------------------------
DIET_NOTE = context(Notes={"notes": [{"title": "Diet", "content": "Doctor says avoid red meat and dairy for now."}]})
ALLERGIES = context(Health={"state": {"allergies": ["peanuts", "shellfish"], "conditions": ["mild asthma"]}})


@pytest.mark.parametrize("ctx, line", [
    (DIET_NOTE, "I'll grab a slice of your beef lasagna, thanks."),
    (DIET_NOTE, "Ooh, I'll have the cheeseburger."),
    (DIET_NOTE, "Can I get a latte to go?"),
    (ALLERGIES, "I'll order the pad thai with prawns."),
    (ALLERGIES, "Pass me a peanut butter cookie, would you?"),
    (ALLERGIES, "Yes please, I'll try the satay skewers."),
])
def test_eating_what_a_diet_rules_out_is_flagged(ctx, line):
    ds = said(None, [line], ctx)
    assert len(ds) == 1 and ds[0].rule == "contradiction" and ds[0].evidence["attribute"] == "diet"


@pytest.mark.parametrize("ctx, line", [
    (DIET_NOTE, "I'll have the grilled vegetables, no cheese."),
    (DIET_NOTE, "I won't have the beef, thanks."),
    (DIET_NOTE, "My brother loves beef lasagna."),
    (ALLERGIES, "Honestly, I can't have shellfish, so I'll skip the shrimp pasta."),
    (ALLERGIES, "I'll have the salad instead of the prawn cocktail."),
    (ALLERGIES, "I'll take the chicken salad."),
])
def test_what_a_diet_allows_or_avoids_is_silent(ctx, line):
    assert said(None, [line], ctx) == []


# ---- a range said with or without am/pm -------------------------------------------------------------
OFFSITE = context(Calendar={"events": [{"title": "Team offsite", "start_datetime": "2025-03-13 09:00",
                                        "end_datetime": "2025-03-13 11:00"}]})


@pytest.mark.parametrize("line", [
    "The team offsite tomorrow is from 9 to 11, right?", "The team offsite is tomorrow from nine to eleven.",
    "Team offsite tomorrow, 9 AM to 11 AM.", "The team offsite runs between nine and eleven tomorrow.",
])
def test_a_range_agreeing_with_the_calendar_is_silent(line):
    assert said(None, [line], OFFSITE) == []


@pytest.mark.parametrize("line", [
    "The team offsite tomorrow runs from 10 till 12.", "The team offsite is tomorrow from 2 to 4 pm.",
    "The team offsite is on Friday from nine to eleven.",
])
def test_a_range_disagreeing_is_a_contradiction(line):
    ds = said(None, [line], OFFSITE)
    assert [d.rule for d in ds] == ["contradiction"]


# ---- the request garbled by recognition is still the request ----------------------------------------
@pytest.mark.parametrize("request_, heard", [
    ("Hey, I'm about to talk with Rosa. If the talk turns to plans to eat out, book a table for us.",
     "Hey, I'm an out-to-talk with Rosa. If the talk turns to plans to eat out, we'll cut a bill for us. "
     "I Rosa, sorry I'm late. What's new?"),
    ("From now on, whenever someone talks about news about Leo, remind me to call Leo back.",
     "From how long, when in return one talk sent out to an outlier, remind me to call Leo Meg."),
])
def test_a_garbled_request_is_not_a_mention(request_, heard):
    assert Mind(request_, None, TOOLS).hear_then_pause(heard) is None


# ---- needs said without a request verb: background sound wished for, a time agreed, food in doubt ----
@pytest.mark.parametrize("line, content", [
    ("This would be so much nicer with some calm piano music on in the background.", "calm piano music"),
    ("I can't concentrate in this silence. Putting on rain sounds would help.", "rain sounds"),
    ("It's way too quiet in here, I could really use a lo-fi study playlist while I work.", "lo-fi study playlist"),
    ("Honestly, a bit of jazz on in the background would make this spreadsheet bearable.", "jazz"),
    ("It's dead quiet in this flat, playing some white noise would help me sleep.", "white noise"),
])
def test_background_sound_wished_for_is_played(line, content):
    ds = said(None, [line], CALENDAR_CTX)
    assert [d.tool_calls[0].name for d in ds] == ["play_media"]
    assert ds[0].tool_calls[0].arguments["content"] == content


@pytest.mark.parametrize("line", [
    "This Thursday at five PM works for me. I just hope I remember, to be honest.",
    "Fine, on the 14th, 9:30 AM, the garden design. Let's do it.",
    "Friday at half past two suits me, see you then.",
    "Okay, tomorrow at 11 is fine for me.",
])
def test_a_meeting_agreed_at_a_time_goes_in_the_calendar(line):
    ds = said(None, [line], CALENDAR_CTX)
    assert [d.tool_calls[0].name for d in ds] == ["calendar_event"]
    assert ds[0].tool_calls[0].arguments["action"] == "create"


@pytest.mark.parametrize("line", [
    "Yeah, I'm totally free Saturday afternoon, let's do it!",  # free on a day: no appointment yet
    "That works for me, whatever you prefer.",  # no time at all
    "Let's do it, I've wanted to try climbing for ages.",
])
def test_agreeing_without_a_time_books_nothing(line):
    assert [d for d in said(None, [line], CALENDAR_CTX) if d.tool_calls and d.tool_calls[0].name == "calendar_event"] == []


@pytest.mark.parametrize("line, item", [
    ("Is oat milk actually good for you? Like, what's the protein content even?", "oat milk"),
    ("Are granola bars really healthy?", "granola bars"),
    ("I keep eating brown rice but I've honestly got no idea about the carbohydrates.", "brown rice"),
    ("I've been drinking green tea every day, but how much caffeine is in it?", "green tea"),
])
def test_a_doubt_about_a_food_is_looked_up(line, item):
    ds = said(None, [line], CALENDAR_CTX)
    assert [d.tool_calls[0].name for d in ds] == ["search"]
    assert ds[0].tool_calls[0].arguments["query_item"] == item


# ---- a request for a change waits for a change said, not for the thing named ------------------------
@pytest.mark.parametrize("request_", ["Let me know if any deadlines get moved.",
                                      "Listen in while I chat. Should anyone bring up new due dates, please update my calendar.",
                                      "Keep an ear out for changes to project deadlines."])
@pytest.mark.parametrize("line, fires", [
    ("Oh, they pushed the website launch deadline back to Thursday, so we have more time.", True),
    ("Did you hear? The quarterly report is now due the 23rd, not this week.", True),
    ("Heads up, the grant deadline got extended by a week.", True),
    ("Go, they pushed the website long, deadline back to first, eh? So we have more time.", True),  # as tiny.en heard it
    ("My manager loves setting deadlines on Fridays.", False),
    ("Deadlines are always stressful around this time of year.", False),
    ("I hate deadlines, honestly.", False),
])
def test_a_change_asked_for_needs_a_change_said(request_, line, fires):
    ds = said(request_, ["How was your weekend?", line])
    assert bool(ds) == fires


def test_a_new_thing_is_no_change_asked():
    ds = said("let me know if anybody says anything about the rowing club's new boat",
              ["Oh, the rowing club's new boat arrived, a proper carbon eight."])
    assert [d.rule for d in ds] == ["topic"]


@pytest.mark.parametrize("line", [
    "My top pick lately is Small Hours. Trust me on this one.",
    "Have you seen The Glass Orchard? Honestly, go, you'd love it.",
    "You have to check out Quiet Harbour, it's the best thing I've watched all year.",
])
def test_a_recommendation_said_as_praise_is_one(line):
    ds = said("When you hear any mention of recommendations for shows, books or films, add it to my list.",
              ["How was your weekend?", line])
    assert [d.rule for d in ds] == ["topic"]


# ---- "isn't due until Sunday" says when it is; a weekday ending a sentence is no place -----------------
BILLS = context("2025-03-12 09:15", "Wednesday", Calendar={"events": [
    {"title": "Credit card bill due", "start_datetime": "2025-03-14 09:00", "end_datetime": "2025-03-14 09:30"}]})


@pytest.mark.parametrize("line, contradicts", [
    ("The credit card bill isn't due until Sunday, I've got time.", True),
    ("The credit card bill isn't due till Sunday.", True),
    ("The credit card bill is not due until this Friday, I've got time.", False),
    ("The credit card bill isn't due on Sunday.", False),  # a negated day claims nothing
])
def test_not_until_asserts_the_day(line, contradicts):
    ds = [d for d in said(None, [line], BILLS) if d.rule == "contradiction"]
    assert bool(ds) == contradicts


def test_a_weekday_at_a_sentence_end_is_no_place():
    import datetime as dt
    from provoice_live.agents.offline.understanding.entities import extract
    for line in ("My flight to Singapore leaves at 1 o'clock on Thursday.", "See you on Friday!", "It's on Monday, right?"):
        assert [m.value for m in extract(line, dt.datetime(2025, 1, 6, 9, 45)) if m.kind == "place"] in ([], ["Singapore"])


@pytest.mark.parametrize("line", ["I still need to check in online.", "I still need to pack, honestly."])
def test_a_task_still_to_do_is_nothing_to_buy(line):
    assert [d for d in said(None, [line], CALENDAR_CTX) if d.tool_calls and d.tool_calls[0].name == "shop"] == []


def test_a_thing_still_needed_is_still_bought():
    ds = said(None, ["I still need a new phone charger, mine broke."], CALENDAR_CTX)
    assert [d.tool_calls[0].name for d in ds] == ["shop"]
