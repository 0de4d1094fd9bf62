"""Minutes as Markdown, HTML, DOCX, PDF and JSON; SRT and VTT carry the meeting's transcript.

The document formats render one outline (:func:`outline`), so they always say the same things. Each format
that has a place for it carries the meeting's language: the JSON ``meeting`` object, the HTML ``lang``
attribute, the DOCX core properties, the PDF catalogue and a WebVTT header line (SRT has none).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

from companion.clock import clock
from companion.errors import CompanionError
from companion.models import Evidence, Meeting, Minutes
from companion.transcript_files import write_transcript

MINUTES_FORMATS = ("md", "json", "html", "docx", "pdf", "srt", "vtt")
TRANSCRIPT_FORMATS = ("srt", "vtt")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False
    """Small print (who wrote the minutes) rather than body text."""


@dataclass(frozen=True)
class Bullets:
    items: tuple[tuple[str, str], ...]
    """(text, citation) pairs."""


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Bullets | Table


def cite(evidence: tuple[Evidence, ...]) -> str:
    """``"00:40 Anna, 00:43 Ben"``: where in the recording an item was said."""
    return ", ".join(f"{clock(e.start)} {e.speaker}".strip() for e in evidence)


def outline(meeting: Meeting, minutes: Minutes) -> list[Block]:
    """The minutes as a sequence of headings, paragraphs, lists and tables."""
    facts = f"Team: {meeting.team} · Date: {meeting.date} · Duration: {clock(meeting.duration_s)}"
    if meeting.participants:
        facts += f" · Participants: {', '.join(meeting.participants)}"
    blocks: list[Block] = [
        Heading(meeting.title, 1),
        Paragraph(facts),
        Heading("Summary"),
        Paragraph(minutes.summary or "Nothing to summarise."),
        Heading("Decisions"),
        Bullets(tuple((d.text, cite(d.evidence)) for d in minutes.decisions) or (("none", ""),)),
        Heading("Action items"),
        Table(("Owner", "Task", "Due", "Said at"),
              tuple((a.owner or "?", a.task, a.due or "-", cite(a.evidence)) for a in minutes.action_items)),
        Heading("Open questions"),
        Bullets(tuple((q.text, cite(q.evidence)) for q in minutes.open_questions) or (("none", ""),)),
    ]
    if minutes.topics:
        blocks += [Heading("Topics"),
                   Bullets(tuple((t.title, f"{clock(t.start)} to {clock(t.end)}") for t in minutes.topics))]
    blocks.append(Paragraph(f"Next meeting: {(minutes.next_meeting or 'not set').replace('T', ' ')}"))
    written_by = "; ".join(f"{part}: {author}" for part, author in minutes.authors.items())
    blocks.append(Paragraph(f"Written on this computer by Meeting Companion ({written_by}).", note=True))
    return blocks


def render_minutes(meeting: Meeting, minutes: Minutes, fmt: str, *, shareable: bool = False) -> str | bytes:
    """Render ``minutes`` of ``meeting`` in one of :data:`MINUTES_FORMATS` (bytes for DOCX and PDF).

    ``shareable``: for minutes that leave the machine, without the evidence quotes (the JSON keeps where and by
    whom each item was said) and never the transcript (SRT and VTT are refused).
    """
    if shareable and fmt in TRANSCRIPT_FORMATS:
        raise CompanionError(f"a shareable export leaves the transcript out, and {fmt.upper()} is the transcript: "
                             "choose md, html, docx, pdf or json")
    if fmt == "json":
        contract = minutes.contract_dict(meeting)
        contract["meeting"]["language"] = meeting.language
        return json.dumps(_without_quotes(contract) if shareable else contract, indent=2, ensure_ascii=False) + "\n"
    if fmt == "srt":
        return write_transcript(meeting.transcript, fmt)
    if fmt == "vtt":
        # Lines after WEBVTT up to the first blank one are the header, which players and our reader skip.
        header = f"WEBVTT\nLanguage: {meeting.language}\n"
        return write_transcript(meeting.transcript, fmt).replace("WEBVTT\n", header, 1)
    blocks = outline(meeting, minutes)
    if fmt == "md":
        return _markdown(blocks)
    if fmt == "html":
        return _html(blocks, meeting.title, meeting.language)
    if fmt == "docx":
        from companion.export.documents import docx_bytes

        return docx_bytes(blocks, meeting.language)
    if fmt == "pdf":
        from companion.export.documents import pdf_bytes

        return pdf_bytes(blocks, meeting.language)
    raise ValueError(f"unknown minutes format {fmt!r}; choose one of {', '.join(MINUTES_FORMATS)}")


def _without_quotes(value: Any) -> Any:
    """``value`` (the minutes JSON) with every evidence quote taken out."""
    if isinstance(value, dict):
        return {key: _without_quotes(item) for key, item in value.items() if key != "quote"}
    if isinstance(value, list | tuple):
        return [_without_quotes(item) for item in value]
    return value


def _markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            lines += [f"_{block.text}_" if block.note else block.text, ""]
        elif isinstance(block, Bullets):
            lines += [f"- {text} _({where})_" if where else f"- {text}" for text, where in block.items] + [""]
        else:
            lines += ["| " + " | ".join(block.header) + " |", "|" + "---|" * len(block.header)]
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows] + [""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _html(blocks: list[Block], title: str, language: str) -> str:
    e = html.escape
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{e(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p class=note>{e(block.text)}</p>" if block.note else f"<p>{e(block.text)}</p>")
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{e(text)} <span class=cite>{e(where)}</span></li>" for text, where in block.items)
            body.append(f"<ul>{items}</ul>")
        else:
            header = "".join(f"<th>{e(h)}</th>" for h in block.header)
            rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in block.rows)
            body.append(f"<table><tr>{header}</tr>{rows}</table>")
    style = ("body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;line-height:1.5;color:#222}"
             "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;"
             "text-align:left}th{background:#eef3fc}.cite,.note{color:#666;font-size:.9em}")
    return (f'<!doctype html>\n<html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
