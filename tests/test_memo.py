"""Results for article-length texts are kept in a small cache of their own, so a long run's memory
does not grow with the number of articles; results stay the same."""

from __future__ import annotations

from summarizer.claims.memo import LONG_TEXT_CHARS, LONG_TEXTS_KEPT, text_cache


def test_long_texts_are_kept_by_the_few_and_short_ones_by_the_many() -> None:
    calls: list[str] = []

    @text_cache(maxsize=1000)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    shorts = [f"claim {i}" for i in range(500)]
    longs = [f"{i:06d}" + "x" * LONG_TEXT_CHARS for i in range(LONG_TEXTS_KEPT + 10)]
    for text in shorts + longs:
        assert length(text) == len(text)
    calls.clear()
    for text in shorts + longs[-LONG_TEXTS_KEPT:]:  # all short ones and the latest long ones are kept
        length(text)
    assert calls == []
    length(longs[0])  # the oldest long text was let go
    assert calls == [longs[0]]
    length.cache_clear()  # type: ignore[attr-defined]
    length(shorts[0])
    assert calls[-1] == shorts[0]
