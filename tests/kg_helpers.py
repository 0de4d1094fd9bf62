"""Meetings for the knowledge-graph tests: the Atlas evaluation meetings, and an invented team ("Orion")
whose names, topics and phrasings the rules were not written for."""

from __future__ import annotations

import json
from pathlib import Path

from companion.engine import Engine
from companion.jobs import run_job
from companion.models import Meeting

ORION_1 = """\
Lena: Welcome to the Orion planning call. We need to pick a database and look at the invoice export.
Tomasz: The invoice export times out for customers with more than ten thousand rows.
Lena: Tomasz, could you rewrite the invoice export with pagination by Thursday?
Tomasz: Sure, I will rewrite it by Thursday.
Priya: For the database, I suggest we use MongoDB for the event store.
Lena: We're going with MongoDB for the event store then.
Tomasz: Agreed.
Priya: I'll migrate the staging data to the new cluster by next Friday.
Lena: Does the vendor contract allow data residency in Frankfurt?
Priya: Nobody knows yet, that stays an open question for legal.
Lena: Our next meeting is Monday at nine.
"""
ORION_2 = """\
Lena: Let's check last week's items.
Tomas: The invoice export is fixed, pagination shipped on Wednesday.
Priya: The staging migration slipped, I need until Friday the twenty second.
Lena: Legal answered the data residency question: Frankfurt hosting is allowed in the vendor contract.
Priya: After more testing we decided to switch the event store from MongoDB to PostgreSQL.
Tomas: Agreed.
Lena: Priya, please document the PostgreSQL schema by Friday.
Priya: Will do.
"""
ORION_PEOPLE = (["Lena", "Tomasz", "Priya"], ["Lena", "Tomas", "Priya Raman"])
ATLAS_DAYS = ("2026-03-02", "2026-03-09", "2026-03-16")


def process_text(engine: Engine, folder: Path, name: str, text: str, team: str, date: str,
                 participants: list[str]) -> Meeting:
    """Store a "Speaker: text" transcript as a meeting of ``team``."""
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return run_job(engine.process(path, team, title=name, date=date, participants=participants))


def process_orion(engine: Engine, folder: Path, team: str = "Orion") -> list[Meeting]:
    return [process_text(engine, folder, f"orion-{n + 1}", text, team, date, people)
            for n, (text, date, people) in enumerate(zip((ORION_1, ORION_2), ("2026-05-04", "2026-05-11"),
                                                         ORION_PEOPLE, strict=True))]


def process_atlas(engine: Engine, shared_data: Path) -> list[Meeting]:
    """The three Atlas transcripts in order, dated by their file names, participants from their truth."""
    meetings = []
    for day in ATLAS_DAYS:
        truth = json.loads((shared_data / f"meetings/atlas-{day}.truth.json").read_text())
        meetings.append(run_job(engine.process(shared_data / f"meetings/atlas-{day}.txt", "Atlas",
                                               title=truth["title"], date=day,
                                               participants=truth["participants"])))
    return meetings


def atlas_qa(shared_data: Path) -> dict[str, object]:
    return dict(json.loads((shared_data / "meetings/atlas.qa.json").read_text()))
