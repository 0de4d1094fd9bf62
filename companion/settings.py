"""The user's settings: one file that the desktop app, the tray and the command line share. No Qt here.

``settings.ini`` lives in ``$COMPANION_CONFIG_DIR``, else in the platform config folder
(``~/.config/meeting-companion`` on Linux). It is an INI file with one ``[General]`` section, the layout the
app's earlier Qt settings wrote, so an existing file keeps working. Only values that differ from the
default are written, and keys this version does not know are kept. For one run, a command-line flag beats
an environment variable, which beats the file, which beats the default (:func:`effective_settings`).

A file that cannot be read or parsed, or that holds a bad value, is an error that names the file (and the
key): the settings are never guessed, and such a file is never written over.
"""

from __future__ import annotations

import configparser
import io
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from companion.errors import CompanionError
from companion.files import write_atomic
from companion.runtime import APP_NAME, DEVICE_CHOICES, DeviceChoice

if TYPE_CHECKING:
    from companion.encryption import Ask
    from companion.engine import Engine

log = logging.getLogger(__name__)

SECTION = "General"
DEFAULT_SHORTCUT = "Ctrl+Alt+K"
"""As Qt writes it (``QKeySequence`` portable text); Ctrl+K asks inside the window, Ctrl+Alt+K from anywhere."""
NO_SUMMARY_MODEL = "none"
ENVIRONMENT = {"data_dir": "COMPANION_DATA_DIR"}
"""The settings an environment variable may override for one run."""
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def settings_path() -> Path:
    """``settings.ini`` in ``$COMPANION_CONFIG_DIR``, else in the platform config folder; tests and benchmarks
    point the variable at a temporary folder so that they never touch the user's."""
    folder = os.environ.get("COMPANION_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME)
    return Path(folder).expanduser() / "settings.ini"


@dataclass(frozen=True)
class Settings:
    """What the user chose. Empty strings mean "the default"; ``docs/settings.md`` describes each key."""

    data_dir: str = ""
    """The data folder (meetings, recordings, voice profiles); empty: the platform user-data folder."""
    team: str = ""
    """The team the app showed last."""
    device: DeviceChoice = "auto"
    """Where models run: ``auto``, ``cpu`` or ``cuda``."""
    speech_model: str = ""
    """The model of whole recordings: ``fast`` (the bundled tiny.en), ``balanced`` or ``accurate`` (optional
    installs), or a faster-whisper model name or folder; empty: ``fast``. Live transcription uses tiny.en."""
    summary_model: str = NO_SUMMARY_MODEL
    """``smollm2`` (bundled), ``gpt2``, a folder, or ``none`` (the extractive summary only)."""
    input_device: str = ""
    """The microphone: an input's index or name (``companion devices``); empty: the system default."""
    system_audio: bool = False
    """Also record what the computer plays (the other side of a call)."""
    voice: str = ""
    """The read-aloud voice's id; empty: the system default."""
    keep_in_tray: bool = True
    """Closing the window keeps the app running in the tray."""
    global_shortcut: str = DEFAULT_SHORTCUT
    """Opens Ask from any application, as Qt writes it (``Ctrl+Alt+K``); empty: none."""

    @property
    def language_model(self) -> str | None:
        """The summary model to load, or None for ``none`` (or empty): the one place that word is read."""
        return None if self.summary_model.strip().lower() in ("", NO_SUMMARY_MODEL) else self.summary_model

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The settings in ``path`` (default: :func:`settings_path`); defaults when the file does not exist.

        Raises:
            CompanionError: the file cannot be read or parsed, or holds a bad value (the message names both).
        """
        path = path or settings_path()
        settings = cls()
        for key, text in _read(path)[SECTION].items():
            if key in KEYS:
                settings = settings.with_value(key, text, str(path))
            else:
                log.warning("%s: unknown setting %r ignored (the settings are: %s)", path, key, ", ".join(KEYS))
        return settings

    def save(self, path: Path | None = None) -> None:
        """Write these settings to ``path`` (default: :func:`settings_path`), whole or not at all.

        Values equal to the default are left out, keys this version does not know are kept.

        Raises:
            CompanionError: the existing file cannot be read or parsed (it is left as it is), or the new one
                cannot be written.
        """
        path = path or settings_path()
        parser = _read(path)
        for key in KEYS:
            _put(parser, key, getattr(self, key))
        _write(parser, path)

    def with_value(self, key: str, value: str | bool, where: str) -> Settings:
        """These settings with ``key`` set to ``value`` (text as a user writes it); ``where`` names its source.

        Raises:
            CompanionError: an unknown key or a bad value, naming the key and ``where``.
        """
        return replace(self, **{checked_key(key, where): _parse(key, value, where)})

    def engine(self, *, allow_download: bool = False, ask_passphrase: Ask | None = None) -> Engine:
        """An engine as these settings describe it (models still load lazily, on first use); ``ask_passphrase``
        asks for an encrypted data folder's passphrase (see :class:`~companion.engine.Engine`)."""
        from companion.engine import Engine

        return Engine(self.data_dir or None, device=self.device, whisper_model=self.speech_model or None,
                      summary_model=self.language_model, allow_download=allow_download,
                      ask_passphrase=ask_passphrase)


KEYS: tuple[str, ...] = tuple(f.name for f in fields(Settings))


def checked_key(key: str, where: str) -> str:
    """``key`` when it names a setting.

    Raises:
        CompanionError: it does not; the message lists the settings.
    """
    if key not in KEYS:
        raise CompanionError(f"{where}: unknown setting {key!r}; the settings are: {', '.join(KEYS)}")
    return key


def change_setting(key: str, value: str | None, where: str, path: Path | None = None) -> None:
    """Set ``key`` to ``value`` (None: back to the default) in the file, leaving its other lines as they are, so
    that a bad value can be put right this way too.

    Raises:
        CompanionError: an unknown key or a bad value (naming ``where``), or a file that cannot be read or written.
    """
    path = path or settings_path()
    parser = _read(path)
    key = checked_key(key, where)
    _put(parser, key, getattr(Settings, key) if value is None else _parse(key, value, where))
    _write(parser, path)


def effective_settings(flags: Mapping[str, str | bool | None], *, stored: Settings | None = None,
                       environ: Mapping[str, str] = os.environ) -> Settings:
    """The settings for one run: ``flags`` (None: not given) > environment variables > the file > defaults.

    ``stored`` stands for the file when the caller has read it already.

    Raises:
        CompanionError: the file cannot be read, or a value from anywhere is bad.
    """
    settings = Settings.load() if stored is None else stored
    for key, variable in ENVIRONMENT.items():
        if environ.get(variable):
            settings = settings.with_value(key, environ[variable], variable)
    for key, value in flags.items():
        if value is not None:
            settings = settings.with_value(key, value, "the command line")
    return settings


def _read(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    try:
        parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        raise CompanionError(f"{path}: cannot read the settings ({_problem(error)}); fix or delete the file "
                             "(it is left as it is)") from error
    for section in parser.sections():
        if section != SECTION:
            log.warning("%s: unknown section [%s] ignored", path, section)
    if not parser.has_section(SECTION):
        parser.add_section(SECTION)
    return parser


def _put(parser: configparser.ConfigParser, key: str, value: Any) -> None:
    if value == getattr(Settings, key):
        parser.remove_option(SECTION, key)
    else:
        parser.set(SECTION, key, as_text(value))


def _write(parser: configparser.ConfigParser, path: Path) -> None:
    out = io.StringIO()
    parser.write(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, out.getvalue())
    except OSError as error:
        raise CompanionError(f"{path}: cannot write the settings ({error.strerror or error}); "
                             "nothing there was changed") from error


def _problem(error: Exception) -> str:
    if isinstance(error, OSError):
        return str(error.strerror or error)
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, configparser.MissingSectionHeaderError):
        return f"line {error.lineno}: the file must start with [{SECTION}]"
    if isinstance(error, configparser.ParsingError):
        return f"line {error.errors[0][0]}: expected 'key = value'"
    if isinstance(error, configparser.DuplicateOptionError):
        return f"line {error.lineno}: {error.option} is set twice"
    if isinstance(error, configparser.DuplicateSectionError):
        return f"line {error.lineno}: [{error.section}] appears twice"
    return " ".join(str(error).split())


def _parse(key: str, value: str | bool, where: str) -> Any:
    default = getattr(Settings, key)
    if isinstance(value, bool):
        if isinstance(default, bool):
            return value
        raise CompanionError(f"{where}: {key} expects text, not {value!r}")
    text = value.strip()
    if "\n" in text or "\r" in text:
        raise CompanionError(f"{where}: {key} must be on one line")
    if isinstance(default, bool):
        if text.lower() not in _TRUE + _FALSE:
            raise CompanionError(f"{where}: {key} = {text!r}: expected true or false")
        return text.lower() in _TRUE
    if key == "device" and text not in DEVICE_CHOICES:
        raise CompanionError(f"{where}: {key} = {text!r}: expected one of {', '.join(DEVICE_CHOICES)}")
    return text


def as_text(value: Any) -> str:
    """A setting's value as the file and ``companion config`` write it."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
