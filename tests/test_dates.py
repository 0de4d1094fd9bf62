import datetime as dt

import pytest

from companion.llm.dates import resolve_date, resolve_time

MONDAY = dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please fix both checkout bugs by Friday", "2026-03-06"),
        ("send it to the agency by Wednesday", "2026-03-04"),
        ("I will cancel it today", "2026-03-02"),
        ("publish the post tomorrow morning at nine", "2026-03-03"),
        ("our next meeting is Monday at ten", "2026-03-09"),
        ("next Tuesday", "2026-03-10"),
        ("schedule the retrospective for Tuesday, March twenty fourth", "2026-03-24"),
        ("move the launch to March seventeenth", "2026-03-17"),
        ("on the 17th of March", "2026-03-17"),
        ("on the twenty third", "2026-03-23"),
        ("by May twentieth", "2026-05-20"),
        ("on the thirtieth", "2026-03-30"),
        ("Friday the twentieth", "2026-03-20"),
        ("Monday the sixteenth at ten", "2026-03-16"),
        ("by the end of May", "2026-05-31"),
        ("end of the month", "2026-03-31"),
        ("by the end of the week", "2026-03-06"),
        ("in two days", "2026-03-04"),
        ("in a week", "2026-03-09"),
        ("until Thursday", "2026-03-05"),
        ("on the first", "2026-04-01"),
        ("January 5th", "2027-01-05"),
        ("no date here at all", None),
        ("the second one is a crash", None),
        ("I will watch the crash reports for the first forty eight hours, so until Thursday", "2026-03-05"),
    ],
)
def test_dates_resolve_against_the_meeting_date(text: str, expected: str | None) -> None:
    resolved = resolve_date(text, MONDAY)
    assert (resolved.isoformat() if resolved else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Monday at ten", "10:00"), ("at 9:30 am", "09:30"), ("at three", "15:00"), ("at 2 pm", "14:00"),
     ("at last", None), ("we meet again", None)],
)
def test_times(text: str, expected: str | None) -> None:
    assert resolve_time(text) == expected
