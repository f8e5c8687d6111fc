"""The run's token budget, shared by every model call of every document in flight.

Concurrent documents must not each see the budget as unspent: a call is admitted only
while the tokens spent, plus the calls already in flight counted at the average cost of
a call so far, stay under the limit. Until one call has finished (and its cost is
known), calls are admitted one at a time. So a run overshoots its budget by at most the
one call that crossed it, whatever the concurrency.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from summarizer.errors import BudgetExceeded


@dataclass
class RunBudget:
    """A token limit for the whole run, enforced per model call."""

    limit: int
    used: int = 0
    calls: int = 0
    in_flight: int = 0
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition, repr=False)

    @property
    def spent(self) -> bool:
        """True once the tokens spent reach the limit."""
        return self.used >= self.limit

    def _may_start(self) -> bool:
        if self.in_flight == 0:
            return True
        if self.calls == 0:
            return False  # the cost of a call is not known yet
        return self.used + self.in_flight * self.used / self.calls < self.limit

    @asynccontextmanager
    async def call(self) -> AsyncIterator[None]:
        """Hold a place for one model call; raise BudgetExceeded once the budget is spent."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.spent or self._may_start())
            if self.spent:
                raise BudgetExceeded(f"run token budget of {self.limit} spent ({self.used} tokens)")
            self.in_flight += 1
        try:
            yield
        finally:
            async with self._changed:
                self.in_flight -= 1
                self._changed.notify_all()

    async def spend(self, tokens: int) -> None:
        """Charge a finished call's tokens."""
        async with self._changed:
            self.used += tokens
            self.calls += 1
            self._changed.notify_all()
