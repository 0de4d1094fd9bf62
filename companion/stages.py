"""How long each stage of processing a meeting took.

The engine times the stages once (:meth:`~companion.engine.Engine.compute` and
:meth:`~companion.engine.Engine.keep`); the desktop app and the CLI log them per meeting, and a batch exports
them as Prometheus histograms.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

STAGES = ("decode", "transcription", "speakers", "minutes", "store")
"""The stages, in the order a meeting goes through them."""


@dataclass
class StageTimes:
    """Wall-clock seconds per stage of one meeting (a stage entered twice adds up)."""

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name``, whether it ends normally or not."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def __str__(self) -> str:
        return ", ".join(f"{name} {self.seconds[name]:.2f} s" for name in STAGES if name in self.seconds)
