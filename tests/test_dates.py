import datetime as dt

import pytest

from companion.text.dates import due_phrase_span, resolve_date, resolve_time

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
        # a day of the month in digits outranks a weekday said with it, unless it only names an event's day
        ("the Tuesday after the bank holiday, the 24th, ten a.m.", "2026-03-24"),
        ("request cover for the weekend of the 14th, by Thursday", "2026-03-05"),
        ("send the 2nd draft by Friday", "2026-03-06"),
        # a week or two on from a day, and the nth weekday of a month
        ("let's pick this up again a week tomorrow", "2026-03-10"),
        ("a fortnight today, ten o'clock again", "2026-03-16"),
        ("a week on Friday", "2026-03-13"),
        ("first Tuesday in April, two o'clock", "2026-04-07"),
        ("the last Friday of next month", "2026-04-24"),
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


WEDNESDAY = dt.date(2026, 3, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The meeting's own day.
        ("I'll call them after lunch", "2026-03-04"),
        ("I'll email them the photos after this meeting", "2026-03-04"),
        ("I'll look at it this afternoon", "2026-03-04"),
        ("send the numbers by end of day", "2026-03-04"),
        ("by the end of the day", "2026-03-04"),
        ("EOD please", "2026-03-04"),
        ("before close of business", "2026-03-04"),
        ("I'll push it tonight", "2026-03-04"),
        # Counts of days and weeks, after "give me", "need", "in" or "within".
        ("give me two days", "2026-03-06"),
        ("give me three days", "2026-03-07"),
        ("I need two days for the migration", "2026-03-06"),
        ("give me a couple of days", "2026-03-06"),
        ("in a few days", "2026-03-07"),
        ("in a fortnight", "2026-03-18"),
        ("give me a fortnight", "2026-03-18"),
        ("in two weeks", "2026-03-18"),
        ("in two weeks' time", "2026-03-18"),
        ("in 10 days", "2026-03-14"),
        ("within two days", "2026-03-06"),
        ("a couple of weeks from now", "2026-03-18"),
        ("within the week", "2026-03-06"),
        # Weekdays.
        ("first thing Monday", "2026-03-09"),
        ("Monday morning", "2026-03-09"),
        ("Tuesday week", "2026-03-17"),
        ("by this Friday", "2026-03-06"),
        ("Thursday next week", "2026-03-12"),
        ("EOD Friday", "2026-03-06"),
        ("send it Friday, I'll start after lunch", "2026-03-06"),
        # Parts of next week.
        ("end of next week", "2026-03-13"),
        ("by the end of next week", "2026-03-13"),
        ("early next week", "2026-03-09"),
        ("middle of next week", "2026-03-11"),
        ("mid next week", "2026-03-11"),
        ("mid-next week", "2026-03-11"),
        ("next week", "2026-03-11"),
        # Months.
        ("end of the month", "2026-03-31"),
        ("end of next month", "2026-04-30"),
        ("early next month", "2026-04-05"),
        ("next month", "2026-04-01"),
        ("mid-April", "2026-04-15"),
        ("middle of April", "2026-04-15"),
        ("by the end of February", "2027-02-28"),
        # Days of the month.
        ("before the board meeting on the 14th", "2026-03-14"),
        ("by the 3rd", "2026-04-03"),
        ("on the 21st we launch", "2026-03-21"),
        ("due the 3rd, please", "2026-04-03"),
        ("the 14th of May", "2026-05-14"),
        ("14 May", "2026-05-14"),
        ("May 14", "2026-05-14"),
        ("Friday, or rather May 14", "2026-05-14"),
        ("mid-April, say April 20th", "2026-04-20"),
        # Relative days.
        ("tomorrow morning", "2026-03-05"),
        ("the day after tomorrow", "2026-03-06"),
        ("day after tomorrow at ten", "2026-03-06"),
        ("by May first", "2026-05-01"),
        ("by may 14", "2026-05-14"),
    ],
)
def test_spoken_due_phrases(text: str, expected: str) -> None:
    resolved = resolve_date(text, WEDNESDAY)
    assert (resolved.isoformat() if resolved else None) == expected


@pytest.mark.parametrize(
    "text",
    [
        "for two days we had outages",
        "two days",
        "it takes two days to deploy",
        "a couple of days ago",
        "we spent a fortnight on it",
        "the second one is a crash",
        "focus on the second one",
        "on the third attempt it worked",
        "the office is on the 3rd floor",
        "I will watch the crash reports for the first forty eight hours",
        "at the end of the day it is about users",
        "we need 14 of them",
        "nine of us were there",
        "5/14",
        "let's get lunch",
        "we may first check the logs",
        "the first may be hard",
    ],
)
def test_no_due_date(text: str) -> None:
    assert resolve_date(text, WEDNESDAY) is None


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("run a load test on the service by Friday", " by Friday"),
        ("I'll call them after lunch", " after lunch"),
        ("book the venue before the board meeting on the 14th", " before the board meeting on the 14th"),
        ("give me two days", "give me two days"),
        ("ship the fix by the end of next week, thanks", " by the end of next week"),
        ("send the invoice first thing Monday morning", " first thing Monday morning"),
        ("write the draft within the week", " within the week"),
        ("update the deck in two weeks' time", " in two weeks' time"),
        ("renew the domain before the 21st, then tell me", " before the 21st"),
        ("Tomorrow I will call the bank", "Tomorrow"),
        ("send the invoice EOD Friday", " EOD Friday"),
        ("finish the slides after the review on Thursday", " after the review on Thursday"),
        ("I'm at the synchrotron next week", " next week"),  # a marker is a word, not the end of one
        ("sign the lease this week", " this week"),
    ],
)
def test_due_phrase_span(text: str, phrase: str) -> None:
    span = due_phrase_span(text, WEDNESDAY)
    assert span is not None
    assert text[span[0]:span[1]] == phrase


def test_no_span_without_a_date() -> None:
    assert due_phrase_span("for two days we had outages", WEDNESDAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at nine", "09:00"), ("at 9", "09:00"), ("nine thirty", "09:30"), ("at half nine", "09:30"),
        ("the 22nd, eight sharp", "08:00"), ("I look sharp", None),
        ("at half past two", "14:30"), ("at 2pm", "14:00"), ("2 p.m.", "14:00"), ("at noon", "12:00"),
        ("9am", "09:00"), ("quarter past ten", "10:15"), ("quarter to three", "14:45"), ("at ten thirty", "10:30"),
        ("at 14:30", "14:30"), ("12 am", "00:00"), ("Monday at ten, lunch at noon", "10:00"),
        ("nine", None), ("we had nine people", None), ("version 2 is out", None), ("I am here", None),
        ("half six in the morning", "06:30"), ("at four, in the morning", "04:00"), ("three oclock", "15:00"),
        ("at ten in the morning", "10:00"), ("at five, am I right?", "17:00"),
    ],
)
def test_spoken_times(text: str, expected: str | None) -> None:
    assert resolve_time(text) == expected
