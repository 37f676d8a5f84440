"""The digital-context walker: differently shaped JSON gives the same typed facts."""

import datetime as dt

from provoice_live.agents.offline.understanding.context import facts_from_context, field_role
from provoice_live.agents.offline.understanding.fact_check import check

NOW = {"current_datetime": "2024-10-07 08:40"}


def _one(ctx, title):
    found = [f for f in facts_from_context(ctx) if f.title == title]
    assert found, [f.title for f in facts_from_context(ctx)]
    return found[0]


def test_the_same_event_in_four_layouts():
    layouts = [
        {"app_states": {"Calendar": {"context": "", "state": {"events": [
            {"event_id": "e1", "title": "Choir rehearsal", "start_datetime": "2024-10-09 18:30", "location": "St Anne's hall"}]}}}},
        {"app_states": {"Agenda": [{"what": "Choir rehearsal", "when": "2024-10-09T18:30:00", "where": "St Anne's hall"}]}},
        {"Diary": {"entries": [{"name": "Choir rehearsal", "start": {"date": "2024-10-09", "time": "18:30"},
                                "venue": "St Anne's hall"}]}},
        {"app_states": {"Plans": {"week": {"wednesday": [{"subject": "Choir rehearsal", "startsAt": "2024-10-09 18:30",
                                                          "address": "St Anne's hall"}]}}}},
    ]
    for ctx in layouts:
        ctx = {**ctx, "datetime_info": NOW}
        f = _one(ctx, "Choir rehearsal")
        assert (f.kind, f.start, f.has_time, f.location) == ("event", dt.datetime(2024, 10, 9, 18, 30), True, "St Anne's hall")


def test_messages_nested_under_other_keys_are_read_relative_to_when_they_were_sent():
    ctx = {"app_states": {"Chat": {"threads": [{"with": "Marco", "log": [
        {"from": "Marco", "at": "2024-10-06 21:10", "text": "Practice moved to tomorrow, 8pm at the community centre"}]}]}},
        "datetime_info": NOW}
    f = [f for f in facts_from_context(ctx) if f.kind == "text"][0]
    assert f.people == ("Marco",) and f.start is None
    assert [d.date for d in f.days] == [dt.date(2024, 10, 7)]  # "tomorrow" of the message, not of now
    assert f.location == "community centre"


def test_orders_bills_and_health_profiles():
    ctx = {"app_states": {
        "Shop": {"orders": [{"order_no": "A-5531", "item": "Standing desk", "total": "£329.00", "expected": "2024-10-10"}]},
        "Bills": [{"payee": "Northern Water", "amount_due": 64.20, "due": "2024-10-15"}],
        "Health": {"profile": {"allergies": ["penicillin"], "conditions": ["asthma"]}}}, "datetime_info": NOW}
    desk = _one(ctx, "Standing desk")
    assert desk.amounts == (329.0,) and desk.start == dt.datetime(2024, 10, 10)
    water = _one(ctx, "Northern Water")
    assert water.amounts == (64.2,) and water.start == dt.datetime(2024, 10, 15)
    profile = [f for f in facts_from_context(ctx) if f.constraints]
    assert any("penicillin" in c for f in profile for c in f.constraints)


def test_bookkeeping_stamps_and_ids_are_not_when_things_happen():
    assert field_role("last_updated", "2024-10-01 10:00") is None
    assert field_role("created_at", "2024-10-01 10:00") is None
    assert field_role("event_id", "abc") is None
    assert field_role("due", "2024-10-15") == "start" and field_role("amount_due", 64.2) == "amount"
    assert field_role("from", "Marco") == "people"


def test_a_contradiction_found_through_an_unfamiliar_layout():
    ctx = {"app_states": {"Shop": {"orders": [{"item": "Standing desk", "total": "£329.00"}]}}, "datetime_info": NOW}
    c = check("The standing desk was only two hundred and twenty quid.", facts_from_context(ctx), None)
    assert c is not None and c.attribute == "amount" and "329" in c.truth
    assert check("The standing desk was 329 pounds.", facts_from_context(ctx), None) is None
