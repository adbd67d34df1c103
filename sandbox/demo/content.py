"""The sandbox's demo content: invented agencies, places and reports.

Everything here is written for this project. The agencies use ``.example``
addresses, which can never belong to a real site.
"""

SITE_NAME = "Mediawire sandbox"

HOME = {
    "title": "Welcome to the sandbox",
    "slug": "home",
    "intro": (
        "<p>This is the sandbox of <b>wagtail-mediawire</b>. Every page on this site is "
        "invented demo content. Open the Media Wire section to read republished reports "
        "with their sources and the section's disclaimer, or sign in to the admin to edit "
        "them.</p>"
    ),
}

DISCLAIMER = {
    "name": "Media Wire disclaimer",
    "text": (
        "<p>The reports in this section are gathered from other news agencies and websites "
        "and republished for our readers' information. They do not necessarily represent "
        "the views of this site.</p>"
        "<p>Our wire desk may rewrite a headline for clarity, but it never alters the "
        "content of a report. The name of the original source and the address of the "
        "report are listed at the end of every article.</p>"
    ),
}

SECTION = {
    "title": "Media Wire",
    "slug": "media-wire",
    "signature": "Sandbox Media Wire",
    "search_description": "Reports from the agencies we follow, with their sources.",
    "intro": (
        "<p>Reports from news agencies and websites we follow, republished as they were "
        "written. Each article names its source at the end.</p>"
    ),
}

# The section's default image for social cards (drawn by load_demo).
SOCIAL_IMAGE = {
    "title": "Media Wire card",
    "description": "The words Media Wire on a dark blue card with an orange band",
}

# The demo agency feed (demo/feeds/cobalt-wire.xml): its items become drafts for review.
FEED = {
    "name": "Cobalt Wire: coast and islands",
    "source_name": "Cobalt Wire Service",
    "fetch_interval": 60,
}

AGENCIES = {
    "northwind": ("Northwind Press Agency", "https://northwind.example/reports/"),
    "harbourline": ("Harbourline News", "https://harbourline.example/news/"),
    "cobalt": ("Cobalt Wire Service", "https://cobaltwire.example/stories/"),
}

# Newest first. ``hours_ago`` staggers first_published_at over the last four days so
# that the section's ordering (and later the Recent Posts block) is easy to see.
# A source's ``original_headline`` is set only where the desk changed the headline.
ARTICLES = [
    {
        "slug": "kestrel-bay-harbour-reopens",
        "title": "Kestrel Bay harbour reopens to ferries after storm repairs",
        "summary": "Ferries returned to the inner quay on Tuesday after two weeks of repairs.",
        "hours_ago": 2,
        "paragraphs": [
            "Passenger ferries returned to the inner quay at Kestrel Bay on Tuesday morning, "
            "two weeks after a winter storm damaged the mooring posts and part of the "
            "boarding ramp.",
            "Crews replaced eleven posts and rebuilt the ramp's lower section. The harbour "
            "authority said the timetable would run as normal from Wednesday, with one extra "
            "evening crossing this week to clear a backlog of bookings.",
            "Cargo traffic, which had moved to the outer pier during the works, will return "
            "to its usual berth at the weekend.",
        ],
        "quote": (
            "We are glad to see the morning boats back where they belong.",
            "A harbour authority spokesperson",
        ),
        "sources": [
            ("harbourline", "kestrel-bay-ferries-return", "Ferries back as quay repairs finish"),
        ],
    },
    {
        "slug": "spring-rainfall-above-average",
        "title": "Spring rainfall ran well above average across the northern valleys",
        "summary": "Gauges recorded about a third more rain than the long-term spring average.",
        "hours_ago": 7,
        "paragraphs": [
            "Rain gauges in the northern valleys recorded about a third more rain this spring "
            "than the long-term average, according to figures published by the regional "
            "weather office.",
            "The wettest week came in the middle of April, when three days of steady rain "
            "raised river levels close to their banks without flooding any roads.",
            "Forecasters expect a drier start to the summer, with longer sunny spells from "
            "the second half of next week.",
        ],
        "sources": [("northwind", "spring-rainfall-figures", "")],
    },
    {
        "slug": "gull-island-seabird-count",
        "title": "Volunteers count a record number of nesting seabirds on Gull Island",
        "summary": "This year's survey found more nests than any count since it began.",
        "hours_ago": 13,
        "paragraphs": [
            "Volunteers spent four days on Gull Island counting nests along the cliffs and "
            "found more nesting seabirds than in any year since the survey began.",
            "The count relies on photographs taken from boats at low tide, which are then "
            "checked nest by nest by a second team on shore.",
        ],
        "quote": (
            "The cliffs were busier than any of us remember, and the weather held for "
            "every day of the count.",
            "The survey's coordinator",
        ),
        "sources": [("cobalt", "gull-island-nest-survey", "Record year for Gull Island nests")],
    },
    {
        "slug": "marrowby-library-night-reading-room",
        "title": "Marrowby library opens a night reading room for shift workers",
        "summary": "A quiet room with desks and lockers will stay open until two in the morning.",
        "hours_ago": 20,
        "paragraphs": [
            "The public library in Marrowby has opened a reading room that stays open until "
            "two in the morning, aimed at people who work evening and night shifts.",
            "The room has twenty desks, lockers and a small shelf of newspapers that is "
            "refreshed every evening. Borrowing and returns work through a self-service "
            "machine at the door.",
            "The library will review opening hours after a three-month trial.",
        ],
        "sources": [
            ("northwind", "marrowby-night-reading-room", ""),
            ("harbourline", "library-late-hours-trial", "Library tries late-night opening"),
        ],
    },
    {
        "slug": "autumn-regatta-moved-to-sunday",
        "title": "Autumn rowing regatta moved to Sunday as strong winds are forecast",
        "summary": "Organisers moved all races by a day to avoid gusts on Saturday.",
        "hours_ago": 27,
        "paragraphs": [
            "Organisers of the autumn rowing regatta have moved every race from Saturday to "
            "Sunday after forecasters warned of strong gusts across the estuary.",
            "Crews keep their lanes and start times. The prize-giving moves from the "
            "boathouse to the harbour hall, which has more room if showers return.",
        ],
        "sources": [("harbourline", "regatta-new-date", "Regatta date changed over wind warning")],
    },
    {
        "slug": "school-telescope-comet-images",
        "title": "Students capture clear images of a passing comet with their school telescope",
        "summary": "A clear night gave a school astronomy club its best pictures yet.",
        "hours_ago": 34,
        "paragraphs": [
            "Members of a secondary school astronomy club took a series of sharp images of a "
            "passing comet during a rare cloudless night last week.",
            "The students combined more than two hundred short exposures to bring out the "
            "comet's faint tail, and have shared the result with an amateur observers' "
            "network that tracks its path.",
            "The club plans an open evening at the school's observatory while the comet is "
            "still visible to the naked eye.",
        ],
        "sources": [("cobalt", "school-club-comet-images", "")],
    },
    {
        "slug": "fog-delays-morning-crossings",
        "title": "Morning fog delays harbour crossings for a second day",
        "summary": "The first two crossings left late while visibility stayed low.",
        "hours_ago": 41,
        "paragraphs": [
            "Thick fog delayed the first two harbour crossings for a second morning running, "
            "with visibility below two hundred metres until about nine o'clock.",
            "Later crossings ran on time once the fog lifted. Travellers are advised to check "
            "departure boards before setting out while the calm, damp weather lasts.",
        ],
        "sources": [("harbourline", "fog-morning-crossings", "")],
    },
    {
        "slug": "orchestra-free-park-concerts",
        "title": "Town orchestra announces free summer concerts in three parks",
        "summary": "Six open-air evenings are planned, with a programme chosen by listeners.",
        "hours_ago": 50,
        "paragraphs": [
            "The town orchestra will give six free open-air concerts this summer, two in each "
            "of the town's three largest parks.",
            "Part of the programme was chosen by listeners, who voted for their favourite "
            "pieces at the library and online during the spring.",
            "Concerts start at seven in the evening. In case of rain they move to the covered "
            "market hall.",
        ],
        "quote": (
            "We wanted the first concert of the season to be one that anyone could walk into.",
            "The orchestra's manager",
        ),
        "sources": [("northwind", "orchestra-summer-parks", "Free concerts planned for parks")],
    },
    {
        "slug": "outer-pier-tide-gauge",
        "title": "New tide gauge at the outer pier will publish readings every ten minutes",
        "summary": "Sailors and anglers can follow live water levels on a public page.",
        "hours_ago": 58,
        "paragraphs": [
            "A new tide gauge at the end of the outer pier has started publishing water "
            "levels every ten minutes on a public web page.",
            "The gauge replaces an older float instrument that reported once an hour. Its "
            "readings will also help researchers study how the bay responds to storms.",
        ],
        "sources": [
            ("cobalt", "outer-pier-tide-gauge", "Tide readings go live every ten minutes"),
            ("northwind", "tide-gauge-installed", ""),
        ],
    },
    {
        "slug": "coastal-cycle-route-for-beginners",
        "title": "Cycling club opens a signed coastal route for beginners",
        "summary": "The flat twenty-kilometre loop has rest stops every five kilometres.",
        "hours_ago": 67,
        "paragraphs": [
            "A local cycling club has signposted a flat twenty-kilometre loop along the coast "
            "for people who are new to cycling or returning after a long break.",
            "The route has a rest stop with benches and drinking water every five kilometres, "
            "and avoids the main road except for one short, well-lit crossing.",
            "The club will lead a slow group ride around the loop on the first Saturday of "
            "each month.",
        ],
        "sources": [("northwind", "coastal-loop-beginners", "")],
    },
    {
        "slug": "restored-lighthouse-lens-on-display",
        "title": "Maritime museum puts a restored lighthouse lens on display",
        "summary": "The glass lens was cleaned and repaired over eighteen months.",
        "hours_ago": 80,
        "paragraphs": [
            "The maritime museum has put a restored lighthouse lens on display in its main "
            "hall, after eighteen months of cleaning and repair.",
            "Conservators replaced a cracked brass frame and re-seated several glass prisms. "
            "Visitors can walk around the lens and see how it once turned a small lamp into "
            "a beam visible far out at sea.",
        ],
        "quote": (
            "Each prism had to be lifted out, cleaned and returned to exactly the same place.",
            "A museum conservator",
        ),
        "sources": [
            ("harbourline", "lighthouse-lens-display", "Century-old lens returns to public view")
        ],
    },
    {
        "slug": "early-frost-warning-for-growers",
        "title": "Growers advised to cover seedlings as an early frost is expected",
        "summary": "Clear skies could bring ground frost to sheltered gardens overnight.",
        "hours_ago": 92,
        "paragraphs": [
            "Gardeners and market growers are advised to cover young plants tonight, as clear "
            "skies and light winds could bring an early ground frost to sheltered spots.",
            "Temperatures are expected to recover quickly after sunrise, with a mild and "
            "mostly dry weekend ahead.",
        ],
        "sources": [("cobalt", "early-frost-advice", "")],
    },
]
