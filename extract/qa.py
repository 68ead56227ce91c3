"""Interview turns: who speaks in each paragraph, and where the introduction ends.

A turn opens either with a speaker label (``Syria Deeply:``, ``PS:``, ``Grandi:``) set in bold, in a
heading or in plain text, or with a question set apart from the running text (a whole-bold paragraph,
an ``<h2>``/``<h3>``) and no label at all. A paragraph without a label continues the turn before it,
except right after a question whose answer carries no label: there it opens that answer, given to the
person the part of the page presents. What comes before the first turn is the introduction, and each
``<hr>`` (or a section heading such as "Part Two") starts a new part with an introduction of its own;
introductions stay in the record's ``text`` (the turns are in ``qa`` only). Headings that ask nothing
and a closing section ("Recommended Reads" and its list) are in neither.

A page is an interview only when someone asks and someone answers: the publication's label asks (under
any of its names), so does the page's own author (``LS:`` for the byline's Lara Setrakian), so do the
questions set apart; with none of these, of two people who alternate the one whose turns end in "?"
asks, and when the publication's turns are the ones that do not ask, readers ask and it answers. A bold
place name in a news story ("Aleppo:") is no speaker, a profile round-up ("**Name:** a short bio") no
conversation, and question subheads over third-person prose (an explainer) no interview.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extract.blocks import Block
from extract.names import (
    ANSWER_WORDS,
    INITIALS,
    QUESTION_WORDS,
    Cast,
    is_name_like,
    is_publication,
    name_part,
    strip_titles,
)

QUESTION = "question"
ANSWER = "answer"

_LABEL = re.compile(r"^(?P<label>[^:]{1,80}?)\s*:\s*(?P<rest>.*)$", re.DOTALL)
_CLOSING_NOTE = re.compile(
    r"^(?:\(?(?:this|the) (?:interview|conversation|q&a|transcript)\b.*\b(?:edited|condensed|translated)\b"
    r"|\(?(?:interview|conversation) (?:has been |was )?(?:edited|condensed|translated)\b"
    r"|(?:top (?:image|photo)|photo|image|credit|editor[’']s note)\s*:)",
    re.IGNORECASE,
)
# A closing section of the editors': its heading, and everything after it up to the next turn.
_CLOSING_SECTION = re.compile(
    r"^(?:recommended\b|related\b|read more\b|more (?:from|in|on)\b|further reading\b"
    r"|editors?[’']?s?[’']? picks?\b|also (?:in|on|read)\b|you might also\b|suggested reading\b"
    r"|more stories\b|top reads\b)",
    re.IGNORECASE,
)
_REQUEST = re.compile(r"^(?:tell|describe|explain|talk|walk|give|share|please)\b.{3,}[.:]$", re.IGNORECASE)
_YOU = re.compile(r"\b(?:you|your|yours|yourself|yourselves)\b", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:I|I’m|I'm|I’ve|I've|I’d|I'd|me|my|we|We|our|Our|us)\b")


@dataclass
class Interview:
    intro: list[Block] = field(default_factory=list)
    turns: list[dict] = field(default_factory=list)
    outro: list[Block] = field(default_factory=list)
    turn_blocks: list[list[Block]] = field(default_factory=list)
    dropped: list[Block] = field(default_factory=list)  # headings, closing sections: in no field
    origin: dict[int, Block] = field(default_factory=dict)  # id of a label's rest -> its page block

    def placement(self, blocks: list[Block]) -> list[list[str]]:
        """Where each page block went ("intro", "turn", "outro", "dropped"; none for an empty one):
        for an audit that every paragraph lands in exactly one place."""
        where: dict[int, list[str]] = {id(b): [] for b in blocks}
        groups = [("intro", self.intro), ("outro", self.outro), ("dropped", self.dropped)]
        groups += [("turn", tb) for tb in self.turn_blocks]
        for name, group in groups:
            for b in group:
                source = self.origin.get(id(b), b)
                if id(source) in where:
                    where[id(source)].append(name)
        return [where[id(b)] for b in blocks]


def _label(block: Block) -> tuple[str, str, bool] | None:
    """(label, rest, formatted) when the block opens with "Name:"."""
    m = _LABEL.match(block.text)
    if not m or block.text[0] in "“\"‘'«(":
        return None  # a quoted title ("“NUJEEN: One Girl’s Journey” is out now") names no speaker
    label, rest = m.group("label").strip().lstrip("*•·–—- ").strip(), m.group("rest").strip()
    rest = rest.lstrip(": ").strip()  # "Lara Setrakian: : Either …", a colon typed twice
    lead = block.lead.lstrip("*•·–—- ")
    formatted = bool(lead) and (
        lead.rstrip(" :") == label or (lead.startswith(label) and lead[len(label) :].lstrip().startswith(":"))
    )
    return label, rest, formatted or block.heading


def _asks(text: str) -> bool:
    return text.rstrip(" ”\"’')").endswith("?")


def set_apart(block: Block) -> bool:
    """A heading, or a paragraph in bold from its first word to its last."""
    return bool(block.text) and (block.heading or (bool(block.lead) and block.lead == block.text))


def _is_section_heading(block: Block) -> bool:
    return set_apart(block) and not _asks(block.text) and not block.listed


def _speaks_elsewhere(label: str, speaking: set[tuple[str, ...]]) -> bool:
    words = tuple(label.casefold().split())
    return any(words[-len(other) :] == other or other[-len(words) :] == words for other in speaking)


def _subhead(block: Block, rest: str) -> bool:
    """ "Rebel Finances: Outspent, Outgunned" set apart: a subhead with a colon, not a speaker's turn."""
    label = block.text[: len(block.text) - len(rest)]
    return set_apart(block) and bool(rest) and len(rest.split()) <= 8 and not _asks(rest) and "," not in label


def _closing(block: Block) -> bool:
    return set_apart(block) and bool(_CLOSING_SECTION.match(block.text))


def _roles_by_questions(accepted: dict[int, tuple[str, str, str]]) -> bool:
    """When no label names who asks: two people alternate, and the one whose turns end in a
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
    length = {s: sum(len(rest) for sp, _, rest in accepted.values() if sp == s) / turns[s] for s in main}
    if length[asker] > 200 and length[asker] > 0.6 * length[other]:
        return False  # questions are shorter than answers: two long voices (a diary) interview no one
    for i, (speaker, _, rest) in accepted.items():
        accepted[i] = (speaker, QUESTION if speaker == asker else ANSWER, rest)
    return True


def _readers_ask(accepted: dict[int, tuple[str, str, str]]) -> None:
    """A readers' Q&A: the publication's turns do not ask, the named readers' turns do; swap the roles."""
    mine = [rest for _, role, rest in accepted.values() if role == QUESTION]
    theirs = [rest for _, role, rest in accepted.values() if role == ANSWER]
    if len(mine) < 2 or len(theirs) < 2:
        return
    if sum(map(_asks, mine)) == 0 and sum(map(_asks, theirs)) >= 0.6 * len(theirs):
        for i, (speaker, role, rest) in accepted.items():
            accepted[i] = (speaker, ANSWER if role == QUESTION else QUESTION, rest)


def _author_asks(accepted: dict[int, tuple[str, str, str]], cast: Cast) -> bool:
    """No label names the publication, but one names the page's own author ("LS:" for the byline's
    Lara Setrakian): the author interviews. (A byline may also credit the interviewee, which is why
    the publication's label, where there is one, wins.)"""
    speakers = {s for s, _, _ in accepted.values()}
    if len({s for s in speakers if cast.is_author(s)}) != 1 or all(cast.is_author(s) for s in speakers):
        return False  # every voice a byline's: they write together (a diary), no one interviews
    for i, (speaker, _, rest) in accepted.items():
        accepted[i] = (speaker, QUESTION if cast.is_author(speaker) else ANSWER, rest)
    return True


def _by_format(accepted: dict[int, tuple[str, str, str]], blocks: list[Block]) -> bool:
    """No label asks, yet one speaker's every turn is set apart (a heading, all bold) and the others'
    are not: that speaker is the interviewer ("Tara Lohan: …?" headings over "Atwater: …" paragraphs)."""
    apart: dict[str, list[bool]] = {}
    for i, (speaker, _, _) in accepted.items():
        apart.setdefault(speaker, []).append(set_apart(blocks[i]))
    askers = [s for s, flags in apart.items() if all(flags) and len(flags) >= 2]
    others = [s for s, flags in apart.items() if not any(flags)]
    # Alone, such a speaker asks when roman paragraphs without a label answer each turn.
    answered = all(
        i + 1 < len(blocks) and blocks[i + 1].text and not set_apart(blocks[i + 1]) for i in accepted
    )
    # (Two editors may share the asking, each in headings.)
    if askers and (others or (len(apart) == len(askers) == 1 and answered)):
        for i, (speaker, _, rest) in accepted.items():
            accepted[i] = (speaker, QUESTION if speaker in askers else ANSWER, rest)
        return True
    return False


def _labelled(blocks: list[Block], cast: Cast, candidates: dict[int, tuple[str, str, bool]]):
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
    # A one-off bold name right under a question answers it ("Noshin:" after two others' answers).
    for i, (label, rest, formatted) in candidates.items():
        prev = max((j for j in accepted if j < i), default=None)
        if i in accepted or not formatted or prev is None or accepted[prev][1] != QUESTION:
            continue
        if all(not blocks[j].text for j in range(prev + 1, i)):
            accepted[i] = (cast.resolve(label)[0], ANSWER, rest)
    return accepted


def split_interview(
    blocks: list[Block], publication: str, context: list[str], authors: list[str] | None = None
) -> Interview | None:
    """Intro, turns and closing notes of an interview, or None when the blocks are no interview.

    ``context`` is the title, then other running text that may name the speakers (the lede);
    ``authors`` are the byline's names (an interviewer may be labelled by initials).
    """
    authors = list(authors or [])
    labels: dict[int, tuple[str, str, bool]] = {}
    for i, block in enumerate(blocks):
        found = _label(block) if block.text and not block.listed else None
        if found and is_name_like(found[0]) and not _closing(block):
            labels[i] = found
    # A subhead with a colon labels nothing else on the page; a label that opens other turns too is a
    # speaker's, even where one of its turns is short and wholly in bold ("Atwater: Children."), and so
    # is a full name whose surname does ("Sarah Atwater: Tell us about your work.").
    subheads = {i for i, (_, rest, _) in labels.items() if _subhead(blocks[i], rest)}
    speaking = {tuple(label.casefold().split()) for i, (label, _, _) in labels.items() if i not in subheads}
    candidates = {
        i: found for i, found in labels.items() if i not in subheads or _speaks_elsewhere(found[0], speaking)
    }
    headlines = _headlines(blocks, candidates)
    for i in headlines:
        del candidates[i]
    questions = _set_apart_questions(blocks, candidates, context[1:])
    if len(candidates) + len(questions) < 2:
        return None
    first = min([*candidates, *questions])
    intro_text = [b.text for b in blocks[:first]]
    cast = Cast(
        publication, [c[0] for c in candidates.values()], [*intro_text, *context[1:]], context[0], authors
    )
    accepted = _labelled(blocks, cast, candidates)
    roles = {role for _, role, _ in accepted.values()}
    if roles == {ANSWER}:
        decided = _by_format(accepted, blocks) or _author_asks(accepted, cast)
        if not decided and not questions and not _roles_by_questions(accepted):
            return None
    elif roles == {QUESTION, ANSWER}:
        _readers_ask(accepted)
    _resolve_answer_words(accepted, cast)
    for i, (speaker, role, rest) in accepted.items():
        if role == QUESTION and INITIALS.match(speaker):
            # Initials of an interviewer the page names nowhere ("LS:" on a page by "Syria Deeply"):
            # the interviewer asks for the publication.
            accepted[i] = (cast.own_name(), role, rest)
    questions += _follow_ups(blocks, accepted, questions)
    asker = _asker_name(accepted, cast)
    for i in questions:
        accepted[i] = (asker, QUESTION, blocks[i].text)
    if not any(role == QUESTION for _, role, _ in accepted.values()):
        return None
    asked_plainly = {i for i, c in candidates.items() if name_part(c[0]).casefold() in QUESTION_WORDS}
    return _segment(
        blocks,
        accepted,
        set(questions),
        cast,
        [*context[1:]],
        context[0],
        authors,
        asked_plainly | set(questions),
        headlines,
    )


_SENTENCE_END = re.compile(r"[.?!…:;”\"’')\]]$")


def _headlines(blocks: list[Block], candidates: dict) -> set[int]:
    """ "Sunderland: Methylmercury comes from gold mining" set apart, with no full stop, over a turn of
    the same person: a headline naming its speaker, not a turn of its own."""
    found = set()
    for i, (label, rest, _) in candidates.items():
        j = next((k for k in range(i + 1, len(blocks)) if blocks[k].text), None)
        if j not in candidates or not set_apart(blocks[i]) or not rest or _SENTENCE_END.search(rest):
            continue
        mine, theirs = name_part(label).split(), name_part(candidates[j][0]).split()
        if mine and theirs and mine[-1].casefold() == theirs[-1].casefold():
            found.add(i)
    return found


def _set_apart_questions(blocks: list[Block], candidates: dict, lede: list[str]) -> list[int]:
    """Unlabelled questions set apart, each over a roman paragraph; a request ("Tell us about …")
    counts once the page asks at least twice. Most must address someone ("you"), unless labels answer
    them or the introduction says who was asked ("… spoke with Abdisaid Ali")."""
    apart = [
        i for i, b in enumerate(blocks)
        if i not in candidates and set_apart(b) and not _closing(b)
        and (not b.listed or _item_holds_its_answer(blocks, i))
        and i + 1 < len(blocks) and blocks[i + 1].text and not set_apart(blocks[i + 1])
        and (_asks(b.text) or _REQUEST.match(b.text))
    ]  # fmt: skip
    found = [i for i in apart if len(blocks[i].text.split()) >= 3]
    if len([i for i in found if _asks(blocks[i].text)]) >= 2:
        # "Why?" in a list item with its answer; alone, a short line ("Solutions?") is a subhead.
        found = [
            i for i in apart
            if len(blocks[i].text.split()) >= 3
            or (_asks(blocks[i].text) and _item_holds_its_answer(blocks, i))
        ]  # fmt: skip
    asked = [i for i in found if _asks(blocks[i].text)]
    # A question that shares its list item with its answer is addressed by the markup itself.
    addressed = [
        i for i in found
        if _YOU.search(blocks[i].text) or i + 1 in candidates or _item_holds_its_answer(blocks, i)
    ]  # fmt: skip
    intro = [b.text for b in blocks[: found[0]]] + lede if found else []
    if any(_SPOKE_WITH.search(t) for t in intro):
        addressed = found
    headings = [i for i, b in enumerate(blocks) if b.heading and b.text and not _closing(b)]
    if found and all(blocks[i].heading for i in found) and len(found) < 0.5 * len(headings) \
            and not any(i + 1 in candidates for i in found):
        return []  # "Ignorance and fear", "Where to stay?", "Unsure": a story's subheads, a few asking
    if len(asked) < 2 or len(addressed) < 0.5 * len(found):
        return []  # "Solutions?", "Who is to blame?": a news story's subheads ask no one
    return found


def _item_holds_its_answer(blocks: list[Block], i: int) -> bool:
    """A list item that holds a question set apart and the paragraphs answering it: the list numbers
    the questions ("In five questions"), its items are no bullet points."""
    block, after = blocks[i], blocks[i + 1] if i + 1 < len(blocks) else None
    return bool(block.item) and after is not None and after.item == block.item


def _follow_ups(blocks: list[Block], accepted: dict, questions: list[int]) -> list[int]:
    """Unlabelled questions between labelled turns, set apart as the labelled questions are (all bold,
    or headings), each over a roman paragraph: the interviewer asking on without a label."""
    asking = sorted(i for i, (_, role, _) in accepted.items() if role == QUESTION)
    if questions or len(asking) < 2 or not all(set_apart(blocks[i]) for i in asking):
        return []
    return [
        i for i, b in enumerate(blocks)
        if asking[0] < i < max(accepted) and i not in accepted and set_apart(b) and not b.heading
        and not b.listed and not _closing(b) and _asks(b.text) and len(b.text.split()) >= 3
        and i + 1 < len(blocks) and blocks[i + 1].text and not set_apart(blocks[i + 1])
        and i + 1 not in accepted
    ]  # fmt: skip


def _asker_name(accepted: dict[int, tuple[str, str, str]], cast: Cast) -> str:
    """Who asks the questions that carry no label: the page's labelled interviewer, else the publication."""
    askers = Counter(s for s, role, _ in accepted.values() if role == QUESTION)
    return askers.most_common(1)[0][0] if askers else cast.own_name()


def _segment(
    blocks, accepted, unlabelled_questions, cast, context, title, authors, asked_plainly=frozenset(),
    headlines=frozenset(),
) -> Interview | None:
    # Which questions have a labelled answer before the next question: the others' answers are the
    # roman paragraphs under them.
    order = sorted(accepted)
    labelled_answer_after: set[int] = set()
    last_q = None
    for i in order:
        if accepted[i][1] == QUESTION:
            last_q = i
        elif last_q is not None:
            labelled_answer_after.add(last_q)
    labelled_answerers = {s: role for s, role, _ in sorted(accepted.values(), key=lambda t: t[1] == QUESTION)}
    has_labelled_answers = any(role == ANSWER for _, role, _ in accepted.values())

    # Readers ask in turn, each named above a question or in parentheses under it: a name line of that
    # shape alone on the page is a subhead over the question ("Looking Ahead"), not a reader.
    reader_lines = {
        i for i, block in enumerate(blocks)
        if i not in accepted and i not in headlines and not block.rule and not _closing(block)
        and _reader_line(blocks, i, accepted, asked_plainly)
    }  # fmt: skip
    if len(reader_lines) + sum(_attribution(block.text) is not None for block in blocks) < 2:
        reader_lines = set()

    result = Interview()
    current: list[Block] | None = None
    current_q: int | None = None  # the question whose unlabelled answer the next roman block opens
    part_intro: list[str] = []
    earlier_intro: list[str] = []  # the last part's that had one: a part opening on a question goes on
    answerer: str | None = None

    def who_answers() -> str:
        return _answerer(cast, part_intro or earlier_intro, context, title, authors, labelled_answerers)

    readers = False  # a reader asks: named on a line above the question, or in parentheses below it
    reader: str | None = None
    closing = False
    for i, block in enumerate(blocks):
        if i in accepted:
            closing = False
            speaker, role, rest = accepted[i]
            if role == QUESTION and reader:
                speaker, readers = reader, True
            elif role == ANSWER and speaker.casefold() in ANSWER_WORDS:
                speaker = cast.own_name() if readers else (answerer or who_answers())
            reader = None
            result.turns.append({"speaker": speaker, "role": role, "text": ""})
            if i in unlabelled_questions:
                current = [block]
            elif rest:
                current = [Block(rest, embeds=block.embeds)]
                result.origin[id(current[0])] = block
            else:
                current = []
                result.dropped.append(block)  # a label alone ("Syria Deeply:"): its words are the speaker
            result.turn_blocks.append(current)
            current_q = i if role == QUESTION and i not in labelled_answer_after else None
            continue
        if block.rule:
            result.dropped.append(block)
            earlier_intro = part_intro or earlier_intro
            current, current_q, part_intro, answerer = None, None, [], None
            continue
        if i in headlines:
            result.dropped.append(block)
            continue
        if closing or _closing(block):
            closing = True
            result.dropped.append(block)
            continue
        if not block.text and not block.embeds:
            continue
        if reader is None and i in reader_lines:
            reader = " ".join(block.text.split())
            result.dropped.append(block)
            continue
        if reader is not None and len(block.text.split()) <= 12 and not _asks(block.text):
            result.dropped.append(block)  # the reader's short bio under the name
            continue
        if (
            current and result.turns[-1]["role"] == QUESTION and set_apart(block)
            and not block.heading and not block.listed and "?" in block.text and not block.text.endswith(":")
        ):  # fmt: skip
            # A question that goes on asking in a bold paragraph, before any answer: still the question
            # (a bold name line over the answer, "Omar Said, economist:", asks nothing).
            current.append(block)
            continue
        if _is_section_heading(block) and (current is not None or result.turns):
            # "Part Two", a subhead between two parts: no turn, and what follows until the next
            # question introduces the next part.
            result.dropped.append(block)
            earlier_intro = part_intro or earlier_intro
            current, current_q, part_intro, answerer = None, None, [], None
            continue
        attributed = _attribution(block.text)
        if attributed and result.turns and result.turns[-1]["role"] == QUESTION:
            result.turns[-1]["speaker"] = cast.resolve(attributed)[0]
            readers = True
            result.dropped.append(block)
            continue
        if current_q is not None and block.text:
            if answerer is None:
                answerer = who_answers()
            if not answerer:
                return None
            result.turns.append({"speaker": answerer, "role": ANSWER, "text": ""})
            current = [block]
            result.turn_blocks.append(current)
            current_q = None
            continue
        if current is None:
            if block.heading and block.text:
                result.dropped.append(block)
            else:
                result.intro.append(block)
                if block.text:
                    part_intro.append(block.text)
        else:
            current.append(block)
    result.turns, result.turn_blocks = _without_empty(result.turns, result.turn_blocks, result.dropped)
    if not result.turns:
        return None
    if {t["role"] for t in result.turns} != {QUESTION, ANSWER}:
        return None
    if unlabelled_questions and not has_labelled_answers and not _speaks_for_itself(result):
        return None  # question subheads over an explainer's third-person prose
    # Closing notes ("This interview has been edited…", a photo credit) end the last answer's blocks.
    last = result.turn_blocks[-1]
    if len(last) > 1 and last[-1].text.endswith(":"):
        # An outro that introduces what the text does not hold (a player, an embed: "The first recording
        # is called …:"): no answer ends so. With it goes what follows the last picture in that answer.
        start = max((k for k in range(1, len(last)) if last[k].after_picture), default=len(last) - 1)
        result.outro[:0] = last[start:]
        del last[start:]
    while len(last) > 1 and (last[-1].italic or _CLOSING_NOTE.match(last[-1].text)):
        result.outro.insert(0, last.pop())
    for turn, turn_blocks in zip(result.turns, result.turn_blocks, strict=True):
        turn["text"] = "\n\n".join(b.text for b in turn_blocks if b.text)
    return result


def _attribution(text: str) -> str | None:
    """The reader a line in parentheses names under a question: "(Rana Aziz, Amman)"."""
    m = _ATTRIBUTION.match(text)
    name = m.group("name") if m else ""
    return name if is_name_like(name) and len(name.split()) >= 2 else None


def _reader_line(blocks: list[Block], i: int, accepted, asked_plainly) -> bool:
    """A reader's name set apart on its own line (a short bio may follow), right above a question
    that no label gives to the publication ("Q:", or none). A person's name: "The Future" is none."""
    block = blocks[i]
    words = block.text.split()
    if not (
        set_apart(block) and 2 <= len(words) <= 4 and ":" not in block.text and is_name_like(block.text)
        and _personal(words)
    ):  # fmt: skip
        return False
    for j in range(i + 1, min(i + 3, len(blocks))):
        if j in accepted:
            return accepted[j][1] == QUESTION and j in asked_plainly
        if len(blocks[j].text.split()) > 12:
            return False  # an introduction, not a reader's short bio ("Part One" over a part's intro)
    return False


def _without_empty(turns, turn_blocks, dropped):
    """A label with nothing after it and no paragraph under it ("Related Stories:") is no turn."""
    kept_turns, kept_blocks = [], []
    for turn, tb in zip(turns, turn_blocks, strict=True):
        if any(b.text for b in tb):
            kept_turns.append(turn)
            kept_blocks.append(tb)
        else:
            dropped.extend(tb)
    return kept_turns, kept_blocks


def _speaks_for_itself(result: Interview) -> bool:
    answers = [tb for t, tb in zip(result.turns, result.turn_blocks, strict=True) if t["role"] == ANSWER]
    first_person = sum(1 for tb in answers if any(_FIRST_PERSON.search(b.text) for b in tb))
    return first_person >= 0.5 * len(answers)


_SPEECH = re.compile(
    r"\b(?:responded|answered|told|tells|spoke|speaks|talked|talks|said|says|explained|explains|shared|"
    r"shares|discussed|discusses|answers|responds|weighs in|weighed in)\b"
)
_SPOKE_WITH = re.compile(
    r"\b(?:spoke|speaks|talked|talks|sat down|caught up|met|chatted|chats|spoken)\s+(?:\w+\s+){0,2}?"
    r"(?:with|to)\s+|\b(?:interviewed|asked|interviews|asks|interview with|conversation with|q&a with|"
    r"questions for|questions to)\s+",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(r"^\((?P<name>[^,()]{3,60})(?:,[^()]{3,200})?\)$")
_AGED = re.compile(r"(?<![\w’'])([A-Z][\w’'-]+(?: [A-Z][\w’'-]+)?), (?:a |an )?\d{1,2}(?:-year-old)?,")
_TITLE_SPEAKER = re.compile(r"^(?P<name>[^:]{3,60}):\s")


def _answerer(cast: Cast, part_intro: list[str], context: list[str], title: str, authors, labelled) -> str:
    """Who answers unlabelled: the only person whose answers are labelled elsewhere on the page, else
    the person this part's introduction (or the lede) presents as the one who spoke, else the person
    the title opens with ("Michel Kilo: …"). Never the one who asks, nor, unless labels say they
    answer, the page's own author, unless the author is who asks (a byline may credit both sides of
    the conversation); "A:" is no person, only the answer's label where nobody is presented."""
    askers = {s.casefold() for s, role in labelled.items() if role == QUESTION}
    bylines = {a.casefold() for a in authors}
    own = askers | (set() if askers & bylines else bylines)
    labelled = [s for s, role in labelled.items() if role == ANSWER]
    people = [s for s in labelled if s.casefold() not in askers | ANSWER_WORDS and not cast.is_asker(s)]
    if len(people) == 1:
        return people[0]
    for texts in (part_intro, context):
        found = _presented(cast, texts, own)
        if found and found.casefold() not in own and not cast.is_asker(found):
            return found
    m = _TITLE_SPEAKER.match(title or "")
    if m and is_name_like(m.group("name")) and len(m.group("name").split()) >= 2:
        name = " ".join(strip_titles(m.group("name").split()))
        mentioned = any(name.casefold() == n.casefold() for n in cast.mentions)  # a person the text names too
        if mentioned and name.casefold() not in own and not is_publication(name) and _personal(name.split()):
            return name
    # Nobody presented: on a page that labels the answers "A:", that is all it says of who answers.
    return next((s for s in labelled if s.casefold() in ANSWER_WORDS), "")


def _presented(cast: Cast, texts: list[str], own: set[str] | frozenset[str] = frozenset()) -> str:
    """The person a text says spoke: named right before a speech verb in the same clause ("Watan Build
    director Samir Kanaan responded …"), or right after "spoke with", "interviewed" ("… spoke to Kakar").
    Not one of ``own`` (the askers, the byline): "Mira Haddad spoke with Omar Said" presents Omar Said."""
    joined = " ".join(texts)
    best: tuple[int, str] | None = None
    for mention in cast.mentions:
        if not _personal(mention.split()) or " ".join(strip_titles(mention.split())).casefold() in own:
            continue
        for m in re.finditer(re.escape(mention), joined):
            gap = joined[m.end() : m.end() + 60]
            verb = _SPEECH.search(gap)
            if verb and not re.search(r"[.;]", gap[: verb.start()]):
                if best is None or verb.start() < best[0]:
                    best = (verb.start(), mention)
    if best:
        return " ".join(strip_titles(best[1].split()))
    for m in _SPOKE_WITH.finditer(joined):
        after = joined[m.end() : m.end() + 80]
        words = re.findall(r"[\w’'.-]+", after)[:6]
        run: list[str] = []
        for w in words:
            if w[:1].isupper() or (run and w.casefold() in {"al", "el", "de", "van", "von", "bin"}):
                run.append(w.rstrip(".,"))
            elif run:
                break
        run = strip_titles(run)
        if not run or is_publication(" ".join(run)) or not _personal(run):
            continue
        name = " ".join(run)
        resolved = cast.resolve_one(name)
        if resolved:
            return resolved
        if len(run) >= 2:
            return name
    # An interviewee known by a first name and an age ("Fares, 28, is one of them").
    aged = _AGED.search(joined)
    if aged and _personal(aged.group(1).split()):
        return aged.group(1)
    # A lede that opens on the person it presents ("Omar Said (@omar) is the director of …"), not on
    # a clause ("While Moscow is reclassifying …").
    for text in texts:
        opening = next((m for m in cast.mentions if text.startswith(m + " ")), None)
        if opening and _personal(opening.split()) and _INTRODUCED.match(text[len(opening) :]):
            return " ".join(strip_titles(opening.split()))
    return ""


_INTRODUCED = re.compile(r"^\s(?:\([^()]{1,60}\)\s)?(?:is|was) (?:the|a|an)\s")


_NOT_PERSONAL = {
    "the", "a", "an", "in", "on", "at", "for", "from", "this", "that", "these", "those", "our", "its",
    "institute", "watch", "council", "organization", "organisation", "center", "centre", "university",
    "studies", "foundation", "group", "agency", "ministry", "committee", "front", "army", "national",
    "international", "river", "association", "network", "program", "programme", "project", "office",
    "department", "fund", "bank", "union", "commission", "coalition", "party", "forum", "magazine",
    "news", "times", "post", "radio", "television", "tv", "refugees", "picks", "talks", "deeply",
}  # fmt: skip


def _personal(run: list[str]) -> bool:
    """A run of capitalised words that can be a person's name: no organisation or function word. A
    letter alone after the first word is a middle initial ("Omar A. Said"), not the article."""
    return not any(
        w.casefold().strip("’'.,") in _NOT_PERSONAL and not (k and len(w.strip("’'.,")) == 1)
        for k, w in enumerate(run)
    )


def _resolve_answer_words(accepted: dict[int, tuple[str, str, str]], cast: Cast) -> None:
    """ "A:" stands for the one person who answers, when the page names exactly one."""
    answerers = {s for s, role, _ in accepted.values() if role == ANSWER and s.casefold() not in ANSWER_WORDS}
    if len(answerers) == 1:
        (only,) = answerers
        for i, (speaker, role, rest) in accepted.items():
            if speaker.casefold() in ANSWER_WORDS:
                accepted[i] = (only, role, rest)
