"""The offline agent's word tables: one place for every list the rules read.

Nothing here is code that decides; the rules (`topic_watch`, `intent`, `fact_check`, `instruction`)
read these tables. Terms are written as people say them; the rules lemmatise both the table and the
heard text with the same `text.lemma`, so "bookings" meets "booking" and "booked".

Tables:
- STOPWORDS, GENERIC_WORDS, NEGATORS, IRREGULAR_LEMMAS: the basics of matching.
- (TOPIC_FIELDS, a lexical field per conversation topic, was retired: the semantic layer's meaning
  of the request decides what its words alone do not, with no loss on our scenes; bench/RESULTS.md.)
- SOUND_NAMES: how people name the sounds they ask the agent to wait for (from `provoice_live.sound_classes`).
- time words: WEEKDAYS, MONTHS, DAY_PARTS (hour ranges), RELATIVE_DAYS.
- DONE_MARKERS: phrases saying an action is already taken care of (no offer needed).
"""

from __future__ import annotations

from ....sound_classes import names_by_class

STOPWORDS = frozenset("""
a an the and or but if then so of to in on at by for with from into onto about as is are was were be been
being am do does did doing have has had having i me my mine we us our you your he him his she her it its
they them their this that these those there here what which who whom whose when where why how not no nor
too very can could will would shall should may might must just also only than up down out over again
further once all any both each few more most other some such own same s t don now im i'm it's that's
let let's gonna wanna gotta yeah yes oh okay ok well hey hi hmm um uh like really actually maybe
because cause cos coz cuz
""".split())

# words that carry no topic of their own: never a watch keyword
GENERIC_WORDS = frozenset("""
anything something everything nothing mention talk say tell topic thing stuff plan detail update related
regard issue info information new any kind sort whenever someone anyone anybody somebody people person
conversation discuss bring come up hear listen know let notify alert remind help log suggest check look
find give make take get go want need time day week lot bit way one mind note also maybe specific news
particular certain start begin happen during while later soon today tomorrow tonight friend guy
""".split())

NEGATORS = frozenset("""
not no never nothing none nobody neither nor without cannot cant dont doesnt didnt wont isnt arent wasnt
""".split())

IRREGULAR_LEMMAS = {
    "ate": "eat", "eaten": "eat", "went": "go", "gone": "go", "bought": "buy", "ran": "run", "flew": "fly",
    "flown": "fly", "flights": "flight", "drove": "drive", "driven": "drive", "took": "take", "taken": "take",
    "met": "meet", "made": "make", "said": "say", "told": "tell", "heard": "hear", "saw": "see", "seen": "see",
    "got": "get", "gotten": "get", "left": "leave", "paid": "pay", "sent": "send", "spent": "spend",
    "thought": "think", "brought": "bring", "caught": "catch", "taught": "teach", "sold": "sell",
    "children": "child", "kids": "kid", "men": "man", "women": "woman", "feet": "foot", "teeth": "tooth",
    "mice": "mouse", "geese": "goose", "people": "person", "was": "be", "were": "be", "is": "be", "are": "be",
    "been": "be", "has": "have", "had": "have", "does": "do", "did": "do", "done": "do", "booked": "book",
    "bookings": "book", "booking": "book", "dining": "dine", "dined": "dine", "diner": "diner",
    "reservations": "reserve", "reservation": "reserve", "reserved": "reserve", "rang": "ring", "rung": "ring",
    "barked": "bark", "barking": "bark", "news": "news", "bus": "bus", "buses": "bus", "gas": "gas",
    "glasses": "glass", "this": "this", "stress": "stress", "stressed": "stress", "dress": "dress",
    "business": "business", "fitness": "fitness", "illness": "ill", "sickness": "sick", "always": "always",
    "its": "its", "series": "series", "species": "species", "movies": "movie", "cookies": "cookie",
    "groceries": "grocery", "parties": "party", "rainy": "rain", "raining": "rain", "rained": "rain",
    "snowing": "snow", "snowy": "snow", "sunny": "sun", "windy": "wind", "cloudy": "cloud", "stormy": "storm",
    "foggy": "fog", "icy": "ice", "hiking": "hike", "hiked": "hike", "hikes": "hike", "dying": "die",
    "lying": "lie", "bitten": "bite", "bit": "bit", "shopping": "shop", "shopped": "shop",
    "running": "run", "swimming": "swim", "swam": "swim", "cycling": "cycle", "biking": "bike",
    "wedding": "wedding", "weddings": "wedding", "meeting": "meeting", "meetings": "meeting",
    "morning": "morning", "evening": "evening", "evenings": "evening", "mornings": "morning",
    "building": "building", "ceiling": "ceiling", "clothes": "clothes", "pants": "pants", "jeans": "jeans",
    "analysis": "analysis", "diagnosis": "diagnosis", "tennis": "tennis", "christmas": "christmas",
    "sushi": "sushi", "taxes": "tax", "taxi": "taxi", "taxis": "taxi", "boxes": "box", "stocks": "stock",
    "prices": "price", "pricing": "price", "priced": "price", "paying": "pay", "appointments": "appointment",
    "concerts": "concert", "ticketing": "ticket", "whistling": "whistle", "knocked": "knock",
    "knocking": "knock", "knocks": "knock", "beeping": "beep", "beeps": "beep", "ringing": "ring",
    "rings": "ring", "cries": "cry", "crying": "cry", "cried": "cry",
}


# ---- near synonyms of request words ----------------------------------------------------------------
# A word of the request (lemma) -> terms that say the same thing. These count as the request's own
# words (full weight) in a topic watch; the wider lexical field counts less (see topic_watch). A
# request word found among the terms of a row gets the whole row (the rows work both ways).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "restaurant": ("table at", "book a table", "booked a table", "bistro", "cafe", "diner", "eatery", "trattoria", "pizzeria", "steakhouse", "brasserie", "tavern",
                   "sushi place", "thai place", "italian place", "indian place", "mexican place", "taqueria",
                   "food place", "eat out", "eating out", "dine out", "dining", "dinner", "lunch", "brunch",
                   "grab a bite", "bite to eat", "grab dinner", "grab lunch", "a table for", "reservation", "dine"),
    "dinner": ("supper", "dinner", "eat out", "eating out", "dine out", "grab a bite", "a table for", "reservation"),
    "book": ("reserve", "reservation", "booked", "a table for"),
    "money": ("cash", "owe", "owes", "owing", "borrow", "lend", "lent", "loan", "debt", "pay back", "pay you back",
              "paid back", "iou", "bucks", "dollars", "euros", "quid", "spot me", "cover me", "short on cash",
              "a bit short", "bit short this month", "lend me", "can i have", "to cover the"),
    "cost": ("money", "price", "fee", "fees", "charge", "costs", "pounds", "quid", "dollars", "euros", "instalment",
             "installment", "deposit", "to pay", "we pay", "you pay"),
    "borrow": ("lend", "lent", "loan", "owe", "pay back", "spot me", "cover me"),
    "owe": ("owing", "borrow", "lend", "pay back", "debt", "iou"),
    "birthday": ("bday", "birthday party", "turns thirty", "turns forty", "turning thirty", "turning forty",
                 "birthday dinner", "birthday present"),
    "lift": ("ride", "aren't running", "isn't running", "no buses", "stranded", "no way to get", "driving past", "drive past", "swing by", "drive me", "drive you", "drive him", "drive her", "pick me up", "pick her up", "pick him up",
             "drop me off", "drop her off", "drop him off", "give me a ride", "carpool", "need a ride"),
    "rent": ("rental", "for rent", "to let", "a month", "per month", "lease", "landlord", "tenant", "deposit",
             "room available", "spare room", "flatmate", "roommate", "moving out", "move out"),
    "apartment": ("flat", "studio", "bedroom", "two bedroom", "one bedroom", "place to live", "room available",
                  "spare room", "moving out", "move out"),
    "room": ("bedroom", "spare room", "room available", "flatmate", "roommate"),
    "deadline": ("due", "due date", "now due", "pushed back", "pushed to", "moved up", "moved to", "launch date",
                 "postponed", "delayed", "extension", "the cutoff", "cut-off"),
    "due": ("deadline", "now due", "due date", "pushed back", "moved up", "postponed", "delayed"),
    "hospital": ("operation", "surgery", "consultant", "clinic", "ward", "scan", "procedure", "outpatients"),
    "appointment": ("operation", "surgery", "consultation", "check-up", "checkup", "a date for", "booked in", "slot"),
    "boiler": ("heating", "heating system", "heating systems", "central heating", "radiator", "radiators", "hot water"),
    "weather": ("forecast", "rain", "raining", "pour", "pouring", "drizzle", "umbrella", "sunny", "storm", "snow", "temperature", "degrees", "wind",
                "thunder", "heat wave", "cold snap", "showers"),
    "sick": ("health", "ill", "unwell", "stomach bug", "caught a bug", "a bug", "food poisoning", "cough", "sore throat", "headache", "migraine", "surgery", "flu", "fever", "cold", "cough", "under the weather", "in hospital", "in the hospital",
             "came down with", "caught a cold", "in bed with", "infection", "get well", "feeling awful"),
    "illness": ("sick", "ill", "unwell", "flu", "fever", "under the weather", "hospital"),
    "sitter": ("sit", "sitting", "feed", "out of town", "look after", "looking after", "take care of", "pet sitting", "pet sitter", "dog sitter",
               "cat sitter", "feed the cat", "walk the dog", "dog walker", "watch the dog", "watch the cat"),
    "outdoor": ("hike", "hiking", "camping", "picnic", "kayak", "climbing", "bike ride", "cycling", "trail",
                "fishing", "barbecue", "beach day", "canoe", "surfing", "sailing", "outdoors"),
    "job": ("work", "position", "hiring", "interview", "offer", "role", "vacancy", "opening", "career"),
    "trip": ("travel", "vacation", "holiday", "getaway", "flight", "fly", "road trip", "journey", "abroad",
             "week off", "time off", "days off"),
    "vacation": ("holiday", "trip", "getaway", "time off", "week off", "days off", "travel"),
    "flight": ("fly", "flying", "plane", "airport", "airline", "layover"),
    "concert": ("gig", "live music", "tickets", "band", "tour", "playing at", "are playing", "is playing",
                "headlining", "lineup", "live show", "festival"),
    "recommendation": ("you'd love it", "you would love it", "you'd like it", "you should watch", "you should read",
                       "you have to see", "you have to watch", "you have to read", "must see", "must read",
                       "highly recommend", "i recommend", "check it out", "have you seen", "have you read",
                       "worth watching", "worth reading", "top pick", "trust me on this", "you have to check out",
                       "you've got to watch", "you've got to read", "you'd love"),
    "transport": ("bus", "buses", "train", "trains", "subway", "metro", "tram", "strike", "aren't running",
                  "isn't running", "not running", "no buses", "no trains", "broke down", "breakdown", "stranded",
                  "missed the last"),
    "party": ("celebration", "get-together", "gathering", "bash", "housewarming", "barbecue"),
    "gift": ("present", "something for"),
    "doctor": ("gp", "clinic", "physician", "appointment", "checkup", "check-up", "specialist", "dentist"),
    "place": ("address", "street", "avenue", "post office", "station", "downtown", "swing by", "stop by",
              "pick up", "drop off"),
    "direction": ("how to get", "route", "address", "swing by", "stop by", "head over to"),
    "delay": ("late", "delayed", "pushed back", "postponed", "running behind", "cancelled"),
    "cancel": ("cancelled", "canceled", "called off", "postponed", "off"),
    "price": ("cost", "costs", "afford", "expensive", "cheap", "deal", "discount", "sale", "bucks", "dollars", "pricey"),
    "sale": ("discount", "deal", "half price", "on sale", "clearance", "coupon", "percent off"),
    "recipe": ("cook", "bake", "dish", "ingredients", "how to make"),
    "movie": ("film", "cinema", "trailer", "screening", "series", "show"),
    "game": ("match", "score", "playoffs", "final", "tournament"),
}

# ---- sounds -------------------------------------------------------------------------------------
# sound class -> how people name it (longest phrases are matched first); from the one sound table.
SOUND_NAMES: dict[str, tuple[str, ...]] = names_by_class()

# ---- time words ---------------------------------------------------------------------------------
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# short forms of weekdays in texting ("thurs, 10ish"); "mon", "wed", "sat", "sun" are left out (other words too)
WEEKDAY_ABBREVIATIONS = {"tue": 1, "tues": 1, "weds": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
MONTH_ABBREVIATIONS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
                       "sept": 9, "oct": 10, "nov": 11, "dec": 12}
# part of day -> (first hour, end hour): what "tomorrow morning" covers
DAY_PARTS: dict[str, tuple[float, float]] = {
    "morning": (6, 12), "afternoon": (12, 17), "evening": (17, 22), "tonight": (17, 24), "night": (18, 24),
    "lunchtime": (11.5, 14), "lunch": (11.5, 14), "noon": (12, 12.01), "midday": (12, 12.01),
}
RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
# an hour said without am/pm: which reading people mean by default (the agent also tries both)
DEFAULT_PM_HOURS = frozenset(range(1, 7))  # "at 3" -> 15:00

# ---- actions already done -------------------------------------------------------------------------
DONE_MARKERS: tuple[str, ...] = (
    "i already", "i've already", "we already", "we've already", "i have already", "already booked", "already done",
    "already sent", "already ordered", "already paid", "already bought", "already have", "already got",
    "already set", "already texted", "already called", "already sorted", "already in", "already changed",
    "already turned", "already added", "already took", "just booked", "just set", "just sent", "just added", "just ordered", "taken care of",
    "all set", "sorted it", "no need", "don't need", "dont need", "do not need", "i set a reminder",
    "i've set", "i have set", "it's in my calendar", "in my calendar already", "i booked", "we booked",
    "i ordered", "i sent", "i texted", "i called", "got it covered", "i've got it covered", "i've booked",
    "i've added", "i added", "i wrote it down", "i noted", "never mind", "nevermind",
)

# ---- food and standing diets ----------------------------------------------------------------------
# a food or dish -> the diet categories it belongs to (what a "no dairy" or "allergic to nuts" rules out)
FOOD_CATEGORIES: dict[str, tuple[str, ...]] = {
    "beef": ("red meat", "meat"), "steak": ("red meat", "meat"), "burger": ("red meat", "meat"),
    "hamburger": ("red meat", "meat"), "cheeseburger": ("red meat", "meat", "dairy"), "lamb": ("red meat", "meat"), "mutton": ("red meat", "meat"),
    "veal": ("red meat", "meat"), "venison": ("red meat", "meat"), "mince": ("red meat", "meat"),
    "meatball": ("red meat", "meat"), "bolognese": ("red meat", "meat"), "brisket": ("red meat", "meat"),
    "pork": ("red meat", "meat", "pork"), "bacon": ("red meat", "meat", "pork"), "ham": ("red meat", "meat", "pork"),
    "sausage": ("red meat", "meat", "pork"), "salami": ("red meat", "meat", "pork"), "chorizo": ("red meat", "meat", "pork"),
    "pepperoni": ("red meat", "meat", "pork"), "ribs": ("red meat", "meat", "pork"), "prosciutto": ("red meat", "meat", "pork"),
    "chicken": ("meat", "poultry"), "turkey": ("meat", "poultry"), "duck": ("meat", "poultry"),
    "fish": ("fish",), "salmon": ("fish",), "tuna": ("fish",), "cod": ("fish",), "haddock": ("fish",), "sushi": ("fish",),
    "anchovy": ("fish",), "sardine": ("fish",), "mackerel": ("fish",), "trout": ("fish",),
    "shrimp": ("shellfish", "fish"), "prawn": ("shellfish", "fish"), "crab": ("shellfish", "fish"),
    "lobster": ("shellfish", "fish"), "mussel": ("shellfish", "fish"), "oyster": ("shellfish", "fish"),
    "scallop": ("shellfish", "fish"), "clam": ("shellfish", "fish"), "calamari": ("shellfish", "fish"),
    "cheese": ("dairy",), "milk": ("dairy",), "cream": ("dairy",), "butter": ("dairy",), "yogurt": ("dairy",),
    "yoghurt": ("dairy",), "latte": ("dairy", "caffeine"), "cappuccino": ("dairy", "caffeine"), "milkshake": ("dairy",),
    "ice cream": ("dairy", "sugar"), "cheesecake": ("dairy", "sugar", "gluten"), "mozzarella": ("dairy",),
    "parmesan": ("dairy",), "cheddar": ("dairy",), "brie": ("dairy",), "feta": ("dairy",), "paneer": ("dairy",),
    "lasagna": ("dairy", "gluten"), "lasagne": ("dairy", "gluten"), "pizza": ("dairy", "gluten"),
    "mac and cheese": ("dairy", "gluten"), "carbonara": ("dairy", "egg", "gluten", "pork", "meat", "red meat"),
    "quiche": ("dairy", "egg", "gluten"), "alfredo": ("dairy", "gluten"), "custard": ("dairy", "egg", "sugar"),
    "egg": ("egg",), "omelette": ("egg",), "omelet": ("egg",), "mayonnaise": ("egg",), "mayo": ("egg",),
    "bread": ("gluten",), "pasta": ("gluten",), "spaghetti": ("gluten",), "noodle": ("gluten",), "toast": ("gluten",),
    "sandwich": ("gluten",), "bagel": ("gluten",), "croissant": ("gluten", "dairy"), "cake": ("gluten", "sugar", "dairy", "egg"),
    "cookie": ("gluten", "sugar"), "biscuit": ("gluten", "sugar"), "muffin": ("gluten", "sugar"), "pastry": ("gluten", "dairy"),
    "beer": ("gluten", "alcohol"), "wine": ("alcohol",), "whisky": ("alcohol",), "vodka": ("alcohol",), "cocktail": ("alcohol",),
    "peanut": ("nuts", "peanuts"), "almond": ("nuts",), "walnut": ("nuts",), "cashew": ("nuts",), "pecan": ("nuts",),
    "hazelnut": ("nuts",), "pistachio": ("nuts",), "pesto": ("nuts", "dairy"), "satay": ("nuts", "peanuts"),
    "nutella": ("nuts", "sugar", "dairy"), "praline": ("nuts", "sugar"), "marzipan": ("nuts", "sugar"),
    "chocolate": ("sugar", "dairy"), "candy": ("sugar",), "soda": ("sugar",), "donut": ("sugar", "gluten"),
    "doughnut": ("sugar", "gluten"), "coffee": ("caffeine",), "espresso": ("caffeine",), "tea": ("caffeine",),
    "soy": ("soy",), "tofu": ("soy",), "edamame": ("soy",), "sesame": ("sesame",), "tahini": ("sesame",),
    "hummus": ("sesame",),
    # dishes whose allergens are common knowledge (what a menu's allergen key would mark)
    "halva": ("sesame", "sugar"), "halvah": ("sesame", "sugar"), "baba ganoush": ("sesame",), "za'atar": ("sesame",),
    "zaatar": ("sesame",), "tahina": ("sesame",), "gomasio": ("sesame",),
    "baklava": ("nuts", "gluten", "sugar"), "frangipane": ("nuts", "sugar"), "amaretti": ("nuts", "sugar"),
    "nougat": ("nuts", "sugar"), "macadamia": ("nuts",), "pine nut": ("nuts",), "brazil nut": ("nuts",),
    "peanut butter": ("nuts", "peanuts"), "pad thai": ("nuts", "peanuts", "egg"), "kung pao": ("nuts", "peanuts"),
    "korma": ("nuts", "dairy"), "gianduja": ("nuts", "sugar", "dairy"),
    "ghee": ("dairy",), "tzatziki": ("dairy",), "raita": ("dairy",), "gelato": ("dairy", "sugar"), "fondue": ("dairy",),
    "halloumi": ("dairy",), "ricotta": ("dairy",), "mascarpone": ("dairy",), "camembert": ("dairy",),
    "gouda": ("dairy",), "burrata": ("dairy",), "lassi": ("dairy",), "kheer": ("dairy", "sugar"),
    "tiramisu": ("dairy", "egg", "gluten", "sugar", "caffeine"),
    "couscous": ("gluten",), "bulgur": ("gluten",), "tabbouleh": ("gluten",), "seitan": ("gluten",), "naan": ("gluten", "dairy"),
    "pitta": ("gluten",), "pita": ("gluten",), "dumpling": ("gluten",), "ramen": ("gluten",), "udon": ("gluten",),
    "brownie": ("gluten", "sugar", "dairy", "egg"), "pancake": ("gluten", "egg", "dairy"), "waffle": ("gluten", "egg", "dairy"),
    "crumpet": ("gluten",), "scone": ("gluten", "dairy"), "pretzel": ("gluten",), "crouton": ("gluten",),
    "semolina": ("gluten",), "lager": ("gluten", "alcohol"),
    "breadcrumb": ("gluten",), "breadcrumbs": ("gluten",), "stuffing": ("gluten",), "yorkshire pudding": ("gluten", "egg", "dairy"),
    "batter": ("gluten", "egg"), "tempura": ("gluten",), "breaded": ("gluten",), "cracker": ("gluten",),
    "crumble": ("gluten", "dairy", "sugar"), "sponge": ("gluten", "egg", "sugar"), "trifle": ("gluten", "dairy", "egg", "sugar"),
    "baguette": ("gluten",), "ciabatta": ("gluten",), "focaccia": ("gluten",), "sourdough": ("gluten",),
    "brioche": ("gluten", "egg", "dairy"), "dough": ("gluten",), "flour": ("gluten",), "pie": ("gluten",),
    "pasty": ("gluten",), "sausage roll": ("gluten", "red meat", "meat", "pork"), "gnocchi": ("gluten",),
    "ravioli": ("gluten",), "tortellini": ("gluten",), "macaroni": ("gluten",), "fettuccine": ("gluten",),
    "penne": ("gluten",), "linguine": ("gluten",), "orzo": ("gluten",), "barley": ("gluten",), "rye": ("gluten",),
    "meringue": ("egg", "sugar"), "pavlova": ("egg", "sugar"), "frittata": ("egg",), "eggnog": ("egg", "dairy", "alcohol"),
    "hollandaise": ("egg", "dairy"), "aioli": ("egg",),
    "paella": ("shellfish", "fish"), "scampi": ("shellfish", "fish"), "langoustine": ("shellfish", "fish"),
    "crayfish": ("shellfish", "fish"), "squid": ("shellfish", "fish"), "octopus": ("shellfish", "fish"),
    "fish sauce": ("fish",), "caviar": ("fish",), "kedgeree": ("fish", "egg"), "ceviche": ("fish",), "sashimi": ("fish",),
    "gin": ("alcohol",), "rum": ("alcohol",), "prosecco": ("alcohol",), "champagne": ("alcohol",), "cider": ("alcohol",),
    "sangria": ("alcohol",), "mojito": ("alcohol",), "tequila": ("alcohol",), "brandy": ("alcohol",),
    "bourbon": ("alcohol",), "sherry": ("alcohol",),
    "doner": ("red meat", "meat"), "haggis": ("red meat", "meat", "gluten"), "pastrami": ("red meat", "meat"),
    "goulash": ("red meat", "meat"), "chilli con carne": ("red meat", "meat"), "shepherd's pie": ("red meat", "meat"),
    "cottage pie": ("red meat", "meat"),
    "matcha": ("caffeine",), "mocha": ("caffeine", "dairy", "sugar"),
    "americano": ("caffeine",), "flat white": ("caffeine", "dairy"),
}
# how a diet or allergy is named -> the categories it rules out
DIET_CATEGORIES: dict[str, tuple[str, ...]] = {
    "red meat": ("red meat",), "meat": ("meat",), "pork": ("pork",), "poultry": ("poultry",), "fish": ("fish",),
    "seafood": ("fish", "shellfish"), "shellfish": ("shellfish",), "dairy": ("dairy",), "lactose": ("dairy",),
    "milk": ("dairy",), "cheese": ("dairy",), "gluten": ("gluten",), "wheat": ("gluten",), "egg": ("egg",),
    "eggs": ("egg",), "nuts": ("nuts",), "nut": ("nuts",), "tree nuts": ("nuts",), "peanuts": ("peanuts", "nuts"),
    "peanut": ("peanuts", "nuts"), "sugar": ("sugar",), "alcohol": ("alcohol",), "caffeine": ("caffeine",),
    "soy": ("soy",), "sesame": ("sesame",), "vegetarian": ("meat", "fish", "shellfish"),
    "vegan": ("meat", "fish", "shellfish", "dairy", "egg"), "pescatarian": ("meat",), "coeliac": ("gluten",),
    "celiac": ("gluten",), "halal": ("pork",), "kosher": ("pork", "shellfish"), "lactose intolerant": ("dairy",),
}
