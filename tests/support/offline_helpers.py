"""Fixtures shared by the offline agent's tests: a tool set and digital contexts written for them
(the shape of the official release, our own wording and values)."""

from __future__ import annotations

from provoice_live.corpus.sample import ToolSchema


def _tool(name: str, description: str, props: dict, required: list[str] | None = None) -> ToolSchema:
    return ToolSchema(name=name, description=description,
                      parameters={"type": "object", "properties": props, "required": required or list(props)})


S = {"type": "string"}
TOOLS = [
    _tool("realtime_weather", "Current weather and forecast for a city.", {"city": S}),
    _tool("realtime_aqi", "Air quality index (PM2.5, PM10) for a city.", {"city": S}),
    _tool("search", "Look up general knowledge or the user's own history.",
          {"source": {"type": "string", "enum": ["world", "timeline"]}, "query_item": S, "query": S}),
    _tool("temporal_attention", "Set or clear a reminder.",
          {"action": {"type": "string", "enum": ["set", "unset"]}, "time": S, "content": S}),
    _tool("guided_activity", "Start a guided meditation or workout.", {"content": S, "time": S}),
    _tool("control_environment", "Adjust smart home devices.", {"target": S, "value": S}),
    _tool("communication", "Message or share something with a person.",
          {"action": {"type": "string", "enum": ["message", "share"]}, "target": S, "content": S}),
    _tool("find_directions", "Route to a place.", {"to": S}),
    _tool("shop", "Find items to buy.", {"content": S}),
    _tool("calendar_event", "Create, change or query calendar events.",
          {"action": {"type": "string", "enum": ["create", "query", "modify"]}, "title": S, "time": S},
          ["action", "title"]),
    _tool("recipe_search", "Recipes by dish or ingredients.", {"query": S}),
    _tool("financial_query", "Stock quotes and exchange rates.", {"target": S}),
    _tool("play_media", "Play music, podcasts or video.", {"content": S}),
    _tool("book_service", "Book a restaurant table, a taxi or another local service.",
          {"service_type": {"type": "string", "enum": ["restaurant", "taxi", "other"]}, "details": S}),
    _tool("note_taking", "Write or append to a note or list.", {"content": S, "title": S}, ["content"]),
    _tool("travel_search", "Flights or hotels.", {"type": {"type": "string", "enum": ["flight", "hotel"]}, "details": S}),
    _tool("calculate", "Arithmetic and percentages.", {"expression": S}),
    _tool("CheckBusSchedule", "Departures at a bus stop.", {"busStopName": S, "busScheduleInfo": S}),
]


def context(now: str = "2025-03-12 09:15", weekday: str = "Wednesday", **apps) -> dict:
    return {"app_states": {name: {"context": "", "state": state} for name, state in apps.items()},
            "datetime_info": {"current_datetime": now, "day_of_week": weekday, "user_timezone": "UTC+1"}}


def event(title: str, start: str, end: str, location: str = "", attendees: list[str] | None = None) -> dict:
    return {"event_id": title.lower().replace(" ", "-"), "title": title, "start_datetime": start,
            "end_datetime": end, "location": location, "attendees": attendees or []}


# Wednesday 12 March 2025, 09:15
CALENDAR_CTX = context(
    Calendar={"events": [
        event("Dentist check-up", "2025-03-14 15:30", "2025-03-14 16:15", "Brightsmile Dental, Elm Street"),
        event("Quarterly budget review", "2025-03-13 10:00", "2025-03-13 11:30", "Room 4B", ["Priya Nair", "Tom Berg"]),
        event("Dinner with Jonas", "2025-03-15 19:30", "2025-03-15 21:30", "Casa Verde"),
        event("Yoga class", "2025-03-12 18:00", "2025-03-12 19:00", "Lotus Studio"),
    ]},
    Notes={"notes": [{"title": "Car repair", "content": "Garage quote for the brakes: $420, pick up Friday.",
                      "last_updated": "2025-03-10 17:00"}]},
    Messaging={"conversations": [{"title": "Mia", "participants": ["Mia", "User"], "messages": [
        {"sender": "Mia", "timestamp": "2025-03-11 20:05", "content": "Flight lands Saturday at 6:40 pm, terminal 2!"}]}]},
    Maps={"maps": {"home_location": "12 Harbour Road, Leeds, UK", "current_location": "12 Harbour Road, Leeds, UK"}},
)


def said(instruction, lines, ctx=None):
    """The decisions a Mind (the offline agent's understanding, exact words in) makes over the lines,
    with TOOLS, the lines said without a pause between them and one after the last; the request
    itself is heard first when given."""
    from provoice_live.agents.offline.understanding.mind import Mind

    m = Mind(instruction, ctx, TOOLS)
    out = []
    for line in ([instruction] if instruction else []) + lines:
        d = m.hear(line)
        if d is not None:
            out.append(d)
    return out + m.pause()  # the talk ends: what waited for the floor is said
