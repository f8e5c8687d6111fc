"""Memoising functions of a text, with a memory bound that does not grow with a long run.

Claim texts (a statement, a quote, a sentence) are short, many, and often repeat, so their
results are kept by the thousand. Some of the same functions are also asked about whole articles
(the verifier checks that a name is in the article), and a result for an article (its words and
where each occurs) is tens of kilobytes: kept by the thousand, a run over ten thousand articles
would keep them all. So a text longer than ``LONG_TEXT_CHARS`` goes to a small cache of its own,
which holds the articles in flight, not every article seen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, ParamSpec, TypeVar

#: Texts longer than this are articles, not claims (a long news sentence is under 600 characters).
LONG_TEXT_CHARS = 2_000
#: Articles whose results are kept (more than the documents a run has in flight at once).
LONG_TEXTS_KEPT = 64

P = ParamSpec("P")
R = TypeVar("R")


def text_cache(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """An ``lru_cache`` of ``maxsize`` for a function whose first argument is a text, except that
    results for long texts are kept in a cache of ``LONG_TEXTS_KEPT``."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        short = lru_cache(maxsize=maxsize)(func)
        long = lru_cache(maxsize=LONG_TEXTS_KEPT)(func)

        @wraps(func)
        def cached(*args: Any, **kwargs: Any) -> Any:
            text = args[0]
            return (long if len(text) > LONG_TEXT_CHARS else short)(*args, **kwargs)

        def clear() -> None:
            short.cache_clear()
            long.cache_clear()

        cached.cache_clear = clear  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate
