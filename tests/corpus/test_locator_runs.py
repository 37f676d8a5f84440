"""The cue locator's quote method on turns written as a recogniser writes them (lower case, little or no
punctuation, sentences run together): the quote is found as a run of words inside the one long
"sentence" such a turn is, and timed as that run, not as the whole turn. The turns are written here,
in no template's style and from no scene set."""

from __future__ import annotations

import pytest

from provoice_live.corpus.locator import (PROPORTIONAL_PENALTY, CueFacts, TimedLine, WordTiming, locate_cue,
                                          proportional_words)

PER_WORD = 0.4


def _timed(text: str) -> tuple[WordTiming, ...]:
    """Word timings relative to the line: a word every 0.4 s, each 0.32 s long."""
    return tuple(WordTiming(text=w, start_s=k * PER_WORD, end_s=k * PER_WORD + 0.8 * PER_WORD)
                 for k, w in enumerate(text.split()))


def _lines(*spoken: tuple[str, str], words: bool = True) -> list[TimedLine]:
    out, t = [], 0.5
    for speaker, text in spoken:
        end = t + PER_WORD * len(text.split())
        out.append(TimedLine(speaker, text, t, end, _timed(text) if words else (), "asr" if words else ""))
        t = end + 0.5
    return out


def _run_of(turn: str, said: str) -> tuple[int, int]:
    """Indices of the first and last whitespace word of `said` inside `turn`."""
    words, part = turn.split(), said.split()
    first = next(k for k in range(len(words)) if words[k:k + len(part)] == part)
    return first, first + len(part) - 1


# (task, the cue turn as a recogniser writes it, the quote in the cue description, the words it locates)
RUN_ON = [
    # the quote at the start of the turn
    ("PIC", "the boiler man is coming thursday at eight so i need to be up early and honestly i have not slept "
            "properly all week", "The boiler man is coming Thursday at eight.",
     "the boiler man is coming thursday at eight"),
    # in the middle
    ("PIC", "yeah so we got back really late and then mum rang and she said the dentist moved my appointment to "
            "friday at half ten which is annoying because i have a shift", "The dentist moved my appointment to Friday at half ten.",
     "the dentist moved my appointment to friday at half ten"),
    # at the end, the quote capitalised and punctuated as a writer would
    ("PIC", "i dunno i was just thinking about the weekend and i really have to pick up the cake from marco's "
            "bakery before noon on saturday", "I have to pick up the cake from Marco's bakery before noon on Saturday!",
     "i really have to pick up the cake from marco's bakery before noon on saturday"),
    # a paraphrase in the middle (the quote's words in order, not all of them)
    ("LTM", "honestly the week just flew by and oh priya wants all of us to grab sushi at kaito on saturday around "
            "eight but the weather has been miserable", "Priya wants us all to get sushi at Kaito on Saturday at eight.",
     "priya wants all of us to grab sushi at kaito on saturday around eight"),
    # commas only, the way some recognisers punctuate: a comma ends no sentence
    ("CFC", "okay, so, um, the plumber said he can come round on wednesday at three, if that works, otherwise it's "
            "next week", "The plumber said he can come round on Wednesday at three.",
     "the plumber said he can come round on wednesday at three,"),
]


@pytest.mark.parametrize("task, turn, quote, located", RUN_ON, ids=["start", "middle", "end", "paraphrase", "commas"])
def test_a_quote_inside_a_run_on_turn_is_found_as_its_run_of_words(task, turn, quote, located):
    wearer_speaks = task != "LTM"
    lines = _lines(("user1", "Tell me if anyone makes plans for me.") if not wearer_speaks else ("user2", "how was your day"),
                   ("user1" if wearer_speaks else "user2", turn),
                   ("user2" if wearer_speaks else "user1", "oh right okay"))
    facts = CueFacts(task, semantic_cue=f'They say: "{quote}" That matters.',
                     instruction="Tell me if anyone makes plans for me." if not wearer_speaks else None)
    found = locate_cue(lines, facts)
    first, last = _run_of(turn, located)
    assert found.how == "quote+words:asr" and found.lines == (1,) and found.text == located
    # timed by the run's own words, not the turn's span (at the turn's last word, the turn's end)
    end = lines[1].end_s if last == len(turn.split()) - 1 else lines[1].start_s + PER_WORD * last + 0.8 * PER_WORD
    assert found.window.start_s == pytest.approx(lines[1].start_s + PER_WORD * first)
    assert found.window.end_s == pytest.approx(end)
    assert found.window.end_s - found.window.start_s < 0.7 * (lines[1].end_s - lines[1].start_s)
    assert not found.flagged and not found.notes


def test_the_run_is_timed_in_proportion_to_its_words_without_word_timings():
    turn = "yeah so we got back really late and then mum rang and she said the dentist moved my appointment to " \
           "friday at half ten which is annoying because i have a shift"
    said = "the dentist moved my appointment to friday at half ten"
    lines = _lines(("user2", "how was your day"), ("user1", turn), words=False)
    found = locate_cue(lines, CueFacts("PIC", semantic_cue=f"User1 says: '{said}'"))
    first, last = _run_of(turn, said)
    est = proportional_words(lines[1])  # the module's own estimate, by characters
    assert found.how == "quote+words:proportional" and found.text == said
    assert found.window.start_s == pytest.approx(lines[1].start_s + est[first].start_s)
    assert found.window.end_s == pytest.approx(lines[1].start_s + est[last].end_s)
    assert lines[1].start_s < found.window.start_s < found.window.end_s < lines[1].end_s
    assert found.confidence == pytest.approx(PROPORTIONAL_PENALTY)  # a clean quote, only the time estimated
    # a word timer (a recogniser on the line's audio) times the run by its words instead
    timer_calls = []

    def timer(index, line):
        timer_calls.append(index)
        return _timed(line.text), "asr"

    timed = locate_cue(lines, CueFacts("PIC", semantic_cue=f"User1 says: '{said}'"), word_timer=timer)
    assert timer_calls == [1] and timed.how == "quote+words:asr" and timed.confidence == 1.0
    assert timed.window.start_s == pytest.approx(lines[1].start_s + PER_WORD * first)
    assert timed.window.end_s == pytest.approx(lines[1].start_s + PER_WORD * last + 0.8 * PER_WORD)


def test_a_run_at_the_edge_of_the_turn_keeps_the_turns_edge():
    turn = "the boiler man is coming thursday at eight so i need to be up early and honestly i have not slept properly"
    lines = _lines(("user2", "anything on this week"), ("user1", turn), words=False)
    found = locate_cue(lines, CueFacts("PIC", semantic_cue='User1 says: "The boiler man is coming Thursday at eight."'))
    assert found.text == "the boiler man is coming thursday at eight"
    assert found.window.start_s == lines[1].start_s and found.window.end_s < lines[1].end_s - 3.0


@pytest.mark.parametrize("quote", [
    "and then we were all there",  # function words only: never a run inside a longer sentence
    "at eight",  # too short a run
    "the vet moved Biscuit's jab to the Friday",  # its content words are not there
])
def test_a_run_of_function_words_or_too_few_words_is_no_quote(quote):
    turn = "so the vet rang and then we were all there at eight on friday and she said biscuit needs his jab"
    lines = _lines(("user2", "what did the vet say"), ("user1", turn))
    said = "she said biscuit needs his jab"
    found = locate_cue(lines, CueFacts("PIC", semantic_cue=f'User1 says: "{said}"'))
    assert found.how == "quote+words:asr" and found.text == said  # the same turn: a real quote is found
    assert not locate_cue(lines, CueFacts("PIC", semantic_cue=f'User1 says: "{quote}"')).how.startswith("quote")


def test_a_punctuated_turn_is_still_located_by_whole_sentences():
    said = "the council said the bin bags come at two hundred a pack"
    punctuated = f"So we were going to go at six. But {said}. So yeah."
    lines = _lines(("user2", "Did you get the bags?"), ("user1", punctuated))
    found = locate_cue(lines, CueFacts("PIC", semantic_cue=f'User1 says: "{said}"'))
    # the whole sentence, its "But" included, as before
    assert found.how == "quote+words:asr" and found.text == f"But {said}." and found.lines == (1,)
    first, last = _run_of(punctuated, f"But {said}.")
    assert (first, last) == (8, 20)
    assert found.window.start_s == pytest.approx(lines[1].start_s + PER_WORD * first)
    assert found.window.end_s == pytest.approx(lines[1].start_s + PER_WORD * last + 0.8 * PER_WORD)
    assert found.confidence == pytest.approx(0.5 * 12 / 13 + 0.5, abs=1e-3)  # "but" is no quote
    # the same words as a recogniser writes them: the run, without "but"
    run_on = f"so we were going to go at six but {said} so yeah"
    found = locate_cue(_lines(("user2", "did you get the bags"), ("user1", run_on)),
                       CueFacts("PIC", semantic_cue=f'User1 says: "{said}"'))
    assert found.text == said and found.confidence == 1.0


def test_a_run_that_says_the_whole_quote_beats_a_short_sentence_that_says_part_of_it():
    said = "the council said the bin bags come at two hundred a pack"
    lines = _lines(("user2", "did you get the bags"), ("user1", f"so we were going to go at six but {said} so yeah"),
                   ("user2", "Two hundred a pack?"))
    found = locate_cue(lines, CueFacts("PIC", semantic_cue=f'User1 says: "{said}"'))
    assert found.lines == (1,) and found.text == said and not found.notes


@pytest.mark.parametrize("lead, tail", [("oh and also", "anyway"), ("okay well", "but whatever"), ("", "so yeah")])
def test_a_turn_with_no_sentence_end_is_no_sentence_even_when_the_quote_is_most_of_it(lead, tail):
    """The quote covers at least `QUOTE_MIN` of the turn's words, so the turn is "quoted" as a whole
    sentence; with no sentence end anywhere in it, the run of words that says the quote is kept."""
    said = "i pay thirty five dollars a month for the climbing club not bad"
    turn = " ".join(x for x in (lead, said, tail) if x)
    lines = _lines(("user2", "how's the money side of things"), ("user1", turn))
    found = locate_cue(lines, CueFacts("CFC", semantic_cue="Jo says: 'I pay thirty-five dollars a month for the climbing "
                                                           "club, not bad.' The Wallet says 14.99."))
    first, last = _run_of(turn, said)
    assert found.how == "quote+words:asr" and found.text == said and found.confidence == 1.0
    end = lines[1].end_s if last == len(turn.split()) - 1 else lines[1].start_s + PER_WORD * last + 0.8 * PER_WORD
    assert (found.window.start_s, found.window.end_s) == (pytest.approx(lines[1].start_s + PER_WORD * first),
                                                          pytest.approx(end))


def test_two_quoted_passages_in_a_run_on_turn_are_kept_together():
    turn = "um yeah so it's b a two one nine and it lands oh six forty tomorrow i think"
    lines = _lines(("user2", "which flight is it"), ("user1", turn))
    found = locate_cue(lines, CueFacts("CFC", semantic_cue='She gives the flight as "B-A two-one-nine" landing "oh-six-forty".'))
    assert found.text == "b a two one nine and it lands oh six forty" and found.lines == (1,)
