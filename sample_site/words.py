"""Word lists for the generated text.

Everything the sample site says is assembled from these lists with a seeded random generator, so no
sentence of the real site is reproduced. Place names and the names of the conflict's parties are
kept because an imitation about Syria without them would not exercise what the extractor meets;
every person named here is invented.
"""

from __future__ import annotations

# The 13 topic channels, with the slugs the real site used for its topic pages.
TOPICS = (
    ("arts-culture", "Arts & Culture"),
    ("civil-society", "Civil Society"),
    ("diplomacy", "Diplomacy & Foreign Affairs"),
    ("displacement", "Displacement"),
    ("education", "Education"),
    ("government-forces", "Government & Pro-Government Forces"),
    ("health", "Health"),
    ("human-rights", "Human Rights"),
    ("isis", "ISIS"),
    ("opposition", "Opposition Groups & Rebel Forces"),
    ("religious-ethnic-groups", "Religious & Ethnic Groups"),
    ("solutions", "Solutions"),
    ("war-economy", "War Economy"),
)

# Explainers live at fixed slugs under /syria/background, as on the real site.
EXPLAINERS = (
    ("the-basics", "The Basics"),
    ("the-regime", "The Regime"),
    ("the-opposition", "The Opposition"),
    ("understanding-isis", "Understanding ISIS"),
    ("global-players", "Global Players"),
)

# 30 first names and 29 surnames: coprime lengths make contributor names unique (see content.py).
FIRST_NAMES = (
    "Lina", "Omar", "Rami", "Dana", "Karim", "Nour", "Samer", "Hala", "Yara", "Tarek",
    "Maya", "Ziad", "Rania", "Bassel", "Leila", "Hussam", "Amira", "Fadi", "Salma", "Jad",
    "Paul", "Anna", "Mark", "Sarah", "Tom", "Claire", "Daniel", "Helen", "Peter", "Julia",
)
SURNAMES = (
    "Haddad", "Khoury", "Nasser", "al-Hamwi", "Saleh", "Darwish", "Aziz", "Mansour", "Farah",
    "Ibrahim", "Youssef", "Kassem", "Barakat", "al-Shami", "Hartley", "Brennan", "Novak",
    "Lindqvist", "Okafor", "Bauer", "Moreau", "Castillo", "Fisher", "Example", "Roe", "Doe",
    "Quill", "Ashdown", "Verhoeven",
)

PLACES = (
    "Aleppo", "Homs", "Idlib", "Raqqa", "Deir ez-Zor", "Daraa", "Damascus", "Eastern Ghouta",
    "Hama", "Latakia", "Tartus", "Afrin", "Kobani", "Manbij", "al-Bab", "Palmyra", "Quneitra",
    "Qamishli", "Douma", "Jisr al-Shughur", "Suwayda", "Hasakah", "Maarat al-Numan", "Azaz",
)
NEIGHBORS = ("Lebanon", "Jordan", "Turkey", "Iraq", "Germany", "Greece")
CITIES_ABROAD = ("Beirut", "Amman", "Gaziantep", "Istanbul", "Erbil", "Berlin", "Geneva", "London")

ACTORS = (
    "the government", "rebel factions", "Kurdish-led forces", "ISIS", "Russia", "Iran", "Turkey",
    "the U.N.", "local councils", "aid groups", "the opposition coalition", "pro-government militias",
    "the U.S.-led coalition", "civil defense volunteers", "Hezbollah", "the SDF",
)
THEMES = (
    "the siege", "the cease-fire", "reconstruction", "the return of refugees", "the price of bread",
    "the water supply", "school enrollment", "the field hospital", "detention", "the local economy",
    "the fuel shortage", "the evacuation deal", "property law", "the currency", "winter shelter",
    "landmine clearance", "the wheat harvest", "the search for the missing", "electricity",
    "cross-border aid",
)
ROLES = (
    "a researcher at", "the director of", "a senior fellow at", "a program manager with",
    "a spokesperson for", "a doctor working with", "a teacher who volunteers with", "the founder of",
)
ORGS = (
    "the Orontes Policy Forum", "the Levant Relief Network", "the Barada Institute",
    "the Euphrates Research Center", "Sham Community Health", "the Jasmine Education Trust",
    "the Tell Documentation Project", "the Northern Syria Legal Aid Desk",
)
SOURCES = (
    "The Daily Example", "Example Times", "The Harbor Review", "Orbit News", "The Meridian",
    "Crescent Monitor", "The Weekly Ledger",
)
PHOTO_CREDITS = ("AFP/Example Photo", "AP Photo/Sample Wire", "Example Images", "Deeply/Staff")

# Arabic terms with their English sense, so that pages carry right-to-left script in UTF-8.
ARABIC = (
    ("صمود", "steadfastness"),
    ("تنسيقيات", "coordination committees"),
    ("مجلس محلي", "local council"),
    ("حصار", "siege"),
    ("هدنة", "truce"),
    ("نازحون", "displaced people"),
    ("مساعدات", "aid"),
    ("مدرسة", "school"),
    ("خبز", "bread"),
    ("بيت", "home"),
)

NOUNS = (
    "families", "farmers", "teachers", "doctors", "shopkeepers", "students", "activists",
    "engineers", "mothers", "fighters", "volunteers", "nurses", "bakers", "lawyers",
)
VERBS_PAST = (
    "returned to", "fled", "rebuilt", "left", "reopened", "stayed in", "organized in",
    "documented conditions in", "negotiated over", "waited outside",
)
ADJECTIVES = (
    "fragile", "uneasy", "costly", "uncertain", "slow", "sudden", "quiet", "bitter", "stubborn",
    "precarious", "long-awaited", "overlooked",
)
TIME_PHRASES = (
    "last month", "over the winter", "since the spring", "earlier this year", "in recent weeks",
    "after the offensive", "before the truce", "during the siege",
)

# Templates: {place} {place2} {actor} {theme} {noun} {verb} {adj} {time} {neighbor} {city} {org}
# {ar} {en} {n} {pct}. Curly quotes and apostrophes are written out so that every page carries them.
TITLE_TEMPLATES = (
    "Inside {place}’s {adj} Recovery",
    "Why {actor_t} Bet on {theme_t}",
    "The {adj_t} Fight Over {theme_t} in {place}",
    "How {noun_t} in {place} Keep {theme_t} Going",
    "What {theme_t} Means for {place}",
    "In {place}, {noun_t} Count the Cost of {theme_t}",
    "A {adj_t} Return: {noun_t} Head Back to {place}",
    "The Long Road From {place} to {city}",
    "Understanding the Offensive in {place}",
    "{place}’s {noun_t} Weigh {theme_t}",
    "Mapping {theme_t} Across {place} and {place2}",
    "After the Battle for {place}, a {adj_t} Calm",
)
SUMMARY_TEMPLATES = (
    "As {theme} reshapes daily life in {place}, {noun} describe a {adj} struggle to stay.",
    "With {actor} and {actor2} at odds over {theme}, residents of {place} say they are paying the price.",
    "Months after {theme} began, {noun} in {place} are still waiting for answers.",
    "In {place}, {theme} has become a test for {actor} — and for the {noun} who depend on it.",
    "We look at how {theme} is changing {place}, from the markets to the schools.",
)
SUMMARY_FOCUS = ("{theme} in {place}", "the talks in {city}", "new fighting near {place}")
QUOTED_SUMMARY_TEMPLATES = (
    "Residents of {place} call {theme} \"a second siege,\" and {noun} say the worst is not over.",
    "For {noun} in {place}, the word \"return\" now means {theme}, not home.",
)
SENTENCES = (
    "In {place}, {noun} {verb} the old market {time}, despite {theme}.",
    "Little has been heard from {actor} about {theme}, but {noun} in {place} describe a {adj} situation.",
    "According to {org}, about {n} {noun} {verb} {place} {time}.",
    "Prices in {place} rose by {pct} percent {time}, a shopkeeper told Syria Deeply.",
    "“We don’t know what tomorrow brings,” said one of the {noun}, who asked not to be named.",
    "Locals use the word {ar} — “{en}” — to describe how they have lived through {theme}.",
    "Many of the {noun} who {verb} {place} now live in {neighbor}, where {theme} is a daily worry.",
    "The {adj} arrangement between {actor} and {actor2} has held {time}, at least on paper.",
    "Aid convoys reached {place} twice {time}, carrying supplies for roughly {n} people.",
    "Analysts in {city} say {theme} will decide whether {place} can recover.",
    "A sign outside the clinic reads {ar}, and the queue starts before dawn.",
    "It’s a story that repeats itself across {place} and {place2}.",
    "Few {noun} expect {actor} to change course on {theme} soon.",
    "The {adj} calm has allowed some {noun} to reopen shops that had been shut for years.",
)
QUESTIONS = (
    "What has changed in {place} since {theme} began?",
    "How do {noun} in {place} cope with {theme}?",
    "What role do you see for {actor} in {theme}?",
    "Why did {org} decide to work in {place}?",
    "What do people outside Syria misunderstand about {theme}?",
    "How has the situation in {place} changed {time}?",
    "What would a lasting solution to {theme} look like?",
    "Where do you see {place} a year from now?",
    "How do you measure progress on {theme}?",
    "What worries you most right now?",
)
ANSWERS = (
    "The first thing to understand is that {theme} did not start {time}.",
    "In {place}, {noun} have learned to improvise, and that is not a small thing.",
    "We work with about {n} {noun}, and each of them has a different story.",
    "For {actor}, {theme} is rarely at the top of the list.",
    "People say {ar}, which means “{en},” and they mean it literally.",
    "I wouldn’t call it a solution; it’s a pause, and pauses end.",
    "When we visited {place} {time}, the {noun} we met were exhausted but organized.",
    "There’s a gap between what is agreed in {city} and what happens in {place}.",
    "The numbers matter, but so does what the {noun} themselves tell us.",
    "Honestly, the {adj} part is that nobody can plan more than a week ahead.",
)
SUBHEADS = (
    "Clashes Reported Near {place}",
    "Aid Reaches {place}",
    "Talks Resume in {city}",
    "Residents Return to {place}",
    "Concerns Over {theme_t}",
)
CORRECTION = "An earlier version of this article misstated the number of {noun} in {place}."
