"""The one sound-class table, and that the builder, the ESS templates, the offline detector and
the offline agent's request reader all agree with it."""

from collections import Counter

import pytest

from provoice_live.sound_classes import (
    BY_ESC50, GROUPS, SOUND_CLASSES, class_said, classes_named, detected_classes, normalise_name, sound_class, spoken_names,
    synthesised_classes, word_form)

ESC50_GROUPS = {"animals", "natural", "human", "domestic", "urban"}


def test_the_table_holds_all_fifty_esc50_categories_ten_per_group():
    assert len(BY_ESC50) == 50
    assert Counter(c.group for c in SOUND_CLASSES if c.esc50) == {g: 10 for g in ESC50_GROUPS}
    assert all(c.group == "devices" for c in SOUND_CLASSES if not c.esc50)
    assert {c.group for c in SOUND_CLASSES} <= set(GROUPS)
    assert len({c.name for c in SOUND_CLASSES}) == len(SOUND_CLASSES)


def test_no_name_belongs_to_two_classes():
    owners: dict[str, set[str]] = {}
    for c in SOUND_CLASSES:
        for phrase in (c.name, c.esc50 or c.name, *c.names):
            owners.setdefault(normalise_name(phrase), set()).add(c.name)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert not shared


@pytest.mark.parametrize("c", SOUND_CLASSES, ids=lambda c: c.name)
def test_every_name_resolves_to_its_class(c):
    for phrase in (c.name, c.esc50 or c.name, *c.names):
        assert sound_class(phrase) is c, phrase
        assert sound_class(phrase.upper().replace(" ", "-")) is c, phrase
    assert sound_class(f"the {c.names[0]}") is c


def test_unknown_names_resolve_to_nothing():
    assert sound_class("a spaceship landing") is None and sound_class("") is None and sound_class(None) is None


def test_no_name_shares_its_word_forms_with_another_class():
    owners: dict[tuple[str, ...], set[str]] = {}
    for c in SOUND_CLASSES:
        for phrase in (c.name, c.esc50 or c.name, *c.names):
            owners.setdefault(tuple(map(word_form, normalise_name(phrase).split())), set()).add(c.name)
    assert not {k: v for k, v in owners.items() if len(v) > 1}


@pytest.mark.parametrize("forms", [("beep", "beeps", "beeping", "beeped"), ("whistle", "whistles", "whistling", "whistled"),
                                   ("clap", "claps", "clapping", "clapped"), ("baby", "babies", "baby's"),
                                   ("ring", "rings", "ringing"), ("glass", "glasses")])
def test_word_forms_of_one_word_agree(forms):
    assert len({word_form(w) for w in forms}) == 1, forms


@pytest.mark.parametrize("text, named", [
    ("The kitchen timer goes off.", {"microwave_beep"}), ("It beeps twice.", {"microwave_beep"}),
    ("the microwave beeped", {"microwave_beep"}), ("The Egg-Timer is ringing!", {"microwave_beep"}),
    ("Behind them, the dog's barking, again.", {"dog_bark"}), ("The dogs bark.", {"dog_bark"}),
    ("Someone knocks at the door.", {"door_knock"}), ("The kettle whistles while it rains.", {"kettle_whistle", "rain"}),
    ("the bell rings", {"doorbell"}), ("The church bells are ringing.", {"church_bells"}),  # the longest name wins
    ("Babies cry.", {"crying_baby"}), ("The phone rings.", {"phone_ring"}),
    ("Nothing happens at all.", set()), ("", set())])
def test_a_text_names_classes_by_any_of_their_names_in_any_word_form(text, named):
    assert classes_named(text) == named


@pytest.mark.parametrize("text, named", [
    # a first word that is a name as written keeps its reading: plural bells are the church bells'
    ("bells ringing", {"church_bells"}), ("The bells ring.", {"church_bells"}), ("bells rang out", {"church_bells"}),
    ("Bells are ringing somewhere.", {"church_bells"}), ("The church bells ring at noon.", {"church_bells"}),
    # the doorbell's names, in any form
    ("the bell rings", {"doorbell"}), ("Someone rings the bell.", {"doorbell"}), ("a bell ring at the door", {"doorbell"}),
    ("the door bell", {"doorbell"}), ("The doorbell is ringing.", {"doorbell"}), ("door chimes", {"doorbell"}),
    # later words may take another form; a first word written as the longer name writes it stays in it
    ("The rooster crows.", {"rooster"}), ("chain sawing", {"chainsaw"}), ("water boiling", {"kettle_whistle"}),
    ("the crows of a rooster", {"rooster"}), ("crows cawing", {"crow"}),
])
def test_word_forms_do_not_turn_one_class_name_into_another(text, named):
    assert classes_named(text) == named


@pytest.mark.parametrize("text, cls", [
    ("bells", "church_bells"), ("bells ringing", "church_bells"), ("bells ring", "church_bells"),
    ("church bells ringing", "church_bells"),
    ("doorbell", "doorbell"), ("door bell", "doorbell"), ("bell ring at the door", "doorbell"),
    ("someone rings the bell", "doorbell"),
    ("smoke alarm beeping", "smoke_alarm"),  # the longer name: the more specific reading
    ("kitchen timer beeping", "microwave_beep"), ("kettle whistling", "kettle_whistle"), ("dog barking", "dog_bark"),
    ("door_wood_knock", "door_knock"), ("someone knocking on the door.", "door_knock"),
    ("alarm beeping", "alarm_clock"),  # of equally long names, the first: what is heard, then what it does
    ("spaceship", None), ("", None), (None, None),
    # two sounds named alike, parted by a conjunction: no one reading (the reader refuses the turn)
    ("dog barking and cat meowing", None), ("a cat meowing or a dog barking", None), ("doorbell, then phone ringing", None),
])
def test_one_reading_of_a_sound_name_or_description(text, cls):
    found = class_said(text)
    assert (found.name if found else None) == cls


@pytest.mark.parametrize("c", SOUND_CLASSES, ids=lambda c: c.name)
def test_every_name_is_read_as_its_class_by_the_one_reading(c):
    for phrase in (c.name, c.esc50 or c.name, *c.names):
        assert class_said(phrase) is c, phrase


def test_the_builder_bank_synthesises_exactly_the_marked_classes():
    from provoice_live.corpus.builder.sounds import ESC50_TO_CLASS, SYNTH_CLASSES, synth_class

    assert set(SYNTH_CLASSES) == set(synthesised_classes())
    assert set(ESC50_TO_CLASS) == set(BY_ESC50)
    for esc, ours in ESC50_TO_CLASS.items():
        assert ours == (BY_ESC50[esc].name if BY_ESC50[esc].synthesised else None), esc
    for c in SOUND_CLASSES:
        assert synth_class(c.names[0]) == (c.name if c.synthesised else None), c.name


def test_the_detector_has_a_rule_for_exactly_the_marked_classes():
    from provoice_live.agents.offline.sounds import CLASS_RULES

    assert {row.split("/")[0] for row in CLASS_RULES} == set(detected_classes())
    assert detected_classes() <= set(synthesised_classes())  # every rule is checked on the bank


def test_the_agent_reads_the_table():
    from provoice_live.agents.offline.understanding import lexicon, mind

    assert lexicon.SOUND_NAMES == {c.name: c.names for c in SOUND_CLASSES}
    assert mind.DETECTABLE == detected_classes()
    assert mind.SOUND_LABELS == spoken_names()


@pytest.mark.parametrize("c", SOUND_CLASSES, ids=lambda c: c.name)
def test_the_agent_reads_every_name_as_its_class(c):
    """The request reader matches lemmatised words, longest first: no name of a class is read as
    another class (which would make a watch wait for the wrong sound)."""
    from provoice_live.agents.offline.understanding.instruction import find_sound

    for phrase in (c.name, c.esc50 or c.name, *c.names):
        found = find_sound(f"if you hear {phrase}, tell me")
        assert found is not None and found[0] == c.name, (phrase, found)


def test_the_ess_templates_ask_for_synthesised_classes_by_names_the_agent_reads():
    from provoice_live.agents.offline.understanding.instruction import find_sound
    from provoice_live.corpus.builder.templates.ess import LISTENS

    synth = set(synthesised_classes())
    slots = {"pet": "Biscuit", "driver": "Sam"}
    for ls in LISTENS:
        assert ls.sound in synth and set(ls.confusers) <= synth - {ls.sound}, ls.name
        for name in ls.names:
            found = find_sound(f"When you hear {name.format(**slots)}, tell me.")
            assert found is not None and found[0] == ls.sound, (ls.name, name, found)


@pytest.mark.parametrize("text", ["dryer", "the dryer", "when the dryer's done", "The dryer beeps.", "the dryer buzzing",
                                  "Let me know when the dryer is finished.", "dryer beep"])
def test_the_dryer_alone_is_the_beep_of_a_machine_done_not_the_washing_machine(text):
    """A clothes dryer is heard when it is done (a beep or a buzz, as the table's "dryer beep" says); the
    washing machine's ESC-50 class is a washer running, and "dryer" is no name of it."""
    assert classes_named(text) == {"microwave_beep"}
    assert class_said(text) is sound_class("microwave_beep")
    assert "dryer" not in sound_class("washing_machine").names


@pytest.mark.parametrize("text", ["the washer", "the washing machine is spinning", "the spin cycle", "laundry"])
def test_the_washing_machine_keeps_its_own_names(text):
    assert classes_named(text) == {"washing_machine"}


@pytest.mark.parametrize("word, form", [("rang", "ring"), ("rung", "ring"), ("rings", "ring"), ("blew", "blow"),
                                        ("broke", "break")])
def test_irregular_forms_are_one_word(word, form):
    assert word_form(word) == form


@pytest.mark.parametrize("text, classes", [
    ("the bell rang twice", {"doorbell"}),  # reported by a set writer: "rang" had read as church bells
    ("the bell rings", {"doorbell"}),
    ("the church bells rang out", {"church_bells"}),
    ("the fire alarm goes off", {"smoke_alarm"}),
])
def test_a_past_tense_names_the_same_sound(text, classes):
    assert classes_named(text) == classes
