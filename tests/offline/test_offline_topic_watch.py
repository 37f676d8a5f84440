"""Reading the user's standing request, and the topic watch it sets up (paraphrases and near misses)."""

import pytest

from provoice_live.agents.offline.understanding.instruction import is_instruction, overlap_with, parse_instruction
from provoice_live.agents.offline.understanding.text import analyse
from provoice_live.agents.offline.understanding.topic_watch import match


@pytest.mark.parametrize("request_, kind, target, sound_class", [
    ("Let me know if anyone mentions dining plans.", "topic", "dining plans", None),
    ("If the subject of money comes up, give me a heads up.", "topic", "money", None),
    ("Whenever my brother talks about his new job, remind me to congratulate him.", "topic", "his new job", None),
    ("Could you flag it if anybody brings up the weather this weekend?", "topic", "weather", None),
    ("When you hear the smoke alarm, tell me right away.", "sound", "smoke alarm", "smoke_alarm"),
    ("Let me know when the kettle starts whistling.", "sound", "kettle", "kettle_whistle"),
    ("Keep an ear out for the doorbell, I'm expecting a delivery.", "sound", "doorbell", "doorbell"),
    ("If someone knocks on the door, remind me to grab the parcel.", "sound", "knock", "door_knock"),
    ("If anyone talks about the dog, tell me.", "topic", "dog", None),  # a sound name inside a topic
])
def test_requests_parse_into_watches(request_, kind, target, sound_class):
    w = parse_instruction(request_)
    assert w is not None and w.kind == kind
    assert target.split()[0] in w.target and w.sound_class == sound_class


def test_request_action_is_kept():
    w = parse_instruction("If you hear thunder, remind me to close the windows and unplug the laptop.")
    assert w.sound_class == "thunderstorm" and w.action == "remind me to close the windows and unplug the laptop"
    w = parse_instruction("When anyone mentions flights to Lisbon, check the weather there for me.")
    assert w.kind == "topic" and "check the weather" in w.action and w.keywords == ("flight", "lisbon")


@pytest.mark.parametrize("said, expected", [
    ("When you hear anyone mention restaurants, let me know.", True),
    ("Listen for the microwave beeping and tell me when it's done.", True),
    ("I need to buy milk tomorrow.", False),
    ("Let me know what you think about the film.", False),
    ("If it rains tomorrow we'll stay home.", False),
])
def test_heard_instructions_are_recognised(said, expected):
    assert is_instruction(said) is expected


def test_echo_of_the_request_is_recognised_through_asr_noise():
    req = "When you hear any mention of restaurant bookings or dining plans, help me log a note."
    assert overlap_with("when you hear any mention of restaurant bookings or dining plans", req) >= 0.9
    assert overlap_with("help me log a note", req) >= 0.9
    assert overlap_with("We went hiking on the ridge trail last weekend.", req) < 0.2


DINING = parse_instruction("Let me know if anyone mentions dining plans or restaurant bookings.")
WEATHER = parse_instruction("If anyone says anything about the weather, give me a heads up.")
MONEY = parse_instruction("Tell me whenever the topic of money or prices comes up.")
TRAVEL = parse_instruction("Let me know if someone brings up a trip or a vacation.")
HEALTH = parse_instruction("Alert me if my mom mentions anything about her doctor or her health.")


@pytest.mark.parametrize("watch, said", [
    (DINING, "We were thinking of trying that new sushi place downtown on Friday night."),
    (DINING, "I booked us a table at the Greek bistro for seven."),
    (DINING, "Do you want to grab brunch after the market on Sunday?"),
    (DINING, "The reservation at Luigi's is under my name."),
    (WEATHER, "They said it's going to pour all afternoon, so bring a jacket."),
    (WEATHER, "Apparently a big storm is rolling in tonight."),
    (WEATHER, "It should be sunny and about twenty degrees on Saturday."),
    (MONEY, "Honestly the rent went up again and I can barely afford it."),
    (MONEY, "The tickets cost way more than I expected, almost ninety dollars."),
    (TRAVEL, "We're flying to Crete in June, I already have the passport sorted."),
    (TRAVEL, "I think we need a getaway, maybe a road trip up the coast."),
    (HEALTH, "The doctor said my blood pressure is a bit high."),
    (HEALTH, "I've had this awful cough for a week and a fever last night."),
])
def test_paraphrases_of_the_topic_trigger(watch, said):
    assert match(watch, analyse(said)) is not None


@pytest.mark.parametrize("watch, said", [
    (DINING, "Everyone was starving but we ended up splitting off and just went home."),
    (DINING, "It was definitely not a proper dinner out or anything planned."),
    (DINING, "We spent the afternoon at the museum looking at old maps."),
    (WEATHER, "My sister finally finished painting the kitchen."),
    (WEATHER, "The weekend was quiet, we mostly read books."),
    (MONEY, "We watched the match and then walked the dog around the park."),
    (TRAVEL, "The printer at work jammed again this morning."),
    (HEALTH, "We repainted the fence and planted some tulips."),
])
def test_other_talk_and_negated_mentions_stay_silent(watch, said):
    assert match(watch, analyse(said)) is None


def test_topic_hit_reports_the_terms_heard():
    hit = match(DINING, analyse("Should we book a table at that Thai restaurant?"))
    assert hit is not None and hit.score >= 1.0 and "restaurant" in hit.terms
