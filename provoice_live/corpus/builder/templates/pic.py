"""PIC, Proactive Intent Capture: User1 lets slip a need that a tool can meet.

Every template is a `Need`: a tool, a setup that draws slots and writes the app states the call
needs (a trip in the calendar gives the city, a meeting gives the attendee), User1 lines that imply
the need without asking (positive), and hard negatives of three kinds: `done` (the task is already
handled), `hypo` (a hypothetical or far-off wish), `chat` (the same topic with no need). The ground
truth is the tool call with arguments from the talk and the context, and a confirmation question.
The key line is User1's and carries role "cue" on both labels; User2 is present or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from . import apps, pools
from .base import Draft, Draw, Person, clock, date_written, template, u1, u2

NEG_KINDS = ("done", "hypo", "chat")
SOLO_OPENERS = ("Okay, let me think.", "Right, where was I.", "Hmm.", "Okay, so.", "Alright.")
TRAILERS = ("Hmm, yeah.", "Good point.", "Fair enough.", "Ha, I know the feeling.", "Okay.", "Oh, right.")


@dataclass(frozen=True)
class Need:
    name: str
    summary: str
    tool: str
    setup: Callable[[Draw, apps.Context, Person], dict[str, Any]]
    positives: tuple[str, ...]
    negatives: dict[str, tuple[str, ...]]
    args: dict[str, str]
    responses: tuple[str, ...]
    leads: tuple[str, ...] = ()  # User2 lines that set the key line up (used when User2 is there)
    fillers: tuple[str, ...] = ()
    ambient: tuple[str, ...] = ("home", "cafe", "street")


def build_need(n: Need, d: Draw, label: bool) -> Draft:
    c = apps.cast(d, n.setup, user2_p=0.6, distractors=((1, 3), (0, 2), (0, 2)))
    ctx, user1, user2, slots = c.ctx, c.user1, c.user2, c.slots
    lines = []
    if not user2 and d.chance(0.5):
        lines.append(u1(d.pick(SOLO_OPENERS)))
    lines += apps.lead_in(d, c, [f.format(**slots) for f in n.fillers], n.leads)
    kind = "need" if label else d.pick([k for k in NEG_KINDS if n.negatives.get(k)])
    key = d.say(n.positives if label else n.negatives[kind], **slots)
    lines.append(u1(key, "cue"))
    if user2 and d.chance(0.3):
        lines.append(u2(d.pick(TRAILERS)))
    if label:
        args = {k: v.format(**slots) for k, v in n.args.items()}
        calls = [{"name": n.tool, "arguments": args}]
        response = d.say(n.responses, **slots)
        cue = f"{user1.first} says: '{key}' This implies a need the {n.tool} tool can meet; the assistant offers it and asks to confirm."
    else:
        calls, response = [], ""
        why = {"done": "the task is already taken care of", "hypo": "it is only a hypothetical",
               "chat": "it is small talk with no need to act on"}[kind]
        cue = f"{user1.first} says: '{key}' No action is needed: {why}."
    who = f" with {user2.first}" if user2 else " alone"
    semantic = f"{user1.first} is talking{who} about {ctx.theme}. {cue}"
    return Draft(user1=user1, user2=user2, lines=lines, context=ctx, semantic_cue=semantic, tools=[n.tool],
                 gt_response=response, gt_tool_calls=calls, ambient=d.pick(n.ambient),
                 slots={"kind": kind, **{k: v for k, v in slots.items() if isinstance(v, str)}})


# --- setups --------------------------------------------------------------------------------
def _trip(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    city = d.pick(pools.CITIES)
    dt = d.future(ctx.now, days=(1, 3), hours=(7, 18))
    apps.event(ctx, f"Trip to {city}", dt, 180, f"{city} central station")
    return {"city": city, "day": d.day_said(ctx.now, dt)}


def _food(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    item, query = d.pick(pools.FOODS_TO_CHECK)
    if d.chance(0.5):
        apps.note(ctx, "Health goals", f"Cut down on sugar; track {query}.", ctx.now - timedelta(days=3))
    return {"item": item, "query": query}


def _late(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    friend = d.person()
    dt = ctx.now + timedelta(minutes=d.pick((15, 20, 30)))
    place = d.pick(pools.VENUES)
    apps.event(ctx, f"Coffee with {friend.first}", dt, 60, place, [friend.full])
    minutes = d.pick(("fifteen", "twenty", "ten"))
    return {"friend": friend.first, "friend_full": friend.full, "place": place, "time": d.time_said(dt),
            "minutes": minutes, "obj": friend.object}


def _directions(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    title = d.pick(("Physio appointment", "Design workshop", "Parent-teacher meeting", "Job interview",
                    "Vet appointment", "Tax advisor meeting"))
    location = f"{d.randint(3, 120)} {d.pick(pools.STREETS)}"
    dt = d.future(ctx.now, days=(0, 1), hours=(ctx.now.hour + 1 if ctx.now.hour < 20 else 20, 21))
    apps.event(ctx, title, dt, 60, location)
    return {"title": title.lower(), "location": location, "time": d.time_said(dt), "day": d.day_said(ctx.now, dt)}


def _restaurant(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    rest, cuisine = d.pick(pools.RESTAURANTS)
    dt = ctx.now.replace(hour=d.pick((19, 20)), minute=d.pick((0, 30)))
    n = d.pick((2, 3, 4, 5))
    return {"rest": rest, "cuisine": cuisine, "n": str(n), "n_w": ("two", "three", "four", "five")[n - 2],
            "time": d.time_said(dt), "when_w": f"tonight {clock(dt)}"}


def _taxi(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    city = d.pick(pools.CITIES)
    dt = (ctx.now + timedelta(days=1)).replace(hour=d.pick((5, 6)), minute=d.pick((0, 30)))
    apps.event(ctx, f"Flight to {city}", dt + timedelta(hours=2), 150, "City airport, terminal 2")
    pickup = dt - timedelta(hours=1)
    return {"city": city, "at": d.time_said(dt), "pickup_w": f"tomorrow {clock(pickup)}"}


def _bill(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    total = d.pick((86.40, 123.50, 97.20, 154.80, 212.00, 68.90))
    n = d.pick((3, 4, 5, 6))
    return {"total": f"{total:.2f}", "n": str(n), "n_w": ("three", "four", "five", "six")[n - 3],
            "tip": d.pick(("ten", "fifteen", "twenty"))}


def _fridge(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    a, b, c = d.sample(("chickpeas", "spinach", "feta", "sweet potatoes", "eggs", "leftover rice", "tofu",
                        "bell peppers", "mushrooms", "zucchini", "coconut milk", "chicken thighs"), 3)
    if d.chance(0.5):
        ctx.add("Health", "diet", {"preference": d.pick(("vegetarian", "low carb", "no restrictions"))})
    return {"a": a, "b": b, "c": c, "dish": d.pick(pools.DISHES)}


def _stress(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    activity, length = d.pick(pools.ACTIVITIES)
    meeting = d.pick(("quarterly review", "client presentation", "board meeting", "performance review",
                      "budget meeting", "job interview", "team retro"))
    apps.event(ctx, meeting.capitalize(), ctx.now - timedelta(hours=1), 60, "Main office")
    return {"activity": activity, "length": length, "meeting": meeting}


def _music(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    said, content = d.pick(pools.MEDIA)
    return {"said": said, "content": content}


def _currency(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    src, dst, pair = d.pick(pools.CURRENCIES)
    city = d.pick(pools.CITIES)
    apps.event(ctx, f"Trip to {city}", d.future(ctx.now, days=(4, 10)), 120, city)
    return {"src": src, "dst": dst, "pair": pair, "amount": str(d.pick((200, 350, 500, 800, 1000))), "city": city}


def _flight(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    home, city = d.sample(pools.CITIES, 2)
    dt = ctx.now + timedelta(days=d.randint(20, 60))
    ctx.put("Maps", "maps", {"home_location": f"{d.randint(2, 90)} {d.pick(pools.STREETS)}, {home}"})
    apps.messages(ctx, "Cousin Ana", [("Cousin Ana", f"Save the date! {date_written(dt)} in {city}."),
                                       ("Me", "Wouldn't miss it!")], ctx.now - timedelta(days=10))
    return {"home": home, "city": city, "date": date_written(dt), "month": dt.strftime("%B"),
            "event": d.pick(("wedding", "graduation", "anniversary party"))}


def _cold(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    device, value, feel = d.pick((
        ("the thermostat", "22 degrees", "freezing"), ("the living room lights", "dim to 40%", "way too bright"),
        ("the air conditioner", "on, 23 degrees", "boiling"), ("the bedroom heater", "on", "cold")))
    return {"device": device, "value": value, "feel": feel}


def _timer(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    what, mins = d.pick((("the pizza", "twenty minutes"), ("the bread", "forty minutes"),
                         ("the laundry", "thirty-five minutes"), ("the roast", "an hour"),
                         ("the parking meter", "fifteen minutes"), ("the eggs", "nine minutes")))
    return {"what": what, "mins": mins}


def _meet(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    dt = d.future(ctx.now, days=(1, 6), hours=(9, 17))
    topic = d.pick(("the budget", "the launch plan", "the school fundraiser", "the new hire", "the garden design"))
    return {"topic": topic, "day": d.day_said(ctx.now, dt), "time": d.time_said(dt), "when_w": f"{date_written(dt)} {clock(dt)}"}


def _broken(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    item = d.pick(pools.ITEMS_TO_BUY)
    apps.order(ctx, d.pick(("Desk lamp", "Coffee grinder", "Notebook set")), "delivered",
               ctx.now - timedelta(days=d.randint(3, 20)), d.pick((24.99, 39.5, 12.0)))
    return {"item": item}


def _groceries(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    a, b, c = d.sample(pools.GROCERIES, 3)
    apps.note(ctx, "Groceries", f"{d.pick(pools.GROCERIES)}, {d.pick(pools.GROCERIES)}", ctx.now - timedelta(days=2))
    return {"a": a, "b": b, "c": c}


NEEDS: tuple[Need, ...] = (
    Need("pic_weather", "unsure what the weather will be on a trip in the calendar", "realtime_weather", _trip,
         ("I'm heading to {city} {day} and I have no idea if I should pack an umbrella.",
          "Honestly I don't know what to pack for {day}. Is it even warm there this time of year?",
          "I wonder if it'll be cold in {city}, I only packed T-shirts so far.",
          "Do I need a jacket for {city}? I really can't tell."),
         {"done": ("I checked the forecast for {city} this morning, sunny all week, so just T-shirts.",
                   "Already looked at the weather for {city}, it'll be mild. All packed."),
          "hypo": ("If I ever move to {city}, I'd have to get used to the rain.",
                   "Someday I'd love to see {city} in winter, with all the snow."),
          "chat": ("{city} was lovely last time, we walked everywhere.",
                   "I love the food in {city}, that's half the reason I go.")},
         {"city": "{city}"},
         ("Would you like me to check the weather in {city}?", "Shall I look up the forecast for {city} for you?",
          "I can check the current weather in {city}. Want me to?"),
         ("So, all packed for your trip?", "When are you off to {city} again?"),
         ("I still have to water the plants before I go.", "The train tickets were cheaper than I expected.")),
    Need("pic_nutrition", "wondering whether a food is healthy", "search", _food,
         ("Maybe I'll grab some {item} to keep me going. That's healthy, right? I never know the {query}.",
          "I keep eating {item} but I've honestly got no idea about the {query}.",
          "Is {item} actually good for you? Like, what's the {query} even?"),
         {"done": ("I looked up the {query} of {item} yesterday, it's totally fine.",
                   "My nutritionist already told me about {item}, so I know where I stand."),
          "hypo": ("If I ever go on a strict diet, {item} would be the first thing to go.",),
          "chat": ("I had {item} for breakfast, it was really nice.",
                   "My sister got me hooked on {item}, she eats it every day.")},
         {"source": "world", "query_item": "{item}", "query": "{query}"},
         ("Would you like me to look up the {query} of {item}?", "I can search for the {query} of {item}. Shall I?"),
         ("What are you snacking on these days?", "You look tired, are you eating properly?"),
         ("I've been trying to eat better this month.", "The office vending machine is so bad.")),
    Need("pic_running_late", "running late for a meeting in the calendar", "communication", _late,
         ("Ugh, this train is crawling. {friend} is going to be sitting there waiting for me.",
          "There's no way I'm making it to {place} by {time}. {friend} will already be there.",
          "I'm going to be at least {minutes} minutes late for {friend}, this traffic is unreal."),
         {"done": ("I already texted {friend} that I'm running late, so it's all fine.",
                   "{friend} just messaged to say {friend} is running late too, so no stress."),
          "hypo": ("If the train is late again I'd have to warn {friend}, but we're on time so far.",),
          "chat": ("I love catching up with {friend}, we always talk for hours.",
                   "{friend} picked {place}, apparently the coffee is great.")},
         {"action": "message", "target": "{friend_full}", "content": "Running about {minutes} minutes late, sorry!"},
         ("Want me to message {friend} that you're running about {minutes} minutes late?",
          "Shall I let {friend} know you'll be around {minutes} minutes late?"),
         ("Aren't you meeting someone soon?", "How's the train looking?"),
         ("These delays happen every single week.", "I should have left earlier.")),
    Need("pic_directions", "unsure how to reach a place in the calendar", "find_directions", _directions,
         ("Wait, where is the {title} again? I've never been to that address.",
          "I have the {title} {day} at {time} and I honestly don't know how to get there.",
          "The {title} is somewhere on the other side of town, I think? No clue how to get there."),
         {"done": ("I've been to {location} loads of times, I know the way.",
                   "I already saved the route to the {title}, it's a ten minute walk."),
          "hypo": ("If they ever move the {title} downtown, I'd need a whole new route.",),
          "chat": ("The {title} went well last time, I was pleasantly surprised.",
                   "I'm a bit nervous about the {title}, to be honest.")},
         {"to": "{location}"},
         ("Would you like directions to {location} for your {title}?", "Shall I get you directions to {location}?"),
         ("What's on your plate for the rest of the day?", "Busy day?"),
         ("I have so many errands today.", "My phone is almost out of battery.")),
    Need("pic_restaurant", "a dinner out that will need a reservation", "book_service", _restaurant,
         ("How about {rest}? Though it's always packed, we'd never get a table for {n_w} without booking.",
          "I'm craving {cuisine} food. {rest} around {time}? It fills up fast, though.",
          "Let's do {rest} tonight, the {n_w} of us, maybe {time}? I just hope they have space."),
         {"done": ("Good thing I already booked {rest} for {n_w} at {time}.",
                   "We have a reservation at {rest} already, {time}, all sorted."),
          "hypo": ("If {rest} ever opened a place near me I'd eat there every week.",),
          "chat": ("{rest} was amazing last month, that dessert!",
                   "I read that {rest} got a new chef, apparently still good.")},
         {"service_type": "restaurant", "details": "Table for {n} at {rest}, {when_w}"},
         ("Shall I book a table for {n_w} at {rest} at {time}?", "Want me to reserve {rest} for {n_w} tonight at {time}?"),
         ("So where should we go for dinner tonight?", "I'm starving. Any ideas for tonight?"),
         ("I skipped lunch, I'm so hungry.", "That new {cuisine} place downtown looks fun.")),
    Need("pic_taxi", "an early flight with no way to the airport", "book_service", _taxi,
         ("My flight's at {at} tomorrow and the trains don't even start running that early.",
          "I have to be at the airport super early tomorrow and I have no car. No idea how I'll get there.",
          "The first bus is way too late for my {at} flight to {city}. Ugh."),
         {"done": ("The taxi to the airport is already booked for tomorrow morning, thank goodness.",
                   "My brother is driving me to the airport tomorrow, so I'm sorted."),
          "hypo": ("If I ever take an early flight again, I'll stay at an airport hotel.",),
          "chat": ("I love early flights, the airport is so quiet.",
                   "{city} is going to be great, I've wanted to go for years.")},
         {"service_type": "taxi", "details": "Taxi to the airport, pickup {pickup_w}"},
         ("Would you like me to book a taxi to the airport for tomorrow morning?", "Shall I book you a cab to the airport?"),
         ("When do you leave tomorrow?", "All set for {city}?"),
         ("I haven't even started packing.", "I need to remember my passport.")),
    Need("pic_split_bill", "a bill to split that nobody has worked out", "calculate", _bill,
         ("The bill came to {total} for the {n_w} of us, and I'm terrible at maths.",
          "Okay, {total} in total, split {n_w} ways... I can't do that in my head.",
          "So it's {total} for everyone, {n_w} people. How much is that each?"),
         {"done": ("We already split it, the app did it, all settled.",
                   "{total} total, and I already paid my share by card."),
          "hypo": ("If we ever go back there, let's just split it evenly, okay?",),
          "chat": ("{total} for dinner, not bad for such a nice place.",
                   "That was a great meal, the {n_w} of us should do this every month.")},
         {"expression": "{total} divided by {n}"},
         ("Want me to work out {total} divided by {n}?", "Shall I calculate each person's share of {total}?"),
         ("So what do we each owe?", "Who's paying what?"),
         ("The dessert was the best part.", "I'm so full.")),
    Need("pic_recipe", "no idea what to cook from what is at home", "recipe_search", _fridge,
         ("I've only got {a}, {b} and {c} at home. No idea what to make tonight.",
          "There's {a}, some {b} and {c} in the fridge, and I'm out of ideas.",
          "What do you even make with {a}, {b} and {c}? That's all I have."),
         {"done": ("I'm making {dish} tonight, I've got the recipe saved.",
                   "I already planned dinner, {dish}, easy."),
          "hypo": ("If I had more time I'd learn to cook properly, like {dish} from scratch.",),
          "chat": ("My mom makes the best {dish}, I can never get it right.",
                   "I had {dish} at a friend's place yesterday, so good.")},
         {"query": "{a}, {b} and {c}"},
         ("Shall I find a recipe with {a}, {b} and {c}?", "Want me to search recipes using {a}, {b} and {c}?"),
         ("What's for dinner tonight?", "Are you cooking tonight?"),
         ("I really need to go shopping.", "I've been eating takeaway all week.")),
    Need("pic_stress", "wound up and unable to focus", "guided_activity", _stress,
         ("I'm so wound up after the {meeting}, I can't focus on anything.",
          "My heart is still racing from the {meeting}. I need to calm down somehow.",
          "I can't switch my head off, I just keep replaying the {meeting}.",
          "That {meeting} totally rattled me, my hands are still shaking."),
         {"done": ("I did a {activity} after the meeting, I feel much better now.",
                   "I went for a walk after the {meeting}, totally calm now."),
          "hypo": ("If work gets any more stressful, maybe I'll try meditation someday.",),
          "chat": ("The {meeting} actually went really well, they liked the plan.",
                   "My colleague does yoga every morning, she swears by it.")},
         {"content": "{activity}", "time": "{length}"},
         ("Would you like to do a {length} {activity}?", "Shall I start a short {activity} to help you unwind?"),
         ("How did the {meeting} go?", "You look stressed."),
         ("My inbox is out of control.", "I need a holiday.")),
    Need("pic_music", "a quiet room and a mood for music", "play_media", _music,
         ("It's way too quiet in here, I could really use {said} while I work.",
          "I can't concentrate in this silence. Putting on {said} would help.",
          "This would be so much nicer with {said} on in the background."),
         {"done": ("I already put {said} on, can you hear it?",),
          "hypo": ("If I had better speakers I'd listen to music all day.",),
          "chat": ("I went to a concert last week, the band played {said}.",
                   "My brother is really into {said}, I don't get it.")},
         {"content": "{content}"},
         ("Would you like me to play {said}?", "Shall I put on {said}?"),
         ("What are you working on?",),
         ("This report is taking forever.", "I need more coffee.")),
    Need("pic_currency", "money to change before a trip abroad", "financial_query", _currency,
         ("I'm off to {city} next week and I've got {amount} {src}. No idea what that is in {dst}.",
          "How much are {amount} {src} in {dst} these days? I never know the rate.",
          "I need {dst} for the trip, but I've no clue what the exchange rate is right now."),
         {"done": ("I changed my money at the bank yesterday, got {dst} at a decent rate.",),
          "hypo": ("If the {src} ever gets stronger, I'll finally travel more.",),
          "chat": ("Everything in {city} is so expensive, my friend says.",
                   "I still have some {dst} coins from my last trip.")},
         {"target": "{pair}"},
         ("Would you like me to check the {src} to {dst} exchange rate?", "Shall I look up the current {pair} rate?"),
         ("Are you ready for your trip?",),
         ("I still need a travel adapter.", "The hotel looks nice in the photos.")),
    Need("pic_flight", "a family event abroad with no travel booked", "travel_search", _flight,
         ("The {event} is in {city} on {date}, and I still haven't figured out how to get there.",
          "I really need to sort out getting to {city} for the {event} in {month}.",
          "Flights to {city} for the {event} must be getting pricey, and I haven't looked yet."),
         {"done": ("I booked my flight to {city} for the {event} last week, window seat.",),
          "hypo": ("If they ever have another {event} abroad, I'll drive next time.",),
          "chat": ("The {event} invitation was so beautiful, they designed it themselves.",
                   "I can't believe my cousin is having a {event} in {city}.")},
         {"type": "flight", "details": "Flights from {home} to {city} around {date}"},
         ("Shall I search flights from {home} to {city} around {date}?", "Would you like me to look up flights to {city} for the {event}?"),
         ("Are you going to the {event}?",),
         ("My whole family is going.", "I need a new suit for it.")),
    Need("pic_comfort", "uncomfortable room conditions at home", "control_environment", _cold,
         ("It's {feel} in here, I can barely concentrate.",
          "Is it just me, or is it {feel} in this room?",
          "Wow, it's {feel} in here tonight."),
         {"done": ("I already changed {device}, it should feel better in a minute.",),
          "hypo": ("If we ever renovate, I want better insulation.",),
          "chat": ("The weather has been so strange this week.",
                   "My old flat was always {feel}, this one's much better.")},
         {"target": "{device}", "value": "{value}"},
         ("Would you like me to set {device} to {value}?", "Shall I adjust {device} for you?"),
         ("You okay? You look uncomfortable.",),
         ("I'm trying to finish this book.", "The neighbours are loud again."),
         ("home",)),
    Need("pic_timer", "something in progress that is easy to forget", "temporal_attention", _timer,
         ("{what} needs {mins}, and I'll definitely forget about it.",
          "Okay, {what} is going, {mins}. I always lose track of time.",
          "I just started {what}, {mins} to go. Knowing me, I'll get distracted."),
         {"done": ("I set a timer for {what} already, {mins}.",),
          "hypo": ("If I had a smart oven, it would tell me when {what} is done.",),
          "chat": ("{what} last time came out perfect.", "My dad always made {what} on Sundays.")},
         {"action": "set", "time": "{mins}", "content": "Check {what}"},
         ("Shall I set a {mins} reminder for {what}?", "Want me to remind you about {what} in {mins}?"),
         ("What are you up to?",),
         ("Let's watch something in the meantime.", "I'm so hungry."),
         ("home",)),
    Need("pic_schedule", "a meeting agreed aloud that is not in the calendar", "calendar_event", _meet,
         ("{day} at {time} works for me. I just hope I remember, to be honest.",
          "Okay, {day} at {time} to go over {topic}. I'll probably forget to write it down.",
          "Fine, {day}, {time}, {topic}. Let's do it."),
         {"done": ("{day} at {time} is already in my calendar, I added it last week.",),
          "hypo": ("Maybe we could meet about {topic} sometime, no rush though.",),
          "chat": ("Last time we talked about {topic} it took hours.", "{topic} is going better than I expected.")},
         {"action": "create", "title": "Meeting about {topic}", "time": "{when_w}"},
         ("Shall I add a meeting about {topic} on {day} at {time} to your calendar?",
          "Want me to put {day} at {time} in your calendar?"),
         ("Let's meet again to go over {topic}. {day} at {time}?", "When can we talk about {topic}?"),
         ("That was a productive chat.", "The coffee here is good.")),
    Need("pic_shop", "something broken or missing that needs buying", "shop", _broken,
         ("My {item} just broke and I'm leaving on a trip in two days.",
          "I've been putting off getting {item} for weeks, and now I really need it.",
          "Great, now I have no {item}. Of all the times."),
         {"done": ("I ordered {item} yesterday, it arrives tomorrow.",),
          "hypo": ("If I ever win the lottery, I'll buy the fanciest {item} there is.",),
          "chat": ("My friend got {item} for her birthday, cute idea.", "You can get {item} really cheaply these days.")},
         {"content": "{item}"},
         ("Shall I look for {item} online?", "Want me to search shops for {item}?"),
         ("Everything okay?",),
         ("Today is not my day.", "I need to leave soon.")),
    Need("pic_groceries", "groceries that ran out", "note_taking", _groceries,
         ("We're out of {a} and {b}, and I think the {c} is finished too.",
          "Oh no, no {a} left. And we used the last of the {b} and the {c} yesterday.",
          "I just noticed we have no {a}, no {b}, and barely any {c}."),
         {"done": ("I already put {a} and {b} on the shopping list.",),
          "hypo": ("If we had a bigger fridge we'd never run out of anything.",),
          "chat": ("The {a} from the farmers market is so much better.", "I read that {b} keeps longer in the fridge.")},
         {"content": "{a}, {b}, {c}", "title": "Shopping list"},
         ("Shall I add {a}, {b} and {c} to your shopping list?", "Want me to put {a}, {b} and {c} on a list?"),
         ("What should we have for breakfast?",),
         ("The kitchen is a mess.", "I'll go shopping after work."),
         ("home",)),
)


def _register(n: Need) -> None:
    template("PIC", n.name, n.summary)(lambda d, label: build_need(n, d, label))


for _n in NEEDS:
    _register(_n)
