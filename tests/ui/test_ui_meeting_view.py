"""The meeting view: transcript with speakers, minutes with evidence that jumps to its moment, export."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from companion.engine import Engine
from companion.errors import CompanionError
from companion.ui.main_window import MainWindow
from companion.ui.meeting_view import MeetingView
from companion.ui.minutes_editor import MinutesEditor
from companion.ui.minutes_view import ACTION_ROLE, EDIT_ROLE

pytestmark = pytest.mark.slow


@pytest.fixture
def view(window: MainWindow, qtbot: QtBot) -> MeetingView:
    first = window.engine.meetings("Atlas")[-1]  # 2 March
    with qtbot.waitSignal(window.meeting_view.loaded, timeout=10_000):
        window.open_meeting(first.id)
    return window.meeting_view


def test_transcript_lines_carry_time_and_speaker(view: MeetingView, atlas: Engine) -> None:
    assert view.meeting is not None
    meeting = atlas.meeting(view.meeting.id)
    assert view.transcript.topLevelItemCount() == len(meeting.segments)
    first = view.transcript.topLevelItem(0)
    assert first is not None
    assert (first.text(0), first.text(1)) == ("00:00", "Anna")
    assert first.text(2).startswith("Good morning everyone")
    assert first.foreground(1).color() != view.transcript.topLevelItem(1).foreground(1).color()  # type: ignore[union-attr]


def test_minutes_show_action_items_with_owner_and_evidence(view: MeetingView, atlas: Engine) -> None:
    assert view.minutes is not None and view.meeting is not None
    assert view.minutes_view.summary.text() == view.minutes.summary
    stored = [i for i in atlas.items("Atlas") if i.meeting_id == view.meeting.id and i.kind == "action_item"]
    items = view.minutes_view.action_items()
    assert len(items) == len(stored) > 0
    done = {i.id for i in stored if i.status == "done"}
    assert done  # the later meetings closed them
    assert {item.data(0, ACTION_ROLE) for item in items if item.checkState(0) == Qt.CheckState.Checked} == done
    ben = next(item for item in items if item.text(0).startswith("Ben:"))
    assert ben.childCount() >= 1 and ben.child(0).text(0).startswith("“")  # type: ignore[union-attr]


def test_ticking_an_action_item_marks_it_done_in_the_store(view: MeetingView, atlas: Engine, qtbot: QtBot) -> None:
    item = view.minutes_view.action_items()[0]
    item_id = item.data(0, ACTION_ROLE)
    assert item.checkState(0) == Qt.CheckState.Checked
    assert item_id not in {i.id for i in atlas.open_items("Atlas")}
    with qtbot.waitSignal(view.item_changed, timeout=10_000) as changed:
        item.setCheckState(0, Qt.CheckState.Unchecked)  # reopened
    assert changed.args[0].id == item_id and changed.args[0].status == "open"
    assert item_id in {i.id for i in atlas.open_items("Atlas")}
    with qtbot.waitSignal(view.item_changed, timeout=10_000) as changed:
        item.setCheckState(0, Qt.CheckState.Checked)
    assert changed.args[0].status == "done"
    assert item_id not in {i.id for i in atlas.open_items("Atlas")}


def test_clicking_evidence_selects_the_line_where_it_was_said(view: MeetingView, qtbot: QtBot) -> None:
    assert view.minutes is not None
    evidence = view.minutes.decisions[-1].evidence[0]
    decisions = view.minutes_view.tree.topLevelItem(0)
    assert decisions is not None and decisions.text(0).startswith("Decisions")
    decision = decisions.child(decisions.childCount() - 1)
    assert decision is not None
    item = decision.child(0)
    assert item is not None
    view.minutes_view.tree.itemClicked.emit(item, 0)
    selected = view.transcript.currentItem()
    assert selected is not None
    assert selected.text(1) == evidence.speaker
    assert evidence.quote[:20] in selected.text(2)


def test_a_transcript_only_meeting_cannot_play_and_says_why(view: MeetingView) -> None:
    assert not view.play_button.isEnabled()
    assert "imported from a transcript" in view.play_button.toolTip()
    view.play_at(10.0)
    assert view.player.playing_from is None


@pytest.mark.parametrize("fmt", ["md", "html", "json", "srt", "vtt", "docx", "pdf"])
def test_export_writes_each_format(view: MeetingView, qtbot: QtBot, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"minutes.{fmt}"
    with qtbot.waitSignal(view.exported, timeout=20_000) as done:
        view.export(fmt, target)
    assert done.args == [str(target)]
    content = target.read_bytes()
    assert len(content) > 200
    if fmt == "json":
        assert json.loads(content)["meeting"]["title"] == "Atlas sync 2026-03-02"
    elif fmt == "srt":
        assert content.startswith(b"1\n00:00:00,000 --> ")
    elif fmt == "pdf":
        assert content.startswith(b"%PDF")
    elif fmt == "md":
        assert b"## Action items" in content


def test_renaming_a_speaker_inline_renames_every_line(view: MeetingView, atlas: Engine, qtbot: QtBot) -> None:
    assert view.meeting is not None
    lines = [view.transcript.topLevelItem(i) for i in range(view.transcript.topLevelItemCount())]
    davids = sum(1 for item in lines if item is not None and item.text(1) == "David")
    assert davids > 1
    first = next(item for item in lines if item is not None and item.text(1) == "David")
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        first.setText(1, "Dave")  # what the inline editor does when the user types a name
    speakers = [view.transcript.topLevelItem(i).text(1) for i in range(view.transcript.topLevelItemCount())]  # type: ignore[union-attr]
    assert "David" not in speakers and speakers.count("Dave") == davids
    assert "Dave" in {s.speaker for s in atlas.meeting(view.meeting.id).segments}


def _save(editor: MinutesEditor, **values: str) -> None:
    for name, value in values.items():
        field = editor.fields[name]
        field.setPlainText(value) if isinstance(field, QPlainTextEdit) else field.setText(value)  # type: ignore[union-attr]
    editor.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def _tree_item(view: MeetingView, kind: str, index: int) -> QTreeWidgetItem:
    tree = view.minutes_view.tree
    headings = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    children = [h.child(i) for h in headings if h is not None for i in range(h.childCount())]
    return next(c for c in children if c is not None and c.data(0, EDIT_ROLE) == (kind, index))


def test_editing_an_action_item_saves_the_minutes(view: MeetingView, atlas: Engine, qtbot: QtBot) -> None:
    assert view.meeting is not None and view.minutes is not None
    before = view.minutes.action_items[0]
    item = _tree_item(view, "action_items", 0)
    view.minutes_view.tree.itemDoubleClicked.emit(item, 0)
    editor = view.minutes_view.editor
    assert editor is not None and editor.isVisible()
    assert editor.values() == {"task": before.task, "owner": before.owner or "", "due": before.due or ""}
    with qtbot.waitSignal(view.loaded, timeout=20_000), qtbot.waitSignal(view.minutes_saved, timeout=20_000):
        _save(editor, task="Send the revised  budget", owner="Carla", due="2026-04-01")
    [graph_item] = [i for i in atlas.items("Atlas") if i.text == "Send the revised budget"]  # the graph follows
    assert (graph_item.owner, graph_item.due, graph_item.meeting_id) == ("Carla", "2026-04-01", view.meeting.id)
    stored = atlas.minutes(view.meeting.id)
    edited = stored.action_items[0]
    assert (edited.task, edited.owner, edited.due) == ("Send the revised budget", "Carla", "2026-04-01")
    assert edited.evidence == before.evidence and stored.authors["edited"] == "user"
    assert stored.decisions == view.minutes.decisions
    assert _tree_item(view, "action_items", 0).text(0) == "Carla: Send the revised budget (due 2026-04-01)"


def test_editing_the_summary_and_a_decision(view: MeetingView, atlas: Engine, qtbot: QtBot) -> None:
    assert view.meeting is not None and view.minutes is not None
    decision = view.minutes.decisions[-1]
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        view.minutes_view.edit_summary.click()
        assert view.minutes_view.editor is not None
        _save(view.minutes_view.editor, summary="We agreed the launch plan.\nBudget next week.")
    view.minutes_view.tree.itemDoubleClicked.emit(_tree_item(view, "decisions", len(view.minutes.decisions) - 1), 0)
    with qtbot.waitSignal(view.loaded, timeout=20_000):
        _save(view.minutes_view.editor, text="Launch on 1 May")  # type: ignore[arg-type]
    stored = atlas.minutes(view.meeting.id)
    assert stored.summary == "We agreed the launch plan.\nBudget next week."
    assert view.minutes_view.summary.text() == stored.summary
    assert stored.decisions[-1].text == "Launch on 1 May" and stored.decisions[-1].evidence == decision.evidence


@pytest.mark.parametrize(("field", "value", "problem"), [("due", "next Friday", "expected YYYY-MM-DD"),
                                                          ("due", "2026-02-30", "expected YYYY-MM-DD"),
                                                          ("task", "  ", "cannot be empty")])
def test_an_invalid_edit_is_refused_and_nothing_changes(view: MeetingView, atlas: Engine, qtbot: QtBot, field: str,
                                                        value: str, problem: str) -> None:
    assert view.meeting is not None
    before = atlas.minutes(view.meeting.id)
    editor = view.minutes_view.edit("action_items", 0)
    assert editor is not None
    with qtbot.assertNotEmitted(view.minutes_view.minutes_edited):
        _save(editor, **{field: value})
    assert editor.isVisible() and editor.edited is None
    assert not editor.error.isHidden() and problem in editor.error.text()
    assert atlas.minutes(view.meeting.id) == before


def test_the_engine_refuses_a_bad_due_date(atlas: Engine) -> None:
    meeting = atlas.meetings("Atlas")[-1]
    minutes = atlas.minutes(meeting.id)
    bad = replace(minutes, action_items=(replace(minutes.action_items[0], due="01/04/2026"),))
    with pytest.raises(CompanionError, match="expected YYYY-MM-DD"):
        atlas.save_minutes(meeting.id, bad)
    assert atlas.minutes(meeting.id) == minutes


def test_a_shareable_export_leaves_the_quotes_out(view: MeetingView, qtbot: QtBot, tmp_path: Path) -> None:
    assert view.minutes is not None
    quote = view.minutes.action_items[0].evidence[0].quote
    view.shareable.setChecked(True)
    target = tmp_path / "minutes.json"
    with qtbot.waitSignal(view.exported, timeout=20_000):
        view.export("json", target)
    shared = target.read_text()
    assert quote not in shared and view.minutes.action_items[0].task in shared
