"""The offline agent's word tables: one place for every list the rules read.

Nothing here is code that decides; the rules (`topic_watch`, `intent`, `fact_check`, `instruction`)
read these tables. Terms are written as people say them; the rules lemmatise both the table and the
heard text with the same `text.lemma`, so "bookings" meets "booking" and "booked".

Tables:
- STOPWORDS, GENERIC_WORDS, NEGATORS, IRREGULAR_LEMMAS: the basics of matching.
- TOPIC_FIELDS: a lexical field per common conversation topic. `strong` terms alone show the topic
  is being talked about; `weak` ones count only two at a time (two distinct weak terms = a mention).
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

# ---- topic fields -------------------------------------------------------------------------------
# category -> {"strong": terms that alone show the topic, "weak": supporting terms (two needed)}
TOPIC_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "dining": {
        "strong": ("restaurant", "dinner reservation", "reservation", "reserve a table", "book a table",
                   "table for", "eat out", "eating out", "dine", "dining", "bistro", "cafe", "diner", "trattoria",
                   "pizzeria", "steakhouse", "brasserie", "tavern", "eatery", "takeout", "take-out",
                   "food truck", "buffet", "brunch", "grab dinner", "grab lunch", "grab a bite", "bite to eat",
                   "dinner", "lunch", "sushi place", "tasting menu", "the menu", "michelin", "food court",
                   "ramen", "tapas", "noodle bar", "bar and grill", "grill", "chef", "waiter", "waitress"),
        "weak": ("food", "eat", "meal", "cuisine", "italian", "thai", "mexican", "chinese", "japanese", "indian",
                 "french", "greek", "korean", "vietnamese", "pizza", "burger", "sushi", "steak", "pasta", "dessert",
                 "bar", "pub", "menu", "wine", "tacos", "curry", "noodles", "dumplings", "bbq"),
    },
    "groceries": {
        "strong": ("grocery", "groceries", "supermarket", "grocery store", "shopping list", "farmers market",
                   "produce section"),
        "weak": ("milk", "eggs", "bread", "butter", "cheese", "vegetables", "fruit", "store", "buy", "run out",
                 "fridge", "snacks", "rice", "flour", "meat", "chicken"),
    },
    "weather": {
        "strong": ("weather", "forecast", "rain", "raining", "rainy", "storm", "stormy", "thunderstorm", "snow",
                   "snowing", "sunny", "cloudy", "windy", "temperature", "degrees", "heat wave", "humid",
                   "humidity", "thunder", "lightning", "hurricane", "typhoon", "tornado", "drizzle", "downpour",
                   "fog", "foggy", "blizzard", "hail", "frost", "heatwave", "monsoon", "celsius", "fahrenheit",
                   "umbrella", "sunshine", "showers"),
        "weak": ("hot", "cold", "warm", "chilly", "freezing", "wind", "sun", "cloud", "sky", "wet", "dry",
                 "clear", "mild", "outside", "weekend", "pour", "jacket", "coat", "shorts"),
    },
    "air_quality": {
        "strong": ("air quality", "pollution", "smog", "aqi", "pm2.5", "haze", "hazy", "smoke from",
                   "wildfire smoke", "air pollution", "pollen", "pollen count"),
        "weak": ("air", "breathe", "mask", "dust", "smoke", "outside", "asthma"),
    },
    "travel": {
        "strong": ("flight", "fly", "flying", "airport", "plane", "airline", "boarding", "layover", "trip",
                   "vacation", "holiday", "travel", "travelling", "traveling", "passport", "visa", "itinerary",
                   "getaway", "abroad", "road trip", "cruise", "jet lag", "departure", "check in for"),
        "weak": ("ticket", "book", "destination", "beach", "tour", "city", "country", "luggage", "suitcase",
                 "pack", "overseas", "visit"),
    },
    "accommodation": {
        "strong": ("hotel", "motel", "hostel", "airbnb", "accommodation", "place to stay", "lodging", "resort",
                   "bed and breakfast", "check-in", "inn", "suite"),
        "weak": ("room", "night", "stay", "book", "reserve", "nights"),
    },
    "health": {
        "strong": ("get well", "feeling unwell", "under the weather", "came down with", "caught a cold", "in bed with", "doctor", "dentist", "clinic", "hospital", "sick", "ill", "fever", "flu", "cough", "headache",
                   "migraine", "injury", "injured", "medicine", "medication", "prescription", "pharmacy",
                   "symptom", "symptoms", "surgery", "checkup", "check-up", "nurse", "physical therapy",
                   "blood pressure", "diabetes", "allergic reaction", "infection", "covid", "vaccine",
                   "sprained", "broke his arm", "broke her arm", "emergency room", "physio", "therapist",
                   "health", "illness", "pills", "dose"),
        "weak": ("pain", "hurt", "ache", "appointment", "tired", "cold", "rest", "feel", "body", "test",
                 "allergy", "stomach", "back", "knee"),
    },
    "fitness": {
        "strong": ("gym", "workout", "work out", "exercise", "jog", "jogging", "yoga", "pilates", "marathon",
                   "fitness", "cardio", "weightlifting", "lift weights", "personal trainer", "spin class",
                   "crossfit", "5k", "10k", "half marathon", "push-ups", "squats"),
        "weak": ("run", "running", "training", "cycling", "swim", "swimming", "hike", "hiking", "stretch",
                 "muscle", "sweat", "trainer", "bike", "walk", "steps", "weight", "class"),
    },
    "finance": {
        "strong": ("borrow", "lend", "owe", "pay back", "paid back", "pay you back", "loan", "iou", "money", "price", "prices", "cost", "costs", "expensive", "budget", "bank", "loan",
                   "mortgage", "bill", "bills", "invoice", "payment", "salary", "savings", "invest",
                   "investment", "stock", "stocks", "shares", "stock market", "crypto", "bitcoin",
                   "exchange rate", "currency", "tax", "taxes", "debt", "credit card", "refund", "dividend",
                   "portfolio", "nasdaq", "dow jones", "interest rate", "inflation", "paycheck", "afford",
                   "fee", "fees", "bucks", "dollars", "euros", "pounds", "yen", "financial", "finances"),
        "weak": ("pay", "cheap", "spend", "save", "earn", "market", "rent", "account", "cash", "owe",
                 "deal", "worth", "value", "percent"),
    },
    "shopping": {
        "strong": ("sale", "discount", "deal", "coupon", "purchase", "shopping", "mall", "online order",
                   "black friday", "on sale", "half price", "promo code", "checkout", "shop"),
        "weak": ("buy", "order", "store", "delivery", "package", "amazon", "gift", "cart", "brand", "price",
                 "new", "bought"),
    },
    "work": {
        "strong": ("due date", "launch date", "milestone", "timeline", "release date", "meeting", "deadline", "project", "boss", "manager", "client", "presentation", "office",
                   "colleague", "coworker", "co-worker", "interview", "promotion", "conference call",
                   "performance review", "quarterly report", "team lead", "overtime", "shift", "job",
                   "career", "hiring", "resume", "layoff", "laid off", "raise"),
        "weak": ("work", "report", "team", "email", "schedule", "task", "company", "contract", "proposal",
                 "hr", "department", "due", "launch", "release", "website", "deliver", "ship", "draft"),
    },
    "schedule_change": {
        "strong": ("now due", "not this week", "moved up", "pushed", "reschedule", "rescheduled", "postpone", "postponed", "cancel", "cancelled", "canceled",
                   "moved to", "push back", "pushed back", "pushed to", "delayed", "delay", "change of plans",
                   "called off", "bumped to", "moved up", "earlier than", "later than planned"),
        "weak": ("change", "instead", "time", "schedule", "plans", "move", "new time"),
    },
    "transport": {
        "strong": ("lift", "give me a ride", "give you a ride", "drive me", "drive you", "pick me up", "pick you up", "drop me off", "drop you off", "ride to", "bus", "train", "subway", "metro", "taxi", "cab", "uber", "lyft", "traffic", "commute",
                   "parking", "station", "tram", "ferry", "road closure", "detour", "rush hour", "bus stop",
                   "carpool", "ride share", "rideshare", "shuttle"),
        "weak": ("drive", "car", "ride", "route", "road", "highway", "late", "stop", "line", "transit"),
    },
    "directions": {
        "strong": ("directions", "address", "how to get to", "how do i get to", "navigate", "navigation",
                   "swing by", "stop by", "drop by", "pick up at", "post office", "get there", "located",
                   "the way to", "map", "gps", "new place", "head over to", "meet me at"),
        "weak": ("street", "avenue", "road", "downtown", "corner", "near", "nearby", "block", "place",
                 "location", "across from", "next to", "go to", "route"),
    },
    "music": {
        "strong": ("music", "song", "songs", "album", "band", "concert", "gig", "playlist", "singer",
                   "musician", "spotify", "jazz", "rock", "hip hop", "rap", "classical music", "music festival",
                   "guitar", "piano", "drummer", "lyrics", "vinyl", "record label", "orchestra", "symphony"),
        "weak": ("listen", "artist", "tour", "tune", "play", "track", "festival", "stage", "sing", "dance"),
    },
    "movies_tv": {
        "strong": ("movie", "movies", "film", "cinema", "tv show", "series", "episode", "netflix", "trailer",
                   "documentary", "actor", "actress", "box office", "sequel", "sitcom", "hbo", "disney plus",
                   "streaming", "premiere", "binge"),
        "weak": ("watch", "show", "season", "theater", "screen", "director", "plot", "character", "stream"),
    },
    "sports": {
        "strong": ("football", "soccer", "basketball", "baseball", "tennis", "golf", "hockey", "championship",
                   "league", "tournament", "playoffs", "world cup", "olympics", "nba", "nfl", "premier league",
                   "match", "final score", "touchdown", "stadium", "cricket", "rugby", "volleyball", "boxing",
                   "formula one", "grand slam", "halftime", "scored"),
        "weak": ("game", "team", "score", "goal", "coach", "player", "win", "won", "lose", "lost", "fan",
                 "season", "ticket"),
    },
    "family_kids": {
        "strong": ("kid", "kids", "son", "daughter", "children", "child", "daycare", "babysitter", "nanny",
                   "parent-teacher", "pick up the kids", "school pickup", "school run", "toddler", "baby",
                   "grandma", "grandpa", "mom", "dad", "my parents", "sister", "brother", "nephew", "niece"),
        "weak": ("family", "school", "home", "play", "teacher", "homework"),
    },
    "education": {
        "strong": ("school", "teacher", "homework", "exam", "exams", "midterm", "final exam", "lecture",
                   "course", "assignment", "essay", "university", "college", "semester", "tuition", "enroll",
                   "professor", "thesis", "grades", "report card", "study group", "quiz", "class"),
        "weak": ("study", "test", "learn", "student", "book", "paper", "due", "campus", "degree"),
    },
    "pets": {
        "strong": ("pet sitter", "pet sitting", "dog sitter", "cat sitter", "look after", "take care of", "dog walker", "feed the cat", "dog", "cat", "puppy", "kitten", "vet", "veterinarian", "pet", "pets", "walk the dog",
                   "dog food", "cat food", "litter box", "leash", "kennel", "groomer", "hamster", "parrot",
                   "rabbit", "fish tank", "adopt a dog"),
        "weak": ("walk", "feed", "fur", "bark", "animal", "shelter", "adopt"),
    },
    "celebration": {
        "strong": ("birthday", "party", "celebration", "celebrate", "anniversary", "wedding", "surprise party",
                   "gift", "present", "cake", "invitation", "baby shower", "bridal shower", "graduation",
                   "housewarming", "engagement", "reunion", "bachelor party", "bachelorette", "christmas",
                   "thanksgiving", "new year"),
        "weak": ("invite", "guests", "balloons", "candles", "toast", "cheers", "surprise", "decorations"),
    },
    "housing": {
        "strong": ("bedroom", "studio apartment", "a month", "per month", "for rent", "to rent", "room available", "spare room", "apartment", "house", "rent", "lease", "landlord", "moving", "move out", "move in",
                   "mortgage", "plumber", "leak", "renovation", "furniture", "roommate", "flat", "real estate",
                   "realtor", "viewing", "electrician", "repairman", "tenant", "deposit"),
        "weak": ("home", "room", "kitchen", "bathroom", "repair", "fix", "neighbor", "building", "floor"),
    },
    "cooking": {
        "strong": ("recipe", "cook", "cooking", "bake", "baking", "ingredient", "ingredients", "stir fry",
                   "homemade", "roast", "grill", "marinate", "oven", "slow cooker", "meal prep", "casserole",
                   "soup", "curry"),
        "weak": ("dish", "kitchen", "dinner", "make", "chicken", "vegetables", "sauce", "pan", "flavor"),
    },
    "diet": {
        "strong": ("diet", "calories", "calorie", "protein", "sugar", "vegan", "vegetarian", "gluten", "keto",
                   "nutrition", "nutritional", "allergy", "allergic", "lactose", "peanut", "dairy",
                   "carbs", "low carb", "intermittent fasting", "weight loss", "lose weight", "healthy eating",
                   "cholesterol", "sodium", "fat"),
        "weak": ("healthy", "eat", "food", "weight", "snack", "portion", "meal"),
    },
    "technology": {
        "strong": ("smartphone", "laptop", "computer", "software", "wifi", "wi-fi", "internet", "gadget",
                   "tablet", "headphones", "camera", "iphone", "android", "app", "update", "charger",
                   "bluetooth", "printer", "router", "smartwatch", "new phone"),
        "weak": ("phone", "screen", "battery", "device", "tech", "download", "install", "online"),
    },
    "cars": {
        "strong": ("car", "vehicle", "mechanic", "oil change", "tire", "tires", "engine", "dealership",
                   "gas station", "fuel", "electric car", "test drive", "car wash", "brakes", "flat tire",
                   "car insurance"),
        "weak": ("drive", "road", "gas", "charge", "parking", "fix", "repair"),
    },
    "books": {
        "strong": ("book", "books", "novel", "author", "library", "reading", "chapter", "book club",
                   "bestseller", "paperback", "audiobook", "kindle", "poetry"),
        "weak": ("read", "story", "page", "writer", "series", "published"),
    },
    "news_politics": {
        "strong": ("news", "election", "politics", "government", "president", "vote", "voting", "policy",
                   "senate", "congress", "parliament", "protest", "headline", "minister", "campaign"),
        "weak": ("law", "announced", "report", "country", "city council", "public"),
    },
    "entertainment_events": {
        "strong": ("ticket", "tickets", "concert", "festival", "exhibition", "museum", "gallery", "theater",
                   "theatre", "comedy show", "musical", "opera", "ballet", "fair", "show tonight", "sold out",
                   "amusement park", "zoo"),
        "weak": ("show", "event", "perform", "stage", "line up", "seats", "weekend"),
    },
    "outdoors": {
        "strong": ("outdoor", "outdoors", "hike", "hiking", "camping", "camp", "picnic", "kayak", "kayaking",
                   "climbing", "bike ride", "cycling", "trail", "fishing", "barbecue", "bbq", "beach day",
                   "canoe", "surfing", "sailing", "ski", "skiing", "rowing", "walk in the park", "coast path",
                   "mountain", "lake"),
        "weak": ("park", "beach", "outside", "walk", "sun", "coast", "forest", "river", "fresh air", "weekend"),
    },
    "safety": {
        "strong": ("closed", "closure", "danger", "dangerous", "warning", "risk", "accident", "emergency",
                   "evacuation", "unsafe", "hazard", "avalanche", "landslide", "flood", "flooding", "wildfire",
                   "earthquake", "alert", "advisory", "crash", "injured", "police", "fire"),
        "weak": ("careful", "safe", "safety", "blocked", "trail", "road", "storm", "ice", "slippery"),
    },
    "wellbeing": {
        "strong": ("stress", "stressed", "anxious", "anxiety", "exhausted", "overwhelmed", "relax",
                   "meditation", "meditate", "insomnia", "burnout", "burned out", "mental health",
                   "can't sleep", "panic", "therapy", "mindfulness", "breathing exercise"),
        "weak": ("tired", "sleep", "calm", "worried", "tense", "rest", "mood", "nervous", "break"),
    },
    "clothing": {
        "strong": ("clothes", "dress", "shirt", "shoes", "jacket", "coat", "jeans", "sneakers", "outfit",
                   "suit", "boots", "fashion", "wardrobe", "sweater", "hoodie"),
        "weak": ("wear", "size", "fit", "style", "color", "buy"),
    },
    "games": {
        "strong": ("video game", "video games", "playstation", "xbox", "nintendo", "board game", "chess",
                   "gaming", "console", "esports", "card game", "puzzle"),
        "weak": ("game", "play", "level", "player", "online"),
    },
    "gardening": {
        "strong": ("garden", "gardening", "plants", "seeds", "flowers", "lawn", "compost", "tomatoes",
                   "watering", "soil", "greenhouse", "mow"),
        "weak": ("grow", "yard", "water", "sun", "dig"),
    },
    "home_devices": {
        "strong": ("thermostat", "heating", "air conditioning", "air conditioner", "lights", "smart home",
                   "heater", "fan", "humidifier", "blinds", "curtains", "ac"),
        "weak": ("temperature", "warm", "cold", "hot", "dark", "bright", "turn on", "turn off"),
    },
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
                       "worth watching", "worth reading"),
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
