"""The engine, built on first use.

Importing :mod:`companion.engine` pulls in numpy, scipy, networkx and the Python side of the model
libraries: over a second on two busy cores. Every engine call of the window runs on a worker, so the
first one pays for the import there, and the window shows at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from companion.engine import Engine


class LazyEngine:
    """Stands in for an :class:`~companion.engine.Engine`; builds it when an attribute is first asked for."""

    def __init__(self, build: Callable[[], Engine]) -> None:
        self._build = build
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        """The engine (built now if it was not yet)."""
        with self._lock:
            if self._engine is None:
                self._engine = self._build()
            return self._engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def close(self) -> None:
        """Close the engine if it was ever built."""
        if self._engine is not None:
            self._engine.close()


def lazy_engine(build: Callable[[], Engine]) -> Engine:
    """A :class:`LazyEngine` typed as the engine it stands for."""
    return cast("Engine", LazyEngine(build))
