"""Team views (graph, open items, agenda), full-text search, and the quick-ask popup with citations."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from companion.ui.main_window import MainWindow
from companion.ui.quick_ask import parse_citation
from companion.ui.team_view import TeamView
from companion.ui.tray import TrayIcon

pytestmark = pytest.mark.slow


@pytest.fixture
def team(window: MainWindow, qtbot: QtBot) -> TeamView:
    with qtbot.waitSignal(window.team_view.loaded, timeout=20_000):
        window.team_view.refresh()
    return window.team_view


def test_the_graph_draws_every_node_and_a_click_shows_its_evidence(team: TeamView, window: MainWindow,
                                                                   qtbot: QtBot) -> None:
    graph = window.engine.team_graph("Atlas")
    assert set(team.graph_view.nodes) == {str(n) for n in graph.nodes}
    kinds = {data["kind"] for _, data in graph.nodes(data=True)}
    assert {"person", "meeting", "decision", "action_item"} <= kinds
    ben = next(n for n, d in graph.nodes(data=True) if d["kind"] == "person" and d["label"] == "Ben")
    node = team.graph_view.nodes[ben]
    click_at = team.graph_view.mapFromScene(node.scenePos())
    with qtbot.waitSignal(team.graph_view.node_clicked, timeout=2000) as clicked:
        qtbot.mouseClick(team.graph_view.viewport(), Qt.MouseButton.LeftButton, pos=click_at)  # type: ignore[no-untyped-call]
    assert clicked.args == [ben]
    details = team.details.toHtml()
    assert "Ben" in details and "Evidence" in details and "meeting:" in details
    with qtbot.waitSignal(window.meeting_view.loaded, timeout=10_000):
        team.details.anchorClicked.emit(QUrl("meeting:1?t=40.40"))
    assert window.tabs.currentWidget() is window.meeting_view


def test_open_items_are_grouped_by_person_with_overdue_highlighted(team: TeamView, window: MainWindow) -> None:
    open_items = window.engine.open_items("Atlas")
    shown = [team.items.topLevelItem(i) for i in range(team.items.topLevelItemCount())]
    assert sum(owner.childCount() for owner in shown if owner) == len(open_items) > 0
    overdue = [i for i in open_items if i.overdue]
    assert overdue  # the Atlas items are long past due
    carla = next(o for o in shown if o and o.text(0).startswith(overdue[0].owner or "Unassigned"))
    row = next(carla.child(i) for i in range(carla.childCount()) if carla.child(i).text(0) == overdue[0].text)  # type: ignore[union-attr]
    assert row is not None and row.text(1).endswith("(overdue)")
    assert row.foreground(0).color().name() == "#d93025"


def test_agenda_copies_and_exports_to_calendar(team: TeamView, tmp_path: Path, qtbot: QtBot) -> None:
    assert team.agenda is not None and team.agenda.items
    assert team.agenda.items[0].text in team.agenda_view.toPlainText()
    team.copy_button.click()
    assert team.agenda.items[0].text in QGuiApplication.clipboard().text()
    target = tmp_path / "agenda.ics"
    with qtbot.waitSignal(team.exported, timeout=20_000):
        team.export_ics(target)
    ics = target.read_text()
    assert ics.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in ics and "DTSTART" in ics


def test_the_graph_exports_as_graphml(team: TeamView, tmp_path: Path, qtbot: QtBot) -> None:
    target = tmp_path / "atlas.graphml"
    with qtbot.waitSignal(team.exported, timeout=20_000):
        team.export_graph(target, "graphml")
    text = target.read_text()
    assert text.startswith("<graphml") and "<node id=\"person:" in text and "Ben" in text


def test_full_text_search_lists_only_meetings_that_said_it(window: MainWindow, qtbot: QtBot) -> None:
    library = window.library
    library.search.setText("Plausible")
    with qtbot.waitSignal(library.loaded, timeout=20_000):
        library.search.returnPressed.emit()
    found = [library.list.topLevelItem(i).text(1) for i in range(library.list.topLevelItemCount())]  # type: ignore[union-attr]
    assert found and len(found) < 3
    assert "Atlas sync 2026-03-02" in found
    assert "matching “Plausible”" in library.status.text()
    with qtbot.waitSignal(library.loaded, timeout=20_000):
        library.search.clear()
    assert library.list.topLevelItemCount() == 3


def test_quick_ask_answers_with_citations_that_open_the_meeting_there(window: MainWindow, qtbot: QtBot) -> None:
    popup = window.quick_ask
    window.ask_action.trigger()
    assert popup.isVisible()
    popup.question.setText("Which analytics vendor did we choose?")
    with qtbot.waitSignal(popup.answered, timeout=60_000) as answered:
        popup.ask_button.click()
    answer = answered.args[0]
    assert "Plausible" in answer["answer"]
    assert answer["citations"] and popup.read_button.isEnabled()
    first = answer["citations"][0]
    assert first["quote"][:30] in popup.result.toPlainText()
    link = QUrl(f"meeting:{first['meeting_id']}?t={first['start']:.2f}")
    assert parse_citation(link) == (first["meeting_id"], pytest.approx(first["start"], abs=0.01))  # type: ignore[comparison-overlap]
    with qtbot.waitSignal(window.meeting_view.loaded, timeout=10_000):
        popup.result.anchorClicked.emit(link)
    selected = window.meeting_view.transcript.currentItem()
    assert selected is not None and first["quote"][:20] in selected.text(2)


def test_the_tray_menu_starts_and_stops_recording(window: MainWindow, qtbot: QtBot) -> None:
    tray = TrayIcon(window)
    window.attach_tray(tray)
    tray.record_action.trigger()
    assert window.recorder.is_recording and tray.record_action.text() == "Stop recording"
    with qtbot.waitSignal(window.recorder.meeting_ready, timeout=120_000):
        tray.record_action.trigger()
    assert tray.record_action.text() == "Start recording"
    assert [a.text() for a in tray.menu.actions() if a.text()] == [
        "Open Meeting Companion", "Start recording", "Ask about meetings…", "Quit"]
    tray.ask_action.trigger()
    assert window.quick_ask.isVisible()


def test_closing_the_window_keeps_the_app_in_the_tray_unless_told_otherwise(window: MainWindow) -> None:
    window.attach_tray(TrayIcon(window))  # offscreen Qt has no tray host; the Xvfb screenshot test has one
    window.close()
    assert not window.isVisible() and not window._quitting  # hidden, still running
    assert window.tray is not None
    window.tray.open_window.emit()  # the tray's "Open Meeting Companion"
    assert window.isVisible()
    window.settings = replace(window.settings, keep_in_tray=False)
    window.close()
    assert not window.isVisible() and window._quitting


def test_read_aloud_speaks_the_answer_or_says_why_not(window: MainWindow, qtbot: QtBot) -> None:
    popup = window.quick_ask
    popup.question.setText("When is the launch?")
    with qtbot.waitSignal(popup.answered, timeout=60_000):
        popup.ask()
    spoken: list[tuple[str, str | None]] = []
    original = window.engine.speak

    def speak(text: str, voice: str | None = None) -> None:
        spoken.append((text, voice))
        original(text, voice)

    window.engine.speak = speak  # type: ignore[method-assign]
    window.settings = replace(window.settings, voice="gmw/en-us")  # as chosen in the settings
    popup.read_button.click()
    assert popup.status.text() == "Reading aloud…"
    # the pool can be idle a moment before its "done" signal reaches the window: wait for the outcome itself
    qtbot.waitUntil(lambda: bool(spoken) and window.tasks.wait(0)
                    and (popup.status.text() == "" or bool(window.errors)), timeout=60_000)
    assert spoken == [(popup.answer["answer"], "gmw/en-us")]  # type: ignore[index]
    said_why = ("cannot speak", "cannot read the answer aloud: no sound output")  # no speech engine, no speakers
    assert popup.status.text() == "" or (window.errors and window.errors[-1].startswith(said_why))
