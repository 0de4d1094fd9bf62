"""Load the heavy libraries and models once, in the background, right after the window is up.

Why: a worker thread shares the GIL with the GUI thread, and loading a native library (``import torch``
dlopens hundreds of MB) or a model's weights holds the GIL for 100-400 ms at a time. Mid-meeting that
would freeze the window; done while the user is still looking at the fresh window it costs a few brief
hiccups once, and every later job starts with everything in memory. Then the loaded objects are frozen
out of the garbage collector's full passes, which would otherwise hold the GIL for hundreds of ms.
Nothing loads before the window shows, and nothing on the GUI thread.
"""

from __future__ import annotations

import gc
import importlib
import logging
import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from companion.jobs import Job, Progress

if TYPE_CHECKING:
    from companion.engine import Engine

log = logging.getLogger(__name__)

HEAVY_MODULES = ("torch", "transformers", "sentence_transformers")
"""Native libraries the engine imports on first use (each holds the GIL while it loads)."""


def warm_up(engine: Engine) -> Job[float]:
    """Import the heavy libraries and load the speech and summary models, one step per yield (so that
    quitting meanwhile waits for one step at most); return the seconds it took."""
    began = time.perf_counter()
    steps: list[Callable[[], object]] = [partial(_try_import, name) for name in HEAVY_MODULES]
    steps += [lambda: engine.speech_to_text.model, lambda: engine.speech_to_text.clip_models, engine.diarizer.warm_up,
              lambda: engine.language_model]
    for done, step in enumerate(steps):
        yield Progress("loading the models", done, len(steps))
        step()
    # Full garbage collections (automatic ones, and the gc.collect() in faster-whisper's decoder) walk every
    # object and hold the GIL meanwhile: 300+ ms once torch is loaded. The libraries' objects live as long
    # as the app, so move them out of the collector's sight.
    gc.freeze()
    took = time.perf_counter() - began
    log.info("models ready %.1f s after the window", took)
    return took


def _try_import(name: str) -> None:
    try:
        importlib.import_module(name)
    except ImportError:  # an optional library missing: the engine says so when it needs it
        log.info("warm-up: %s is not installed", name)
