"""Web pages: find the article in HTML, and move link blocks and embedded posts out of it.

trafilatura (``extract``'s algorithm, comments and tables off) finds the article body
and the page's title and publication date; it measured better than the hand-written
reducer below on real pages (``benchmarks/bench_loader.py``).  The reducer is kept as
the fallback for pages, or fragments, where trafilatura finds no article.  Inside the
body, "SEE MORE:"/"DON'T MISS"-style link blocks and embedded social-media posts are
taken out and returned apart, so the loader can list them as excluded regions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Shorter extractions come from trafilatura's baseline fallback (its MIN_EXTRACTED_SIZE); the reducer does better.
MIN_ARTICLE_CHARS = 250


@dataclass(frozen=True)
class WebArticle:
    """The article found in a page."""

    body: str
    title: str | None
    published: str | None
    #: (reason, text) of the blocks taken out of the body, in page order.
    moved: tuple[tuple[str, str], ...]


def extract_article(html: str) -> WebArticle:
    """The article of a page: trafilatura's body with the title first, or the reducer's text."""
    import trafilatura

    found = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=False, with_metadata=True, deduplicate=False
    )
    text = str(getattr(found, "text", "") or "").strip() if found is not None else ""
    if len(text) < MIN_ARTICLE_CHARS:  # below this, trafilatura's own baseline fallback answered
        reduced = html_to_text(html)
        return WebArticle(body=reduced, title=None, published=None, moved=())
    title = str(getattr(found, "title", "") or "").strip() or None
    published = str(getattr(found, "date", "") or "").strip() or None
    paragraphs = [" ".join(p.split()) for p in text.split("\n")]
    kept, moved = split_out_blocks([p for p in paragraphs if p])
    if title and (not kept or kept[0] != title):
        kept.insert(0, title)
    return WebArticle(body="\n\n".join(kept) + "\n", title=title, published=published, moved=tuple(moved))


# --------------------------------------------------------------------------- blocks inside the body

#: A promo line: "SEE MORE: <headline>" on one line, or a header followed by headline lines.
_PROMO = re.compile(
    r"(?i)(?:see more|read more|more|related|related (?:articles|stories|content)|don'?t miss|most read"
    r"|most popular(?: today)?|trending(?: now| stories)?|recommended|you (?:may|might) also like|watch)"
    r"(?:\s*(?::|\||-)\s*(?P<headline>.*))?"
)
#: The attribution line of an embedded tweet: "— Name (@handle) December 23, 2016".
_POST_BYLINE = re.compile(r"[—–-]\s*.{1,80}\(@\w{1,30}\)\s+\w+ \d{1,2}, \d{4}")


def _is_sentence(line: str) -> bool:
    return len(line.split()) >= 8 and re.search(r"[.!?][\"'”’)]?$", line) is not None


def split_out_blocks(paragraphs: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Take promo link blocks and embedded posts out of a body's paragraphs."""
    kept: list[str] = []
    moved: list[tuple[str, str]] = []
    i = 0
    while i < len(paragraphs):
        line = paragraphs[i]
        promo = _PROMO.fullmatch(line)
        if promo and not (promo.group("headline") and _is_sentence(promo.group("headline"))):
            j = i + 1
            if not promo.group("headline"):  # a header: the headlines that follow belong to it
                while j < len(paragraphs) and not _is_sentence(paragraphs[j]) and len(paragraphs[j]) <= 160:
                    j += 1
            moved.append(("related links", "\n".join(paragraphs[i:j])))
            i = j
            continue
        if _POST_BYLINE.fullmatch(line) and kept:
            moved.append(("embedded social-media post", f"{kept.pop()}\n{line}"))
            i += 1
            continue
        kept.append(line)
        i += 1
    return kept, moved


# --------------------------------------------------------------------------- the fallback reducer

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg"]
_DROP_ATTR = re.compile(r"comment|related|share|newsletter|sidebar|menu", re.IGNORECASE)
_PARAGRAPH_TAGS = {"p", "div", "blockquote", "section", "article", "main", "header", "pre", "figure"}
_PARAGRAPH_TAGS |= {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "table"}
_LINE_TAGS = {"li", "tr", "dt", "dd", "figcaption"}


def html_to_text(html: str) -> str:
    """Reduce HTML to plain text: drop boilerplate, keep the article, one block per line."""
    from bs4 import BeautifulSoup
    from bs4.element import CData, NavigableString, PreformattedString, Tag

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP_TAGS):
        if not (tag.name == "header" and tag.find_parent("article")):
            tag.extract()  # not decompose(): Tag.decomposed costs a search per tag
    protected: set[int] = set()
    for anchor in soup.find_all(["h1", "main"]):
        protected.update(id(t) for t in [anchor, *anchor.parents])
    for tag in soup.find_all(True):
        if tag.name in ("html", "body", "main") or id(tag) in protected:
            continue
        classes = tag.get("class") or ""
        label = f"{tag.get('id') or ''} {classes if isinstance(classes, str) else ' '.join(classes)}"
        if _DROP_ATTR.search(label):
            tag.extract()
    articles = soup.find_all("article")
    root = (max(articles, key=lambda a: len(a.get_text())) if articles else None) or soup.find("main")
    root = root or soup.body or soup
    parts: list[str] = []
    stack: list[tuple[object, bool, bool]] = [(root, False, False)]  # (node, closing, inside <pre>)
    while stack:
        node, closing, in_pre = stack.pop()
        if isinstance(node, NavigableString):
            if isinstance(node, PreformattedString) and not isinstance(node, CData):
                continue  # comments, doctypes, processing instructions
            parts.append(re.sub(r"[\x01\x02]" if in_pre else r"[\s\x01\x02]+", " ", str(node)))
        elif isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
                continue
            sep = "\x02" if node.name in _PARAGRAPH_TAGS else "\x01" if node.name in _LINE_TAGS else ""
            parts.append(sep)
            if not closing:
                pre = in_pre or node.name == "pre"
                stack.append((node, True, pre))
                stack.extend((child, False, pre) for child in reversed(node.contents))
    # \x02 ends a paragraph (blank line), \x01 a line; runs of them count once
    raw = re.sub(r"[\s\x01]*\x02[\s\x01\x02]*", "\n\n", "".join(parts))
    raw = re.sub(r"[^\S\n]*\x01[\s\x01]*", "\n", raw)
    lines = [re.sub(r"[^\S\n]+", " ", line).strip() for line in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if title and root.find("h1") is None:
        text = f"{title}\n\n{text}"
    return text + "\n" if text else ""
