"""Switchable faults for the simulator: each applies to a random share of API calls.

    sim.faults.set(error_5xx=0.05, timeout=0.02, drop=0.02, rate_429=0.02, malformed=0.02,
                   lost_response=0.01, slow=0.05, duplicate_updates=0.05, seed=7)
    sim.faults.set(error_5xx=1.0, methods={"sendMessage"}, limit=1)   # fail the next one
    sim.faults.clear()

Failing kinds (at most one per call, drawn in the order below; their shares must add to <= 1).
A call that looks failed never changes state:

- ``error_5xx``: answers 500/502/503 with a Bot API error body.
- ``timeout``: hangs ``hang_seconds`` (the client times out first), then answers 504.
- ``drop``: closes the connection without an answer.
- ``rate_429``: answers 429 with ``parameters.retry_after = retry_after``.
- ``malformed``: answers 200 with a truncated JSON body.
- ``lost_response``: the one exception: the call IS carried out, then the connection is closed
  without an answer ("delivered but the response was lost").

Independent kinds: ``slow`` delays the call by ``slow_seconds`` before carrying it out;
``duplicate_updates`` makes a getUpdates answer carry an update again (the most recently
confirmed one, or the first of the batch twice).

``methods`` limits faults to those Bot API methods (any case); None means every method.
``limit`` auto-clears the faults after that many were injected. ``set`` replaces the whole
configuration.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["FAILING_KINDS", "FaultConfig", "Faults"]

FAILING_KINDS = ("error_5xx", "timeout", "drop", "rate_429", "malformed", "lost_response")


@dataclass(frozen=True)
class FaultConfig:
    error_5xx: float = 0.0
    timeout: float = 0.0
    drop: float = 0.0
    rate_429: float = 0.0
    malformed: float = 0.0
    lost_response: float = 0.0
    slow: float = 0.0
    duplicate_updates: float = 0.0
    methods: frozenset[str] | None = None  # lower-case method names; None: all
    limit: int | None = None
    slow_seconds: float = 0.5
    hang_seconds: float = 10.0
    retry_after: int = 1

    @property
    def active(self) -> bool:
        return any(getattr(self, kind) > 0 for kind in (*FAILING_KINDS, "slow",
                                                         "duplicate_updates"))


@dataclass(frozen=True)
class Decision:
    """What to do to one call: ``kind`` is a failing kind or None; ``slow`` adds a delay."""

    kind: str | None = None
    slow: bool = False


_NONE = Decision()


@dataclass
class Faults:
    """The fault switchboard of one simulator (see the module documentation)."""

    config: FaultConfig = field(default_factory=FaultConfig)
    _rng: random.Random = field(default_factory=random.Random)
    _budget: int | None = None

    def set(
        self,
        *,
        error_5xx: float = 0.0,
        timeout: float = 0.0,
        drop: float = 0.0,
        rate_429: float = 0.0,
        malformed: float = 0.0,
        lost_response: float = 0.0,
        slow: float = 0.0,
        duplicate_updates: float = 0.0,
        seed: int | None = None,
        methods: Iterable[str] | None = None,
        limit: int | None = None,
        slow_seconds: float = 0.5,
        hang_seconds: float = 10.0,
        retry_after: int = 1,
    ) -> None:
        shares = {"error_5xx": error_5xx, "timeout": timeout, "drop": drop,
                  "rate_429": rate_429, "malformed": malformed,
                  "lost_response": lost_response, "slow": slow,
                  "duplicate_updates": duplicate_updates}
        for name, share in shares.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"{name} must be a share between 0 and 1, not {share}")
        if sum(shares[k] for k in FAILING_KINDS) > 1.0 + 1e-9:
            raise ValueError("the shares of the failing faults add up to more than 1")
        self.config = FaultConfig(
            **shares,
            methods=None if methods is None else frozenset(m.lower() for m in methods),
            limit=limit, slow_seconds=slow_seconds, hang_seconds=hang_seconds,
            retry_after=retry_after,
        )
        self._budget = limit
        self._rng = random.Random(seed)

    def clear(self) -> None:
        """Switch every fault off."""
        self.config = FaultConfig()
        self._budget = None

    @property
    def active(self) -> bool:
        return self.config.active

    def _applies(self, method: str) -> bool:
        methods = self.config.methods
        return self.config.active and (methods is None or method.lower() in methods)

    def _spend(self) -> None:
        if self._budget is not None:
            self._budget -= 1
            if self._budget <= 0:
                self.clear()

    def decide(self, method: str) -> Decision:
        """Draw the faults for one call of ``method``."""
        if not self._applies(method):
            return _NONE
        cfg = self.config
        kind = None
        roll = self._rng.random()
        for name in FAILING_KINDS:
            share = getattr(cfg, name)
            if roll < share:
                kind = name
                break
            roll -= share
        slow = cfg.slow > 0 and self._rng.random() < cfg.slow
        if kind:
            self._spend()
        if slow and self.config.active:
            self._spend()
        elif slow:
            slow = False  # the budget ran out on the failing fault
        return Decision(kind, slow) if (kind or slow) else _NONE

    def duplicate_updates(self) -> bool:
        """Whether this getUpdates answer should carry a duplicate."""
        if not self._applies("getUpdates") or self.config.duplicate_updates <= 0:
            return False
        if self._rng.random() < self.config.duplicate_updates:
            self._spend()
            return True
        return False
