"""Tests for stage 1: loading documents (summarizer.load)."""

from __future__ import annotations

import hashlib
import io
import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.errors import InputError
from summarizer.load import (
    DEFAULT_MAX_BYTES,
    Document,
    expand_paths,
    find_non_article,
    load_bytes,
    load_document,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_000 = SEEDS / "000_27aace103a48bbe9.txt"
SEED_004 = SEEDS / "004_dd696f60cd6e8ce5.txt"

ARTICLE = (
    "KABUL — Forces raided a compound in the district on Tuesday, officials said.\n\n"
    "The raid killed six militants, according to a statement from the ministry.\n\n"
    "Local elders disputed the account and said two civilians had also died.\n\n"
    "The ministry did not respond to a request for comment on the allegation.\n"
)


def _covered(doc: Document, needle: str) -> bool:
    """True when every occurrence of needle lies inside one excluded region."""
    pos = doc.text.find(needle)
    assert pos >= 0, needle
    return any(r.start <= pos and pos + len(needle) <= r.end for r in doc.excluded)


# --------------------------------------------------------------------------- seeds


def test_seed_000_in_other_news_excluded() -> None:
    doc = load_document(SEED_000)
    assert doc.encoding == "utf-8"
    assert doc.article_start == 0
    assert doc.article_text.endswith(
        "Shawn Snow is the senior reporter for Marine Corps Times and a Marine Corps veteran."
    )
    assert "In Other News" not in doc.article_text
    assert "Load More" not in doc.article_text
    assert _covered(doc, "In Other News") and _covered(doc, "Load More")
    assert all(r.start >= doc.article_end for r in doc.excluded)
    assert any("In Other News" in r.reason for r in doc.excluded)


def test_seed_004_comments_tags_and_links_excluded() -> None:
    doc = load_document(str(SEED_004))
    assert doc.article_text.endswith("Senior Editor for FDD's Long War Journal.")
    for junk in ("Tags:", "1 Comment", "Kevin Frei", "Economics May Be More Effective", "Boko Haram"):
        assert junk not in doc.article_text
    for junk in (
        "Tags: , , ,",
        "1 Comment",
        "Kevin Frei says:",
        "cement their well-being",
        "Islamic state",
        "Al shabaab",
        "Boko Haram",
    ):
        assert _covered(doc, junk), junk
    comment = next(r for r in doc.excluded if r.start <= doc.text.find("Kevin Frei") < r.end)
    assert "reader comments" in comment.reason
    assert doc.text[doc.excluded[0].start :].startswith("Tags:")
    # everything after the article is either excluded or whitespace
    rest = list(doc.text[doc.article_end :])
    for r in doc.excluded:
        rest[r.start - doc.article_end : r.end - doc.article_end] = [" "] * (r.end - r.start)
    assert "".join(rest).strip() == ""


def test_sha256_of_text() -> None:
    doc = load_document(SEED_004)
    assert doc.sha256 == hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    assert doc.text == SEED_004.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert doc.path == str(SEED_004)


# --------------------------------------------------------------------------- refusals


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        load_document(missing)


def test_directory_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        load_document(tmp_path)


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  \n"])
def test_empty_and_whitespace_only(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "empty.txt"
    f.write_bytes(content)
    with pytest.raises(InputError, match=r"empty\.txt: empty document"):
        load_document(f)


def test_binary_file(tmp_path: Path) -> None:
    f = tmp_path / "blob.txt"
    f.write_bytes(b"PK\x03\x04\x00\x00\x08\x00some text\x00\x00\x01\x02")
    with pytest.raises(InputError, match=r"blob\.txt: binary file, not text"):
        load_document(f)


def test_control_characters_refused() -> None:
    with pytest.raises(InputError, match="binary file"):
        load_bytes(b"\x01\x02\x03\x04\x05abc" * 20, "ctl.txt")


def test_too_large_refused_with_limit(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_bytes(b"word " * (10 * 1024 * 1024 // 5))
    with pytest.raises(InputError) as info:
        load_document(f)
    message = str(info.value)
    assert "big.txt: 10,485,760 bytes exceeds the limit of 2,000,000 bytes" in message
    assert "--max-bytes" in message and "\n" not in message
    assert DEFAULT_MAX_BYTES == 2_000_000
    small = load_document(f, max_bytes=11_000_000)
    assert len(small.text) == 10 * 1024 * 1024


def test_stdin_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode("utf-8"))))
    doc = load_document("-")
    assert (doc.path, doc.text, doc.encoding) == ("-", ARTICLE, "utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * 50)))
    with pytest.raises(InputError, match="-: more than 20 bytes exceeds the limit of 20 bytes"):
        load_document("-", max_bytes=20)


def test_load_bytes_respects_limit() -> None:
    with pytest.raises(InputError, match="-: 11 bytes exceeds the limit of 10 bytes"):
        load_bytes(b"hello world", "-", max_bytes=10)


# --------------------------------------------------------------------------- decoding


def test_latin1_detected(tmp_path: Path) -> None:
    f = tmp_path / "latin.txt"
    f.write_bytes("Le café est très bon à Genève.\n".encode("latin-1"))
    doc = load_document(f)
    assert "café" in doc.text and "Genève" in doc.text
    assert doc.encoding.endswith("(detected)")
    assert doc.encoding.split()[0] in {"cp1252", "latin-1", "iso8859-15"}


def test_short_latin1_word() -> None:
    doc = load_bytes("café".encode("latin-1"), "short.txt")
    assert doc.text == "café"
    assert "(detected)" in doc.encoding


def test_utf8_bom_stripped() -> None:
    doc = load_bytes(b"\xef\xbb\xbfHello world\n", "bom.txt")
    assert doc.text == "Hello world\n"
    assert doc.encoding == "utf-8"


def test_crlf_and_cr_normalised(tmp_path: Path) -> None:
    f = tmp_path / "dos.txt"
    f.write_bytes(b"Line one.\r\nLine two.\r\rLine three.\r\n")
    doc = load_document(f)
    assert doc.text == "Line one.\nLine two.\n\nLine three.\n"
    assert "\r" not in doc.text
    assert doc.sha256 == hashlib.sha256(doc.text.encode()).hexdigest()


# --------------------------------------------------------------------------- HTML and markdown

HTML = b"""<!DOCTYPE html>
<html><head><title>Site | Raid report</title>
<script>var tracking = "SCRIPT_TEXT";</script><style>p { color: red }</style></head>
<body>
<nav><a href="/">Home</a> <a href="/world">NAV_TEXT</a></nav>
<div class="top-menu">MENU_TEXT</div>
<article>
  <h1>Raid kills   militants</h1>
  <p>Forces raided a compound
     on Tuesday, officials said.</p>
  <p>The raid killed <b>six</b> militants.<br>Two escaped.</p>
  <div class="social-share">SHARE_TEXT</div>
  <ul><li>First point</li><li>Second point</li></ul>
  <!-- HTML_COMMENT -->
</article>
<section id="comments"><p>COMMENT_TEXT reader opinion.</p></section>
<aside class="sidebar">SIDEBAR_TEXT</aside>
<footer>FOOTER_TEXT</footer>
</body></html>
"""


def test_html_reduced_to_text(tmp_path: Path) -> None:
    f = tmp_path / "page.html"
    f.write_bytes(HTML)
    doc = load_document(f)
    assert doc.encoding == "html"
    for junk in (
        "SCRIPT_TEXT",
        "color: red",
        "NAV_TEXT",
        "MENU_TEXT",
        "SHARE_TEXT",
        "HTML_COMMENT",
        "COMMENT_TEXT",
        "SIDEBAR_TEXT",
        "FOOTER_TEXT",
        "<p>",
        "Site | Raid report",
    ):
        assert junk not in doc.text, junk
    assert doc.text.startswith("Raid kills militants\n\n")
    assert "Forces raided a compound on Tuesday, officials said.\n\n" in doc.text
    assert "The raid killed six militants.\nTwo escaped." in doc.text
    assert "First point\nSecond point" in doc.text
    assert doc.article_text == doc.text


def test_html_sniffed_and_title_fallback() -> None:
    data = b"  <html><head><title>The Title</title></head><body><main><p>One.</p><p>Two.</p></main></body>"
    doc = load_bytes(data, "page.txt")
    assert doc.text == "The Title\n\nOne.\n\nTwo.\n"
    doc = load_bytes(b"<div><p>Para A</p><p>Para B</p></div>", "-", content_type="text/html; charset=utf-8")
    assert doc.text == "Para A\n\nPara B\n"


def test_html_with_no_text_is_empty() -> None:
    with pytest.raises(InputError, match="empty document"):
        load_bytes(b"<html><body><script>x()</script><nav>menu</nav></body></html>", "blank.html")


def test_markdown_kept_as_is(tmp_path: Path) -> None:
    f = tmp_path / "note.md"
    text = "# Title\n\n<html> is mentioned *here*.\n\n- item\n"
    f.write_text(text, encoding="utf-8")
    doc = load_document(f)
    assert doc.text == text and doc.encoding == "utf-8"


# --------------------------------------------------------------------------- find_non_article


def test_find_non_article_nothing_detected() -> None:
    assert find_non_article(ARTICLE) == (0, len(ARTICLE), [])


def test_find_non_article_needs_some_article_first() -> None:
    text = "Related\nComments\n" + ARTICLE
    assert find_non_article(text) == (0, len(text), [])


def test_find_non_article_tail_markers() -> None:
    tail = "\nRelated Articles\nSome other story\n\n3 Comments\n\n  • Jane Doe says:\n  I disagree.\n"
    text = ARTICLE + tail
    start, end, regions = find_non_article(text)
    assert (start, text[:end]) == (0, ARTICLE.rstrip())
    assert [r.reason for r in regions][-1] == "reader comments"
    assert text[regions[0].start :].startswith("Related Articles")
    assert regions[-1].end == len(text.rstrip())


def test_advertisement_mid_article_is_not_a_cut() -> None:
    text = ARTICLE + "\nAdvertisement\n\nThe investigation into the raid continues, the ministry said.\n"
    assert find_non_article(text) == (0, len(text), [])
    tail = ARTICLE + "\nAdvertisement\n\nShop now\n"
    _, end, regions = find_non_article(tail)
    assert tail[:end] == ARTICLE.rstrip() and regions[0].reason == "advertisement"


# --------------------------------------------------------------------------- expand_paths


def test_expand_paths(tmp_path: Path) -> None:
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    (d / ".git").mkdir()
    for name in (
        "b.txt",
        "a.md",
        "c.html",
        "README",
        "image.png",
        "data.json",
        ".hidden.txt",
        "sub/z.htm",
        "sub/y.text",
        ".git/x.txt",
    ):
        (d / name).write_text("x", encoding="utf-8")
    single = tmp_path / "single.markdown"
    single.write_text("y", encoding="utf-8")
    missing = str(tmp_path / "missing.txt")
    got = expand_paths([str(d), "-", missing, str(single)])
    expected = [str(d / n) for n in ("README", "a.md", "b.txt", "c.html", "sub/y.text", "sub/z.htm")]
    assert got == [*expected, "-", missing, str(single)]
    with pytest.raises(InputError, match="no such file"):
        load_document(got[-2])
    assert expand_paths([str(single), str(single)]) == [str(single)]


# --------------------------------------------------------------------------- issue 10: cuts, encodings, bad input


def test_says_colon_quote_intro_does_not_cut_the_article() -> None:
    text = (
        ARTICLE
        + "\nGovernor Mohammad Yasin says:\n\n"
        + "The fighting went on for six hours before the attackers fled the district.\n"
    )
    assert find_non_article(text) == (0, len(text), [])


def test_comments_section_header_inside_an_article_does_not_cut_it() -> None:
    text = ARTICLE + "\nComments\n\nOfficials declined to comment further on the raid, the spokesman told reporters.\n"
    assert find_non_article(text) == (0, len(text), [])


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_text_with_a_unicode_byte_order_mark_is_decoded(codec: str) -> None:
    data = ("\ufeff" if codec == "utf-16-be" else "") + "Le café a été fermé après le raid.\n"
    doc = load_bytes(data.encode(codec), "bom.txt")
    assert doc.text == "Le café a été fermé après le raid.\n" and "BOM" in doc.encoding


def _corpus(folder: Path) -> dict[str, str]:
    """Bad inputs, each with the cause its one-line message must name."""
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b" \n\t\n")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "nul.txt").write_bytes(b"text\x00with NUL bytes " * 20)
    (folder / "big.txt").write_bytes(b"word " * (2 * 1024 * 1024))  # 10 MB
    (folder / "noarticle.html").write_bytes(
        b"<html><body><nav><a href='/'>Home</a></nav><footer>(c)</footer></body></html>"
    )
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    locked = folder / "locked.txt"
    locked.write_text("secret", encoding="utf-8")
    locked.chmod(0)
    return {"empty.txt": "empty document", "blank.txt": "empty document", "binary.txt": "binary file",
            "nul.txt": "binary file", "big.txt": "exceeds the limit", "noarticle.html": "empty document",
            "loop.txt": "symbolic link that loops", "locked.txt": "permission denied"}  # fmt: skip


def test_bad_input_corpus_gives_one_line_errors_naming_file_and_cause(tmp_path: Path) -> None:
    expected = _corpus(tmp_path / "bad")
    if os.access(tmp_path / "bad" / "locked.txt", os.R_OK):  # running as root: permissions are not enforced
        expected.pop("locked.txt")
    for name, cause in expected.items():
        with pytest.raises(InputError) as caught:
            load_document(tmp_path / "bad" / name)
        message = str(caught.value)
        assert message.startswith(str(tmp_path / "bad" / name)) and cause in message and "\n" not in message, message


def test_good_odd_inputs_load(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Le caf\xe9 a \xe9t\xe9 ferm\xe9 apr\xe8s le raid.\n".encode("latin-1") * 5)
    assert "café" in load_document(latin).text
    odd_name = tmp_path.joinpath(os.fsdecode(b"caf\xe9-\xff.txt"))
    odd_name.write_text("A raid was reported on Tuesday by the ministry.\n", encoding="utf-8")
    assert load_document(odd_name).text.startswith("A raid")
    assert str(odd_name) in expand_paths([str(tmp_path)])


printable = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(st.binary(max_size=400), printable.map(lambda t: t.encode("utf-8"))),
    st.sampled_from(["a.txt", "a.html", "a.md"]),
)
def test_property_loader_offsets_index_article_text_and_only_input_errors_raise(data: bytes, name: str) -> None:
    try:
        doc = load_bytes(data, name)
    except InputError:
        return
    assert doc.article_text == doc.text[: doc.article_end] and doc.article_start == 0
    for region in doc.excluded:
        assert doc.article_end <= region.start <= region.end <= len(doc.text)


def test_a_reader_comments_heading_ends_the_article(tmp_path: Path) -> None:
    """Written for the tests: comments after a "Reader comments" heading read like prose, yet are not article."""
    text = (
        "Army repels attack\n\nThe army said on Monday that 12 militants were killed in the raid near the base.\n\n"
        "Residents said the fighting lasted two hours.\n\nThe base was attacked twice last year.\n\n"
        "Reader comments (2)\n\nAli_X: I heard from my uncle that 60 soldiers died at the base and they lie.\n"
    )
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    doc = load_document(path)
    assert "60 soldiers" not in doc.article_text and "12 militants" in doc.article_text
    assert [r.reason for r in doc.excluded] == ["reader comments"]
