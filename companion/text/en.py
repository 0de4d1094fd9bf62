"""English cue phrases: the data behind the utterance detector's lexical features.

One module per language (``companion.text.<language>``), each with the same names; a second language is a
new module of data, not new code. Each cue is a regular expression over the lower-cased utterance.
"""

CUES: dict[str, str] = {
    "i_will": r"\b(?:i'll|i will|i shall|i'm going to|i am going to|i'm gonna|i can do|let me|leave it with me|"
              r"i'll take|i'm on it|on it)\b",
    "we_will": r"\b(?:we'll|we will|we're going to|we are going to|we're gonna|let's|let us|we need to|we have to|"
               r"we should|we must|we've got to)\b",
    "you_will": r"\b(?:you'll|you will|you're going to|you're gonna|you need to|you have to|you should|"
                r"you're on|your job|over to you)\b",
    "request": r"\b(?:can you|could you|would you|will you|would you mind|please|i need you to|make sure|"
               r"can someone|could someone|someone (?:has|needs) to)\b",
    "assignment": r"\b(?:owns?|is going to|will take care|takes? (?:care of|over)|action:|to do|is on|in charge of|"
                  r"responsible for|assign)",
    "decided": r"\b(?:decid|decision|agreed|we agree|settled|go with|going with|go for|final|chose|choose|"
               r"opt for|stick with|we'll use|we will use|from now on|from next)",
    "proposal": r"\b(?:should we|shall we|how about|what about|why don't we|maybe we|i suggest|i propose|"
                r"suggestion|proposal|i think we should|could we)\b",
    "assent": r"^(?:yes|yeah|yep|yup|okay|ok|sure|fine|agreed|sounds good|good|great|right|absolutely|"
              r"definitely|deal|works for me|fine by me|same|exactly|perfect|cool|alright)\b",
    "open": r"\b(?:open question|keep (?:it|that|this) open|leave (?:it|that|this)(?: one)? open|don't know|"
            r"no idea|nobody knows|no one knows|not sure|unclear|park (?:it|that|this)|find out|"
            r"check with|ask)\b",
    "problem": r"\b(?:problem|issue|difficult|concern|worr|can't|cannot|won't work|too expensive|risk)\b",
    "schedule": r"\b(?:next (?:meeting|sync|call|review|stand-?up|session)|meet again|regroup|see you|"
                r"reconvene|catch up)\b",
    "modal": r"\b(?:need to|needs to|have to|has to|must|got to|gotta|should)\b",
    "future": r"\b(?:will|'ll|gonna|going to|shall)\b",
    "filler": r"\b(?:um|uh|erm|mm|hmm|you know|i mean|like)\b",
}
"""Named cues; the detector's feature order is the order of this dict."""

MODEL_ADDRESS: tuple[str, ...] = (
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+)?"
    r"(?:previous\s+|prior\s+|above\s+|earlier\s+|preceding\s+|original\s+|system\s+)?"
    r"(?:instructions?|prompts?|directives?|programming)\b",
    r"\b(?:ignore|disregard|forget)\s+(?:everything|all|anything)\s+(?:above|before|said before|previous)\b",
    r"(?:^|[:.!?]\s*)\W*(?:system|assistant|developer)\s*(?:prompt|message|note|override)?\s*:",
    r"\[/?(?:inst|system)\]|<\|?/?(?:system|im_start|im_end|assistant)\|?>|<<\s*/?sys\s*>>",
    r"\b(?:system prompt\b|new instructions?\s*:)",
    r"\bas an? (?:ai|artificial intelligence)(?: language model| model| assistant)?\s*,|\bas an? (?:large )?"
    r"language model\b|\bas an? ai assistant\b",
    r"\byou are (?:now )?(?:an? |the )?(?:ai|chatbot|language model|large language model|ai assistant|"
    r"helpful assistant)\b",
    r"\b(?:the|your|this|these|meeting's) (?:summary|summaries|minutes|recap|meeting notes)\s+(?:must|should|shall|"
    r"has to|have to|needs? to|is to|are to|will)\s+(?:say|state|read|mention|include|contain|record|report|show|"
    r"list|claim|note)\b",
    r"\b(?:write|say|state|put|record|add|note|include)\b(?: it| this| that| down)? (?:in|into|to) (?:the|your) "
    r"(?:summary|minutes)(?: that\b|\s*:)",
    r"\b(?:do not|don't|never) (?:mention|include|report|record|say|write)\b[^.!?]{0,40}\b(?:in|into) (?:the|your) "
    r"(?:summary|minutes)\b",
    r"\b(?:ai|chatgpt|gpt|llm|language model|summari[sz]er|ai assistant|note-?taker|meeting bot|the model|the bot)"
    r"\s*[,:]\s*(?:please\s+)?(?:ignore|write|say|state|output|include|record|add|forget|report|mark|list|make|"
    r"pretend|respond)\b",
    r"\bnote to (?:the )?(?:ai|model|assistant|summari[sz]er|language model|llm|bot|note-?taker)\b",
    r"\bwhen (?:you )?(?:summari[sz]e|write (?:the|this|your) (?:summary|minutes))\b",
)
"""Phrases that address a language model rather than the meeting (prompt injection): a sentence with one of them
is no statement of fact, whoever says it. Regular expressions over the lower-cased sentence, its speaker's label
in front ("system: ...")."""
