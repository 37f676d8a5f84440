"""CFC, Context Fact Checking: User1 states a fact that the app states record.

Every template is a `Fact`: a setup that writes the record into the app states and draws the true
value and a wrong one (a time, a date, a place, a name, an amount, a health fact), statements that
carry `{val}`, and the correction. A positive states the wrong value; a negative states the true
one (often in other words than the record: "half past two" for 14:30), and its context often holds
a distractor carrying the wrong value elsewhere, so matching a number is not enough. The statement
is User1's and carries role "cue" on both labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from . import apps, pools
from .base import Draft, Draw, Person, clock, date_written, template, u1, u2

TRAILERS = ("Okay, great.", "Perfect.", "Oh, nice.", "Got it.", "Sounds good.", "Alright then.")
# The tool offered with each app's record (CFC answers are spoken corrections; the tool list just
# matches the scene).
APP_TOOLS = {"Calendar": "calendar_event", "Messaging": "communication", "Notes": "note_taking",
             "Health": "search", "Shopping": "shop", "Reminders": "temporal_attention", "Wallet": "financial_query"}
CORRECTION_HEADS = ("Actually, ", "Just a heads-up: ", "Sorry to interrupt, but ", "Quick correction: ", "")


@dataclass(frozen=True)
class Fact:
    name: str
    summary: str
    kind: str  # what is contradicted: time, date, place, name, amount, fact
    setup: Callable[[Draw, apps.Context, Person], dict[str, Any]]  # must set "true", "wrong", "record"
    statements: tuple[str, ...]  # User1 lines with {val}
    correction: str  # the response body, with {true} and {wrong} and the slots
    leads: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    app: str = "Calendar"


def build_fact(f: Fact, d: Draw, label: bool) -> Draft:
    c = apps.cast(d, f.setup, user2_p=0.65)
    ctx, user1, user2, slots = c.ctx, c.user1, c.user2, c.slots
    lines = apps.lead_in(d, c, [x.format(**slots) for x in f.fillers], f.leads)
    val = slots["wrong_said"] if label else slots["true_said"]
    key = d.say(f.statements, val=val, **slots)
    lines.append(u1(key, "cue"))
    if user2 and d.chance(0.35):
        lines.append(u2(d.pick(TRAILERS)))
    if label:
        response = d.pick(CORRECTION_HEADS) + f.correction.format(**slots)
        response = response[:1].upper() + response[1:]
        cue = (f"{user1.first} says: '{key}' This contradicts the {f.app} record ({slots['record']}): "
               f"the {f.kind} is {slots['true']}, not {slots['wrong']}.")
    else:
        response = ""
        cue = f"{user1.first} says: '{key}' This agrees with the {f.app} record ({slots['record']}); nothing to correct."
    who = f"chatting with {user2.first}" if user2 else "talking to themself"
    semantic = f"{user1.first} is {who} about {ctx.theme}. {cue}"
    return Draft(user1=user1, user2=user2, lines=lines, context=ctx, semantic_cue=semantic, tools=[APP_TOOLS[f.app]],
                 gt_response=response, ambient=d.pick(("home", "cafe", "street")),
                 slots={"kind": f.kind, **{k: v for k, v in slots.items() if isinstance(v, str)}})


# --- setups: each sets true/wrong (written), true_said/wrong_said (spoken) and record --------
def _appointment(d: Draw, ctx: apps.Context) -> tuple[str, Any, str]:
    title = d.pick(("dentist appointment", "team offsite", "physio session", "parent-teacher meeting",
                    "yoga class", "haircut", "job interview", "car service", "vet appointment", "budget review"))
    dt = d.future(ctx.now, days=(1, 5), hours=(9, 18))
    place = d.pick(pools.VENUES)
    return title, dt, place


def _event_time(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    title, dt, place = _appointment(d, ctx)
    apps.event(ctx, title.capitalize(), dt, 60, place)
    wrong = d.shifted_time(dt)
    if d.chance(0.5):  # another event at the wrong time: a number match is not enough
        apps.event(ctx, d.pick(("Call with the bank", "Gym session", "Pick up parcel")),
                   wrong + timedelta(days=d.pick((1, 2))), 30, "")
    return {"title": title, "day": d.day_said(ctx.now, dt), "true": clock(dt), "wrong": clock(wrong),
            "true_said": d.time_said(dt), "wrong_said": d.time_said(wrong),
            "record": f"'{title.capitalize()}' on {date_written(dt)} at {clock(dt)}"}


def _event_day(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    title, dt, place = _appointment(d, ctx)
    apps.event(ctx, title.capitalize(), dt, 60, place)
    wrong = d.shifted_day(ctx.now, dt)
    true_said, wrong_said = d.day_said(ctx.now, dt), d.day_said(ctx.now, wrong)
    return {"title": title, "time": d.time_said(dt), "true": date_written(dt), "wrong": date_written(wrong),
            "true_said": true_said, "wrong_said": wrong_said,
            "record": f"'{title.capitalize()}' on {date_written(dt)} at {clock(dt)}"}


def _event_place(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    title, dt, place = _appointment(d, ctx)
    apps.event(ctx, title.capitalize(), dt, 60, place)
    wrong = d.other(pools.VENUES, place)
    return {"title": title, "day": d.day_said(ctx.now, dt), "true": place, "wrong": wrong,
            "true_said": place, "wrong_said": wrong,
            "record": f"'{title.capitalize()}' at {place} on {date_written(dt)}"}


PARTS = (("morning", 9, 11), ("afternoon", 13, 16), ("evening", 18, 20))


def _availability(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    busy, free = d.sample(PARTS, 2)
    dt = d.future(ctx.now, days=(1, 4), hours=(busy[1], busy[2]))
    title = d.pick(("Client workshop", "Moving boxes with Sam", "Flu shot", "Project kickoff", "Driving lesson"))
    apps.event(ctx, title, dt, 120, d.pick(pools.VENUES))
    day = "tomorrow" if (dt.date() - ctx.now.date()).days == 1 else date_written(dt).split(",")[0]
    return {"day": day, "true": f"busy in the {busy[0]}", "wrong": f"free in the {busy[0]}",
            "true_said": f"{day} {free[0]}", "wrong_said": f"{day} {busy[0]}",
            "busy": f"'{title}' {day} at {clock(dt)}",
            "record": f"'{title}' on {date_written(dt)} at {clock(dt)}"}


def _attendee(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    who, other = d.person(), d.person()
    dt = d.future(ctx.now, days=(1, 4), hours=(12, 13))
    place = d.pick(pools.RESTAURANTS)[0]
    apps.event(ctx, f"Lunch with {who.first}", dt, 60, place, [who.full])
    if d.chance(0.5):
        apps.messages(ctx, other.full, [(other.full, "Lunch sometime next month?"), ("Me", "Sure, let's find a date.")],
                      ctx.now - timedelta(days=3))
    return {"day": d.day_said(ctx.now, dt), "place": place, "true": who.first, "wrong": other.first,
            "true_said": who.first, "wrong_said": other.first,
            "record": f"'Lunch with {who.first}' on {date_written(dt)} at {place}"}


def _message_place(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    friend = d.person()
    place, wrong = d.sample(pools.VENUES, 2)
    dt = d.future(ctx.now, days=(1, 3), hours=(10, 19))
    apps.messages(ctx, friend.full, [(friend.full, f"Let's meet at {place}, {date_written(dt)} at {clock(dt)}?"),
                                     ("Me", "Perfect, see you there!")], ctx.now - timedelta(hours=d.randint(2, 30)))
    return {"friend": friend.first, "day": d.day_said(ctx.now, dt), "true": place, "wrong": wrong,
            "true_said": place, "wrong_said": wrong, "record": f"{friend.first}'s message: meet at {place}"}


def _bring(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    friend = d.person()
    mine, theirs = d.sample(("the drinks", "dessert", "the salad", "the music speaker", "the plates",
                             "the bread", "a cake", "the games"), 2)
    apps.messages(ctx, friend.full, [(friend.full, f"For Saturday: I'll bring {theirs}, can you bring {mine}?"),
                                     ("Me", "Deal!")], ctx.now - timedelta(days=1))
    return {"friend": friend.first, "true": theirs, "wrong": mine, "true_said": theirs, "wrong_said": mine,
            "record": f"{friend.first} wrote they will bring {theirs} and asked the user to bring {mine}"}


def _owe(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    friend = d.person()
    amount = d.pick((25, 30, 45, 60, 80, 120))
    wrong = d.other((25, 30, 45, 60, 80, 120, 150, 20), amount)
    what = d.pick(("the concert tickets", "the cabin weekend", "the birthday gift", "the taxi"))
    apps.note(ctx, "Money", f"Owe {friend.first} ${amount} for {what}.", ctx.now - timedelta(days=d.randint(1, 9)))
    return {"friend": friend.first, "what": what, "true": f"${amount}", "wrong": f"${wrong}",
            "true_said": f"{amount} dollars", "wrong_said": f"{wrong} dollars",
            "record": f"note 'Owe {friend.first} ${amount} for {what}'"}


def _delivery(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    item = d.pick(("new headphones", "desk chair", "blender", "running shoes", "bookshelf", "coffee grinder"))
    dt = d.future(ctx.now, days=(1, 5))
    wrong = d.shifted_day(ctx.now, dt)
    apps.order(ctx, item.capitalize(), "shipped", dt, d.pick((49.9, 129.0, 89.5, 240.0)))
    return {"item": item, "true": date_written(dt), "wrong": date_written(wrong),
            "true_said": d.day_said(ctx.now, dt), "wrong_said": d.day_said(ctx.now, wrong),
            "record": f"the order of {item} arrives {date_written(dt)}"}


ALLERGENS = (("peanuts", "the peanut satay"), ("shellfish", "the shrimp pasta"), ("dairy", "the cheese board"),
             ("gluten", "the fresh bread"), ("eggs", "the carbonara"))


def _allergy(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    allergen, dish = d.pick(ALLERGENS)
    ctx.put("Health", "allergies", [allergen])
    ctx.put("Health", "conditions", [d.pick(("mild asthma", "none", "high blood pressure"))])
    return {"allergen": allergen, "dish": dish, "true": f"allergic to {allergen}", "wrong": "no allergies",
            "true_said": d.pick((f"I can't have {allergen}, so I'll skip {dish}", f"I'm allergic to {allergen}, so no {dish} for me")),
            "wrong_said": d.pick((f"I'm not allergic to anything, so {dish} is fine", f"I don't have any allergies, {dish} sounds great")),
            "record": f"allergies: {allergen}"}


MEDS = ("metformin", "vitamin D", "lisinopril", "iron tablets", "antibiotics")
DOSES = ("once a day", "twice a day", "three times a day")


def _dose(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    med = d.pick(MEDS)
    true = d.pick(DOSES)
    wrong = d.other(DOSES, true)
    ctx.put("Health", "medications", [{"name": med, "dose": d.pick(("500 mg", "1 tablet", "10 mg")), "schedule": true}])
    return {"med": med, "true": true, "wrong": wrong, "true_said": true, "wrong_said": wrong,
            "record": f"{med}, {true}"}


def _flight(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    city = d.pick(pools.CITIES)
    dt = d.future(ctx.now, days=(1, 6), hours=(6, 21), minutes=(0, 15, 30, 45))
    wrong = d.shifted_time(dt, 1, 3)
    apps.event(ctx, f"Flight to {city}", dt, 150, "Airport terminal 2")
    return {"city": city, "day": d.day_said(ctx.now, dt), "true": clock(dt), "wrong": clock(wrong),
            "true_said": d.time_said(dt), "wrong_said": d.time_said(wrong),
            "record": f"'Flight to {city}' on {date_written(dt)} at {clock(dt)}"}


def _rent(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    bill = d.pick(("rent", "the electricity bill", "the phone bill", "the credit card bill", "the water bill"))
    dt = d.future(ctx.now, days=(1, 6))
    wrong = d.shifted_day(ctx.now, dt)
    apps.reminder(ctx, f"Pay {bill}", dt)
    return {"bill": bill, "true": date_written(dt), "wrong": date_written(wrong),
            "true_said": d.day_said(ctx.now, dt), "wrong_said": d.day_said(ctx.now, wrong),
            "record": f"reminder 'Pay {bill}' due {date_written(dt)}"}


def _subscription(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    payee = d.pick(("the gym", "the streaming service", "the climbing club", "the music app", "the cloud storage"))
    amount = d.pick((9.99, 14.99, 29.0, 45.0, 59.0))
    wrong = d.other((9.99, 14.99, 19.99, 29.0, 35.0, 45.0, 59.0, 75.0), amount)
    for k in range(1, 3):
        apps.transaction(ctx, payee.replace("the ", "").title(), amount, ctx.now - timedelta(days=30 * k))
    def said(x: float) -> str:
        return f"{x:g} dollars" if x == int(x) else f"{x:.2f} dollars"
    return {"payee": payee, "true": f"${amount:.2f} a month", "wrong": f"${wrong:.2f} a month",
            "true_said": said(amount), "wrong_said": said(wrong),
            "record": f"monthly payments of ${amount:.2f} to {payee.replace('the ', '').title()}"}


def _address(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    friend = d.person()
    street, wrong = d.sample(pools.STREETS, 2)
    num = d.randint(3, 80)
    dt = d.future(ctx.now, days=(1, 5), hours=(18, 20))
    apps.messages(ctx, friend.full, [(friend.full, f"Party at mine, {date_written(dt)} from {clock(dt)}! {num} {street}."),
                                     ("Me", "Can't wait!")], ctx.now - timedelta(days=2))
    return {"friend": friend.first, "day": d.day_said(ctx.now, dt), "true": f"{num} {street}", "wrong": f"{num} {wrong}",
            "true_said": street, "wrong_said": wrong, "record": f"{friend.first}'s invitation: {num} {street}"}


FACTS: tuple[Fact, ...] = (
    Fact("cfc_event_time", "the time of an appointment", "time", _event_time,
         ("My {title} is {day} at {val}, so I can't do lunch.",
          "I've got the {title} at {val} {day}, then I'm free.",
          "Don't worry, the {title} {day} isn't until {val}."),
         "your calendar has the {title} {day} at {true}, not {wrong}.",
         ("Are you around {day}?", "What's your day looking like {day}?"),
         ("I still have to prepare some things.", "It's been a long week.")),
    Fact("cfc_event_day", "the day of an appointment", "date", _event_day,
         ("The {title} is {val} at {time}, right? I think so.",
          "I've got my {title} {val}, at {time}.",
          "Oh, {val} is my {title}, {time}."),
         "your calendar shows the {title} on {true}, not {wrong}.",
         ("When's your {title} again?", "Didn't you have something on this week?"),
         ("I keep mixing up my days.", "This week is packed.")),
    Fact("cfc_event_place", "where an appointment is", "place", _event_place,
         ("The {title} {day} is at {val}, so I'll take the bus.",
          "I need to be at {val} {day} for the {title}.",
          "My {title} is at {val}, it's easy to get to."),
         "your calendar lists the {title} at {true}, not {wrong}.",
         ("Where's your {title}?", "How are you getting there {day}?"),
         ("I hate being late.", "I should check the traffic.")),
    Fact("cfc_availability", "being free at a time the calendar is busy", "availability", _availability,
         ("Yeah, I'm totally free {val}, let's do it!",
          "{val} works, I've got nothing on then.",
          "I'm free {val}, so count me in."),
         "you have {busy}, so you're {true}, not free.",
         ("Want to grab coffee this week?", "Can you help me move some furniture?", "Are you free sometime soon?"),
         ("It's been ages since we hung out.", "We should catch up properly.")),
    Fact("cfc_attendee", "who a lunch in the calendar is with", "name", _attendee,
         ("I'm having lunch with {val} {day} at {place}.",
          "{day} I'm at {place} with {val}, long overdue.",
          "Lunch {day}? Can't, I'm meeting {val}."),
         "your calendar says the lunch at {place} {day} is with {true}, not {wrong}.",
         ("Lunch {day}?", "Who are you seeing this week?"),
         ("{place} has great soup.", "I've been eating at my desk too much.")),
    Fact("cfc_meeting_place", "where a friend said to meet", "place", _message_place,
         ("{friend} said to meet at {val} {day}.",
          "I'm meeting {friend} at {val} {day}, that's what we agreed.",
          "We're meeting at {val}, {friend} picked it."),
         "{friend}'s message says to meet at {true}, not {wrong}.",
         ("Where are you meeting {friend}?", "Are you seeing {friend} soon?"),
         ("{friend} is always on time.", "I haven't seen {friend} in weeks."), "Messaging"),
    Fact("cfc_bring", "who brings what to a party", "fact", _bring,
         ("{friend} is bringing {val}, so we're covered there.",
          "Don't worry about {val}, {friend} said they'd handle it.",
          "{friend} has {val} sorted for Saturday."),
         "{friend}'s message says they bring {true} and asked you to bring {wrong}.",
         ("What do we still need for Saturday?", "Is the party all planned?"),
         ("It's going to be a great party.", "I hope the weather holds."), "Messaging"),
    Fact("cfc_owe", "how much is owed to a friend", "amount", _owe,
         ("I owe {friend} {val} for {what}, I should pay it back.",
          "Right, {val} to {friend} for {what}.",
          "It was {val} I owe {friend}, for {what}."),
         "your note says you owe {friend} {true} for {what}, not {wrong}.",
         ("Did you ever pay {friend} back?", "How much was {what} in the end?"),
         ("Money is tight this month.", "{what} was totally worth it."), "Notes"),
    Fact("cfc_delivery", "when an order arrives", "date", _delivery,
         ("My {item} should arrive {val}.",
          "The {item} will be delivered {val}, I'll be home for it.",
          "They said the {item} will get here {val}."),
         "your order shows the {item} arriving on {true}, not {wrong}.",
         ("When does your order come?", "Did you end up ordering it?"),
         ("I love online shopping a bit too much.", "The tracking page is so confusing."), "Shopping"),
    Fact("cfc_allergy", "a food allergy recorded in the health app", "fact", _allergy,
         ("{val}.", "Honestly, {val}.", "Oh, don't worry about me: {val}."),
         "your health profile says you're {true}, so {dish} may not be safe.",
         ("Anything you can't eat?", "Should we get {dish} to share?"),
         ("This menu is huge.", "Everything looks so good."), "Health"),
    Fact("cfc_dose", "how often a medication is taken", "amount", _dose,
         ("I take my {med} {val}, it's easy to remember.",
          "The doctor said {med} {val}, so I'm fine.",
          "It's {val} for the {med}."),
         "your health app says {med} {true}, not {wrong}.",
         ("How's the new medication going?", "Do you need to take something with dinner?"),
         ("I feel much better lately.", "The pharmacy was packed."), "Health"),
    Fact("cfc_flight", "the departure time of a flight", "time", _flight,
         ("My flight to {city} leaves at {val} {day}.",
          "I fly out {day}, {val}, to {city}.",
          "The {city} flight is at {val}, so I'll leave home early."),
         "your calendar has the flight to {city} {day} at {true}, not {wrong}.",
         ("When do you fly out?", "What time is your flight?"),
         ("I still need to check in online.", "I hope I get a window seat.")),
    Fact("cfc_bill_due", "when a bill is due", "date", _rent,
         ("{bill} isn't due until {val}, I've got time.",
          "I'll pay {bill} {val}, that's when it's due.",
          "{bill} is due {val}, right."),
         "your reminder says {bill} is due on {true}, not {wrong}.",
         ("Have you paid {bill} yet?", "Bills all sorted this month?"),
         ("Everything is so expensive.", "I should set up automatic payments."), "Reminders"),
    Fact("cfc_subscription", "how much a subscription costs", "amount", _subscription,
         ("{payee} costs me {val} a month.",
          "I pay {val} a month for {payee}, not bad.",
          "It's only {val} for {payee} each month."),
         "your payments show {true} to {payee}, not {wrong}.",
         ("Is {payee} worth it?", "How much do you pay for {payee}?"),
         ("I should cancel some subscriptions.", "I use it almost every day."), "Wallet"),
    Fact("cfc_party_address", "the street of a party", "place", _address,
         ("{friend}'s party is on {val}, {day}.",
          "The party {day} is at {friend}'s place on {val}.",
          "{friend} lives on {val} now, that's where the party is."),
         "{friend}'s invitation gives the address as {true}, not {wrong}.",
         ("Where's {friend}'s party?", "Are you going to {friend}'s thing {day}?"),
         ("I need to get a gift.", "{friend} throws the best parties."), "Messaging"),
)


def _register(f: Fact) -> None:
    template("CFC", f.name, f.summary)(lambda d, label: build_fact(f, d, label))


for _f in FACTS:
    _register(_f)
