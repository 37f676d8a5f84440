"""LTM, Latent Topic Monitor: User1 asks the agent to watch for a topic; User2 talks.

Every template is a `Watch`: a topic the user names as a CATEGORY ("dining plans"), what to do when
it comes up, lines that hit it by paraphrase (positive) and lines that talk near it without hitting
it (negative: cooking at home is not a dinner plan, a past birthday is not an upcoming one). The
script: User1's instruction (role "instruction"), optional greeting and chatter, the trigger or the
near miss (role "cue" on both labels), optional trailing chatter. The trigger is User2's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from . import apps, pools
from .base import Action, Draft, Draw, Person, chatter, clock, date_written, template, u1, u2

INSTRUCTIONS = (
    "If anyone mentions {category}, {action}.",
    "When you hear any mention of {category} in my conversations, {action}.",
    "Keep an ear out for {category}. If you hear about it, {action}.",
    "Hey, I'm about to talk with {u2}. If the talk turns to {category}, {action}.",
    "Listen in while I chat. Should anyone bring up {category}, please {action}.",
    "Monitor my conversation for {category}, and when you hear it, {action}.",
    "Quick favour: stay quiet, but if someone talks about {category}, {action}.",
    "From now on, whenever someone talks about {category}, {action}.",
)
GREETINGS = (
    "Hey {u2}, good to see you! How's everything?",
    "Hi {u2}, sorry I'm late. What's new?",
    "{u2}! Come sit down. How was your week?",
    "So {u2}, tell me everything, how have you been?",
)
TRAILERS = ("Oh, nice.", "Really? Tell me more.", "Huh, okay.", "Interesting.", "Ha, classic.", "Wait, seriously?")


@dataclass(frozen=True)
class Watch:
    name: str
    summary: str
    categories: tuple[str, ...]
    actions: tuple[Action, ...]
    triggers: tuple[str, ...]  # User2 lines that hit the category (paraphrase, slots filled)
    near_misses: tuple[str, ...]  # User2 lines near the topic that do not hit it
    fillers: tuple[str, ...]  # topical small talk
    slots: Callable[[Draw, apps.Context, Person], dict[str, Any]]
    ambient: tuple[str, ...] = ("cafe", "home", "street")


def _when(d: Draw, now: datetime, days=(1, 6), hours=(17, 20)) -> dict[str, Any]:
    dt = d.future(now, days=days, hours=hours)
    return {"day": d.day_said(now, dt), "time": d.time_said(dt), "when_w": f"{date_written(dt)} {clock(dt)}",
            "dt": dt}


def build_watch(w: Watch, d: Draw, label: bool) -> Draft:
    c = apps.cast(d, lambda d, ctx, me: w.slots(d, ctx, me), user2_p=1.0, distractors=((1, 3), (0, 2), (0, 1)))
    ctx, user1, user2, slots = c.ctx, c.user1, c.user2, c.slots
    category = d.pick(w.categories).format(**slots)
    action = d.pick(w.actions)
    instruction = d.say(INSTRUCTIONS, category=category, action=action.phrase.format(**slots), u2=user2.first)
    lines = [u1(instruction, "instruction")]
    if d.chance(0.5):
        lines.append(u1(d.say(GREETINGS, u2=user2.first)))
    lines += chatter(d, d.randint(1, 4), ["user2", "user1"], [f.format(**slots) for f in w.fillers])
    key = d.say(w.triggers if label else w.near_misses, **slots)
    said = {ln.text for ln in lines}
    unused = [t for t in (f.format(**slots) for f in w.fillers) if t not in said]
    if unused and d.chance(0.35):  # one long turn: a filler sentence, then the key sentence
        key = d.say(unused) + " " + key
    lines.append(u2(key, "cue"))
    if d.chance(0.4):
        lines.append(u1(d.pick(TRAILERS)))
        if d.chance(0.5):
            lines.append(u2(d.pick(pools.SMALL_TALK)))
    if label:
        response = action.response.format(**slots)
        calls = action.call(slots)
        cue_text = f"{user2.first} says: '{key}' This is {category}: the assistant acts on the request ('{action.phrase.format(**slots)}')."
    else:
        response, calls = "", []
        cue_text = f"{user2.first} talks near the topic ('{key}') but never brings up {category}; the assistant stays silent."
    semantic = (f"{user1.first} asked the assistant to watch for {category} while talking with {user2.first} "
                f"about {ctx.theme}. {cue_text}")
    tools = [a.tool for a in w.actions if a.tool]
    return Draft(user1=user1, user2=user2, lines=lines, context=ctx, semantic_cue=semantic, tools=tools,
                 instruction=instruction, gt_response=response, gt_tool_calls=calls,
                 ambient=d.pick(w.ambient), slots={k: v for k, v in slots.items() if isinstance(v, str)})


# --- the watches -----------------------------------------------------------------------------
def _dining(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    rest, cuisine = d.pick(pools.RESTAURANTS)
    return {"rest": rest, "cuisine": cuisine, "friend": d.person().first, **_when(d, ctx.now)}


def _trip(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    dt = ctx.now + timedelta(days=d.randint(20, 90))
    return {"city": d.pick(pools.CITIES), "month": dt.strftime("%B"), "reason": d.pick(
        ("a wedding", "a conference", "my cousin's graduation", "a long weekend", "a music festival"))}


def _money(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    amount = d.pick((40, 60, 75, 120, 150, 200, 250, 300))
    return {"amount": f"{amount} dollars", "amount_w": f"${amount}", "thing": d.pick(
        ("the concert tickets", "the cabin deposit", "the group gift", "the taxi to the airport", "the electricity bill"))}


def _person(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    target, other = d.person(), d.person()
    apps.messages(ctx, target.full, [(target.full, "Call me back when you can, it's about the trip."),
                                     ("Me", "Will do, busy week!")], ctx.now - timedelta(days=2))
    return {"target": target.first, "target_full": target.full, "other": other.first,
            "place": d.pick(("the gym", "the supermarket", "the station", "the farmers market", "a party"))}


def _job(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    return {"role": d.pick(("data analyst", "product designer", "project manager", "backend developer",
                            "marketing lead", "lab technician")),
            "company": d.pick(("Northwind", "Brightline", "Helix Labs", "Bluepeak", "Orchard Health"))}


def _concert(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    return {"band": d.pick(("The Lanterns", "Midnight Ferry", "Velvet Static", "Paper Kites Club", "Nora Vale")),
            "venue": d.pick(("Harbor Hall", "the Arena", "the open-air stage", "the Roxy")), **_when(d, ctx.now, (3, 20))}


def _flat(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    rent = d.pick((1100, 1250, 1400, 1600, 1850))
    return {"street": d.pick(pools.STREETS), "rooms": d.pick(("one", "two", "three")), "rent": f"{rent} a month"}


def _pet(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    return {"pet": d.pick(("Biscuit", "Luna", "Pepper", "Milo", "Ziggy")),
            "kind": d.pick(("dog", "cat", "rabbit")), **_when(d, ctx.now, (2, 9), (8, 10))}


def _ride(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    return {"venue": d.pick(pools.VENUES), **_when(d, ctx.now, (1, 5), (8, 18))}


def _birthday(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    who = d.person()
    dt = ctx.now + timedelta(days=d.randint(2, 12))
    return {"who": who.first, "age": d.pick(("thirty", "forty", "twelve", "sixty", "eight")),
            "bday": d.day_said(ctx.now, dt), "bday_w": date_written(dt), "Pron": who.pronoun.capitalize(),
            "pron": who.pronoun}


def _outdoor(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    city = d.pick(pools.CITIES)
    ctx.put("Maps", "maps", {"home_location": f"{d.randint(2, 90)} {d.pick(pools.STREETS)}, {city}",
                             "current_location": f"{d.randint(2, 90)} {d.pick(pools.STREETS)}, {city}"})
    return {"city": city, "spot": d.pick(("the lake trail", "the coast path", "the botanical garden",
                                          "Eagle Ridge", "the river park")),
            **dict(zip(("doing", "act"), d.pick((("hiking", "go hiking"), ("a picnic", "have a picnic"),
                                                ("a bike ride", "go for a bike ride"), ("kayaking", "go kayaking"))))),
            **_when(d, ctx.now, (1, 5), (9, 14))}


def _show(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    return {"title": d.pick(("The Glass Orchard", "Northern Line", "Salt and Cedar", "A Quiet Harbour",
                             "The Last Cartographer", "Small Hours")),
            "medium": d.pick(("show", "book", "podcast", "film"))}


def _deadline(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    project = d.pick(("quarterly report", "grant proposal", "website launch", "client pitch", "thesis draft"))
    old = d.future(ctx.now, days=(2, 6), hours=(12, 17))
    apps.event(ctx, f"{project.capitalize()} due", old, 30, "Online")
    new = old + timedelta(days=d.randint(2, 7))
    return {"project": project, "newday": d.day_said(ctx.now, new, bare=True), "new_w": date_written(new)}


def _sick(d: Draw, ctx: apps.Context, u2p: Person) -> dict[str, Any]:
    who = d.person()
    return {"who": who.first, "pron": who.pronoun, "Pron": who.pronoun.capitalize(),
            "illness": d.pick(("the flu", "a bad cold", "a chest infection", "a stomach bug"))}


WATCHES: tuple[Watch, ...] = (
    Watch("ltm_dining", "dining plans mentioned by an interlocutor",
          ("dining plans", "restaurant bookings or dining plans", "plans to eat out", "plans for a dinner out"),
          (Action("add it to my calendar", "{u2} just mentioned dinner at {rest} {day} at {time}. Should I put it in your calendar?",
                  "calendar_event", {"action": "create", "title": "Dinner at {rest}", "time": "{when_w}"}),
           Action("book a table for us", "Sounds like a dinner at {rest} {day} at {time}. Want me to book a table?",
                  "book_service", {"service_type": "restaurant", "details": "Table at {rest}, {when_w}"})),
          ("Oh, by the way, {friend} and I booked a table at {rest} {day} at {time}. You should come!",
           "We're thinking of trying {rest}, that {cuisine} place, {day} at {time}. Want to join us?",
           "Let's grab dinner at {rest} {day}, say around {time}? My treat this time.",
           "A few of us are eating out {day} at {time}, at {rest}. Are you in?"),
          ("We ended up just cooking at home again, pasta, nothing fancy.",
           "I've been trying to eat healthier, lots of salads at my desk lately.",
           "Honestly I've been skipping dinner way too often, just snacking.",
           "The grocery store near me added a prepared food section, it's actually decent.",
           "My mom sent me her {cuisine} recipe book, I still haven't opened it."),
          ("Work has been crazy, I'm barely home before eight.", "{friend} says hi, by the way.",
           "We finally repainted the kitchen last weekend.", "I've been getting into bouldering, it's exhausting."),
          _dining, ("cafe", "street")),
    Watch("ltm_travel", "an interlocutor's upcoming trip abroad",
          ("travel plans", "upcoming trips", "trips or flights"),
          (Action("look up flights for me", "{u2} mentioned a trip to {city} in {month}. Shall I look up flights?",
                  "travel_search", {"type": "flight", "details": "Flights to {city} in {month}"}),
           Action("make a note of it", "{u2} is heading to {city} in {month} for {reason}. Want me to note that down?",
                  "note_taking", {"content": "{u2}: trip to {city} in {month} for {reason}"})),
          ("We're flying out to {city} in {month} for {reason}, I'm so excited.",
           "Guess what, I'm going to {city} in {month}! It's for {reason}.",
           "So {reason} is in {city}, in {month}, and I already told them I'd be there.",
           "I'm taking a week off in {month} to go to {city}, finally."),
          ("I watched a documentary about {city} last night, the architecture looks amazing.",
           "My passport expired years ago, I really haven't been anywhere.",
           "{reason} was online this year, which was a bit of a letdown.",
           "I used to live near the airport, the noise was unbearable.",
           "I have zero vacation days left this year, so I'm staying put."),
          ("My new desk chair finally arrived.", "Have you tried the bakery on the corner?",
           "My brother got a new job, he's moving across town.", "I've been learning Spanish on my phone."),
          _trip),
    Watch("ltm_money", "someone asks to borrow or owes money",
          ("money matters like loans or debts", "money someone owes", "borrowing or lending money"),
          (Action("note it down for me", "{u2} just said {amount} for {thing}. Should I note that down?",
                  "note_taking", {"content": "{u2}: {amount_w} for {thing}", "title": "Money owed"}),),
          ("Could you spot me {amount} for {thing}? I'll pay you back Friday.",
           "Oh, I still owe you {amount} for {thing}, remind me, okay?",
           "I'm a bit short this month. Can I borrow {amount} to cover {thing}?",
           "I covered {thing} for you, so you owe me {amount}, no rush."),
          ("Prices at the supermarket are getting ridiculous.",
           "I finally set up a budget spreadsheet, it's kind of satisfying.",
           "My bank changed its app again, I can't find anything.",
           "We split everything evenly last time, so we're all square.",
           "I'm saving up for a new bike, slowly."),
          ("I started a pottery class, it's so relaxing.", "The weather has been all over the place.",
           "My landlord finally fixed the heating.", "I'm thinking of getting a cat."),
          _money, ("home", "cafe")),
    Watch("ltm_person", "news about a particular person",
          ("{target}", "news about {target}", "anything to do with {target}"),
          (Action("remind me to call {target} back", "{u2} just mentioned {target}. Reminder: you still owe {target} a call back. Want me to set a reminder?",
                  "temporal_attention", {"action": "set", "time": "this evening", "content": "Call {target} back"}),
           Action("remind me that I owe {target} a message", "{target} came up. You still have to reply to {target}'s message. Shall I draft a reply?",
                  "communication", {"action": "message", "target": "{target_full}", "content": "Hi {target}, sorry for the slow reply, let's talk about the trip this week."})),
          ("Oh, I bumped into {target} at {place} yesterday, {target} says hi.",
           "You'll never guess who I saw at {place}. {target}! Looking great.",
           "{target} was asking about you, by the way. We met at {place}.",
           "I had coffee with {target} last week, we talked about you."),
          ("Oh, I bumped into {other} at {place} yesterday, {other} says hi.",
           "You'll never guess who I saw at {place}. {other}! Looking great.",
           "{other} was asking about you, by the way. We met at {place}.",
           "I keep meaning to catch up with old friends, but I never get round to it."),
          ("I've been running in the mornings.", "The new season of that show is out.",
           "My manager is on leave this week, so it's quiet.", "We adopted a plant, it's already dying."),
          _person),
    Watch("ltm_jobs", "a job opening",
          ("job openings", "open positions", "job opportunities"),
          (Action("save the details", "{u2} said {company} is hiring a {role}. Want me to save that in a note?",
                  "note_taking", {"content": "{company} is hiring a {role} (via {u2})", "title": "Job leads"}),),
          ("By the way, {company} is hiring a {role}, you'd be perfect for it.",
           "My team at {company} is looking for a {role}. Want me to pass on your CV?",
           "There's an opening for a {role} at {company}, they want someone soon."),
          ("Work at {company} has been so hectic, everyone's stressed.",
           "I'm thinking about asking for a raise, but I'm nervous.",
           "My cousin just retired after thirty years as a {role}.",
           "{company} had layoffs last year, it was rough.",
           "I don't think I'd ever want to be a {role}, too many meetings."),
          ("I redid my CV template for fun.", "The office coffee machine broke again.",
           "I've been reading about four-day weeks.", "My commute is finally shorter."),
          _job, ("cafe", "street")),
    Watch("ltm_concert", "a concert or show with tickets",
          ("concerts or live shows", "gig tickets", "live music plans"),
          (Action("check my calendar for that day", "{u2} mentioned {band} at {venue} {day}. Should I check your calendar for then?",
                  "calendar_event", {"action": "query", "title": "{band} concert", "time": "{when_w}"}),),
          ("I got two tickets for {band} at {venue}, {day} at {time}. Want to come?",
           "{band} are playing {venue} {day}! We should totally go, it starts at {time}.",
           "There's a {band} gig at {venue} {day} at {time}, my friend has a spare ticket."),
          ("I've been listening to {band} nonstop, their last album is great.",
           "I haven't been to a gig since before the pandemic, honestly.",
           "{venue} is getting renovated, it looks completely different.",
           "I saw {band} years ago, they were incredible back then."),
          ("I'm learning guitar again, very slowly.", "My neighbour plays drums at midnight.",
           "We binged a whole season last weekend.", "I need new headphones."),
          _concert),
    Watch("ltm_flat", "a flat or room for rent",
          ("apartments or rooms for rent", "housing opportunities", "a place to rent"),
          (Action("note the details", "{u2} mentioned a {rooms}-bedroom flat on {street} for {rent}. Shall I note it?",
                  "note_taking", {"content": "{rooms}-bedroom flat on {street}, {rent} (via {u2})", "title": "Flat hunt"}),),
          ("My landlord has a {rooms}-bedroom flat opening on {street}, {rent}. Interested?",
           "A friend is moving out of a {rooms}-bedroom place on {street}, it's {rent}.",
           "There's a {rooms}-bedroom flat free on {street} next month, asking {rent}."),
          ("Rents on {street} have gone up so much, it's crazy.",
           "We just renewed our lease, so we're staying put another year.",
           "I spent the whole weekend assembling furniture.",
           "Our building's lift has been broken for a week."),
          ("I'm trying to cook more at home.", "The park near me has a new playground.",
           "I finally framed those photos.", "My sister is visiting next month."),
          _flat, ("home", "cafe")),
    Watch("ltm_pets", "someone needing help with their pet",
          ("pet sitting", "someone needing help with a pet", "pet sitting requests"),
          (Action("put it in my calendar", "{u2} needs someone to look after {pet} {day}. Want me to add pet sitting to your calendar?",
                  "calendar_event", {"action": "create", "title": "Look after {pet} for {u2}", "time": "{when_w}"}),),
          ("We're away {day}, and I have no idea who'll look after {pet}. Any chance you could?",
           "Could you feed {pet} for me {day}? I'm out of town.",
           "I need someone to check on {pet} {day} in the morning, our sitter cancelled."),
          ("{pet} learned a new trick, it's hilarious.",
           "We took {pet} to the vet for a check-up, all good.",
           "I'm thinking of getting a second {kind}, but it's a lot of work.",
           "{pet} has been sleeping on my laptop all week."),
          ("The weather ruined our barbecue.", "I started a new podcast.", "My knee has been acting up.",
           "We're repainting the hallway."),
          _pet, ("home",)),
    Watch("ltm_ride", "someone needing a lift",
          ("someone needing a ride", "lifts somewhere", "transport trouble"),
          (Action("remind me to offer a lift", "{u2} needs to get to {venue} {day} at {time}. Want me to add a reminder to offer a lift?",
                  "calendar_event", {"action": "create", "title": "Give {u2} a lift to {venue}", "time": "{when_w}"}),),
          ("My car's in the shop, and I have to be at {venue} {day} at {time}. No idea how I'll get there.",
           "Any chance you're driving past {venue} {day}? I need to be there by {time}.",
           "The buses aren't running {day}, and I'm due at {venue} at {time}. Ugh."),
          ("I finally sold my old car, good riddance.",
           "I bike to {venue} most days now, it's faster.",
           "Parking near {venue} is a nightmare, I always walk.",
           "My car passed its inspection, first try."),
          ("I've been sleeping badly.", "Did you see the game on Sunday?", "We're redoing the garden.",
           "Coffee prices keep going up."),
          _ride, ("street", "cafe")),
    Watch("ltm_birthday", "an upcoming birthday",
          ("upcoming birthdays", "a birthday coming up", "birthdays I should know about"),
          (Action("add it to my calendar", "{u2} said it's {who}'s birthday {bday}. Shall I add it to your calendar?",
                  "calendar_event", {"action": "create", "title": "{who}'s birthday", "time": "{bday_w}"}),
           Action("help me find a gift", "{who}'s birthday is {bday}. Want me to look for a gift?",
                  "shop", {"content": "Birthday gift for {who}"})),
          ("Don't forget, it's {who}'s birthday {bday}. {Pron} is turning {age}!",
           "{who} turns {age} {bday}, we're planning a little surprise.",
           "So {bday} is {who}'s birthday, and I have no idea what to get."),
          ("We celebrated {who}'s birthday last month, it was such a fun night.",
           "{who} hates birthdays, {pron} never celebrates.",
           "I found some old photos from {who}'s party years ago.",
           "Birthday cakes have gotten so expensive."),
          ("I've been baking a lot lately.", "The kids have a school trip soon.", "I need a haircut badly.",
           "Our internet was down all weekend."),
          _birthday),
    Watch("ltm_outdoor", "a plan for an outdoor outing",
          ("plans for outdoor activities", "an outing outdoors", "outdoor plans"),
          (Action("check the weather", "{u2} suggested {doing} at {spot} {day}. Shall I check the weather in {city}?",
                  "realtime_weather", {"city": "{city}"}),),
          ("We should {act} at {spot} {day}, if you're up for it.",
           "How about we {act} at {spot} {day}, in the morning? I haven't been in ages.",
           "A few of us want to {act} at {spot} {day}. Join us?"),
          ("I tried to {act} at {spot} last year and got completely lost.",
           "I've been stuck indoors all week with this project.",
           "My hiking boots finally fell apart.",
           "{spot} was on the news, they're building a visitor centre."),
          ("I've been trying a new recipe every week.", "My phone screen cracked again.",
           "Work is slowing down a bit.", "My cousin is staying with me."),
          _outdoor, ("street", "home")),
    Watch("ltm_recommend", "a recommendation of a show, book or film",
          ("recommendations for shows, books or films", "something I should watch or read", "a show or book recommendation"),
          (Action("add it to my list", "{u2} recommended {title}. Want me to add it to your watch list?",
                  "note_taking", {"content": "{title} (recommended by {u2})", "title": "To watch and read"}),
           Action("play it if you can", "{u2} recommended {title}. Shall I play it?",
                  "play_media", {"content": "{title}"})),
          ("You have to check out {title}, it's the best {medium} I've come across all year.",
           "Have you seen {title}? Honestly, go, you'd love it.",
           "My top pick lately is {title}. Trust me on this one."),
          ("I've been watching way too much TV, I need a break from screens.",
           "I stopped reading reviews, they spoil everything.",
           "{title}? I hated it, no idea why people like it.",
           "We cancelled our streaming subscription to save money."),
          ("I went to a pottery class.", "The new bakery opened.", "I've been running again.",
           "My brother's wedding is coming up."),
          _show, ("home", "cafe")),
    Watch("ltm_deadline", "a work deadline being moved",
          ("deadlines being moved", "changes to project deadlines", "new due dates"),
          (Action("update my calendar", "{u2} said the {project} deadline moved to {newday}. Shall I update your calendar?",
                  "calendar_event", {"action": "modify", "title": "{project} due", "time": "{new_w}"}),),
          ("Oh, they pushed the {project} deadline back to {newday}, so we have more time.",
           "Did you hear? The {project} is now due {newday}, not this week.",
           "Good news: the {project} deadline moved to {newday}."),
          ("Deadlines are always stressful around this time of year.",
           "I'm almost done with my part of the {project}.",
           "The {project} is taking forever, I just hope we make it.",
           "My manager loves setting deadlines on Fridays."),
          ("I've been cycling to work.", "We got a new coffee machine.", "My team lunch was fun.",
           "Have you tried that meditation app?"),
          _deadline, ("cafe", "home")),
    Watch("ltm_illness", "someone who has fallen ill",
          ("someone being ill", "friends getting sick", "someone feeling unwell"),
          (Action("suggest a get-well message", "{u2} said {who} has {illness}. Want me to send {who} a get-well message?",
                  "communication", {"action": "message", "target": "{who}", "content": "Get well soon, {who}! Thinking of you."}),),
          ("Did you hear {who} has {illness}? {Pron} has been in bed all week.",
           "{who} couldn't come, {pron} came down with {illness}.",
           "Poor {who} caught {illness}, I dropped off some soup yesterday."),
          ("{who} is finally better after that cold last month, back at the gym.",
           "Flu season is starting, I got my shot yesterday.",
           "I've been taking vitamins, I feel great actually.",
           "{who} ran a half marathon last weekend, so impressive."),
          ("I'm redecorating my bedroom.", "The kids start school next week.", "My laptop is so slow.",
           "I finally booked a holiday."),
          _sick),
)


def _register(w: Watch) -> None:
    template("LTM", w.name, w.summary)(lambda d, label: build_watch(w, d, label))


for _w in WATCHES:
    _register(_w)
