"""The environmental sound classes: one table read by the corpus builder and the offline agent.

Each `SoundClass` row says, for one class of sound:
- `name`: our class id. Scripts (`Line.sound`), manifests and the offline detector's labels use it.
  Where ESC-50 has the class, the id is the ESC-50 category, except for three ids older than this
  table (`alarm_clock` = ESC-50 `clock_alarm`, `door_knock` = `door_wood_knock`, `water_running` =
  `pouring_water`), kept so existing corpora keep their labels.
- `esc50`: the ESC-50 category (Piczak 2015, 50 classes in 5 groups), or None for household
  devices ESC-50 lacks (smoke alarm, doorbell, phone, kettle, microwave).
- `group`: ESC-50's group (`animals`, `natural`, `human`, `domestic`, `urban`), or `devices`.
- `names`: how people name it when they ask for it ("smoke alarm", "the fire alarm", "the baby"),
  written as said; the agent's request reader matches them word by word (lemmatised, the longest
  name wins), the builder resolves plain names with them. No name belongs to two classes.
- `spoken`: how the agent names it when it heard it ("the smoke alarm").
- `synthesised`: the builder's procedural bank renders it (`corpus/builder/sounds.SYNTH_CLASSES`
  has exactly these). Classes without it need real recordings (`build-corpus --esc50 DIR`).
- `detected`: the offline agent's sound detector has a rule for it (`agents/offline/sounds.CLASS_RULES`
  labels exactly these); for the others a watch takes any clear non-speech sound no rule claims.

The builder and the agent read these facts only from here; `tests/corpus/test_sound_classes.py` checks
that the bank, the detector, the ESS templates and the agent's name reader agree with the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class SoundClass:
    name: str
    esc50: str | None
    group: str
    names: tuple[str, ...]
    spoken: str
    synthesised: bool = True
    detected: bool = False


GROUPS = ("animals", "natural", "human", "domestic", "urban", "devices")


def _c(name, esc50, group, spoken, names, synthesised=True, detected=False) -> SoundClass:
    return SoundClass(name, esc50, group, tuple(names), spoken, synthesised, detected)


SOUND_CLASSES: tuple[SoundClass, ...] = (
    # ---- household devices (not in ESC-50) ----
    _c("smoke_alarm", None, "devices", "the smoke alarm",
       ("smoke alarm", "smoke detector", "fire alarm", "carbon monoxide", "co alarm", "co detector"), detected=True),
    _c("doorbell", None, "devices", "the doorbell",
       ("doorbell", "door bell", "door chime", "ding dong", "ding-dong", "the bell ring", "buzzer", "bell ring",
        "someone at the door", "someone ringing the bell", "ringing the bell", "ring the bell"), detected=True),
    _c("phone_ring", None, "devices", "the phone ringing",
       ("phone ring", "phone ringing", "phone rings", "ringing phone", "ringtone", "telephone", "the phone",
        "my phone", "phone", "a call come in", "landline"), detected=True),
    _c("kettle_whistle", None, "devices", "the kettle whistling",
       ("kettle", "kettle whistle", "whistling kettle", "whistle", "whistling", "tea kettle", "teakettle", "teapot",
        "water boil"), detected=True),
    _c("microwave_beep", None, "devices", "the microwave beeping",
       ("microwave", "microwave beep", "microwave beeping", "timer", "oven timer", "kitchen timer", "egg timer", "beep",
        "beeping", "oven beep", "dishwasher beep", "washer beep", "dryer beep", "dryer"), detected=True),
    # ---- ESC-50: animals ----
    _c("dog_bark", "dog", "animals", "the dog barking",
       ("dog bark", "dog barking", "barking", "bark", "dog", "puppy", "woof"), detected=True),
    _c("rooster", "rooster", "animals", "the rooster crowing",
       ("rooster", "crow of a rooster", "cock-a-doodle", "cockerel", "rooster crowing")),
    _c("pig", "pig", "animals", "the pig", ("pig", "oink", "grunting pig", "pigs"), synthesised=False),
    _c("cow", "cow", "animals", "the cow mooing", ("cow", "moo", "mooing", "cattle"), detected=True),
    _c("frog", "frog", "animals", "the frogs", ("frog", "croak", "croaking", "toad")),
    _c("cat", "cat", "animals", "the cat meowing", ("cat meow", "meow", "cat", "kitty", "meowing")),
    _c("hen", "hen", "animals", "the hens", ("hen", "clucking", "cluck"), synthesised=False),
    _c("insects", "insects", "animals", "insects buzzing", ("insects", "insect", "buzzing fly", "mosquito", "fly buzzing", "buzzing insect"), detected=True),
    _c("sheep", "sheep", "animals", "the sheep", ("sheep", "baa", "bleating")),
    _c("crow", "crow", "animals", "the crows", ("crow", "crows", "caw", "cawing", "raven")),
    # ---- ESC-50: natural soundscapes and water ----
    _c("rain", "rain", "natural", "the rain", ("rain", "raining", "rainfall", "downpour"), detected=True),
    _c("sea_waves", "sea_waves", "natural", "the waves", ("sea_waves", "sea waves", "waves")),
    _c("crackling_fire", "crackling_fire", "natural", "the fire crackling",
       ("crackling_fire", "crackling fire", "fire crackling", "fireplace", "campfire")),
    _c("crickets", "crickets", "natural", "the crickets", ("crickets", "cricket chirping", "chirping crickets"), detected=True),
    _c("chirping_birds", "chirping_birds", "natural", "birds chirping",
       ("chirping_birds", "birds chirping", "birdsong", "bird song", "birds singing", "birds")),
    _c("water_drops", "water_drops", "natural", "water dripping",
       ("water_drops", "water drops", "dripping", "drip", "dripping tap")),
    _c("wind", "wind", "natural", "the wind", ("wind", "wind howling")),
    _c("water_running", "pouring_water", "natural", "running water",
       ("pouring_water", "running water", "water running", "tap running", "pouring water", "sink overflow", "faucet",
        "the tap", "water"), detected=True),
    _c("toilet_flush", "toilet_flush", "natural", "the toilet flushing",
       ("toilet_flush", "toilet flush", "toilet flushing", "flush", "flushing")),
    _c("thunderstorm", "thunderstorm", "natural", "thunder", ("thunderstorm", "thunder", "storm", "thunderclap"),
       detected=True),
    # ---- ESC-50: human, non-speech ----
    _c("crying_baby", "crying_baby", "human", "the baby crying",
       ("crying_baby", "baby cry", "baby crying", "crying baby", "baby", "infant", "little one", "baby monitor",
        "newborn", "toddler cry", "crying", "cry"), detected=True),  # "if Isla cries on the monitor"
    _c("sneezing", "sneezing", "human", "someone sneezing", ("sneezing", "sneeze"), synthesised=False),
    _c("clapping", "clapping", "human", "clapping", ("clapping", "applause", "clap")),
    _c("breathing", "breathing", "human", "heavy breathing", ("breathing", "panting")),
    _c("coughing", "coughing", "human", "coughing", ("coughing", "cough")),
    _c("footsteps", "footsteps", "human", "footsteps", ("footsteps", "footstep", "someone walk")),
    _c("laughing", "laughing", "human", "laughing", ("laughing", "laughter", "laugh"), synthesised=False),
    _c("brushing_teeth", "brushing_teeth", "human", "teeth brushing", ("brushing_teeth", "brushing teeth",
                                                                         "brush teeth", "toothbrush")),
    _c("snoring", "snoring", "human", "snoring", ("snoring", "snore"), detected=True),
    _c("drinking_sipping", "drinking_sipping", "human", "drinking", ("drinking_sipping", "sipping", "slurping",
                                                                      "gulping"), synthesised=False),
    # ---- ESC-50: interior / domestic ----
    _c("door_knock", "door_wood_knock", "domestic", "a knock at the door",
       ("knock", "knocking", "door_wood_knock", "someone knock", "rap on the door", "tap on the door", "door knock",
        "knock on the door", "knocking on the door"), detected=True),
    _c("mouse_click", "mouse_click", "domestic", "a mouse click", ("mouse_click", "mouse click")),
    _c("keyboard_typing", "keyboard_typing", "domestic", "typing", ("keyboard_typing", "typing")),
    _c("door_wood_creaks", "door_wood_creaks", "domestic", "a door creaking",
       ("door_wood_creaks", "door creak", "creak", "creaking")),
    _c("can_opening", "can_opening", "domestic", "a can opening", ("can_opening", "can opening", "soda can",
                                                                   "can of soda", "pop a can")),
    _c("washing_machine", "washing_machine", "domestic", "the washing machine",
       ("washing_machine", "washing machine", "washer", "laundry", "spin cycle")),
    _c("vacuum_cleaner", "vacuum_cleaner", "domestic", "the vacuum cleaner", ("vacuum_cleaner", "vacuum",
                                                                              "hoover", "vacuuming"), detected=True),
    _c("alarm_clock", "clock_alarm", "domestic", "the alarm",
       ("alarm clock", "clock alarm", "clock_alarm", "my alarm", "the alarm", "an alarm", "alarm go off",
        "alarm ring", "wake-up alarm", "wake up alarm", "alarm"), detected=True),
    _c("clock_tick", "clock_tick", "domestic", "the clock ticking",
       ("clock_tick", "clock tick", "ticking", "clock ticking", "ticking clock"), detected=True),
    _c("glass_breaking", "glass_breaking", "domestic", "glass breaking",
       ("glass_breaking", "glass break", "breaking glass", "glass breaking", "glass shattering", "something breaking", "shatter", "smash"),
       detected=True),
    # ---- ESC-50: exterior / urban ----
    _c("helicopter", "helicopter", "urban", "a helicopter", ("helicopter", "chopper")),
    _c("chainsaw", "chainsaw", "urban", "a chainsaw", ("chainsaw", "chain saw")),
    _c("siren", "siren", "urban", "a siren",
       ("siren", "ambulance", "ambulance siren", "police siren", "police car", "fire truck", "fire engine",
        "emergency vehicle"), detected=True),
    _c("car_horn", "car_horn", "urban", "a car horn", ("car_horn", "car horn", "honk", "honking", "horn", "car honking"),
       detected=True),
    _c("engine", "engine", "urban", "an engine", ("engine", "car start", "motor", "engine running", "idling")),
    _c("train", "train", "urban", "a train", ("train horn", "train", "train passing")),
    _c("church_bells", "church_bells", "urban", "the church bells",
       ("church_bells", "church bells", "church bell", "bells toll", "bells", "bell tower", "chimes", "noon bells"),
       detected=True),
    _c("airplane", "airplane", "urban", "a plane", ("airplane", "plane overhead", "aircraft")),
    _c("fireworks", "fireworks", "urban", "fireworks", ("fireworks", "firework"), detected=True),
    _c("hand_saw", "hand_saw", "urban", "a saw", ("hand_saw", "hand saw", "sawing")),
)

BY_NAME: dict[str, SoundClass] = {c.name: c for c in SOUND_CLASSES}
BY_ESC50: dict[str, SoundClass] = {c.esc50: c for c in SOUND_CLASSES if c.esc50}
ESC50_CATEGORIES: tuple[str, ...] = tuple(sorted(BY_ESC50))


_ARTICLES = frozenset({"the", "a", "an", "my", "some"})  # what `normalise_name` drops before a name


def normalise_name(name: str) -> str:
    """Lower case, underscores and hyphens as spaces, no leading article, single spaces."""
    text = re.sub(r"[_\-]+", " ", name.strip().lower())
    text = re.sub(r"^(the|a|an|my|some)\s+", "", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _by_phrase() -> dict[str, str]:
    out: dict[str, str] = {}
    for c in SOUND_CLASSES:
        for phrase in (c.name, *(c.esc50,) * bool(c.esc50), *c.names):
            out.setdefault(normalise_name(phrase), c.name)
    return out


def sound_class(name: str | None) -> SoundClass | None:
    """The class a name denotes: our id, an ESC-50 category, or one of the names people use
    (case, underscores, hyphens and a leading article ignored). None if none does."""
    if not name:
        return None
    key = name.strip().lower()
    if key in BY_NAME:
        return BY_NAME[key]
    if key in BY_ESC50:
        return BY_ESC50[key]
    found = _by_phrase().get(normalise_name(name))
    return BY_NAME[found] if found else None


# (not "goes" -> "go": "fire alarm goes off" would then read as the alarm clock's "alarm go off")
_IRREGULAR_FORMS = {"rang": "ring", "rung": "ring", "blew": "blow", "blown": "blow", "broke": "break", "broken": "break", "fell": "fall",
                    "fallen": "fall", "sang": "sing", "sung": "sing", "shook": "shake", "shaken": "shake"}


def word_form(word: str) -> str:
    """A word without its inflection, the same for the forms of one word ("beeps", "beeping", "beeped"
    -> "beep"; "whistle", "whistles", "whistling" -> "whistl"; "the dog's" -> "dog"): a key to compare
    names by, not a word to show."""
    w = word.lower().replace("’", "'")
    w = w[:-2] if w.endswith("'s") else w.strip("'")
    if w in _IRREGULAR_FORMS:
        return _IRREGULAR_FORMS[w]  # "the bell rang" is "bell ring"
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w[-2:] in ("ss", "us", "is")):
            w = w[: -len(suffix)]
            if suffix in ("ing", "ed") and w[-1] == w[-2] and w[-1] not in "aeioulsz":
                w = w[:-1]  # "clapping" -> "clap"
            break
    return w[:-1] if len(w) > 3 and w.endswith("e") else w


def _forms(phrase: str) -> tuple[str, ...]:
    return tuple(word_form(w) for w in normalise_name(phrase).split())


@lru_cache(maxsize=1)
def _by_forms() -> dict[tuple[str, ...], str]:
    """The table's names by their words' forms; a form two classes share names neither."""
    owners: dict[tuple[str, ...], set[str]] = {}
    for c in SOUND_CLASSES:
        for phrase in (c.name, *(c.esc50,) * bool(c.esc50), *c.names):
            owners.setdefault(_forms(phrase), set()).add(c.name)
    return {k: next(iter(v)) for k, v in owners.items() if len(v) == 1 and k}


@lru_cache(maxsize=1)
def _written_by_forms() -> dict[tuple[str, ...], frozenset[tuple[str, ...]]]:
    """The table's names by their words' forms, with their words as written (the forms ("bell", "ring"):
    ("bell", "ring"))."""
    out: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for c in SOUND_CLASSES:
        for phrase in (c.name, *(c.esc50,) * bool(c.esc50), *c.names):
            out.setdefault(_forms(phrase), set()).add(tuple(normalise_name(phrase).split()))
    return {k: frozenset(v) for k, v in out.items()}


def _by_other_forms(words: list[str], forms: list[str]) -> str | None:
    """The class whose name `words` say in other word forms, unless the reading re-inflects the word
    it opens with into another class's name: a description opens with what is heard, and a first word
    that is a class's name as written keeps that reading ("bells ringing" is the church bells' "bells",
    not the doorbell's "bell ring"; the kettle's "water boiling" writes "water" as its name does).
    Later words may be re-inflected ("door chimes" is the doorbell's "door chime", "the rooster crows"
    the rooster's "rooster crowing", "chain sawing" the chainsaw's "chain saw"), and so may the first
    where another word names the class as written ("crows of a rooster")."""
    name = _by_forms().get(tuple(forms))
    if name is None:
        return None
    first = sound_class(words[0])
    if (first is not None and first.name != name
            and all(w[0] != normalise_name(words[0]) for w in _written_by_forms()[tuple(forms)])
            and not any((c := sound_class(w)) is not None and c.name == name for w in words[1:])):
        return None
    return name


def _named_spans(text: str) -> list[tuple[int, int, str]]:
    """(first word, number of words, class) of each run of a text's words that names a class, in text
    order (see `classes_named`)."""
    words = [w for w in re.findall(r"[\w'’-]+", text.lower()) if w.strip("'’-")]
    forms = [word_form(w) for w in words]
    taken = [False] * len(words)
    found: list[tuple[int, int, str]] = []
    for n in range(max(len(k) for k in _by_forms()), 0, -1):  # the longest name wins ("the bell rings")
        for i in range(len(words) - n + 1):
            if any(taken[i:i + n]) or (n > 1 and words[i] in _ARTICLES):
                continue  # "the rooster crows": the run without its article, "rooster crows", is read
            exact = sound_class(" ".join(words[i:i + n]))
            name = exact.name if exact is not None else _by_other_forms(words[i:i + n], forms[i:i + n])
            if name:
                found.append((i, n, name))
                taken[i:i + n] = [True] * n
    return sorted(found)


def classes_named(text: str) -> set[str]:
    """The classes a text names: any run of its words that is one of a class's names (as `sound_class`
    reads them) or says one in other word forms ("The kitchen timer goes off" -> microwave_beep,
    "it beeps" -> microwave_beep, "the dog's barking" -> dog_bark); the longest name wins, so
    "the bell rings" names the doorbell, not the church bells. Word forms do not turn the first word,
    when it is a name as written, into another class's: "bells ringing" is the church bells' "bells",
    not the doorbell's "bell ring" (`_by_other_forms`)."""
    return {name for _, _, name in _named_spans(text)}


def class_said(text: str | None) -> SoundClass | None:
    """The one class a name or a free description of a sound denotes, however it is written: a name
    (`sound_class`: "dog barking", "door_wood_knock"), else the class its words name in any form
    (`classes_named`: "kettle whistling", "someone knocking on the door"); of several, the one named
    by the longest name, the more specific reading ("smoke alarm beeping" is the smoke alarm, "church
    bells ringing" the church bells); of equally long names, the first ("alarm beeping": what is
    heard, then what it does), unless a conjunction parts two classes' names ("dog barking and cat
    meowing", "a doorbell, then the phone ringing" name two sounds: None, as when none is named). The release reader reads every environment
    turn with it, "(Sound of bells ringing)" and "[bells ring]" alike."""
    if not text:
        return None
    exact = sound_class(text)
    if exact is not None:
        return exact
    spans = _named_spans(text)
    if not spans:
        return None
    best = min(spans, key=lambda s: (-s[1], s[0]))
    rivals = [s for s in spans if s[2] != best[2]]
    words = [w for w in re.findall(r"[\w'’-]+|,", text.lower()) if w.strip("'’-")]
    for other in rivals:  # "dog barking and cat meowing": two sounds, not one reading of one
        lo, hi = sorted((best, other))
        if set(words[lo[0] + lo[1]: hi[0]]) & TWO_SOUNDS:
            return None
    return BY_NAME[best[2]]


TWO_SOUNDS = frozenset({"and", "or", "then", "while", "with", "plus", "also", ","})


def names_by_class() -> dict[str, tuple[str, ...]]:
    """class id -> the names people use for it (what the agent's request reader matches)."""
    return {c.name: c.names for c in SOUND_CLASSES}


def synthesised_classes() -> tuple[str, ...]:
    return tuple(c.name for c in SOUND_CLASSES if c.synthesised)


def detected_classes() -> frozenset[str]:
    return frozenset(c.name for c in SOUND_CLASSES if c.detected)


def spoken_names() -> dict[str, str]:
    """class id -> how the agent says it heard it."""
    return {c.name: c.spoken for c in SOUND_CLASSES}


__all__ = ["SoundClass", "SOUND_CLASSES", "GROUPS", "BY_NAME", "BY_ESC50", "ESC50_CATEGORIES", "normalise_name",
           "sound_class", "class_said", "classes_named", "word_form", "names_by_class", "synthesised_classes", "detected_classes", "spoken_names"]
