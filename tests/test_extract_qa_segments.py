"""How an interview's page falls into turns, introduction, closing notes and what is in neither, and who
answers where no label says: each rule of the segmenter at its edges, on small made-up pages.

The turns are checked whole (speaker, role, text), and where a paragraph goes by
``Interview.placement``, the audit the corpus test runs over every real page.
"""

from __future__ import annotations

import pytest

from extract.blocks import page_blocks
from extract.page import parse_html
from extract.qa import split_interview
from tests.support.pages import article_page, extract, speakers

SD = "Syria Deeply"


def turns(record) -> list[tuple[str, str, str]]:
    return [(t["speaker"], t["role"], t["text"]) for t in record.qa]


def placed(body: str, **page) -> tuple[list[tuple[str, list[str]]], object]:
    """Each page block's text (or "<embed>", "<hr>") and where the interview put it, and the interview."""
    blocks = page_blocks(parse_html(article_page(body, **page)))
    title = page.get("title", "A Test Article")
    interview = split_interview(blocks, SD, [title, page.get("lede", "The lede of the test article.")],
                                ["Mira Haddad"])
    assert interview is not None
    names = [b.text or ("<hr>" if b.rule else "<embed>") for b in blocks]
    return list(zip(names, interview.placement(blocks), strict=True)), interview


# --- where each paragraph goes ------------------------------------------------------------------


def test_every_paragraph_lands_in_one_place_labels_rules_headings_and_closing_sections_in_none():
    body = """
    <h3>Part One</h3>
    <p>Syria Deeply spoke with Rana Aziz, a teacher.</p>
    <p><strong>Syria Deeply:</strong> What do you teach?</p>
    <p><strong>Rana Aziz:</strong></p><p>I teach maths.</p>
    <p>&lt;div source=’picture’ id=’7288′ flow=’alignright’&nbsp;/&gt;</p>
    <p>And some science.</p>
    <hr />
    <p><strong>Part Two</strong></p>
    <p>Syria Deeply spoke with Sami Nour, a driver.</p>
    <p><strong>Syria Deeply:</strong> What do you drive?</p><p><strong>Sami Nour:</strong> A bus.</p>
    <h3>Recommended Reads</h3><p>A story about buses</p>
    <p><strong>Syria Deeply:</strong> Where to?</p><p><strong>Sami Nour:</strong> To the border.</p>
    <p><em>This interview has been edited for length.</em></p>
    """
    places, interview = placed(body)
    assert places == [
        ("Part One", ["dropped"]),
        ("Syria Deeply spoke with Rana Aziz, a teacher.", ["intro"]),
        ("Syria Deeply: What do you teach?", ["turn"]),
        ("Rana Aziz:", ["dropped"]),  # a label alone: its words are the speaker
        ("I teach maths.", ["turn"]),
        ("<embed>", ["turn"]),  # a picture inside an answer stays in that answer's blocks
        ("And some science.", ["turn"]),
        ("<hr>", ["dropped"]),
        ("Part Two", ["dropped"]),
        ("Syria Deeply spoke with Sami Nour, a driver.", ["intro"]),
        ("Syria Deeply: What do you drive?", ["turn"]),
        ("Sami Nour: A bus.", ["turn"]),
        ("Recommended Reads", ["dropped"]),
        ("A story about buses", ["dropped"]),  # a closing section runs up to the next turn
        ("Syria Deeply: Where to?", ["turn"]),
        ("Sami Nour: To the border.", ["turn"]),
        ("This interview has been edited for length.", ["outro"]),
    ]
    assert [(t["speaker"], t["role"], t["text"]) for t in interview.turns] == [
        (SD, "question", "What do you teach?"),
        ("Rana Aziz", "answer", "I teach maths.\n\nAnd some science."),
        (SD, "question", "What do you drive?"),
        ("Sami Nour", "answer", "A bus."),
        (SD, "question", "Where to?"),
        ("Sami Nour", "answer", "To the border."),
    ]


def test_readers_names_bios_attributions_and_headlines_are_in_no_field():
    body = """
    <p>Readers sent questions about the new camps; we answered them below.</p>
    <h2>Q: Who runs the camps?</h2><p><em>(Rana Aziz, Amman)</em></p><p>A: A council of residents.</p>
    <p><strong>Sami Nour</strong></p><p>Student in Berlin</p>
    <h2>Q: Can families visit them?</h2><p>A: Yes, on Fridays.</p>
    """
    places, interview = placed(body)
    assert places == [
        ("Readers sent questions about the new camps; we answered them below.", ["intro"]),
        ("Q: Who runs the camps?", ["turn"]),
        ("(Rana Aziz, Amman)", ["dropped"]),
        ("A: A council of residents.", ["turn"]),
        ("Sami Nour", ["dropped"]),
        ("Student in Berlin", ["dropped"]),
        ("Q: Can families visit them?", ["turn"]),
        ("A: Yes, on Fridays.", ["turn"]),
    ]
    headline = """
    <p>Lina Haddad studies mercury in the far north.</p>
    <p><strong>Haddad: Mercury in the north comes increasingly from gold mining</strong></p>
    <p>Lina Haddad: Most of it travels by air.</p>
    <p><strong>Syria Deeply: Who is exposed to it?</strong></p><p>Lina Haddad: People who eat fish.</p>
    """
    places, _ = placed(headline)
    assert [where for _, where in places] == [["intro"], ["dropped"], ["turn"], ["turn"], ["turn"]]


def test_the_turns_are_speaker_role_and_text_only():
    # The answer without a label is the one person whose answers are labelled (the text names nobody).
    body = """
    <p>The wells of the north are drying up.</p>
    <p><strong>Syria Deeply:</strong> What do you build?</p><p><strong>Omar Said:</strong> Wells.</p>
    <p><strong>Syria Deeply:</strong> And next?</p><p>Pumps, I hope.</p>
    """
    assert extract(body).qa == [
        {"speaker": SD, "role": "question", "text": "What do you build?"},
        {"speaker": "Omar Said", "role": "answer", "text": "Wells."},
        {"speaker": SD, "role": "question", "text": "And next?"},
        {"speaker": "Omar Said", "role": "answer", "text": "Pumps, I hope."},
    ]


# --- the end of the last answer -----------------------------------------------------------------

QA = """
<p>Syria Deeply spoke with Omar Said, an engineer.</p>
<p><strong>Syria Deeply:</strong> What do you build?</p><p><strong>Omar Said:</strong> Wells.</p>
<p><strong>Syria Deeply:</strong> And next?</p>
"""


def last_answer_and_text(tail: str) -> tuple[str, str]:
    record = extract(QA + tail)
    assert speakers(record)[-1] == ("Omar Said", "answer")
    return record.qa[-1]["text"], record.text


def test_the_last_answer_keeps_its_paragraphs_its_italics_inside_and_a_lone_line_ending_in_a_colon():
    # Two paragraphs, an italic one in the middle, or one that ends in a colon alone: all answer.
    assert last_answer_and_text("<p><strong>Omar Said:</strong> Pumps.</p><p>Then schools.</p>")[0] == (
        "Pumps.\n\nThen schools."
    )
    tail = "<p><strong>Omar Said:</strong> Pumps.</p>"
    tail += "<p><em>Water is life</em>, we say.</p><p>Then schools.</p>"
    assert last_answer_and_text(tail)[0] == "Pumps.\n\nWater is life, we say.\n\nThen schools."
    tail = "<p><strong>Omar Said:</strong> Pumps.</p><p><em>Water is life.</em></p><p>Then schools.</p>"
    assert last_answer_and_text(tail)[0] == "Pumps.\n\nWater is life.\n\nThen schools."
    tail = "<p><strong>Omar Said:</strong> Here is what we need:</p>"
    assert last_answer_and_text(tail)[0] == "Here is what we need:"


def test_closing_notes_in_italics_or_saying_the_interview_was_edited_leave_the_last_answer_in_order():
    tail = """<p><strong>Omar Said:</strong> Pumps.</p><p>Then schools.</p>
    <p><em>Omar Said is an engineer in the north.</em></p>"""
    assert last_answer_and_text(tail) == (
        "Pumps.\n\nThen schools.",
        "Syria Deeply spoke with Omar Said, an engineer.\n\nOmar Said is an engineer in the north.",
    )
    tail = """<p><strong>Omar Said:</strong> Pumps.</p><p>Then schools.</p>
    <p>This interview has been edited for length and clarity.</p>"""
    assert last_answer_and_text(tail) == (
        "Pumps.\n\nThen schools.",
        "Syria Deeply spoke with Omar Said, an engineer.\n\n"
        "This interview has been edited for length and clarity.",
    )
    tail = """<p><strong>Omar Said:</strong> Pumps.</p>
    <p><em>Omar Said is an engineer in the north.</em></p>
    <p>This interview has been edited for length and clarity.</p>"""
    answer, text = last_answer_and_text(tail)
    assert answer == "Pumps."
    assert text.split("\n\n")[1:] == [
        "Omar Said is an engineer in the north.", "This interview has been edited for length and clarity.",
    ]  # fmt: skip


def test_a_last_line_ending_in_a_colon_goes_to_the_outro_with_what_follows_the_last_picture():
    # No picture: only that line leaves the answer.
    tail = """<p><strong>Omar Said:</strong> Pumps.</p><p>Then schools.</p>
    <p>The first recording is called “The Well”:</p>"""
    answer, text = last_answer_and_text(tail)
    assert answer == "Pumps.\n\nThen schools."
    assert text.endswith("an engineer.\n\nThe first recording is called “The Well”:")
    tail = """<p><strong>Omar Said:</strong> Pumps.</p>
    <p>The first recording is called “The Well”:</p>"""
    assert last_answer_and_text(tail) == (
        "Pumps.",
        "Syria Deeply spoke with Omar Said, an engineer.\n\nThe first recording is called “The Well”:",
    )
    # A picture right after the answer's first paragraph: what follows it is the outro.
    tail = """<p><strong>Omar Said:</strong> Pumps.</p><img src="/a.jpg" alt="">
    <p>We will publish the recordings every week.</p><p>The first recording is called “The Well”:</p>"""
    answer, text = last_answer_and_text(tail)
    assert answer == "Pumps."
    assert text.endswith(
        "engineer.\n\nWe will publish the recordings every week.\n\nThe first recording is called “The Well”:"
    )


def test_a_picture_over_an_unlabelled_last_answer_keeps_that_answer():
    body = """
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>How long have you worked on the wells?</strong></p><p>I have worked on them for ten years.</p>
    <p><strong>What do you need most?</strong></p><img src="/a.jpg" alt="">
    <p>I need pumps.</p><p>And I need them soon.</p><p>The first recording is called “The Well”:</p>
    """
    record = extract(body)
    assert turns(record)[-1] == ("Omar Said", "answer", "I need pumps.\n\nAnd I need them soon.")
    assert record.text.endswith("The first recording is called “The Well”:")


# --- readers who ask ----------------------------------------------------------------------------

READERS_TEXT = "Readers sent us their questions about the new camps, and our editors answered them below."
READERS_INTRO = f"<p>{READERS_TEXT}</p>"


def test_a_reader_named_right_above_the_question_asks_it_under_a_long_introduction():
    body = READERS_INTRO + """
    <p><strong>Rana Aziz</strong></p><h2>Q: Who runs the camps?</h2><p>A: A council of residents.</p>
    <p><strong>Sami Abdel Nour Haddad</strong></p><p>Student in Berlin</p>
    <h2>Q: Can families visit them?</h2><p>A: Yes, on Fridays.</p>
    """
    record = extract(body)
    assert turns(record) == [
        ("Rana Aziz", "question", "Who runs the camps?"),
        (SD, "answer", "A council of residents."),
        ("Sami Abdel Nour Haddad", "question", "Can families visit them?"),
        (SD, "answer", "Yes, on Fridays."),
    ]
    assert record.text == READERS_TEXT


def test_a_readers_bio_of_up_to_twelve_words_is_in_no_field_and_a_line_that_asks_is_no_bio():
    bio = "Student of engineering at the technical university in Berlin since last spring"  # 12 words
    body = READERS_INTRO + f"""
    <p><strong>Rana Aziz</strong></p><h2>Q: Who runs the camps?</h2><p>A: A council of residents.</p>
    <p><strong>Sami Nour</strong></p><p>{bio}</p>
    <h2>Q: Can families visit them?</h2><p>A: Yes, on Fridays.</p>
    """
    record = extract(body)
    assert turns(record)[1:3] == [
        (SD, "answer", "A council of residents."),
        ("Sami Nour", "question", "Can families visit them?"),
    ]
    assert bio not in record.text


def test_a_bold_line_of_five_words_or_with_a_colon_over_a_question_is_no_readers_name():
    for line in ("Sami Abdel Nour Al Haddad", "Sami Nour: Berlin"):
        body = READERS_INTRO + f"""
        <h2>Q: Who runs the camps?</h2><p>A: A council of residents.</p>
        <p><strong>{line}</strong></p>
        <h2>Q: Can families visit them?</h2><p>A: Yes, on Fridays.</p>
        """
        # No reader asks: the publication does, and nobody the page names answers "A:".
        assert speakers(extract(body)) == [(SD, "question"), ("A", "answer")] * 2, line


@pytest.mark.parametrize("line", [
    "<p><strong>Sami Abdel Nour Al Haddad</strong></p>",  # five words
    "<p><strong>Sami Nour: Berlin</strong></p>",  # a colon
    # A name line over a part's introduction of thirteen words, or two blocks above the question.
    "<p><strong>Lina Haddad</strong></p><p>In the second part readers asked about the schools their "
    "children can attend.</p>",
    "<p><strong>Lina Haddad</strong></p><p>Student in Berlin</p><p>Mother of two</p>",
], ids=["five-words", "colon", "over-an-introduction", "two-blocks-above"])
def test_where_readers_ask_a_line_no_readers_name_leaves_its_question_to_the_publication(line):
    # Two readers named above their questions make the page a readers' Q&A; the third line is none.
    body = READERS_INTRO + f"""
    <p><strong>Rana Aziz</strong></p><h2>Q: Who runs the camps?</h2><p>A: A council of residents.</p>
    <p><strong>Sami Nour</strong></p><h2>Q: Can families visit them?</h2><p>A: Yes, on Fridays.</p>
    {line}
    <h2>Q: Is there a school?</h2><p>A: Two of them.</p>
    """
    assert speakers(extract(body)) == [
        ("Rana Aziz", "question"), (SD, "answer"), ("Sami Nour", "question"), (SD, "answer"),
        (SD, "question"), (SD, "answer"),
    ]  # fmt: skip


def test_a_part_heading_over_its_introduction_is_no_reader():
    # Thirteen words or more under the bold line: a part's introduction, which stays in the text.
    for intro in (
        "In the second part our readers asked about the schools their children can attend.",  # 14
        "In the second part readers asked about the schools their children can attend.",  # 13
    ):
        body = READERS_INTRO + f"""
        <h2>Q: Who runs the camps?</h2><p>A: A council of residents.</p>
        <p><strong>Part Two</strong></p><p>{intro}</p>
        <h2>Q: Can families visit them?</h2><p>A: Yes, on Fridays.</p>
        """
        record = extract(body)
        assert speakers(record) == [(SD, "question"), ("A", "answer")] * 2
        assert record.text.endswith(intro)
    # Two short paragraphs under a part's heading introduce that part too.
    body = """
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>Syria Deeply:</strong> What do you build?</p><p><strong>Omar Said:</strong> Wells.</p>
    <p><strong>Part Two</strong></p><p>Six months later.</p><p>The wells were dry.</p>
    <p><strong>Syria Deeply:</strong> What happened?</p><p><strong>Omar Said:</strong> No rain.</p>
    """
    record = extract(body)
    assert record.text.split("\n\n") == [
        "Syria Deeply spoke with Omar Said, an engineer.", "Six months later.", "The wells were dry.",
    ]  # fmt: skip
    assert speakers(record) == [(SD, "question"), ("Omar Said", "answer")] * 2
    body = READERS_INTRO + """
    <h2>Q: Who runs the camps?</h2><p>A: A council of residents.</p>
    <p><strong>Part Two</strong></p><p>Six months later.</p><p>The camps had grown.</p>
    <h2>Q: Can families visit them?</h2><p>A: Yes, on Fridays.</p>
    """
    record = extract(body)
    assert speakers(record) == [(SD, "question"), ("A", "answer")] * 2
    assert record.text.endswith("answered them below.\n\nSix months later.\n\nThe camps had grown.")


# --- questions that go on, parts and section headings -----------------------------------------------


def test_a_bold_line_that_ends_in_a_colon_is_no_more_of_the_question_though_it_asks():
    body = """
    <p>We asked two experts one question.</p>
    <p><strong>Syria Deeply:</strong> Will the truce hold?</p>
    <p><strong>“Will it hold?” We put that question to two experts:</strong></p>
    <p><strong>Omar Said:</strong> I doubt it.</p>
    <p><strong>Lina Haddad:</strong> I hope so.</p>
    """
    assert turns(extract(body)) == [
        (SD, "question", "Will the truce hold?"),
        ("Omar Said", "answer", "I doubt it."),
        ("Lina Haddad", "answer", "I hope so."),
    ]


def test_a_bold_heading_after_a_rule_is_dropped_and_a_bold_sentence_before_the_first_turn_introduces():
    body = """
    <p><strong>This conversation is part of our series on water.</strong></p>
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>Syria Deeply:</strong> What do you build?</p><p><strong>Omar Said:</strong> Wells.</p>
    <hr /><p><strong>Part Two</strong></p><p>Six months later.</p>
    <p><strong>Syria Deeply:</strong> What happened?</p><p><strong>Omar Said:</strong> No rain.</p>
    """
    record = extract(body)
    assert record.text.split("\n\n") == [
        "This conversation is part of our series on water.",
        "Syria Deeply spoke with Omar Said, an engineer.",
        "Six months later.",
    ]
    assert speakers(record) == [(SD, "question"), ("Omar Said", "answer")] * 2


# --- question subheads over prose that does not speak ------------------------------------------------


def test_question_subheads_over_third_person_prose_are_no_interview_unless_labels_answer_them():
    lede = "Omar Said explained the new rules to reporters on Monday."
    explainer = """
    <p>The new rules for the wells take effect next month.</p>
    <h2>What do you need to know about the rules?</h2><p>They limit how deep a well may go.</p>
    <h2>Who do you ask for a permit?</h2><p>The council gives permits to the farmers.</p>
    """
    record = extract(explainer, lede=lede)
    assert record.kind == "article" and record.qa == []
    labelled = """
    <p>The new rules for the wells take effect next month.</p>
    <h2>What do you need to know about the rules?</h2><p>Omar Said: They limit how deep a well may go.</p>
    <h2>Who do you ask for a permit?</h2><p>Omar Said: The council gives permits to the farmers.</p>
    """
    assert turns(extract(labelled, lede=lede)) == [
        (SD, "question", "What do you need to know about the rules?"),
        ("Omar Said", "answer", "They limit how deep a well may go."),
        (SD, "question", "Who do you ask for a permit?"),
        ("Omar Said", "answer", "The council gives permits to the farmers."),
    ]


# --- who answers where no label names them -----------------------------------------------------------

PLAIN_QA = """
<p>Q: How long have you worked on the wells?</p><p>A: I have worked on them for ten years.</p>
<p>Q: What do you need most?</p><p>A: We need pumps.</p>
<p>Q: And then?</p><p>A: Schools.</p>
"""


def test_answers_labelled_a_are_the_person_the_introduction_the_lede_or_the_title_presents():
    expected = [
        (SD, "question", "How long have you worked on the wells?"),
        ("Omar Said", "answer", "I have worked on them for ten years."),
        (SD, "question", "What do you need most?"),
        ("Omar Said", "answer", "We need pumps."),
        (SD, "question", "And then?"),
        ("Omar Said", "answer", "Schools."),
    ]
    intro = "<p>Syria Deeply spoke with Omar Said, an engineer, about the wells.</p>"
    assert turns(extract(intro + PLAIN_QA)) == expected
    lede = "Syria Deeply spoke with Omar Said, an engineer, about the wells."
    assert turns(extract(PLAIN_QA, lede=lede)) == expected
    intro = "<p>Omar Said has dug wells in the north for twenty years.</p>"
    assert turns(extract(intro + PLAIN_QA, title="Omar Said: The Wells Will Not Last")) == expected
    # Nobody presented: "A" is all the page says of who answers.
    assert speakers(extract(PLAIN_QA)) == [(SD, "question"), ("A", "answer")] * 3
    # And an answer that lost its "A:" is that same nobody's.
    unlabelled = PLAIN_QA.replace("A: We need pumps.", "We need pumps.")
    assert turns(extract(unlabelled))[3] == ("A", "answer", "We need pumps.")


BOLD_QUESTIONS = """
<p><strong>How long have you worked on the wells?</strong></p><p>I have worked on them for ten years.</p>
<p><strong>What do you need most?</strong></p><p>We need pumps, and I need them soon.</p>
"""


def answerer(intro: str, **page) -> str | None:
    """Who answers the page's unlabelled questions, under this introduction (None: no interview)."""
    record = extract(intro + BOLD_QUESTIONS, **page)
    names = {t["speaker"] for t in record.qa if t["role"] == "answer"}
    assert len(names) <= 1
    return names.pop() if names else None


def test_the_bylines_author_who_spoke_with_someone_is_not_who_answers():
    # The byline is Mira Haddad's (the page template's).
    assert answerer("<p>Mira Haddad spoke with Omar Said about the wells.</p>") == "Omar Said"
    assert answerer("<p>Mira Haddad explains what she heard in the camps.</p>") is None


@pytest.mark.parametrize(
    "intro, who",
    [
        # Named right before a speech verb, in the same sentence: the nearest, the first of a tie.
        ("Watan Build director Samir Kanaan responded to our questions about the wells.", "Samir Kanaan"),
        ("Omar Said says yes and Lina Haddad says no.", "Omar Said"),
        ("The Example Water Institute mapped the wells, and its director Omar Said explained why they fail.",
         "Omar Said"),
        # Not across a full stop: there, the one spoken with.
        ("The wells belong to Omar Said. The council said they are dry. Syria Deeply spoke with Lina Haddad.",
         "Lina Haddad"),
        # Right after "spoke with", "interviewed": the capitalised words, particles within, full stop off.
        ("Syria Deeply spoke with Omar Said.", "Omar Said"),
        ("Syria Deeply spoke with Jean LEROUX, a hydrologist.", "Jean LEROUX"),
        ("Syria Deeply spoke with Ahmad Khaled al Rifai, a doctor.", "Ahmad Khaled al Rifai"),
        ("Syria Deeply spoke with Mohamed Ali el Sayed, a doctor.", "Mohamed Ali el Sayed"),
        ("Syria Deeply spoke with Maria Clara de Souza, a doctor.", "Maria Clara de Souza"),
        ("Syria Deeply spoke with Jan Peter van Dijk, a doctor.", "Jan Peter van Dijk"),
        ("Syria Deeply spoke with Karl Heinz von Berg, a doctor.", "Karl Heinz von Berg"),
        ("Syria Deeply spoke with Omar Khalid bin Walid, a doctor.", "Omar Khalid bin Walid"),
        ("We spoke with residents of the city and later interviewed Omar Said.", "Omar Said"),
        # A surname alone, as the text names the person in full.
        ("Omar Said runs the last clinic in the city. Syria Deeply spoke with Said about it.", "Omar Said"),
        # A first name and an age; a paragraph that opens on the person it presents.
        ("Fares, 28, fled Aleppo in 2014.", "Fares"),
        ("Omar Said is an engineer who builds wells.", "Omar Said"),
        # A place six words after "spoke with", the publication spoken to: no one spoken with.
        ("Syria Deeply spoke with residents of the old city of Deir Ezzor.</p>"
         "<p>Omar Said is a doctor who stayed.", "Omar Said"),
        ("Lina Haddad is a midwife in Amman. She spoke to Women &amp; Girls Hub about her work.",
         "Lina Haddad"),
        # Nobody presented: no one to answer, no interview.
        ("The wells of the north are drying up.", None),
        ("Mira Haddad explains what she heard in the camps.", None),  # the byline's
    ],
)
def test_the_person_the_introduction_presents_answers(intro, who):
    assert answerer(f"<p>{intro}</p>") == who


def test_a_speech_verb_presents_up_to_sixty_characters_after_the_name_across_paragraphs():
    near = ", the engineer whom the valley calls on when it is dry, "
    far = ", the engineer whom the valley calls on when it is arid, "
    assert len(near + "says") == 60 and len(far + "says") == 61
    assert answerer(f"<p>Omar Said{near}says the rain is late.</p>") == "Omar Said"
    assert answerer(f"<p>Omar Said{far}says the rain is late.</p>") is None
    # The paragraphs of the introduction read as one text, a space apart.
    first, second = ", the engineer the valley calls on?", "In each drought, he says"
    assert len(first) + 1 + len(second) == 60
    assert answerer(f"<p>Who is Omar Said{first}</p><p>{second} so.</p>") == "Omar Said"


def test_the_words_after_spoke_with_are_read_up_to_eighty_characters():
    # "Omar" ends the window: it stands for the Omar Said the text names, not for a cut "Omar S".
    words = "the internationally-recognised-and-admired hydrologists-and-well-engineer, "
    assert len(words + "Omar ") == 80
    assert answerer(f"<p>Syria Deeply spoke with {words}Omar Said.</p>") == "Omar Said"


def test_the_title_opening_on_a_name_the_text_names_too_gives_who_answers():
    title, intro = "Omar Said: The Wells Will Not Last", "<p>Omar Said has dug wells for twenty years.</p>"
    assert answerer(intro, title=title) == "Omar Said"
    assert answerer("<p>The wells of the north are drying up.</p>", title=title) is None  # named nowhere else
    assert answerer(intro, title="Said: The Wells Will Not Last") is None  # a surname alone


# --- which labels name a speaker -------------------------------------------------------------------

PICTURE = "<p>&lt;div source=’picture’ id=’7288′ flow=’alignright’&nbsp;/&gt;</p>"


def test_a_one_off_bold_name_right_under_a_question_answers_it_a_picture_between_or_not():
    for between in ("", PICTURE):
        body = f"""
        <p>Syria Deeply spoke with three students.</p>
        <p><strong>Syria Deeply:</strong> What do you study?</p>
        <p><strong>Omar Said:</strong> Law.</p><p><strong>Lina Haddad:</strong> Medicine.</p>
        <p><strong>Syria Deeply:</strong> And you?</p>{between}<p><strong>Noshin:</strong> Music.</p>
        <p><strong>Syria Deeply:</strong> Where?</p><p><strong>Omar Said:</strong> In Berlin.</p>
        """
        assert turns(extract(body))[3:5] == [(SD, "question", "And you?"), ("Noshin", "answer", "Music.")]


def test_one_off_place_names_in_an_answer_or_opening_it_are_no_speakers():
    body = """
    <p>Syria Deeply spoke with Omar Said.</p>
    <p><strong>Syria Deeply:</strong> Which cities matter?</p><p><strong>Omar Said:</strong> Two.</p>
    <p><strong>Aleppo:</strong> It holds the roads.</p><p><strong>Homs:</strong> It holds the valley.</p>
    <p><strong>Syria Deeply:</strong> Which matters most?</p><p>I would say one.</p>
    <p><strong>Idlib:</strong> Without it nothing moves.</p>
    <p><strong>Syria Deeply:</strong> And after?</p><p>Raqqa: Its markets, then the rest.</p>
    <p><strong>Syria Deeply:</strong> Why?</p><p><strong>Omar Said:</strong> Trade.</p>
    """
    assert turns(extract(body)) == [
        (SD, "question", "Which cities matter?"),
        ("Omar Said", "answer", "Two.\n\nAleppo: It holds the roads.\n\nHoms: It holds the valley."),
        (SD, "question", "Which matters most?"),
        ("Omar Said", "answer", "I would say one.\n\nIdlib: Without it nothing moves."),
        (SD, "question", "And after?"),
        ("Omar Said", "answer", "Raqqa: Its markets, then the rest."),
        (SD, "question", "Why?"),
        ("Omar Said", "answer", "Trade."),
    ]


def test_bold_initials_used_once_name_a_speaker_the_page_never_spells_out():
    body = """
    <p>Syria Deeply spoke with Omar Said and a colleague of his.</p>
    <p><strong>Syria Deeply:</strong> What do you two do?</p><p><strong>Omar Said:</strong> I dig wells.</p>
    <p><strong>KM:</strong> I fix pumps.</p>
    <p><strong>Syria Deeply:</strong> Where?</p><p><strong>Omar Said:</strong> In the north.</p>
    """
    assert turns(extract(body))[1:3] == [
        ("Omar Said", "answer", "I dig wells."), ("KM", "answer", "I fix pumps."),
    ]  # fmt: skip


def test_a_repeated_plain_label_speaks_once_a_label_asks_and_a_repeated_dateline_does_not_stop_the_others():
    body = """
    <p>A well digger in the north told us about his work.</p>
    <p><strong>Syria Deeply:</strong> What do you do?</p><p>Kanaan: I dig wells.</p>
    <p><strong>How deep do you dig?</strong></p><p>Kanaan: Forty metres, sometimes more.</p>
    <p><strong>What do you need?</strong></p><p>Kanaan: Pumps.</p>
    """
    assert turns(extract(body)) == [
        (SD, "question", "What do you do?"), ("Kanaan", "answer", "I dig wells."),
        (SD, "question", "How deep do you dig?"), ("Kanaan", "answer", "Forty metres, sometimes more."),
        (SD, "question", "What do you need?"), ("Kanaan", "answer", "Pumps."),
    ]  # fmt: skip
    # No label asks: "Aleppo:" twice is a dateline, and the answers' own labels still count.
    body = """
    <p>Aleppo: The shelling stopped on Monday.</p><p>Aleppo: The roads opened on Tuesday.</p>
    <p>Syria Deeply spoke with Omar Said, a doctor.</p>
    <p><strong>How do you see it?</strong></p><p>Omar Said: It is calm for now, I think.</p>
    <p><strong>What do you need?</strong></p><p>Omar Said: Medicine, and I need it now.</p>
    """
    record = extract(body)
    assert turns(record) == [
        (SD, "question", "How do you see it?"), ("Omar Said", "answer", "It is calm for now, I think."),
        (SD, "question", "What do you need?"), ("Omar Said", "answer", "Medicine, and I need it now."),
    ]  # fmt: skip
    assert record.text.startswith("Aleppo: The shelling stopped on Monday.\n\nAleppo: The roads opened")


# --- who asks when no label names the publication --------------------------------------------------

LARA = {
    "byline": '<a href="/syria/contributor/lara-setrakian">Lara Setrakian</a>',
    "jsonld_author": '{"@type":"Person","name":"Lara Setrakian"}',
}


def test_the_bylines_author_labelled_by_initials_asks():
    body = """
    <p>Omar Said builds wells in the north.</p>
    <p><strong>LS:</strong> Tell us about the wells.</p><p><strong>Omar Said:</strong> They are dry.</p>
    <p><strong>LS:</strong> And the pumps.</p><p><strong>Omar Said:</strong> They are old.</p>
    """
    assert turns(extract(body, **LARA)) == [
        ("Lara Setrakian", "question", "Tell us about the wells."), ("Omar Said", "answer", "They are dry."),
        ("Lara Setrakian", "question", "And the pumps."), ("Omar Said", "answer", "They are old."),
    ]  # fmt: skip


BOTH = {
    "byline": '<a href="/syria/contributor/mira-haddad">Mira Haddad</a> and '
    '<a href="/syria/contributor/omar-said">Omar Said</a>',
    "jsonld_author": '[{"@type":"Person","name":"Mira Haddad"},{"@type":"Person","name":"Omar Said"}]',
}


def test_a_byline_crediting_both_sides_the_one_who_asks_and_the_one_presented():
    body = """
    <p>Omar Said told us about the wells of the north.</p>
    <p><strong>Mira Haddad: How long have you worked on the wells?</strong></p>
    <p>I have worked on them for ten years.</p>
    <p><strong>Mira Haddad: What do you need most?</strong></p><p>We need pumps, and I need them soon.</p>
    """
    assert speakers(extract(body, **BOTH)) == [("Mira Haddad", "question"), ("Omar Said", "answer")] * 2


def test_an_answer_without_its_label_is_the_labelled_answerers_though_the_byline_credits_him():
    body = """
    <p>Omar Said told us about the wells of the north.</p>
    <p><strong>Syria Deeply:</strong> How long have you worked on the wells?</p>
    <p><strong>Omar Said:</strong> Ten years.</p>
    <p><strong>Syria Deeply:</strong> What do you need most?</p><p>Pumps.</p>
    """
    assert turns(extract(body, **BOTH))[3] == ("Omar Said", "answer", "Pumps.")


def test_a_labelled_paragraph_keeps_its_pictures_in_its_turns_blocks():
    marker = "&lt;div source=’picture’ id=’7288′ flow=’alignright’&nbsp;/&gt;"
    body = f"""
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>Syria Deeply:</strong> What do you build?</p>
    <p><strong>Omar Said:</strong> Wells. {marker}</p>
    """
    places, interview = placed(body)
    assert places[2] == ("Omar Said: Wells.", ["turn"])
    page_block = interview.origin[id(interview.turn_blocks[1][0])]
    assert page_block.embeds and interview.turn_blocks[1][0].embeds == page_block.embeds


def test_a_label_with_nothing_under_it_is_no_turn_and_in_no_field():
    body = """
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>Syria Deeply:</strong> What do you build?</p><p><strong>Omar Said:</strong> Wells.</p>
    <p><strong>Lina Haddad:</strong></p><hr />
    """
    places, interview = placed(body)
    assert [where for _, where in places] == [["intro"], ["turn"], ["turn"], ["dropped"], ["dropped"]]
    assert [t["speaker"] for t in interview.turns] == [SD, "Omar Said"]


def test_an_answer_set_in_italics_is_an_answer_even_the_last_one():
    body = """
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>How long have you worked on the wells?</strong></p>
    <p><em>I have worked on them for ten years.</em></p>
    <p><strong>What do you need most?</strong></p><p><em>We need pumps, and I need them soon.</em></p>
    """
    assert turns(extract(body))[-1] == ("Omar Said", "answer", "We need pumps, and I need them soon.")
