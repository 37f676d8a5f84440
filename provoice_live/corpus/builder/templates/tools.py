"""Our tool catalogue: OpenAI function schemas named after the official 19-tool set.

The names and argument names follow the official `new_tools.json` (so ground-truth calls of both
sources look alike and official calls can be re-voiced against our set); the descriptions are our
own words. `offer(d, needed)` picks what a sample offers: the whole set sometimes, otherwise the
tools the scene is about plus a random handful, in catalogue order. Negatives are offered the same
tools their positive twins would need, so the tool list never gives the label away.
"""

from __future__ import annotations

from typing import Any

from ...sample import ToolSchema
from .base import Draw


def _schema(name: str, description: str, props: dict[str, dict[str, Any]], required: list[str]) -> ToolSchema:
    return ToolSchema(name=name, description=description,
                      parameters={"type": "object", "properties": props, "required": required})


def _s(description: str, enum: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "description": description}
    if enum:
        out["enum"] = enum
    return out


CATALOGUE: dict[str, ToolSchema] = {t.name: t for t in (
    _schema("realtime_aqi", "Current air quality for a city: AQI, PM2.5 and PM10.",
            {"city": _s("City name, for example 'Berlin'.")}, ["city"]),
    _schema("search", "Look up general knowledge (source 'world') or the user's own history (source 'timeline').",
            {"source": _s("Where to search.", ["world", "timeline"]),
             "query_item": _s("The thing to look up, for example 'green tea'."),
             "query": _s("What to find out about it, for example 'caffeine content'.")},
            ["source", "query_item", "query"]),
    _schema("QueryStock", "Stock price of a company's ticker on a given date.",
            {"stockCode": _s("Ticker symbol, for example 'MSFT'."),
             "stockPriceDate": _s("The date of the price."),
             "stockPrice": _s("The price, when known.")},
            ["stockCode", "stockPriceDate", "stockPrice"]),
    _schema("temporal_attention", "Set or clear a timer or a time-based reminder.",
            {"action": _s("Set or clear.", ["set", "unset"]),
             "time": _s("A duration or a clock time, for example 'twenty minutes' or '6 PM'."),
             "content": _s("What to be reminded of.")},
            ["action", "time", "content"]),
    _schema("guided_activity", "Start a guided activity such as a meditation, a breathing exercise or a workout.",
            {"content": _s("The activity, for example 'breathing exercise'."),
             "time": _s("How long, for example 'five minutes'.")},
            ["content", "time"]),
    _schema("control_environment", "Change a smart-home device: lights, heating, fans, appliances.",
            {"target": _s("The device, for example 'kitchen lights'."),
             "value": _s("The new setting, for example 'off' or '21 degrees'.")},
            ["target", "value"]),
    _schema("communication", "Send a message to, or share something with, a contact.",
            {"action": _s("Message or share.", ["message", "share"]),
             "target": _s("Who receives it: a contact name or a platform."),
             "content": _s("The text to send.")},
            ["action", "target", "content"]),
    _schema("find_directions", "Directions to a place.",
            {"to": _s("The destination: an address or a place name.")}, ["to"]),
    _schema("shop", "Search online shops for something to buy.",
            {"content": _s("What to look for.")}, ["content"]),
    _schema("realtime_weather", "Current weather and forecast for a city: temperature, rain, wind.",
            {"city": _s("City name, for example 'Lisbon'.")}, ["city"]),
    _schema("calendar_event", "Create, change or look up events in the user's calendar.",
            {"action": _s("What to do.", ["create", "query", "modify"]),
             "title": _s("The event's title."),
             "time": _s("When, for example 'Thursday 4 PM' or 'this week'.")},
            ["action", "title"]),
    _schema("recipe_search", "Find recipes by dish name or by ingredients.",
            {"query": _s("A dish or a list of ingredients.")}, ["query"]),
    _schema("financial_query", "Live stock quotes or currency exchange rates.",
            {"target": _s("A ticker symbol or a currency pair, for example 'USD to EUR'.")}, ["target"]),
    _schema("play_media", "Play music, a podcast or a video.",
            {"content": _s("What to play.")}, ["content"]),
    _schema("book_service", "Book a local service: a restaurant table, a taxi, or another appointment.",
            {"service_type": _s("The kind of service.", ["restaurant", "taxi", "other"]),
             "details": _s("Booking details: place, party size, time.")},
            ["service_type", "details"]),
    _schema("note_taking", "Create a note or add to a list.",
            {"content": _s("The note's text."), "title": _s("An optional title.")}, ["content"]),
    _schema("travel_search", "Search flights or hotels.",
            {"type": _s("Flights or hotels.", ["flight", "hotel"]),
             "details": _s("Route, dates, number of nights or travellers.")},
            ["type", "details"]),
    _schema("calculate", "Work out arithmetic: sums, splits, percentages, conversions.",
            {"expression": _s("The calculation, for example '86.40 divided by 3'.")}, ["expression"]),
    _schema("CheckBusSchedule", "Bus times at a stop.",
            {"busStopName": _s("The stop's name."), "busScheduleInfo": _s("Which line or direction.")},
            ["busStopName", "busScheduleInfo"]),
)}


def offer(d: Draw, needed: list[str], whole_set_p: float = 0.35) -> list[ToolSchema]:
    """The tools a sample offers: the whole catalogue, or `needed` plus 3-8 others."""
    unknown = [n for n in needed if n not in CATALOGUE]
    if unknown:
        raise KeyError(f"tools not in the catalogue: {unknown}")
    if d.chance(whole_set_p):
        return list(CATALOGUE.values())
    extra = d.sample([n for n in CATALOGUE if n not in needed], d.randint(3, 8))
    chosen = set(needed) | set(extra)
    return [t for n, t in CATALOGUE.items() if n in chosen]
