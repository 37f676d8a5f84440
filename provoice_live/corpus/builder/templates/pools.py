"""Slot pools shared by the scene templates: people, places, topics, items, amounts.

Plain tuples, so a template draws from them with `Draw.pick`. Everything here is invented for
this project. Keep the entries speakable (eSpeak reads them aloud) and free of commas inside
names, since lines are assembled by string formatting.
"""

from __future__ import annotations

FEMALE_NAMES = (
    "Maya", "Sofia", "Priya", "Hannah", "Leila", "Grace", "Nadia", "Emma", "Olivia", "Aisha", "Chloe",
    "Rosa", "Ingrid", "Yuki", "Amara", "Clara", "Elena", "Fatima", "Julia", "Lucy", "Mei", "Nora",
    "Rachel", "Sara", "Tessa", "Vera", "Zoe", "Alice", "Bianca", "Daniela",
)
MALE_NAMES = (
    "Daniel", "Marco", "Omar", "Lucas", "Ethan", "Kenji", "Samuel", "Tom", "Ravi", "Felix", "Jonas",
    "Diego", "Hugo", "Karim", "Leo", "Martin", "Noah", "Oscar", "Peter", "Rafael", "Simon", "Victor",
    "Ben", "Adrian", "Chris", "David", "Elias", "Gabriel", "Ivan", "Malik",
)
SURNAMES = (
    "Chen", "Okafor", "Rossi", "Novak", "Patel", "Garcia", "Lindqvist", "Kowalski", "Tanaka", "Haddad",
    "Moreau", "Fischer", "Brennan", "Santos", "Nguyen", "Weber", "Almeida", "Kaplan", "Silva", "Park",
)

CITIES = (
    "Lisbon", "Seattle", "Toronto", "Berlin", "Osaka", "Denver", "Barcelona", "Chicago", "Dublin",
    "Melbourne", "Vienna", "Austin", "Edinburgh", "Prague", "Singapore", "Boston", "Copenhagen",
    "Vancouver", "Munich", "Porto",
)
TIMEZONES = ("UTC-8", "UTC-5", "UTC+0", "UTC+1", "UTC+2", "UTC+8", "UTC+9", "UTC-3")

RESTAURANTS = (
    ("Trattoria Sole", "Italian"), ("Golden Lotus", "Chinese"), ("Casa Verde", "Mexican"),
    ("The Copper Pot", "American"), ("Sakura House", "Japanese"), ("Le Petit Jardin", "French"),
    ("Spice Route", "Indian"), ("Blue Harbor Grill", "seafood"), ("Olive and Thyme", "Greek"),
    ("Seoul Kitchen", "Korean"), ("Bangkok Garden", "Thai"), ("The Green Fork", "vegetarian"),
)
VENUES = (
    "the community center", "the main library", "Riverside Park", "the downtown office",
    "the north campus", "Harbor Hall", "the Elm Street studio", "the city museum", "Union Station",
    "the west wing conference room", "Maple Avenue clinic", "the Lakeside sports club",
    "the old town square", "Pine Street gym", "the Westfield mall", "Hillcrest school",
)
STREETS = (
    "Oak Avenue", "Maple Street", "Elm Street", "Cedar Lane", "Birch Road", "Harbor Street",
    "Willow Way", "King Street", "Station Road", "Park Lane", "Mill Road", "Rose Terrace",
)

# A theme says what the digital state and the small talk are about (the paper draws themes from a
# dialog-topics dataset; ours are written here).
THEMES = (
    "weekend plans", "a new job", "moving house", "a friend's wedding", "training for a race",
    "a family visit", "a home renovation", "a school project", "a birthday party", "a book club",
    "a work deadline", "a holiday trip", "a new puppy", "learning to cook", "a concert",
    "a garden project", "a startup idea", "a football season", "exam preparation", "a flat hunt",
)

# Small talk that fits anywhere: (speaker-neutral) lines that carry no task signal.
SMALL_TALK = (
    "Anyway, how have you been lately?",
    "I barely slept last night, honestly.",
    "This week has been a blur, to be honest.",
    "Did you see how packed the train was this morning?",
    "I finally finished that series everyone keeps talking about.",
    "My sister just started a new job, she seems happy.",
    "I should really start going to bed earlier.",
    "It has been so busy at work, you would not believe it.",
    "I keep meaning to call my parents more often.",
    "The neighbours are renovating again, it's so noisy.",
    "I tried that new coffee place near the station, not bad.",
    "Oh, I love this song, by the way.",
    "I think I left my umbrella at the office again.",
    "Have you been keeping up with the football?",
    "My phone battery dies so fast these days.",
    "We should do this more often, really.",
    "I started reading a mystery novel, it's pretty gripping.",
    "The traffic on the way here was unreal.",
)
ACKS = (
    "Yeah.", "Right.", "Oh, really?", "Mm-hm.", "No way.", "Totally.", "Huh, interesting.", "I know, right?",
    "Sure.", "Ha, that's funny.", "Oh wow.", "Makes sense.",
)

GROCERIES = (
    "milk", "eggs", "bread", "coffee beans", "olive oil", "rice", "bananas", "tomatoes", "cheese",
    "yogurt", "pasta", "onions", "butter", "spinach", "oat milk", "dish soap", "paper towels",
)
DISHES = (
    "mushroom risotto", "chicken curry", "vegetable lasagna", "shrimp tacos", "lentil soup",
    "beef stir fry", "pad thai", "shakshuka", "banana bread", "salmon teriyaki", "falafel wraps",
)
FOODS_TO_CHECK = (
    ("avocado toast", "calories"), ("oat milk", "protein content"), ("dark chocolate", "caffeine content"),
    ("Greek yogurt", "protein content"), ("brown rice", "carbohydrates"), ("almonds", "calories"),
    ("green tea", "caffeine content"), ("Red Delicious apples", "nutritional content"),
    ("granola bars", "sugar content"), ("sushi rice", "calories"),
)
CURRENCIES = (
    ("US dollars", "euros", "USD to EUR"), ("euros", "Japanese yen", "EUR to JPY"),
    ("British pounds", "US dollars", "GBP to USD"), ("Canadian dollars", "euros", "CAD to EUR"),
    ("Swiss francs", "US dollars", "CHF to USD"), ("US dollars", "Mexican pesos", "USD to MXN"),
)
STOCKS = (("Apple", "AAPL"), ("Tesla", "TSLA"), ("Microsoft", "MSFT"), ("Nvidia", "NVDA"), ("Amazon", "AMZN"))
MEDIA = (
    ("some calm piano music", "calm piano playlist"), ("that new jazz album", "new jazz releases"),
    ("rain sounds", "rain sounds for sleep"), ("the evening news", "latest news"),
    ("some eighties rock", "80s rock playlist"), ("a lo-fi study playlist", "lo-fi study playlist"),
    ("an audiobook", "my current audiobook"), ("classical guitar music", "classical guitar playlist"),
)
ACTIVITIES = (
    ("guided meditation", "ten minutes"), ("breathing exercise", "five minutes"),
    ("stretching routine", "fifteen minutes"), ("short yoga session", "twenty minutes"),
    ("body scan meditation", "ten minutes"),
)
DEVICES = (
    ("the living room lights", "dim to 30%"), ("the thermostat", "21 degrees"),
    ("the bedroom heater", "off"), ("the kitchen lights", "on"), ("the air conditioner", "24 degrees"),
    ("the hallway lights", "off"), ("the fan", "low"),
)
ITEMS_TO_BUY = (
    "a phone charger", "running shoes", "a birthday card", "printer ink", "a rain jacket",
    "light bulbs", "a yoga mat", "headphones", "a water filter", "batteries", "a lunch box",
)
SERVICES = (
    "a haircut", "a car service", "a massage", "a plumber", "a house cleaner", "a bike repair",
)
COMPANIONS = ("my sister", "my brother", "my mom", "my dad", "my cousin", "my roommate", "my partner")
