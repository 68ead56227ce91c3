"""Ground truth for extract tests, computed from the model rather than parsed back from the HTML.

Texts are given as a reader sees them: link markup reduced to its anchor, escaped leftovers
(``<!–more–>``, the picture embed marker) removed, ordinary spaces where the page has ``&nbsp;``.
Compare after collapsing whitespace (``" ".join(text.split())``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sample_site import content
from sample_site.content import REFUGEES, REFUGEES_ARTICLES, SYRIA, Article, SiteModel
from sample_site.server import DATED, SUMMARY, check


def model_for(path: str, articles: int, edition: int) -> SiteModel:
    if path.startswith("/refugees/"):
        return SiteModel(REFUGEES, REFUGEES_ARTICLES, 0)
    return SiteModel(SYRIA, articles, edition)


def article_index(model: SiteModel, path: str) -> int | None:
    if m := DATED.fullmatch(path):
        return model.find(m["dir"], int(m["y"]), int(m["m"]), int(m["d"]), m["slug"])
    if m := SUMMARY.fullmatch(path):
        return model.find("executive-summaries", int(m["y"]), int(m["m"]), int(m["d"]), None)
    return None


def truth(path: str, articles: int = 40, edition: int = 0) -> dict | None:
    """What a perfect extractor returns for the article at path (a path or a full URL), or None.

    Keys: path (the canonical, zero-padded form), site, kind ('interview', 'article', 'op-ed',
    'executive-summary', 'explainer'), style (how the body is laid out: an interview's form, see
    ``content.INTERVIEW_STYLES``), title, summary, authors (byline order; the publication's name
    for an executive summary, whose JSON-LD author is the vertical), published
    (YYYY-MM-DD), read_time_minutes (None for explainers), topics, qa (speaker as the full name,
    the publication's name for the interviewer; role 'question' or 'answer'; text of the turn with
    its label removed and continuation paragraphs joined by a blank line), images (the embed
    markers' {id, align}, in order; the feature image is not one of them), intro (the paragraphs
    before an interview's first question), paragraphs (the body's reading text, interview labels
    included as printed; op-ed sign-off and "views expressed" disclaimer excluded).
    """
    check(articles, edition)
    path = urlsplit(path).path.rstrip("/")
    model = model_for(path, articles, edition)
    if path.startswith("/syria/background/"):
        return explainer_truth(path.rsplit("/", 1)[1])
    i = article_index(model, path)
    if i is None:
        return None
    return article_truth(model.article(i))


def article_truth(article: Article) -> dict:
    m = article.meta
    return {
        "path": m.path(),
        "site": m.section.slug,
        "kind": m.kind,
        "style": article.style,
        "title": m.title,
        "summary": content_summary(m.summary),
        "authors": [p.name for p in m.authors] or [m.section.name],
        "published": m.published.isoformat(),
        "read_time_minutes": article.read_time,
        "topics": [name for _, name in m.topics],
        "qa": content.qa_turns(article),
        "images": [{"id": b.image[0], "align": b.image[1]} for b in article.blocks if b.kind == "embed"],
        "intro": content.intro_paragraphs(article),
        "paragraphs": content.paragraphs(article),
    }


def content_summary(summary: str) -> str:
    """The lede as printed: straight double quotes curled (JSON-LD keeps them straight, and breaks)."""
    from sample_site.pages import smart_quotes

    return smart_quotes(summary)


def explainer_truth(slug: str) -> dict | None:
    found = next((e for e in content.explainers(SYRIA) if e.slug == slug), None)
    if found is None:
        return None
    return {
        "path": f"/syria/background/{slug}",
        "site": "syria",
        "kind": "explainer",
        "style": "explainer",
        "title": found.title,
        "summary": found.paragraphs[0],
        "authors": [],
        "published": found.updated.isoformat(),
        "read_time_minutes": None,
        "topics": [],
        "qa": [],
        "images": [],
        "intro": [],
        "paragraphs": list(found.paragraphs),
    }


def expected_changes(articles: int, edition: int) -> dict:
    """Article paths (zero-padded) whose content an edition changes, relative to the edition before.

    Edition 1: one article edited (a sentence added to a paragraph), one retitled (a typo fixed),
    one added (the newest, on the front page and the first listing page), one removed (404 and
    unlinked). Edition 2: the edited article goes back to its original text. Every edition also
    changes the "Most Popular" sidebar of every page, which is not content.
    """
    check(articles, edition)
    sp = content.specials(articles)
    later = SiteModel(SYRIA, articles, 1)
    changes = content.Changes()
    if edition == 1:
        changes.edited.append(later.meta(sp.edited).path())
        changes.retitled.append(later.meta(sp.retitled).path())
        changes.added.append(later.meta(sp.added).path())
        changes.removed.append(SiteModel(SYRIA, articles, 0).meta(sp.removed).path())
    elif edition == 2:
        changes.edited.append(later.meta(sp.edited).path())
    return {
        "edited": changes.edited, "retitled": changes.retitled,
        "added": changes.added, "removed": changes.removed,
    }


def article_paths(articles: int = 40, edition: int = 0) -> set[str]:
    """Every path of the Syria section that `truth` knows as an article (canonical form), explainers
    included: the exact set a complete crawl of the site finds."""
    check(articles, edition)
    model = SiteModel(SYRIA, articles, edition)
    found = {model.meta(i).path() for i in (*range(articles), *model.extras) if model.exists(i)}
    return found | {f"/syria/background/{e.slug}" for e in content.explainers(SYRIA)}
