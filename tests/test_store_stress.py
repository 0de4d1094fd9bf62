"""The store under the app's real concurrency: worker threads and other processes on one SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from companion.kg.store import Store
from companion.models import ActionItem, Evidence, Minutes, Segment

STRESS_S = 60.0
PAUSE_S = 0.05  # between one writer's writes: a busy writer waits its turn, it need not wait forever
TEAM = "Atlas"


def minutes_for(label: str) -> Minutes:
    """Minutes with one action item naming ``label``, so every write can be found again."""
    evidence = (Evidence(0.0, 2.0, "Ben", f"I'll send {label} by Friday."),)
    return Minutes(summary=f"Summary {label}.",
                   action_items=(ActionItem("Ben", f"send {label}", "2026-03-06", evidence),))


def segments_for(label: str) -> list[Segment]:
    return [Segment(0.0, 2.0, f"I'll send {label} by Friday.", "Ben"), Segment(2.0, 4.0, "Thanks.", "Anna")]


def add(store: Store, label: str) -> int:
    return store.add_meeting(team=TEAM, title=label, date="2026-03-02", duration_s=4.0,
                             segments=segments_for(label), participants=["Anna", "Ben"], minutes=minutes_for(label))


OTHER_PROCESS = textwrap.dedent("""
    import json, sys, time
    sys.path.insert(0, {tests!r})
    from test_store_stress import PAUSE_S, add
    from companion.kg.store import Store
    store, name, deadline, written = Store({path!r}), sys.argv[1], time.monotonic() + float(sys.argv[2]), []
    while time.monotonic() < deadline:
        label = f"{{name}} {{len(written)}}"
        add(store, label)
        written.append(label)
        assert store.meetings("Atlas"), "a reader saw no meetings"
        time.sleep(PAUSE_S)
    print(json.dumps(written))
""")


def test_threads_and_processes_write_one_store_and_every_write_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "companion.db"
    store = Store(path)
    edited = add(store, "edited meeting")
    script = OTHER_PROCESS.format(tests=str(Path(__file__).parent), path=str(path))
    others = [subprocess.Popen([sys.executable, "-c", script, f"process {n}", str(STRESS_S)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(2)]
    deadline = time.monotonic() + STRESS_S
    written: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    last_edit: list[str] = []

    def worker(name: str) -> None:
        """What the app's workers do at once: store meetings, save edited minutes, read and search."""
        mine = written.setdefault(name, [])
        try:
            while time.monotonic() < deadline:
                if name == "editor":
                    label = f"edit {len(mine)}"
                    store.save_minutes(edited, minutes_for(label))
                    last_edit[:] = [label]
                    mine.append(label)
                    time.sleep(PAUSE_S)
                elif name == "reader":
                    assert store.meetings(TEAM)
                    store.knowledge.items(store.team_id(TEAM))
                else:
                    label = f"{name} {len(mine)}"
                    add(store, label)
                    mine.append(label)
                    time.sleep(PAUSE_S)
        except BaseException as error:  # reported from the test's thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("writer", "editor", "reader", "reader")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outputs = [other.communicate(timeout=STRESS_S + 60) for other in others]

    assert errors == []
    assert [other.returncode for other in others] == [0, 0], [err for _, err in outputs]
    from_processes = [label for out, _ in outputs for label in json.loads(out)]
    expected = {"edited meeting", *written["writer"], *from_processes}
    assert len(written["writer"]) > 10 and len(from_processes) > 20 and len(written["editor"]) > 5
    titles = [meeting.title for meeting in store.meetings(TEAM)]
    assert sorted(titles) == sorted(expected)  # every meeting stored, none twice
    stored = store.minutes(edited)
    assert stored is not None and stored.summary == f"Summary {last_edit[0]}."
    assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
