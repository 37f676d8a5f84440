"""ESS, Environment Sound Sensing: User1 names a sound to wait for; a sound event happens.

Every template is a `Listen`: the sound the user asks for (a class of our synthesised bank, which
the ESC-50 bank also resolves), ways to name it aloud, what to do when it sounds, and confusers:
other sounds a listener could mistake for it in that setting. A positive plays the named sound; a
negative plays a confuser at the same place in the script (so the same ESS sound gap precedes it).
Script: User1's instruction (role "instruction"), 0-3 lines of talk, the sound line (role "cue" on
both labels), sometimes talk after it. Sound lines carry the class name in `Line.sound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from ....sound_classes import BY_NAME
from . import apps, pools
from .base import Action, Draft, Draw, Person, chatter, clock, template, snd, u1

INSTRUCTIONS = (
    "If you hear {name}, {action}.",
    "When you hear {name}, please {action}.",
    "I'm waiting for {name}. As soon as you hear it, {action}.",
    "Listen out for {name} and {action}.",
    "Hey, keep an ear out for {name}. When it happens, {action}.",
    "Once you hear {name}, {action}, okay?",
)


@dataclass(frozen=True)
class Listen:
    name: str
    summary: str
    sound: str  # a synthesised class of the sound table (`provoice_live.sound_classes`)
    names: tuple[str, ...]  # how the user names it
    confusers: tuple[str, ...]  # other class names, plausible in the setting, not what was asked
    actions: tuple[Action, ...]
    setup: Callable[[Draw, apps.Context, Person], dict[str, Any]]
    fillers: tuple[str, ...]
    ambient: tuple[str, ...] = ("home",)


def build_listen(ls: Listen, d: Draw, label: bool) -> Draft:
    c = apps.cast(d, ls.setup, user2_p=0.5, distractors=((0, 2), (0, 1), (0, 1)))
    ctx, user1, user2, slots = c.ctx, c.user1, c.user2, c.slots
    name = d.pick(ls.names).format(**slots)
    action = d.pick(ls.actions)
    instruction = d.say(INSTRUCTIONS, name=name, action=action.phrase.format(**slots))
    fillers = [f.format(**slots) for f in ls.fillers]
    lines = [u1(instruction, "instruction")]
    if user2:
        lines += chatter(d, d.randint(1, 3), d.pick((["user2", "user1"], ["user1", "user2"])), fillers)
    else:
        lines += chatter(d, d.randint(0, 2), ["user1"], fillers)
    heard = ls.sound if label else d.pick(ls.confusers)
    lines.append(snd(heard, "cue"))
    if d.chance(0.25):
        lines += chatter(d, 1, ["user2"] if user2 else ["user1"], fillers)
    if label:
        response = action.response.format(**slots)
        calls = action.call(slots)
        cue = f"The sound of {ls.sound.replace('_', ' ')} occurs, which {user1.first} asked about: the assistant acts on the request ('{action.phrase.format(**slots)}')."
    else:
        response, calls = "", []
        cue = (f"A different sound ({heard.replace('_', ' ')}) occurs, not the {ls.sound.replace('_', ' ')} "
               f"{user1.first} asked about; the assistant stays silent.")
    semantic = f"{user1.first} asked the assistant to listen for {name} ({ls.sound}). {cue}"
    tools = [a.tool for a in ls.actions if a.tool]
    return Draft(user1=user1, user2=user2, lines=lines, context=ctx, semantic_cue=semantic, tools=tools,
                 instruction=instruction, gt_response=response, gt_tool_calls=calls, ambient=d.pick(ls.ambient),
                 slots={"heard": heard, "asked": ls.sound, **{k: v for k, v in slots.items() if isinstance(v, str)}})


# --- setups --------------------------------------------------------------------------------
def _nothing(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    return {}


def _guest(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    guest = d.person()
    return {"guest": guest.first, "guest_full": guest.full}


def _parcel(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    item = d.pick(("new laptop", "birthday present for my dad", "standing desk", "camera lens", "medication"))
    apps.order(ctx, item.capitalize(), "out for delivery", ctx.now, d.pick((89.0, 249.0, 35.5, 640.0)))
    return {"item": item}


def _nap(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    dt = ctx.now + timedelta(minutes=d.pick((60, 75, 90)))
    title = d.pick(("Call with the landlord", "School pickup", "Dentist appointment", "Team sync", "Piano lesson"))
    apps.event(ctx, title, dt, 45, d.pick(pools.VENUES))
    return {"title": title, "at": clock(dt)}


def _pills(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    med = d.pick(("antibiotics", "iron tablets", "vitamin D", "allergy pills"))
    ctx.put("Health", "medications", [{"name": med, "dose": "1 tablet", "schedule": "with food"}])
    return {"med": med}


def _pet(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    neighbour = d.person()
    return {"pet": d.pick(("Biscuit", "Rocky", "Luna", "Pepper")), "neighbour": neighbour.first,
            "neighbour_full": neighbour.full}


def _family(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    return {"relative": d.pick(("Mom", "Dad", "Grandma", "my sister", "my brother"))}


def _ride(d: Draw, ctx: apps.Context, me: Person) -> dict[str, Any]:
    thing = d.pick(("passport", "keys", "lunch box", "laptop charger", "umbrella"))
    return {"thing": thing, "driver": d.person().first}


LISTENS: tuple[Listen, ...] = (
    Listen("ess_kettle", "the kettle whistles", "kettle_whistle",
           ("the kettle whistle", "the kettle whistling", "the kettle"),
           ("microwave_beep", "phone_ring", "alarm_clock"),
           (Action("remind me to turn off the stove", "The kettle is whistling. Don't forget to turn off the stove.",
                   "control_environment", {"target": "stove", "value": "off"}),
            Action("remind me to take my tea bag out after three minutes", "The kettle's done. I'll remind you to take the tea bag out in three minutes.",
                   "temporal_attention", {"action": "set", "time": "three minutes", "content": "Take the tea bag out"})),
           _nothing, ("Do you want some tea too?", "I'm so tired today.", "This biscuit tin is empty again."),
           ("home",)),
    Listen("ess_doorbell", "the doorbell rings for a delivery", "doorbell",
           ("the doorbell", "the doorbell ring", "someone ringing the bell"),
           ("phone_ring", "church_bells", "microwave_beep"),
           (Action("remind me to check the {item} before I sign", "That was the doorbell, probably your {item}. Check it before you sign.",
                   None, None),
            Action("tell me, because it's the courier with my {item}", "The doorbell just rang. It's likely the courier with your {item}.",
                   None, None)),
           _parcel, ("The tracking said it's out for delivery.", "I hope it comes before lunch.",
                     "I've been refreshing the tracking page all morning.")),
    Listen("ess_knock", "someone knocks on the door", "door_knock",
           ("a knock on the door", "someone knocking", "knocking at the door"),
           ("clock_tick", "dog_bark", "glass_breaking"),
           (Action("remind me that {guest} is here to pick up the keys", "Someone's knocking. That's probably {guest}, here for the keys.", None, None),
            Action("message {guest} that I'm coming down", "I heard a knock. Shall I message {guest} that you're coming down?",
                   "communication", {"action": "message", "target": "{guest_full}", "content": "Coming down now!"})),
           _guest, ("{guest} said around now, I think.", "I should tidy up a bit.", "Where did I put the spare keys?")),
    Listen("ess_smoke", "the smoke alarm goes off while cooking", "smoke_alarm",
           ("the smoke alarm", "the smoke detector", "the fire alarm"),
           ("alarm_clock", "microwave_beep", "car_horn"),
           (Action("turn off the oven", "The smoke alarm went off. I'll turn off the oven.",
                   "control_environment", {"target": "oven", "value": "off"}),
            Action("switch on the kitchen fan", "That's the smoke alarm. Turning on the kitchen extractor fan.",
                   "control_environment", {"target": "kitchen extractor fan", "value": "on"})),
           _nothing, ("This recipe says forty minutes at high heat.", "The oven is so old, it smokes every time.",
                      "I really hope I don't burn the lasagna again.")),
    Listen("ess_nap_alarm", "the wake-up alarm after a nap", "alarm_clock",
           ("my alarm", "the alarm clock", "my alarm going off"),
           ("phone_ring", "microwave_beep", "church_bells"),
           (Action("remind me about my next appointment", "Your alarm went off. Reminder: {title} at {at}.", None, None),
            Action("tell me what's next in my calendar", "That's your alarm. Next up: {title} at {at}.",
                   "calendar_event", {"action": "query", "title": "{title}", "time": "today"})),
           _nap, ("I'm just going to close my eyes for a bit.", "I was up until two last night.",
                  "Twenty minutes, that's all I need.")),
    Listen("ess_baby", "the baby wakes up crying", "crying_baby",
           ("the baby crying", "the baby", "the little one waking up"),
           ("dog_bark", "phone_ring", "siren"),
           (Action("play the lullaby playlist", "The baby is crying. Shall I play the lullaby playlist?",
                   "play_media", {"content": "lullaby playlist"}),
            Action("remind me the bottle is in the fridge", "The baby's awake. The bottle is in the fridge.", None, None)),
           _nothing, ("She went down so easily today.", "Finally some quiet.", "I'll fold the laundry while she sleeps.")),
    Listen("ess_dog", "the dog barks to go out", "dog_bark",
           ("{pet} barking", "the dog barking", "barking"),
           ("crying_baby", "car_horn", "door_knock"),
           (Action("remind me to take {pet} out", "{pet} is barking. Time to take {pet} out.", None, None),
            Action("message {neighbour} that {pet} is awake", "{pet} is barking. Want me to message {neighbour}?",
                   "communication", {"action": "message", "target": "{neighbour_full}", "content": "{pet} is awake, sorry about the noise!"})),
           _pet, ("{pet} has been so restless today.", "We skipped the long walk this morning.", "{neighbour} complained last week.")),
    Listen("ess_microwave", "the microwave finishes lunch", "microwave_beep",
           ("the microwave beep", "the microwave", "the microwave finishing"),
           ("alarm_clock", "kettle_whistle", "phone_ring"),
           (Action("remind me to take my {med} with lunch", "The microwave's done. Remember to take your {med} with lunch.", None, None),
            Action("set a reminder to take my {med} in ten minutes", "Lunch is ready. I'll remind you to take your {med} in ten minutes.",
                   "temporal_attention", {"action": "set", "time": "ten minutes", "content": "Take {med}"})),
           _pills, ("Leftover soup again.", "I'm starving.", "I should cook properly this weekend.")),
    Listen("ess_phone", "the landline rings", "phone_ring",
           ("the phone ringing", "the phone", "my phone ring"),
           ("doorbell", "alarm_clock", "microwave_beep"),
           (Action("remind me to ask about the deposit", "The phone is ringing. If it's the landlord, ask about the deposit.", None, None),
            Action("remind me to mention the delivery date", "Your phone's ringing. Remember to mention the delivery date.", None, None)),
           _nothing, ("They said they'd call back this afternoon.", "I hate waiting for calls.", "Let me find a pen.")),
    Listen("ess_siren", "a siren outside during a storm warning", "siren",
           ("a siren", "the siren", "an ambulance siren"),
           ("car_horn", "church_bells", "alarm_clock"),
           (Action("check the local news for me", "I heard a siren. Want me to check the local news?",
                   "search", {"source": "world", "query_item": "local news", "query": "emergency nearby"}),
            Action("message {relative} to stay inside", "That was a siren. Shall I text {relative} to stay inside?",
                   "communication", {"action": "message", "target": "{relative}", "content": "Heard a siren nearby, stay inside for now."})),
           _family, ("The wind is picking up.", "They said the storm would hit tonight.", "Should we bring the chairs in?"),
           ("home", "street")),
    Listen("ess_glass", "something made of glass breaks", "glass_breaking",
           ("glass breaking", "something breaking", "a glass shattering"),
           ("door_knock", "church_bells", "dog_bark"),
           (Action("remind me to keep the kids out of the kitchen", "That sounded like glass breaking. Keep the kids out of the kitchen.", None, None),
            Action("add a new glass set to my shopping list", "I heard glass breaking. Shall I add new glasses to your shopping list?",
                   "note_taking", {"content": "Glasses", "title": "Shopping list"})),
           _nothing, ("The kids are playing ball in the hallway again.", "I told them a hundred times.",
                      "At least they're having fun.")),
    Listen("ess_bells", "the church bells at noon", "church_bells",
           ("the church bells", "the bells", "the noon bells"),
           ("doorbell", "phone_ring", "alarm_clock"),
           (Action("remind me to call {relative}", "The bells are ringing. Time to call {relative}.",
                   "communication", {"action": "message", "target": "{relative}", "content": "I'll call you in a minute!"}),
            Action("tell me it's time to leave for lunch", "Those are the bells. Time to leave for lunch.", None, None)),
           _family, ("It's such a nice day out.", "The square is busy today.", "I lose track of time here."),
           ("street", "home")),
    Listen("ess_car_horn", "the ride honks outside", "car_horn",
           ("a car horn", "the car honking", "{driver} honking outside"),
           ("siren", "dog_bark", "doorbell"),
           (Action("remind me to grab my {thing}", "{driver} is honking. Don't forget your {thing}.", None, None),
            Action("tell me {driver} is here", "That's the horn: {driver} is here. Grab your {thing}.", None, None)),
           _ride, ("{driver} is always early.", "Do I have everything?", "I'm never ready on time."),
           ("home", "street")),
    Listen("ess_tap", "a tap left running", "water_running",
           ("the tap running", "water running", "the water running"),
           ("kettle_whistle", "clock_tick", "microwave_beep"),
           (Action("remind me to check the bathroom tap", "I hear water running. Check the bathroom tap.", None, None),
            Action("note it for the plumber", "Water's running again. Shall I note it for the plumber?",
                   "note_taking", {"content": "Bathroom tap keeps running", "title": "For the plumber"})),
           _nothing, ("The kids just brushed their teeth.", "That tap never closes properly.", "I should call the plumber.")),
)


def _register(ls: Listen) -> None:
    unknown = [s for s in (ls.sound, *ls.confusers) if not (s in BY_NAME and BY_NAME[s].synthesised)]
    if unknown:
        raise ValueError(f"ESS template {ls.name}: {unknown} are not synthesised classes of the sound table")
    template("ESS", ls.name, ls.summary)(lambda d, label: build_listen(ls, d, label))


for _ls in LISTENS:
    _register(_ls)
