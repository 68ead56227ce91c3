"""Interview turns: who speaks in each paragraph, and where the introduction ends.

A turn opens with a speaker label (``Syria Deeply:``, ``PS:``, ``Grandi:``) set in bold, in a heading
or in plain text; a paragraph without a label continues the turn before it, and what comes before the
first label is the introduction, which stays in the record's ``text`` (the turns are in ``qa`` only).
A page is an interview only when someone asks and someone answers: the publication's label asks; with
no such label, of two people who alternate the one whose turns end in "?" does. A bold place name in a
news story ("Aleppo:") is no speaker, nor is a photo credit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extract.blocks import Block
from extract.names import ANSWER_WORDS, INITIALS, Cast, is_name_like, name_part, strip_titles

QUESTION = "question"
ANSWER = "answer"

_LABEL = re.compile(r"^(?P<label>[^:]{1,80}?)\s*:\s*(?P<rest>.*)$", re.DOTALL)
_CLOSING_NOTE = re.compile(
    r"^(?:\(?(?:this|the) (?:interview|conversation|q&a|transcript)\b.*\b(?:edited|condensed|translated)\b"
    r"|\(?(?:interview|conversation) (?:has been |was )?(?:edited|condensed|translated)\b"
    r"|(?:top (?:image|photo)|photo|image|credit|editor[’']s note)\s*:)",
    re.IGNORECASE,
)


@dataclass
class Interview:
    intro: list[Block] = field(default_factory=list)
    turns: list[dict] = field(default_factory=list)
    outro: list[Block] = field(default_factory=list)
    turn_blocks: list[list[Block]] = field(default_factory=list)


def _label(block: Block) -> tuple[str, str, bool] | None:
    """(label, rest, formatted) when the block opens with "Name:"."""
    m = _LABEL.match(block.text)
    if not m:
        return None
    label, rest = m.group("label").strip().lstrip("*•·–—- ").strip(), m.group("rest").strip()
    lead = block.lead.lstrip("*•·–—- ")
    formatted = bool(lead) and (
        lead.rstrip(" :") == label or (lead.startswith(label) and lead[len(label) :].lstrip().startswith(":"))
    )
    return label, rest, formatted or block.heading


def _asks(text: str) -> bool:
    return text.rstrip(" ”\"’')").endswith("?")


def _roles_by_questions(accepted: dict[int, tuple[str, str, str]]) -> bool:
    """When no label names the publication: two people alternate, and the one whose turns end in a
    question mark asks. Reassigns roles in place; False when the page is no such conversation."""
    turns = Counter(speaker for speaker, _, _ in accepted.values())
    main = [speaker for speaker, n in turns.most_common(2) if n >= 3]
    if len(main) < 2 or sum(turns[s] for s in main) < 0.8 * len(accepted):
        return False
    asked = {s: sum(_asks(rest) for sp, _, rest in accepted.values() if sp == s) / turns[s] for s in main}
    asker = max(main, key=lambda s: asked[s])
    other = next(s for s in main if s != asker)
    if asked[asker] < 0.5 or asked[asker] <= asked[other]:
        return False
    for i, (speaker, _, rest) in accepted.items():
        accepted[i] = (speaker, QUESTION if speaker == asker else ANSWER, rest)
    return True


def split_interview(blocks: list[Block], publication: str, context: list[str]) -> Interview | None:
    """Intro, turns and closing notes of an interview, or None when the blocks are no interview.

    ``context`` is the title, then other running text that may name the speakers (the lede).
    """
    candidates: dict[int, tuple[str, str, bool]] = {}
    for i, block in enumerate(blocks):
        found = _label(block) if block.text else None
        if found and is_name_like(found[0]):
            candidates[i] = found
    if len(candidates) < 2:
        return None
    first = min(candidates)
    intro_text = [b.text for b in blocks[:first]]
    cast = Cast(publication, [c[0] for c in candidates.values()], [*intro_text, *context[1:]], context[0])
    counts = Counter(name_part(c[0]).casefold() for c in candidates.values())
    asker_labels = sum(1 for c in candidates.values() if cast.is_asker(cast.resolve(c[0])[0]))

    accepted: dict[int, tuple[str, str, str]] = {}
    for i, (label, rest, formatted) in candidates.items():
        speaker, known = cast.resolve(label)
        initials = bool(INITIALS.match(name_part(label)))
        repeated = counts[name_part(label).casefold()] >= 2
        if not (known or repeated or (formatted and initials)):
            continue  # a one-off "Aleppo:" or "Reuters:" is a lead-in, not a speaker
        if not (formatted or known or initials or (repeated and asker_labels >= 1)):
            continue
        role = QUESTION if cast.is_asker(speaker) else ANSWER
        accepted[i] = (speaker, role, rest)
    roles = {role for _, role, _ in accepted.values()}
    unlabeled_answers = False
    if roles == {ANSWER}:
        if not _roles_by_questions(accepted):
            return None
    elif roles == {QUESTION}:
        # Only the questions are labelled ("Question: …" headings): the paragraphs after each are
        # the answer of the person the introduction presents.
        if len(accepted) < 2:
            return None
        unlabeled_answers = True
    elif roles != {QUESTION, ANSWER}:
        return None
    _resolve_answer_words(accepted, cast)

    result = Interview()
    current: list[Block] | None = None
    for i, block in enumerate(blocks):
        if i in accepted:
            speaker, role, rest = accepted[i]
            result.turns.append({"speaker": speaker, "role": role, "text": ""})
            current = [Block(rest)] if rest else []
            result.turn_blocks.append(current)
        elif current is None:
            result.intro.append(block)
        elif unlabeled_answers and result.turns[-1]["role"] == QUESTION and current:
            answerer = _presented(cast, [*intro_text, *context[1:]])
            result.turns.append({"speaker": answerer, "role": ANSWER, "text": ""})
            current = [block]
            result.turn_blocks.append(current)
        else:
            current.append(block)
    if unlabeled_answers and not any(t["role"] == ANSWER for t in result.turns):
        return None
    # Closing notes ("This interview has been edited…", a photo credit) end the last answer's blocks.
    last = result.turn_blocks[-1]
    while len(last) > 1 and (last[-1].italic or _CLOSING_NOTE.match(last[-1].text)):
        result.outro.insert(0, last.pop())
    for turn, turn_blocks in zip(result.turns, result.turn_blocks, strict=True):
        turn["text"] = "\n\n".join(b.text for b in turn_blocks if b.text)
    return result


_SPEECH = re.compile(r"\b(?:responded|answered|told|spoke|talked|said|says|explained|explains|shared)\b")


def _presented(cast: Cast, texts: list[str]) -> str:
    """Who answers unlabelled: the person named right before the introduction says someone spoke
    ("Watan Build director Samir Kanaan responded …"), within the same sentence."""
    joined = " ".join(texts)
    best: tuple[int, str] | None = None
    for mention in cast.mentions:
        for m in re.finditer(re.escape(mention), joined):
            gap = joined[m.end() : m.end() + 60]
            verb = _SPEECH.search(gap)
            if verb and not re.search(r"[.;]", gap[: verb.start()]):
                if best is None or verb.start() < best[0]:
                    best = (verb.start(), mention)
    return " ".join(strip_titles(best[1].split())) if best else ""


def _resolve_answer_words(accepted: dict[int, tuple[str, str, str]], cast: Cast) -> None:
    """ "A:" stands for the one person who answers, when the page names exactly one."""
    answerers = {s for s, role, _ in accepted.values() if role == ANSWER and s.casefold() not in ANSWER_WORDS}
    if len(answerers) == 1:
        (only,) = answerers
        for i, (speaker, role, rest) in accepted.items():
            if speaker.casefold() in ANSWER_WORDS:
                accepted[i] = (only, role, rest)
