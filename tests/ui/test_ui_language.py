"""Languages in the window: the team's language in the team view, each meeting's in the library and the
meeting view, and the speech model's fallback in the status bar."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pytestqt.qtbot import QtBot

from companion.runtime import decide_runtime
from companion.speech_models import PACKAGED_MODELS
from companion.ui.languages import language_name
from companion.ui.main_window import MainWindow

pytestmark = pytest.mark.slow


def test_language_names_read_as_words_with_their_code() -> None:
    assert (language_name("de"), language_name("en")) == ("German (de)", "English (en)")
    assert language_name("jw") == "jw"  # Qt has no name for Whisper's code of Javanese


def test_the_team_view_sets_and_shows_the_teams_language(window: MainWindow, qtbot: QtBot) -> None:
    team = window.team_view
    with qtbot.waitSignal(team.loaded, timeout=20_000):
        team.refresh()
    assert team.language.currentText() == "Detected per meeting"
    german = team.language.findData("de")
    assert team.language.itemText(german) == "German (de)"
    team.language.setCurrentIndex(german)
    with qtbot.waitSignal(team.language_set, timeout=10_000) as saved:
        team.language.activated.emit(german)
    assert saved.args == ["de"] and window.engine.team_language("Atlas") == "de"
    team.language.setCurrentIndex(0)
    with qtbot.waitSignal(team.loaded, timeout=20_000):
        team.refresh()
    assert team.language.currentData() == "de"  # read back from the store
    with qtbot.waitSignal(team.language_set, timeout=10_000):
        team.language.activated.emit(0)
    assert window.engine.team_language("Atlas") is None


def test_the_library_and_the_meeting_view_show_the_meetings_language(window: MainWindow, qtbot: QtBot) -> None:
    tree = window.library.list
    assert tree.headerItem().text(4) == "Language"
    shown = [tree.topLevelItem(i).text(4) for i in range(tree.topLevelItemCount())]  # type: ignore[union-attr]
    assert shown == ["English (en)"] * 3
    meeting = window.engine.meetings("Atlas")[0]
    with qtbot.waitSignal(window.meeting_view.loaded, timeout=10_000):
        window.open_meeting(meeting.id)
    assert " · English (en) · " in window.meeting_view.facts.text()


def test_the_status_bar_says_when_the_chosen_speech_model_is_missing(window: MainWindow, qtbot: QtBot,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    absent = replace(PACKAGED_MODELS["accurate"], packages=("no-such-part-1", "no-such-part-2"))
    monkeypatch.setitem(PACKAGED_MODELS, "accurate", absent)
    runtime = decide_runtime("cpu", "accurate", cuda_available=lambda: False)
    notice = runtime.speech_notice
    assert notice and "meeting-companion[accurate]" in notice
    window.engine.runtime = runtime
    window._models_loaded(0.0)
    qtbot.waitUntil(lambda: notice in window.runtime_label.text(), timeout=10_000)
    assert window.runtime_label.text().startswith("CPU")
    assert window.runtime_label.toolTip() == notice
