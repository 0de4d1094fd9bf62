"""Rule-based, grounded extraction of action items, decisions, open questions, topics and the next meeting.

Every item is built from transcript sentences and carries them as evidence: nothing here can invent a
name, a date or a fact. Language models may rephrase items later; the transcript decides what exists.
"""

from companion.text.extract.actions import action_items
from companion.text.extract.context import MAX_EVIDENCE
from companion.text.extract.decisions import agreements, decisions
from companion.text.extract.meeting import next_meeting, topics
from companion.text.extract.questions import open_questions

__all__ = ["MAX_EVIDENCE", "action_items", "agreements", "decisions", "next_meeting", "open_questions", "topics"]
