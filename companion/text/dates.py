"""Due dates and meeting times said in words, resolved against the meeting's date.

"by Friday", "next Tuesday", "tomorrow", "on the twenty third", "March seventeenth", "end of May", "after lunch",
"give me two days", "early next week", "Tuesday week", "mid-April", "Monday at ten", "at half nine". Spoken
numbers are common in transcripts ("forty eight"), so ordinals are words too. Phrases are tried in a fixed order,
most explicit first, so a calendar date wins over a weekday and a weekday over "after lunch".
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable

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
# The verb is no month: "we may first check", "the first may be hard"; "May first" and "may 14" are.
_MONTH = r"(?!(?-i:may\s+[a-z]))(?:" + "|".join(MONTHS) + ")"
_WEEKDAY = "|".join(WEEKDAYS)
_HOUR_WORDS = {w: i for i, w in enumerate(_UNITS[:13])} | {str(i): i for i in range(24)}
_HOUR = "|".join(sorted((re.escape(w) for w in _HOUR_WORDS if w), key=len, reverse=True))
_COUNT_WORDS = {w: i for i, w in enumerate(_UNITS[:13]) if w} | {"a": 1, "an": 1, "couple": 2, "few": 3}
_COUNT = "|".join(sorted(_COUNT_WORDS, key=len, reverse=True))
_MINUTE_WORDS = {"o'clock": 0, "oclock": 0, "o clock": 0, "fifteen": 15, "thirty": 30, "forty five": 45,
                 "forty-five": 45}
_MINUTE = "|".join(re.escape(w) for w in _MINUTE_WORDS)
# Marker words belong to the due phrase ("by Friday"), and so does the event a date is tied to ("before the
# board meeting on the 14th"), so that due_phrase_span can cut the whole of it out of a task.
_AHEAD = r"(?:\b(?:before|after|ahead\s+of)\s+(?:the|our|my|your|their)\s+(?:[a-z]+\s+){0,3}?)?"
_MARKER = rf"{_AHEAD}\b(?:by|before|on|until|till|for|after|due|no\s+later\s+than)\s+"
_CLOSE = r"(?:first\s+thing|eod|cob|(?:the\s+)?(?:end|close)\s+of\s+(?:the\s+)?(?:day|business|play))"
_LEAD = rf"(?:{_MARKER})?(?:{_CLOSE}\s+(?:on\s+)?)?(?:this\s+)?"
_DAYTIME = r"(?:\s+(?:morning|afternoon|evening|night|first\s+thing|eod|end\s+of\s+(?:the\s+)?day))?"
# "the end of", "early", "mid-", "middle of": where in a week or month.
_PART = r"(?:the\s+)?(?P<part>(?:end|middle|beginning|start)(?=\s+of\b)|early|mid)(?:\s+of)?[\s-]+(?:the\s+)?"
_I = re.IGNORECASE

_MONTH_DAY = re.compile(rf"{_LEAD}\b(?P<month>{_MONTH})\s+(?:the\s+)?(?P<day>{_DAY})\b", _I)
_DAY_MONTH = re.compile(rf"{_LEAD}\b(?:the\s+)?(?P<day>{_DAY})\s+(?:of\s+)?(?P<month>{_MONTH})\b", _I)
_MONTH_PART = re.compile(rf"{_LEAD}\b{_PART}(?P<month>(?:next\s+|this\s+)?month|{_MONTH})\b", _I)
_NEXT_MONTH = re.compile(rf"{_LEAD}\b(?P<month>next\s+month)\b", _I)
_THIS_WEEK = re.compile(rf"{_LEAD}\b(?:(?:(?:the\s+)?end\s+of|within)\s+(?:the|this)|this)\s+week\b", _I)
_NEXT_WEEK_PART = re.compile(rf"{_LEAD}\b{_PART}next\s+week\b", _I)
_NEXT_WEEKDAY = re.compile(rf"{_LEAD}\bnext\s+(?:week,?\s+(?:on\s+)?)?(?P<weekday>{_WEEKDAY})\b{_DAYTIME}", _I)
_WEEKDAY_NEXT_WEEK = re.compile(rf"{_LEAD}\b(?P<weekday>{_WEEKDAY})\s+(?:of\s+)?next\s+week\b", _I)
_WEEKDAY_WEEK = re.compile(rf"{_LEAD}\b(?P<weekday>{_WEEKDAY})\s+week\b", _I)  # "Tuesday week"
_WEEKDAY_THE_DAY = re.compile(rf"{_LEAD}\b(?P<weekday>{_WEEKDAY})\s+(?:the\s+)?(?P<day>{_DAY})\b", _I)
_WEEKDAY_ONLY = re.compile(rf"{_LEAD}\b(?P<weekday>{_WEEKDAY})\b{_DAYTIME}", _I)
# "the second one", "on the third attempt", "for the first forty eight hours" are no dates: a bare day needs a
# marker before it and the end of the clause (or a word that starts the next one) after it.
_CLAUSE_END = (r"(?=\s*(?:[,.;:!?)-]|$)|\s+(?:at|and|or|so|then|please|latest|i|we|you|they|he|she|it|if|when|but"
               r"|because|is|works|ok|okay|right)\b)")
"""What may follow a bare day of the month: the end of the clause or a word that starts the next one."""
_THE_DAY = re.compile(rf"(?:{_MARKER}|(?:\bis|'s)\s+)the\s+(?P<day>{_DAY})\b{_CLAUSE_END}", _I)
# "the 26th" in digits is a date wherever it stands and outranks a weekday said with it: "the Tuesday after the
# bank holiday, the 26th"; not when it only names an event's day ("the weekend of the 18th, by Thursday").
_DIGIT_DAY = re.compile(rf"{_LEAD}(?<!\bof\s)\bthe\s+(?P<day>\d{{1,2}}(?:st|nd|rd|th))\b{_CLAUSE_END}", _I)
_WEEK_FROM = re.compile(
    rf"{_LEAD}\ba\s+(?P<unit>week|fortnight)\s+(?P<from>today|tomorrow|(?:on\s+)?(?P<weekday>{_WEEKDAY}))\b", _I)
_NTH_WEEKDAY = re.compile(rf"{_LEAD}\b(?:the\s+)?(?P<nth>first|second|third|fourth|last)\s+(?P<weekday>{_WEEKDAY})"
                          rf"\s+(?:in|of)\s+(?P<month>next\s+month|{_MONTH})\b", _I)
_RELATIVE = re.compile(rf"{_LEAD}\b(?P<word>(?:the\s+)?day\s+after\s+tomorrow|tomorrow)\b{_DAYTIME}", _I)
_NEXT_WEEK = re.compile(rf"{_LEAD}\bnext\s+week\b", _I)
# A count of days is a due date only when asked for or given a deadline: "for two days we had outages" is not.
_SPAN = (rf"(?:an?\s+(?=couple|few))?(?P<count>{_COUNT}|\d{{1,3}})(?:\s+of)?\s+(?:more\s+)?"
         r"(?P<unit>days?|weeks?|fortnights?)\b")
_IN_COUNT = re.compile(
    rf"\b(?:in|within|give\s+(?:me|us|him|her|them)|needs?)\s+(?:about\s+|another\s+|just\s+)?{_SPAN}"
    r"(?:'s?\s+time|\s+time)?", _I)
_COUNT_FROM_NOW = re.compile(rf"\b{_SPAN}\s+from\s+(?:now|today)\b", _I)
# The lowest priority: "send it Friday, I'll start after lunch" is due Friday. "At the end of the day" is an idiom.
_SAME_DAY = re.compile(
    rf"{_LEAD}\b(?:today|tonight|this\s+(?:afternoon|evening)|(?:after|over|before|by)\s+lunch(?:time)?|eod|cob"
    r"|(?:straight\s+|right\s+)?after\s+(?:this|the)\s+(?:meeting|call)"
    r"|close\s+of\s+(?:business|play)|(?<!\bat\s)(?:the\s+)?(?<!\bat the )end\s+of\s+(?:the\s+)?(?:day|business))\b",
    _I)

_NOON = re.compile(r"\b(?:at\s+)?(?:noon|midday)\b", _I)
_HALF_PAST = re.compile(
    rf"\b(?:(?P<half>half)(?:\s+past)?|quarter\s+(?P<direction>past|to))\s+(?P<hour>{_HOUR})(?!\w)", _I)
# A bare number is no time: it needs "at", a minute ("nine thirty", "9:30") or am/pm ("9am", "2 p.m.").
_CLOCK = re.compile(
    rf"(?P<at>\bat\s+(?:about\s+|around\s+)?)?\b(?P<hour>{_HOUR})(?::(?P<digits>[0-5]\d)|\s+(?P<words>{_MINUTE}))?"
    r"\s*(?:(?P<ampm>[ap]\.?m\b\.?)|(?P<sharp>sharp\b))?(?!\w)", _I)

_Resolver = Callable[[re.Match[str], dt.date], dt.date | None]
_PART_DAY_OF_MONTH = {"beginning": 1, "start": 1, "early": 5, "mid": 15, "middle": 15, "end": 31}
_PART_DAY_OF_WEEK = {"beginning": 0, "start": 0, "early": 0, "mid": 2, "middle": 2, "end": 4}


def resolve_date(text: str, meeting_date: dt.date) -> dt.date | None:
    """The date ``text`` names, resolved against ``meeting_date``; None when it names none.

    An explicit calendar date wins over a weekday ("Tuesday, March twenty fourth"), a weekday over "after lunch".
    """
    found = _find(text, meeting_date)
    return found[0] if found else None


_ANY_DAY = dt.date(2026, 1, 5)
"""A reference day for :func:`names_a_date`: which day does not matter, only whether one resolves."""


def names_a_date(text: str) -> bool:
    """Whether ``text`` names a date at all ("Thursday, time to be confirmed", "by the 14th")."""
    return resolve_date(text, _ANY_DAY) is not None


def due_phrase_span(text: str, meeting_date: dt.date) -> tuple[int, int] | None:
    """Where in ``text`` the phrase that resolve_date read lies, with its marker and the blanks before it.

    "run a load test by Friday" -> the span of " by Friday", so that cutting it out leaves the bare task.
    """
    found = _find(text, meeting_date)
    if found is None:
        return None
    start, end = found[1].span()
    return len(text[:start].rstrip()), end


def _find(text: str, meeting_date: dt.date) -> tuple[dt.date, re.Match[str]] | None:
    """The first rule, in priority order, whose phrase is in ``text`` and names a real date."""
    for pattern, resolver in _RULES:
        match = pattern.search(text)
        if match and (day := resolver(match, meeting_date)):
            return day, match
    return None


def _calendar_date(match: re.Match[str], start: dt.date) -> dt.date | None:
    """"March seventeenth", "the 14th of May"."""
    return _month_day(start, MONTHS.index(match["month"].lower()) + 1, DAY_WORDS[match["day"].lower()])


def _month_part(match: re.Match[str], start: dt.date) -> dt.date:
    """"end of May", "mid-April", "early next month", "next month" (its 1st), "end of the month"."""
    words = match["month"].lower().split()
    year, month = start.year, start.month
    if words[0] == "next":
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    elif words[-1] != "month":
        month = MONTHS.index(words[-1]) + 1
        year += month < start.month
    last = calendar.monthrange(year, month)[1]
    part = match.groupdict().get("part") or "start"
    return dt.date(year, month, min(_PART_DAY_OF_MONTH[part.lower()], last))


def _end_of_this_week(_: re.Match[str], start: dt.date) -> dt.date:
    """"end of the week", "within the week", "this week": the coming Friday."""
    return _coming_weekday(start, 4)


def _next_week_part(match: re.Match[str], start: dt.date) -> dt.date:
    """"early next week" is its Monday, "mid next week" its Wednesday, "end of next week" its Friday."""
    return _monday_next_week(start) + dt.timedelta(days=_PART_DAY_OF_WEEK[match["part"].lower()])


def _next_weekday(match: re.Match[str], start: dt.date) -> dt.date:
    """"next Tuesday", "Tuesday next week": the Tuesday of the week after the meeting's."""
    return _monday_next_week(start) + dt.timedelta(days=WEEKDAYS.index(match["weekday"].lower()))


def _weekday_week(match: re.Match[str], start: dt.date) -> dt.date:
    """"Tuesday week": a week after the coming Tuesday."""
    return _weekday(match, start) + dt.timedelta(days=7)


def _weekday(match: re.Match[str], start: dt.date) -> dt.date:
    """"Friday", "first thing Monday", "Monday morning": the coming one."""
    return _coming_weekday(start, WEEKDAYS.index(match["weekday"].lower()))


def _day_of_month(match: re.Match[str], start: dt.date) -> dt.date | None:
    """"on the twenty third", "Friday the twentieth": this month if still ahead, else next month."""
    return _coming_day_of_month(start, DAY_WORDS[match["day"].lower()])


def _week_from(match: re.Match[str], start: dt.date) -> dt.date:
    """"a week tomorrow", "a fortnight today", "a week on Friday": a week or two after that day."""
    said = match["from"].lower()
    day = _weekday(match, start) if match["weekday"] else start + dt.timedelta(days=said == "tomorrow")
    return day + dt.timedelta(days=14 if match["unit"].lower() == "fortnight" else 7)


def _nth_weekday(match: re.Match[str], start: dt.date) -> dt.date:
    """"the first Tuesday in July", "the last Friday of next month"."""
    month_start = _month_part(match, start)
    weekday = WEEKDAYS.index(match["weekday"].lower())
    days = [dt.date(month_start.year, month_start.month, d)
            for d in range(1, calendar.monthrange(month_start.year, month_start.month)[1] + 1)]
    matching = [d for d in days if d.weekday() == weekday]
    nth = match["nth"].lower()
    return matching[-1] if nth == "last" else matching[["first", "second", "third", "fourth"].index(nth)]


def _relative(match: re.Match[str], start: dt.date) -> dt.date:
    """"tomorrow" is a day on, "the day after tomorrow" two."""
    return start + dt.timedelta(days=1 if match["word"].lower() == "tomorrow" else 2)


def _week_on(_: re.Match[str], start: dt.date) -> dt.date:
    """"next week" without a weekday: a week from the meeting."""
    return start + dt.timedelta(days=7)


def _count(match: re.Match[str], start: dt.date) -> dt.date:
    """"give me two days", "in a fortnight", "a couple of weeks from now"."""
    count = _COUNT_WORDS.get(match["count"].lower()) or int(match["count"])
    return start + dt.timedelta(days=count * {"d": 1, "w": 7, "f": 14}[match["unit"][0].lower()])


def _same_day(_: re.Match[str], start: dt.date) -> dt.date:
    """"today", "tonight", "after lunch", "EOD", "close of business": the meeting's day."""
    return start


_RULES: tuple[tuple[re.Pattern[str], _Resolver], ...] = (
    (_NTH_WEEKDAY, _nth_weekday), (_MONTH_DAY, _calendar_date), (_DAY_MONTH, _calendar_date),
    (_MONTH_PART, _month_part), (_DIGIT_DAY, _day_of_month), (_WEEKDAY_THE_DAY, _day_of_month),
    (_WEEK_FROM, _week_from), (_THIS_WEEK, _end_of_this_week), (_NEXT_WEEK_PART, _next_week_part),
    (_NEXT_WEEKDAY, _next_weekday), (_WEEKDAY_NEXT_WEEK, _next_weekday),
    (_THE_DAY, _day_of_month), (_NEXT_MONTH, _month_part),
    (_RELATIVE, _relative), (_NEXT_WEEK, _week_on), (_IN_COUNT, _count), (_COUNT_FROM_NOW, _count),
    (_WEEKDAY_WEEK, _weekday_week), (_WEEKDAY_ONLY, _weekday), (_SAME_DAY, _same_day),
)


def resolve_time(text: str) -> str | None:
    """The first clock time in ``text`` as "HH:MM": "at ten", "nine thirty", "at half nine", "2 p.m.", "noon".

    Hours 1-7 without am/pm are taken as afternoon (work hours) unless "in the morning" follows.
    """
    found = [(match.start(), match.end(), time) for pattern in (_NOON, _HALF_PAST, _CLOCK)
             for match in pattern.finditer(text) if (time := _time_of(match))]
    if not found:
        return None
    _, end, time = min(found)
    if _MORNING.match(text[end:]) and time >= "13:00":  # "half five in the morning"
        return f"{int(time[:2]) - 12:02d}{time[2:]}"
    return time


_MORNING = re.compile(r"[,\s]*in the morning\b", _I)
"""Said after an hour that reads as afternoon, the morning: "half five in the morning"."""


def _time_of(match: re.Match[str]) -> str | None:
    """One time match as "HH:MM"; a bare number ("nine") is None."""
    groups = match.groupdict()
    if "hour" not in groups:
        return "12:00"
    hour = _HOUR_WORDS[match["hour"].lower()]
    if "direction" in groups:  # half past / quarter past / quarter to
        return _hh_mm(hour, 30 if groups["half"] else 15 if groups["direction"].lower() == "past" else -15)
    if not (groups["at"] or groups["digits"] or groups["words"] or groups["ampm"] or groups["sharp"]):
        return None
    minute = int(groups["digits"]) if groups["digits"] else _MINUTE_WORDS.get((groups["words"] or "").lower(), 0)
    return _hh_mm(hour, minute, (groups["ampm"] or "").replace(".", "").lower())


def _hh_mm(hour: int, minute: int, ampm: str = "") -> str:
    """``hour`` and ``minute`` (-15 for "quarter to") as "HH:MM", reading 1-7 without am/pm as afternoon."""
    if (ampm == "pm" and hour < 12) or (not ampm and 1 <= hour <= 7):
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    hour, minute = divmod((hour * 60 + minute) % (24 * 60), 60)
    return f"{hour:02d}:{minute:02d}"


def _monday_next_week(start: dt.date) -> dt.date:
    """The Monday of the week after the meeting's."""
    return start + dt.timedelta(days=7 - start.weekday())


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
