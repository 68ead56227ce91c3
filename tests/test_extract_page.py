"""extract_page on small synthetic pages shaped like newsdeeply.com's article template.

`article_page` writes a page with the real template's parts (sunset banner, share buttons, meta
table, JSON-LD, the marked body, "Most Popular", the author box, "Share Your Story", the hidden
"Read the Rest" template), so that each rule is tested against the chrome it must ignore.
"""

from __future__ import annotations

import pytest

from extract import extract_page
from extract.page import build_record, extract_page_or_error
from tests.support.pages import HOMS_LIKE, URL, article_page, extract, speakers

BOILERPLATE = (
    "Dear Deeply Readers",
    "Most Popular",
    "Share Your Story",
    "Suggest your story",
    "About the Author",
    "Read the Rest",
    "Welcome to the archives",
)


def all_text(record) -> str:
    return "\n".join(
        [
            record.title,
            record.summary,
            record.text,
            *(t["text"] for t in record.qa),
            *(t["speaker"] for t in record.qa),
        ]
    )


# --- an interview like the Homs one ----------------------------------------------------------

def test_interview_turns_labels_resolved_and_intro_in_text():
    record = extract(HOMS_LIKE)
    assert record.kind == "interview"
    assert speakers(record) == [
        ("Syria Deeply", "question"),
        ("Nadia Farouk", "answer"),
        ("Syria Deeply", "question"),
        ("Nadia Farouk", "answer"),
        ("Syria Deeply", "question"),
        ("Nadia Farouk", "answer"),
    ]
    assert record.qa[0]["text"] == "What changed this week?"
    # a paragraph without a label continues the turn before it
    assert (
        record.qa[3]["text"]
        == "Two roads cross there.\n\nWhoever holds it holds the valley."
    )
    assert record.text.startswith("The shelling has sent thousands fleeing.")
    assert "What changed this week?" not in record.text  # turns live in qa only
    assert record.images == [{"id": "7288", "align": "alignright"}]
    for phrase in BOILERPLATE:
        assert phrase not in all_text(record)
    assert "more–" not in all_text(record) and "source=" not in all_text(record)
    assert record.title == "A Test Article"
    assert record.summary == "The lede of the test article."
    assert record.authors == ["Mira Haddad"]
    assert record.published == "2013-07-05"
    assert record.read_time_minutes == 3
    assert record.topics == ["Government & Pro-Government Forces"]
    assert record.key == "syria/articles/2013/07/05/a-test-article"
    assert record.site == "syria"
    assert record.url == URL


@pytest.mark.parametrize(
    "question,answer",
    [
        ("<p><b>Syria Deeply:</b> First question?</p>", "<p><b>Tomas Lindqvist:</b> First answer.</p>"),
        (
            "<p><strong>Syria Deeply</strong>: First question?</p>",
            "<p><strong>Tomas Lindqvist</strong>: First answer.</p>",
        ),
        ("<p><b>Syria Deeply: First question?</b></p>", "<p>Tomas Lindqvist: First answer.</p>"),
        ("<h2>Syria Deeply: First question?</h2>", "<p>Tomas Lindqvist: First answer.</p>"),
        ("<h3>Syria Deeply:</h3><p>First question?</p>", "<h3>Tomas Lindqvist:</h3><p>First answer.</p>"),
        ("<p>Syria Deeply: First question?</p>", "<p>Tomas Lindqvist: First answer.</p>"),
        (
            "<p>*<strong>Syria Deeply</strong>: First question?</p>",
            "<p>*<strong>Tomas Lindqvist</strong>: First answer.</p>",
        ),
    ],
)
def test_label_forms(question, answer):
    body = (
        "<p>Intro: we spoke with the aid agency’s chief.</p>"
        + question
        + answer
        + "<p><strong>SD:</strong> Second question?</p><p><strong>Lindqvist:</strong> Second answer.</p>"
        + "<p>Q: Third question?</p><p>TL: Third answer.</p>"
    )
    record = extract(body)
    assert record.kind == "interview"
    assert speakers(record) == [("Syria Deeply", "question"), ("Tomas Lindqvist", "answer")] * 3
    assert [t["text"] for t in record.qa] == [
        "First question?", "First answer.", "Second question?", "Second answer.",
        "Third question?", "Third answer.",
    ]  # fmt: skip
    assert record.text == "Intro: we spoke with the aid agency’s chief."


def test_surname_and_initials_resolved_from_the_introduction():
    body = """
    <p><em>We asked Hamid de Castro-Wells, a logistics expert, and Yasmin Omar al-Rashidi
    about the convoy.</em></p>
    <p><strong>Syria Deeply:</strong> Where is the convoy?</p>
    <p><strong>HDW:</strong> On the road.</p>
    <p><strong>SD:</strong> And the jihadists?</p>
    <p><strong>Rashidi:</strong> Watching it.</p>
    <p><strong>SD:</strong> Anything else?</p>
    <p><strong>De Castro-Wells:</strong> No.</p>
    """
    record = extract(body)
    assert speakers(record) == [
        ("Syria Deeply", "question"),
        ("Hamid de Castro-Wells", "answer"),
        ("Syria Deeply", "question"),
        ("Yasmin Omar al-Rashidi", "answer"),
        ("Syria Deeply", "question"),
        ("Hamid de Castro-Wells", "answer"),
    ]


def test_one_label_naming_two_people():
    body = """
    <p><em>The study’s authors, Lena Haddad and Sami Nour, talked to us. So did the missing teacher’s
    parents, Karim and Dina Aziz.</em></p>
    <p><strong>Syria Deeply:</strong> How has the conflict hit schooling?</p>
    <p><strong>Haddad and Nour:</strong> Badly.</p>
    <p>Many children have left school.</p>
    <p><strong>Syria Deeply:</strong> And your son?</p>
    <p><strong>Karim and Dina Aziz:</strong> We keep hoping.</p>
    <p><strong>SD:</strong> What now?</p>
    <p><strong>Karim:</strong> We go back to Beirut.</p>
    """
    record = extract(body)
    assert speakers(record) == [
        ("Syria Deeply", "question"),
        ("Lena Haddad and Sami Nour", "answer"),
        ("Syria Deeply", "question"),
        ("Karim Aziz and Dina Aziz", "answer"),
        ("Syria Deeply", "question"),
        ("Karim Aziz", "answer"),
    ]
    assert record.qa[1]["text"] == "Badly.\n\nMany children have left school."


def test_labels_without_the_publication_asking_use_the_question_marks():
    body = """
    <p>Two analysts talked on the anniversary of the war.</p>
    <p><strong>Rania Salloum:</strong> What went wrong?</p>
    <p><strong>Peter J. Morrow:</strong> Much went wrong.</p>
    <p><strong>Salloum:</strong> Could it have been stopped?</p>
    <p><strong>Morrow:</strong> Perhaps, early on.</p>
    <p><strong>Salloum:</strong> And now?</p>
    <p><strong>Morrow:</strong> Now it is late.</p>
    """
    record = extract(body)
    assert speakers(record) == [("Rania Salloum", "question"), ("Peter J. Morrow", "answer")] * 3


def test_bold_run_ins_in_a_news_story_are_not_an_interview():
    body = """
    <p><strong>Aleppo:</strong> Shelling continued overnight, residents said.</p>
    <p><strong>Homs:</strong> A car bomb killed 12 people.</p>
    <p><strong>Top image:</strong> A street in Homs. Reuters.</p>
    <p>Photo: Reuters</p>
    """
    record = extract(body)
    assert record.kind == "article"
    assert record.qa == []
    assert "Aleppo: Shelling continued overnight, residents said." in record.text


def test_closing_notes_leave_the_last_answer():
    body = """
    <p><strong>Syria Deeply:</strong> Question?</p>
    <p><strong>Ola Brekke:</strong> Answer.</p>
    <p><em>This interview has been edited for length and clarity.</em></p>
    """
    record = extract(body)
    assert record.qa[-1]["text"] == "Answer."
    assert record.text == "This interview has been edited for length and clarity."


def test_only_questions_labelled_answers_follow_unlabelled():
    body = """
    <p>Watan Build director Samir Kanaan responded to some questions about the work.</p>
    <h2>Question: What is Watan Build?</h2><p>A nonprofit.</p><p>Founded in 2013.</p>
    <h2>Question: What did it build first?</h2><p>Schools.</p>
    """
    record = extract(body)
    assert speakers(record) == [
        ("Syria Deeply", "question"),
        ("Samir Kanaan", "answer"),
        ("Syria Deeply", "question"),
        ("Samir Kanaan", "answer"),
    ]
    assert record.qa[1]["text"] == "A nonprofit.\n\nFounded in 2013."


# --- leftovers, embeds, white space ------------------------------------------------------------


def test_leftovers_never_reach_the_text_and_embeds_become_images():
    body = """
    <p>&lt;!–more–&gt;First paragraph.&lt;!--more--&gt;</p>
    <p>&lt;div source=’picture’ id=’7288′ flow=’alignright’&nbsp;/&gt;</p>
    <p>&lt;div  source='picture' id='5288' flow='alignleft' /&gt;</p>
    <p><span class="start">&lt;div source=’picture’ id=’99′ </span> flow=’aligncenter’&nbsp;/&gt;Second.</p>
    <p>&lt;p dir=”rtl”&gt;Third paragraph.&lt;/p&gt;</p>
    <p><a href="x">&lt;img class=”alignleft size-medium wp-image-4411″ src=”x.jpg” /&gt;</a> Caption text.</p>
    <p>[/caption]</p>
    <p>[caption id=”attachment_1″ align=”alignright”]Fourth.[/caption]</p>
    <p>[thethe-image-slider name=”Dear&nbsp;syria”]</p>
    <p>[![][2]][2]Fifth, with [a link][1] and a [bracketed] word.</p>
    <p>Sixth &amp;nbsp;paragraph.</p>
    <p>[easyrotator]erc_6_1360250377[/easyrotator]</p>
    <p><script>// <![CDATA[
    var x = 1;
    // ]]></script>Seventh.</p>
    """
    record = extract(body)
    assert record.text.split("\n\n") == [
        "First paragraph.",
        "Second.",
        "Third paragraph.",
        "Caption text.",
        "Fourth.",
        "Fifth, with a link and a [bracketed] word.",
        "Sixth paragraph.",
        "Seventh.",
    ]
    assert record.images == [
        {"id": "7288", "align": "alignright"},
        {"id": "5288", "align": "alignleft"},
        {"id": "99", "align": "aligncenter"},
        {"id": "4411", "align": "alignleft"},
    ]


def test_pull_quotes_figures_and_editorial_notes_are_not_text():
    body = """
    <p>A car bomb has exploded in Homs, officials said.</p>
    <aside class="small right"><blockquote><p>A car bomb has exploded in Homs.</p></blockquote></aside>
    <aside class="large left"><figure><img src="a.jpg"><figcaption>A street.</figcaption></figure></aside>
    <p>Second paragraph.</p>
    <p><em>The views expressed in this article belong to the author and do not necessarily reflect the
    editorial policy of Syria&nbsp;Deeply.</em></p>
    <p class="fin"><i>This article was originally published by The Example Review.</i></p>
    """
    record = extract(body)
    assert record.text == "A car bomb has exploded in Homs, officials said.\n\nSecond paragraph."


def test_white_space_is_plain_and_letters_stay_as_published():
    body = (
        "<p>“Quoted”\u00a0words — and\u2009a\u202fthin   run\n\tof  space, in ‘Homs’.</p>"
        "<p>كلمة عربية\u00a0هنا</p>"
        "<p>\u200bzero\u00adwidth</p>"
    )
    record = extract(body, title="Nbsp\u00a0in\u00a0the title", lede="A\u00a0lede")
    assert record.text.split("\n\n") == [
        "“Quoted” words — and a thin run of space, in ‘Homs’.",
        "كلمة عربية هنا",
        "zerowidth",
    ]
    assert record.title == "Nbsp in the title"
    assert record.summary == "A lede"


# --- charsets ----------------------------------------------------------------------------------

ARABIC = "قال مسؤولون في حمص إن القصف استمر طوال الليل، وإن آلاف العائلات نزحت نحو الريف الشمالي."


@pytest.mark.parametrize(
    "charset_meta,headers",
    [
        ("windows-1256", None),  # the page says so
        ("utf-8", [("Content-Type", "text/html; charset=windows-1256")]),  # the header wins
        ("utf-8", {"content-type": "text/html;charset=cp1256"}),  # a dict, another spelling
    ],
)
def test_windows_1256_page(charset_meta, headers):
    html = article_page(f"<p>{ARABIC}</p>", title="تقرير من حمص", lede="ملخص", charset_meta=charset_meta)
    record = build_record(html.encode("windows-1256", "xmlcharrefreplace"), URL, headers)
    assert record.text == ARABIC
    assert record.title == "تقرير من حمص"


@pytest.mark.parametrize(
    "text,charset",
    [
        (ARABIC, "windows-1256"),
        ("Le café était fermé à cause des combats, a déclaré un habitant de la ville.", "windows-1252"),
        ("“Quoted” words — and ‘Homs’.", "windows-1252"),
    ],
)
def test_undeclared_charset_is_detected(text, charset):
    html = article_page(f"<p>{text}</p>", title="T", lede="L", charset_meta="").replace(
        '<meta charset="" />', ""
    )
    record = build_record(html.encode(charset, "xmlcharrefreplace"), URL, None)
    assert record.text == text


def test_a_wrong_declaration_does_not_garble_utf8():
    html = article_page("<p>Café — “quoted”</p>", charset_meta="windows-1256").encode("utf-8")
    record = build_record(html, URL, [("Content-Type", "text/html; charset=utf-8")])
    assert record.text == "Café — “quoted”"


# --- metadata ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "byline,jsonld_author,expected",
    [
        ("Mira Haddad and Omar Said", '{"@type":"Person","name":"Mira Haddad and Omar Said"}',
         ["Mira Haddad", "Omar Said"]),
        ("A One, B Two &amp; C Three", '{"@type":"Person","name":"A One, B Two \\u0026 C Three"}',
         ["A One", "B Two", "C Three"]),
        ("Omar Said / Aleppo", '{"@type":"Person","name":"Omar Said / Aleppo"}', ["Omar Said"]),
        ("Rima Kassab + Ali Nasr", '"Rima Kassab + Ali Nasr"', ["Rima Kassab", "Ali Nasr"]),
        ("Jane Doyle, M.D.", '{"@type":"Person","name":"Jane Doyle, M.D."}', ["Jane Doyle, M.D."]),
        # JSON-LD reversed: the byline's order, JSON-LD's spelling
        ('<a href="#">Hala Darwish</a>, <a href="#">Anna Moretti</a>',
         '[{"@type":"Person","name":"Anna Moretti"},{"@type":"Person","name":"Hala Darwish"}]',
         ["Hala Darwish", "Anna Moretti"]),
        # the byline lags a corrected spelling: JSON-LD's names
        ("Samer Kaka", '{"@type":"Person","name":"Samer Kakaa"}', ["Samer Kakaa"]),
        (None, '"Syria"', ["Syria Deeply"]),  # an executive summary's author is the vertical
    ],
)  # fmt: skip
def test_authors(byline, jsonld_author, expected):
    assert extract("<p>Text.</p>", byline=byline, jsonld_author=jsonld_author).authors == expected


def test_broken_json_ld_is_still_read():
    jsonld = """{
        "@context": "http://schema.org",
        "@type": "NewsArticle",
        "headline": "Headline in JSON",
        "description": "He said it was done "on the cheap" and
broke the JSON",
        "datePublished": "2016-12-20T14:35:30Z",
        "author": {"@type":"Person","name":"Peter J. Morrow"},
        "publisher": {"@type": "Organization", "name": "News Deeply"}
    }"""
    html = article_page("<p>Text.</p>", jsonld=jsonld, byline=None, time_element=False, shown_date="")
    record = build_record(html.replace('<h1 itemprop="headline" class="title">A Test Article</h1>', ""), URL)
    assert record.title == "Headline in JSON"
    assert record.published == "2016-12-20"
    assert record.authors == ["Peter J. Morrow"]


def test_date_sources_in_order():
    assert extract(
        "<p>x</p>", published="2013-07-05 00:00:00 UTC", jsonld_date="2016-01-01T00:00:00Z"
    ).published == ("2013-07-05")
    assert extract(
        "<p>x</p>", time_element=False, shown_date="", jsonld_date="2014-02-03T23:00:00Z"
    ).published == ("2014-02-03")
    # neither <time> nor JSON-LD date: the meta table's written date, then the URL's date
    assert extract("<p>x</p>", time_element=False, shown_date="Dec. 29, 2016", jsonld_date="").published == (
        "2016-12-29"
    )
    assert extract("<p>x</p>", time_element=False, shown_date="", jsonld_date="").published == "2013-07-05"


@pytest.mark.parametrize("text,minutes", [("Approx. 12 minutes", 12), ("Approx. 1 minute", 1), (None, None)])
def test_read_time(text, minutes):
    assert extract("<p>x</p>", read_time=text).read_time_minutes == minutes


def test_content_hash_ignores_the_sidebar_but_not_the_article():
    a = extract("<p>Same article.</p>", sidebar="Most Popular")
    b = extract("<p>Same article.</p>", sidebar="Most Read This Week")
    c = extract("<p>Same article, edited.</p>")
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash
    assert len(a.content_hash) == 64


# --- sister sites, other kinds -------------------------------------------------------------------


def test_refugees_deeply_interview():
    body = """
    <p>We spoke with Tomas Lindqvist, who runs a shelter network.</p>
    <p><strong>Refugees Deeply:</strong> What is the priority?</p>
    <p><strong>Tomas Lindqvist:</strong> Protection.</p>
    <p><strong><span class="caps">RD</span>:</strong> And funding?</p>
    <p><strong>Lindqvist:</strong> Short.</p>
    """
    url = "https://www.newsdeeply.com/refugees/articles/2017/01/20/grandi-on-priorities"
    record = extract(body, url=url, site="refugees", vertical="Refugees")
    assert record.site == "refugees"
    assert record.key == "refugees/articles/2017/01/20/grandi-on-priorities"
    assert speakers(record) == [("Refugees Deeply", "question"), ("Tomas Lindqvist", "answer")] * 2


def test_executive_summary():
    body = """
    <h2>Truce Talks Resume in the&nbsp;North</h2><p>Delegations met again on Tuesday.</p>
    <p><strong>Homs:</strong> Quiet.</p><p><strong>Aleppo:</strong> Shelling.</p>
    <p><strong>Homs:</strong> Still quiet.</p><p><strong>Aleppo:</strong> More shelling.</p>
    """
    url = "https://www.newsdeeply.com/syria/executive-summaries/2016/12/29"
    record = extract(body, url=url, byline=None, jsonld_author='"Syria"', time_element=False,
                     shown_date="Dec. 29, 2016", jsonld_date="2016-12-29T14:00:20Z")  # fmt: skip
    assert record.kind == "executive-summary"
    assert record.key == "syria/executive-summaries/2016/12/29"
    assert record.qa == []
    assert record.authors == ["Syria Deeply"]
    assert record.published == "2016-12-29"
    assert record.text.startswith("Truce Talks Resume in the North\n\nDelegations met again on Tuesday.")


def test_op_ed_kind():
    url = "https://www.newsdeeply.com/syria/community/2017/04/03/an-op-ed"
    assert extract("<p>I argue.</p>", url=url).kind == "op-ed"


EXPLAINER = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>The Essentials — Background — Syria Deeply</title>
</head><body><nav><h3>Background Navigation</h3><ul><li>The Essentials</li></ul></nav>
<article class="inner detail"><header><h1>The Essentials</h1>
<time>Last updated December 1st, 2016</time></header>
<p>Five questions and their answers, from the first protests to the city&#8217;s fall.</p>
<p class="fin"><iframe src="http://prezi.com/embed/x"></iframe></p><footer></footer></article>
<section class="contribute"><h3>Share Your Story.</h3></section></body></html>"""


def test_explainer():
    record = build_record(EXPLAINER.encode(), "https://www.newsdeeply.com/syria/background/the-essentials")
    assert record.kind == "explainer"
    assert record.title == "The Essentials"
    assert record.published == "2016-12-01"
    assert record.text == "Five questions and their answers, from the first protests to the city’s fall."


OLD_WORDPRESS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>On Aleppo | Syria Deeply</title>
<meta name="author" content="Mira Haddad"></head><body>
<div id="nav"><a href="/">Home</a> <a href="/about">About</a></div>
<div id="content"><h2 class="entry-title">On Aleppo</h2>
<div class="entry-content">
<p>Aleppo’s old city has been the scene of heavy fighting for weeks, with rebels and government forces
trading control of the souks street by street while residents shelter in basements.</p>
<p>Residents describe nights of shelling and days spent searching for bread, fuel and water, as the
front line moves a few hundred meters in either direction and the ancient covered market burns.</p>
<p>&lt;!–more–&gt;Aid workers say the needs are growing faster than they can be met.</p>
</div></div>
<div class="sidebar"><h3>Most Popular</h3><ul><li>Something else</li></ul></div>
<div id="footer">© Syria Deeply. All rights reserved.</div></body></html>"""


def test_pages_without_the_article_markup_go_through_trafilatura():
    record = build_record(OLD_WORDPRESS.encode(), "http://www.syriadeeply.org/articles/2012/11/02/on-aleppo/")
    assert record.key == "syria/articles/2012/11/02/on-aleppo"
    assert record.published == "2012-11-02"  # from the URL, never the crawl date
    assert "Aleppo’s old city has been the scene of heavy fighting" in record.text
    assert "Aid workers say the needs are growing" in record.text
    assert "Most Popular" not in record.text and "more–" not in record.text
    assert record.authors == ["Mira Haddad"]


# --- pages that are no article -------------------------------------------------------------------

LISTING = """<html><head><title>Articles — Syria Deeply</title></head><body>
<article><h2><a href="/syria/articles/2013/07/05/a">A</a></h2><time>July 5, 2013</time></article>
<article><h2><a href="/syria/articles/2013/07/06/b">B</a></h2><time>July 6, 2013</time></article>
</body></html>"""

REDIRECT_STUB = """<HTML><HEAD><TITLE>Page has moved</TITLE></HEAD><BODY>
<META HTTP-EQUIV="Refresh" CONTENT="0; URL=../../../../community/2014/02/21/x.html">
<A HREF="../../../../community/2014/02/21/x.html"><B>Click here...</B></A></BODY></HTML>"""


@pytest.mark.parametrize(
    "body,url",
    [
        (LISTING.encode(), "https://www.newsdeeply.com/syria/articles"),
        (LISTING.encode(), "https://www.newsdeeply.com/syria/articles/page/2"),
        (article_page("<p>x</p>").encode(), "https://www.newsdeeply.com/syria"),  # not an article URL
        (REDIRECT_STUB.encode(), "https://www.newsdeeply.com/syria/articles/2014/2/21/x"),
        (b"", URL),
        (b"   \n", URL),
        (b"\x00\xff\xfe garbage \x89PNG", URL),
        (b"<html><body></body></html>", URL),
    ],
)
def test_not_article_pages_give_none(body, url):
    assert extract_page(body, url) is None
    assert extract_page_or_error(body, url) == (None, None), "None for no article, not for an error"


@pytest.mark.parametrize("cut", [50, 400, 1500, 3000, 5000])
def test_broken_html_raises_nothing(cut):
    kept = article_page(HOMS_LIKE).encode()[:cut]
    html = kept + b"<div><p><strong>unclosed <em>tags"
    result, error = extract_page_or_error(html, URL)
    assert error is None, error
    assert extract_page(html, URL) == result
    if b"A Test Article</h1>" in kept:  # the headline is there: an article, and its record must be too
        assert result is not None and result.title == "A Test Article"
    assert result is None or result.key == "syria/articles/2013/07/05/a-test-article"


def test_deeply_nested_markup_raises_nothing():
    html = article_page("<div><span>" * 900 + "<p>deep</p>" + "</span></div>" * 900)
    assert "deep" in build_record(html.encode(), URL).text  # deeper than Python's recursion limit
    html = article_page("<div>" * 20000 + "<p>deeper</p>" + "</div>" * 20000)
    record, error = extract_page_or_error(html.encode(), URL)  # past what libxml2 builds: no error
    assert error is None, error
    assert record is not None and record.key == "syria/articles/2013/07/05/a-test-article"


def test_headers_may_be_bytes_pairs_or_odd_shapes():
    html = article_page("<p>x</p>").encode()
    assert extract_page(html, URL, [(b"Content-Type", b"text/html; charset=utf-8")]).text == "x"
    assert extract_page(html, URL, [("Content-Type",)]).text == "x"
    assert extract_page(html, URL, {"Content-Type": "text/html; charset=nonsense-8"}).text == "x"
