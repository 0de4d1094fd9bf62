"""Minutes as Markdown, HTML and JSON; SRT and VTT carry the meeting's transcript."""

from __future__ import annotations

import html
import json

from companion.models import Evidence, Meeting, Minutes
from companion.transcript_files import write_transcript

MINUTES_FORMATS = ("md", "json", "html", "srt", "vtt")


def render_minutes(meeting: Meeting, minutes: Minutes, fmt: str) -> str:
    """Render ``minutes`` of ``meeting`` in one of :data:`MINUTES_FORMATS`."""
    if fmt == "json":
        return json.dumps(minutes.contract_dict(meeting), indent=2, ensure_ascii=False) + "\n"
    if fmt in ("srt", "vtt"):
        return write_transcript(meeting.transcript, fmt)
    if fmt == "md":
        return _markdown(meeting, minutes)
    if fmt == "html":
        return _html(meeting, minutes)
    raise ValueError(f"unknown minutes format {fmt!r}; choose one of {', '.join(MINUTES_FORMATS)}")


def clock(seconds: float) -> str:
    """``75.2`` -> ``"01:15"``; hours appear when needed."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _cite(evidence: tuple[Evidence, ...]) -> str:
    return ", ".join(f"{clock(e.start)} {e.speaker}".strip() for e in evidence)


def _markdown(meeting: Meeting, minutes: Minutes) -> str:
    lines = [f"# {meeting.title}", "", f"**Team:** {meeting.team} · **Date:** {meeting.date} · "
             f"**Duration:** {clock(meeting.duration_s)}"]
    if meeting.participants:
        lines.append(f"**Participants:** {', '.join(meeting.participants)}")
    lines += ["", "## Summary", "", minutes.summary or "_Nothing to summarise._", ""]
    lines += ["## Decisions", ""]
    lines += [f"- {d.text} _({_cite(d.evidence)})_" for d in minutes.decisions] or ["- none"]
    lines += ["", "## Action items", "", "| Owner | Task | Due | Said at |", "|---|---|---|---|"]
    lines += [f"| {_cell(a.owner or '?')} | {_cell(a.task)} | {a.due or '-'} | {_cell(_cite(a.evidence))} |"
              for a in minutes.action_items]
    lines += ["", "## Open questions", ""]
    lines += [f"- {q.text} _({_cite(q.evidence)})_" for q in minutes.open_questions] or ["- none"]
    if minutes.topics:
        lines += ["", "## Topics", ""] + [f"- {clock(t.start)} to {clock(t.end)} {t.title}" for t in minutes.topics]
    if minutes.next_meeting:
        lines += ["", f"**Next meeting:** {minutes.next_meeting.replace('T', ' ')}"]
    written_by = "; ".join(f"{part}: {author}" for part, author in minutes.authors.items())
    lines += ["", f"_Written on this computer by Meeting Companion ({written_by})._", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _html(meeting: Meeting, minutes: Minutes) -> str:
    e = html.escape

    def statements(title: str, items: list[str]) -> str:
        body = "".join(f"<li>{item}</li>" for item in items) or "<li>none</li>"
        return f"<h2>{title}</h2><ul>{body}</ul>"

    rows = "".join(
        f"<tr><td>{e(a.owner or '?')}</td><td>{e(a.task)}</td><td>{e(a.due or '-')}</td>"
        f"<td class=cite>{e(_cite(a.evidence))}</td></tr>"
        for a in minutes.action_items
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(meeting.title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;line-height:1.5;color:#222}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}}
th{{background:#eef3fc}}.cite{{color:#666;font-size:.9em}}</style></head><body>
<h1>{e(meeting.title)}</h1>
<p><b>Team:</b> {e(meeting.team)} · <b>Date:</b> {e(meeting.date)} · <b>Duration:</b> {clock(meeting.duration_s)}
<br><b>Participants:</b> {e(", ".join(meeting.participants) or "-")}</p>
<h2>Summary</h2><p>{e(minutes.summary)}</p>
{statements("Decisions", [f"{e(d.text)} <span class=cite>({e(_cite(d.evidence))})</span>" for d in minutes.decisions])}
<h2>Action items</h2><table><tr><th>Owner</th><th>Task</th><th>Due</th><th>Said at</th></tr>{rows}</table>
{statements("Open questions",
            [f"{e(q.text)} <span class=cite>({e(_cite(q.evidence))})</span>" for q in minutes.open_questions])}
<p><b>Next meeting:</b> {e((minutes.next_meeting or "not set").replace("T", " "))}</p>
</body></html>
"""
