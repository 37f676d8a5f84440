"""The cue locator (`corpus.locator`): the cue's words, not the whole turn; checked on our templates."""

from __future__ import annotations

import pytest

from provoice_live.corpus.builder.cues import check_templates
from provoice_live.corpus.locator import (CueFacts, TimedLine, WordTiming, iou, locate_cue, proportional_words,
                                          quotes)
from provoice_live.corpus.sample import CueWindow, ToolCall

TASKS = ("PIC", "LTM", "CFC", "ESS")

# A long monitoring monologue in another style than our templates (not an official sample).
MONOLOGUE = ("So the move went fine, mostly. The movers were late, of course, and one box of plates did not "
             "make it. My neighbour helped carry the sofa up three flights. Oh, and Dana asked whether we "
             "could all meet at the Blue Heron on Friday at seven for dinner. Anyway, the cat still hides "
             "under the bed. I think she hates the new radiator.")
INSTRUCTION = "If anyone brings up plans to eat out, put them in my calendar."


def _timed(text: str, start: float, per_word: float = 0.4) -> tuple[WordTiming, ...]:
    return tuple(WordTiming(text=w, start_s=k * per_word, end_s=k * per_word + per_word * 0.8) for k, w in enumerate(text.split()))


def _monologue_lines(with_words: bool) -> list[TimedLine]:
    n = len(MONOLOGUE.split())
    return [TimedLine("user1", INSTRUCTION, 0.5, 3.5),
            TimedLine("user2", MONOLOGUE, 4.0, 4.0 + 0.4 * n, _timed(MONOLOGUE, 4.0) if with_words else (),
                       "tts" if with_words else "")]


def test_a_long_turn_gives_the_sentence_that_carries_the_cue():
    facts = CueFacts("LTM", semantic_cue="Sam asked the assistant to watch for plans to eat out; a friend mentions one.",
                     gt_response="Dana suggested dinner at the Blue Heron on Friday at seven. Add it to your calendar?",
                     gt_tool_calls=(ToolCall(name="calendar_event", arguments={"title": "Dinner at the Blue Heron",
                                                                               "time": "Friday 19:00"}),),
                     instruction=INSTRUCTION)
    found = locate_cue(_monologue_lines(with_words=True), facts)
    words = MONOLOGUE.split()
    first = words.index("Dana") - 2  # "Oh, and Dana ..."
    last = words.index("dinner.")
    assert found.how == "content+words:tts" and found.lines == (1,)
    assert found.text.startswith("Oh, and Dana asked") and found.text.endswith("for dinner.")
    assert found.window.start_s == pytest.approx(4.0 + 0.4 * first)
    assert found.window.end_s == pytest.approx(4.0 + 0.4 * last + 0.32)
    assert found.window.end_s - found.window.start_s < 0.35 * 0.4 * len(words)  # not the 25 s turn
    assert not found.flagged and found.confidence >= 0.5
    # without word timings: a proportional estimate, labelled and less sure
    estimated = locate_cue(_monologue_lines(with_words=False), facts)
    assert estimated.how == "content+words:proportional" and estimated.confidence < found.confidence
    assert iou(estimated.window, found.window) > 0.6


def test_the_trigger_is_the_wearers_not_the_reply_after_it():
    trigger = "I've got that chemistry report due Thursday and I still haven't checked what the lab safety rules say."
    lines = [TimedLine("user2", "How is the semester going?", 0.5, 2.0),
             TimedLine("user1", trigger, 2.6, 8.0),
             TimedLine("user2", "Oh no, the lab rules are so long, I never read them either.", 8.4, 11.5)]
    facts = CueFacts("PIC", semantic_cue=f"Lea says: '{trigger}' She needs the lab safety rules.",
                     gt_response="Shall I look up the lab safety rules for you?",
                     gt_tool_calls=(ToolCall(name="search", arguments={"query": "lab safety rules"}),))
    found = locate_cue(lines, facts)
    assert found.how == "quote" and found.lines == (1,) and (found.window.start_s, found.window.end_s) == (2.6, 8.0)
    assert found.confidence == 1.0
    no_quote = locate_cue(lines, CueFacts("PIC", semantic_cue="Lea mentions a report and lab rules.",
                                          gt_response=facts.gt_response, gt_tool_calls=facts.gt_tool_calls))
    assert no_quote.how == "content" and no_quote.lines == (1,)


def test_sound_cues_and_nothing_to_find():
    lines = [TimedLine("user1", "Tell me when the kettle whistles.", 0.5, 2.5),
             TimedLine("sound", "dog", 5.0, 6.0), TimedLine("sound", "kettle_whistle", 12.0, 14.5)]
    found = locate_cue(lines, CueFacts("ESS", semantic_cue="The kettle whistles.", gt_response="Your kettle is boiling.",
                                       instruction="Tell me when the kettle whistles."))
    assert found.how == "sound" and found.lines == (2,) and found.window.start_s == 12.0
    nothing = locate_cue([TimedLine("user1", "Hm.", 0.5, 1.0)], CueFacts("PIC"))
    assert nothing.how == "fallback" and nothing.flagged


def test_quotes_survive_apostrophes_and_dashes():
    assert quotes("Ann says: 'I can't go—it's late.' This means") == ["I can't go—it's late."]
    assert quotes("Bo says: ‘We’re out of milk.’ (twin)") == ["We’re out of milk."]
    assert quotes("nothing quoted here, isn't it") == []


def test_proportional_words_fill_the_line_in_order():
    line = TimedLine("user1", "One, two three. Four.", 1.0, 3.0)
    words = proportional_words(line)
    assert [w.text for w in words] == ["One,", "two", "three.", "Four."]
    assert words[0].start_s == 0.0 and words[-1].end_s <= 2.0 + 1e-9
    assert all(a.end_s <= b.start_s for a, b in zip(words, words[1:]))


def test_recovery_on_our_template_scripts():
    """The goal: IoU >= 0.8 with the builder's exact window for >= 90 % of samples, per task."""
    counts = {(t, lab): 24 for t in TASKS for lab in (True, False)}
    full = check_templates(counts, seed=11)
    for task in TASKS:
        assert full.rate(task) >= 0.9, (task, full.rate(task))
        assert full.count(task) == 48
    # the content method alone (quotes removed from the semantic cue): it still lands on the right
    # line for positives; its IoU is lower because it keeps only the sentence that carries the cue
    content = check_templates({(t, True): 24 for t in TASKS}, seed=11, with_quotes=False)
    for task in TASKS:
        assert content.inside_rate(task, True) >= 0.9, (task, content.inside_rate(task, True))
    assert content.rate("CFC", True) >= 0.9 and content.rate("ESS", True) == 1.0
    assert content.hows["quote"] == 0 and full.hows["quote"] == 3 * 48


def test_iou():
    assert iou(CueWindow(start_s=0, end_s=2), CueWindow(start_s=1, end_s=3)) == pytest.approx(1 / 3)
    assert iou(CueWindow(start_s=0, end_s=1), CueWindow(start_s=2, end_s=3)) == 0.0


def test_other_quoted_passages_do_not_lower_the_confidence():
    said = "Yeah, I'm totally free tomorrow morning, let's grab coffee!"
    lines = [TimedLine("user2", "Want to grab coffee tomorrow morning?", 0.5, 3.0), TimedLine("user1", said, 3.5, 7.0)]
    facts = CueFacts("CFC", semantic_cue=f"Kim says: '{said}' This contradicts the 'Quarterly Review with the Board' "
                                         "event in the Calendar at 10:00.")
    found = locate_cue(lines, facts)
    assert found.how == "quote" and found.lines == (1,) and found.confidence == 1.0


# --- scenes in another style than our templates (hand-written here, not official samples) -------
def test_a_paraphrased_quote_still_finds_its_sentence():
    turn = ("Honestly the week flew by. We had the inspection on Tuesday, which went fine. "
            "Oh, and Priya wants all of us to grab sushi at Kaito on Saturday around eight. "
            "The weather has been miserable though.")
    lines = [TimedLine("user1", "Tell me if anyone makes dinner plans.", 0.5, 2.5),
             TimedLine("user2", turn, 3.0, 3.0 + 0.4 * len(turn.split()), _timed(turn, 3.0), "asr")]
    facts = CueFacts("LTM", semantic_cue="Jo says: 'Priya wants us all to get sushi at Kaito on Saturday at eight.'",
                     instruction="Tell me if anyone makes dinner plans.")
    found = locate_cue(lines, facts)
    assert found.how == "quote+words:asr" and found.text.startswith("Oh, and Priya wants")
    assert found.text.endswith("around eight.") and not found.flagged


def test_a_repeated_wrong_fact_is_located_on_the_wearers_line():
    lines = [TimedLine("user2", "So your flight is at six tomorrow?", 0.5, 2.5),
             TimedLine("user1", "Yes, six in the evening, so I can work in the morning.", 3.0, 6.5),
             TimedLine("user2", "Six in the evening, nice, that's relaxed.", 7.0, 9.5)]
    facts = CueFacts("CFC", semantic_cue="Nia says her flight leaves at six in the evening; the Calendar says 09:15.",
                     gt_response="Your calendar shows the flight at 9:15 in the morning, not six in the evening.")
    found = locate_cue(lines, facts)
    assert found.how == "content" and found.lines == (1,)


@pytest.mark.slow
def test_a_sentence_inside_a_rendered_line_is_timed_by_its_words():
    """A sentence inside a rendered line is timed by its words: the TTS's (as the segments hold them),
    else the recogniser's. Its start is the speech onset after the pause that ends the first
    sentence (the longest quiet run of 10 ms frames inside the line, from the audio level)."""
    from dataclasses import replace

    import numpy as np

    from provoice_live.corpus.builder.cues import asr_word_timer, dry_word_timer, spoken_lines
    from provoice_live.corpus.builder.render import render_script
    from provoice_live.corpus.builder.script import Line, Script, Speaker
    from provoice_live.corpus.builder.sounds import SynthSoundBank
    from provoice_live.corpus.builder.tts import EspeakTTS

    lead, key = "The train was packed again this morning.", "Remind me to call the bank at four tomorrow."
    script = Script(speakers=[Speaker(id="user1", gender="female")],
                    lines=[Line(speaker="user1", text=f"{lead} {key}")])
    tts = EspeakTTS()
    r = render_script(script, np.random.default_rng(4), tts=tts, sounds=SynthSoundBank(), noise=None)
    frame = r.rate // 100
    seg = r.segments[0]
    a, b = int(seg.start_s * r.rate), int(seg.end_s * r.rate)
    level = np.array([np.sqrt(np.mean(r.audio[i:i + frame] ** 2)) for i in range(a, b - frame, frame)])
    quiet = level < 0.05 * level.max()
    runs, start = [], None
    for k, q in enumerate(quiet):
        if q and start is None:
            start = k
        if not q and start is not None:
            runs.append((k - start, start, k))
            start = None
    onset = seg.start_s + max(runs)[2] / 100

    facts = CueFacts("PIC", semantic_cue=f"Al says: '{key}'")
    lines = spoken_lines(script, r.segments)
    by_tts = locate_cue(lines, facts)
    assert by_tts.how == "quote+words:tts" and by_tts.text == key and by_tts.window.end_s == seg.end_s
    assert abs(by_tts.window.start_s - onset) < 0.05
    bare = [replace(line, words=(), words_from="") for line in lines]  # a TTS that reports no words
    by_asr = locate_cue(bare, facts, word_timer=asr_word_timer(r.audio, r.rate))
    assert by_asr.how == "quote+words:asr" and abs(by_asr.window.start_s - onset) < 0.15
    by_dry = locate_cue(bare, facts, word_timer=dry_word_timer(script, r.voices, tts))
    assert by_dry.how == "quote+words:asr-dry" and abs(by_dry.window.start_s - by_asr.window.start_s) < 0.05
