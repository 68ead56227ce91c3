"""HTML (and RSS) rendering, imitating the markup and class names of the real Syria Deeply pages.

The extractor is tuned against the real copy and must work unchanged here, so the structure follows
the real pages closely, quirks included: the lede's non-breaking space before the last word, acronyms
wrapped in ``span.caps``, WordPress leftovers escaped as text, JSON-LD keywords HTML-escaped, a raw
double quote breaking the JSON-LD of some articles, and JSON-LD authors not always in byline order.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import date

from sample_site import content, words
from sample_site.content import Article, Block, Meta, Section, SiteModel

PUBLIC = "https://www.newsdeeply.com"
NOW = date(2020, 9, 9)  # when the real copy was made: fixes the "over 2 years ago" of listings
CAPS = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z][A-Z0-9]+\b\.?")
VIEWPORT = "width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=0"
PUBLISHED_ON = '<small>Published on</small> <span class="ding" style="font-size: 14px;">  </span>'
CURLY = {"’": "&#8217;", "‘": "&#8216;", "“": "&#8220;", "”": "&#8221;"}


# ---------------------------------------------------------------------------------------------
# Inline text


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def attr(s: str) -> str:
    return html.escape(s, quote=True)


def typeset(s: str) -> str:
    """Escape, then wrap acronyms the way the real site's typographer did."""
    return CAPS.sub(lambda m: f'<span class="caps">{m.group(0)}</span>', esc(s)).replace("\u00a0", "&nbsp;")


def entities(s: str) -> str:
    return "".join(CURLY.get(c, c) for c in s)


def smart_quotes(s: str) -> str:
    """Straight double quotes as a typographer would curl them (only the lede sees them)."""
    out, opening = [], True
    for c in s:
        if c == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(c)
    return "".join(out)


def widow(s: str) -> str:
    head, sep, tail = s.rpartition(" ")
    return f"{head}\u00a0{tail}" if sep else s


def inline(text: str, *, nbsp: bool = True) -> str:
    text = widow(text) if nbsp else text
    out, pos = [], 0
    for m in content.LINK.finditer(text):
        out.append(typeset(text[pos:m.start()]))
        anchor, href = m.group(1), m.group(2)
        rel = ' rel="external"' if href.startswith("http") else ""
        out.append(f'<a{rel} href="{attr(href)}">{typeset(anchor)}</a>')
        pos = m.end()
    out.append(typeset(text[pos:]))
    return "".join(out)


def ago(d: date) -> str:
    days = (NOW - d).days
    years, rest = divmod(days, 365)
    if years == 0:
        return f"{max(1, days // 30)} months ago"
    if rest < 91:
        return f"about {years} year{'s' if years > 1 else ''} ago"
    if rest < 274:
        return f"over {years} year{'s' if years > 1 else ''} ago"
    return f"almost {years + 1} years ago"


# ---------------------------------------------------------------------------------------------
# Page frame


CRITICAL_CSS = (
    "html{box-sizing:border-box}body{margin:0;padding:0;background:#f8fafa;font-size:10px;color:#555;"
    'font-family:"PT Serif", Georgia}h1,h2,h3,h4,h5{font-family:"DINNext", "Helvetica Neue", Helvetica, '
    "Arial, sans-serif;color:#222;line-height:1}article.detail{position:relative}.sidebar .widget h3"
    "{text-transform:uppercase}.restricted-post-holder-tpl-wrapper{display:none}"
)


@dataclass(frozen=True)
class AssetHosts:
    """Where a page's requisites are, as the real site had them on its CDN buckets: the stylesheet,
    script and icons on one host, the pictures on another. An empty origin keeps root-relative paths."""

    assets: str = ""
    images: str = ""
    refused: str = ""  # a host that refuses connections: the one asset no crawl can capture


REFUSED_ASSET = "/assets/share-widget.js"


def place_assets(html: str, hosts: AssetHosts, with_refused: bool = False) -> str:
    """The page with its asset URLs on their hosts (every `/assets/` URL the markup writes, in
    attributes and in inline `url()`), and, on the page that has it, the script nobody can fetch."""
    if hosts.images:
        html = html.replace('"/assets/images/', f'"{hosts.images}/assets/images/')
        html = html.replace("url('/assets/images/", f"url('{hosts.images}/assets/images/")
    if hosts.assets:
        html = html.replace('"/assets/', f'"{hosts.assets}/assets/')
    if with_refused and hosts.refused:
        html = html.replace("\t</head>", f'\t\t<script src="{hosts.refused}{REFUSED_ASSET}" async></script>\n'
                            "\t</head>", 1)
    return html


def head(section: Section, title: str, description: str, canonical: str, og_type: str = "website") -> str:
    token = content.slugify(canonical)[-40:] or "front"
    return f"""<!DOCTYPE html>
<html lang="en">
<head prefix="og: http://ogp.me/ns#">
		<meta charset="utf-8" />
		<meta name="viewport" content="{VIEWPORT}" />
		<title>{esc(title)}</title>
<meta name="description" content="{attr(description)}">
<link rel="canonical" href="{attr(canonical)}">
<meta property="og:site_name" content="{section.vertical}">
<meta property="og:title" content="{attr(title.split(' — ')[0])}">
<meta property="og:description" content="{attr(description)}">
<meta property="og:type" content="{og_type}">
<meta property="og:url" content="{attr(canonical)}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="{attr(title.split(' — ')[0])}">
		<style media="all" class="critical-css" data-key="defaults">
              {CRITICAL_CSS}
		</style>
      <link rel="stylesheet" media="all" href="/assets/application.css" />
    <link rel="shortcut icon" type="image/png" href="/assets/bookmark.png" />
		<script src="/assets/application.js" defer="defer"></script>
		<meta name="csrf-param" content="authenticity_token" />
<meta name="csrf-token" content="{token}" />
	</head>
"""


SUNSET = """        <p>Dear Deeply Readers,</p>

        <p>
          Welcome to the archives of {name}. While we paused regular publication of the site on May 15, 2018,
          and transitioned some of our coverage to
          <a target="_blank" href="/peacebuilding">Peacebuilding Deeply</a>,
          we are happy to serve as an ongoing public resource on the Syrian conflict.
          We hope you’ll enjoy the reporting
          and analysis that was produced by our dedicated community of editors contributors.
        </p>

        <p>
          We continue to produce events and special projects
          while we explore where the on-site journalism goes next.
          If you’d like to reach us with feedback or ideas for collaboration you can do so at
          <a href="mailto:partners@newsdeeply.com">partners@newsdeeply.com</a>
        </p>
"""


def nav_items(section: Section) -> str:
    s = section.slug
    background = f'    <li><a href="/{s}/background">Background</a></li>\n' if s == "syria" else ""
    topics = "\n".join(
        f'      <li class=" sub-menu-item"><a href="/{s}/{slug}">{esc(name)}</a></li>'
        for slug, name in words.TOPICS
    )
    return f"""      <li class="channels has-children">
  <a href="#" class="drop sub-menu-name">Topics</a>
  <ul class="sub-menu-container">
{topics}
  </ul>
</li>
    <li><a href="/{s}/articles">Articles</a></li>
    <li><a href="/{s}/community">Community &amp; Insight</a></li>
    <li><a href="/{s}/executive-summaries">Executive Summaries</a></li>
{background}<li><a href="/{s}/search">Search</a></li>
<li><a href="/{s}/about">About</a></li>
"""


def body_open(section: Section, body_class: str) -> str:
    s, name = section.slug, section.name
    sunset = SUNSET.format(name=name)
    return f"""
	<body class="{body_class} {s} " style="">
      <div class="sunset-popup-container" data-vertical="{s}" style="display: none">
  <div class="sunset-popup-inner-wrapper">
    <div class="sunset-modal-content-wrapper">
      <div class="sunset-content">
        <div class="top-small-logo">NEWS DEEPLY</div>
        <h1>Thank You, Deeply</h1>
{sunset}
        <p>Sincerely,</p>

        <p>Team Deeply</p>
      </div>
    </div>
  </div>
</div>

<header class="sitenav full">
	<nav>
		<div class="logo">
			<h3>
				<a href="/" id="nd-link" rel="topic-modal"><span>News Deeply</span></a>
			</h3>
			<h1 class="topic-title">
				<a href="/{s}" class="topic">{name}<i> — {section.vertical} news</i></a>
			</h1>
		</div>
    <div class="learn-more-container">
      <p>In-depth coverage of the war in Syria. Always noise-free, always trustworthy.
      <a href="/{s}/about">Learn more about us.</a></p>
    </div>
		<div class="soc">
        <span>Follow us</span>
        <a href="https://twitter.com/{section.twitter}" target="_blank"></a>
        <a href="/{s}/rss" target="_blank"></a>
      </div>
		<ul class="primary">
{nav_items(section)}		</ul>
		<ul class="secondary">
        <li class="subscribe">
          <a class="btn" href="/register/sign-up">Join us</a>
        </li>
		</ul>
	</nav>
</header>

<header class="sitenav mini">
	<nav>
		<div class="logo">
			<h1 class="topic-title">
				<a href="/{s}" class="topic">{name}<i> — {section.vertical} news</i></a>
			</h1>
		</div>
		<a class="mobile-link" data-mobile></a>
    <div class="primary-menu-container">
      <ul class="primary">
        <li data-mobile><a href="/{s}">Dashboard</a></li>
{nav_items(section)}      </ul>
    </div>
	</nav>
</header>

<div class="wng-sunset-panel">
  <div class="inner standard">
    <div class="panel-content-container">
{sunset}    </div>
    <div class="panel-controls-container">
      <a class="sunset-panel-control close-sunset-panel anchor-src" data-anchor="articles-list-header"
         href="#">BROWSE THE {name.upper()} ARCHIVES</a>
    </div>
  </div>
</div>
"""


REPUBLISH = """
<div class="republish-popup-container">
  <div class="republish-popup-inner-wrapper">
    <div class="modal-content-wrapper">
      <header>
        <h2>Republish this article</h2>
        <p>Our mission is to empower stakeholders and the wider public with high quality information,
        insights, and analysis on critical global issues.</p>
        <p>By copying the HTML below, you agree to adhere to our republishing guidelines.</p>
      </header>
      <div class="content-container">
        <textarea name="republish-article-content" id="republish-article-content" class="article-content">
</textarea>
      </div>
      <div class="modal-controls">
        <button class="copy-to-clipboard-btn btn btn-success"
                data-clipboard-target=".article-content">Copy to clipboard</button>
        <button class="close-button-container btn btn-danger">Close</button>
      </div>
    </div>
  </div>
</div>
"""


def _icon_sprite() -> str:
    """The inline SVG icon sprite every real page carries (share, social, section icons): generated
    path data, so pages weigh what the real ones do (about 19 KB gzipped) and a re-crawl's revisit
    records can be compared with full captures at a realistic scale."""
    import random

    rng = random.Random("syria-deeply-sample-icons")
    symbols = []
    for n in range(34):
        points = " ".join(f"{rng.uniform(0, 32):.3f},{rng.uniform(0, 32):.3f}" for _ in range(60))
        symbols.append(f'<symbol id="icon-{n}" viewBox="0 0 32 32"><path d="M{points}Z"/></symbol>')
    return '<svg xmlns="http://www.w3.org/2000/svg" style="display:none">' + "\n".join(symbols) + "</svg>"


ICON_SPRITE = _icon_sprite()


def body_close(section: Section, republish: bool) -> str:
    s = section.slug
    return f"""{REPUBLISH if republish else ""}
{ICON_SPRITE}
    <div class="right-modal-panel-container suggest-story-dialog" data-panel-name="suggest-story-dialog">
  <div class="rmp-body">
    <div class="rpm-content-container">
      <h2 class="rpm-content-title">Suggest your story or issue.</h2>
      <div class="panel-input-container">
        <label>Your email:</label>
        <input type="email" name="user-email" id="user-email" class="user-email-field"
               placeholder="Enter email address" />
      </div>
      <a class="panel-content-btn send-story-btn btn" href="#">Send</a>
    </div>
  </div>
</div>

			<section class="contribute">
				<div class="inner standard">
					<h3>Share Your Story.</h3>
					<p><a href="/{s}/about#contribute">Have a story idea?</a> Interested in adding your voice
					to our <a href="/{s}/about#contribute">growing community?</a></p>
					<a href="/{s}/about#contribute" class="btn">Learn more</a>
				</div>
			</section>

		<footer class="footer-nav">
			<div class="container">
        <footer class="copyright-footer">
          <p>&copy; 2020 News Deeply. Read more about our <a href="/copyright">copyright</a>,
          <a href="/terms">terms of services</a> and <a href="/republishing">republishing guide.</a></p>
        </footer>
      </div>
    </footer>

    <div class="restricted-post-holder-tpl-wrapper" style="display: none">
  <div class="restricted-post-holder-container">
    <div class="holder-content-container">
      <h2>
        Read the Rest of the Article for Free
      </h2>
      <p class="restricted-content-msg">
        Fusce dapibus, tellus ac cursus commodo, tortor mauris condimentum nibh,
        ut fermentum massa justo sit amet risus.
      </p>
      <a class="btn restricted-register-btn" href="/register/sign-up">
        Register
</a>
    </div>
  </div>
</div>
		<script>
			analytics.page("{section.vertical}", "{section.vertical} news &amp; insight");
		</script>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# Shared widgets


def popular_widget(model: SiteModel) -> str:
    items = []
    for i in model.popular():
        m = model.meta(i)
        items.append(f"""        <article>
          <a itemprop="url" href="{m.path()}">
              <figure class="thumb" style="background-image: url('/assets/images/{m.feature}.jpg')" ></figure>
            <h4>{esc(m.title)}</h4>
            <time>{long_date(m.published)}</time>
</a>        </article>""")
    return f"""            <section class="widget popular">
  <header>
    <h3>Most Popular</h3>
  </header>
  <div>
{chr(10).join(items)}
  </div>
</section>
"""


def popular_footer(model: SiteModel) -> str:
    items = []
    for i in model.popular():
        m = model.meta(i)
        items.append(f"""        <li>
          <a itemprop="url" href="{m.path()}">
            <h4>{esc(m.title)}</h4>
            <time>{long_date(m.published)}</time>
</a>        </li>""")
    return f"""          <section class="popular">
  <h3>Most Popular Stories</h3>
  <ol>
{chr(10).join(items)}
  </ol>
</section>
"""


def long_date(d: date) -> str:
    return content.long_date(d)


def share_buttons(public_url: str, title: str, vertical: str) -> str:
    mailto = f"mailto:?subject=Check out this article from {vertical}&body=%0D%0A{title}%0D%0A{public_url}"
    mailto = attr(mailto)
    return f"""<ul class="intents">
  <li>
    <div id="fb-root" class="fb-holder">
      <div class="fb-share-button" data-href="{attr(public_url)}" data-layout="button"></div>
    </div>
    <div class="tw-share-button">
      <a href="https://twitter.com/share" class="twitter-share-button"
         data-show-count="false"
         data-text="{attr(title)} @{vertical.lower()}deeply"
         data-url="{attr(public_url)}">
        Tweet
      </a>
    </div>
    <div class="email-share-button">
      <a class="email-share" data-title="{attr(title)}"
         href="{mailto}">Share via Email</a>
    </div>
  </li>
</ul>
"""


def time_html(m: Meta) -> str:
    shown = content.ap_date(m.published) if m.kind == "op-ed" else long_date(m.published)
    return f'<time itemprop="datePublished" datetime="{m.published.isoformat()} {m.clock} UTC">{shown}</time>'


def ago_html(d: date) -> str:
    return f'<time itemprop="datePublished" datetime="">{ago(d)}</time>'


def channel_list(m: Meta, linked: bool) -> str:
    s = m.section.slug
    rows = []
    for slug, name in m.topics:
        tag = f'<a href="/{s}/{slug}" class="taxo channel">' if linked else '<span class="taxo channel">'
        rows.append(f"\t<li>{tag}{esc(name)}{'</a>' if linked else '</span>'}</li>")
    for slug, name in m.categories:
        link = f'<a href="/{s}/categories/{slug}" class="taxo category">'
        tag = link if linked else '<span class="taxo category">'
        rows.append(f"\t<li>{tag}{esc(name)}{'</a>' if linked else '</span>'}</li>")
    return '<ul class="categories">\n' + "\n".join(rows) + "\n\t</ul>\n"


# ---------------------------------------------------------------------------------------------
# Article bodies


MORE = "&lt;!–more–&gt;"


def embed_html(b: Block) -> str:
    image_id, align = b.image
    if b.variant == 1:
        return f"<p>&lt;div source=’picture’ id=’{image_id}′ flow=’{align}’ /&gt;</p>"
    if b.variant == 2:
        return f"<p>&lt;div source='picture' id='{image_id}' flow='{align}' /&gt;</p>"
    if b.variant == 3:
        return (f'<p><span class="start">&lt;div source=’picture’ id=’{image_id}′ </span>'
                f" flow=’{align}’&nbsp;/&gt;</p>")
    return f"<p>&lt;div source=’picture’ id=’{image_id}′ flow=’{align}’&nbsp;/&gt;</p>"


def start_html(text: str) -> str:
    """The first words in span.start, with the real site's doubled space after the span."""
    parts = text.split(" ")
    first = inline(" ".join(parts[:3]) + " ", nbsp=False)
    return f'<p><span class="start">{first}</span> {inline(" ".join(parts[3:]))}</p>'


def label_html(b: Block) -> str:
    return f'<span class="caps">{b.label}</span>' if b.short and b.label.isupper() else esc(b.label)


def turn_html(style: str, b: Block, heading_no: int) -> str:
    if style in ("strong", "parts", "readers", "panel"):
        return f"<p><strong>{label_html(b)}:</strong> {inline(b.text)}</p>"
    if style == "republished":  # the outlet's questions as headings, the answers in roman
        if b.role == "question":
            return f'<h2 id="articles--header-{heading_no}">{inline(b.label + ": " + b.text)}</h2>'
        return f"<p>{inline(b.label + ': ' + b.text)}</p>"
    if style == "b" and b.role == "question":
        return f"<p><b>{inline(b.label + ': ' + b.text)}</b></p>"
    if style == "heading" and b.role == "question":
        return f'<h2 id="articles--header-{heading_no}">{inline(b.label + ": " + b.text)}</h2>'
    return f"<p>{inline(b.label + ': ' + b.text)}</p>"


def paragraph_html(b: Block) -> str:
    text = inline(b.text)
    if b.more == "end":
        text += MORE
    elif b.more == "start":
        text = MORE + text
    return f"<p>{text}</p>"


def fin_html(b: Block, section: Section) -> str:
    if b.text == "op-ed":
        return (
            '<p class="fin"><i>This article was originally published by <a href="http://example.invalid/review"'
            ' target="_blank" rel="nofollow">The Example Review</a>.</i></p>'
        )
    return '<p class="fin"><span></span></p>'


def body_html(article: Article) -> str:
    out: list[str] = []
    headings = 0
    section = article.meta.section
    in_list = False  # a numbered list of questions, one item per question and its answer
    for b in article.blocks:
        if in_list and (not b.item or b.kind == "q"):
            out.append("</li>")
            if not b.item:
                out.append("</ol>")
                in_list = False
        if b.item and b.kind == "q":
            out.append("<li>" if in_list else "<ol>\n<li>")
            in_list = True
        if b.kind == "more":
            out.append(f"<p><em>{MORE}</em></p>")
        elif b.kind == "embed":
            out.append(embed_html(b))
        elif b.kind == "start":
            out.append(start_html(b.text))
        elif b.kind == "intro":
            out.append(f"<p><em>{inline(b.text)}</em></p>")
        elif b.kind == "p":
            out.append(paragraph_html(b))
        elif b.kind == "turn":
            headings += b.role == "question"
            out.append(turn_html(article.style, b, headings))
        elif b.kind == "sub":
            out.append(f"<p><strong>{inline(b.text)}</strong></p>")
        elif b.kind == "q":  # a question set apart, without a label
            tag = "h3" if article.style == "h3-question" else None
            out.append(f"<h3>{inline(b.text)}</h3>" if tag else f"<p><strong>{inline(b.text)}</strong></p>")
        elif b.kind == "a":
            out.append(f"<p>{inline(b.text)}</p>")
        elif b.kind == "caption":  # WordPress's captioned picture between two paragraphs
            image_id = b.image[0]
            out.append(
                f'<div id="attachment_{image_id}" style="width: 640px" class="wp-caption aligncenter">'
                f'<img class="size-full wp-image-{image_id}" alt="{attr(content.plain(b.text))}" width="640">'
                f'<p class="wp-caption-text">{inline(b.text)}</p></div>'
            )
        elif b.kind == "rule":
            out.append("<hr />")
        elif b.kind == "part":
            out.append(f"<h3>{inline(b.text)}</h3>")
        elif b.kind == "closing":
            items = "\n".join(f"<li>{inline(t)}</li>" for t in b.items)
            out.append(f"<h3>{inline(b.text)}</h3>\n<ul>\n{items}\n</ul>")
        elif b.kind == "list":
            out.append("<ul>\n" + "\n".join(f"<li>{inline(t)}</li>" for t in b.items) + "\n</ul>")
        elif b.kind == "qmore":  # a question going on in a bold paragraph of its own
            out.append(f"<p><strong>{inline(b.text)}</strong></p>")
        elif b.kind == "headline":
            out.append(f"<p><strong>{inline(b.text)}</strong></p>")
        elif b.kind == "pullquote":
            out.append(f'<div class="left-side-quote-block "><p>“{inline(b.text)}”</p></div>')
        elif b.kind == "outro":
            out.append(f"<p>{inline(b.text)}</p>")
        elif b.kind == "player":  # an embedded player; srcdoc, so that it fetches nothing
            out.append('<p class="fin"><iframe title="Recording" srcdoc="&lt;p&gt;Recording&lt;/p&gt;"'
                       ' width="560" height="80"></iframe></p>')
        elif b.kind == "note":
            out.append(f"<p><em>{inline(b.text)}</em></p>")
        elif b.kind == "fin":
            out.append(fin_html(b, section))
        elif b.kind == "disclaimer":
            out.append(
                "<p><em>The views expressed in this article belong to the authors and do not necessarily "
                f"reflect those of {section.name.replace(' ', '&nbsp;')}.</em></p>"
            )
    if in_list:
        out.append("</li>\n</ol>")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# JSON-LD


def jstr(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def json_ld(article: Article, public_url: str) -> str:
    m = article.meta
    description = m.summary  # raw: a straight double quote here breaks the JSON, as on the real site
    people = [f'{{"@type":"Person","name":{jstr(p.name)}}}' for p in m.authors]
    if len(people) > 1 and m.index % 2 == 0:
        people.reverse()
    author = people[0] if len(people) == 1 else "[" + ",\n".join(people) + "]"
    keywords = ", ".join(jstr(name.replace("&", "&amp;")) for _, name in m.topics)
    return f"""					<script type="application/ld+json">
						{{
							"@context": "http://schema.org",
							"@type": "NewsArticle",
							"headline": {jstr(m.title)},
							"url": {jstr(public_url)},
							"description": "{description}",
							"thumbnailUrl": "{PUBLIC}/assets/images/{m.feature}.jpg",
							"datePublished": "{m.published.isoformat()}T{m.clock}Z",
							"dateModified": "{m.modified.isoformat()}T{m.clock}Z",
							"articleSection": "{'Articles' if m.kind != 'op-ed' else 'Community'}",
							"keywords": [{keywords}],
							"author": {author},
							"publisher": {{
								"@type": "Organization",
								"name": "News Deeply",
								"logo": {{
									"@type": "ImageObject",
									"url": "{PUBLIC}/assets/images/publisher_logos/news_deeply.png",
									"width": "305",
									"height": "60"
								}}
							}}
						}}
					</script>
"""


# ---------------------------------------------------------------------------------------------
# Pages


def byline(m: Meta) -> str:
    return ", ".join(f'<a href="/{m.section.slug}/contributor/{p.slug}">{esc(p.name)}</a>' for p in m.authors)


def author_widget(m: Meta) -> str:
    heading = "About the Author" if len(m.authors) == 1 else "About the Authors"
    people = "\n".join(
        f"""      <div class="author">
          <h3 class="widget-title"><a href="/{m.section.slug}/contributor/{p.slug}">{esc(p.name)}</a></h3>
          <p><p>{esc(p.bio)}</p>
</p>
      </div>"""
        for p in m.authors
    )
    return f"""              <section class="widget authorbio ">
      <h2>{heading}</h2>
{people}
  </section>
"""


def lede_html(m: Meta, numeric: bool = False) -> str:
    text = inline(smart_quotes(m.summary))
    return entities(text) if numeric else text


def article_page(model: SiteModel, i: int, requested: str) -> str:
    article = model.article(i)
    m = article.meta
    s = m.section
    public = PUBLIC + requested
    type_class = "type-oped" if m.kind == "op-ed" else "type-article"
    previous = model.previous(i)
    next_link = ""
    if previous is not None:
        p = model.meta(previous)
        next_link = f"""    <a href="{p.path()}" class="next-article" rel="next">
      <span></span>
      <h3>{esc(p.title)}</h3>
    </a>
"""
    metas = "\n".join(f'\t\t\t\t\t<meta itemprop="author" content="{attr(p.name)}" />' for p in m.authors)
    description = smart_quotes(m.summary)
    return (
        head(s, f"{m.title} — {s.name}", description, m.path(), "article")
        + body_open(s, "article-detail")
        + f"""

<main class="articles-outer-container">
	<div class="container">
		<article class="detail restricted-content-item-container {type_class}"
             data-id="{m.data_id}"
             data-uri="{m.path()}"
             data-title="{attr(m.title)} — {s.name}"
             itemscope
             itemtype="http://schema.org/NewsArticle"
             data-restr_item_id={m.data_id}
             data-is-restricted=false>

			<header>
				<div class="pre">
					{channel_list(m, linked=True)}
{share_buttons(public, m.title, s.vertical)}
				</div>

				<h1 itemprop="headline" class="title">{entities(esc(m.title))}</h1>

			</header>

			<div class="holder">
				<div class="inner">
					<p class="lede" itemprop="description">{lede_html(m)}</p>

					<table class="meta">
						<tr>
							<td>
								<small>Written by</small>
								<span>{byline(m)}</span>
							</td>
							<td>{PUBLISHED_ON}{time_html(m)}</td>
							<td>
								<small>Read time</small> Approx. {article.read_time} minutes
							</td>
						</tr>
					</table>

{json_ld(article, public)}
{metas}
					<meta itemprop="wordCount" content="{content.word_count(article)}" />
					<meta itemprop="isAccessibleForFree" content="true" />
					<meta itemprop="dateModified" content="{m.modified.isoformat()} {m.clock} UTC" />
					<meta itemprop="mainEntityOfPage" itemscope
						itemType="https://schema.org/WebPage" itemid="{attr(public)}" />

						<figure class="article-feature" itemprop="image" itemscope itemtype="http://schema.org/ImageObject">
							<img srcset="/assets/images/{m.feature}.jpg 2x" data-action="zoom"
								data-original="/assets/images/{m.feature}.jpg"
								src="/assets/images/{m.feature}.jpg" />
							<figcaption itemprop="caption">{typeset(m.caption)}
							<cite>{esc(m.credit)}</cite></figcaption>
						</figure>

					<div class="body" itemprop="articleBody">
						{body_html(article)}

					</div>


          <div class="post-holder-container"></div>

					<footer>
					</footer>

				</div>


				<aside class="sidebar">
{popular_widget(model)}
{author_widget(m)}
				</aside>
			</div>

			<footer class="interstice">
{popular_footer(model)}
			</footer>
		</article>
	</div>

{next_link}
</main>
"""
        + body_close(s, republish=True)
    )


def summary_json_ld(m: Meta, public_url: str) -> str:
    return f"""		<script type="application/ld+json">
			{{
				"@context": "http://schema.org",
				"@type": "NewsArticle",
				"headline": {jstr(m.title)},
				"url": {jstr(public_url)},
				"description": {jstr(m.summary)},
				"datePublished": "{m.published.isoformat()}T00:00:00Z",
				"dateModified": "{m.modified.isoformat()}T{m.clock}Z",
				"articleSection": "Executive Summaries",
				"author": {jstr(m.section.vertical)},
				"publisher": {{
					"@type": "Organization",
					"name": "News Deeply"
				}}
			}}
		</script>
"""


def summary_page(model: SiteModel, i: int, requested: str) -> str:
    article = model.article(i)
    m = article.meta
    s = m.section
    public = PUBLIC + requested
    d = m.published
    short_title = f"Executive Summary for {content.MONTHS[d.month - 1]} {d.day}"
    description = m.summary if len(m.summary) < 200 else m.summary[:200] + "..."
    return (
        head(s, f"{m.title}, {d.year} — {s.name}", description, m.path(), "article")
        + body_open(s, "article-detail")
        + f"""
<main>
	<article class="detail restricted-content-item-container"
           data-restr_item_id={m.data_id}
           data-is-restricted=false>
{summary_json_ld(m, public)}
		<header>
			<div class="pre">
{share_buttons(public, f"{s.name} {short_title}", s.vertical)}
			</div>
			<h1>{entities(esc(m.title))}</h1>
		</header>
		<div class="inner">
			<p class="lede">{lede_html(m, numeric=True)}</p>
			<table class="meta">
				<tr>
					<td>{PUBLISHED_ON}{long_date(d)}</td>
					<td><small>Read time</small> Approx. {article.read_time} minutes</td>
				</tr>
			</table>
      <div class="body" itemprop="articleBody">
			{body_html(article)}
        <div class="post-holder-container"></div>
      </div>
      <footer>
			</footer>
		</div>
		<aside class="sidebar">
{popular_widget(model)}
		</aside>
		<footer>
		</footer>
	</article>
</main>
"""
        + body_close(s, republish=False)
    )


def explainer_page(model: SiteModel, slug: str) -> str | None:
    items = content.explainers(model.section)
    found = next((e for e in items if e.slug == slug), None)
    if found is None:
        return None
    s = model.section
    nav = "\n".join(
        f'\t\t\t\t<li{" class=active" if e.slug == slug else ""}>'
        f'<a href="/{s.slug}/background/{e.slug}">{esc(e.title)}</a></li>'
        for e in items
    )
    paras = [f"<p>{inline(found.paragraphs[0])} </p>"]
    paras.append(start_html(found.paragraphs[1]))
    paras += [f"<p>{inline(t)}</p>" for t in found.paragraphs[2:]]
    d = found.updated
    return (
        head(s, f"{found.title} — {s.name}", found.paragraphs[0], f"/{s.slug}/background/{slug}")
        + body_open(s, "background article-detail")
        + f"""
<main>
	<nav class="sidenav">
		<h3>Background Navigation</h3>
		<ul>
{nav}
		</ul>
	</nav>
	<article class="inner detail">
		<header>
			<h1>{esc(found.title)}</h1>
			<time>Last updated {content.MONTHS[d.month - 1]} {content.ordinal(d.day)}, {d.year}</time>
		</header>
		{chr(10).join(paras)}
		<p class="fin"></p>
		<footer>
		</footer>
	</article>
	<aside class="sidebar">
{popular_widget(model)}
	</aside>
	<footer>
	</footer>
</main>
"""
        + body_close(s, republish=False)
    )


# ---------------------------------------------------------------------------------------------
# Listings


def stream_item(model: SiteModel, i: int, relative: bool = False) -> str:
    m = model.meta(i)
    href = m.path().lstrip("/") if relative else m.path()
    css = "oped" if m.kind == "op-ed" else "article"
    contrib = ""
    if m.kind == "op-ed":
        people = "\n".join(
            f"""                          <p>
                            <b>{esc(p.name)}</b>
                            <small>{esc(p.role[:1].upper() + p.role[1:])}</small>
                          </p>"""
            for p in m.authors
        )
        contrib = f"""                  <div class="contrib">
                    <h4>
                        <div class="bio">
{people}
                        </div>
                    </h4>
                  </div>
"""
    return f"""			<article class="{css}" itemscope itemtype="http://schema.org/NewsArticle">
				<a itemprop="url" href="{attr(href)}">
					<div class="inner standard">
							<figure class="thumb">
								<img src="/assets/images/{m.feature}.jpg" />
							</figure>
						{channel_list(m, linked=False)}
						<h3 itemprop="headline">{esc(m.title)}</h3>
{contrib}						<p>{esc(smart_quotes(m.summary))}{ago_html(m.published)}</p>
					</div>
</a>			</article>
"""


def page_href(base: str, n: int) -> str:
    return base if n == 1 else f"{base}/page/{n}"


def pagination(base: str, page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    shown = sorted({p for p in (page - 1, page, page + 1, pages - 1, pages) if 1 <= p <= pages})
    out = ['  <nav class="pagination">']
    if page > 1:
        href = page_href(base, page - 1)
        out.append(f'    <span class="prev">\n  <a rel="prev" href="{href}">&lsaquo; Prev</a>\n</span>')
    last = 0
    for p in shown:
        if last and p > last + 1:
            out.append('        <span class="page gap">&hellip;</span>')
        if p == page:
            out.append(f'        <span class="page current">\n  {p}\n</span>')
        else:
            rel = ' rel="prev"' if p == page - 1 else ' rel="next"' if p == page + 1 else ""
            out.append(f'        <span class="page">\n  <a{rel} href="{page_href(base, p)}">{p}</a>\n</span>')
        last = p
    if page < pages:
        href = page_href(base, page + 1)
        out.append(f'      <span class="next">\n  <a rel="next" href="{href}">Next &rsaquo;</a>\n</span>')
    out.append("  </nav>")
    return "\n".join(out)


def listing_page(
    model: SiteModel, indices: list[int], *, title: str, intro: str, base: str, page: int, pages: int,
    rss: str | None, header: str = "", body_class: str = "articles",
) -> str:
    s = model.section
    items = "".join(stream_item(model, i) for i in indices)
    rss_link = ""
    if rss:
        rss_link = (f'\n\t\t\t<a class="rss-link ding" data-turbolinks="false" href="{rss}">'
                    "<span>Follow via RSS</span></a>")
    header_html = header or f"			<h2>{esc(title)}</h2>"
    page_title = title if page == 1 else f"{title} (page {page})"
    return (
        head(s, f"{page_title} — {s.name}", intro, page_href(base, page))
        + body_open(s, body_class)
        + f"""
<main>
	<section class="stream">
		<header class="inner standard">
{header_html}
			<p class="intro">{inline(intro)}</p>{rss_link}
		</header>
{items}		<footer>
			<nav class="centered">
{pagination(base, page, pages)}
			</nav>
		</footer>
	</section>
	<aside class="sidebar">
{popular_widget(model)}
	</aside>
</main>
"""
        + body_close(s, republish=False)
    )


def contributor_header(p: content.Person) -> str:
    return f"""			<h2>
				<figure style="background-image: url('/assets/images/{500 + p.index}.jpg')"></figure>
				<b>{esc(p.name)}</b>
			</h2>"""


def topic_header(name: str) -> str:
    return f'			<h4 class="sub">In-depth</h4>\n			<h2>{esc(name)}</h2>'


def front_page(model: SiteModel, faults: bool) -> str:
    s = model.section
    latest, _ = model.listing("all", page=1)
    items = "".join(stream_item(model, i, relative=True) for i in latest)
    summaries, _ = model.listing("executive-summaries", page=1)
    summary_link = ""
    if summaries:
        m = model.meta(summaries[0])
        summary_link = f"""		<section class="executive-summary">
			<h3>Latest Executive Summary</h3>
			<a href="{m.path().lstrip('/')}">{esc(m.title)}</a>
			<a href="{s.slug}/executive-summaries">All executive summaries</a>
		</section>
"""
    fault_link = ""
    if faults:
        fault_link = f'\t\t<p class="faults"><a href="{s.slug}/faults">Fault injection pages</a></p>\n'
    return (
        head(s, f"{s.name} — {s.vertical} news & insight", f"In-depth coverage from {s.name}.", f"/{s.slug}")
        + body_open(s, "welcome")
        + f"""
  <main>
    <section class="stream">
	<header class="inner standard articles-list-header">
      <h2>More in-depth coverage</h2>
	</header>
{items}	<footer>
		<a class="btn" href="{s.slug}/articles">More articles</a>
		<a class="btn" href="{s.slug}/community">Community &amp; Insight</a>
	</footer>
    </section>
{summary_link}{fault_link}	<aside class="sidebar">
{popular_widget(model)}
	</aside>
  </main>
"""
        + body_close(s, republish=False)
    )


def background_index(model: SiteModel) -> str:
    s = model.section
    items = "".join(
        f"""			<article class="article">
				<a href="/{s.slug}/background/{e.slug}">
					<div class="inner standard">
						<h3>{esc(e.title)}</h3>
						<p>{inline(e.paragraphs[0])} </p>
					</div>
</a>			</article>
"""
        for e in content.explainers(s)
    )
    return (
        head(s, f"Background — {s.name}", "Explainers on the war in Syria.", f"/{s.slug}/background")
        + body_open(s, "background")
        + f"""
<main>
	<section class="stream">
		<header class="inner standard">
			<h2>Background</h2>
		</header>
{items}	</section>
	<aside class="sidebar">
{popular_widget(model)}
	</aside>
</main>
"""
        + body_close(s, republish=False)
    )


def simple_page(model: SiteModel, title: str, text: str, path: str) -> str:
    section = model.section
    return (
        head(section, f"{title} — {section.name}", text, path)
        + body_open(section, "static")
        + f"""
<main>
	<section class="inner standard">
		<h2>{esc(title)}</h2>
		<p>{inline(text)}</p>
	</section>
	<aside class="sidebar">
{popular_widget(model)}
	</aside>
</main>
"""
        + body_close(section, republish=False)
    )


def not_found_page(path: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8" /><title>Page not found — News Deeply</title></head>
<body class="error">
<main><h1>The page you were looking for doesn’t exist.</h1>
<p>No page at {esc(path)}. You may have mistyped the address or the page may have moved.</p>
<p><a href="/syria">Syria Deeply</a></p></main>
</body>
</html>
"""


def peacebuilding_page(path: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8" /><title>Peacebuilding Deeply</title></head>
<body class="welcome peacebuilding">
<main><h1>Peacebuilding Deeply</h1>
<p>A sister site, outside the Syria Deeply archive: {esc(path)}.</p></main>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# RSS


def rss_feed(model: SiteModel, indices: list[int], title: str, self_path: str, origin: str) -> str:
    items = []
    for i in indices:
        m = model.meta(i)
        cats = "\n".join(
            f'      <category domain="{origin}/{m.section.slug}/{slug}/">{esc(name)}</category>'
            for slug, name in m.topics
        )
        when = f"{m.published.strftime('%a, %d %b %Y')} {m.clock} +0000"
        authors = ", ".join(p.name for p in m.authors) or m.section.vertical
        items.append(f"""    <item>
      <title>{esc(m.title)}</title>
{cats}
      <pubDate>{when}</pubDate>
      <author>{esc(authors)}</author>
      <link>{origin}{m.path()}</link>
      <guid>{origin}{m.path()}</guid>
      <description>{esc(smart_quotes(m.summary))}</description>
      <enclosure url="{origin}/assets/images/{m.feature}.jpg" type="image/jpeg" length="0"/>
    </item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{esc(title)}</title>
    <description>In-depth coverage of the many facets of the ongoing war in Syria.</description>
    <link>{origin}{self_path}</link>
    <language>en</language>
    <atom:link rel="self" type="application/rss+xml" href="{origin}{self_path}"/>
{chr(10).join(items)}
  </channel>
</rss>
"""
