"""The one vocabulary of claim analysis: outcome words, negation cues, attribution verbs, quantities.

Every table here is a closed list of surface forms (normalised: lower case, straight quotes),
read as whole tokens, never as prefixes. The scorer and the run-time verifier read claims
with these words and no others.
"""

from __future__ import annotations

from typing import Final, Literal

Outcome = Literal["killed", "captured", "injured"]
Voice = Literal["active", "passive", "noun", "intransitive"]

#: Verb forms of each outcome. Past participles double as passive forms ("was killed").
OUTCOME_VERBS: Final[dict[str, Outcome]] = {
    **dict.fromkeys(
        ("kill", "kills", "killed", "killing", "slay", "slays", "slew", "slain", "assassinate", "assassinated",
         "assassinating", "execute", "executed", "executing", "eliminate", "eliminated", "eliminating", "behead",
         "beheaded", "shot dead", "gunned down"),
        "killed",
    ),
    **dict.fromkeys(
        ("capture", "captures", "captured", "capturing", "arrest", "arrests", "arrested", "arresting", "detain",
         "detains", "detained", "detaining", "apprehend", "apprehended", "apprehending", "abduct", "abducted",
         "kidnap", "kidnapped", "taken prisoner", "taken captive", "taken into custody", "held captive"),
        "captured",
    ),
    **dict.fromkeys(
        ("injure", "injures", "injured", "injuring", "wound", "wounds", "wounded", "wounding", "hurt", "maim",
         "maimed"),
        "injured",
    ),
}  # fmt: skip
#: Outcome words that take no object: the person they happen to stands before them.
OUTCOME_INTRANSITIVE: Final[dict[str, Outcome]] = {
    **dict.fromkeys(("die", "dies", "died", "dying", "dead", "perished", "perish"), "killed"),
    **dict.fromkeys(("in custody",), "captured"),
}
#: Nouns naming an outcome: "the death of X", "X's arrest", "40 deaths".
OUTCOME_NOUNS: Final[dict[str, Outcome]] = {
    **dict.fromkeys(("death", "deaths", "killing", "killings", "fatalities", "fatality", "dead", "bodies",
                     "assassination", "execution", "death toll", "toll"), "killed"),
    **dict.fromkeys(("arrest", "arrests", "capture", "detention", "detentions", "detainees", "prisoners",
                     "custody"), "captured"),
    **dict.fromkeys(("injuries", "injury", "wounded", "injured"), "injured"),
}  # fmt: skip
#: Words that deny an outcome for their subject: "X survived" = X was not killed.
OUTCOME_DENIERS: Final[dict[str, tuple[Outcome, ...]]] = {
    **dict.fromkeys(("survived", "survives", "survive", "surviving"), ("killed",)),
    **dict.fromkeys(("escaped", "escapes", "escape", "fled", "evaded"), ("killed", "captured")),
    **dict.fromkeys(("released", "freed"), ("captured",)),
}

#: Auxiliaries that make a following participle passive ("was killed", "have been arrested").
AUXILIARIES: Final = frozenset(
    {"was", "were", "is", "are", "be", "been", "being", "get", "got", "gets", "getting", "am", "'s"}
)
#: Words that may stand between an auxiliary and its participle.
ADVERBS: Final = frozenset(
    {"also", "reportedly", "allegedly", "all", "both", "later", "then", "subsequently", "eventually", "apparently",
     "possibly", "probably", "likely", "believed", "said", "thought", "confirmed", "not", "never", "n't", "to",
     "have", "has", "had", "been", "being", "just", "already", "since", "recently", "either", "mistakenly",
     "accidentally", "successfully", "fatally", "seriously", "critically", "badly", "slightly"}
)  # fmt: skip

#: Negation cues: negate a predicate that follows them within its clause.
NEGATORS: Final = frozenset(
    {"not", "n't", "never", "no", "none", "neither", "nor", "without", "nobody", "nothing", "cannot", "failed",
     "fails", "fail", "unable", "declined", "refused", "refuses", "declines"}
)  # fmt: skip
#: Verbs that deny what follows them in the whole sentence ("denied that X was killed").
DENIAL_VERBS: Final = frozenset(
    {"deny", "denies", "denied", "denying", "reject", "rejects", "rejected", "rejecting", "dismiss", "dismissed",
     "dismisses", "refute", "refuted", "refutes", "dispute", "disputed", "disputes", "contradict", "contradicted",
     "contradicts", "false", "untrue", "baseless"}
)  # fmt: skip
#: Words around "as" that make it a comparison ("as many as 30"), not the speaker's own description
#: after a denial ("dismissed the claim as propaganda", where "propaganda" is not denied).
AS_COMPARISON: Final = frozenset(
    {"many", "much", "few", "well", "long", "far", "high", "soon", "such", "same", "just", "if", "though", "part",
     "of", "to", "for"}
)  # fmt: skip
#: Second halves of compounds that still name the entity before the hyphen ("al-Shabaab-held").
NAME_COMPOUND_ENDS: Final = (
    "held", "linked", "led", "backed", "affiliated", "controlled", "run", "allied", "aligned", "style", "era",
    "based", "inspired", "occupied", "dominated", "sponsored", "supported", "leaning", "related", "associated",
)  # fmt: skip
#: Verbs that, with "prisoner" or "captive" after their object, mean captured ("took four soldiers prisoner").
TAKE_VERBS: Final = frozenset({"take", "takes", "took", "taken", "taking"})
TAKE_ENDS: Final = frozenset({"prisoner", "prisoners", "captive", "captives", "hostage", "hostages"})
#: How far before a predicate a negation cue still applies (in tokens).
NEGATION_REACH: Final = 5

#: Attribution verbs by class: said/reported, claimed, confirmed, denied.
AttributionClass = Literal["reported", "claimed", "confirmed", "denied"]
ATTRIBUTION_VERBS: Final[dict[str, AttributionClass]] = {
    **dict.fromkeys(
        ("said", "says", "say", "saying", "told", "tells", "reported", "reports", "report", "reporting", "stated",
         "states", "announced", "announces", "tweeted", "tweets", "wrote", "writes", "added", "adds", "noted",
         "notes", "explained", "described", "estimated", "estimates", "counted", "put", "according"),
        "reported",
    ),
    **dict.fromkeys(("claimed", "claims", "claim", "claiming", "alleged", "alleges", "insisted", "insists",
                     "asserted", "asserts"), "claimed"),
    **dict.fromkeys(("confirmed", "confirms", "confirm", "confirming", "verified", "verifies", "acknowledged",
                     "acknowledges", "admitted", "admits"), "confirmed"),
    **dict.fromkeys(("denied", "denies", "deny", "denying", "rejected", "rejects", "dismissed", "refuted",
                     "disputed"), "denied"),
}  # fmt: skip
#: Sources that name nobody in particular: never a contradiction of a named source.
GENERIC_SOURCES: Final = frozenset(
    {"he", "she", "it", "they", "we", "i", "officials", "official", "an official", "sources", "a source", "source",
     "authorities", "the authorities", "reports", "report", "media", "witnesses", "residents", "the article",
     "article", "the report", "the statement", "statement", "the story", "a statement", "local media", "some",
     "others", "who", "which", "that", "the source", "the officials", "spokesman", "a spokesman", "spokeswoman",
     "a spokeswoman", "the spokesman", "the spokeswoman", "the news", "news reports", "unknown", "none"}
)  # fmt: skip

#: Cardinal number words; compounds ("twenty-two", "two hundred and forty") are parsed from these.
UNITS: Final[dict[str, int]] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS: Final[dict[str, int]] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES: Final[dict[str, int]] = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
#: "a dozen", "half a dozen": exact group words.
GROUP_WORDS: Final[dict[str, int]] = {"dozen": 12, "half a dozen": 6, "a dozen": 12, "a couple": 2, "a pair": 2}
#: Quantities that never equal an exact count: (low, high) of what they can mean.
VAGUE_QUANTITIES: Final[dict[str, tuple[int, int | None]]] = {
    "several": (3, 9), "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "thousands": (2000, 9999),
    "many": (2, None), "multiple": (2, None), "numerous": (2, None), "a few": (2, 5), "a number": (2, None),
    "some": (1, None), "a handful": (2, 6), "countless": (10, None),
}  # fmt: skip
#: Words before a number that make it a lower bound, an upper bound or an approximation.
LOWER_BOUNDS: Final = ("more than", "over", "at least", "upwards of", "in excess of", "no fewer than", "no less than")
UPPER_BOUNDS: Final = ("fewer than", "less than", "under", "up to", "at most", "no more than", "nearly", "almost")
APPROXIMATORS: Final = ("about", "around", "roughly", "approximately", "some", "an estimated", "estimated",
                        "nearly", "almost", "close to", "around")  # fmt: skip

#: Tokens that end a clause: binding never crosses them.
CLAUSE_BREAKS: Final = frozenset({";", ":", "while", "whereas", "but", "although", "though", "however", "."})
#: Prepositions that end an object phrase ("killed X in a raid").
PHRASE_ENDS: Final = frozenset(
    {"in", "on", "at", "during", "near", "after", "before", "when", "while", "outside", "inside", "since", "as",
     "by", "for", "from", "with", "last", "this", "because", "amid", "following", ",", "(", ")", '"'}
)  # fmt: skip
#: Relative pronouns: a passive after them belongs to the noun before them.
RELATIVES: Final = frozenset({"who", "which", "that", "whom"})
#: Units after a number that make it something other than a count of people.
NON_COUNT_UNITS: Final = frozenset(
    {"percent", "per", "%", "km", "kilometers", "kilometres", "miles", "mile", "meters", "metres", "kg", "years",
     "year", "months", "month", "weeks", "week", "days", "day", "hours", "hour", "minutes", "minute", "a.m", "p.m",
     "am", "pm", "o'clock", "million", "billion", "dollars", "$", "times", "th", "st", "nd", "rd", "degrees",
     "feet", "square"}
)  # fmt: skip
#: Words before a number that make it an age, a rank or an identifier.
NON_COUNT_BEFORE: Final = frozenset(
    {"aged", "age", "ages", "no", "no.", "number", "room", "page", "section", "article", "resolution", "route",
     "highway", "flight", "chapter", "$", "us$", "rs", "level", "class", "grade", "phase"}
)  # fmt: skip

#: Words whose change alters a claim: a quote that differs from the article in one of them is
#: altered, not a fuzzy match (besides numbers and names).
CLAIM_WORDS: Final = frozenset(
    {w for phrase in (*OUTCOME_VERBS, *OUTCOME_INTRANSITIVE, *OUTCOME_NOUNS, *OUTCOME_DENIERS) for w in phrase.split()}
    | NEGATORS
    | DENIAL_VERBS
    | {w for w, kind in ATTRIBUTION_VERBS.items() if kind != "reported"}
    | set(UNITS)
    | set(TENS)
    | set(SCALES)
    | {"dozen", "dozens", "several", "many", "few", "some", "hundreds", "thousands"}
)

#: Capitalised words that open a sentence rather than name anyone ("The", "In", "After").
FUNCTION_WORDS: Final = frozenset(
    {"a", "an", "the", "this", "that", "these", "those", "in", "on", "at", "of", "for", "to", "by", "with", "from",
     "he", "she", "it", "they", "we", "i", "his", "her", "their", "its", "but", "and", "or", "as", "after",
     "before", "when", "while", "if", "there", "then", "so", "also"}
)  # fmt: skip
