"""Due dates and meeting times said in words, resolved against the meeting's date.

"by Friday", "next Tuesday", "tomorrow", "on the twenty third", "March seventeenth", "end of May",
"Monday at ten". Spoken numbers are common in transcripts ("forty eight"), so ordinals are words too.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [m.lower() for m in calendar.month_name[1:]]
_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_ORDINAL_UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth"]


def _day_words() -> dict[str, int]:
    """'first'..'thirty first', 'twenty-third', '23rd', '23' -> day of month."""
    words: dict[str, int] = {}
    for day in range(1, 32):
        tens, unit = divmod(day, 10)
        if day < 20:
            words[_ORDINAL_UNITS[day]] = day
        else:
            prefix = {2: "twenty", 3: "thirty"}[tens]
            if unit == 0:
                words[f"{prefix[:-1]}ieth"] = day  # twentieth, thirtieth
            else:
                words[f"{prefix} {_ORDINAL_UNITS[unit]}"] = words[f"{prefix}-{_ORDINAL_UNITS[unit]}"] = day
        suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        words[f"{day}{suffix}"] = day
        words[str(day)] = day
    return words


DAY_WORDS = _day_words()
_DAY = "|".join(sorted((re.escape(w) for w in DAY_WORDS), key=len, reverse=True))
_MONTH = "|".join(MONTHS)
_WEEKDAY = "|".join(WEEKDAYS)
_HOUR_WORDS = {w: i for i, w in enumerate(_UNITS[:13])} | {str(i): i for i in range(24)}
_HOUR = "|".join(sorted((re.escape(w) for w in _HOUR_WORDS if w), key=len, reverse=True))

_MONTH_DAY = re.compile(rf"\b(?P<month>{_MONTH})\s+(?:the\s+)?(?P<day>{_DAY})\b")
_DAY_MONTH = re.compile(rf"\b(?:the\s+)?(?P<day>{_DAY})\s+(?:of\s+)?(?P<month>{_MONTH})\b")
_END_OF_MONTH = re.compile(rf"\b(?:end of|by the end of)\s+(?:the\s+month|(?P<month>{_MONTH}))\b")
_END_OF_WEEK = re.compile(r"\bend of (?:the|this) week\b")
_NEXT_WEEKDAY = re.compile(rf"\bnext\s+(?P<weekday>{_WEEKDAY})\b")
_WEEKDAY_THE_DAY = re.compile(rf"\b(?P<weekday>{_WEEKDAY})\s+(?:the\s+)?(?P<day>{_DAY})\b")
_WEEKDAY_ONLY = re.compile(rf"\b(?P<weekday>{_WEEKDAY})\b")
# "the second one" is no date: a bare day needs a preposition before it ("on the twenty third").
# "for the first forty eight hours" is a duration, not the 1st.
_THE_DAY = re.compile(
    rf"\b(?:on|by|until|before|for)\s+the\s+(?P<day>{_DAY})\b(?!\s+(?:{_MONTH}|of))"
    r"(?!(?:\s+\w+){0,3}\s+(?:hours?|days?|weeks?|months?|minutes?|times?|few)\b)"
)
_RELATIVE = re.compile(r"\b(?P<word>today|tonight|tomorrow|next week)\b")
_IN_DAYS = re.compile(r"\bin\s+(?P<count>a|one|two|three|four|five|six|seven|\d+)\s+(?P<unit>days?|weeks?)\b")
_TIME = re.compile(rf"\bat\s+(?P<hour>{_HOUR})(?::(?P<minute>\d\d))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?(?!\w)")


def resolve_date(text: str, meeting_date: dt.date) -> dt.date | None:
    """The first date ``text`` mentions, resolved against ``meeting_date``; None when it names none.

    An explicit calendar date wins over a weekday ("Tuesday, March twenty fourth").
    """
    lowered = text.lower()
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        match = pattern.search(lowered)
        if match:
            return _month_day(meeting_date, MONTHS.index(match["month"]) + 1, DAY_WORDS[match["day"]])
    match = _END_OF_MONTH.search(lowered)
    if match:
        month = MONTHS.index(match["month"]) + 1 if match["month"] else meeting_date.month
        year = meeting_date.year + (month < meeting_date.month)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if _END_OF_WEEK.search(lowered):
        return _coming_weekday(meeting_date, 4)
    match = _NEXT_WEEKDAY.search(lowered)
    if match:
        monday_next_week = meeting_date + dt.timedelta(days=7 - meeting_date.weekday())
        return monday_next_week + dt.timedelta(days=WEEKDAYS.index(match["weekday"]))
    match = _WEEKDAY_THE_DAY.search(lowered) or _THE_DAY.search(lowered)
    if match:
        return _coming_day_of_month(meeting_date, DAY_WORDS[match["day"]])
    match = _RELATIVE.search(lowered)
    if match:
        offset = {"today": 0, "tonight": 0, "tomorrow": 1, "next week": 7}[match["word"]]
        return meeting_date + dt.timedelta(days=offset)
    match = _IN_DAYS.search(lowered)
    if match:
        count = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}.get(
            match["count"]) or int(match["count"])
        return meeting_date + dt.timedelta(days=count * (7 if match["unit"].startswith("week") else 1))
    match = _WEEKDAY_ONLY.search(lowered)
    if match:
        return _coming_weekday(meeting_date, WEEKDAYS.index(match["weekday"]))
    return None


def resolve_time(text: str) -> str | None:
    """``"at ten"`` -> ``"10:00"``; hours 1-7 without am/pm are taken as afternoon (work hours)."""
    match = _TIME.search(text.lower())
    if match is None:
        return None
    hour = _HOUR_WORDS[match["hour"]]
    ampm = (match["ampm"] or "").replace(".", "")
    if (ampm == "pm" and hour < 12) or (not ampm and 1 <= hour <= 7):
        hour += 12
    return f"{hour:02d}:{match['minute'] or '00'}"


def _coming_weekday(start: dt.date, weekday: int) -> dt.date:
    """The next ``weekday`` after ``start``; the same weekday as the meeting means a week later."""
    return start + dt.timedelta(days=(weekday - start.weekday() - 1) % 7 + 1)


def _month_day(start: dt.date, month: int, day: int) -> dt.date | None:
    """``month``/``day`` in the meeting's year, or the next year when that is long past."""
    for year in (start.year, start.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            return None
        if candidate >= start - dt.timedelta(days=30):
            return candidate
    return None


def _coming_day_of_month(start: dt.date, day: int) -> dt.date | None:
    """"the twenty third": this month if still ahead, else next month."""
    year, month = start.year, start.month
    for _ in range(3):
        if day <= calendar.monthrange(year, month)[1] and dt.date(year, month, day) >= start:
            return dt.date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None
