"""Minutes on real meetings: the AMI meetings whose human minutes are linked to the dialogue acts behind them.

Matching rule (by evidence, as the annotators linked it): a human action (decision) sentence is found when the
evidence of one of our action items (decisions) quotes a dialogue act linked to it, that is, the evidence
span overlaps the act's span and has its speaker. An emitted item is right when its evidence quotes an act
linked to any human action, decision or problem sentence. Owner accuracy counts the found human actions that
name a role ("The Industrial Designer will ...") whose item has that owner, in the meetings whose speakers' roles
are known (the test meetings under ``real/ami``; elsewhere the speakers are letters, and the column reads 0/0).
Beside ours, a baseline emits the same number of items from the most central sentences (TextRank). ``--pairs``
prints each found human sentence beside the item that found it, for checking the rule by hand.

    .venv/bin/python benchmarks/minutes_real.py [--split test|dev] [--pairs]

Targets (test split): action recall >= 0.5 and decision recall >= 0.5 at precision >= 0.5, no item without
evidence. Thresholds are chosen on dev (scripts/train_detector.py); report test, never tune on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import report

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", REPO.parent / "shared" / "data"))
TARGET = {"action recall": 0.5, "decision recall": 0.5, "precision": 0.5}

from companion.evaluation import AMI_ROLES, LinkedMeeting, read_linked_meeting  # noqa: E402
from companion.models import Evidence, Minutes, Transcript  # noqa: E402


@dataclass
class Tally:
    found: dict[str, int] = field(default_factory=lambda: {"actions": 0, "decisions": 0})
    total: dict[str, int] = field(default_factory=lambda: {"actions": 0, "decisions": 0})
    emitted: int = 0
    right: int = 0
    owners_named: int = 0
    owners_right: int = 0
    without_evidence: int = 0
    pairs: list[str] = field(default_factory=list)

    def recall(self, section: str) -> float:
        return self.found[section] / max(1, self.total[section])

    @property
    def precision(self) -> float:
        return self.right / max(1, self.emitted)


def quotes(evidence: Sequence[Evidence], meeting: LinkedMeeting, acts: set[str]) -> bool:
    """True when an evidence span overlaps one of ``acts`` (by time) and has its speaker."""
    return any(e.speaker == segment.speaker and e.start < segment.end and e.end > segment.start
               for e in evidence for segment, act in zip(meeting.segments, meeting.act_ids, strict=True)
               if act in acts)


def score(meeting: LinkedMeeting, actions: list[tuple[str | None, str, tuple[Evidence, ...]]],
          decisions: list[tuple[str, tuple[Evidence, ...]]], tally: Tally) -> None:
    """Add one meeting's found, emitted and right items to ``tally``."""
    linked = set().union(*(ids for section in meeting.sections.values() for _, ids in section))
    for name, items in (("actions", [(o, t, e) for o, t, e in actions]), ("decisions", [(None, t, e) for t, e in
                                                                                         decisions])):
        for sentence, acts in meeting.sections[name]:
            tally.total[name] += 1
            hit = next((item for item in items if quotes(item[2], meeting, acts)), None)
            if hit is None:
                continue
            tally.found[name] += 1
            tally.pairs.append(f"{meeting.name} {name[:-1]:8} HUMAN {sentence}\n{'':22}OURS  {hit[0] or ''}: {hit[1]}")
            role = next((r for r in AMI_ROLES if r.lower() in sentence.lower()), None)
            if name == "actions" and role and meeting.segments[0].speaker in AMI_ROLES:  # roles known: test only
                tally.owners_named += 1
                tally.owners_right += hit[0] == role
    for _, _, evidence in [*actions, *((None, t, e) for t, e in decisions)]:
        tally.emitted += 1
        tally.right += quotes(evidence, meeting, linked)
        tally.without_evidence += not evidence


def ours(meeting: LinkedMeeting) -> Minutes:
    from companion.jobs import run_job
    from companion.llm.minutes import write_minutes

    transcript = Transcript(tuple(meeting.segments), meeting.segments[-1].end)
    people = list(dict.fromkeys(s.speaker for s in meeting.segments))
    return run_job(write_minutes(transcript, dt.date(2026, 1, 5), people))  # type: ignore[arg-type]


def baseline(meeting: LinkedMeeting, minutes: Minutes) -> tuple[list[tuple[str | None, str, tuple[Evidence, ...]]],
                                                                 list[tuple[str, tuple[Evidence, ...]]]]:
    """As many action items and decisions as ours, taken from the most central sentences (TextRank)."""
    from companion.llm.summary import rank_sentences
    from companion.text.sentences import split_sentences

    ranked = rank_sentences(split_sentences(meeting.segments))
    count = len(minutes.action_items)
    actions = [(None, s.text, (s.evidence,)) for s in ranked[:count]]
    decisions = [(s.text, (s.evidence,)) for s in ranked[count:count + len(minutes.decisions)]]
    return actions, decisions


def roles_of(name: str) -> dict[str, str] | None:
    path = SHARED / "real" / "ami" / f"{name}.json"
    return json.loads(path.read_text())["speakers"] if path.exists() else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test", choices=["train", "dev", "test"])
    parser.add_argument("--pairs", action="store_true", help="print each found human sentence beside our item")
    args = parser.parse_args()
    folder = SHARED / "real" / "ami-links"
    if not folder.is_dir():
        print(f"skipped: {folder} is missing")
        return 0
    tallies = {"ours": Tally(), "TextRank baseline": Tally()}
    for path in sorted(folder.glob("*.json")):
        if json.loads(path.read_text())["split"] != args.split:
            continue
        meeting = read_linked_meeting(path, roles_of(path.stem))
        if not any(meeting.sections.values()):
            continue
        minutes = ours(meeting)
        score(meeting, [(a.owner, a.task, a.evidence) for a in minutes.action_items],
              [(d.text, d.evidence) for d in minutes.decisions], tallies["ours"])
        score(meeting, *baseline(meeting, minutes), tallies["TextRank baseline"])
    if args.pairs:
        print("\n".join(tallies["ours"].pairs))
    print(f"\nAMI {args.split}: matched by evidence (linked dialogue acts)")
    print(f"{'system':<18} {'actions':>9} {'decisions':>10} {'precision':>10} {'items':>6} {'owners':>7} "
          f"{'no evid.':>8}")
    for name, t in tallies.items():
        print(f"{name:<18} {t.found['actions']:>3}/{t.total['actions']:<3} {t.recall('actions'):.2f} "
              f"{t.found['decisions']:>3}/{t.total['decisions']:<3} {t.recall('decisions'):.2f} {t.precision:>10.2f} "
              f"{t.emitted:>6} {t.owners_right:>3}/{t.owners_named:<3} {t.without_evidence:>8}")
    t = tallies["ours"]
    met = (t.recall("actions") >= TARGET["action recall"] and t.recall("decisions") >= TARGET["decision recall"]
           and t.precision >= TARGET["precision"] and t.without_evidence == 0)
    print(f"targets (action and decision recall >= 0.5 at precision >= 0.5, all with evidence): "
          f"{'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(report.run(main))
