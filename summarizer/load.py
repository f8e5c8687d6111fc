"""Stage 1: load a document, decode it, reduce HTML to text and mark non-article material."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from pathlib import Path

from .errors import InputError
from .schema import ExcludedRegion
from .webpage import extract_article

DEFAULT_MAX_BYTES = 2_000_000
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".text", ""})
_HTML_SUFFIXES = (".html", ".htm")
_MARKDOWN_SUFFIXES = (".md", ".markdown")
_PREFERRED_CODECS = ("cp1252", "latin_1", "iso8859_15")  # the web's usual non-UTF-8 fallbacks
_CONTROL_BYTES = bytes(sorted(set(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D}))
#: Control characters (Unicode category Cc) but tab, newline, form feed and vertical tab; and U+FFFD.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0d-\x1f\x7f-\x9f\ufffd]")
_MAX_CONTROL_SHARE = 0.10
_MIN_ARTICLE_LINES = 3
_UNICODE_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Document:
    """A loaded document; every offset refers to ``text``."""

    path: str
    text: str
    article_start: int
    article_end: int
    excluded: tuple[ExcludedRegion, ...]
    encoding: str
    #: The page's title (HTML), else the article's first line.
    title: str | None = None
    #: The publication date a web page states (ISO 8601), when it states one.
    published: str | None = None

    @property
    def sha256(self) -> str:
        """SHA-256 hex digest of the text as read (UTF-8 encoded)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def article_text(self) -> str:
        """The article body, ``text[article_start:article_end]`` (one string per document, so the
        caches keyed on it hold one copy, not one per use)."""
        return self.text[self.article_start : self.article_end]


# --------------------------------------------------------------------------- reading


def _too_large(path: str, size: int, max_bytes: int, exact: bool = True) -> InputError:
    amount = f"{size:,} bytes" if exact else f"more than {max_bytes:,} bytes"
    return InputError(f"{path}: {amount} exceeds the limit of {max_bytes:,} bytes (use --max-bytes to raise it)")


def load_document(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one document from a file ('-' reads stdin) and load it with :func:`load_bytes`."""
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        p = Path(path)
        try:
            if not p.exists():
                cause = "symbolic link that loops or points nowhere" if p.is_symlink() else "no such file"
                raise InputError(f"{name}: {cause}")
            if p.is_dir():
                raise InputError(f"{name}: is a directory, not a file")
            if (size := p.stat().st_size) > max_bytes:
                raise _too_large(name, size, max_bytes)
            with p.open("rb") as fh:
                data = fh.read(max_bytes + 1)
        except PermissionError:
            raise InputError(f"{name}: cannot read file (permission denied)") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot read file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:  # stdin, or a file that grew / had no size in stat()
        raise _too_large(name, len(data), max_bytes, exact=False)
    return load_bytes(data, name, max_bytes=max_bytes)


def load_bytes(
    data: bytes, path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, content_type: str | None = None
) -> Document:
    """Decode raw bytes into a :class:`Document`; ``path`` is used in messages and for its suffix."""
    if len(data) > max_bytes:
        raise _too_large(path, len(data), max_bytes)
    if not data.strip():
        raise InputError(f"{path}: empty document")
    ctype = (content_type or "").lower()
    text, encoding = _decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{path}: empty document")
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise InputError(f"{path}: binary file, not text")
    suffix = Path(path).suffix.lower()
    markdown = suffix in _MARKDOWN_SUFFIXES or "markdown" in ctype
    head = text.lstrip()[:20].lower()
    page = None
    if "html" in ctype or suffix in _HTML_SUFFIXES or (not markdown and head.startswith(("<!doctype html", "<html"))):
        page = extract_article(text)
        text = page.body
        encoding = "html" if encoding == "utf-8" else f"html, {encoding}"
        if not text.strip():
            raise InputError(f"{path}: empty document (no text left after HTML reduction)")
    start, end, excluded = find_non_article(text)
    if page is None:
        return Document(path, text, start, end, tuple(excluded), encoding, _first_line(text[start:end]))
    text, excluded = _append_moved(text, excluded, page.moved)
    return Document(path, text, start, end, tuple(excluded), encoding, page.title, page.published)


def _first_line(text: str) -> str | None:
    return next((line.strip() for line in text.splitlines() if line.strip()), None)


def _append_moved(
    text: str, excluded: list[ExcludedRegion], moved: Sequence[tuple[str, str]]
) -> tuple[str, list[ExcludedRegion]]:
    """Put the blocks taken out of a page's body after its text, each as an excluded region."""
    regions = list(excluded)
    for reason, block in moved:
        text = text.rstrip("\n") + "\n\n"
        regions.append(ExcludedRegion(start=len(text), end=len(text) + len(block), reason=reason))
        text += block + "\n"
    return text, regions


def _decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode text with a UTF-16/32 byte-order mark; refuse binary data; then decode as UTF-8
    (BOM stripped) or as the detected encoding."""
    for bom, codec in _UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), f"{codec} (BOM)"
            except UnicodeDecodeError:
                raise InputError(f"{path}: starts with a {codec} byte-order mark but is not {codec} text") from None
    sample = data[:65536]
    if b"\x00" in data or len(sample) - len(sample.translate(None, _CONTROL_BYTES)) > _MAX_CONTROL_SHARE * len(sample):
        raise InputError(f"{path}: binary file, not text")
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # the best guess, preferring cp1252/latin-1 among equally plausible ones (short texts tie a lot)
    matches = [m for m in from_bytes(data) if not m.encoding.startswith(("utf_16", "utf_32"))]
    least = min((m.chaos for m in matches), default=0.0)
    tied = [m for m in matches if m.chaos <= least + 0.01]
    for codec in (c for m in tied for c in _PREFERRED_CODECS if c in m.could_be_from_charset):
        try:
            return data.decode(codec), f"{codec.replace('_', '-')} (detected)"
        except UnicodeDecodeError:
            continue
    if not tied:
        raise InputError(f"{path}: not valid UTF-8 and no text encoding detected")
    return str(tied[0]), f"{tied[0].encoding.replace('_', '-')} (detected)"


def _control_share(text: str) -> float:
    """Share of control characters (and U+FFFD) in a sample of the text."""
    sample = text[:65536]
    return len(_CONTROL_CHARS.findall(sample)) / max(len(sample), 1)


# --------------------------------------------------------------------------- non-article detection

_BULLETS = re.compile(r"^[\s•·▪◦‣*>|–—-]+")
_STRONG = {  # reason -> pattern; these always start the non-article tail
    "'In Other News' block": r"in other news",
    "'Load More' navigation": r"load more",
    "related links": r"related (?:articles|stories|posts)|more stories|most (?:popular|read)"
    r"|you (?:may|might) also like|recommended for you",
    "tags/navigation": r"(?:tags|tagged|filed under|topics):.*",
    "reader comments": r"leave a (?:reply|comment)|post a comment|comments are closed"
    r"|join the (?:discussion|conversation)|reader comments(?: \(\d+\))?",
}
_WEAK = {  # these start it only when no article prose follows before the next marker
    # a bare "Comments" or "3 comments" line is also a section header or counter inside articles
    "reader comments": r"(?:\d[\d,]*|no|one) (?:comments?|responses?|replies)|comments(?: \(\d+\))?",
    "'Related' links": r"related",
    "'Read More' links": r"read more",
    "'Trending' links": r"trending(?: now)?",
    "share links": r"share(?: this(?: article| story)?)?",
    "advertisement": r"advertisement",
    "newsletter sign-up": r"(?:sign up for|subscribe to) our newsletter",
}
_COMMENT_AUTHOR = re.compile(r"(?:[A-Z0-9@][\w.'@-]*\s+){0,4}[A-Z0-9@][\w.'@-]*\s+says:")


def _marker(line: str) -> tuple[str, bool] | None:
    """Classify a line that starts non-article material: (reason, strong) or None."""
    bare = _BULLETS.sub("", line).strip()
    key = re.sub(r"\s+", " ", bare).lower()
    if not key or len(key) > 80:
        return None
    if _COMMENT_AUTHOR.fullmatch(bare):  # weak: articles introduce quotes the same way ("Governor X says:")
        return "reader comments", False
    for table, strong in ((_STRONG, True), (_WEAK, False)):
        for reason, pattern in table.items():
            if re.fullmatch(f"(?:{pattern}):?", key):
                return reason, strong
    return None


def _is_prose(line: str) -> bool:
    """A full sentence-like paragraph, as article text is written."""
    s = line.strip()
    return len(s) >= 60 and len(s.split()) >= 8 and re.search(r"[.!?][\"'”’)]?$", s) is not None


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _region(text: str, spans: list[tuple[int, int]], reason: str) -> ExcludedRegion:
    start, end = spans[0][0], spans[-1][1]
    lead = len(text[start:end]) - len(text[start:end].lstrip())
    return ExcludedRegion(start=start + lead, end=start + len(text[start:end].rstrip()), reason=reason)


def find_non_article(text: str) -> tuple[int, int, list[ExcludedRegion]]:
    """Locate the article body; return (article_start, article_end, excluded regions)."""
    spans = _line_spans(text)
    nonblank = [i for i, (s, e) in enumerate(spans) if text[s:e].strip()]
    cut = None
    for n, i in enumerate(nonblank):
        found = _marker(text[slice(*spans[i])])
        if found is None or n < _MIN_ARTICLE_LINES:
            continue
        if found[1] or not _prose_follows(text, spans, islice(nonblank, n + 1, None)):
            cut = i
            break
    if cut is None:
        return 0, len(text), []
    end = len(text[: spans[cut][0]].rstrip())
    # split the tail into regions at each marker with a new reason
    groups: list[tuple[str, list[int]]] = []
    for i in (j for j in nonblank if j >= cut):
        found = _marker(text[slice(*spans[i])])
        if not groups or (found and found[0] != groups[-1][0]):
            groups.append((found[0] if found else "non-article material", [i]))
        else:
            groups[-1][1].append(i)
    if groups[-1][0] == "reader comments":  # trailing short links after the comments
        idx = groups[-1][1]
        k = len(idx)
        while k > 1 and _is_link_line(text[slice(*spans[idx[k - 1]])]):
            k -= 1
        if len(idx) - k >= 2:
            groups[-1:] = [("reader comments", idx[:k]), ("navigation links", idx[k:])]
    return 0, end, [_region(text, spans[idx[0] : idx[-1] + 1], reason) for reason, idx in groups]


def _prose_follows(text: str, spans: list[tuple[int, int]], after: Iterable[int]) -> bool:
    """Whether article prose comes in the lines ``after`` before the next marker line."""
    for i in after:
        line = text[slice(*spans[i])]
        if _marker(line):
            return False
        if _is_prose(line):
            return True
    return False


def _is_link_line(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= 40 and len(s.split()) <= 5 and not re.search(r"[.!?:,;\"”]$", s)


# --------------------------------------------------------------------------- paths


def expand_paths(paths: Sequence[str]) -> list[str]:
    """Expand directories to their text files (sorted, hidden skipped); keep files, '-' and missing paths."""
    out: list[str] = []
    for given in paths:
        if given != "-" and os.path.isdir(given):
            found: list[str] = []
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    full = os.path.join(root, name)
                    wanted = not name.startswith(".") and Path(name).suffix.lower() in TEXT_SUFFIXES
                    if wanted and os.path.isfile(full):
                        found.append(full)
            out.extend(sorted(found, key=lambda f: Path(f).parts))
        else:
            out.append(given)
    return list(dict.fromkeys(out))  # drop repeats, keep first-seen order
