"""Article HTML for the tests, from three builders for three jobs, all with invented text:

- `article_html(Page)`: a page of the real newsdeeply.com markup (article.detail, h1.title, p.lede,
  table.meta, div.body, the sidebar's "Most Popular"), for the store and ingest tests;
- `article_page(body, ...)`: the same template with every part the extractor must ignore (sunset
  banner, share buttons, JSON-LD, the author box, "Share Your Story", the hidden "Read the Rest"),
  each part a keyword, for the extraction rules;
- `site_files()`: the three-article site the replay tests record (`replay_article_html` its pages),
  with a stylesheet and an image.
"""

from __future__ import annotations

import html as htmlmod
import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime

from extract.page import build_record

# -- the replay tests' small site --------------------------------------------------------------

CSS = b"""body { background: #f4e9d8; color: #1d2b36; font-family: serif; margin: 2em; }
h1 { color: #8b1a1a; }
.qa .q { font-weight: bold; }
"""

ARTICLES = [
    {
        "slug": "aleppo-doctors-stay",
        "title": "Why Aleppo's Last Doctors Stay",
        "question": "What keeps you working in the eastern districts?",
        "answer": "The patients do. There is nobody else left to treat them.",
    },
    {
        "slug": "water-crisis-damascus",
        "title": "Inside the Damascus Water Crisis",
        "question": "How long have the taps been dry?",
        "answer": "Six weeks now, and the tankers come only twice a week.",
    },
    {
        "slug": "idlib-schools",
        "title": "Teaching Under Fire in Idlib",
        "question": "Do children still come to class?",
        "answer": "Most mornings, yes. We moved the lessons into a basement.",
    },
]
for _n, _a in enumerate(ARTICLES, 1):
    # where the Deeply sites keep an article, so that every stage's article rule takes it for one
    _a["path"] = f"/syria/articles/2018/03/{_n:02d}/{_a['slug']}"

def tiny_png(rgb: tuple[int, int, int] = (40, 90, 160), size: int = 8) -> bytes:
    """A valid solid-colour PNG, so the sample pages carry a real image without shipping one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    row = b"\x00" + bytes(rgb) * size
    ihdr = size.to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def replay_article_html(article: dict, edition: int = 0) -> bytes:
    note = f"<p class='update'>Updated, edition {edition}.</p>" if edition else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{article["title"]} - Syria Deeply</title>
<link rel="stylesheet" href="/static/deeply.css">
</head><body>
<h1 class="article-title">{article["title"]}</h1>
<img src="/static/photo.png" alt="photo" width="64" height="64">
<div class="qa">
<p class="q"><strong>Syria Deeply:</strong> {article["question"]}</p>
<p class="a"><strong>Answer:</strong> {article["answer"]}</p>
</div>{note}
</body></html>
""".encode()


def site_files(edition: int = 0) -> dict[str, tuple[str, bytes]]:
    """Path -> (content type, body). Edition 1 changes the second article only."""
    links = "".join(f"<li><a href='{a['path']}'>{a['title']}</a></li>" for a in ARTICLES)
    files = {
        "/": ("text/html; charset=utf-8", f"<html><body><ul>{links}</ul></body></html>".encode()),
        "/static/deeply.css": ("text/css", CSS),
        "/static/photo.png": ("image/png", tiny_png()),
    }
    for i, article in enumerate(ARTICLES):
        files[article["path"]] = (
            "text/html; charset=utf-8",
            replay_article_html(article, edition if i == 1 else 0),
        )
    return files


# -- pages of the real markup, for the store ---------------------------------------------------

HOST = "https://www.newsdeeply.com"


@dataclass
class Page:
    slug: str
    title: str = "A Test Headline About Water Supplies"
    summary: str = "An invented lede that says what the article is about."
    author: str = "Jane Testwriter"
    date: str = "2016-03-11"
    read_time: int = 3
    paragraphs: list[str] = field(
        default_factory=lambda: [
            "First invented paragraph about the situation on the ground in the test city.",
            "Second invented paragraph, with more detail and a quoted source saying nothing real.",
        ]
    )
    qa: list[tuple[str, str]] = field(default_factory=list)  # (speaker, text)
    topic: str = "Health"
    popular: list[str] = field(default_factory=lambda: ["Some Popular Story", "Another Popular Story"])
    banner: str = "Welcome to the archives of a test site."
    section: str = "articles"

    @property
    def path(self) -> str:
        y, m, d = self.date.split("-")
        return f"/syria/{self.section}/{y}/{m}/{d}/{self.slug}"

    @property
    def url(self) -> str:
        return HOST + self.path


def article_html(page: Page) -> bytes:
    e = htmlmod.escape
    dt = datetime.strptime(page.date, "%Y-%m-%d")
    body = "\n".join(f"<p>{e(p)}</p>" for p in page.paragraphs)
    if page.qa:
        body += "\n" + "\n".join(f"<p><strong>{e(s)}:</strong> {e(t)}</p>" for s, t in page.qa)
    popular = "\n".join(
        f'<article><a itemprop="url" href="/syria/articles/2015/01/01/p{i}"><h4>{e(t)}</h4></a></article>'
        for i, t in enumerate(page.popular)
    )
    author_slug = page.author.lower().replace(" ", "-")
    return f"""<!DOCTYPE html>
<html lang="en">
<head prefix="og: http://ogp.me/ns#">
<meta charset="utf-8" />
<title>{e(page.title)} — Syria Deeply</title>
<meta name="description" content="{e(page.summary)}">
<link rel="canonical" href="{page.url}">
<meta property="og:site_name" content="Syria">
<meta property="og:title" content="{e(page.title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{page.url}">
</head>
<body class="article-detail syria " style="">
<header class="sitenav full"><nav><div class="logo"><h1 class="topic-title">
<a href="/syria" class="topic">Syria Deeply<i> — Syria news</i></a></h1></div>
<ul class="primary"><li><a href="/syria/articles">Articles</a></li></ul></nav></header>
<div class="wng-sunset-panel"><div class="inner standard"><div class="panel-content-container">
<p>{e(page.banner)}</p></div></div></div>
<main class="articles-outer-container">
<div class="container">
<article class="detail restricted-content-item-container type-article" data-id="1"
  data-uri="{page.path}" data-title="{e(page.title)} — Syria Deeply" itemscope
  itemtype="http://schema.org/NewsArticle">
<header>
<div class="pre"><ul class="categories">
<li><a href="/syria/health" class="taxo channel">{e(page.topic)}</a></li>
<li><a href="/syria/categories/articles" class="taxo category">Articles</a></li>
</ul></div>
<h1 itemprop="headline" class="title">{e(page.title)}</h1>
</header>
<div class="holder">
<div class="inner">
<p class="lede" itemprop="description">{e(page.summary)}</p>
<table class="meta"><tr>
<td><small>Written by</small><span><a href="/syria/contributor/{author_slug}">{e(page.author)}</a></span></td>
<td><small>Published on</small> <span class="ding"> </span><time itemprop="datePublished"
  datetime="{page.date} 00:00:00 UTC">{dt:%B} {dt.day:2d}, {dt.year}</time></td>
<td><small>Read time</small> Approx. {page.read_time} minutes</td>
</tr></table>
<meta itemprop="author" content="{e(page.author)}" />
<div class="body" itemprop="articleBody">
{body}
<p class="fin"><span></span></p>
</div>
<footer></footer>
</div>
<aside class="sidebar">
<section class="widget popular"><header><h3>Most Popular</h3></header><div>
{popular}
</div></section>
</aside>
</div>
</article>
</div>
</main>
</body>
</html>
""".encode()



# Three pages the ingest and re-extraction tests crawl (B is an interview).
A = Page("water-crisis-deepens", title="Water Crisis Deepens")
B = Page(
    "the-long-road",
    title="The Long Road",
    date="2015-01-20",
    qa=[("Syria Deeply", "What did you see on the road?"), ("Omar Testperson", "Mostly dust, invented.")],
)
C = Page("schools-reopen", title="Schools Reopen", date="2017-09-02")


# -- the article template with its chrome, for the extraction rules ----------------------------


def article_page(
    body: str,
    *,
    title: str = "A Test Article",
    lede: str = "The lede of the test article.",
    byline: str | None = '<a href="/syria/contributor/mira-haddad">Mira Haddad</a>',
    jsonld_author: str = '{"@type":"Person","name":"Mira Haddad"}',
    published: str = "2013-07-05 00:00:00 UTC",
    shown_date: str = "July  5, 2013",
    jsonld_date: str = "2013-07-05T00:00:00Z",
    read_time: str | None = "Approx. 3 minutes",
    topics: tuple[str, ...] = ("Government &amp; Pro-Government Forces",),
    site: str = "syria",
    vertical: str = "Syria",
    charset_meta: str = "utf-8",
    jsonld: str | None = None,
    sidebar: str = "Most Popular",
    time_element: bool = True,
) -> str:
    channels = "\n".join(f'<li><a href="/{site}/t" class="taxo channel">{t}</a></li>' for t in topics)
    rows = []
    if byline is not None:
        rows.append(f"<td><small>Written by</small> <span>{byline}</span></td>")
    when = (
        f'<time itemprop="datePublished" datetime="{published}">{shown_date}</time>'
        if time_element
        else shown_date
    )
    rows.append(f'<td><small>Published on</small> <span class="ding">\uf073</span>{when}</td>')
    if read_time:
        rows.append(f"<td><small>Read time</small> {read_time}</td>")
    if jsonld is None:
        jsonld = f"""{{
            "@context": "http://schema.org", "@type": "NewsArticle",
            "headline": {json.dumps(title)},
            "url": "https://www.newsdeeply.com/{site}/articles/2013/07/05/a-test-article",
            "description": {json.dumps(lede)},
            "datePublished": "{jsonld_date}",
            "author": {jsonld_author},
            "publisher": {{"@type": "Organization", "name": "News Deeply"}}
        }}"""
    return f"""<!DOCTYPE html>
<html><head>
<meta charset="{charset_meta}" />
<title>{title} — {vertical} Deeply</title>
<meta name="description" content="{lede}">
<link rel="canonical" href="a-test-article.html">
<meta property="og:site_name" content="{vertical}">
</head>
<body class="article-detail {site}">
<div class="sunset-popup-container" style="display: none"><div class="sunset-content">
<h1>Thank You, Deeply</h1><p>Dear Deeply Readers,</p>
<p>Welcome to the archives of {vertical} Deeply. While we paused regular publication …</p></div></div>
<header class="sitenav"><h1 class="topic-title"><a href="/{site}">{vertical} Deeply</a></h1></header>
<main>
<article class="detail restricted-content-item-container" itemscope itemtype="http://schema.org/NewsArticle">
<header><div class="pre"><ul class="categories">{channels}
<li><a href="/{site}/categories/articles" class="taxo category">Articles</a></li></ul>
<ul class="intents"><li><a class="email-share" href="#">Share via Email</a></li></ul></div>
<h1 itemprop="headline" class="title">{title}</h1></header>
<div class="holder"><div class="inner">
<p class="lede" itemprop="description">{lede}</p>
<table class="meta"><tr>{"".join(rows)}</tr></table>
<script type="application/ld+json">{jsonld}</script>
<meta itemprop="provider" content="{vertical}" />
<div class="body" itemprop="articleBody">
{body}
<p class="fin"><span></span></p>
</div>
<div class="post-holder-container"></div>
</div>
<aside class="sidebar"><section class="widget popular"><header><h3>{sidebar}</h3></header>
<article><a href="/x">Another story</a><time>April 14, 2016</time></article></section>
<section class="widget authorbio"><h2>About the Author</h2>
<div class="author">Mira Haddad writes.</div></section>
</aside></div></article></main>
<div class="right-modal-panel-container"><h2 class="rpm-content-title">Suggest your story or issue.</h2></div>
<section class="contribute"><h3>Share Your Story.</h3><p>Have a story idea?</p></section>
<div class="restricted-post-holder-tpl-wrapper" style="display: none">
<h2>Read the Rest of the Article for Free</h2></div>
</body></html>"""


URL = "http://127.0.0.1:8765/syria/articles/2013/07/05/a-test-article.html"


def extract(body: str, url: str = URL, headers=None, **page):
    html = article_page(body, **page).encode(page.get("charset_meta", "utf-8"))
    record = build_record(html, url, headers)  # lets errors through, unlike extract_page
    assert record is not None
    return record


def speakers(record) -> list[tuple[str, str]]:
    return [(t["speaker"], t["role"]) for t in record.qa]



# An interview like the Homs one.
HOMS_LIKE = """
<p><em>&lt;!–more–&gt;</em></p>
<p><em>The shelling has sent thousands fleeing. Syria Deeply discusses the battle with
<a href="http://example.org">Nadia Farouk</a>, director of a research centre in&nbsp;Beirut.</em></p>
<p><strong>Syria Deeply:</strong> What changed this&nbsp;week?</p>
<p>&lt;div source=’picture’ id=’7288′ flow=’alignright’&nbsp;/&gt;</p>
<p><strong>Nadia Farouk:</strong> The supply road. Everything follows from it.</p>
<p><strong><span class="caps">SD</span>:</strong> Why does the town&nbsp;matter?</p>
<p><strong><span class="caps">NF</span>:</strong> Two roads cross there.</p>
<p>Whoever holds it holds the&nbsp;valley.</p>
<p><strong><span class="caps">SD</span>:</strong> What comes&nbsp;next?</p>
<p><strong><span class="caps">NF</span>:</strong> A pause, perhaps.</p>
"""
