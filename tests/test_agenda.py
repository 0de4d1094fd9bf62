"""The next meeting's agenda: open items present (overdue first), closed ones absent, in Markdown, the
JSON contract and an iCalendar event that calendar programs import."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from kg_helpers import atlas_qa, process_atlas, process_orion

from companion.cli import main
from companion.engine import Engine
from companion.export.agenda import render_agenda
from companion.export.ics import agenda_event, escape_text, fold
from companion.kg.records import Agenda, AgendaItem


def test_atlas_agenda_lists_what_is_open_and_nothing_stale(engine: Engine, shared_data: Path) -> None:
    process_atlas(engine, shared_data)
    agenda = engine.agenda("Atlas")
    expected = atlas_qa(shared_data)["agenda"]
    text = json.dumps(agenda.to_dict()).lower()
    for alternatives in expected["expect"]:  # type: ignore[index]
        assert any(re.search(a, text) for a in alternatives), alternatives
    for alternatives in expected["stale"]:  # type: ignore[index]
        assert not any(re.search(a, text) for a in alternatives), alternatives
    meetings = {m.id for m in engine.meetings("Atlas")}
    assert {i.source_meeting for i in agenda.items} <= meetings
    assert agenda.next_meeting == "2026-03-24"  # the retrospective the last meeting scheduled


def test_overdue_items_come_first_and_closed_items_are_gone(engine: Engine, tmp_path: Path) -> None:
    process_orion(engine, tmp_path)
    agenda = engine.agenda("Orion", "2026-05-18")
    actions = [i for i in agenda.items if i.kind == "action_item"]
    assert [(i.text, i.owner, i.due, i.overdue) for i in actions] == [
        ("document the PostgreSQL schema", "Priya", "2026-05-15", True),
        ("migrate the staging data to the new cluster", "Priya", "2026-05-22", False)]
    text = render_agenda(agenda, "md")
    assert "invoice export" not in text and "data residency" not in text
    assert text.startswith("# Agenda: Orion, Monday, May 18, 2026 at 09:00\n")
    assert "- OVERDUE Priya: document the PostgreSQL schema (due Friday, May 15, 2026; from meeting 2)" in text


def test_agenda_json_follows_the_contract_and_round_trips(engine: Engine, tmp_path: Path) -> None:
    process_orion(engine, tmp_path)
    data = json.loads(render_agenda(engine.agenda("Orion", "2026-05-18"), "json"))
    assert (data["team"], data["date"]) == ("Orion", "2026-05-18")
    for item in data["items"]:
        assert {"kind", "text", "owner", "due", "source_meeting"} <= set(item)
        assert item["kind"] in ("action_item", "open_question", "topic")
    assert Agenda.from_dict(data).to_dict() == data


def unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def test_ics_is_a_valid_importable_event(engine: Engine, tmp_path: Path) -> None:
    process_orion(engine, tmp_path)
    agenda = engine.agenda("Orion", "2026-05-18")
    ics = render_agenda(agenda, "ics")
    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    lines = unfold(ics)
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-2:] == ["END:VCALENDAR", ""]
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    assert (fields["DTSTART"], fields["DTEND"]) == ("20260518T090000", "20260518T100000")
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"]) and fields["UID"].endswith("@meeting-companion")
    description = unescape(fields["DESCRIPTION"])
    assert "Priya: document the PostgreSQL schema (due Friday, May 15, 2026; from meeting 2)" in description


def test_ics_escapes_and_folds_hostile_text_without_breaking_characters() -> None:
    hostile = "Team; \"DROP\", back\\slash\nnew line " + "ü🙂" * 40
    agenda = Agenda(hostile, "2026-07-01", (AgendaItem("action_item", hostile, "Zoë", None, 3),), None, hostile)
    ics = agenda_event(agenda, [hostile])
    for raw in ics.split("\r\n"):
        assert len(raw.encode("utf-8")) <= 75
        raw.encode("utf-8").decode("utf-8")  # no split character
    fields = dict(line.split(":", 1) for line in unfold(ics) if ":" in line)
    assert unescape(fields["SUMMARY"]) == hostile and unescape(fields["DESCRIPTION"]) == hostile
    assert fields["DTSTART;VALUE=DATE"] == "20260701" and fields["DTEND;VALUE=DATE"] == "20260702"
    assert escape_text("a;b,c\\d\ne") == "a\\;b\\,c\\\\d\\ne"
    assert fold("x" * 80) == "x" * 75 + "\r\n " + "x" * 5


def test_cli_agenda_in_every_format(engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    process_orion(engine, tmp_path)
    data_dir = str(engine.data_dir)
    engine.close()
    assert main(["--data-dir", data_dir, "agenda", "--team", "Orion", "--date", "2026-05-18", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["date"] == "2026-05-18"
    output = tmp_path / "next.ics"
    assert main(["--data-dir", data_dir, "agenda", "--team", "Orion", "--format", "ics", "-o", str(output)]) == 0
    assert "BEGIN:VEVENT" in output.read_text()
    assert main(["--data-dir", data_dir, "agenda", "--team", "Orion", "--date", "18/05/2026"]) == 1
    assert "expected YYYY-MM-DD" in capsys.readouterr().err
    assert main(["--data-dir", data_dir, "graph", "--team", "Orion", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["nodes"]
