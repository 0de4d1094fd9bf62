"""The app on an encrypted data folder: the passphrase dialog (a wrong try, Cancel), playing a sealed
recording, and exports sealed inside the folder but plain outside it.

The folder is made with the real functions (the Atlas meetings and a recording, then ``Engine.encrypt``);
the machine's keychain is kept out (``no_keychain`` of ``tests/test_encryption.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import folder_state, tone, write_wav
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from test_encryption import PASSPHRASE, no_keychain  # noqa: F401 - the autouse fixture, shared

from companion.audio.decode import decode_audio
from companion.audio.diarize import Diarizer
from companion.audio.stt import SpeechToText
from companion.encryption import PASSPHRASE_VARIABLE, is_sealed, read_sealed
from companion.engine import Engine
from companion.errors import CompanionError, InputError
from companion.export.minutes import render_minutes
from companion.models import Minutes, Segment
from companion.runtime import Runtime
from companion.ui.main_window import MainWindow
from companion.ui.meeting_view import MeetingView
from companion.ui.passphrase import PassphrasePrompt
from companion.ui.settings import AppSettings

pytestmark = pytest.mark.slow

RECORDED = "Sealed call"

EngineFactory = Callable[..., Engine]


@pytest.fixture
def encrypted(atlas: Engine) -> tuple[Path, np.ndarray]:
    """The Atlas meetings and a recorded one, in a folder then encrypted; the folder and the recording's audio."""
    atlas.recordings_dir.mkdir(parents=True, exist_ok=True)
    wav = write_wav(atlas.recordings_dir / "20260320-100000.wav", tone(3.0, 330.0))
    samples = decode_audio(wav)
    atlas.store.add_meeting(team="Atlas", title=RECORDED, date="2026-03-20", duration_s=3.0,
                            segments=[Segment(0.0, 3.0, "A tone for the record.", "Anna")], audio_path=str(wav),
                            source_path=str(wav), minutes=Minutes("A tone."))
    atlas.encrypt(lambda: PASSPHRASE)
    atlas.close()
    assert is_sealed(wav)
    return atlas.data_dir, samples


@pytest.fixture
def open_engine(runtime: Runtime, speech_to_text: SpeechToText, diarizer: Diarizer) -> Iterator[EngineFactory]:
    """Makes engines on a folder as the app does (sharing the session's models); closes them afterwards."""
    made: list[Engine] = []

    def make(data: Path, **options: object) -> Engine:
        engine = Engine(data, runtime=runtime, summary_model=None, **options)  # type: ignore[arg-type]
        engine.speech_to_text, engine.diarizer = speech_to_text, diarizer
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


@pytest.fixture
def locked(qtbot: QtBot, encrypted: tuple[Path, np.ndarray], open_engine: EngineFactory
           ) -> Iterator[tuple[MainWindow, PassphrasePrompt]]:
    """The window on the encrypted folder with neither the keychain nor $COMPANION_PASSPHRASE holding its key."""
    data = encrypted[0]
    prompt = PassphrasePrompt(data)
    window = MainWindow(open_engine(data, ask_passphrase=prompt), AppSettings(team="Atlas"), use_tray=False,
                        use_hotkey=False, passphrase=prompt)
    qtbot.addWidget(window)
    window.show()
    yield window, prompt
    prompt.close()
    window.tasks.cancel_all()
    window.tasks.wait(30_000)


@pytest.fixture
def unlocked(qtbot: QtBot, encrypted: tuple[Path, np.ndarray], open_engine: EngineFactory,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """The window on the encrypted folder, its passphrase in $COMPANION_PASSPHRASE."""
    monkeypatch.setenv(PASSPHRASE_VARIABLE, PASSPHRASE)
    window = MainWindow(open_engine(encrypted[0]), AppSettings(team="Atlas"), use_tray=False, use_hotkey=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.library.loaded, timeout=20_000):
        window.start()
    yield window
    window.tasks.cancel_all()
    window.tasks.wait(30_000)


def answer(qtbot: QtBot, prompt: PassphrasePrompt, passphrase: str | None, expect: str) -> None:
    """Wait for the dialog, check it says ``expect``, and type ``passphrase`` (None: press Cancel)."""
    qtbot.waitUntil(lambda: prompt.dialog is not None and prompt.dialog.isVisible(), timeout=20_000)
    dialog = prompt.dialog
    assert dialog is not None and expect in dialog.message.text()
    if passphrase is None:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    else:
        dialog.passphrase.setText(passphrase)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: prompt.dialog is not dialog, timeout=5_000)


def titles(window: MainWindow) -> set[str]:
    tree = window.library.list
    return {tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())}  # type: ignore[union-attr]


def test_the_app_asks_for_the_passphrase_and_asks_again_when_it_is_wrong(
        locked: tuple[MainWindow, PassphrasePrompt], qtbot: QtBot) -> None:
    window, prompt = locked
    window.start()
    answer(qtbot, prompt, "not the passphrase", f"The data folder {prompt.folder} is encrypted")
    with qtbot.waitSignal(window.library.loaded, timeout=20_000):
        answer(qtbot, prompt, PASSPHRASE, "Wrong passphrase")
    assert {RECORDED, "Atlas sync 2026-03-02"} <= titles(window)
    assert prompt.dialog is None and window.errors == [] and window.unlock_button is None


def test_cancel_shows_an_error_touches_nothing_and_unlock_tries_again(
        locked: tuple[MainWindow, PassphrasePrompt], encrypted: tuple[Path, np.ndarray], qtbot: QtBot) -> None:
    window, prompt = locked
    before = folder_state(encrypted[0])
    window.start()
    answer(qtbot, prompt, None, "is encrypted")
    qtbot.waitUntil(lambda: window.unlock_button is not None, timeout=10_000)
    [error] = window.errors
    assert "is encrypted and no passphrase was given" in error
    assert titles(window) == set() and folder_state(encrypted[0]) == before
    assert window.unlock_button is not None
    with qtbot.waitSignal(window.library.loaded, timeout=20_000):
        window.unlock_button.click()
        answer(qtbot, prompt, PASSPHRASE, "is encrypted")
    assert RECORDED in titles(window) and window.unlock_button is None


def test_quitting_while_the_dialog_is_open_frees_the_waiting_worker(
        locked: tuple[MainWindow, PassphrasePrompt], qtbot: QtBot) -> None:
    window, prompt = locked
    window.start()
    qtbot.waitUntil(lambda: prompt.dialog is not None, timeout=20_000)
    window.shut_down()  # what quitting runs: it would wait QUIT_WAIT_MS for a worker left waiting
    assert window.tasks.wait(0) and prompt.dialog is None


def test_the_prompt_refuses_the_gui_thread_instead_of_freezing_it(encrypted: tuple[Path, np.ndarray]) -> None:
    with pytest.raises(CompanionError, match="in the background"):
        PassphrasePrompt(encrypted[0])("Passphrase: ")


def test_askers_waiting_meanwhile_take_the_answer_given(locked: tuple[MainWindow, PassphrasePrompt],
                                                        qtbot: QtBot) -> None:
    _window, prompt = locked
    answers: list[str] = []
    askers = [threading.Thread(target=lambda: answers.append(prompt("Passphrase: "))) for _ in range(3)]
    for asker in askers:
        asker.start()
    answer(qtbot, prompt, PASSPHRASE, "is encrypted")
    qtbot.waitUntil(lambda: len(answers) == 3, timeout=20_000)
    assert answers == [PASSPHRASE] * 3 and prompt.dialog is None  # one dialog for all three


def test_a_sealed_recording_plays(unlocked: MainWindow, encrypted: tuple[Path, np.ndarray], qtbot: QtBot) -> None:
    view = unlocked.meeting_view
    recorded = next(m for m in unlocked.engine.meetings("Atlas") if m.title == RECORDED)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        unlocked.open_meeting(recorded.id)
    assert view.play_button.isEnabled() and recorded.audio_path
    with pytest.raises(InputError):
        decode_audio(recorded.audio_path)  # sealed: nothing to decode without the key
    np.testing.assert_allclose(view.player.samples(recorded.audio_path), encrypted[1], atol=1e-4)
    view.play_at(1.0)
    qtbot.waitUntil(lambda: not unlocked.tasks.active, timeout=20_000)
    # A test machine may have no sound output; then playing, not decoding, is what fails.
    assert all(error.startswith("cannot play the audio") for error in unlocked.errors), unlocked.errors


def open_view(window: MainWindow, qtbot: QtBot) -> MeetingView:
    first = next(m for m in window.engine.meetings("Atlas") if m.title == "Atlas sync 2026-03-02")
    with qtbot.waitSignal(window.meeting_view.loaded, timeout=10_000):
        window.open_meeting(first.id)
    return window.meeting_view


def test_exports_are_sealed_inside_the_data_folder_and_plain_outside(unlocked: MainWindow, tmp_path: Path,
                                                                     qtbot: QtBot) -> None:
    view, engine = open_view(unlocked, qtbot), unlocked.engine
    assert view.meeting is not None and view.minutes is not None and engine.folder_key is not None
    markdown = render_minutes(view.meeting, view.minutes, "md")
    assert isinstance(markdown, str)
    inside, outside = engine.data_dir / "exports", tmp_path / "shared"
    inside.mkdir()
    outside.mkdir()
    for folder in (inside, outside):
        with qtbot.waitSignal(view.exported, timeout=20_000):
            view.export("md", folder / "minutes.md")
        with qtbot.waitSignal(unlocked.team_view.exported, timeout=20_000):
            unlocked.team_view.export_graph(folder / "atlas.graphml", "graphml")
    assert is_sealed(inside / "minutes.md") and is_sealed(inside / "atlas.graphml")
    assert b"Atlas" not in (inside / "minutes.md").read_bytes() + (inside / "atlas.graphml").read_bytes()
    assert read_sealed(inside / "minutes.md", engine.folder_key).decode() == markdown
    assert (outside / "minutes.md").read_text(encoding="utf-8") == markdown
    graph = read_sealed(inside / "atlas.graphml", engine.folder_key)
    assert graph == (outside / "atlas.graphml").read_bytes() and graph.startswith(b"<graphml")
    assert unlocked.errors == []
