"""The heuristic (offline) judge: tool calls, values and text on agreeing, half-agreeing and
disagreeing cases (the rules are the tables of provoice_live/scoring/heuristic.py)."""

from __future__ import annotations

import pytest

from provoice_live.scoring.heuristic import (NAME, HeuristicJudge, parse_when, text_verdict, tool_verdict,
                                             value_agreement)
from provoice_live.scoring.judges import JudgeItem

CAL = "calendar_event"


# ---- tool calls ---------------------------------------------------------------------------------

def test_no_calls_expected_and_none_made_scores_1():
    assert tool_verdict([], []) == 1.0


def test_calls_expected_and_none_made_scores_0():
    assert tool_verdict([(CAL, {"title": "dentist"})], []) == 0.0


def test_unrequested_call_is_borderline():
    assert tool_verdict([], [("search", {"query": "x"})]) == 0.5


def test_agreeing_call_scores_1_despite_formatting():
    """Same tool; key style, case, time format and number format differ but mean the same."""
    ref = [(CAL, {"title": "Dentist appointment", "start_time": "2025-03-04T15:00", "duration_min": 30})]
    pred = [("Calendar_Event", {"Title": "dentist appointments", "startTime": "March 4, 2025 3 pm",
                                "duration_min": "30"})]
    assert tool_verdict(ref, pred) == 1.0


def test_half_agreeing_call_scores_half():
    """Right tool, the time is wrong (4 pm against 3 pm) and the title half right: 0.5."""
    ref = [(CAL, {"title": "dentist appointment", "start_time": "2025-03-04T15:00"})]
    pred = [(CAL, {"title": "appointment with Bob", "start_time": "2025-03-04T16:00"})]
    assert tool_verdict(ref, pred) == 0.5


def test_disagreeing_call_scores_0():
    """Another tool with unrelated values."""
    ref = [(CAL, {"title": "dentist appointment", "start_time": "2025-03-04T15:00"})]
    pred = [("play_media", {"query": "jazz playlist"})]
    assert tool_verdict(ref, pred) == 0.0


def test_other_tool_with_the_same_values_is_borderline():
    ref = [("search", {"query": "weather in Paris"})]
    pred = [("realtime_weather", {"location": "weather Paris"})]
    assert tool_verdict(ref, pred) == 0.5


def test_missing_one_of_two_calls_is_half_and_extra_calls_cap_at_half():
    ref = [("note_taking", {"content": "buy milk"}), ("shop", {"item": "milk"})]
    assert tool_verdict(ref, [("note_taking", {"content": "buy milk"})]) == 0.5
    one = [("note_taking", {"content": "buy milk"})]
    assert tool_verdict(one, one + [("play_media", {"query": "jazz"})]) == 0.5


def test_right_tool_without_arguments_is_borderline():
    assert tool_verdict([("shop", {"item": "milk", "quantity": 2})], [("shop", {})]) == 0.5


# ---- values -------------------------------------------------------------------------------------

@pytest.mark.parametrize("ref, pred, expected", [
    (1200, "$1,200", 1.0),
    (12.5, 12.49, 1.0),
    (12, 15, 0.0),
    ("15:00", "3 pm", 1.0),
    ("15:00", "3:03 PM", 1.0),
    ("15:00", "17:00", 0.0),
    ("2025-03-04", "March 4th, 2025", 1.0),
    ("2025-03-04", "4 March", 1.0),
    ("2025-03-04", "2025-03-05", 0.0),
    ("2025-03-04T15:00", "2025-03-04", 0.5),
    (True, "yes", 1.0),
    (True, False, 0.0),
    ("Central Park", "central park!", 1.0),
    ("buy milk", "milk", 1.0),
    ("buy milk and eggs today", "milk", 0.5),
    ("jazz", "rock", 0.0),
    (["milk", "eggs"], ["eggs", "milk"], 1.0),
    (["milk", "eggs"], ["milk"], 0.5),
    ({"city": "Paris", "days": 3}, {"city": "paris", "days": "3"}, 1.0),
])
def test_value_agreement(ref, pred, expected):
    assert value_agreement(ref, pred) == expected


def test_parse_when_reads_dates_and_times():
    assert parse_when("2025-03-04T15:30:00") == ((2025, 3, 4), 15 * 60 + 30)
    assert parse_when("tomorrow at 9am") == (None, 9 * 60)
    assert parse_when("at noon") == (None, 12 * 60)
    assert parse_when("room 12") == (None, None)


# ---- text ---------------------------------------------------------------------------------------

CUE = ("User 1 set a reminder for stormy weather; a thunderstorm begins outside. "
       "Cues: audio: thunderstorm.")
REF = "I heard a thunderstorm. Don't forget to close the windows and unplug the electronics."


def test_agreeing_text_scores_1():
    pred = "There's thunder outside! Remember to close your windows and unplug electronics."
    assert text_verdict(REF, pred, CUE) == 1.0


def test_half_agreeing_text_scores_half():
    pred = "Heads up, you may want to close the windows."
    assert text_verdict(REF, pred, CUE) == 0.5


def test_disagreeing_text_scores_0():
    pred = "Would you like me to play some relaxing music?"
    assert text_verdict(REF, pred, CUE) == 0.0


def test_key_entities_matter_more_than_filler():
    """Same words but the wrong time: key-term coverage halves the score."""
    ref = "Your meeting with Anna is at 3 pm, not at 4."
    assert text_verdict(ref, "Just so you know, your meeting with Anna is at 3 pm, not 4.", "") == 1.0
    assert text_verdict(ref, "Your meeting is at 5 pm.", "") == 0.5


def test_empty_texts():
    assert text_verdict("", "") == 1.0
    assert text_verdict(REF, "") == 0.0
    assert text_verdict("", "Something.") == 0.5


def test_the_judge_names_itself_and_gives_one_verdict_per_item():
    item = JudgeItem("a", CUE, (), REF, (), "Close the windows and unplug the electronics, a thunderstorm started.")
    bad = JudgeItem("b", CUE, (("note_taking", {"content": "x"}),), REF, (), "Nice weather.")
    verdicts = HeuristicJudge().judge([item, bad])
    assert NAME == "heuristic (offline)"
    assert [(v.tool, v.text) for v in verdicts] == [(1.0, 1.0), (0.0, 0.0)]
    assert verdicts[0].source == NAME


def test_times_and_number_words_in_text_match_their_digits():
    ref = "Actually, your calendar has the vet appointment on Tuesday at 11:00 AM, not 1:00 PM."
    pred = "According to your calendar, 'Vet appointment' is on Tuesday, February 18 from 11 AM to noon, not 1pm."
    assert text_verdict(ref, pred, "A vet appointment in the calendar.") == 1.0
    assert text_verdict("Leave in forty minutes.", "You should leave in 40 minutes.") == 1.0


def test_matching_numbers_without_the_content_is_only_borderline():
    ref = "Want me to remind you about the bread in forty minutes?"
    assert text_verdict(ref, "Your message says 5 minutes, not 40 minutes.") == 0.5


def test_another_suggestion_sharing_only_filler_words_scores_0():
    ref = "Shall I start a short stretching routine to help you unwind?"
    assert text_verdict(ref, "Shall I check the weather forecast for your location?") == 0.0


def test_proper_nouns_skip_sentence_openers_in_ascii_and_accented_text():
    from provoice_live.scoring.heuristic import proper_nouns

    assert proper_nouns('Meet Sam at 5th Avenue. Then call "Anna" (Bob) ok? Yes. I said London.') == \
        {"sam", "avenue", "anna", "bob", "london"}
    assert proper_nouns("Café with José at noon, Zoë. Über alles.") == {"jose", "zoe"}
