"""Speaker names: telling a label from a lead-in, and resolving short labels to full names.

Interview labels shorten names after the first turn: initials (``SD``, ``PS``, ``HDG`` for Hamish de
Bretton-Gordon), a surname (``Grandi``, ``Tamimi`` for Aymenn al-Tamimi), a given name (``Marc``), two
people at once (``Chatty and Wahby``). A `Cast` resolves them against, in order: the page's full-name
labels, the publication (which asks), the names the introduction and lede mention ("… with Paul Salem,
director of …"), and last the title. A name found nowhere stays as it was written.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from extract.urls import PUBLICATIONS

_PARTICLES = {
    "al", "el", "bin", "ibn", "bint", "abu", "abou", "um", "umm", "de", "di", "da", "del", "della", "van",
    "von", "der", "den", "la", "le", "du", "dos", "das", "ter", "st.",
}  # fmt: skip
_HONORIFICS = {
    "dr", "mr", "mrs", "ms", "miss", "prof", "professor", "sheikh", "sheik", "father", "sister", "brother",
    "gen", "general", "col", "colonel", "maj", "major", "capt", "captain", "lt", "lieutenant", "sgt",
    "sergeant", "brig", "brigadier", "commander", "sir", "imam", "hajj", "haji", "rev", "ambassador",
    "amb", "minister", "president", "lord", "lady", "dame",
}  # fmt: skip
# Run-in labels that name no speaker: photo credits, notes, form fields.
_NOT_SPEAKERS = {
    "top image", "top photo", "top picture", "image", "images", "photo", "photos", "photo credit", "picture",
    "credit", "credits", "source", "sources", "update", "updated", "note", "notes", "editor's note",
    "editor’s note", "editors' note", "editors’ note", "editor note", "related", "read more", "see also",
    "more", "follow him on twitter", "follow her on twitter", "follow them on twitter", "follow",
    "name", "age", "date", "time", "location", "place", "occupation", "warning", "disclaimer",
    "correction", "clarification", "translation", "translated by", "video", "watch", "listen",
    "background", "context", "summary", "timeline", "bottom line", "key points", "caption", "map",
    "graphic", "infographic", "via", "tags", "topics", "email", "e-mail", "twitter", "facebook", "tel",
    "phone", "website", "web", "hashtag", "quote", "the bottom line", "what we know", "why it matters",
    "what's next", "what’s next", "read the full report", "full disclosure", "disclosure", "reporting by",
    "additional reporting", "edited by", "written by", "published on", "read time", "part", "step",
    "photo courtesy", "courtesy", "photo by", "photograph", "illustration",
}  # fmt: skip
QUESTION_WORDS = {"q", "question", "questions", "interviewer"}
# The network's publications under their names over time: "Syria Deeply", "News Deeply", "Women’s
# Advancement Deeply", and the hub that asked as "Women and Girls Hub", "Women & Girls Hub" and
# "Women & Girls" (a name of two words or more before "Hub" stands alone too).
_PUBLICATION = re.compile(
    r"^(?:News Deeply[’']s\s+)?(?:(?:[A-Z][\w’'&-]*|and|&)\s+){0,3}[A-Z][\w’'-]*\s+(?:Deeply|Hubs?)$"
    r"|^(?:[A-Z][\w’'-]*\s+)(?:and|&)\s+[A-Z][\w’'-]*$"
)
ANSWER_WORDS = {"a", "answer"}
INITIALS = re.compile(r"^(?:[A-Z]\.?){2,5}$")
_CASELESS_LETTER = re.compile(r"^[^\W\d_]")


def _publication_key(name: str) -> str:
    low = " ".join(name.casefold().replace("&", " and ").replace("’", "'").split())
    low = re.sub(r"^news deeply's\s+", "", low)
    return re.sub(r"\s+(?:deeply|hubs?)$", "", low)


_PUBLICATION_BY_KEY = {_publication_key(name): name for name in PUBLICATIONS.values()}


def publication_named(label: str) -> str:
    """The publication a label names, under the name that publication gives itself: "Women & Girls
    Hub", "Women and Girls Hub" and "Women & Girls" are all "Women and Girls"; "SD" is not spelled
    out here (see `Cast`). A publication outside the known sites keeps the label's words."""
    return _PUBLICATION_BY_KEY.get(_publication_key(label), " ".join(label.split()))


def is_publication(name: str) -> bool:
    """Whether a name is one of the network's publications ("Water Deeply", "Women & Girls Hub")."""
    name = " ".join(name.split())
    if not _PUBLICATION.match(name):
        return False
    if name.endswith(("Deeply", "Hub", "Hubs")):
        return True
    # "Women & Girls" alone: only a known site's own name, not any "Chatty and Wahby".
    return _publication_key(name) in _PUBLICATION_BY_KEY


def _tokens(name: str) -> list[str]:
    """Comparable name tokens: casefolded, hyphens split, "al-"/"el-" and honorifics dropped."""
    out = []
    for word in re.split(r"[\s\-‐]+", name.casefold()):
        word = word.strip(".,’'()\"“”")
        if not word or word in {"al", "el"} or word in _HONORIFICS:
            continue
        out.append(word)
    return out


def _initials_variants(name: str) -> set[str]:
    """Initials a name may be shortened to: "Hamish de Bretton-Gordon" gives HBG, HDBG, HDG, HG, …"""
    words = [w.strip(".,’'()") for w in name.split()]
    words = [w for w in words if w and w.casefold().rstrip(".") not in _HONORIFICS]
    options: list[set[str]] = []
    for w in words[:8]:
        parts = [p for p in re.split(r"[-‐]", w) if p and p[0].isalpha()]
        if not parts:
            continue
        choices = {parts[0][0], parts[-1][0], "".join(p[0] for p in parts)}
        if w.casefold() in _PARTICLES or parts[0].casefold() in {"al", "el"}:
            choices.add("")
        options.append({c.upper() for c in choices})
    variants = {""}
    for choices in options:
        variants = {v + c for v in variants for c in choices}
    if len(options) >= 2:
        variants.update(a + b for a in options[0] for b in options[-1])
        # the surname's first: "NI" for Isabel Nassief
        variants.update(b + a for a in options[0] for b in options[-1])
    return {v for v in variants if len(v) >= 2}


def _word_ok(word: str) -> bool:
    core = word.strip(".,’'()\"“”")
    if not core:
        return False
    low = core.casefold()
    if low in _PARTICLES or low.rstrip(".") in _HONORIFICS or low in {"and", "&"}:
        return True
    if re.match(r"^(?:al|el|ad|as|ash|an|ar|az)[-‐]", low):
        return True
    if core.isdigit():
        return False  # a number alone ("360") only after a name's words, see `is_name_like`
    if any(ch.isdigit() for ch in core):
        # An outlet's short name with its number ("e360"); never a date or a count ("2016", "19th").
        return bool(_SHORT_WITH_NUMBER.match(core))
    first = core[0]
    if first.isupper():
        return True
    # Scripts without case (Arabic) cannot be told by capitals: accept letters.
    return bool(_CASELESS_LETTER.match(first)) and first.lower() == first.upper()


_SHORT_WITH_NUMBER = re.compile(r"^[A-Za-z]{1,3}\d{2,4}$")
# Two capitalised words or more, then a number that is no day of a month nor a year.
_NAMED_NUMBER = re.compile(r"^(?:[A-Z][\w’'-]*\s+){2,5}(?:3[2-9]|[4-9]\d|\d{3})$")
_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec",
}  # fmt: skip


def name_part(label: str) -> str:
    """The name in a label, without the description after a comma or in parentheses."""
    label = re.sub(r"\s*\([^)]*\)\s*", " ", label).strip()
    return label.split(",")[0].strip()


# Words a sentence may open on but a name never does: "In Athens, where he lives now, he said:" is
# a sentence that runs into a quote, not a speaker's label.
_OPENERS = {
    "in", "on", "at", "for", "from", "with", "after", "before", "during", "when", "where", "while",
    "if", "but", "by", "to", "of", "since", "until", "because", "although", "though", "then", "this",
    "that", "these", "those", "here", "there", "it", "he", "she", "they", "we", "i", "you", "his", "her",
    "their", "our", "its", "my", "your", "some", "many", "most",
}  # fmt: skip


def is_name_like(label: str) -> bool:
    name = name_part(label)
    if not name or len(name) > 50 or name.casefold() in _NOT_SPEAKERS:
        return False
    words = name.split()
    if not 1 <= len(words) <= 7:
        return False
    first = words[0].strip(".,’'()\"“”")
    if len(words) > 1 and not first.isupper() and first.casefold() in _OPENERS:
        return False  # "In Athens, where …", though "IN:" may be someone's initials
    if _NAMED_NUMBER.match(name) and not any(w.casefold() in _MONTHS for w in words):
        words = words[:-1]  # "Yale Environment 360": an outlet's name may end in a number (no date's)
    return all(_word_ok(w) for w in words) and not all(
        w.casefold() in _PARTICLES or w.casefold() in {"and", "&"} for w in words
    )


_TITLE_WORDS = {
    "ambassador", "president", "minister", "secretary", "director", "envoy", "spokesman", "spokeswoman",
    "spokesperson", "chief", "head", "founder", "editor", "correspondent", "professor", "senator",
    "commander", "leader", "special", "foreign", "former", "deputy", "executive", "general", "chairman",
    "representative", "coordinator", "researcher", "analyst", "author", "journalist", "activist",
    "filmmaker", "filmmakers", "photographer", "photojournalist", "manager", "doctor", "nurse", "lawyer",
    "reporter", "writer", "novelist", "poet", "artist", "economist", "expert", "scholar", "fellow",
}  # fmt: skip
_CHUNK_BREAK = re.compile(r"[,;:!?()\[\]“”\"–—]|(?<=\w\w)\.(?=\s|$)")


def _is_capital(word: str) -> bool:
    return bool(word) and word[0].isupper() and not any(ch.isdigit() for ch in word)


def _is_particle(word: str) -> bool:
    low = word.casefold()
    return low in _PARTICLES or re.match(r"^(?:al|el)[-‐]", low) is not None


def _trim_name(run: list[str]) -> list[str]:
    """A person's name out of a capitalised run: "U.S. Ambassador Robert Ford" gives "Robert Ford"."""
    while run and run[-1].casefold() in _PARTICLES:
        run = run[:-1]
    while run and (
        run[0].casefold().rstrip(".") in _HONORIFICS
        or run[0].casefold() in _TITLE_WORDS
        or "." in run[0]
        or (run[0].isupper() and len(run[0]) > 1)
    ):
        run = run[1:]
    while sum(1 for w in run if not _is_particle(w)) > 4:
        run = run[1:]
    return run


def mentioned_names(texts: list[str]) -> list[str]:
    """Full names (two or more capitalised words) mentioned in running text, in order.

    "Marc and Debra Tice" also yields "Marc Tice", so that a label "Marc:" finds its surname.
    """
    names: list[str] = []
    for text in texts:
        for chunk in _CHUNK_BREAK.split(text):
            words = [w.strip("’'‘") for w in chunk.split()]
            runs: list[tuple[list[str], int, int]] = []
            i = 0
            while i < len(words):
                if not _is_capital(words[i]):
                    i += 1
                    continue
                j = i
                while j < len(words) and (_is_capital(words[j]) or (j > i and _is_particle(words[j]))):
                    j += 1
                runs.append((words[i:j], i, j))
                i = j
            for k, (run, _start, end) in enumerate(runs):
                name = strip_titles(_trim_name(run))
                if len(name) >= 2:
                    names.append(" ".join(name))
                nxt = runs[k + 1] if k + 1 < len(runs) else None
                if (
                    len(run) == 1
                    and nxt is not None
                    and nxt[1] == end + 1
                    and words[end].casefold() in {"and", "&"}
                    and len(_trim_name(nxt[0])) >= 2
                ):
                    names.append(f"{run[0]} {_trim_name(nxt[0])[-1]}")
    seen: set[str] = set()
    return [n for n in names if not (n.casefold() in seen or seen.add(n.casefold()))]


def _abbreviates(short: str, full: str) -> bool:
    """ "e360" for "Yale Environment 360": letters standing for words of the name, in order, then the
    number the name ends with."""
    m = re.fullmatch(r"([A-Za-z]{1,3})(\d{2,4})", short)
    words = full.split()
    if not m or len(words) < 2 or words[-1] != m.group(2):
        return False
    initials = "".join(w[0] for w in words[:-1]).casefold()
    it = iter(initials)
    return all(ch in it for ch in m.group(1).casefold())


def _matches(short: str, full: str) -> bool:
    if _abbreviates(short, full):
        return True
    if INITIALS.match(short):
        return short.replace(".", "").upper() in _initials_variants(full)
    s, f = _tokens(short), _tokens(full)
    if not s or not f or len(s) >= len(f):
        return False
    return f[-len(s) :] == s or f[: len(s)] == s


def strip_titles(words: list[str]) -> list[str]:
    """Leading ranks, titles and possessives off a name: "Atlantic Council’s Faysal Itani",
    "Managing Editor Karen Leigh", "Lieutenant Colonel Fares Baioush" name Itani, Leigh, Baioush."""
    for i in range(len(words) - 1, -1, -1):
        if re.search(r"[’']s$", words[i]) and i < len(words) - 1:
            words = words[i + 1 :]
            break
    while len(words) > 1 and (
        words[0].casefold().rstrip(".") in _HONORIFICS
        or words[0].casefold() in _TITLE_WORDS
        or words[0].casefold().endswith("-based")
    ):
        words = words[1:]
    return words


def _from_mention(short: str, mention: str) -> str:
    """The person's name inside a mention that a surname label matched: all of a short mention
    ("Aymenn Jawad al-Tamimi"); in a longer one, the surname words, the given name before them and
    any particle before that ("Abu", "de"), since what leads a long run is a description."""
    words = strip_titles(mention.split())
    if len(words) <= 3:
        return " ".join(words)
    want = len(_tokens(short))
    count, start = 0, len(words)
    while start > 0 and count < want:
        start -= 1
        count += len(_tokens(words[start]))
    while start > 0 and _is_particle(words[start - 1]):
        start -= 1
    if start > 0:
        start -= 1  # the given name, or a middle initial ("Fouad M. Fouad")
        if re.fullmatch(r"[A-Z]\.", words[start]) and start > 0:
            start -= 1
    if start > 0 and words[start - 1] in {"Abu", "Abou", "Um", "Umm"}:
        start -= 1
    return " ".join(strip_titles(words[start:]))


def _split_people(name: str) -> list[str]:
    return [p for p in re.split(r"\s+(?:and|&)\s+|\s*/\s*", name) if p]


class Cast:
    """The people and the publication of one interview, to resolve labels against.

    The publication is the one the page's label names, under the name it gives itself ("Women & Girls
    Hub:" asks as "Women and Girls"); its initials, "Q" and "Question" stand for that publication, and
    on a page that never spells it out, for the hosting site (``publication``).
    """

    def __init__(
        self, publication: str, labels: list[str], context: list[str], title: str = "", authors=()
    ) -> None:
        self.publication = publication
        written = [" ".join(self.clean(label).split()) for label in labels]
        written = [name for name in written if is_publication(name)]
        spelled = [publication_named(name) for name in written]
        self.own = Counter(spelled).most_common(1)[0][0] if spelled else publication
        self.askers: dict[str, str] = {}
        for name in (self.own, publication, *spelled, "News Deeply", *PUBLICATIONS.values()):
            self.askers.setdefault(name.casefold(), name)
        for name in (self.own, publication, *spelled, "News Deeply"):  # "SD", "WGH"; not every site's
            self.askers.setdefault("".join(w[0] for w in name.split() if w[0].isalpha()).casefold(), name)
        for name, named in zip(written, spelled, strict=True):  # "WGH" for a page's "Women & Girls Hub:"
            self.askers.setdefault("".join(w[0] for w in name.split() if w[0].isalpha()).casefold(), named)
        for word in QUESTION_WORDS:
            self.askers[word] = self.own
        names = []
        for label in labels:
            if is_name_like(label) and not self._publication(self.clean(label)):
                # "Mark Saleh and Ziad Brennan" gives each name, for a later "Saleh and Brennan".
                names.extend(p for p in _split_people(self.clean(label)) if is_name_like(p))
        self.authors = [
            " ".join(strip_titles(a.split()))
            for a in authors
            if len(_tokens(a)) >= 2 and not is_publication(a)
        ]
        self.full = [
            n for n in dict.fromkeys(names)
            if len(_tokens(n)) >= 2 and not self._publication(n)
        ]  # fmt: skip
        self.mentions = [n for n in mentioned_names(context) if not self._publication(n)]
        self.title_mentions = [n for n in mentioned_names([title]) if not self._publication(n)]

    def _publication(self, name: str) -> bool:
        return name.casefold() in self.askers or is_publication(name)

    def own_name(self) -> str:
        return self.own

    @staticmethod
    def clean(label: str) -> str:
        return " ".join(strip_titles(name_part(label).split()))

    def _search(self, name: str) -> str | None:
        for full in self.full:
            if _matches(name, full):
                return full
        words = name.split()
        if not words:
            return None  # "(photo)", ",": no name to look for
        surname_only = len(words) == 1 or _is_particle(words[0])  # "Itani", "De Bretton Gordon"
        if not surname_only and not INITIALS.match(name):
            return None  # a label of two words or more names someone already: keep it
        for pool, heads in ((self.mentions, True), (self.title_mentions, False)):
            for mention in pool:
                if INITIALS.match(name):
                    if _matches(name, mention):
                        return " ".join(strip_titles(mention.split()))
                    continue
                s, f = _tokens(name), _tokens(mention)
                if len(s) < len(f) and f[-len(s) :] == s:
                    return _from_mention(name, mention)
                if heads and len(s) < len(f) and f[: len(s)] == s and len(f) - len(s) <= 2:
                    return " ".join(strip_titles(mention.split()))
        if INITIALS.match(name):  # the byline, last: "LS" for the interviewer Lara Setrakian
            return next((a for a in self.authors if _matches(name, a)), None)
        return None

    def resolve_one(self, label: str) -> str | None:
        name = " ".join(self.clean(label).split())
        low = name.casefold()
        if is_publication(name):
            return publication_named(name)
        if low in self.askers:
            return self.askers[low]
        for full in self.full:
            if full.casefold() == low:
                # "Chamsi-Pasha" is a full label too, yet stands for "Samer Chamsi-Pasha".
                return self._search(full) or self._misspelt(full) or full
            if self._misspelt(name) == full:
                return full
        found = self._search(name) or self._misspelt_surname(name)
        if found:
            return found
        compact = re.sub(r"[\s.]", "", low)  # "S.D." or "S D"
        return self.askers.get(compact)

    def _misspelt(self, name: str) -> str | None:
        """An earlier full label that this one misspells: the same given name, a surname a letter or
        two off ("Vittus Quajaukitsoq" after "Vittus Qujaukitsoq")."""
        words = _tokens(name)
        for full in self.full:
            if full == name:
                return None  # only an earlier spelling wins
            other = _tokens(full)
            if len(other) == len(words) >= 2 and other[:-1] == words[:-1] and len(words[-1]) >= 5:
                if SequenceMatcher(None, other[-1], words[-1]).ratio() >= 0.85:
                    return full
        return None

    def _misspelt_surname(self, name: str) -> str | None:
        """A one-word label a letter off the surname of exactly one full-name label ("Homes" on a page
        whose labels name Rob Holmes): the page's typo for that person."""
        words = _tokens(name)
        if len(words) != 1 or len(words[0]) < 5 or INITIALS.match(name):
            return None
        found = {
            full for full in self.full
            if _tokens(full)[-1][:1] == words[0][:1]
            and SequenceMatcher(None, _tokens(full)[-1], words[0]).ratio() >= 0.85
        }  # fmt: skip
        return found.pop() if len(found) == 1 else None

    def resolve(self, label: str) -> tuple[str, bool]:
        """The full name(s) a label stands for, and whether every part was recognised."""
        name = self.clean(label)
        if name.casefold() in ANSWER_WORDS:
            return name, False
        if self._publication(name) or any(f.casefold() == name.casefold() for f in self.full):
            return self.resolve_one(name) or name, True
        parts = _split_people(name)
        if len(parts) > 1 and all(is_name_like(p) for p in parts):
            resolved = [self.resolve_one(p) for p in parts]
            if None in resolved[:-1] and len(parts[-1].split()) >= 2:
                # "Marc and Debra Tice": the family name is written once, at the end, and only a
                # given name alone lacks it.
                surname = parts[-1].split()[-1]
                resolved = [r or (f"{p} {surname}" if len(p.split()) == 1 else p)
                            for r, p in zip(resolved, parts, strict=True)]
            known = all(r is not None for r in resolved)
            return " and ".join(r or p for r, p in zip(resolved, parts, strict=True)), known
        whole = self.resolve_one(name)
        if whole:
            return whole, True
        return name, len(name.split()) >= 2

    def is_asker(self, speaker: str) -> bool:
        """The publication asks, under any of its names."""
        return self._publication(speaker)

    def is_author(self, speaker: str) -> bool:
        """One of the byline's names, however hyphenated ("Oudai al-Homsi" is "Oudai Al Homsi")."""
        tokens = _tokens(speaker)
        return any(_tokens(a) == tokens for a in self.authors)
