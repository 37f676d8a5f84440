"""Families from the eighth session's development sets (dev8, dev9), each in phrasings of our own:
a request for an answer is not met by a question or by "not yet"; a clock said as "isn't until";
two records in one sentence joined by "and"; a day said to be free; the fear of forgetting said after
the thing; a class or a service to be booked; a doubt with an adverb in it."""

from __future__ import annotations

import pytest

from support.offline_helpers import CALENDAR_CTX, TOOLS, said
from provoice_live.agents.offline.understanding.mind import Mind


def rules(instruction, lines, ctx=None):
    return [d.rule for d in said(instruction, lines, ctx)]


CHAIR = "Let me know when they say who's going to chair the committee."
BINS = "Tell me if anyone says when the bins are being collected."
RAFFLE = "Tell me if anyone says how much the raffle raised."


@pytest.mark.parametrize("instruction,line", [
    (CHAIR, "Has anyone heard who's going to chair the committee?"),
    (CHAIR, "They still haven't decided who'll chair the committee, it's between Ravi and Sue."),
    (BINS, "When are the bins being collected this week, does anyone know?"),
    (RAFFLE, "We haven't counted the raffle money yet, but it looks like a lot."),
])
def test_a_question_or_not_yet_is_no_answer(instruction, line):
    assert rules(instruction, [line]) == []


@pytest.mark.parametrize("instruction,line", [
    (CHAIR, "Big news, Sue is going to chair the committee from June."),
    (BINS, "The bins are being collected on Thursday this week because of the bank holiday."),
    (RAFFLE, "The raffle raised four hundred and twenty pounds, amazing."),
])
def test_the_answer_itself_is_told(instruction, line):
    assert rules(instruction, [line]) == ["topic"]


@pytest.mark.parametrize("line,wrong", [
    ("The yoga class isn't until seven tonight, so I've got time.", True),  # 18:00: "isn't until" is its start
    ("The yoga class isn't until six tonight, so I've got time.", False),
    ("The budget review is at ten tomorrow and my yoga class isn't until half eight tonight.", True),
    ("The budget review is at ten tomorrow and my yoga class is at six tonight.", False),
])
def test_isnt_until_is_a_start_and_and_starts_a_clause(line, wrong):
    found = said(None, [line], CALENDAR_CTX)
    assert [d.rule for d in found] == (["contradiction"] if wrong else [])
    if wrong:
        assert "Yoga class" in found[0].text and "starting" not in found[0].text


@pytest.mark.parametrize("line,wrong", [
    ("Tonight is completely free, so let's do dinner.", True),  # yoga tonight
    ("Saturday is wide open, come over.", True),  # dinner with Jonas
    ("Thursday evening is totally free for me.", False),  # the review is Thursday morning
])
def test_a_day_said_to_be_free(line, wrong):
    assert rules(None, [line], CALENDAR_CTX) == (["contradiction"] if wrong else [])


@pytest.mark.parametrize("line,offered", [
    ("The ticket sale opens at nine on Monday and I know I'll completely forget.", True),
    ("Bin day got moved to Friday, and I'll definitely forget, I always do.", True),
    ("I'll never forget the day we got him, honestly.", False),
])
def test_the_fear_of_forgetting_said_after_the_thing(line, offered):
    found = said(None, [line])
    assert [d.rule for d in found] == (["intent"] if offered else [])
    if offered:
        assert found[0].evidence["rule"] == "reminder"


@pytest.mark.parametrize("line,what", [
    ("We really need to get her booked into a swimming class before the summer.", "swimming class"),
    ("I have to book a boiler service before the winter, the last one was two years ago.", "boiler service"),
    ("We ought to get him signed up for a first aid course at some point.", "first aid course"),
])
def test_a_class_or_service_to_book(line, what):
    found = said(None, [line])
    assert [d.rule for d in found] == ["intent"] and found[0].evidence["rule"] == "booking"
    assert found[0].tool_calls[0].name == "book_service" and what in found[0].text


def test_a_booking_done_is_not_offered():
    assert rules(None, ["We booked the boiler service last week, it's all sorted."]) == []


def test_a_doubt_with_an_adverb_is_still_a_doubt():
    found = said(None, ["I honestly don't know how many calories are in a flapjack."])
    assert [d.rule for d in found] == ["intent"] and found[0].evidence["rule"] == "search"


@pytest.mark.parametrize("line,wrong", [
    ("Good job it's at six, half seven would have clashed with the school play.", False),  # 18:00, a counterfactual
    ("If it had been at seven I'd have missed it.", False),
    ("The yoga class is at half seven tonight.", True),
])
def test_a_counterfactual_value_is_not_a_claim(line, wrong):
    assert rules(None, [line], CALENDAR_CTX) == (["contradiction"] if wrong else [])


@pytest.mark.parametrize("line,wrong", [
    ("Yoga's half six at the studio tonight.", True),  # "half six at": a clock (18:00 in the calendar)
    ("Yoga's half five at the studio tonight.", True),
    ("Yoga's at six at the studio tonight.", False),
])
def test_half_past_said_the_british_way_before_at(line, wrong):
    assert rules(None, [line], CALENDAR_CTX) == (["contradiction"] if wrong else [])


@pytest.mark.parametrize("lines", [
    ["Cancel that, then, I'll get up by myself."],
    ["Actually, forget what I asked, the match is off. Ignore that."],
])
def test_the_last_request_taken_back_as_a_whole(lines):
    assert rules("If my alarm goes off and I don't get up, make sure I'm up, will you?", lines) == []
    m = Mind("If my alarm goes off and I don't get up, make sure I'm up, will you?", None, TOOLS)
    m.hear("If my alarm goes off and I don't get up, make sure I'm up, will you?")
    for line in lines:
        m.hear(line)
    assert m.sound("alarm_clock", 1.0) is None


@pytest.mark.parametrize("line,offered", [
    ("Six mugs at two pounds each, that's twelve pounds, and the vase went for a fiver.", False),  # done aloud
    ("Six mugs at two pounds each, I can't work out what that is with the vase on top.", True),
    ("It came to 143 pounds 60 for the quarter, split four ways that's, um, no idea.", True),
])
def test_a_sum_done_aloud_is_no_need(line, offered):
    assert rules(None, [line]) == (["intent"] if offered else [])


@pytest.mark.parametrize("request_,target", [
    ("Can you keep your ears open while we eat? If anybody says which day the bin lorry comes, let me know, "
     "because I always miss it.", "which day the bin lorry comes"),
    ("Can you listen out for me while I cook? If anybody says which day the bin lorry comes, let me know, "
     "because I always miss it.", "which day the bin lorry comes"),  # (the whole reads only by meaning)
])
def test_a_request_of_several_sentences_is_read_from_the_one_that_states_it(request_, target):
    from provoice_live.agents.offline.understanding.instruction import parse_instruction

    w = parse_instruction(request_)
    assert w is not None and w.kind == "topic" and w.target == target and not w.extra.get("by_meaning")
    assert w.text.startswith(request_.split()[0])  # the whole request is kept as said


@pytest.mark.parametrize("request_,target", [
    ("Listen out when they ring back, would you? I want to know the minute they give us a time for the delivery.",
     "time for the delivery"),
    ("I'd like to know the moment they announce the winner of the raffle.", "winner of the raffle"),
])
def test_the_minute_they_say_it(request_, target):
    from provoice_live.agents.offline.understanding.instruction import is_instruction, parse_instruction

    w = parse_instruction(request_)
    assert is_instruction(request_) and w is not None and w.target == target


@pytest.mark.parametrize("request_,line,heard", [
    ("If anyone says when the annual general meeting is, make a note of it for me.",
     "Pam says the AGM's on the ninth at seven in the pavilion.", True),
    ("Let me know if anyone mentions the AGM.", "The annual general meeting is moving to the library this year.", True),
    ("Let me know if anyone mentions the AGM.", "The garden party is moving to the library this year.", False),
    ("Tell me if anyone talks about the parent teacher association.", "The PTA wants volunteers for the fair.", True),
])
def test_an_acronym_for_the_request_s_words(request_, line, heard):
    assert rules(request_, [line]) == (["topic"] if heard else [])


def _moves():
    from support.offline_helpers import context, event

    return context(Bookings={"events": [event("Pickup for the Rowe move", "2025-03-12 13:00", "2025-03-12 15:00",
                                              "418 Larkspur Lane, Apt 2B")]})


@pytest.mark.parametrize("line,wrong", [
    ("Right, the Rowe pickup's 481 Larkspur Lane, I'll drop a pin.", True),
    ("The Rowe pickup is at 481 Larkspur Lane this afternoon.", True),
    ("The Rowe pickup's 418 Larkspur Lane, second floor.", False),
    ("The Rowe pickup is on Larkspur Lane, the green door.", False),
])
def test_the_same_street_with_another_house_number(line, wrong):
    assert rules(None, [line], _moves()) == (["contradiction"] if wrong else [])


@pytest.mark.parametrize("line,offered", [
    ("Somebody must order the printer paper today, before the supplier closes.", True),
    ("One of us has to reorder the coffee beans by Friday.", True),
    ("We should get the kids before the rain starts.", False),
])
def test_an_order_someone_has_to_place(line, offered):
    found = said(None, [line])
    assert [d.rule for d in found] == (["intent"] if offered else [])
    if offered:
        assert found[0].evidence["rule"] == "shopping"


@pytest.mark.parametrize("line", [
    "I have no idea what main dish to make that's vegan and still feels special for Sunday.",
    "Honestly, I'm not sure what dessert we can make with all these plums.",
])
def test_no_idea_what_dish_to_make(line):
    found = said(None, [line])
    assert [d.evidence.get("rule") for d in found] == ["recipe"]


@pytest.mark.parametrize("line,heard", [
    ("Uncle Viktor rang, it's six of them coming up from Leeds for the party in the end.", True),
    ("Uncle Viktor rang, they're coming up from Leeds for the party, numbers to follow.", False),
])
def test_how_many_people_answered_as_n_of_them(line, heard):
    request_ = "Let me know as soon as anyone says how many people are coming from Uncle Viktor's side for the party."
    assert rules(request_, [line]) == (["topic"] if heard else [])


@pytest.mark.parametrize("line,heard", [
    ("Bad news, the parcel from Mum probably won't get here today at all, the van broke down.", False),
    ("The parcels from Mum usually come on a Friday, so not long now.", False),
    ("The parcel from Mum has just arrived, it's on the step.", True),
])
def test_a_state_asked_for_and_not_reached(line, heard):
    request_ = "Let me know when anyone says the parcel from Mum has arrived."
    assert rules(request_, [line]) == (["topic"] if heard else [])


@pytest.mark.parametrize("line,heard", [
    ("The new kiln was installed on Monday, so it's working perfectly again.", False),  # another thing, in the past
    ("Helen says the pots will be out of the kiln on Thursday afternoon.", True),
])
def test_a_day_said_in_the_past_of_a_future_topic(line, heard):
    request_ = "If Helen says when our pots will be out of the kiln, tell me."
    assert rules(request_, [line]) == (["topic"] if heard else [])


@pytest.mark.parametrize("line,offered", [
    ("Which flight?", False),
    ("So which flight, the early one?", False),
    ("Which flight should I book for Berlin on Friday?", True),
    ("How do I get to the stadium?", True),  # the speaker's own question, short
])
def test_a_bare_question_to_the_other_person_is_no_need(line, offered):
    assert rules(None, [line]) == (["intent"] if offered else [])


@pytest.mark.parametrize("request_,line,heard", [
    ("If the ethics approval for my study comes up, flag it for me.",
     "Good news, the ethics committee approved your amendment on Thursday.", True),  # the head said as a verb
    ("If anyone mentions the parking permits, let me know.", "The parking fines have gone up again.", False),
])
def test_a_qualifier_beside_another_word_is_no_neighbour_when_the_head_is_said(request_, line, heard):
    assert rules(request_, [line]) == (["topic"] if heard else [])


def _time_tools():
    from provoice_live.agents.base import ToolSchema

    return TOOLS + [ToolSchema(name="world_clock", description="The current time in a city and its difference from here.",
                               parameters={"type": "object", "properties": {"place": {"type": "string"}},
                                           "required": ["place"]})]


@pytest.mark.parametrize("line,place", [
    ("I never remember if Tokyo is eight hours ahead of us or nine, and I don't want to ring them at midnight.", "Tokyo"),
    ("Honestly I'm not sure what the time difference with Denver is, is it seven hours?", "Denver"),
])
def test_the_time_somewhere_else(line, place):
    m = Mind(None, None, _time_tools())
    d = m.hear_then_pause(line)
    assert d is not None and d.evidence["rule"] == "timezone" and d.tool_calls[0].name == "world_clock"
    assert place in d.text


def test_where_an_order_is_now():
    from provoice_live.agents.base import ToolSchema

    tracker = ToolSchema(name="track_delivery", description="Track a parcel or an order.",
                         parameters={"type": "object", "properties": {"item": {"type": "string"}}})
    m = Mind(None, None, TOOLS + [tracker])
    d = m.hear_then_pause("They said it shipped last week, and I honestly have no idea where that order is now.")
    assert d is not None and d.evidence["rule"] == "delivery"


@pytest.mark.parametrize("line,offered", [
    ("I need something I can make in one pan with this chicken, the kids are starving.", True),
    ("We had a lovely roast chicken on Sunday, it was perfect.", False),
])
def test_something_to_make_with_a_food_named(line, offered):
    assert [d.evidence.get("rule") for d in said(None, [line])] == (["recipe"] if offered else [])


def test_cant_tell_if_a_price_is_cheap_in_my_currency():
    from provoice_live.agents.base import ToolSchema

    convert = ToolSchema(name="convert_money", description="Convert an amount between two currencies.",
                         parameters={"type": "object", "properties": {"amount": {"type": "number"},
                                                                      "from": {"type": "string"}, "to": {"type": "string"}}})
    d = Mind(None, None, [convert]).hear_then_pause(
        "The guesthouse in Gdansk wants three hundred zloty a night and I can't tell if that's cheap in pounds.")
    assert d is not None and d.evidence["rule"] == "finance" and d.tool_calls[0].name == "convert_money"
    assert "PLN" in d.text and "GBP" in d.text


@pytest.mark.parametrize("request_,target", [
    ("Can you let me know if anyone mentions when the skip is being collected? The builders can't start till it's gone.",
     "when the skip is being collected"),
    ("Could you tell me if Priya says which room the workshop is in! I always end up in the wrong one.",
     "which room the workshop is in"),
])
def test_a_request_asked_as_a_question_ends_at_its_question_mark(request_, target):
    from provoice_live.agents.offline.understanding.instruction import parse_instruction

    w = parse_instruction(request_)
    assert w is not None and w.target == target


@pytest.mark.parametrize("line,heard", [
    ("Morning! The hall's just through there, mind the step.", False),  # a greeting says no time
    ("Morning all. The hall opens from eight on Saturday, so come early.", True),
])
def test_a_greeting_is_not_when(line, heard):
    request_ = "Let me know if anyone says what time the hall opens on Saturday."
    assert rules(request_, [line]) == (["topic"] if heard else [])


def test_a_duration_with_a_half_is_no_clock():
    from support.offline_helpers import context, event

    ctx = context(Calendar={"events": [event("Long run with the club", "2025-03-16 06:30", "2025-03-16 09:00", "the lido")]})
    assert rules(None, ["The long run with the club should take about two and a half hours at easy pace."], ctx) == []


@pytest.mark.parametrize("lines,offered", [
    (["Is it going to rain in Leeds tomorrow afternoon? I have to walk the dogs on the common.",
      "It'll be fine, I looked at the forecast ten minutes ago, dry till six."], False),
    (["Is it going to rain in Leeds tomorrow afternoon? I have to walk the dogs on the common.", "Fingers crossed."], True),
])
def test_a_forecast_looked_at_by_the_next_voice(lines, offered):
    assert rules(None, lines) == (["intent"] if offered else [])


@pytest.mark.parametrize("line,heard", [
    ("The beach was closed for the afternoon, but that was a week ago, today the flag is green.", False),
    ("Bad news, the beach is closed today, there's a rip current.", True),
])
def test_news_from_weeks_ago_is_old(line, heard):
    request_ = "Let me know straight away if the instructor says the beach is closed today."
    assert rules(request_, [line]) == (["topic"] if heard else [])


def test_a_late_breakfast_is_no_delay():
    assert rules(None, ["So I'll be back for a late breakfast, if you fancy putting the kettle on around half nine."]) == []


@pytest.mark.parametrize("line,wrong", [
    ("Dinner with Jonas is at half nine on Saturday, so no rush.", True),  # 19:30-21:30: its end said as "at"
    ("Dinner with Jonas runs till half nine on Saturday.", False),  # the end said as an end
    ("Dinner with Jonas is at half seven on Saturday.", False),
])
def test_at_an_events_end_is_its_start_said_wrong(line, wrong):
    assert rules(None, [line], CALENDAR_CTX) == (["contradiction"] if wrong else [])


def test_a_deposit_only_booking_is_not_all_paid():
    from support.offline_helpers import context

    ctx = context(Bookings={"bookings": [{"company": "Karoo Car Hire", "ref": "KR-55817", "status": "deposit only",
                                          "balance_due_at_desk": "3,450.00 ZAR"}]})
    assert rules(None, ["The Karoo car hire is all paid up front, my husband sorted it in February."], ctx) == ["contradiction"]
    assert rules(None, ["The Karoo car hire still has the balance to pay at the desk."], ctx) == []
