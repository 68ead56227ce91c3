"""Pages without the site's marked body, and bylines naming outlets.

An older WordPress page (the kind an archivist brings from another archive) has no JSON-LD, no meta
table and no ``itemprop=articleBody``: its dek, the read time written in its text, its escaped picture
markers and every author must still come out, as they do on the site's own template.
"""

from __future__ import annotations

import pytest

from extract.metadata import split_authors
from extract.page import build_record

URL = "http://127.0.0.1:8000/syria/articles/2014/03/03/wells-run-dry.html"

WORDPRESS = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Wells Run Dry in the South — Syria Deeply</title></head>
<body><div id="wrapper"><header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>
<div class="post">
<h1 class="entry-title">Wells Run Dry in the South</h1>
<h2 class="{dek_class}">Farmers near an invented town dig deeper every season, and still find no water.</h2>
<div class="entry-meta"><span class="byline">By {byline}</span>
<span class="posted-on">Published on March 3, 2014</span> <span>Read time Approx. 6 minutes</span></div>
<div class="entry-content">
<p>The first paragraph of the story is long enough to look like an article body to any extractor that
reads it, with words and more words about the wells of an invented town.</p>
<p>&lt;div source=’picture’ id=’7288′ flow=’alignright’ /&gt;</p>
<p>A second paragraph goes on about the farmers, the wells and the water that is not there, and what
the council says it will do about it before the summer.</p>
<p>A third paragraph ends the story with one farmer, who says that this season decides whether the
family stays on the land or goes north.</p>
</div></div><footer>Copyright</footer></div></body></html>"""

LINKS = (
    '<a href="/author/lina-haddad" rel="author">Lina Haddad</a>, <a href="/author/omar-said" '
    'rel="author">Omar Said</a> and <a href="/author/rana-aziz" rel="author">Rana Aziz</a>'
)


@pytest.mark.parametrize("dek_class", ["dek", "entry-subtitle", "subtitle"])
@pytest.mark.parametrize("byline", [LINKS, "Lina Haddad, Omar Said and Rana Aziz"])
def test_an_unmarked_page_keeps_its_dek_read_time_embeds_and_every_author(dek_class, byline):
    record = build_record(WORDPRESS.format(dek_class=dek_class, byline=byline).encode(), URL)
    assert record is not None
    assert record.title == "Wells Run Dry in the South"
    assert record.summary.startswith("Farmers near an invented town") and record.summary not in record.text
    assert record.authors == ["Lina Haddad", "Omar Said", "Rana Aziz"]
    assert record.read_time_minutes == 6
    assert record.images == [{"id": "7288", "align": "alignright"}]
    assert record.published == "2014-03-03"
    assert record.text.startswith("The first paragraph") and record.text.endswith("goes north.")
    assert "Read time" not in record.text and "By Lina" not in record.text


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Nick Wilson, The Tribune", ["Nick Wilson", "The Tribune"]),
        ("Robert Percival and The Conversation", ["Robert Percival", "The Conversation"]),
        ("Ola Nour and the Syrian Media Group", ["Ola Nour", "The Syrian Media Group"]),
        ("The Associated Press", ["The Associated Press"]),
        ("Mohammed Sergie / Aleppo", ["Mohammed Sergie"]),
        ("Rana Haddad, Edited by Omar Said", ["Rana Haddad"]),  # the editor wrote none of it
        ("Rana Haddad and Photos by Omar Said", ["Rana Haddad"]),
    ],
)
def test_a_leading_the_is_part_of_an_outlets_name(byline, names):
    assert split_authors(byline) == names


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Lina Haddad / Aleppo and Omar Said", ["Lina Haddad", "Omar Said"]),
        ("Lina Haddad / Kafr Nabl, Idlib province", ["Lina Haddad"]),  # the dateline's own comma
        ("Lina Haddad/ The Daily Example", ["Lina Haddad"]),  # an outlet
        ("Omar Said and Rana Aziz, Radio Nowhere / Example Media Group",
         ["Omar Said", "Rana Aziz", "Radio Nowhere"]),
    ],
)
def test_what_follows_a_slash_is_a_dateline_or_an_outlet_up_to_the_next_and(byline, names):
    assert split_authors(byline, ["Lina Haddad is a reporter based in Aleppo."]) == names


@pytest.mark.parametrize(
    ("bio", "names"),
    [
        ("Rana Aziz is a freelance writer based in Beirut.", ["Example Reporters", "Rana Aziz"]),
        ("Rana Aziz, a freelance writer, was born in Homs.", ["Example Reporters", "Rana Aziz"]),
        ("Rana Aziz was a scholar at an institute.", ["Example Reporters", "Rana Aziz"]),
        ("Rana Aziz reporter, covering the north.", ["Example Reporters"]),  # where she works, not who
        ("Rana Azizi is another person.", ["Example Reporters"]),
        ("", ["Example Reporters"]),
    ],
)
def test_a_writer_after_a_slash_is_one_the_author_bio_opens_on(bio, names):
    assert split_authors("Example Reporters / Rana Aziz, Edited by Omar Said", [bio]) == names


def test_the_author_box_bio_names_the_writer_after_the_outlet_on_the_page():
    box = ('<div class="author"><h3 class="widget-title"><a href="#">{byline}</a></h3>'
           "<p><p>{bio}</p></div>")
    byline = "Example Reporters / Rana Aziz, Edited by Omar Said"
    bio = "Rana Aziz is a freelance writer based in Istanbul."
    page = WORDPRESS.format(dek_class="dek", byline=byline).replace(
        "</body>", box.format(byline=byline, bio=bio) + "</body>")
    assert build_record(page.encode(), URL).authors == ["Example Reporters", "Rana Aziz"]
    place = WORDPRESS.format(dek_class="dek", byline="Rana Aziz / Kafr Nabl, Idlib province").replace(
        "</body>", box.format(byline="Rana Aziz / Kafr Nabl", bio="Kafr Nabl-based reporter.") + "</body>")
    assert build_record(place.encode(), URL).authors == ["Rana Aziz"]
