"""Decisions: stated, settled, proposed and assented to, or read as decided by the detector."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from companion.models import Statement
from companion.text import wording
from companion.text.detector import Verdicts
from companion.text.extract.context import (
    ASKS_ASSENT,
    COMMITTED,
    CONTEXT_TURNS,
    FILLER,
    KEPT_OPEN,
    MAX_CONTEXT_SENTENCES,
    NON_QUESTIONS,
    PROPOSAL,
    PROPOSING,
    RULE_SUPPORT,
    about_meeting,
    merge_statement,
    next_sentence,
    turn_of,
    turns_before,
    with_topic,
)
from companion.text.sentences import Sentence, content_words

_DECLARED = re.compile(
    r"\b(?:decision made|the decision is|final answer|we(?:'ve| have)? decided|it'?s decided|final decision|new rule|"
    r"(?:from|as of) (?:now on|today|tomorrow|next \w+|this \w+ on)|"
    r"that'?s what we'?(?:ll| will) do(?=\s*[:,-]\s*\w))\b|"
    r"\bdecisions?:|^going forward,",
    re.IGNORECASE,
)
"""Words that declare a decision whatever else the sentence says ("From today, no pours if rain is forecast."):
the detector, which learned decisions mostly from AMI's design talk, is not asked."""
_DECIDED = re.compile(
    r"\b(?:we agree|we agreed|we all agree|agreed on|let'?s go with|we'?ll go with|we go with|we will go with|"
    r"we decide|we are going with|we're going with|go ahead with|starting (?:now|today|tomorrow|next \w+))\b|"
    r"(?<!\bthink )(?<!\bwhat )(?<!\bknow )\b(?!(?:if|how|as|what|whatever|however|where|whether|because|that)\b)"
    r"\w+ it is(?:,? then)?\s*[.!,]|"
    rf"^{FILLER}then,?\s+(?!I\b|I'|what\b|who\b|how\b|why\b|there\b|(?:we|you|they|it) (?:have|has|need|can|could|"
    r"might|may|should|would|must)\b|(?:we|you|they|it)'d\b)\w",
    re.IGNORECASE,
)
"""Words that mostly mark a decision ("Then we move the site visit to Friday."); the detector must not object."""
_FIRST_PERSON = re.compile(r"\bI(?:'m|'ll| am| will| won't)\b")
_DECISION_CUE = re.compile(
    r"\b(?:decid\w*|agree\w*|settled|go with|going with|go for|stick with|opt for|from now on|from next \w+|"
    r"we(?:'ll| will| are going to|'re going to| won't| will not) \w+|we(?:'re| are) \w+ing|let'?s \w+|shall we|"
    r"should we|we should)\b",
    re.IGNORECASE)
_WEAK_ASSENT = re.compile(r"^(?:yes|yeah|yep|sure|fine|okay|ok)\b", re.IGNORECASE)
"""Assent that as often only acknowledges: it confirms a proposal the detector also reads as a decision."""
_PROPOSING_QUESTION = re.compile(rf"^{FILLER}(?:shall we|should we|how about|what about|why don'?t we|can we just|"
                                 r"we could|"
                                 rf"(?:(?:i )?wonder,? )?(?:{PROPOSING})|"
                                 r"(?:does|do|would) (?:any(?:one|body)|every(?:one|body)|you all) (?:object|mind)|"
                                 r"could we just|what if we|(?:so |and )?what if)\b", re.IGNORECASE)
_ASKING_START = re.compile(rf"^{FILLER}(?:do|does|did|is|are|was|were|am|can|could|will|would|should|shall|have|has|"
                           r"had|may|might|must|what|who|whom|whose|when|where|why|how|which|any|anyone|anybody|"
                           r"isn't|aren't|don't|doesn't|won't|can't)\b", re.IGNORECASE)
"""How a question that asks opens; one that opens otherwise states a proposal with a rising tone ("So, eggs up to
three pounds twenty?")."""
_WHETHER_WE = re.compile(
    rf"^{FILLER}(?:(?:do|can) we (?:(?:just|still|actually|all|really|even|usually),? )*+"
    rf"(?!(?:{'|'.join(sorted(wording.STATIVE_VERBS | wording.NOT_DEEDS))}|move on|start with)\b)"
    r"(?![a-z]{3,}ing\b)[a-z]+\b|are we (?:(?:still|actually|really|just),? )*+(?:\w+ing|going to)\b|"
    rf"we (?:just )?(?:{'|'.join(sorted(wording.TASK_VERBS - wording.NOT_DEEDS))})\b)",
    re.IGNORECASE)
"""A question whether we do something ("Do we drop that coach company?", "Are we stocking it or not?", "We do
extra packs for the children?"): a firm yes from someone else decides it, where "Do we have a spare?" / "Yes."
only answers."""
_FIRM_YES = re.compile(r"^(?:(?:yes|yeah|yep)[,.!]?\s+)?(?:we (?:do|should|will|can|are)|let'?s|definitely|"
                       r"absolutely|i think so|i think we should)\b", re.IGNORECASE)
"""A yes that decides what a question asked ("Yes, we do them.", "Definitely."); a bare "Yes." may only answer a
question of fact ("Do we pay VAT on that?"), so it needs the detector."""
_CONFIRMATION = re.compile(
    r"^(?:agreed|no objections?|none from|fine with me|fine by me|sounds good|works for me|deal|same(?: here)?|"
    r"happy(?! to)|i agree|good idea|let'?s do (?:it|that)|happy with that|perfect|about time|makes sense|"
    r"not at all|why not|definitely|fair|(?:i )?suppose so|go on(?: then)?|aye|in favou?r(?! of)|hands? up|"
    r"up(?=\s*[.!]*$)|(?:i think so|(?:i think )?we should)(?=\s*[.!]*$)|(?:mine'?s|both of mine(?: are)?) up|"
    r"both hands|"
    r"i'?d be (?:very |quite )?comfortable with that|i (?:really )?like (?:that|it)|yes,? please|"
    r"(?:\w+ )?i can live with(?: that| it)?|"
    r"(?:yeah,? |ok,? |okay,? )?let'?s(?=\s*[.!]*$)|\+1)(?!\w)",
    re.IGNORECASE,
)


_LETS = re.compile(rf"^{FILLER}let'?s\b", re.IGNORECASE)
_ASKING_ASSENT = re.compile(rf"^(?:{ASKS_ASSENT})\b", re.IGNORECASE)
_ASSENT_TAG = re.compile(r",\s*(?:agreed|yes|right|okay|ok|all right|alright|everyone|fine)\?$", re.IGNORECASE)
"""A statement that asks for assent in its tail: "T7 stays locked out until the crane's gone, agreed?"."""


def decisions(sentences: Sequence[Sentence], verdicts: Verdicts | None = None) -> list[Statement]:
    """Explicit decisions, proposals that the next speaker confirms ("Agreed.", "No objection."), and (with
    ``verdicts``) statements the detector reads as decided; never a question ("Did we decide on ...?").

    The rules' decisions come first and keep their wording; a decision the detector adds on the same subject
    only adds its evidence.
    """
    found: list[Statement] = []
    for sentence in sentences:
        if sentence.is_question or KEPT_OPEN.search(sentence.text):  # "Then that stays open until finance answers."
            continue
        if _SETTLED.match(sentence.text) and (settled := _settled(sentence, sentences)) is not None:
            found = merge_statement(found, _decision(settled, (settled, sentence), sentences), reword=True)
        elif (_DECLARED.search(sentence.text) and not _FIRST_PERSON.search(sentence.text)) or (
                _DECIDED.search(sentence.text) and _decision_supported(sentence, verdicts, RULE_SUPPORT)):
            # An explicit decision's wording replaces that of the proposal it settles.
            found = merge_statement(found, _decision(sentence, (sentence,), sentences), reword=True)
        elif _assents(sentence, sentences) and (proposal := _confirmed_proposal(sentence, sentences)) and _accepted(
                proposal, sentence, sentences, verdicts):
            found = merge_statement(found, _decision(proposal, (proposal, sentence), sentences))
    learned = [] if verdicts is None else [s for s in sentences if not s.is_question
                                           and _learned_decision(s, sentences, verdicts)]
    if verdicts is not None and learned:  # the most probable ones, as many as the meeting's length allows
        allowed = max(MIN_LEARNED_DECISIONS, round(LEARNED_DECISIONS_PER_MINUTE * sentences[-1].end / 60))
        learned = sorted(sorted(learned, key=lambda s: -verdicts.probability("decision", s))[:allowed],
                         key=lambda s: s.index)
    for sentence in learned:
        found = merge_statement(found, _decision(sentence, (sentence,), sentences))
    return sorted((d for d in found if len(content_words(d.text)) >= 2), key=lambda d: d.evidence[0].start)


LEARNED_DECISIONS_PER_MINUTE = 0.3
MIN_LEARNED_DECISIONS = 3
"""The detector adds at most this many decisions a minute (at least MIN_LEARNED_DECISIONS). On AMI dev, recall
grows with this budget at the same precision up to about 0.45 a minute; 0.3 keeps a 30-minute meeting's list
to about nine, which a reader still takes in."""
STRONG_DECISION = 0.6
"""The detector alone makes a decision at this probability; below it, at its threshold, the sentence also needs
a cue: decision words, "we will", a proposal, or assent from the next speaker."""


_SETTLED = re.compile(r"^(?:(?:okay|so|right|then)[,.]?\s+)?(?:that's|that is|it's|it is)?\s*(?:settled|decided|"
                      r"final|the decision|the rule|the plan|what we'?(?:ll| will) do)(?: then)?"
                      r"(?: now| from now on| (?:from|as of|starting) \w+)?\s*[.!]?$|"
                      r"^decision[.!]?$", re.IGNORECASE)
"""A sentence that only marks what was just said as decided: "That's settled.", "Decision.", "Then that's the rule
from Monday."."""


def _settled(marker: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """What ``marker`` settles: the last statement of its turn before it that is no commitment ("Then we drop iOS
    15. I'll tell the client myself. That's settled."), else the statement just before its turn."""
    for earlier in reversed(sentences[max(0, marker.index - MAX_SETTLED_BACK):marker.index]):
        if earlier.turn < marker.turn - 1:
            return None
        if not earlier.is_question and not COMMITTED.search(earlier.text) and not _confirms(earlier):
            return earlier
    return None


MAX_SETTLED_BACK = 3
"""A settling marker reaches at most this many sentences back."""


_UNDECIDED = re.compile(r"\b(?:not|n't|never) (?:decide|decided|agree|agreed|settle|settled)\b|\bno decision\b",
                        re.IGNORECASE)
"""Decision words that say nothing was decided: "Let's not decide that today"."""


def _learned_decision(sentence: Sentence, sentences: Sequence[Sentence], verdicts: Verdicts) -> bool:
    if (not verdicts.says("decision", sentence) or about_meeting(sentence) or _UNDECIDED.search(sentence.text)
            or _SETTLED.match(sentence.text) or KEPT_OPEN.search(sentence.text)):
        return False
    following = next_sentence(sentence, sentences)
    assented = (following is not None and following.speaker != sentence.speaker and _confirms(following)
                and _confirmed_proposal(following, sentences) in (sentence, None))
    if assented or verdicts.probability("decision", sentence) >= STRONG_DECISION:
        return True
    # a cue makes it a decision, unless it only floats an idea nobody took up ("Maybe we should rename it.")
    return bool(_DECISION_CUE.search(sentence.text)) and not PROPOSAL.search(sentence.text)


def _accepted(proposal: Sentence, assent: Sentence, sentences: Sequence[Sentence], verdicts: Verdicts | None) -> bool:
    """Whether ``assent`` makes ``proposal`` a decision: any assent does when someone asked for it; "Agreed." does
    for a proposal or what the detector backs; "Yeah." only for a proposal the detector reads as a decision."""
    if _ASSENT_TAG.search(proposal.text) or any(_ASKING_ASSENT.match(s.text)
                                                 for s in sentences[proposal.index + 1:assent.index]):
        return True  # "Everyone okay with that?" / "Yep."
    if _asks_whether_we(proposal):  # "Do we drop that coach company?" / "Definitely."
        return bool(_FIRM_YES.match(assent.text)) or _decision_supported(proposal, verdicts, 1.0)
    proposes = _proposes(proposal) or (proposal.is_question and not _ASKING_START.match(proposal.text))
    if _CONFIRMATION.match(assent.text):
        return proposes or _decision_supported(proposal, verdicts, RULE_SUPPORT)
    return proposes and _decision_supported(proposal, verdicts, 1.0)


CONFIRMATION_WORDS = 7
"""Assent is short: "Fine by me.", "I'd be very comfortable with that, honestly."; "Yeah, I think the van is fine
for now" is a remark."""


def _confirms(sentence: Sentence) -> bool:
    assent = _CONFIRMATION.match(sentence.text) or _WEAK_ASSENT.match(sentence.text)
    return bool(assent) and len(sentence.text.split()) <= CONFIRMATION_WORDS


_AGREEMENT = re.compile(r"^(?:yes|yeah|yep|will do|of course|absolutely|exactly|correct|that'?s right|true|on it|"
                        r"no problem)\b", re.IGNORECASE)


def agreements(sentences: Sequence[Sentence]) -> dict[int, str]:
    """Index of each sentence whose turn the next speaker agreed with ("Agreed.", "Will do, ..."), to that speaker.

    A summary sentence that only one person's words support is theirs to claim, unless someone agreed.
    """
    agreed: dict[int, str] = {}
    for said, reply in itertools.pairwise(sentences):
        if (reply.turn == said.turn + 1 and reply.speaker and reply.speaker != said.speaker
                and (_CONFIRMATION.match(reply.text) or _AGREEMENT.match(reply.text))):
            agreed.update((s.index, reply.speaker) for s in turn_of(said, sentences))
    return agreed


def _asks_whether_we(sentence: Sentence) -> bool:
    """Whether ``sentence`` asks whether we do something (see ``_WHETHER_WE``)."""
    return sentence.is_question and bool(_WHETHER_WE.match(sentence.text))


def _decision_supported(sentence: Sentence, verdicts: Verdicts | None, share: float) -> bool:
    return verdicts is None or verdicts.says("decision", sentence, share)


def _decision(sentence: Sentence, evidence: Sequence[Sentence], sentences: Sequence[Sentence]) -> Statement:
    """The decision in words of its own ("Cut onboarding to three screens."), with its evidence verbatim; a
    subject named just before goes in front ("Big pump. Not losing a pour over it.")."""
    said = with_topic(sentence, sentences)
    text = wording.decision(sentence.text) or wording.clean(sentence.text)
    if len(said) == 1 and _asks_whether_we(sentence):  # "Are we stocking it?" -> "Stock the honey ..."
        context = [s.text for s in turns_before(sentence, sentences, CONTEXT_TURNS)]
        text = wording.decision(wording.resolve_pronouns(text, context)) or text
    return Statement(" ".join([*(wording.clean(s.text) for s in said[:-1]), text]),
                     tuple(s.evidence for s in (*said[:-1], *evidence)))


ASSENT_TURNS = 3
"""Assent answers what was proposed, or asked for, at most this many turns before it."""
_AGAINST = re.compile(r"\b(?:objections?|against|object|mind)\b", re.IGNORECASE)
"""An ask for assent that "No." answers in favour: "Anyone against?", "Would anyone mind?"."""
_NO_OBJECTION = re.compile(rf"^(?:no|nope|none|not me|not from)\b(?!.*(?:\bbut\b|{_AGAINST.pattern}))",
                           re.IGNORECASE)
"""Assent to an ask for objections: "No.", "Not from the subs."; "No, I'm against it" objects."""
_DISSENT = re.compile(r"^(?:no|nope|not really|i disagree|i'?m not|i don'?t think so)\b", re.IGNORECASE)
"""An answer to "Everyone happy with that?" that is no assent: the assent after it answers something else."""


def _confirmed_proposal(confirmation: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """The statement a confirmation answers: the last sentence before the run of confirmations that is no
    question, or a question that proposes ("Shall we just go with the cheaper van?"); after an ask for assent
    ("Everyone happy with that?"), what was said just before the ask, whatever others said since, unless one
    of them dissented ("Not really, it should be three."). Never a promise ("I'll open a window.")."""
    asked = _asked_assent(confirmation, sentences)
    if asked is not None and not _AGAINST.search(asked.text) and any(
            _DISSENT.match(s.text) for s in sentences[asked.index + 1:confirmation.index]):
        return None
    for position in range((confirmation if asked is None else asked).index - 1, -1, -1):
        earlier = sentences[position]
        if earlier.turn < confirmation.turn - ASSENT_TURNS:
            return None
        if (asked is None and earlier.turn == confirmation.turn) or _confirms(earlier):
            continue
        if earlier.speaker == confirmation.speaker or COMMITTED.search(earlier.text):
            return None
        if earlier.is_question and NON_QUESTIONS.match(earlier.text):
            continue  # "Any objections?" after the proposal
        if earlier.is_question and not (_proposes(earlier) or _ASSENT_TAG.search(earlier.text)
                                        or not _ASKING_START.match(earlier.text)):
            return None  # "Sure" answers a request or a question, not a proposal
        if _proposes(earlier):  # "Do we drop the coach company? Hmm. Let's get one more quote first."
            return earlier
        # "Let's not book transport until the TTOs are on the ward. We wasted three slots." / "Agreed."
        return next((s for s in turn_of(earlier, sentences) if s.index < earlier.index and _proposes(s)), earlier)
    return None


def _proposes(sentence: Sentence) -> bool:
    """Whether ``sentence`` puts something forward: "Let's ...", "Should we ...?", "Do we drop ...?"."""
    return bool(PROPOSAL.search(sentence.text) or _PROPOSING_QUESTION.match(sentence.text)
                or _LETS.match(sentence.text) or _asks_whether_we(sentence))


def _asked_assent(reply: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """The ask for assent ("Anyone against?") that ``reply`` answers, by someone else in the turns just before it,
    with no other question since."""
    for earlier in reversed(sentences[max(0, reply.index - MAX_CONTEXT_SENTENCES):reply.index]):
        if earlier.turn < reply.turn - ASSENT_TURNS:
            break
        if earlier.is_question and earlier.speaker != reply.speaker and _ASKING_ASSENT.match(earlier.text):
            return earlier
        if earlier.is_question:
            break
    return None


def _assents(sentence: Sentence, sentences: Sequence[Sentence]) -> bool:
    """Whether ``sentence`` gives assent: "Agreed.", or a short "No." to "Anyone against?"."""
    if _confirms(sentence):
        return True
    return bool(_NO_OBJECTION.match(sentence.text) and len(sentence.text.split()) <= CONFIRMATION_WORDS
                and (asked := _asked_assent(sentence, sentences)) and _AGAINST.search(asked.text))
