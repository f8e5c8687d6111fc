"""``summarizer load``: what the model would see for one document, with no model call."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from summarizer.cli import app, fail
from summarizer.errors import SummarizerError
from summarizer.load import DEFAULT_MAX_BYTES, Document, load_document

LOAD_FORMATS = ("json", "text")


def document_json(doc: Document) -> dict[str, object]:
    """The loaded document as plain data; every offset indexes ``text``, which starts with ``article_text``."""
    return {
        "path": doc.path,
        "encoding": doc.encoding,
        "title": doc.title,
        "published": doc.published,
        "sha256": doc.sha256,
        "article_start": doc.article_start,
        "article_end": doc.article_end,
        "article_text": doc.article_text,
        "excluded_regions": [
            {"start": r.start, "end": r.end, "reason": r.reason, "text": doc.text[r.start : r.end]}
            for r in doc.excluded
        ],
        "text": doc.text,
    }


def document_report(doc: Document) -> str:
    """The loaded document as readable text."""
    lines = [
        f"path: {doc.path}",
        f"encoding: {doc.encoding}",
        f"title: {doc.title or '-'}",
        f"published: {doc.published or '-'}",
        f"article: characters {doc.article_start}-{doc.article_end} of {len(doc.text)}",
        "",
        "=== article text (what the model sees) ===",
        doc.article_text,
    ]
    for region in doc.excluded:
        lines += [
            "",
            f"=== excluded {region.start}-{region.end}: {region.reason} ===",
            doc.text[region.start : region.end],
        ]
    return "\n".join(lines) + "\n"


@app.command()
def load(
    path: Annotated[str, typer.Argument(help="A file, or - for standard input.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or text.")] = "json",
    max_bytes: Annotated[int, typer.Option(min=1, help="Refuse documents larger than this.")] = DEFAULT_MAX_BYTES,
) -> None:
    """Print what the model would see (article text, excluded regions, title, date, encoding); no model call."""
    if fmt not in LOAD_FORMATS:
        raise fail(f"--format must be one of {', '.join(LOAD_FORMATS)}, not {fmt!r}")
    try:
        doc = load_document(path, max_bytes=max_bytes)
    except SummarizerError as exc:
        raise fail(str(exc)) from None
    if fmt == "json":
        sys.stdout.write(json.dumps(document_json(doc), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(document_report(doc))
