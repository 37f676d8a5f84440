"""Proactive intent capture: needs that a session tool serves, with arguments and a confirmation
question; and the needs that must not be offered (done already, told in the past, no tool)."""

import pytest

from support.offline_helpers import CALENDAR_CTX, TOOLS
from provoice_live.agents.offline.understanding.intent import detect, serve


def offer(text, ctx=CALENDAR_CTX, tools=TOOLS):
    return detect(text, ctx, tools)


@pytest.mark.parametrize("said, tool, args", [
    ("Hmm, is it going to rain in Porto this weekend? I can't decide what to pack.", "realtime_weather", {"city": "Porto"}),
    ("I wonder if it'll be chilly tonight.", "realtime_weather", {"city": "Leeds"}),  # city from Maps
    ("Ugh, it's freezing in here.", "control_environment", {"target": "thermostat"}),
    ("I should text Nadia that the rehearsal moved.", "communication", {"target": "Nadia", "action": "message"}),
    ("We're completely out of oat milk and coffee beans.", "shop", {"content": "oat milk and coffee beans"}),
    ("Wait, if we split 96 dollars between 4 of us, how much is that?", "calculate", {"expression": "96 / 4"}),
    ("What's a fifteen percent tip on 80?", "calculate", {"expression": "15 percent of 80"}),
    ("How do I get to the Maritime Museum from here?", "find_directions", {"to": "Maritime Museum"}),
    ("I have no clue how to get to the budget review.", "find_directions", {"to": "Room 4B"}),  # from the calendar
    ("What can I cook with leftover rice and eggs?", "recipe_search", {"query": "leftover rice and eggs"}),
    ("I've got a haircut appointment on Monday at ten thirty.", "calendar_event",
     {"action": "create", "title": "Haircut", "time": "Monday at 10:30 AM"}),
    ("Don't let me forget to call the plumber tomorrow morning.", "temporal_attention",
     {"content": "call the plumber", "time": "tomorrow in the morning"}),
    ("I need to renew my passport by Friday, remind me.", "temporal_attention", {"action": "set", "time": "Friday"}),
    ("The lasagne needs 35 more minutes and I always lose track of time.", "temporal_attention",
     {"time": "35 minutes"}),
    ("I really need to sort out getting to Vienna for the conference.", "travel_search", {"type": "flight"}),
    ("My phone charger just died and I'm travelling tomorrow.", "shop", {"content": "phone charger"}),
    ("I'm so stressed about this interview, I need to calm down.", "guided_activity", {}),
    ("I could really use some calm piano music right now.", "play_media", {"content": "calm piano music"}),
    ("Are blueberries actually good for you?", "search", {"source": "world", "query": "health benefits"}),
])
def test_needs_are_offered_with_arguments(said, tool, args):
    o = offer(said)
    assert o is not None and o.tool == tool, o
    for key, value in (args or {}).items():
        assert str(o.arguments.get(key, "")).lower() == str(value).lower(), (key, o.arguments)
    assert o.question.startswith("Shall I") and o.question.endswith("?")


@pytest.mark.parametrize("said", [
    "I already booked a table at Casa Verde for Saturday.",
    "We went to a lovely Italian place last week.",
    "I've already texted Samuel that I'm running late.",
    "It was a lovely day at the beach.",
    "I think I left my umbrella at the office again.",
    "The traffic on the way here was unreal.",
    "I need to get going.",
    "My dentist check-up is on Friday at three thirty.",  # already in the calendar
    "I need to get a gift.",  # no tool bought without a clearer need... "get" is too vague
    "Everyone keeps talking about that series.",
])
def test_no_offer_without_an_open_need(said):
    assert offer(said) is None


def test_no_offer_when_no_tool_serves_it():
    tools = [t for t in TOOLS if t.name not in ("realtime_weather",)]
    assert offer("I wonder if it's going to rain tomorrow?", tools=tools) is None


def test_tool_found_by_description_when_named_differently():
    from provoice_live.corpus.sample import ToolSchema

    tools = [ToolSchema(name="weather_lookup", description="Look up the weather forecast for a city.",
                        parameters={"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]})]
    o = offer("Do you think it'll snow in Oslo tomorrow?", tools=tools)
    assert o is not None and o.tool == "weather_lookup" and o.arguments == {"location": "Oslo"}


def test_enum_arguments_stay_in_their_enum():
    o = offer("Can you get us a cab to the airport at 6 am?")
    assert o.tool == "book_service" and o.arguments["service_type"] == "taxi"


def test_watch_actions_are_served_from_what_was_heard():
    o = serve("check the current forecast for me", "It should be sunny in Taipei this weekend.", CALENDAR_CTX, TOOLS)
    assert o.tool == "realtime_weather" and o.arguments == {"city": "Taipei"}
    o = serve("message Marco that Pepper is awake", "", CALENDAR_CTX, TOOLS)
    assert o.tool == "communication" and o.arguments["target"] == "Marco" and o.arguments["content"] == "Pepper is awake"


@pytest.mark.parametrize("said", [
    "What time is your flight?",  # the other person's plans
    "Are you bringing an umbrella to the game?",
    "I've got the dinner with Jonas on Saturday, I need to be at Casa Verde by seven thirty.",  # in the calendar
])
def test_questions_to_the_other_and_known_plans_get_no_offer(said):
    assert offer(said) is None


@pytest.mark.parametrize("said, tool", [
    ("I've only got chickpeas, spinach and rice at home, no idea what to make tonight.", "recipe_search"),
    ("Great, no dish soap left, of all days.", "shop"),
    ("How much are 300 Swiss francs in euros these days?", "financial_query"),
    ("There's no way I'm making it on time, Priya will already be there.", "communication"),
    ("That call totally rattled me, my hands are still shaking.", "guided_activity"),
    ("The roast needs an hour and I will definitely forget about it.", "temporal_attention"),
])
def test_implicit_needs(said, tool):
    o = offer(said)
    assert o is not None and o.tool == tool, o
