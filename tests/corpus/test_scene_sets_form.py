"""The form of the hand-written scene sets under tests/fixtures/ (heldout2..19, dev4..10), one row of
`SETS` per set: each loads through the release reader, is balanced, is what its generator writes (and
the generator refuses a scene of the wrong form), every scene builds, and every positive's cue can be
found by the builder. The checks themselves live in tests/support/scene_sets.py.

These tests check the fixtures' form only; they never run an agent on a set (the held-out sets are
measured, never developed against: tests/fixtures/<set>/README.md).

To add a set: write tests/fixtures/<set>/ (scenes.json, tools.json, make_scenes.py; the generator is
loaded as `<set>_make_scenes`) and add one `SceneSet` row to `SETS`: its name, id prefix and tool count,
the refusal cases (each a constructor from tests/support/scene_sets.py with the id the generator's error
must name), and the style fields where the set differs from the defaults (the form of the newest sets:
marked ids, positives and negatives alternating, 4 to 10 turns, 18 located cues; the counts of the
pipeline's style are off until set). Each parametrised test then runs on it, with the set's name as the
test id. A check only that set has goes in a small function at the end of this module, named for the set
and for what it checks. The refusal cases read the generator's module-level lists `CFC`, `PIC`, `LTM` and
`ESS` by index, each ordered first positive, first negative, second positive, ... (`Refusal.source`). Run
`-k "<set> or every_set"`: `-k <set>` alone skips the check that every set folder has a row."""

from __future__ import annotations

import collections
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from provoice_live.corpus.locator import CueFacts
from provoice_live.corpus.official import read_records
from provoice_live.sound_classes import sound_class
from support.scene_sets import (FIXTURES, Refusal, app_layouts, assert_balanced, assert_calls_name_tools,
                                assert_cfc_carries_the_user_and_the_app, assert_clocks_name_their_weekday,
                                assert_cues_located_by_quote, assert_ess_cues_name_their_sound,
                                assert_ess_sounds_synthesised, assert_every_scene_builds,
                                assert_generator_writes_the_files, assert_ids_alternate_by_label, inserted, described,
                                no_call, call_parameters, request_not_first, sound_not_last, sound_replaced,
                                sound_unnamed, too_short, two_sounds, unquoted, unsaid_quote, unsynthesised)

MARKED, NUMBERED, UNLABELLED = "marked", "numbered", "unlabelled"  # how a set's ids name the label


@dataclass(frozen=True)
class SceneSet:
    name: str  # the folder tests/fixtures/<name>; the test id
    prefix: str  # every id starts `<prefix>-`
    tools: int  # how many tools tools.json offers
    refusals: tuple[Refusal, ...] = ()  # spoilt scenes the generator must refuse, naming their ids
    ids: str = MARKED  # MARKED: `<prefix>-<task>-<p|n><1-6>-<slug>`; NUMBERED: `...-NN`, odd positive; UNLABELLED
    positives_call: bool = True  # every positive's reply makes a tool call
    alternating: bool = True  # records go positive, negative, positive, ...
    pairs_share_a_task: bool = False  # each positive is followed by a negative of its task
    four_to_ten_turns: bool = True  # every scene has 4 to 10 turns
    speakers_take_turns: bool = True  # no speaker has two turns in a row
    located_cues: int = 18  # spoken positives the locator finds by their quote
    cfc_with_user_and_app: int | None = None  # pipeline-style CFC: user_gender/user_age/app_cue (12: all)
    cfc_ending_with_the_model: int | None = None  # of those, how many end with the model's turn
    cfc_app_layout: str | None = None  # their apps: "apps" {context, state}; "events" also {events, key_events}
    ess_without_apps: int | None = None  # ESS scenes with no app states (the pipeline's ESS)
    app_layouts_at_least: tuple[int, int, int] | None = None  # apps in the release layout, bare lists, other objects

    @property
    def folder(self) -> Path:
        return FIXTURES / self.name

    @property
    def module(self) -> str:
        return f"{self.name}_make_scenes"


PIPELINE_CFC = dict(cfc_with_user_and_app=6, cfc_ending_with_the_model=3, cfc_app_layout="events")

SETS = (
    SceneSet("heldout2", "h2", tools=14, ids=UNLABELLED, positives_call=False, alternating=False,
             four_to_ten_turns=False),
    SceneSet("heldout3", "h3", tools=15, alternating=False, four_to_ten_turns=False, refusals=(
        unsaid_quote("h3-cfc-p1-garage-day"),
    )),
    SceneSet("heldout4", "h4", tools=16, pairs_share_a_task=True, **PIPELINE_CFC, ess_without_apps=6, refusals=(
        unsaid_quote("h4-cfc-p1-anniversary-table"),
        unquoted("h4-pic-p1-pen-y-fan-rain", "User1 worries about the weather."),
        sound_not_last("h4-ess-p1-party-doorbell", "I'll get it."),
    )),
    SceneSet("heldout5", "h5", tools=15, pairs_share_a_task=True, **PIPELINE_CFC, ess_without_apps=6, refusals=(
        unsaid_quote("h5-cfc-p1-surf-lesson-time"),
        unquoted("h5-pic-p1-polzeath-swell", "User1 wonders about the surf."),
        sound_not_last("h5-ess-p1-terrier-take", "Oh no, Bonnie again."),
        request_not_first("h5-ltm-p1-barn-opens", "Morning, come on in."),
    )),
    SceneSet("heldout6", "h6", tools=15, pairs_share_a_task=True, **PIPELINE_CFC, ess_without_apps=6, refusals=(
        unsaid_quote("h6-cfc-p1-eye-test-fourteen-fifteen"),
        unquoted("h6-pic-p1-frost-on-the-courgettes", "User1 worries about frost."),
        sound_not_last("h6-ess-p1-phone-on-the-wall", "Is that yours buzzing?"),
        sound_unnamed("h6-ess-p1-phone-on-the-wall", "Something happens while User1 climbs."),
        two_sounds("h6-ess-n1-wind-not-thunder"),
        request_not_first("h6-ltm-p1-drivers-to-the-car-deck", "Mind the step, it's slippy."),
        too_short("h6-pic-n1-judging-at-three-thirty"),
    )),
    SceneSet("heldout7", "h7", tools=15, **PIPELINE_CFC, ess_without_apps=6, refusals=(
        unsaid_quote("h7-cfc-p1-dj-wrong-venue"),
        unquoted("h7-pic-p1-flat-lentils-tonight", "User1 wonders what to cook."),
        described("h7-ltm-p1-bakery-flour-at-six", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "coming at six tomorrow, not seven."'),
        sound_not_last("h7-ess-p1-bakery-proofer-timer", "Is that your timer going?"),
        sound_unnamed("h7-ess-p1-bakery-proofer-timer", "Something happens while User1 serves."),
        unsynthesised("h7-ess-n1-nights-alarm-not-phone", "(Sound of laughing)"),
        two_sounds("h7-ess-n1-nights-alarm-not-phone"),
        inserted("h7-pic-n1-flat-rice-answered", "sound-in-talk", ("PIC", 1), 1, "environment", "(Sound of doorbell)"),
        request_not_first("h7-ltm-p1-bakery-flour-at-six", "Mind, the tray's hot."),
        too_short("h7-pic-n1-flat-rice-answered"),
        no_call("h7-cfc-p2-nights-thursday-clash", ("CFC", 2)),
    )),
    SceneSet("heldout8", "h8", tools=15, cfc_with_user_and_app=12, cfc_ending_with_the_model=6, ess_without_apps=9,
             refusals=(
        unsaid_quote("h8-cfc-p1-viewing-half-five", who="Marcus"),
        unquoted("h8-pic-p1-desk-in-the-alcove", "Rachel wonders whether the desk fits."),
        sound_not_last("h8-ess-p1-doorbell-during-the-shoot", "Was that the door?"),
        sound_unnamed("h8-ess-p1-doorbell-during-the-shoot", "Something happens during the shoot."),
        two_sounds("h8-ess-n1-waves-not-thunder"),
        request_not_first("h8-ltm-p1-workshop-in-room-4b", "Mind the step."),
        too_short("h8-pic-n1-keynote-at-nine"),
        no_call("h8-ltm-p2-hose-drill-date", ("LTM", 2)),
        inserted("h8-cfc-n1-shoot-half-four-sunday", "sound-in-talk", ("CFC", 1), 1, "environment", "(Sound of rain)"),
    )),
    SceneSet("heldout9", "h9", tools=15, pairs_share_a_task=True, **PIPELINE_CFC, ess_without_apps=6, refusals=(
        unsaid_quote("h9-cfc-p1-physio-on-the-wrong-day"),
        unquoted("h9-pic-p1-linden-close-to-harper-road", "User1 does not know how long the drive takes."),
        sound_not_last("h9-ess-p1-doorbell-during-the-call", "Was that the door? I'll get it."),
        sound_unnamed("h9-ess-p1-doorbell-during-the-call", "Something happens while User1 is on the call."),
        two_sounds("h9-ess-n1-cat-not-the-dog"),
        request_not_first("h9-ltm-p1-audit-pack-by-the-sixth", "Is everyone on? I can see five faces."),
        too_short("h9-pic-n1-rennet-already-measured"),
    )),
    SceneSet("heldout10", "h10", tools=15, cfc_with_user_and_app=4, cfc_ending_with_the_model=2, cfc_app_layout="events",
             ess_without_apps=4, refusals=(
        unsaid_quote("h10-cfc-p1-doubles-final-on-sunday", who="Ruth"),
        unquoted("h10-pic-p1-rain-on-mrs-dales-glass", "Dean does not know whether it will rain tomorrow."),
        sound_not_last("h10-ess-p1-smoke-alarm-by-the-tandoor", "Chef, is that the alarm? I'll open the back door."),
        sound_unnamed("h10-ess-p1-smoke-alarm-by-the-tandoor", "Something goes off in the kitchen during service."),
        two_sounds("h10-ess-n1-phone-not-the-doorbell"),
        request_not_first("h10-ltm-p1-mr-ferreiras-new-tablets", "Morning, shall we start?"),
        too_short("h10-pic-n1-cash-and-carry-found"),
        inserted("h10-cfc-n1-bruno-quarter-to-one", "sound-in-talk", ("CFC", 1), 1, "environment", "(Sound of dog barking)"),
    )),
    SceneSet("heldout11", "h11", tools=15, cfc_with_user_and_app=4, cfc_ending_with_the_model=2, cfc_app_layout="events",
             ess_without_apps=4, refusals=(
        unsaid_quote("h11-cfc-p1-podiatrist-quarter-past"),
        unquoted("h11-pic-p1-scarborough-hot-enough", "User1 does not know whether Saturday will be warm."),
        sound_not_last("h11-ess-p1-horn-is-the-lift", "That'll be Priya, go on, go."),
        sound_unnamed("h11-ess-p1-horn-is-the-lift", "Something happens outside the house."),
        two_sounds("h11-ess-n1-microwave-not-smoke-alarm"),
        request_not_first("h11-ltm-p1-hedge-consultation-date", "Evening, all, take a seat."),
        too_short("h11-pic-n1-key-safe-code-read-out"),
        inserted("h11-cfc-n1-nights-ten-till-six", "sound-in-talk", ("CFC", 1), 1, "environment", "(Sound of doorbell)"),
        no_call("h11-cfc-p2-loan-forty-two-a-week", ("CFC", 2)),
    )),
    SceneSet("heldout12", "h12", tools=15, pairs_share_a_task=True, cfc_with_user_and_app=12, cfc_ending_with_the_model=6,
             cfc_app_layout="events", ess_without_apps=12, refusals=(
        unsaid_quote("h12-cfc-p1-county-shoot-on-the-sunday"),
        unquoted("h12-pic-p1-rain-on-cannock-chase", "User1 does not know whether it will rain on Saturday."),
        sound_not_last("h12-ess-p1-doorbell-during-payroll", "Hang on, that's the door."),
        sound_unnamed("h12-ess-p1-doorbell-during-payroll", "Something happens during the payroll call."),
        two_sounds("h12-ess-n1-cat-not-the-baby"),
        request_not_first("h12-ltm-p1-regional-qualifier-date", "Masks off, both of you."),
        too_short("h12-pic-n1-reading-books-total"),
        inserted("h12-cfc-n1-laptop-rebuild-half-five", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of doorbell)"),
        no_call("h12-cfc-p2-hazelnut-cold-brew", ("CFC", 2)),
        call_parameters("h12-ltm-p2-priory-close-added", ("LTM", 2), {"heading": "Paper round"}),  # 'text' missing
    )),
    SceneSet("heldout13", "h13", tools=15, app_layouts_at_least=(5, 5, 8), refusals=(
        unsaid_quote("h13-cfc-p1-ceiling-at-nine"),
        unquoted("h13-pic-p1-galax-rain-saturday", "User1 does not know whether it will rain at the festival."),
        sound_not_last("h13-ess-p1-buzzer-while-gel", "I get it, ma'am, stay."),
        sound_unnamed("h13-ess-p1-buzzer-while-gel", "Something happens at the front of the salon."),
        two_sounds("h13-ess-n1-kettle-not-the-smoke-alarm"),
        request_not_first("h13-ltm-p1-windows-tuesday-fourteenth", "Mornin', pet, mind the step."),
        too_short("h13-pic-n1-refill-price-on-the-list"),
        inserted("h13-cfc-n1-induction-quarter-tae-eight", "sound-in-talk", ("CFC", 1), 1, "environment", "(Sound of doorbell)"),
        no_call("h13-cfc-p2-umrah-on-the-twentieth", ("CFC", 2)),
    )),
    SceneSet("heldout14", "h14", tools=15, pairs_share_a_task=True, **PIPELINE_CFC, ess_without_apps=6,
             app_layouts_at_least=(20, 12, 12), refusals=(
        unsaid_quote("h14-cfc-p1-boat-at-four"),
        unquoted("h14-pic-p1-dry-for-the-lemur-walk", "User1 does not know whether Sunday morning will be dry at the zoo."),
        sound_not_last("h14-ess-p1-horn-for-the-cheese-van", "That'll be them, I'll get the shutter."),
        sound_unnamed("h14-ess-p1-horn-for-the-cheese-van", "Something happens out the back of the deli."),
        two_sounds("h14-ess-n1-footsteps-not-a-knock"),
        unsynthesised("h14-ess-n1-footsteps-not-a-knock", "(Sound of laughing)"),
        request_not_first("h14-ltm-p1-annual-dinner-at-the-crown", "Evening, grab a bat, the juniors have finished."),
        too_short("h14-pic-n1-eleven-two-clear"),
        inserted("h14-cfc-n1-compost-quarter-to-eight", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of doorbell)"),
        no_call("h14-cfc-p2-honey-mustard-ham", ("CFC", 2)),
        call_parameters("h14-ltm-p2-brogues-thirty-eight", ("LTM", 2), {"title": "Brogues"}),  # 'body' missing
        described("h14-ltm-p3-rajahs-dental-thursday", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "Rajah\'s been chewing on the left side again, I saw him with the meat last night."'),
    )),
    SceneSet("heldout15", "h15", tools=15, app_layouts_at_least=(6, 20, 10), refusals=(
        unsaid_quote("h15-cfc-p1-food-shop-at-seven"),
        unquoted("h15-pic-p1-rain-at-wexcombe", "User1 does not know whether it will rain at the park on Saturday."),
        sound_not_last("h15-ess-p1-doorbell-for-the-shopping", "That'll be the shopping, I'll go."),
        sound_unnamed("h15-ess-p1-doorbell-for-the-shopping", "Something happens while the children watch television."),
        two_sounds("h15-ess-n1-cat-not-the-baby"),
        unsynthesised("h15-ess-n1-cat-not-the-baby", "(Sound of laughing)"),
        request_not_first("h15-ltm-p1-coach-back-at-quarter-past-four", "Morning! Mind the puddle."),
        too_short("h15-pic-n1-pasta-already-weighed"),
        inserted("h15-cfc-n1-twelve-pound-fifty", "sound-in-talk", ("CFC", 1), 1, "environment", "(Sound of car horn)"),
        no_call("h15-cfc-p2-breadcrumb-stuffing", ("CFC", 2)),
        call_parameters("h15-ltm-p2-rosies-chores", ("LTM", 2), {"heading": "Rosie's chores"}),  # 'text' missing
    )),
    SceneSet("heldout16", "h16", tools=15, app_layouts_at_least=(10, 12, 12), refusals=(
        unsaid_quote("h16-cfc-p1-passport-twenty-to-eleven"),
        unquoted("h16-pic-p1-certificate-copies-before-friday", "User1 needs copies of the birth certificate."),
        sound_not_last("h16-ess-p1-doorbell-while-on-hold", "Is that your door, madam? I can hold."),
        sound_unnamed("h16-ess-p1-doorbell-while-on-hold", "Something happens while User1 is on the phone."),
        two_sounds("h16-ess-n1-microwave-not-the-doorbell"),
        unsynthesised("h16-ess-n1-microwave-not-the-doorbell", "(Sound of laughing)"),
        request_not_first("h16-ltm-p1-new-sort-code-and-account", "Next, please, who's waiting?"),
        too_short("h16-pic-n1-canada-answered-at-once"),
        inserted("h16-cfc-n1-standing-order-eight-twenty-five", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of door knock)"),
        no_call("h16-cfc-p2-permit-runs-out-in-june", ("CFC", 2)),
        call_parameters("h16-ltm-p2-ceremony-on-the-twentieth", ("LTM", 2), {"action": "add", "title": "Wedding"}),  # 'when' missing
        described("h16-ltm-p3-declaration-by-the-twenty-ninth", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "Can I start with your customer reference number, please?"'),
    )),
    SceneSet("heldout24", "h24", tools=16, **PIPELINE_CFC, app_layouts_at_least=(48, 30, 20), refusals=(
        unsaid_quote("h24-cfc-p1-pitch-at-two-not-four", who="Joel"),
        unquoted("h24-pic-p1-train-to-reading-before-nine", "Tom does not know which train to take to Reading."),
        sound_not_last("h24-ess-p1-fire-alarm-sweep-floor-two", "That's it, laptops down, out we go."),
        sound_unnamed("h24-ess-p1-fire-alarm-sweep-floor-two", "Something goes off during the drill window."),
        two_sounds("h24-ess-n1-footsteps-not-a-knock"),
        unsynthesised("h24-ess-n1-footsteps-not-a-knock", "(Sound of laughing)"),
        request_not_first("h24-ltm-p1-sign-off-on-the-twentieth", "Morning, grab a seat, coffee's on the side."),
        too_short("h24-pic-n1-room-booked-by-sunita"),
        inserted("h24-cfc-n1-kestrel-four-point-seven-five-lakh", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of phone ringing)"),
        no_call("h24-cfc-p2-crash-ticket-is-marcuss", ("CFC", 2)),
        call_parameters("h24-ltm-p2-economics-to-wolfson-two", ("LTM", 2), {"heading": "Room change"}),  # 'body' missing
        described("h24-ltm-p3-sixty-by-end-of-march", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "Right, let\'s start, we\'ve a lot to get through."'),
        described("h24-ltm-p1-sign-off-on-the-twentieth", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "their CMO is flying in for it, so the rough cut has to be watchable by then, not '
                  'perfect, watchable."'),
        described("h24-pic-p2-four-thousand-psi-in-megapascals", "quote-ends-inside-a-sentence", ("PIC", 2),
                  'User1 says: "I need that four thousand psi in megapascals"'),
    )),
    SceneSet("heldout27", "h27", tools=15, **PIPELINE_CFC, app_layouts_at_least=(44, 30, 10), refusals=(
        unsaid_quote("h27-cfc-p1-surveyor-on-thursday"),
        unquoted("h27-pic-p1-loft-quote-plus-vat", "User1 wants to know what the loft quote comes to with VAT."),
        sound_not_last("h27-ess-p1-doorbell-for-ellie", "That's Daddy! Can I get it?"),
        sound_unnamed("h27-ess-p1-doorbell-for-ellie", "Something happens while Ellie watches her film."),
        two_sounds("h27-ess-n1-alarm-not-the-phone"),
        unsynthesised("h27-ess-n1-alarm-not-the-phone", "(Sound of laughing)"),
        request_not_first("h27-ltm-p1-scaffolding-monday-the-eighth", "Morning, shall I put the kettle on?"),
        too_short("h27-pic-n1-scripts-already-printed"),
        inserted("h27-cfc-n1-gig-half-eight-till-eleven", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of doorbell)"),
        no_call("h27-cfc-p2-three-rounds-of-revisions", ("CFC", 2)),
        call_parameters("h27-ltm-p2-sixty-five-an-hour", ("LTM", 2), {"heading": "Rate"}),  # 'body' missing
        described("h27-ltm-p3-aircon-engineer-wednesday", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "You\'re reading the one by the door."'),
        described("h27-ltm-p1-scaffolding-monday-the-eighth", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "the scaffolding goes up on Monday the eighth of June at seven sharp."'),
        described("h27-pic-p2-flights-to-rarotonga", "quote-ends-inside-a-sentence", ("PIC", 2),
                  'User1 says: "I need to find flights from Auckland to Rarotonga for the eleventh of July"'),
    )),
    SceneSet("dev4", "dev4", tools=15, ids=NUMBERED, positives_call=False, alternating=False, four_to_ten_turns=False,
             speakers_take_turns=False),
    SceneSet("dev5", "dev5", tools=15, ids=NUMBERED, positives_call=False, alternating=False, four_to_ten_turns=False,
             app_layouts_at_least=(20, 3, 5)),
    SceneSet("dev6", "d6", tools=17, pairs_share_a_task=True, refusals=(
        unsaid_quote("d6-cfc-p1-cleaning-time", who="Tanya"),
        described("d6-ltm-p1-warmup-time", "quote-cut-by-a-plural-possessive", ("LTM", 0),
                  'Jen says: "Grab the guys\' jerseys, please."'),
        unquoted("d6-pic-p1-carnitas-kilos", "Marcus needs a conversion."),
    )),
    SceneSet("dev7", "d7", tools=15, app_layouts_at_least=(15, 8, 5), refusals=(
        unsaid_quote("d7-cfc-p1-telecom-plan-rupees"),
        unquoted("d7-pic-p1-headland-sunrise", "User1 wants a forecast."),
        sound_replaced("d7-ess-p1-oven-timer-buns", "(Sound of dog_bark)"),
    )),
    SceneSet("dev8", "d8", tools=15, cfc_with_user_and_app=12, cfc_ending_with_the_model=6, cfc_app_layout="apps",
             refusals=(
        unsaid_quote("d8-cfc-p1-dental-twenty-to"),
        unquoted("d8-pic-p1-whitby-high-tide", "User1 wants the tide times."),
        inserted("d8-ltm-p1-museum-tour-time", "quote-not-the-cue", ("LTM", 0), -1, "1", "Lunch first, then."),
        sound_replaced("d8-ess-p1-puppy-crate-bark", "(Sound of cat)"),
    )),
    SceneSet("dev9", "d9", tools=15, pairs_share_a_task=True, four_to_ten_turns=False, refusals=(
        unsaid_quote("d9-cfc-p1-boiler-thursday"),
        unquoted("d9-pic-p1-fete-forecast", "User1 wants a forecast."),
    )),
    SceneSet("dev10", "d10", tools=15, pairs_share_a_task=True, **PIPELINE_CFC, ess_without_apps=12, refusals=(
        unsaid_quote("d10-cfc-p1-pepper-dental-this-thursday"),
        unquoted("d10-pic-p1-high-tide-at-titchwell", "User1 wants the tide times."),
        sound_not_last("d10-ess-p1-timer-for-the-sourdough", "Is that the timer?"),
        sound_unnamed("d10-ess-p1-timer-for-the-sourdough", "Something happens while they bake."),
        two_sounds("d10-ess-n1-doorbell-not-the-vet"),
        request_not_first("d10-ltm-p1-terry-says-the-pitch-is-under-water", "Boots off at the door, please."),
        too_short("d10-pic-n1-moonrise-already-checked"),
        call_parameters("d10-cfc-p2-parking-in-lot-e", ("CFC", 2), {"app": "Email"}),  # 'what' missing
    )),
    SceneSet("heldout17", "h17", tools=15, app_layouts_at_least=(12, 20, 12), refusals=(
        unsaid_quote("h17-cfc-p1-league-match-at-eight"),
        unquoted("h17-pic-p1-rain-on-the-river-pick", "User1 does not know whether it will rain on the litter pick."),
        sound_not_last("h17-ess-p1-doorbell-during-the-wardrobe", "that'll be the bedside table i'll go"),
        sound_unnamed("h17-ess-p1-doorbell-during-the-wardrobe", "Something happens while they build the wardrobe."),
        two_sounds("h17-ess-n1-microwave-not-the-smoke-alarm"),
        unsynthesised("h17-ess-n1-microwave-not-the-smoke-alarm", "(Sound of laughing)"),
        request_not_first("h17-ltm-p1-assessment-on-the-ninth", "morning everyone come in"),
        too_short("h17-pic-n1-door-code-read-out"),
        inserted("h17-cfc-n1-biometrics-quarter-to-nine", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of doorbell)"),
        no_call("h17-cfc-p2-prawn-toasts", ("CFC", 2)),
        call_parameters("h17-ltm-p2-drawings-two-thousand-four-hundred", ("LTM", 2),
                        {"subject": "Architect's fee"}),  # 'details' missing
        described("h17-ltm-p1-assessment-on-the-ninth", "quote-short-of-the-turn", ("LTM", 0),
                  'User2 says: "tuesday the ninth of june"'),  # no punctuation: the quote must be most of the turn
    )),
    SceneSet("heldout18", "h18", tools=15, app_layouts_at_least=(6, 15, 15), refusals=(
        unsaid_quote("h18-cfc-p1-bloods-at-twenty-past-ten"),
        unquoted("h18-pic-p1-bus-to-the-civic-centre", "User1 does not know how to get to the Civic Centre."),
        sound_not_last("h18-ess-p1-doorbell-from-the-back-room", "That'll be the foot lady, shall I get it?"),
        sound_unnamed("h18-ess-p1-doorbell-from-the-back-room", "Something happens while User1 sits in the back room."),
        two_sounds("h18-ess-n1-doorbell-not-the-pharmacist-ringing"),
        unsynthesised("h18-ess-n1-doorbell-not-the-pharmacist-ringing", "(Sound of laughing)"),
        request_not_first("h18-ltm-p1-lift-fixed-friday", "Morning, Mrs Kaur, only me."),
        too_short("h18-pic-n1-aerial-man-number-in-hand"),
        inserted("h18-cfc-n1-hearing-check-half-two", "sound-in-talk", ("CFC", 1), 1, "environment", "(Sound of doorbell)"),
        no_call("h18-cfc-p2-two-amlodipine", ("CFC", 2)),
        call_parameters("h18-ltm-p2-partnered-with-dorothy", ("LTM", 2), {"heading": "Bridge partner"}),  # 'text' missing
        described("h18-ltm-p3-under-one-thirty-five", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "How have your home readings been?"'),
    )),
    SceneSet("heldout19", "h19", tools=15, app_layouts_at_least=(30, 20, 12), refusals=(
        unsaid_quote("h19-cfc-p1-open-day-on-the-sunday"),
        unquoted("h19-pic-p1-vienna-to-budapest-train", "User1 needs a train from Vienna to Budapest."),
        sound_not_last("h19-ess-p1-phone-up-the-tower", "Leave it, keep your rope."),
        sound_unnamed("h19-ess-p1-phone-up-the-tower", "Something happens during practice up the tower."),
        two_sounds("h19-ess-n1-church-bells-not-the-doorbell"),
        unsynthesised("h19-ess-n1-church-bells-not-the-doorbell", "(Sound of laughing)"),
        request_not_first("h19-ltm-p1-finds-officer-on-the-tenth", "Evening, grab a chair."),
        too_short("h19-pic-n1-fuse-already-fitted"),
        inserted("h19-cfc-n1-basketing-at-half-six", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of doorbell)"),
        no_call("h19-cfc-p2-almond-bakewell-tart", ("CFC", 2)),
        call_parameters("h19-ltm-p2-oak-moulding-price", ("LTM", 2), {"heading": "Oak moulding price"}),  # 'text' missing
        described("h19-ltm-p1-finds-officer-on-the-tenth", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "coming on Wednesday the tenth of June at half seven."'),
    )),
    SceneSet("heldout20", "h20", tools=16, cfc_with_user_and_app=4, cfc_ending_with_the_model=2, cfc_app_layout="events",
             app_layouts_at_least=(30, 30, 30), refusals=(
        unsaid_quote("h20-cfc-p1-permit-ten-forty"),
        unquoted("h20-pic-p1-wind-for-the-big-kite", "Emre does not know whether there will be enough wind for the kite."),
        sound_not_last("h20-ess-p1-doorbell-for-the-internet-man", "That'll be him, go on, I'll mind your books."),
        sound_unnamed("h20-ess-p1-doorbell-for-the-internet-man",
                      "Something happens at the front of the house while Amina studies in the garden."),
        two_sounds("h20-ess-n1-cat-not-the-baby"),
        unsynthesised("h20-ess-n1-cat-not-the-baby", "(Sound of laughing)"),
        request_not_first("h20-ltm-p1-library-tour-wednesday", "Hi, sorry, is this the queue for the student cards?"),
        too_short("h20-pic-n1-evening-ticket-on-the-board"),
        inserted("h20-cfc-n1-bank-three-fifty-quarter-to-three", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of phone ringing)"),
        no_call("h20-cfc-p2-prawn-dumplings-new-year", ("CFC", 2)),
        call_parameters("h20-ltm-p2-pork-bones-two-eighty", ("LTM", 2), {"title": "Pork bone price"}),  # 'body' missing
        described("h20-ltm-p1-library-tour-wednesday", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "on Wednesday at half past two, and we meet at the main entrance by the big clock."'),
        described("h20-ltm-p3-drone-photos-friday", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "Put a flag on it, I come and look after lunch."'),
    )),
    SceneSet("heldout21", "h21", tools=15, **PIPELINE_CFC, app_layouts_at_least=(36, 20, 20), refusals=(
        unsaid_quote("h21-cfc-p1-saturday-shift-at-one"),
        unquoted("h21-pic-p1-scooter-route-to-ancoats", "User1 does not know how to get to the office."),
        sound_not_last("h21-ess-p1-doorbell-mid-stream", "Oh my days, that's my mum's parcel, hold on."),
        sound_unnamed("h21-ess-p1-doorbell-mid-stream", "Something happens while User1 is live."),
        two_sounds("h21-ess-n1-alarm-clock-not-the-phone"),
        unsynthesised("h21-ess-n1-alarm-clock-not-the-phone", "(Sound of laughing)"),
        request_not_first("h21-ltm-p1-pitch-four", "Boots on, lads, we're late."),
        too_short("h21-pic-n1-pearls-on-the-sheet"),
        inserted("h21-cfc-n1-broadband-twenty-eight", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of doorbell)"),
        no_call("h21-cfc-p2-satay-after-the-shift", ("CFC", 2)),
        call_parameters("h21-ltm-p2-washer-engineer-thursday", ("LTM", 2), {"title": "Washer engineer"}),  # 'action', 'start' missing
        described("h21-ltm-p3-heat-three-at-two-fifteen", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "I\'m gonna lap you so many times it\'s embarrassing."'),
        described("h21-ltm-p1-pitch-four", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 reads: "it\'s pitch four tonight, kick-off twenty past eight, bibs are in my boot."'),
    )),
    SceneSet("heldout22", "h22", tools=15, cfc_with_user_and_app=4, cfc_ending_with_the_model=2, cfc_app_layout="events",
             app_layouts_at_least=(32, 40, 20), refusals=(
        unsaid_quote("h22-cfc-p1-check-out-on-the-twenty-eighth"),
        unquoted("h22-pic-p1-driver-lost-on-cavendish-road",
                 "User1 does not know how the driver gets round to the Pellow Street entrance."),
        sound_not_last("h22-ess-p1-doorbell-on-hold-to-the-deposit-scheme", "Sorry about that, I'm back, are you still there?"),
        sound_unnamed("h22-ess-p1-doorbell-on-hold-to-the-deposit-scheme",
                      "Something happens while User1 is on hold to the deposit scheme."),
        two_sounds("h22-ess-n1-microwave-not-the-kettle"),
        unsynthesised("h22-ess-n1-microwave-not-the-kettle", "(Sound of laughing)"),
        request_not_first("h22-ltm-p1-course-code-f750", "Hello, you're through to the clearing line."),
        too_short("h22-pic-n1-fit-note-ready-now"),
        inserted("h22-cfc-n1-pcn-thirty-five-by-the-twenty-sixth", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of doorbell)"),
        no_call("h22-cfc-p2-prawn-cocktail-at-the-hen", ("CFC", 2)),
        call_parameters("h22-ltm-p2-trusses-thursday-first-drop", ("LTM", 2), {"title": "Roof trusses"}),  # 'action' missing
        described("h22-ltm-p3-appeal-reference", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "Hatherley Council parking appeals, Jo speaking."'),
        described("h22-ltm-p1-course-code-f750", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "you\'ll need for UCAS is F-seven-five-zero, and you\'ve got until tomorrow at noon to add us '
                  'as your clearing choice."'),
        described("h22-pic-p2-simnel-cake-for-sunday", "quote-ends-inside-a-sentence", ("PIC", 2),
                  'User1 says: "I need a proper recipe for a simnel cake for eight"'),
    )),
    SceneSet("heldout23", "h23", tools=15, **PIPELINE_CFC, app_layouts_at_least=(48, 25, 18), refusals=(
        unsaid_quote("h23-cfc-p1-car-seat-half-eleven"),
        unquoted("h23-pic-p1-hot-for-sports-day", "User1 does not know whether Friday will be hot for sports day."),
        sound_not_last("h23-ess-p1-flush-for-the-victory-song", "Was that him? I'll go up and look."),
        sound_unnamed("h23-ess-p1-flush-for-the-victory-song", "Something happens upstairs while Rory is on his own."),
        two_sounds("h23-ess-n1-cat-not-the-baby"),
        unsynthesised("h23-ess-n1-cat-not-the-baby", "(Sound of laughing)"),
        request_not_first("h23-ltm-p1-zoo-trip-wednesday", "Hiya, mind the wet floor, they've had the paddling pool out."),
        too_short("h23-pic-n1-reading-book-in-the-car"),
        inserted("h23-cfc-n1-calpol-ten-past-six", "sound-in-talk", ("CFC", 1), 1, "environment", "(Sound of doorbell)"),
        no_call("h23-cfc-p2-scrambled-egg-for-arlo", ("CFC", 2)),
        call_parameters("h23-ltm-p2-thirteen-and-a-half-f", ("LTM", 2), {"heading": "Evie's shoes"}),  # 'body' missing
        described("h23-ltm-p3-back-on-monday-the-eighth", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "I did, I spoke to Mrs Khan, she was very nice about it, said half the class has had it '
                  'this term."'),
        described("h23-ltm-p1-zoo-trip-wednesday", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "next Wednesday, the twenty-ninth, the coach leaves at half nine, so he\'ll need a packed '
                  'lunch and a hat."'),
    )),
    SceneSet("heldout25", "h25", tools=15, app_layouts_at_least=(48, 16, 32), refusals=(
        unsaid_quote("h25-cfc-p1-warehouse-tasting-half-two"),
        unquoted("h25-pic-p1-wind-at-bethesda", "Carys does not know whether the wind will stop the zip line on Saturday."),
        sound_not_last("h25-ess-p1-phone-in-the-session", "Is that your phone, Orla? Go on, I'll cover you."),
        sound_unnamed("h25-ess-p1-phone-in-the-session", "Something happens in the middle of the set."),
        two_sounds("h25-ess-n1-microwave-not-the-kettle"),
        unsynthesised("h25-ess-n1-microwave-not-the-kettle", "(Sound of laughing)"),
        request_not_first("h25-ltm-p1-committee-moved-to-wednesday", "Evening, Brian, you're keen the night."),
        too_short("h25-pic-n1-key-of-the-kesh-answered"),
        inserted("h25-cfc-n1-cyclists-breakfast-quarter-past-seven", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of doorbell)"),
        no_call("h25-cfc-p2-kennel-two-forty", ("CFC", 2)),
        call_parameters("h25-ltm-p2-ippt-thursday-seven-thirty", ("LTM", 2), {"title": "IPPT"}),  # 'action' missing
        described("h25-ltm-p3-night-drive-four-fifty", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "This afternoon we go out at four, back at half past six for sundowners, and we\'ve had '
                  'lions on the river road two mornings in a row, so fingers crossed."'),
        described("h25-ltm-p1-committee-moved-to-wednesday", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "moved to Wednesday the twentieth, seven o\'clock, upstairs, and tell Kenny to bring the '
                  'accounts this time instead of a bag of excuses."'),
        described("h25-pic-p2-dough-for-seventy-two-balls", "quote-ends-inside-a-sentence", ("PIC", 2),
                  'User1 says: "I gotta figure out how many pounds of dough that is"'),
    )),
    SceneSet("heldout26", "h26", tools=15, app_layouts_at_least=(36, 20, 20), refusals=(
        unsaid_quote("h26-cfc-p1-harrow-review-at-eleven"),
        unquoted("h26-pic-p1-wind-for-the-ride", "User1 does not know whether the wind will drop for tomorrow's ride."),
        sound_not_last("h26-ess-p1-siren-behind-the-classic", "Blue lights, pull in, pull in."),
        sound_unnamed("h26-ess-p1-siren-behind-the-classic", "Something happens behind the car on the A-road."),
        two_sounds("h26-ess-n1-car-horn-not-the-train"),
        unsynthesised("h26-ess-n1-car-horn-not-the-train", "(Sound of laughing)"),
        request_not_first("h26-ltm-p1-exeter-connection-platform", "Tickets from Taunton, please."),
        too_short("h26-pic-n1-last-bus-on-the-board"),
        inserted("h26-cfc-n1-back-on-the-half-five", "sound-in-talk", ("CFC", 1), 1, "environment",
                 "(Sound of train passing)"),
        no_call("h26-cfc-p2-parking-good-till-four", ("CFC", 2)),
        call_parameters("h26-ltm-p2-promoter-fee-six-fifty", ("LTM", 2), {"heading": "Sudbury fee"}),  # 'text' missing
        described("h26-ltm-p3-samples-from-two-tomorrow", "quote-from-an-earlier-turn", ("LTM", 4),
                  'User2 says: "Swindon depot, Karen speaking."'),
        described("h26-ltm-p1-exeter-connection-platform", "quote-starts-inside-a-sentence", ("LTM", 0),
                  'User2 says: "going from platform three today, not the usual one, and they\'re holding it for us '
                  'for five minutes."'),
        described("h26-pic-p2-way-round-not-over-the-moor", "quote-ends-inside-a-sentence", ("PIC", 2),
                  'User1 says: "I need a way round to Gran\'s in Kingsbridge that doesn\'t go over the moor"'),
    )),
)


def rows(*fields: str):
    """The sets (as pytest params named for the set) whose `fields` are all set (not None, not False)."""
    return [pytest.param(s, id=s.name) for s in SETS if all(getattr(s, f) not in (None, False) for f in fields)]


def the(name: str) -> SceneSet:
    return next(s for s in SETS if s.name == name)


@functools.cache
def records_of(name: str):
    recs, bad = read_records(the(name).folder / "scenes.json")
    assert bad == [], (name, bad)
    return recs


@functools.cache
def raw_of(name: str) -> list[dict]:
    return json.loads((the(name).folder / "scenes.json").read_text(encoding="utf-8"))


@functools.cache
def generator_of(name: str):
    s = the(name)
    return assert_generator_writes_the_files(s.folder, s.module)


@pytest.mark.parametrize("s", rows())
def test_set_is_balanced_twelve_per_task_six_positive(s):
    assert_balanced(records_of(s.name), calls=s.positives_call)


@pytest.mark.parametrize("s", rows())
def test_ids_carry_the_prefix_and_name_task_and_label_and_each_block_of_eight_covers_every_cell(s):
    records = records_of(s.name)
    assert all(r.id.startswith(f"{s.prefix}-") for r in records), s.prefix
    if s.ids == MARKED:
        for r in records:
            assert re.fullmatch(rf"{s.prefix}-{r.task.lower()}-{'p' if r.label else 'n'}[1-6]-[a-z0-9-]+", r.id), r.id
    if s.ids != UNLABELLED:  # so `build-corpus --limit 8` has one of each (task, label)
        assert_ids_alternate_by_label(records, every_block=True)


@pytest.mark.parametrize("s", rows("alternating"))
def test_records_alternate_positive_and_negative(s):
    assert [r.label for r in records_of(s.name)] == [True, False] * 24


@pytest.mark.parametrize("s", rows("pairs_share_a_task"))
def test_each_positive_is_followed_by_a_negative_of_its_task(s):
    records = records_of(s.name)
    for a, b in zip(records[::2], records[1::2]):
        assert a.label and not b.label and a.task == b.task, (a.id, b.id)


@pytest.mark.parametrize("s", rows("four_to_ten_turns"))
def test_scenes_have_four_to_ten_turns(s):
    for r in records_of(s.name):
        assert 4 <= len(r.turns) <= 10, (r.id, len(r.turns))


@pytest.mark.parametrize("s", rows("speakers_take_turns"))
def test_no_speaker_has_two_turns_in_a_row(s):
    for r in records_of(s.name):
        assert all(a.speaker != b.speaker for a, b in zip(r.turns, r.turns[1:])), r.id


@pytest.mark.parametrize("s", rows())
def test_files_are_what_the_generator_writes(s):
    assert len(generator_of(s.name).records()) == 48


REFUSALS = [pytest.param(s, r, id=f"{s.name}-{r.why}") for s in SETS for r in s.refusals]
assert len({p.id for p in REFUSALS}) == len(REFUSALS), "one refusal of each kind per set"


@pytest.mark.parametrize("s, refusal", REFUSALS)
def test_generator_refuses_a_scene_of_the_wrong_form(s, refusal):
    gen = generator_of(s.name)
    with pytest.raises(ValueError, match=refusal.scene):
        gen._checked(refusal.spoilt(gen))


@pytest.mark.parametrize("s", rows())
def test_every_reference_call_names_an_offered_tool_with_its_own_arguments(s):
    assert_calls_name_tools(s.folder / "tools.json", records_of(s.name), s.tools)


@pytest.mark.parametrize("s", rows())
def test_every_scene_builds_and_only_ltm_and_ess_open_with_a_standing_request(s):
    assert_every_scene_builds(s.folder / "scenes.json", s.folder / "tools.json", records_of(s.name))


@pytest.mark.parametrize("s", rows())
def test_each_ess_scene_has_one_synthesised_sound_the_positive_ones_named_as_their_cue(s):
    records = records_of(s.name)
    assert_ess_sounds_synthesised(records)
    assert_ess_cues_name_their_sound(records)
    assert all(t.speaker != "sound" for r in records if r.task != "ESS" for t in r.turns)


@pytest.mark.parametrize("s", rows())
def test_the_cue_locator_finds_each_quoted_cue_inside_the_last_turn(s):
    """Lines timed ten seconds apart (no word timings): for every spoken positive the locator picks, by
    its quote, words of the cue turn only, with one reading."""
    located = assert_cues_located_by_quote(records_of(s.name), one_reading=True)
    assert located == s.located_cues


@pytest.mark.parametrize("s", rows())
def test_each_scene_clock_names_its_own_weekday(s):
    assert_clocks_name_their_weekday(s.folder / "scenes.json")


@pytest.mark.parametrize("s", rows("cfc_with_user_and_app"))
def test_pipeline_style_cfc_carries_the_user_and_the_app(s):
    assert_cfc_carries_the_user_and_the_app(raw_of(s.name), s.cfc_with_user_and_app, s.cfc_ending_with_the_model,
                                            s.cfc_app_layout)


@pytest.mark.parametrize("s", rows("ess_without_apps"))
def test_the_pipelines_ess_scenes_have_no_app_states(s):
    ess = [x for x in raw_of(s.name) if x["meta"]["task_name"] == "environment_sensing"]
    assert sum(not x["user_states"]["app_states"] for x in ess) == s.ess_without_apps


@pytest.mark.parametrize("s", rows("app_layouts_at_least"))
def test_app_states_come_in_several_layouts(s):
    """Besides the release's `{context, state}` apps the set has apps that are bare lists and apps that
    are objects of other shapes, so a reader of the digital context meets more than one layout."""
    layouts = app_layouts(raw_of(s.name))
    release, lists, others = s.app_layouts_at_least
    assert layouts["release"] >= release and layouts["list"] >= lists and layouts["other object"] >= others, layouts


# Checks only one set has.

def test_heldout3_ess_cues_name_their_sound_in_a_single_word():
    for r in (x for x in records_of("heldout3") if x.task == "ESS" and x.label):
        sound = sound_class(r.turns[r.cue_turn].text).name
        assert sound in {sound_class(w).name for w in CueFacts.of(r).semantic_cue.split() if sound_class(w)}, r.id


def test_heldout7_the_pipelines_ess_scenes_are_the_first_three_of_each_label():
    ess = [x for x in raw_of("heldout7") if x["meta"]["task_name"] == "environment_sensing"]
    plain = [x["meta"]["uuid"] for x in ess if not x["user_states"]["app_states"]]  # the pipeline's ESS: no app states
    assert sorted(plain) == sorted(x["meta"]["uuid"] for x in ess if re.search(r"-[pn][1-3]-", x["meta"]["uuid"]))


def test_heldout8_a_quarter_in_the_plain_american_style_and_the_pipelines_apps_in_the_release_layout():
    raw = raw_of("heldout8")
    styles = [(x["meta"]["task_name"], x["meta"]["style"]) for x in raw]
    assert {s for _, s in styles} == {"pipeline", "american"}
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        assert sum(s == "american" for t, s in styles if t == task) == 3, task
    pipeline = [x for x in raw if x["meta"]["style"] == "pipeline"]
    for x in (x for x in pipeline if x["meta"]["task_name"] == "digital_memory"):
        for app in x["user_states"]["app_states"].values():  # the release's per-app layout
            assert set(app) == {"context", "state"} and set(app["state"]) == {"events", "key_events"}, x["meta"]["uuid"]
    ess = [x for x in pipeline if x["meta"]["task_name"] == "environment_sensing"]
    assert len(ess) == 9 and not any(x["user_states"]["app_states"] for x in ess)  # the pipeline's ESS: no app states


def test_dev7_scenes_are_four_to_ten_turns_and_half_follow_the_pipeline_style():
    styles = collections.Counter()
    for r in raw_of("dev7"):
        turns = [t for t in r["conversation"]["conversation_list"] if t["user"] != "model"]
        assert 4 <= len(turns) <= 10, r["meta"]["uuid"]
        styles[(r["meta"]["task_name"], r["meta"]["style"], r["conversation"]["conversation_list"][-1]["user"] == "model")] += 1
    assert set(styles.values()) == {3}, styles  # per task and label: 3 pipeline, 3 terse


def test_dev9_scenes_have_four_to_ten_turns_with_the_reply():
    for r in records_of("dev9"):
        assert 4 <= len(r.turns) + r.label <= 10, r.id


def test_dev9_cfc_app_states_come_in_more_than_one_layout():
    cfc = [x["user_states"]["app_states"] for x in raw_of("dev9") if x["meta"]["task_name"] == "digital_memory"]
    assert all(cfc)
    assert any(isinstance(a, list) for a in cfc)
    assert any(isinstance(a, dict) and any(isinstance(v, dict) and "state" in v for v in a.values()) for a in cfc)
    assert any(isinstance(a, dict) and all(not (isinstance(v, dict) and "state" in v) for v in a.values())
               for a in cfc)


def test_dev10_the_other_cfc_layouts_have_apps_but_no_release_wrapper():
    cfc = [x for x in raw_of("dev10") if x["meta"]["task_name"] == "digital_memory"]
    others = [x for x in cfc if "app_cue" not in x["user_states"]]
    assert len(others) == 6 and all(x["user_states"]["app_states"] for x in others)
    assert not any(set(app) == {"context", "state"} for x in others for app in x["user_states"]["app_states"].values()
                   if isinstance(app, dict))



def test_heldout15_every_scene_is_household_and_half_the_speakers_british_per_task():
    raw = raw_of("heldout15")
    assert {x["meta"]["style"] for x in raw} == {"household"}
    assert {x["meta"]["speakers"] for x in raw} == {"british", "north american", "australian"}
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        for label in (True, False):
            mine = [x for x in raw if x["meta"]["task_name"] == task
                    and (x["conversation"]["conversation_list"][-1]["user"] == "model") == label]
            assert sum(x["meta"]["speakers"] == "british" for x in mine) == 3, (task, label)
    assert len({x["meta"]["domain"] for x in raw}) >= 16


def test_every_set_from_heldout2_and_dev4_on_has_a_row():
    """So a new set's folder is not left without its form tests (heldout, dev2 and dev3 came before
    these shared checks and are not in the table)."""
    folders = {p.name for p in FIXTURES.iterdir() if (p / "make_scenes.py").exists()}
    numbered = {n: re.fullmatch(r"(heldout|dev)(\d+)", n) for n in folders}
    newer = {n for n, m in numbered.items() if m and int(m[2]) >= (2 if m[1] == "heldout" else 4)}
    assert newer == {s.name for s in SETS}


def _assert_release_layout(x: dict, release: bool) -> None:
    """Every app of the scene in the release's `{context, state: {events, key_events}}` layout, or none."""
    apps = x["user_states"]["app_states"]
    if release:
        assert app_layouts([x])["release"] == len(apps), x["meta"]["uuid"]
        assert all(set(app["state"]) == {"events", "key_events"} for app in apps.values()), x["meta"]["uuid"]
    else:
        assert app_layouts([x])["release"] == 0, x["meta"]["uuid"]


def _assert_many_domains(raw: list[dict]) -> None:
    """At least 16 domains, none with more than three scenes."""
    domains = collections.Counter(x["meta"]["domain"] for x in raw)
    assert len(domains) >= 16 and max(domains.values()) <= 3, domains


def _assert_thirds_of_styles(name: str, prefix: str) -> list[dict]:
    """A set written a third each in the pipeline's style, transcribed speech and other voices: p1, p2, n1, n2
    pipeline; p3, p4, n3, n4 transcribed; p5, p6, n5, n6 voices; at least 16 domains; only the pipeline's
    four CFC scenes carry the user and the app cue, and only its four ESS scenes have no app states."""
    raw = raw_of(name)
    marked = re.compile(rf"^{prefix}-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    cells = collections.Counter((x["meta"]["task_name"], x["meta"]["style"]) for x in raw)
    assert set(cells.values()) == {4} and len(cells) == 12
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert x["meta"]["style"] == ("pipeline", "pipeline", "transcribed", "transcribed", "voices", "voices")[k - 1], x["meta"]["uuid"]
    assert len({x["meta"]["domain"] for x in raw}) >= 16
    styled = [x for x in raw if x["meta"]["task_name"] == "digital_memory" and "app_cue" in x["user_states"]]
    assert len(styled) == 4 and all(x["meta"]["style"] == "pipeline" for x in styled)
    ess = [x for x in raw if x["meta"]["task_name"] == "environment_sensing"]
    assert [x["meta"]["style"] for x in ess if not x["user_states"]["app_states"]] == ["pipeline"] * 4  # no app states
    return raw


def test_heldout10_styles_are_a_third_each_per_task_the_pipelines_own_the_release_layout_and_domains_are_many():
    _assert_thirds_of_styles("heldout10", "h10")


def test_heldout11_styles_are_a_third_each_per_task_the_pipelines_own_the_release_layout_and_domains_are_many():
    raw = _assert_thirds_of_styles("heldout11", "h11")
    cfc = [x for x in raw if x["meta"]["task_name"] == "digital_memory"]
    assert all(x["user_states"]["app_states"] for x in cfc)
    assert app_layouts(cfc)["list"] and app_layouts(cfc)["other object"]  # not only the release's layout


def test_heldout12_all_pipeline_half_british_half_american_every_app_in_the_release_layout_and_domains_are_many():
    raw = raw_of("heldout12")
    assert {x["meta"]["style"] for x in raw} == {"pipeline"}
    marked = re.compile(r"^h12-(?:pic|ltm|cfc|ess)-([pn])([1-6])-")
    cells = collections.Counter((x["meta"]["task_name"], marked.match(x["meta"]["uuid"]).group(1), x["meta"]["variety"])
                                for x in raw)
    assert set(cells.values()) == {3} and len(cells) == 16  # per task and label: 3 British, 3 American
    for x in raw:  # p1-p3, n1-n3 British; p4-p6, n4-n6 American
        k = int(marked.match(x["meta"]["uuid"]).group(2))
        assert x["meta"]["variety"] == ("british" if k <= 3 else "american"), x["meta"]["uuid"]
    assert len({x["meta"]["domain"] for x in raw}) >= 16
    layouts = app_layouts(raw)
    assert set(layouts) == {"release"} and layouts["release"] >= 20, layouts
    for x in raw:
        for app in x["user_states"]["app_states"].values():
            assert set(app["state"]) == {"events", "key_events"}, x["meta"]["uuid"]


def test_heldout13_all_transcribed_second_language_or_regional_speech_over_many_domains():
    """Every scene is transcribed speech (`meta.style`), its speaker's first language or variety named
    (`meta.speech`), over at least 16 domains; no domain carries more than three scenes, and each task has
    speakers of at least four languages or varieties."""
    raw = raw_of("heldout13")
    assert {x["meta"]["style"] for x in raw} == {"transcribed"}
    speech = {"Polish", "Brazilian Portuguese", "Arabic", "Hindi", "Yoruba", "Tagalog", "Spanish", "Glaswegian",
              "Scouse", "Geordie", "Appalachian"}
    assert {x["meta"]["speech"] for x in raw} == speech
    _assert_many_domains(raw)
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        assert len({x["meta"]["speech"] for x in raw if x["meta"]["task_name"] == task}) >= 4, task


def test_heldout14_half_pipeline_half_group_talk_at_work_over_many_domains():
    """p1-p3 and n1-n3 of each task are the pipeline's style, p4-p6 and n4-n6 group talk at work (two
    speakers, one relaying a third: the reader knows speakers "1" and "2" only); the pipeline's CFC carry
    user and app cue and the group's do not; every pipeline app is in the release's layout, the pipeline's
    ESS have no apps and the group's do; at least 16 domains, none with more than three scenes."""
    raw = raw_of("heldout14")
    marked = re.compile(r"^h14-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert x["meta"]["style"] == ("pipeline" if k <= 3 else "group"), x["meta"]["uuid"]
        assert {t["user"] for t in x["conversation"]["conversation_list"]} <= {"1", "2", "environment", "model"}
        task, apps = x["meta"]["task_name"], x["user_states"]["app_states"]
        if task == "digital_memory":
            assert ("app_cue" in x["user_states"]) == (k <= 3), x["meta"]["uuid"]
        if task == "environment_sensing":
            assert bool(apps) == (k > 3), x["meta"]["uuid"]
        if k <= 3:
            assert app_layouts([x])["release"] == len(apps), x["meta"]["uuid"]
    cells = collections.Counter((x["meta"]["task_name"], x["meta"]["style"]) for x in raw)
    assert set(cells.values()) == {6} and len(cells) == 8
    _assert_many_domains(raw)


def test_heldout16_service_encounters_half_british_over_at_least_sixteen_domains():
    """Every scene is a service encounter (`meta.style` "service"); in each (task, label) cell three are
    British and three North American, Irish, Indian or South African (`meta.speakers`); `meta.domain`
    names at least 16 domains, none more than three times."""
    raw = raw_of("heldout16")
    assert {x["meta"]["style"] for x in raw} == {"service"}
    assert {x["meta"]["speakers"] for x in raw} == {"british", "north american", "irish", "indian", "south african"}
    cells = collections.Counter((x["meta"]["task_name"], x["conversation"]["conversation_list"][-1]["user"] == "model",
                                 x["meta"]["speakers"] == "british") for x in raw)
    assert set(cells.values()) == {3} and len(cells) == 16, cells
    _assert_many_domains(raw)


def test_heldout17_every_scene_is_transcribed_speech_over_many_domains():
    """Every human turn is written as a speech recogniser writes it: lower case, no digits, no punctuation
    but apostrophes (so the locator reads each turn as one sentence); `meta.style` is "transcribed"; at
    least 16 domains, none with more than three scenes; the app states stay properly written."""
    raw = raw_of("heldout17")
    assert {x["meta"]["style"] for x in raw} == {"transcribed"}
    for x in raw:
        for t in x["conversation"]["conversation_list"]:
            if t["user"] in ("1", "2"):
                assert re.fullmatch(r"[a-z']+(?: [a-z']+)*", t["content"]), (x["meta"]["uuid"], t["content"])
    _assert_many_domains(raw)


def test_heldout18_later_life_half_british_per_cell_over_many_domains():
    """Every scene is later life (`meta.style`); p1-p3 and n1-n3 of each task are British, p4-p6 and n4-n6
    North American, Australian or New Zealand (`meta.speakers`); at least 16 domains, none with more than
    three scenes."""
    raw = raw_of("heldout18")
    assert {x["meta"]["style"] for x in raw} == {"later life"}
    assert {x["meta"]["speakers"] for x in raw} == {"british", "north american", "australian", "new zealand"}
    marked = re.compile(r"^h18-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert (x["meta"]["speakers"] == "british") == (k <= 3), x["meta"]["uuid"]
    _assert_many_domains(raw)


def test_heldout19_release_like_half_british_half_the_scenes_in_the_release_layout_over_many_domains():
    """Every scene is in the paper's own style (`meta.style` "release-like"); p1-p3 and n1-n3 of each task
    are British, p4-p6 and n4-n6 American (`meta.speakers`); odd k (p1, n1, p3, ...) keep every app in the
    release's `{context, state: {events, key_events}}` layout, even k none; every scene has app states;
    at least 16 domains, none with more than three scenes."""
    raw = raw_of("heldout19")
    assert {x["meta"]["style"] for x in raw} == {"release-like"}
    marked = re.compile(r"^h19-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert x["meta"]["speakers"] == ("british" if k <= 3 else "american"), x["meta"]["uuid"]
        apps = x["user_states"]["app_states"]
        assert apps, x["meta"]["uuid"]
        layouts = app_layouts([x])
        if k % 2:
            assert layouts["release"] == len(apps), x["meta"]["uuid"]
            assert all(set(app["state"]) == {"events", "key_events"} for app in apps.values()), x["meta"]["uuid"]
        else:
            assert layouts["release"] == 0, x["meta"]["uuid"]
    cells = collections.Counter((x["meta"]["task_name"], x["conversation"]["conversation_list"][-1]["user"] == "model",
                                 x["meta"]["speakers"]) for x in raw)
    assert set(cells.values()) == {3} and len(cells) == 16, cells
    _assert_many_domains(raw)


def test_heldout21_young_half_british_half_the_scenes_in_the_release_layout_over_many_domains():
    """Every scene is young people's talk (`meta.style` "young"); p1-p3 and n1-n3 of each task are British,
    p4-p6 and n4-n6 American or Canadian (`meta.speakers`); odd k (p1, n1, p3, ...) keep every app in the
    release's `{context, state: {events, key_events}}` layout, even k none (chat, banking and delivery apps,
    bare lists); every scene has app states; at least 16 domains, none with more than three scenes."""
    raw = raw_of("heldout21")
    assert {x["meta"]["style"] for x in raw} == {"young"}
    marked = re.compile(r"^h21-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert (x["meta"]["speakers"] == "british") == (k <= 3), x["meta"]["uuid"]
        assert x["meta"]["speakers"] in ("british", "american", "canadian"), x["meta"]["uuid"]
        apps = x["user_states"]["app_states"]
        assert apps, x["meta"]["uuid"]
        _assert_release_layout(x, k % 2)
    cells = collections.Counter((x["meta"]["task_name"], x["conversation"]["conversation_list"][-1]["user"] == "model",
                                 x["meta"]["speakers"] == "british") for x in raw)
    assert set(cells.values()) == {3} and len(cells) == 16, cells
    _assert_many_domains(raw)


def test_heldout20_second_language_speakers_a_third_in_the_release_layout_over_many_domains():
    """Every scene is second-language speech (`meta.style`), User1 always a learner (`meta.first_languages`),
    some scenes with a fluent speaker (`meta.speakers`, in every task); p1, p2, n1 and n2 of each task keep every
    app in the release's `{context, state: {events, key_events}}` layout, the others none; every scene has app
    states; at least 16 domains, none with more than three scenes."""
    raw = raw_of("heldout20")
    assert {x["meta"]["style"] for x in raw} == {"second-language"}
    marked = re.compile(r"^h20-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        langs = x["meta"]["first_languages"]
        assert langs["user1"] != "English", x["meta"]["uuid"]
        assert x["meta"]["speakers"] == ("learner and fluent" if "English" in langs.values() else "learners")
        apps = x["user_states"]["app_states"]
        assert apps, x["meta"]["uuid"]
        _assert_release_layout(x, k <= 2)
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        mine = [x for x in raw if x["meta"]["task_name"] == task]
        assert any(x["meta"]["speakers"] == "learner and fluent" for x in mine), task
        assert len({x["meta"]["first_languages"]["user1"] for x in mine}) >= 6, task
    _assert_many_domains(raw)


def test_heldout22_calls_half_british_or_irish_a_third_in_the_release_layout_over_many_domains():
    """Every scene is a call (`meta.style` "calls": phone and video calls and voice notes, `meta.medium`); p1-p3
    and n1-n3 of each task are British or Irish, p4-p6 and n4-n6 American, Canadian or Australian
    (`meta.speakers`); p1, p2, n1 and n2 keep every app in the release's `{context, state: {events,
    key_events}}` layout, the others none (call logs, voicemail, job tickets, shared documents, bare lists);
    every scene has app states; at least 16 domains, none with more than three scenes."""
    raw = raw_of("heldout22")
    assert {x["meta"]["style"] for x in raw} == {"calls"}
    assert {x["meta"]["medium"] for x in raw} == {"phone call", "video call", "voice notes"}
    assert {x["meta"]["speakers"] for x in raw} == {"british", "irish", "american", "canadian", "australian"}
    marked = re.compile(r"^h22-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert (x["meta"]["speakers"] in ("british", "irish")) == (k <= 3), x["meta"]["uuid"]
        apps = x["user_states"]["app_states"]
        assert apps, x["meta"]["uuid"]
        _assert_release_layout(x, k <= 2)
    cells = collections.Counter((x["meta"]["task_name"], x["conversation"]["conversation_list"][-1]["user"] == "model",
                                 x["meta"]["speakers"] in ("british", "irish")) for x in raw)
    assert set(cells.values()) == {3} and len(cells) == 16, cells
    _assert_many_domains(raw)


def test_heldout23_family_half_british_half_the_scenes_in_the_release_layout_over_many_domains():
    """Every scene is a busy family household (`meta.style` "family"); p1-p3 and n1-n3 of each task are
    British, p4-p6 and n4-n6 American, Canadian, Australian or New Zealand (`meta.speakers`); odd k (p1, n1,
    p3, ...) keep every app in the release's `{context, state: {events, key_events}}` layout, even k none
    (school apps, family calendars, shared lists, order lists); every scene has app states; at least 16
    domains, none with more than three scenes."""
    raw = raw_of("heldout23")
    assert {x["meta"]["style"] for x in raw} == {"family"}
    assert {x["meta"]["speakers"] for x in raw} == {"british", "american", "canadian", "australian", "new zealand"}
    marked = re.compile(r"^h23-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert (x["meta"]["speakers"] == "british") == (k <= 3), x["meta"]["uuid"]
        apps = x["user_states"]["app_states"]
        assert apps, x["meta"]["uuid"]
        _assert_release_layout(x, k % 2)
    cells = collections.Counter((x["meta"]["task_name"], x["conversation"]["conversation_list"][-1]["user"] == "model",
                                 x["meta"]["speakers"] == "british") for x in raw)
    assert set(cells.values()) == {3} and len(cells) == 16, cells
    _assert_many_domains(raw)


def test_heldout24_people_at_work_half_the_scenes_in_the_release_layout_over_many_domains():
    """Every scene is people at work (`meta.style` "work"), in one of six settings (`meta.setting`: stand-up,
    one-to-one, hallway catch-up, shift handover, project meeting, shared desk), in British, American, Irish,
    Indian or Australian office English (`meta.speakers`, at least four of them per task); odd k (p1, n1, p3,
    ...) keep every app in the release's `{context, state: {events, key_events}}` layout, even k none (ticket
    trackers, shared drives, rota rows, HR portals, expense systems); every scene has app states; at least 16
    domains, none with more than three scenes."""
    raw = raw_of("heldout24")
    assert {x["meta"]["style"] for x in raw} == {"work"}
    assert {x["meta"]["setting"] for x in raw} == {"stand-up", "one-to-one", "hallway catch-up", "shift handover",
                                                   "project meeting", "shared desk"}
    assert {x["meta"]["speakers"] for x in raw} == {"british", "american", "irish", "indian", "australian"}
    marked = re.compile(r"^h24-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert x["user_states"]["app_states"], x["meta"]["uuid"]
        _assert_release_layout(x, k % 2)
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        assert len({x["meta"]["speakers"] for x in raw if x["meta"]["task_name"] == task}) >= 4, task
    _assert_many_domains(raw)


def _layout_of(app) -> str | None:
    """Which of heldout25's layouts an app is in: "release" ({context, state: {events, key_events}}), "rows"
    (a list of rows under a header row of names), "by date" (a dict keyed by ISO dates) or "by person" (a dict
    of dicts keyed by names, no date among them); None for any other shape."""
    if isinstance(app, list):
        ok = (len(app) >= 2 and all(isinstance(r, list) and len(r) == len(app[0]) for r in app)
              and all(isinstance(h, str) for h in app[0]))
        return "rows" if ok else None
    if not isinstance(app, dict) or not app:
        return None
    if set(app) == {"context", "state"}:
        return "release" if set(app["state"]) == {"events", "key_events"} else None
    dated = [bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", k)) for k in app]
    if all(dated):
        return "by date"
    if not any(dated) and all(isinstance(v, dict) for v in app.values()):
        return "by person"
    return None


def test_heldout25_regional_every_variety_once_per_task_half_the_scenes_in_the_release_layout():
    """Every scene is regional native English (`meta.style` "regional"); each task has each of the twelve
    varieties (`meta.variety`) exactly once; odd k (p1, n1, p3, ...) keep every app in the release's
    `{context, state: {events, key_events}}` layout, even k every app in the scene's one other layout
    (`meta.layout`: rows under a header row, dicts keyed by date, records nested by person), each of the three
    in at least six scenes; every scene has app states; at least 16 domains, none with more than three scenes."""
    raw = raw_of("heldout25")
    assert {x["meta"]["style"] for x in raw} == {"regional"}
    varieties = {"Scottish", "Irish", "Welsh", "Geordie", "Yorkshire", "Southern US", "Texan", "New York",
                 "South African", "Jamaican", "Singaporean", "Nigerian"}
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        mine = sorted(x["meta"]["variety"] for x in raw if x["meta"]["task_name"] == task)
        assert mine == sorted(varieties), task
    marked = re.compile(r"^h25-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    others = collections.Counter()
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        apps, layout = x["user_states"]["app_states"], x["meta"]["layout"]
        assert apps, x["meta"]["uuid"]
        _assert_release_layout(x, k % 2)
        assert (layout == "release") == bool(k % 2), x["meta"]["uuid"]
        assert all(_layout_of(app) == layout for app in apps.values()), x["meta"]["uuid"]
        others[layout] += layout != "release"
    assert min(others[k] for k in ("rows", "by date", "by person")) >= 6, others
    _assert_many_domains(raw)


def test_heldout26_on_the_move_every_setting_and_variety_half_the_scenes_in_the_release_layout():
    """Every scene is people on the move (`meta.style` "on the move"), in one of six settings (`meta.setting`:
    car, train, bus, walking, cycling, station), in British, American, Canadian or Australian English
    (`meta.speakers`, at least three of them per task); odd k (p1, n1, p3, ...) keep every app in the release's
    `{context, state: {events, key_events}}` layout, even k none (ticket wallets, journey planners, fuel and
    parking apps, records nested by trip, bare lists); every scene has app states; at least 16 domains, none
    with more than three scenes."""
    raw = raw_of("heldout26")
    assert {x["meta"]["style"] for x in raw} == {"on the move"}
    assert {x["meta"]["setting"] for x in raw} == {"car", "train", "bus", "walking", "cycling", "station"}
    assert {x["meta"]["speakers"] for x in raw} == {"british", "american", "canadian", "australian"}
    marked = re.compile(r"^h26-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert x["user_states"]["app_states"], x["meta"]["uuid"]
        _assert_release_layout(x, k % 2)
        assert x["meta"]["layout"] == ("release" if k % 2 else "other"), x["meta"]["uuid"]
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        assert len({x["meta"]["speakers"] for x in raw if x["meta"]["task_name"] == task}) >= 3, task
    _assert_many_domains(raw)


def test_heldout27_disagreements_in_five_varieties_half_the_scenes_in_the_release_layout_over_many_domains():
    """Every scene is an argument, a haggle or a negotiation (`meta.style` "disagreement") in British, American,
    Irish, South African or New Zealand English (`meta.speakers`, at least four of them per task); odd k (p1, n1,
    p3, ...) keep every app in the release's `{context, state: {events, key_events}}` layout and their CFC scenes
    carry the app cue, even k none (shared budgets, group chats, contracts as key-value lists, marketplace
    listings: `meta.layout` "other") and no app cue; every scene has app states; at least 16 domains, none with
    more than three scenes."""
    raw = raw_of("heldout27")
    assert {x["meta"]["style"] for x in raw} == {"disagreement"}
    assert {x["meta"]["speakers"] for x in raw} == {"british", "american", "irish", "south african", "new zealand"}
    marked = re.compile(r"^h27-(?:pic|ltm|cfc|ess)-[pn]([1-6])-")
    for x in raw:
        k = int(marked.match(x["meta"]["uuid"]).group(1))
        assert x["user_states"]["app_states"], x["meta"]["uuid"]
        _assert_release_layout(x, k % 2)
        assert x["meta"]["layout"] == ("release" if k % 2 else "other"), x["meta"]["uuid"]
        if x["meta"]["task_name"] == "digital_memory":
            assert ("app_cue" in x["user_states"]) == bool(k % 2), x["meta"]["uuid"]
    for task in ("single_turn_taking", "long_turn_taking", "digital_memory", "environment_sensing"):
        assert len({x["meta"]["speakers"] for x in raw if x["meta"]["task_name"] == task}) >= 4, task
    _assert_many_domains(raw)
