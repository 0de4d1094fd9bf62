"""The SQLite store on real files: atomic writes, migrations, concurrent readers, hostile strings."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from companion.errors import CompanionError, NotFoundError
from companion.kg.store import Store
from companion.models import Segment, Word

SEGMENTS = [
    Segment(0.0, 2.0, "Good morning.", "Anna", (Word(0.0, 0.6, "Good", 0.98), Word(0.6, 1.4, "morning.", 0.9))),
    Segment(2.0, 4.0, "I'll fix it by Friday.", "Ben"),
]


def add(store: Store, team: str = "Atlas", title: str = "Weekly", date: str = "2026-03-02") -> int:
    return store.add_meeting(team=team, title=title, date=date, duration_s=4.0, segments=SEGMENTS,
                             participants=["Anna", "Ben"], audio_path="/tmp/a.wav")


def test_a_meeting_round_trips_with_its_transcript(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    meeting = store.meeting(add(store))
    assert (meeting.team, meeting.title, meeting.date, meeting.participants) == ("Atlas", "Weekly", "2026-03-02",
                                                                                 ("Anna", "Ben"))
    assert meeting.segments == tuple(SEGMENTS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_listing_is_per_team_and_newest_first(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    add(store, date="2026-03-02")
    add(store, date="2026-03-09")
    add(store, team="Borealis")
    assert [m.date for m in store.meetings("Atlas")] == ["2026-03-09", "2026-03-02"]
    assert [m.team for m in store.meetings("Borealis")] == ["Borealis"]
    assert store.meetings("Atlas")[0].segments == ()
    with pytest.raises(NotFoundError, match="no team named 'Nope'"):
        store.meetings("Nope")
    with pytest.raises(NotFoundError, match="no meeting with id 99"):
        store.meeting(99)


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    add(store)
    broken = [SEGMENTS[0], Segment(1.0, 2.0, None)]  # type: ignore[arg-type]  # text is NOT NULL
    with pytest.raises(Exception, match="NOT NULL"):
        store.add_meeting(team="New team", title="x", date="2026-03-03", duration_s=1, segments=broken)
    assert store.teams() == ["Atlas"]
    assert store.db.execute("SELECT count(*) FROM segments").fetchone()[0] == len(SEGMENTS)


def test_reopening_applies_no_migration_twice_and_keeps_data(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    add(store)
    applied = store.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    store.close()
    again = Store(tmp_path / "c.db")
    assert len(again.meetings("Atlas")) == 1
    assert again.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == applied >= 2


def test_hostile_strings_are_stored_verbatim(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    hostile = "Robert'); DROP TABLE meetings;-- \"\\ \u202e\U0001f600"
    meeting = store.meeting(add(store, team=hostile, title=hostile))
    assert (meeting.team, meeting.title) == (hostile, hostile)
    assert store.teams() == [hostile]


def test_another_process_reads_while_this_one_writes(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = Store(path)
    add(store)
    reader = textwrap.dedent(f"""
        from companion.kg.store import Store
        print(len(Store({str(path)!r}).meetings("Atlas")))
    """)
    with store.db.atomic():
        store.db.execute("INSERT INTO meetings (team_id, title, date) VALUES (1, 'in flight', '2026-03-09')")
        during = subprocess.run([sys.executable, "-c", reader], capture_output=True, text=True, timeout=20)
    after = subprocess.run([sys.executable, "-c", reader], capture_output=True, text=True, timeout=20)
    assert (during.returncode, during.stdout.strip()) == (0, "1"), during.stderr
    assert after.stdout.strip() == "2"


def test_transactions_from_two_threads_take_turns(tmp_path: Path) -> None:
    # The app's workers share one connection: a write begun while another thread's was open must not
    # become a savepoint inside it ("no such savepoint" once the other commits).
    store = Store(tmp_path / "meetings.db")
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for index in range(300):
                with store.db.atomic():
                    store.db.execute("INSERT INTO teams (name, created_at) VALUES (?, ?)",
                                     [f"team {thread}-{index}", "2026-03-02"])
                    with store.db.atomic():  # nested on the same thread: a savepoint, as before
                        store.db.execute("SELECT count(*) FROM teams").fetchone()
        except BaseException as error:  # reported below, from the test's thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.db.execute("SELECT count(*) FROM teams").fetchone()[0] == 900


def test_an_unusable_database_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CompanionError, match=r"the meeting store is damaged .*companion doctor"):
        Store(path)
    assert path.read_bytes() == b"this is not a database" * 100
