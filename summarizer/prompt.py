"""Stage 2: render prompts from the template files in ``prompts/``."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from summarizer.errors import ConfigError
from summarizer.schema import TemplateInfo

#: Environment variable that points at another prompts directory.
PROMPTS_DIR_ENV = "SUMMARIZER_PROMPTS_DIR"

SYSTEM_TEMPLATE = "system.md.j2"
REASK_TEMPLATE = "reask.md.j2"
ARTICLE_CLOSE_TAG = "</article>"


def default_prompts_dir() -> Path:
    """The prompts directory: $SUMMARIZER_PROMPTS_DIR, else the one shipped with the package."""
    override = os.environ.get(PROMPTS_DIR_ENV)
    if override:
        return Path(override)
    shipped = Path(__file__).resolve().parent / "prompts"
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class Template:
    """One prompt template file and its content hash."""

    name: str
    source: str

    @property
    def sha256(self) -> str:
        """SHA-256 of the template file's content."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()

    @property
    def info(self) -> TemplateInfo:
        """Name and hash, as recorded in provenance."""
        return TemplateInfo(name=self.name, sha256=self.sha256)

    def render(self, **values: Any) -> str:
        """Render with StrictUndefined: a missing value is an error, not an empty string."""
        try:
            return _compile(self.source).render(**values).strip() + "\n"
        except jinja2.TemplateError as exc:
            raise ConfigError(f"prompt template {self.name}: {exc}") from exc


_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=64)
def _compile(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


@lru_cache(maxsize=64)
def _read_template(directory: str, name: str, mtime_ns: int) -> Template:
    path = Path(directory) / name
    return Template(name=name, source=path.read_text(encoding="utf-8"))


def load_template(name: str, prompts_dir: Path | None = None) -> Template:
    """Read a template file by name from the prompts directory."""
    directory = prompts_dir or default_prompts_dir()
    path = directory / name
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"prompt template not found: {path}") from exc
    return _read_template(str(directory), name, mtime)


def delimit_article(article: str) -> str:
    """Keep the article from closing its own delimiter: it is data, not instructions."""
    return article.replace(ARTICLE_CLOSE_TAG, "</ article>")


def template_tag(*templates: Template) -> str:
    """Names and short hashes of the templates behind a request (sent in a header, kept in cassettes)."""
    return ",".join(f"{t.name}@{t.sha256[:16]}" for t in templates)


def render_messages(task_template: Template, system: Template, article: str) -> list[dict[str, str]]:
    """System and user messages for one extraction call."""
    return [
        {"role": "system", "content": system.render()},
        {"role": "user", "content": task_template.render(article=delimit_article(article))},
    ]


def instruction_text(*templates: Template) -> str:
    """The prompts' fixed wording: each template rendered with an empty article and no problems."""
    return "\n".join(t.render(article="", problems=[]) for t in templates)


def render_reask(reask: Template, problems: list[str]) -> str:
    """The feedback message sent after an invalid or ungrounded answer."""
    return reask.render(problems=problems)
