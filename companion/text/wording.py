"""Minutes wording: spoken lines (AMI transcripts, Whisper output) reworded to read like minutes.

Items keep the verbatim quote as evidence; these pure functions give the text the minutes show:
``clean`` (disfluencies out), ``task`` (an action as an imperative), ``resolve_pronouns`` (a pronoun in a
task replaced by what it stands for) and ``decision`` (the decision without the talk around it); ``is_deed``,
``is_topic`` and ``needed_deed`` tell the rules what a sentence is."""

from __future__ import annotations

import re
from collections.abc import Sequence

from companion.text.dates import DAY_WORDS, MONTHS
from companion.text.sentences import STOPWORDS

# --- English wording data: every phrase list the functions use --------------------------------------------
FILLERS = frozenset("um umm uh uhm erm er ah eh uh-huh mm mmm mm-hmm mhm hmm hm".split())
SPOKEN_FORMS = {
    "gonna": "going to", "wanna": "want to", "gotta": "got to", "kinda": "kind of", "sorta": "sort of",
    "dunno": "don't know", "lemme": "let me", "gimme": "give me", "coulda": "could have", "woulda": "would have",
    "shoulda": "should have", "'cause": "because", "'cos": "because", "cuz": "because", "'kay": "okay",
    "'round": "around", "y'know": "you know",
}
MARKERS = frozenset("so okay ok well right alright and yeah yes yep oh".split())
MARKER_KEEPS = frozenset({"right away", "right now", "right here", "right there", "well done", "so far", "so many",
                          "so much", "so long", "oh no"})
YOU_KNOW_KEPT_AFTER = frozenset("do did does don't didn't doesn't if as would will to let".split())
YOU_KNOW_FILLER_AFTER = frozenset("on in at of for with about from into like".split())  # "working on you know the"
# Short real words; any other 1-3 letter token that begins the next word ("th the"), is one letter ("w") or
# has no vowel ("kl") is a cut-off restart.
SHORT_WORDS = frozenset(
    "a i an as at be by do go he if in is it me my no of on or so to up us we am ad ah the and for not but can "
    "you all any are was one our out who why how its his her him may new now old own see two way day get got "
    "let put set yes use big bit few far too off km kg cm ml mg pm hr".split()
)
MAX_FALSE_START = 3  # words abandoned before a cut-off word ("we should- let's") that are dropped with it
TASK_WRAPPERS = (
    "if it's not too much trouble", "when you get a chance", "when you have a moment", "when you have a minute",
    "if you could", "if you can", "could you", "can you", "would you", "will you", "could someone", "can someone",
    "could somebody", "can somebody", "i need you to", "we need you to", "i'd like you to", "could i ask you to",
    "can i ask you to", "may i ask you to", "i'll ask you to", "i will ask you to", "i'm going to ask you to",
    "i'd like to ask you to", "i want to ask you to", "i'd be grateful if you could", "i'd be grateful if you'd",
    "i'd be grateful if you would", "i'd be very grateful if you could", "i'd appreciate it if you could",
    "i'd appreciate it if you'd", "i'd appreciate it if you would",
    "do you think you could", "any chance you could", "make sure to", "make sure you", "be sure to",
    "i'll go ahead and", "go ahead and", "i'll", "i will", "i'm going to", "i am going to", "i can", "i could",
    "i should", "i'd", "we'll", "we will", "we're going to", "we need to", "we should", "we can", "you'll",
    "you will", "you're going to", "you need to", "you should", "you can", "let's", "is going to", "are going to",
    "going to", "i'm supposed to", "you're supposed to", "we're supposed to", "i'm meant to", "you're meant to",
    "is supposed to", "is to", "are to", "needs to", "need to", "has to", "have to", "will", "should", "must", "to",
    "please", "kindly", "just", "possibly", "perhaps", "maybe", "also", "quickly", "actually", "definitely", "then",
    "sort of", "kind of",
)
GERUND_WRAPPERS = ("would you mind", "do you mind", "would you mind just", "mind", "i'll be", "i will be",
                   "we'll be", "you'll be", "be")
TASK_TAILS = ("please", "okay", "ok", "alright", "all right", "then", "if that's ok", "if that's okay",
              "if that's alright", "if that's all right", "if you can", "if you could", "if possible",
              "if you don't mind", "if that helps", "if it helps", "if you like", "if needed", "if necessary", "for me",
              "thanks", "thank you", "yeah", "right")
DECISION_WRAPPERS = (
    "we've decided to", "we have decided to", "we decided to", "we've decided that", "we decided that",
    "we've agreed to", "we agreed to", "we've agreed that", "we agreed that", "it's agreed that",
    "it's decided that", "final answer", "the decision is to", "the decision is that", "the decision is",
    "decision made", "decision",
    "so we agree", "we all agree", "we agree",
    "that's what we'll do", "all in favour of", "all in favor of", "would it be a terrible idea if we",
    "would it be a terrible idea to", "would it be a good idea to", "would it be a bad idea to",
    "does anyone object to", "does anybody object to", "does everyone object to", "do we all agree to",
    "what if we just", "what if we say", "what if we", "what if", "how about we just", "how about we",
    "i think we should", "i think we'll", "i think we're going to", "shall we just", "shall we", "should we just",
    "why don't we just", "why don't we", "let's just", "let's", "we'll just", "we'll", "we will",
    "we're going to", "we are going to", "we should just", "we should", "we could just", "we could",
    "do we just", "do we", "can we just", "can we", "are we going to", "are we still", "are we actually",
    "are we really", "are we", "then",
)
DECISION_TAILS = ("then", "right", "okay", "ok", "yeah", "yes", "sounds good", "agreed", "alright", "all right",
                  "is that okay", "is that ok", "shall we", "then yeah", "or not")
NON_DECISIONS = frozenset({
    "that's settled", "that's decided", "that's agreed", "that's it", "that's fine", "that's the plan",
    "sounds good", "sounds great", "agreed", "deal", "done", "fine", "great", "perfect", "okay", "yes", "yeah",
    "settled", "decided", "do that", "do it", "go with that", "go for it", "that works", "that one",
})
ING_EXCEPTIONS = {"adding": "add", "being": "be", "doing": "do", "going": "go", "having": "have",
                  "seeing": "see", "agreeing": "agree", "bringing": "bring", "cancelling": "cancel",
                  "travelling": "travel", "labelling": "label", "modelling": "model"}
E_VERBS = frozenset(
    "take make write update prepare share schedule arrange organise organize move create use change close "
    "issue rate price hire invite involve chase give have come drive save store remove note quote type phone "
    "circulate compile finalise finalize decide provide release purchase replace reduce produce introduce "
    "combine define describe place solve resolve evaluate calculate investigate coordinate negotiate estimate "
    "validate translate complete delete manage merge charge judge measure figure configure continue ensure "
    "analyse analyze raise revise receive serve tune shape trace source secure outline propose dance rehearse "
    "lose choose leave"
    .split()
)
TASK_VERBS = E_VERBS | frozenset(
    "add ask book build buy call cancel check clean collect confirm contact copy cut do draft draw email find "
    "finish fix follow get go help keep learn let list log look mail meet order pass pay pick plan post print "
    "push put read record renew reply report request research review ring run send set ship show sign sketch "
    "sort speak start stop study talk tell test text think tidy train transfer try upload work".split()
)
STATIVE_VERBS = frozenset("believe need want like love hate know guess bet hope wish miss doubt suppose reckon "
                          "imagine regret prefer deserve".split())
"""Verbs of a state, not a deed: "I'll believe it when I see it", "I'm going to need a bigger coffee" are remarks."""
NOT_DEEDS = frozenset("have has get agree afford mean see say go think talk discuss come hear wrap skip check look"
                      .split())
"""Verbs after "do we" or "can we" that ask about a state or steer the meeting ("Can we talk about X?"), not
whether to do something."""
PRONOUNS = frozenset("it them that this those these one".split())
DEMONSTRATIVES = frozenset("that this those these".split())
"""The pronouns that also open a phrase ("this year's budget")."""
MOVING_VERBS = frozenset("go goes going come comes coming".split())
"""Verbs that ask who attends, not who does something: "Who's coming to the party?"."""
NOT_VERBS = frozenset("worth sure yet quite everyone everybody anyone anybody all enough".split())
"""Words after a leading "not" that make it no instruction ("Not worth arguing about")."""
PARTICIPLES = frozenset("done ready sorted set made written sent signed fixed booked finished".split())
PARTICLES = frozenset("over out off up back round down across through around along".split())
AFTER_PRONOUN_OK = PARTICLES | frozenset(
    "after before by to today tomorrow tonight on at in for with when asap first again now later as and so "
    "soon then please".split()
)
NO_RESOLVE_VERBS = frozenset("make let help have".split())
PARTY_PREPOSITIONS = frozenset("with to from for about".split())
TIME_NOUNS = frozenset("morning afternoon evening week weekend month year monday tuesday wednesday thursday friday "
                       "saturday sunday".split())
PARTY_BREAKS = frozenset("on in at of for with about from to by".split())
DETERMINERS = ("the", "a", "an", "our", "their", "this", "that", "these", "those", "my", "your", "his", "her")
PHRASE_BREAKS = frozenset("and but because so before after by until when if or please then today tomorrow "
                          "tonight asap".split())
MAX_PHRASE_WORDS = 8
PHRASE_PREPOSITIONS = frozenset("for from in on at with out about into to".split())
"""A phrase too long to repeat is cut at its first of these: what follows only places or qualifies its head."""
REQUESTERS = ("someone to", "somebody to", "anyone to", "someone", "somebody", "anyone", "anybody", "you", "we",
              "we'll", "let's", "need to", "needs to", "has to", "have to", "should", "must", "could", "can", "will")
TOPIC_WORDS = 6  # a sentence that only names a subject: "Raffle.", "Crane hire after the slab."
NEGATING = frozenset("barely hardly never scarcely not".split())
SUBJECTS = frozenset("they're we're it's he's she's there's that's i'm you're".split())
SPEECH_MARKERS = ("be honest", "be frank", "be brief", "be quick", "admit", "tell you what", "say this", "say that")
"""Promises about the talk itself: "I'll be honest, ...", "I'll admit it's tight"."""
NOT_IN_A_TOPIC = frozenset("i we you he she they it this that is are was were be been will would can could do does did "
                           "have has had should must shall not no yes yeah okay ok thanks it's that's there's here's "
                           "what's he's she's let's ha haha oh ah oops wow right well sorry".split())
# ------------------------------------------------------------------------------------------------------------

_PUNCT = ",.;:!?"
_END = ".!?"


def _alternatives(phrases: Sequence[str]) -> str:
    """A regex alternation of ``phrases``, longest first so that "i'll go ahead and" wins over "i'll"."""
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


_ACRONYM = re.compile(r"\b((?:[A-Za-z]_)+)")
_CLITIC = re.compile(r"\s+('(?:s|re|ve|ll|d|m)|n't)(?![\w'])", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_SPOKEN = re.compile(rf"(?<![\w'])({_alternatives(list(SPOKEN_FORMS))})(?![\w'])", re.IGNORECASE)
_TASK_WRAPPER = re.compile(rf"^(?:{_alternatives(TASK_WRAPPERS)})(?![\w'])[\s,]*", re.IGNORECASE)
_GERUND_WRAPPER = re.compile(rf"^(?:{_alternatives(GERUND_WRAPPERS)})\s+([a-z]+ing)\b", re.IGNORECASE)
_TASK_TAIL = re.compile(rf"(?:[\s,]+(?:{_alternatives(TASK_TAILS)})\b[\s,.?!]*)+$", re.IGNORECASE)
_DECISION_WRAPPER = re.compile(rf"^(?:{_alternatives(DECISION_WRAPPERS)})\b[\s,:]*", re.IGNORECASE)
_DECISION_TAIL = re.compile(rf"(?<!\btill)(?<!\buntil)(?<!\bsince)(?<!\bby)"  # "till then" stays
                            rf"(?:[\s,]+(?:{_alternatives(DECISION_TAILS)})\b[\s,.?!]*)+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SUBJECT = re.compile(
    r"(?:^|(?<=\s))(?P<phrase>(?:the|a|an|our|their|this|that|these|those)\s+(?:[\w'-]+\s+){0,3}?[\w'-]+)\s+"
    r"(?:is|are|was|were|has|have|had|hasn't|haven't|isn't|aren't|came|comes|went|needs?|wants?|gave|does|did|"
    r"can|can't|got|looks?|still|arrived|died|broke|cracked|failed|stopped|crashed|jammed|burst|leaks|leaked)\b",
    re.IGNORECASE)
_THE = r"\bthe\s+(?:[\w'-]+\s+){0,2}?[\w'-]+(?=\s*(?:[,.;!?]|$)"
_THE_PHRASE = re.compile(rf"{_THE})", re.IGNORECASE)
_THE_PHRASE_OR_PLACED = re.compile(rf"{_THE}|\s+(?:on|in|at|for|with|by)\s)", re.IGNORECASE)
"""A thing named last in a statement may have a place or time after it: "We go live with the booking portal on
the first of July"; in a request whose object is too long to repeat, only a phrase that ends it counts."""
_NAMED = re.compile(r"\s[A-Z]")
_CUT_OFF = re.compile(r"[^\W\d_][\w']*-")
"""A word cut off mid-way ("s-", "should-"); not punctuation such as "--"."""
_VOWEL = re.compile(r"[aeiouy]")
_REQUEST = re.compile(
    rf"\b(?:{_alternatives(REQUESTERS)})\s+(?:(?:please|just|also),?\s+)*[a-z]+\s+"
    rf"(?:(?:{_alternatives(sorted(PARTICLES | {'to', 'with', 'on', 'for', 'about'}))})\s+){{0,2}}"
    rf"(?P<object>(?:{_alternatives(DETERMINERS)})\s+[^,.;:?!]+)",
    re.IGNORECASE,
)


_VAGUE_DEED = re.compile(r"^(?:(?:set|sort)\s+(?:that|this|it)\s+(?:up|out)|(?:organi[sz]e|arrange|handle|do|"
                         r"take care of|make)\s+(?:that|this|it)(?:\s+happen)?)$", re.IGNORECASE)
"""A task that only points at what was proposed: "could you set that up?", "can you organise it?"."""
_PROPOSED = re.compile(r"\b(?:(?:can|could|shall|should) we|why don'?t we|let'?s)\s+(?:(?:just|maybe),?\s+)*"
                       r"(?P<deed>[a-z]+\b[^?]*)", re.IGNORECASE)
_CLAIM = re.compile(r"^(?:(?:do|take|handle|sort|own|grab|chase)\s+(?:it|that|this|them|those|that one|this one)|"
                    r"(?:pick|set|sort)\s+(?:it|that|this|them)\s+(?:up|out)|(?:have|get)\s+(?:it|that|them)\s+done|"
                    r"deal with (?:it|that|this)|take care of (?:it|that|this))(?=$|\s+(?P<next>\S+))", re.IGNORECASE)
"""A reply that only takes on what was asked of nobody in particular: "I'll do it Saturday", "I'll take them"."""
_AFTER_CLAIM = AFTER_PRONOUN_OK | TIME_NOUNS | {"this", "next"}
"""What may follow a claim that adds only when: "I'll do it Saturday", "I'll take it next week"."""
_ASKED_OF_ANYONE = re.compile(
    r"\b(?:(?:some|any)(?:one|body)\s+(?:(?:really\s+)?(?:needs|has|ought) to|should|must|could|can|will have to)|"
    r"(?:can|could|would|will)\s+(?:some|any)(?:one|body)|(?:need|want|like)\s+(?:some|any)(?:one|body)\s+to|"
    r"(?P<worth>worth)\s+(?:some|any)(?:one|body)|who(?:'s| is)? (?:going to|wants to|can|will))\s+"
    r"(?:(?:just|please|maybe),?\s+)*(?P<deed>[a-z]+\b[^?.!]*)", re.IGNORECASE)
"""A deed asked of nobody in particular: "Can someone recalibrate that?", "It might be worth someone ringing the
supplier", "Somebody has to fold three hundred of them"."""
_ANOTHER_ONE = re.compile(r"\b(?:a new|another|a spare|a replacement|a second|a better|a bigger) (?P<one>one)\b",
                          re.IGNORECASE)
"""A thing named again by "one": "buy a new one" after "The microwave died"."""
_PREPOSITIONAL_IT = re.compile(r"\b(?P<preposition>about|into|on|regarding)\s+it\b", re.IGNORECASE)
"""A thing named by "it" after a preposition: "put a notice about it on the website", "dig into it"."""
_DATE_WORD = re.compile(rf"\b(?:{'|'.join([*MONTHS, *sorted(TIME_NOUNS)])}|\d+)\b", re.IGNORECASE)
"""A phrase with one of these words is a time ("the first of July"), never what a pronoun stands for."""


def clean(text: str) -> str:
    """Disfluencies out, AMI conventions undone, first letter capitalised and final punctuation ensured.

    Returns "" only when nothing but fillers was said ("Um."); a lone marker ("Okay.") is kept.
    """
    return _finish(" ".join(_tidy(text)))


def task(text: str) -> str:
    """An action clause (the owner already cut off) as a bare imperative: "would you mind updating" -> "update"."""
    tidy = " ".join(_tidy(text)).rstrip(_PUNCT + " ")
    words = tidy
    while True:
        if gerund := _GERUND_WRAPPER.match(words):
            words = _base_form(gerund.group(1).lower()) + words[gerund.end():]
        elif wrapper := _TASK_WRAPPER.match(words):
            words = words[wrapper.end():]
        else:
            break
    words = _TASK_TAIL.sub("", words).rstrip(_PUNCT + " ") or tidy
    first, _, rest = words.partition(" ")
    if first.lower() in TASK_VERBS:
        first = first.lower()
    return f"{first} {rest}".strip()


def is_deed(task_text: str) -> bool:
    """Whether a task (as ``task`` words it) says something to do rather than a state ("believe it when ...",
    "I know the bookshop does events")."""
    words = [_core(w) for w in task_text.lstrip(_PUNCT + " -").split()[:2]]
    verb = words[1] if len(words) == 2 and words[0] in ("i", "we", "you") else words[0] if words else ""
    # not "barely have time to breathe", not "be honest", not "they're only open mornings"
    return (verb not in STATIVE_VERBS and verb not in NEGATING and verb not in SUBJECTS
            and not task_text.lower().startswith(SPEECH_MARKERS))


_NEEDS_DOING = re.compile(r"^(?P<phrase>(?:the|our|their|this|that)\s+(?:[\w'-]+\s+){0,3}?[\w'-]+)\s+"
                          r"(?:needs|need|wants)\s+(?P<gerund>[a-z]+ing)\b", re.IGNORECASE)


_CONTRACTION = re.compile(r"'(?:re|ll|m|ve|d)$|n't$")


def is_topic(text: str) -> bool:
    """Whether a sentence only names what the next one is about: "Raffle.", "Crane hire after the slab." (a few
    words, no clause of its own)."""
    words = [_core(t) for t in _tidy(text)]
    return 0 < len(words) <= TOPIC_WORDS and not any(w in NOT_IN_A_TOPIC or _CONTRACTION.search(w) for w in words)


def needed_deed(text: str) -> str:
    """The deed a statement says is due, as a task: "The Halden contract needs signing" -> "sign the Halden
    contract"; "" when it says none."""
    match = _NEEDS_DOING.match(" ".join(_tidy(text)))
    if not match:
        return ""
    phrase = match["phrase"]
    return f"{_base_form(match['gerund'].lower())} {phrase[0].lower()}{phrase[1:]}"


def resolve_pronouns(task_text: str, context: Sequence[str]) -> str:
    """Replace a pronoun in a task with what it stands for in ``context`` (earlier utterances, most recent last),
    else a thing named by "that" with its fuller earlier mention ("build that screen" after "Home screen with the
    points balance is in Figma" -> "build the home screen with the points balance"); see :func:`_resolved`."""
    resolved = _resolved(task_text, context)
    if resolved != task_text or not (named := _DEMONSTRATIVE.search(task_text)):
        return resolved
    fuller = _fuller_mention(named["noun"], context)
    return f"{task_text[:named.start()]}{fuller}{task_text[named.end():]}" if fuller else task_text


_DEMONSTRATIVE = re.compile(r"\b(?:that|this|those|these)\s+(?P<noun>[a-z][\w-]{2,})\b", re.IGNORECASE)
_DETERMINERS = frozenset("the a an our their his her your my its".split())
_MENTION_TAIL = frozenset("with for of on about from".split())
_MENTION_END = re.compile(r"[,.;:!?]$")
_VERB_ENDS = frozenset("is are was were has have had will would can could should isn't aren't wasn't".split())
MAX_MENTION_WORDS = 4
"""Words of a fuller mention before its noun, and after it in a phrase that qualifies it ("with the points
balance")."""


def _fuller_mention(noun: str, context: Sequence[str]) -> str:
    """The latest mention of ``noun`` in ``context`` with the words that qualify it, as "the ..." ("Home screen with
    the points balance is in Figma" -> "the home screen with the points balance"); "" when none adds anything."""
    for utterance in reversed(context):
        for sentence in reversed(_SENTENCE_END.split(utterance)):
            words = sentence.split()
            named = [at for at, word in enumerate(words) if _core(word) in (noun.lower(), noun.lower() + "s")
                     and not (at > 0 and _core(words[at - 1]) in PRONOUNS)]  # not "that screen" again
            if named:
                return _mention_at(words, named[-1])
    return ""


def _mention_at(words: Sequence[str], at: int) -> str:
    """``words[at]`` with the modifiers before it (up to a stop word or a clause mark) and a qualifying phrase after
    it (up to a verb or a clause mark), as "the ..."; "" when there are neither."""
    before: list[str] = []
    for word in reversed(words[max(0, at - MAX_MENTION_WORDS):at]):
        if _MENTION_END.search(word) or _core(word) in _DETERMINERS or _core(word) in STOPWORDS:
            break
        before.insert(0, word)
    after: list[str] = []
    qualified = not _MENTION_END.search(words[at]) and at + 1 < len(words) and _core(words[at + 1]) in _MENTION_TAIL
    for word in words[at + 1:at + 2 + MAX_MENTION_WORDS] if qualified else ():
        if _core(word) in PHRASE_BREAKS or _core(word) in _VERB_ENDS:
            break
        after.append(word.rstrip(_PUNCT))
        if _MENTION_END.search(word):
            break
    if not before and not after:
        return ""
    if before and at == len(before):  # the sentence's first word is capitalised as such
        before[0] = before[0][0].lower() + before[0][1:]
    return " ".join(["the", *before, words[at].rstrip(_PUNCT), *after])


def _resolved(task_text: str, context: Sequence[str]) -> str:
    """A pronoun in a task replaced with what it stands for in ``context``.

    A thing: a bare object pronoun right after the verb, followed by nothing, a particle ("over", "out": moved
    before the phrase) or a time/preposition word, becomes what the latest request named ("can someone chase X",
    "we need to book X"), a phrase that opens with a determiner and has at most eight words; "send that file"
    stays. A party: "them" as the one something goes to ("send them the numbers", "confirm it with them") or
    "their" ("talk to their foreman") becomes the latest subject ("The farm wants numbers") or named thing ("the
    Riverside Hall"), cut before its first preposition. Number is not checked. When unsure the text comes back
    unchanged.
    """
    if _VAGUE_DEED.match(task_text) and (proposed := _proposed_deed(context)):
        return proposed
    claim = _CLAIM.match(task_text)
    only_when_follows = claim is not None and (claim["next"] is None or _core(claim["next"]) in _AFTER_CLAIM)
    if only_when_follows and (asked := _asked_of_anyone(context)):
        return asked
    if (another := _ANOTHER_ONE.search(task_text)) and (phrase := _antecedent(context)):
        return f"{task_text[:another.start('one')]}{phrase.split()[-1]}{task_text[another.end('one'):]}"
    words = task_text.split()
    at = _party_pronoun(words) if len(words) >= 2 else None
    if at is not None and (party := _party(_antecedent(context, party=True))):
        said = words[at]
        words[at] = f"{party}'s" if _core(said) == "their" else party + said[len(_core(said)):]
        return " ".join(words)
    if len(words) < 2 or _core(words[1]) not in PRONOUNS:
        prepositional = _PREPOSITIONAL_IT.search(task_text)
        if prepositional is None or not (phrase := _antecedent(context)):
            return task_text
        return f"{task_text[:prepositional.start()]}{prepositional['preposition']} {phrase}" \
               f"{task_text[prepositional.end():]}"
    rest = words[2:]
    following = _core(rest[0]) if rest else ""
    # "get those calibrated", "have it done by Friday"
    finished = following in PARTICIPLES or (following.endswith("ed") and len(following) > 4)
    if words[0].lower() in NO_RESOLVE_VERBS and not finished:
        return task_text
    timed = following in TIME_NOUNS or (
        len(rest) > 1 and following in ("this", "next") and _core(rest[1]) in TIME_NOUNS)
    if rest and following not in AFTER_PRONOUN_OK and not timed and not finished:
        return task_text
    phrase = _antecedent(context)
    if not phrase:
        return task_text
    head = [words[0]]
    if rest and _core(rest[0]) in PARTICLES:
        head.append(rest.pop(0))
    return " ".join([*head, phrase, *rest])


def _proposed_deed(context: Sequence[str]) -> str:
    """What the latest proposal in ``context`` would do ("Can we just pull the shader compile out of the nightly?"
    -> "pull the shader compile out of the nightly"); "" when none proposes a deed."""
    for utterance in reversed(context):
        for sentence in reversed(_SENTENCE_END.split(utterance)):
            proposal = _PROPOSED.search(" ".join(_tidy(sentence)))
            if proposal is not None:
                deed = proposal["deed"].rstrip(_PUNCT + " ")
                return "" if deed.split()[0].lower() in NOT_IN_A_TOPIC else deed
    return ""


def asks_anyone(text: str) -> bool:
    """Whether a sentence asks a deed of nobody in particular ("Someone needs to book the surveyor"): it is
    nobody's task until someone takes it."""
    return bool(_ASKED_OF_ANYONE.search(text))


def _asked_of_anyone(context: Sequence[str]) -> str:
    """The deed the latest sentence in ``context`` that asks anyone asked for, its own pronoun resolved
    from what came before ("The encoder reads low." / "Can someone recalibrate that?" -> "recalibrate the
    encoder"); "" when none asks."""
    for at in range(len(context) - 1, -1, -1):
        for sentence in reversed(_SENTENCE_END.split(context[at])):
            asked = _ASKED_OF_ANYONE.search(" ".join(_tidy(sentence)))
            if asked is not None:
                deed = asked["deed"].rstrip(_PUNCT + " ")
                first, _, rest = deed.partition(" ")  # "worth someone ringing the supplier": "ring the supplier"
                deed = f"{_base_form(first.lower())} {rest}".strip() if asked["worth"] else deed
                return "" if deed.split()[0].lower() in NOT_IN_A_TOPIC else _resolved(deed, context[:at])
    return ""


def _party_pronoun(words: Sequence[str]) -> int | None:
    """Where a task names someone else by pronoun: "send them the numbers", "confirm it with them", "talk to their
    foreman"; None otherwise."""
    for at, word in enumerate(words[1:], start=1):
        core, following = _core(word), _core(words[at + 1]) if at + 1 < len(words) else ""
        if core == "their" and following and following not in PRONOUNS:
            return at
        if core != "them":
            continue
        after = _core(words[at + 2]) if at + 2 < len(words) else ""
        # "send them the numbers", not "send them this afternoon"
        if at == 1 and ((following in DETERMINERS and after not in TIME_NOUNS) or following == "about"):
            return at
        if _core(words[at - 1]) in PARTY_PREPOSITIONS and (not following or following in AFTER_PRONOUN_OK):
            return at
    return None


def _party(phrase: str) -> str:
    """The one a pronoun stands for, from its antecedent: "the printer about the proofs" -> "the printer"."""
    words = phrase.split()
    for at, word in enumerate(words[1:], start=1):
        if word.lower() in PARTY_BREAKS:
            return " ".join(words[:at])
    return phrase


def decision(text: str) -> str:
    """The decision itself: "Okay, so we've decided to cut X." -> "Cut X."; "" for bare assent ("that's settled").

    "Shall we just ..." is only a decision once someone assented; the caller checks that.
    """
    words = " ".join(_tidy(text)).rstrip(_PUNCT + " ")
    asked = False  # "are we stocking it" -> "Stock it"
    while wrapper := _DECISION_WRAPPER.match(words):
        words, asked = words[wrapper.end():], wrapper.group().lower().startswith("are we")
    words = _DECISION_TAIL.sub("", words).rstrip(_PUNCT + " ")
    if words.lower() in NON_DECISIONS:
        return ""
    first, _, rest = words.partition(" ")
    if asked and first.lower().endswith("ing"):
        words = f"{_base_form(first.lower())} {rest}".strip()
    elif first.lower() == "not" and rest and (verb := _core(rest.split(" ")[0])) not in NOT_VERBS | STOPWORDS:
        # "let's not book transport until ..." -> "Do not book transport ..."; "Not losing ..." -> "Do not lose ..."
        words = f"do not {_base_form(verb)}{rest[len(verb):]}" if verb.endswith("ing") else f"do not {rest}"
    return _finish(words)


def _tidy(text: str) -> list[str]:
    """Tokens of ``text`` without disfluencies or leading markers, neither capitalised nor punctuated."""
    text = _ACRONYM.sub(lambda m: m.group(1).replace("_", ""), text.replace("\u2019", "'"))
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _CLITIC.sub(r"\1", text))
    text = _SPOKEN.sub(_spoken_form, text)
    tokens, before = text.split(), list[str]()
    while tokens != before:  # a repair can expose another ("I m I mean", "the, you know, the"); passes only drop
        before = tokens
        for step in (_drop_fillers, _drop_repeats, _drop_false_starts):
            tokens = step(tokens)
    return _drop_markers(tokens)


def _finish(text: str) -> str:
    """First letter up and a final stop; "" when no word is left."""
    text = text.strip()
    if not any(ch.isalnum() for ch in text):
        return ""
    if text[-1] not in _END:
        text = text.rstrip(_PUNCT + "- ") + "."
    return text[0].upper() + text[1:]


def _core(token: str) -> str:
    """The token lower-cased without surrounding punctuation, for comparing words."""
    return token.lower().strip(_PUNCT + "\"")


def _spoken_form(match: re.Match[str]) -> str:
    """The written form of a spoken one ("gonna" -> "going to"), keeping a capital."""
    said = match.group(1)
    written = SPOKEN_FORMS[said.lower()]
    return written[0].upper() + written[1:] if said[0].isupper() else written


def _drop_fillers(tokens: list[str]) -> list[str]:
    """Drop fillers; a stop or comma they carried moves to the word before."""
    kept: list[str] = []
    at = 0
    while at < len(tokens):
        width = _filler_width(tokens, at, clause_start=not kept or kept[-1][-1] in _PUNCT)
        if not width:
            kept.append(tokens[at])
        elif (end := tokens[at + width - 1][-1]) in _PUNCT and kept and kept[-1][-1] not in _END:
            kept[-1] = kept[-1].rstrip(_PUNCT) + end  # the clause ended on the filler: keep its stop or comma
        at += width or 1
    return kept


def _filler_width(tokens: list[str], at: int, clause_start: bool) -> int:
    """How many tokens from ``at`` are a filler: "um", "you know" as an aside, "I mean" or "like," opening."""
    word = _core(tokens[at])
    pair = f"{word} {_core(tokens[at + 1])}" if at + 1 < len(tokens) else ""
    if word in FILLERS or (word == "like" and tokens[at].endswith(",") and clause_start):
        return 1
    if pair == "i mean" and clause_start:
        return 2
    previous = _core(tokens[at - 1]) if at else ""
    if pair == "you know" and previous in YOU_KNOW_FILLER_AFTER:
        return 2
    if pair == "you know" and (at + 2 == len(tokens) or tokens[at + 1][-1] in ",."):
        return 0 if previous in YOU_KNOW_KEPT_AFTER else 2
    return 0


def _drop_false_starts(tokens: list[str]) -> list[str]:
    """Drop cut-off words ("s- sort", "th the") and a short fragment abandoned with one ("we should- let's")."""
    kept: list[str] = []
    for at, token in enumerate(tokens):
        word, following = _core(token), _core(tokens[at + 1]) if at + 1 < len(tokens) else ""
        if _CUT_OFF.fullmatch(word):
            if not following.startswith(word.rstrip("-")):
                start = len(kept)
                while start and kept[start - 1][-1] not in _PUNCT:
                    start -= 1
                if len(kept) - start <= MAX_FALSE_START:
                    del kept[start:]
            continue
        fragment = (at == 0 or token.islower()) and len(word) <= 3 and word.isalpha() and word not in SHORT_WORDS
        cut = (following.startswith(word) and following != word) or len(word) == 1 or not _VOWEL.search(word)
        if not (fragment and cut):
            kept.append(token)
    return kept


def _drop_repeats(tokens: list[str]) -> list[str]:
    """Keep the last of immediately repeated one- to three-word runs ("the the", "we can we can")."""
    kept: list[str] = []
    for token in tokens:
        kept.append(token)
        for width in (1, 2, 3):
            if len(kept) >= 2 * width:
                first, second = kept[-2 * width:-width], kept[-width:]
                if [_core(t) for t in first] == [_core(t) for t in second] and all(map(_core, first)):
                    del kept[-2 * width:-width]
                    break
    return kept


def _drop_markers(tokens: list[str]) -> list[str]:
    """Drop leading discourse markers ("So, okay, well"), but never the last word."""
    at = 0
    while at < len(tokens) - 1 and _core(tokens[at]) in MARKERS:
        if tokens[at][-1] not in _PUNCT and f"{_core(tokens[at])} {_core(tokens[at + 1])}" in MARKER_KEEPS:
            break
        at += 1
    return tokens[at:]


def asked_who(question: str) -> str:
    """The deed a question asks who will do, as a task: "And who's ringing him?" -> "ring him", "Who sends them the
    link?" -> "send them the link", "Who's going to book the hall?" -> "book the hall"; "" for any other question
    ("Who was that?")."""
    asked = _ASKED_WHO.match(" ".join(_tidy(question)).rstrip(_PUNCT + " "))
    if asked is None:
        return ""
    verb, _, rest = asked["deed"].partition(" ")
    if verb.lower() in NOT_DEEDS | MOVING_VERBS:  # "Who's coming to the party?" asks who attends
        return ""
    if verb.endswith("ing") and _base_form(verb.lower()) in TASK_VERBS:
        return f"{_base_form(verb.lower())} {rest}".strip()
    if asked["modal"] and verb.lower() in TASK_VERBS:
        return asked["deed"]
    return present_deed(asked["deed"])


_ASKED_WHO = re.compile(r"^(?:and |so |but )?who(?P<modal>'ll|'s going to| is going to| will| can| could| wants to)?"
                        r"(?:'s| is)?\s+(?P<deed>[a-z]+\b.*)$", re.IGNORECASE)
"""A question that asks who does something: "Who sends ...", "Who's ringing ...", "Who's going to book ..."."""


def present_deed(text: str) -> str:
    """A clause opening with a deed's verb in the third person as a task: "runs the checklist" -> "run the
    checklist", "does the PlayStation kit" -> "do the PlayStation kit"; "" when its verb is no deed ("says")."""
    verb, _, rest = text.partition(" ")
    verb = verb.lower()
    for ending, replacement in (("ies", "y"), ("oes", "o"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"),
                                ("xes", "x"), ("s", "")):
        if verb.endswith(ending) and (base := verb[:-len(ending)] + replacement) in TASK_VERBS:
            return f"{base} {rest}".strip()
    return ""


def _base_form(gerund: str) -> str:
    """The base form of an -ing word: "putting" -> "put", "copying" -> "copy", "making" -> "make"."""
    if gerund in ING_EXCEPTIONS:
        return ING_EXCEPTIONS[gerund]
    stem = gerund[:-3]
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiouylsfz":
        return stem[:-1]
    return stem + "e" if stem + "e" in E_VERBS else stem


def _antecedent(context: Sequence[str], party: bool = False) -> str:
    """The object phrase of the latest request in ``context``, else the subject of the latest sentence ("The
    Okonkwo manuscript came back"), else the last thing it names ("a registration for the raffle"); "" when none
    names a thing plainly. A ``party`` (the "them" of "send them the chapter") is a subject ("A German publisher
    is keen") or has a name ("go with the Riverside Hall"), never what was asked for."""
    for utterance in reversed(context):
        for sentence in reversed(_SENTENCE_END.split(utterance)):
            tidy = " ".join(_tidy(sentence))
            requests = list(_REQUEST.finditer(tidy))
            if (requests and not party and (phrase := _noun_phrase(requests[-1].group("object")))
                    and not _is_pronoun(phrase)):
                return phrase
            fronted = _FRONTED.match(tidy)
            if fronted and not party and not _DATE_WORD.search(fronted["phrase"]) \
                    and not any(_core(word) in _CLAUSE_VERBS for word in fronted["phrase"].split()) \
                    and (phrase := _noun_phrase(fronted["phrase"])):
                return phrase[0].lower() + phrase[1:]
            subject = _SUBJECT.search(tidy)
            if subject and not _NAMES_NOTHING.search(subject["phrase"]):
                phrase = subject.group("phrase")
                return re.sub(r"^an? ", "the ", phrase[0].lower() + phrase[1:])  # "A publisher is keen": the one
            # a party ("send them the chapter") named in passing has a name: "go with the Riverside Hall"; a place
            # ("a spare in the workshop") is where the thing is, not the thing
            named = (_THE_PHRASE if requests else _THE_PHRASE_OR_PLACED).finditer(tidy)
            if mentioned := [m for m in named if (not party or _NAMED.search(m.group()))
                             and _names_a_thing(m.group()) and not _PLACE_BEFORE.search(tidy[:m.start()])]:
                return _noun_phrase(mentioned[-1].group())
    return ""


def _names_a_thing(phrase: str) -> bool:
    """Whether a phrase can be what a pronoun stands for: not a time ("the first of July", "the fourteenth") and
    not itself a pronoun's phrase ("the last one", "the lamp you notice")."""
    day = re.sub(r"^the\s+", "", phrase.lower()) in DAY_WORDS
    return not (day or _DATE_WORD.search(phrase) or _NAMES_NOTHING.search(phrase))


_PLACE_BEFORE = re.compile(r"\b(?:in|at|inside|into|from|near|under|behind|outside|through|across)\s*$", re.IGNORECASE)
_NAMES_NOTHING = re.compile(r"(?i:\b(?:ones?|you|we|they|he|she)\b)|\b(?:I|i|it|It)\b")
"""A phrase with one of these words names no thing: "the last one was", "the LED wash you do"."""
_FRONTED = re.compile(r"^(?:(?:and|so|right|okay|ok|now|then|oh)[,.]?\s+)*(?P<phrase>(?:the|our|those|these)\s+"
                      r"(?:[\w'-]+\s+){0,6}?[\w'-]+),\s", re.IGNORECASE)
"""A thing put first and then talked about: "And the consent forms for the trip, I can do those", "The rota, yes";
not a clause ("The phones will be mad, but fine")."""
_CLAUSE_VERBS = _VERB_ENDS | frozenset("be been being do does did go goes went".split())


def _is_pronoun(phrase: str) -> bool:
    """Whether a phrase opens with a pronoun rather than a determiner: "that", "that to Cy" (not "that file")."""
    words = [_core(w) for w in phrase.split()]
    return words[0] in PRONOUNS and (len(words) == 1 or words[1] in AFTER_PRONOUN_OK)


def _noun_phrase(span: str) -> str:
    """``span`` cut at its first clause or time word ("by", "and", "tomorrow") or a time after a preposition ("on
    the fifth of March"); "" when still too long."""
    words = span.split()
    for at, word in enumerate(words[1:], start=1):
        timed = word.lower() in ("on", "in", "at", "from") and _DATE_WORD.search(" ".join(words[at + 1:at + 5]))
        if word.lower() in PHRASE_BREAKS or timed:
            words = words[:at]
            break
    if len(words) > MAX_PHRASE_WORDS:  # "a second-hand laptop for sound out of the equipment fund": its head
        words = words[:next((at for at, w in enumerate(words[1:], start=1) if w.lower() in PHRASE_PREPOSITIONS),
                            len(words))]
    return " ".join(words) if len(words) <= MAX_PHRASE_WORDS else ""
