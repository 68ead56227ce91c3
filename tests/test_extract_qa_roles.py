"""Who asks and who answers in an interview, at the edge of each rule of the reader (extract/qa.py):
how a label is read off a paragraph, which lines set apart are questions, subheads or headlines, and
how the roles are decided when no label names the publication (alternating voices, a format of its
own, readers asking, a byline's initials). Each page is made up, on the site's template.
"""

from __future__ import annotations

import pytest

from tests.support.pages import extract


def turns(record) -> list[tuple[str, str, str]]:
    return [(t["speaker"], t["role"], t["text"]) for t in record.qa]


# -- a label read off a paragraph ------------------------------------------------------------------

EXAMS = """
<p>Syria Deeply asked two students how their exams went.</p>
<p><strong>Syria Deeply:</strong> How did the exams go?</p>
<p><strong>Rana Aziz:</strong> Well, I passed them all.</p>
<p><strong>Syria Deeply:</strong> And yours?</p>
{}
"""


@pytest.mark.parametrize(
    "line, speaker",
    [
        ("<p><strong>Noshin:</strong> I failed one.</p>", "Noshin"),
        ("<p><strong>Noshin</strong>: I failed one.</p>", "Noshin"),  # the colon after the bold
        ("<p><strong>Noshin : I</strong> failed one.</p>", "Noshin"),  # the bold runs past the colon
        ("<p><strong>Noshin: I failed</strong> one.</p>", "Noshin"),
        ("<p><strong>– Noshin:</strong> I failed one.</p>", "Noshin"),  # a dash before the name
        ("<p><strong>Xavier:</strong> I failed one.</p>", "Xavier"),
        ("<p><strong>FELIX</strong>: I failed one.</p>", "FELIX"),
    ],
)
def test_a_one_off_bold_name_right_under_a_question_answers_it(line, speaker):
    record = extract(EXAMS.format(line))
    assert turns(record)[-2:] == [
        ("Syria Deeply", "question", "And yours?"),
        (speaker, "answer", "I failed one."),
    ]


def test_a_one_off_name_in_roman_type_is_a_lead_in_of_the_answer():
    record = extract(EXAMS.format("<p>Noshin: I failed one.</p>"))
    assert turns(record)[-1] == ("Rana Aziz", "answer", "Noshin: I failed one.")


def test_a_colon_typed_twice_after_a_label_is_no_part_of_the_turn():
    body = """
    <p>Syria Deeply spoke with Lina Haddad, a lawyer.</p>
    <p><strong>Syria Deeply:</strong> : Who decides?</p>
    <p><strong>Lina Haddad:</strong> : Xenophobes, too often.</p>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "Who decides?"),
        ("Lina Haddad", "answer", "Xenophobes, too often."),
    ]


def test_a_quoted_title_with_a_colon_names_no_speaker():
    body = """
    <p>Syria Deeply spoke with Nujeen Mustafa about her book.</p>
    <p><strong>Syria Deeply:</strong> Why did you write it?</p>
    <p><strong>Nujeen Mustafa:</strong> To tell the journey.</p>
    <p>“Nujeen: One Girl’s Journey” is out now.</p>
    <p><strong>Syria Deeply:</strong> What next?</p>
    <p><strong>Nujeen:</strong> School.</p>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "Why did you write it?"),
        ("Nujeen Mustafa", "answer", "To tell the journey.\n\n“Nujeen: One Girl’s Journey” is out now."),
        ("Syria Deeply", "question", "What next?"),
        ("Nujeen Mustafa", "answer", "School."),
    ]


# -- subheads with a colon ------------------------------------------------------------------------

REBELS = """
<p>Syria Deeply spoke with Omar Said, an economist.</p>
<p><strong>Syria Deeply:</strong> Who pays the rebels?</p>
<p><strong>Omar Said:</strong> Donors abroad, mostly.</p>
{}
<p><strong>Syria Deeply:</strong> Is it enough?</p>
<p><strong>Omar Said:</strong> Not against the army.</p>
"""
REBELS_TURNS = [
    ("Syria Deeply", "question", "Who pays the rebels?"),
    ("Omar Said", "answer", "Donors abroad, mostly."),
    ("Syria Deeply", "question", "Is it enough?"),
    ("Omar Said", "answer", "Not against the army."),
]


@pytest.mark.parametrize(
    "subhead",
    [
        "<h3>Rebel Finances: Outspent, Outgunned</h3>",  # a comma after the colon, none before
        "<p><strong>Rebel Finances: Outspent and Outgunned</strong></p>",
        "<h3>Rebel Finances: Outspent and Outgunned by the Army Every Way</h3>",  # eight words
    ],
)
def test_a_subhead_with_a_colon_is_no_turn_and_no_text(subhead):
    record = extract(REBELS.format(subhead))
    assert turns(record) == REBELS_TURNS
    assert record.text == "Syria Deeply spoke with Omar Said, an economist."


def test_nine_words_after_a_bold_name_are_a_turn_not_a_subhead():
    record = extract(REBELS.format("<h3>Omar Said: Outspent and Outgunned by the Army in Every Way</h3>"))
    assert turns(record)[2] == ("Omar Said", "answer", "Outspent and Outgunned by the Army in Every Way")


def test_short_answers_set_wholly_in_bold_under_a_described_name_are_turns():
    body = """
    <p>We asked three experts the same question.</p>
    <p><strong>Syria Deeply:</strong> Will the truce hold?</p>
    <p><strong>Omar Said, economist: I doubt it.</strong></p>
    <p><strong>Lina Haddad, lawyer: I hope so.</strong></p>
    <p><strong>Rana Aziz, doctor: We will see.</strong></p>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "Will the truce hold?"),
        ("Omar Said", "answer", "I doubt it."),
        ("Lina Haddad", "answer", "I hope so."),
        ("Rana Aziz", "answer", "We will see."),
    ]


def test_a_short_turn_wholly_in_bold_is_a_turn_when_its_label_opens_other_turns():
    # Shaped like a subhead with a colon, but the page labels other turns with the same name, or with
    # the surname of the same name: "Atwater" answers, "Tara Lohan" asks (ending without a "?").
    body = """
    <p>The biologist Sarah Atwater studies mercury in the Amazon.</p>
    <h2>Tara Lohan: Tell us about your work.</h2>
    <p><strong>Sarah Atwater: I count the fish.</strong></p>
    <p><strong>Lohan:</strong> Where does the mercury in the river come from?</p>
    <p><strong>Atwater:</strong> From gold mining upstream, mostly, and from the soil.</p>
    <p><strong>Lohan:</strong> Who is most at risk from it?</p>
    <p><strong>Atwater: Children and the fishermen.</strong></p>
    """
    assert turns(extract(body)) == [
        ("Tara Lohan", "question", "Tell us about your work."),
        ("Sarah Atwater", "answer", "I count the fish."),
        ("Tara Lohan", "question", "Where does the mercury in the river come from?"),
        ("Sarah Atwater", "answer", "From gold mining upstream, mostly, and from the soil."),
        ("Tara Lohan", "question", "Who is most at risk from it?"),
        ("Sarah Atwater", "answer", "Children and the fishermen."),
    ]


@pytest.mark.parametrize("first, later", [("Karina Kesserwan Arteau", "Arteau"),
                                          ("Arteau", "Karina Kesserwan Arteau")])
def test_a_first_question_shaped_like_a_subhead_is_asked_by_the_label_of_the_later_ones(first, later):
    # Its label is the later labels' full name, or their surname: the same interviewer.
    body = f"""
    <p>Pavel Sulyandziga is an Udege from the Bikin river valley.</p>
    <h2>{first}: Tell us about your North.</h2>
    <p>Sulyandziga: The Bikin is a river in the north of Primorsky Krai.</p>
    <h2>{later}: What is special about this place?</h2>
    <p>Sulyandziga: The taiga there is a place of pilgrimage for scientists.</p>
    <h2>{later}: Tell us about the people there.</h2>
    <p>Sulyandziga: Three peoples live there still by hunting and fishing.</p>
    """
    assert turns(extract(body))[:2] == [
        ("Karina Kesserwan Arteau", "question", "Tell us about your North."),
        ("Pavel Sulyandziga", "answer", "The Bikin is a river in the north of Primorsky Krai."),
    ]


def test_subheads_sharing_a_label_with_each_other_only_stay_subheads():
    groups = ("ISIS", "Al-Qaida", "The Militias")
    subheads = "".join(f"<h3>Counter-Terrorism: {group}</h3>" for group in groups)
    record = extract(REBELS.format(subheads))
    assert turns(record) == REBELS_TURNS
    assert record.text == "Syria Deeply spoke with Omar Said, an economist."


# -- questions set apart, without a label ---------------------------------------------------------


@pytest.mark.parametrize(
    "subhead", ["<h3>The Future</h3>", "<p><strong>Looking Ahead</strong></p>", "<h3>Part Two</h3>",
                "<h3>Looking to the future</h3>", "<hr/>"],
)  # fmt: skip
def test_a_part_opening_on_its_question_is_answered_by_whom_the_page_presented(subhead):
    # A name-like line over one question among many is a subhead, no reader; and the part it opens,
    # having no introduction of its own, goes on with the interviewee the page presented.
    body = f"""
    <p>Syria Deeply spoke with Omar Said, an engineer, about the wells.</p>
    <p><strong>Q:</strong> What do you build?</p><p><strong>A:</strong> Wells.</p>
    {subhead}
    <p><strong>Q:</strong> Will you stay in the town?</p><p><strong>A:</strong> I will stay.</p>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "What do you build?"), (OMAR, "answer", "Wells."),
        ("Syria Deeply", "question", "Will you stay in the town?"), (OMAR, "answer", "I will stay."),
    ]  # fmt: skip


def test_a_question_ends_in_its_question_mark_before_closing_quotes_and_brackets():
    body = """
    <p>Our reporter spoke with Omar Said, an engineer, about the wells.</p>
    <p><strong>What do you say to those who ask “why dig at all?”</strong></p>
    <p>I say that we drink.</p>
    <p><strong>And to the council (have you met it?)</strong></p>
    <p>We met it twice.</p>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "What do you say to those who ask “why dig at all?”"),
        ("Omar Said", "answer", "I say that we drink."),
        ("Syria Deeply", "question", "And to the council (have you met it?)"),
        ("Omar Said", "answer", "We met it twice."),
    ]


WELLS = "Omar Said is an engineer who digs wells in Idlib."


def asked_and_answered(*pairs: str) -> list[tuple[str, str, str]]:
    """The turns of questions the publication asks without a label and Omar Said answers."""
    result = []
    for question, answer in zip(pairs[::2], pairs[1::2], strict=True):
        result += [("Syria Deeply", "question", question), ("Omar Said", "answer", answer)]
    return result


def test_a_question_set_apart_right_after_a_rule_or_a_subhead_opens_a_turn():
    body = """
    <p><strong>How long have you dug wells here?</strong></p><p>I have dug them for ten years.</p>
    <hr/>
    <p><strong>What do you need most of all?</strong></p><p>We need pumps.</p>
    <h3>Looking to the future</h3>
    <p><strong>Will you stay in the town?</strong></p><p>I will stay.</p>
    """
    record = extract(body, lede=WELLS)
    assert turns(record) == asked_and_answered(
        "How long have you dug wells here?", "I have dug them for ten years.",
        "What do you need most of all?", "We need pumps.",
        "Will you stay in the town?", "I will stay.",
    )  # fmt: skip


def test_questions_of_three_words_count_as_questions():
    body = f"""
    <p>{WELLS}</p>
    <p><strong>Are you safe?</strong></p><p>I am safe for now.</p>
    <p><strong>Where are you?</strong></p><p>I am in the old town.</p>
    <p><strong>What do you need most of all?</strong></p><p>We need pumps.</p>
    """
    assert turns(extract(body)) == asked_and_answered(
        "Are you safe?", "I am safe for now.",
        "Where are you?", "I am in the old town.",
        "What do you need most of all?", "We need pumps.",
    )  # fmt: skip


def test_questions_that_address_no_one_are_addressed_by_the_labelled_answers_under_them():
    body = """
    <p>Omar Said and Lina Haddad dig wells in Idlib.</p>
    <p><strong>How long do the wells last?</strong></p>
    <p><strong>Omar Said:</strong> Ten years at most.</p><p>Then they dry up.</p>
    <p><strong>What does a new well cost?</strong></p>
    <p><strong>Lina Haddad:</strong> A year of a salary.</p><p>Often more.</p>
    <p><strong>Who pays for the pumps?</strong></p>
    <p><strong>Omar Said:</strong> The council, when it can.</p><p>Or nobody.</p>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "How long do the wells last?"),
        ("Omar Said", "answer", "Ten years at most.\n\nThen they dry up."),
        ("Syria Deeply", "question", "What does a new well cost?"),
        ("Lina Haddad", "answer", "A year of a salary.\n\nOften more."),
        ("Syria Deeply", "question", "Who pays for the pumps?"),
        ("Omar Said", "answer", "The council, when it can.\n\nOr nobody."),
    ]


def test_questions_that_say_you_are_addressed_without_a_label_or_a_lede_saying_who_was_asked():
    body = f"""
    <p>{WELLS}</p>
    <p><strong>How long have you dug wells here?</strong></p><p>I have dug them for ten years.</p>
    <p><strong>What do you need most of all?</strong></p><p>We need pumps.</p>
    """
    assert turns(extract(body)) == asked_and_answered(
        "How long have you dug wells here?", "I have dug them for ten years.",
        "What do you need most of all?", "We need pumps.",
    )  # fmt: skip


def test_half_the_questions_addressing_someone_is_enough():
    body = f"""
    <p>{WELLS}</p>
    <p><strong>How long have you dug wells here?</strong></p><p>I have dug them for ten years.</p>
    <p><strong>What does the town need most of all?</strong></p><p>We need pumps.</p>
    """
    assert turns(extract(body)) == asked_and_answered(
        "How long have you dug wells here?", "I have dug them for ten years.",
        "What does the town need most of all?", "We need pumps.",
    )  # fmt: skip


def test_questions_in_headings_are_an_interview_when_they_are_the_pages_headings():
    body = f"""
    <p>{WELLS}</p>
    <h2>How long have you dug wells here?</h2><p>I have dug them for ten years.</p><p>It is hard work.</p>
    <h2>What do you need most of all?</h2><p>We need pumps.</p><p>And fuel for them.</p>
    """
    assert turns(extract(body)) == asked_and_answered(
        "How long have you dug wells here?", "I have dug them for ten years.\n\nIt is hard work.",
        "What do you need most of all?", "We need pumps.\n\nAnd fuel for them.",
    )  # fmt: skip


def test_questions_in_headings_are_an_interview_when_they_are_half_the_pages_headings():
    body = f"""
    <h3>Part one: the wells</h3><p>{WELLS}</p>
    <h2>How long have you dug wells here?</h2><p>I have dug them for ten years.</p>
    <h3>Part two: the pumps</h3><p>Pumps are scarce in the province.</p>
    <h2>What do you need most of all?</h2><p>We need pumps.</p>
    """
    record = extract(body, lede=WELLS)
    assert turns(record) == asked_and_answered(
        "How long have you dug wells here?", "I have dug them for ten years.",
        "What do you need most of all?", "We need pumps.",
    )  # fmt: skip
    assert record.text == f"{WELLS}\n\nPumps are scarce in the province."


def test_a_few_question_headings_among_more_are_an_interview_when_labels_answer_them():
    body = """
    <p>Omar Said and Lina Haddad dig wells in Idlib.</p>
    <h3>The wells</h3>
    <h2>How long do the wells last?</h2><p><strong>Omar Said:</strong> Ten years at most.</p>
    <p>Then they dry up.</p>
    <h3>The cost</h3>
    <h2>What does a new well cost?</h2><p><strong>Lina Haddad:</strong> A year of a salary.</p>
    <p>Often more.</p>
    <h3>The pumps</h3><h3>The council</h3><h3>The future</h3>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "How long do the wells last?"),
        ("Omar Said", "answer", "Ten years at most.\n\nThen they dry up."),
        ("Syria Deeply", "question", "What does a new well cost?"),
        ("Lina Haddad", "answer", "A year of a salary.\n\nOften more."),
    ]


TEACHER = "Omar Said is a teacher who fled Homs in 2013."
ESSAY_SUBHEADS = """
<h2>Ignorance and fear</h2><p>I did not know where we would go.</p>
<h2>Where would you go?</h2><p>I asked myself that every night.</p>
<h2>Unsure</h2><p>My wife wanted to stay.</p>
<h2>What would you do?</h2><p>I packed our bags anyway.</p>
<h2>Home again</h2><p>We came back last year.</p>
"""
ESSAY_QUESTIONS = """
<p><strong>Why did we leave in the end?</strong></p><p>I did not want to.</p>
<p><strong>Where would the family go?</strong></p><p>My wife chose Amman.</p>
<p><strong>What would the children learn?</strong></p><p>I taught them myself.</p>
<p><strong>Would you have stayed?</strong></p><p>I ask my friends that.</p>
"""
ONE_QUESTION_ONE_REQUEST = """
<p><strong>How long have you dug wells here?</strong></p><p>I have dug them for ten years.</p>
<p><strong>Tell us about your work on the pumps.</strong></p><p>We repair them.</p>
"""


@pytest.mark.parametrize(
    "body",
    [
        # An essay in the first person: a few of its subheads ask, most do not.
        ESSAY_SUBHEADS,
        # Its subheads all ask, but only one of four addresses anyone.
        ESSAY_QUESTIONS,
        # A request counts once the page asks twice: here it asks once.
        ONE_QUESTION_ONE_REQUEST,
    ],
    ids=["few-subheads-ask", "subheads-address-no-one", "one-question-one-request"],
)
def test_lines_set_apart_that_ask_are_no_interview_when_they_ask_no_one(body):
    record = extract(body, lede=TEACHER)  # the lede presents who would answer
    assert (record.kind, record.qa) == ("article", [])


def test_a_request_is_a_question_once_the_page_asks_twice():
    body = ONE_QUESTION_ONE_REQUEST + "<p><strong>What do you need most?</strong></p><p>We need pumps.</p>"
    assert turns(extract(body, lede=WELLS)) == asked_and_answered(
        "How long have you dug wells here?", "I have dug them for ten years.",
        "Tell us about your work on the pumps.", "We repair them.",
        "What do you need most?", "We need pumps.",
    )  # fmt: skip


# -- no label asks: of two voices, the one that asks ----------------------------------------------

ADAM, OMAR, RANA = "Adam Green", "Omar Said", "Rana Aziz"  # the asker's name sorts first
NEIGHBOURS = "<p>Two neighbours talk about the camp.</p>"


def said(*pairs: tuple[str, str]) -> str:
    return "\n".join(f"<p><strong>{name}:</strong> {text}</p>" for name, text in pairs)


def sentence(length: int, end: str = ".") -> str:
    """Running words of exactly `length` characters (the lengths of turns decide some rules)."""
    text = ("the road to the camp was long and the night was cold and wet " * 20)[: length - 1]
    if text.endswith(" "):
        text = text[:-1] + "s"
    return text[0].upper() + text[1:] + end


def roles_of(body: str, **page) -> list[tuple[str, str]] | None:
    """The roles of an interview's turns, or None when the page is no interview."""
    record = extract(body, **page)
    return [(t["speaker"], t["role"]) for t in record.qa] if record.kind == "interview" else None


def test_of_two_voices_the_one_whose_turns_ask_asks():
    body = NEIGHBOURS + said(
        (ADAM, "Why did you come?"), (OMAR, sentence(250)),
        (ADAM, "When was it?"), (OMAR, sentence(230)),
        (ADAM, "Will you stay?"), (OMAR, sentence(260)),
    )  # fmt: skip
    record = extract(body)
    assert turns(record) == [
        (ADAM, "question", "Why did you come?"), (OMAR, "answer", sentence(250)),
        (ADAM, "question", "When was it?"), (OMAR, "answer", sentence(230)),
        (ADAM, "question", "Will you stay?"), (OMAR, "answer", sentence(260)),
    ]  # fmt: skip


def test_two_voices_holding_four_fifths_of_the_turns_are_a_conversation_the_others_answering():
    body = NEIGHBOURS + said(
        (ADAM, "Why did you come?"), (OMAR, "The war."), (ADAM, "When was it?"), (OMAR, "In May."),
        (ADAM, "Who came with you?"), (RANA, "I did, his sister."), (ADAM, "Will you stay?"), (OMAR, "Yes."),
        ("Sami Nour", "I will go, his cousin."), (OMAR, "So will I, then."),
    )  # fmt: skip
    assert roles_of(body) == [
        (ADAM, "question"), (OMAR, "answer"), (ADAM, "question"), (OMAR, "answer"),
        (ADAM, "question"), (RANA, "answer"), (ADAM, "question"), (OMAR, "answer"),
        ("Sami Nour", "answer"), (OMAR, "answer"),
    ]  # fmt: skip


def test_an_interviewer_whose_turns_are_half_questions_half_requests_asks():
    body = NEIGHBOURS + said(
        (ADAM, "Tell me about the camp."), (OMAR, "It is crowded."),
        (ADAM, "Why did you come?"), (OMAR, "The war."),
        (ADAM, "Describe the winter there."), (OMAR, "It is cold."),
        (ADAM, "Will you stay?"), (OMAR, "Yes."),
    )  # fmt: skip
    assert roles_of(body) == [(ADAM, "question"), (OMAR, "answer")] * 4


def test_short_questions_and_answers_as_short_are_a_conversation():
    body = NEIGHBOURS + said(
        (ADAM, "Why did you come here?"), (OMAR, "Because of the war."),
        (ADAM, "When did you arrive?"), (OMAR, "In May, by the road."),
        (ADAM, "Will you stay long?"), (OMAR, "I cannot say yet."),
    )  # fmt: skip
    assert roles_of(body) == [(ADAM, "question"), (OMAR, "answer")] * 3


@pytest.mark.parametrize(
    "question, answer, interview",
    [
        (200, 250, True),  # questions of 200 characters on average may be as long as the answers
        (201, 250, False),  # longer, and not much shorter than the answers: two long voices, a diary
        (210, 350, True),  # long questions, answers longer by two thirds: still an interview
        (211, 350, False),
        (300, 1000, True),
    ],
)
def test_two_long_voices_are_a_conversation_only_when_the_asking_one_is_shorter(question, answer, interview):
    body = NEIGHBOURS + said(*[(ADAM, sentence(question, "?")), (OMAR, sentence(answer))] * 3)
    assert roles_of(body) == ([(ADAM, "question"), (OMAR, "answer")] * 3 if interview else None)


@pytest.mark.parametrize(
    "pairs",
    [
        # Three residents take turns, one asking rhetorically: a round-up of voices, not two alternating.
        [(ADAM, "Who will help us?"), (OMAR, "The rain came again."), (RANA, "We have no tents."),
         (ADAM, "Who hears us?"), (OMAR, "The road is closed."), (RANA, "The school is shut."),
         (ADAM, "Where is the aid?"), (OMAR, "It never came."), (RANA, "We wait.")],
        # One voice, in paragraphs of its own: a statement.
        [(OMAR, "We came in May."), (OMAR, "We stayed."), (OMAR, "We left in June.")],
        # One voice asks now and then, no more than the other says things: two diarists.
        [(ADAM, "We came in May."), (OMAR, "We came in June."), (ADAM, "Was it worth it?"),
         (OMAR, "We found a room."), (ADAM, "We found work."), (OMAR, "We found a school."),
         (ADAM, "We stayed."), (OMAR, "So did we.")],
        # Both ask in every turn: letters between two friends, neither interviewing the other.
        [(ADAM, "How is the camp?"), (OMAR, "Cold. And your town?"), (ADAM, "Quiet. Will you come?"),
         (OMAR, "Maybe. Would you host us?"), (ADAM, "Of course. When?"), (OMAR, "Soon. And you?")],
    ],
    ids=["three-voices", "one-voice", "asks-now-and-then", "both-ask"],
)
def test_labelled_voices_of_which_none_is_the_one_asking_are_no_interview(pairs):
    assert roles_of(NEIGHBOURS + said(*pairs)) is None


# -- readers who ask, by name, and the publication that answers them ------------------------------

READERS = "<p>Readers sent us their questions about the camps; we answered them below.</p>"


def test_named_readers_ask_and_the_publication_answers():
    body = READERS + said(
        (RANA, "Who runs the camps?"), ("Syria Deeply", "A council of residents."),
        ("Sami Nour", "Can families visit them?"), ("Syria Deeply", "Yes, on Fridays."),
    )  # fmt: skip
    assert turns(extract(body)) == [
        (RANA, "question", "Who runs the camps?"), ("Syria Deeply", "answer", "A council of residents."),
        ("Sami Nour", "question", "Can families visit them?"), ("Syria Deeply", "answer", "Yes, on Fridays."),
    ]  # fmt: skip


def test_readers_ask_when_three_of_their_five_turns_ask():
    body = READERS + said(
        (RANA, "Who runs the camps?"), ("Syria Deeply", "A council of residents."),
        ("Sami Nour", "Can families visit them?"), ("Syria Deeply", "Yes, on Fridays."),
        ("Lina Haddad", "What do they eat?"), ("Syria Deeply", "Rations, mostly."),
        (OMAR, "I lived in one for a year."), ("Syria Deeply", "Thank you for writing."),
        (RANA, "Thank you for the answers."), ("Syria Deeply", "You are welcome."),
    )  # fmt: skip
    assert roles_of(body) == [
        (RANA, "question"), ("Syria Deeply", "answer"), ("Sami Nour", "question"),
        ("Syria Deeply", "answer"), ("Lina Haddad", "question"), ("Syria Deeply", "answer"),
        (OMAR, "question"), ("Syria Deeply", "answer"), (RANA, "question"), ("Syria Deeply", "answer"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "pairs",
    [
        # Every turn of the interviewer a request; the interviewee asks back once in three answers.
        [("Syria Deeply", "Tell us about the protest."), (OMAR, "We marched to the square."),
         ("Syria Deeply", "Describe the crowd."), (OMAR, "Who would stay home now?"),
         ("Syria Deeply", "Tell us what comes next."), (OMAR, "Another march on Friday.")],
        # One request of the interviewer, answered by two people who end on a question.
        [("Syria Deeply", "Tell us about the protest."), (OMAR, "Why do we march? Nobody listens?"),
         (RANA, "What else can we do?"), (OMAR, "Should we stay home?")],
    ],
    ids=["requests-and-one-question-back", "one-request"],
)
def test_the_publication_asks_in_requests_though_the_answers_ask_back(pairs):
    assert roles_of("<p>Syria Deeply spoke with two marchers.</p>" + said(*pairs)) == [
        (name, "question" if name == "Syria Deeply" else "answer") for name, _ in pairs
    ]


# -- no label asks: the interviewer known by the format of the turns ------------------------------

BIOLOGIST = "Sarah Atwater is a biologist who studies mercury in rivers."


def test_the_voice_whose_every_turn_is_a_heading_asks_the_voices_in_paragraphs():
    body = """
    <p>Tara Lohan spoke with the biologist Sarah Atwater about mercury.</p>
    <h2>Tara Lohan: Where does the mercury in the river come from?</h2>
    <p><strong>Atwater:</strong> From gold mining upstream.</p>
    <h2>Tara Lohan: Who is most at risk from it?</h2>
    <p><strong>Atwater:</strong> Children and the fishermen.</p>
    """
    assert turns(extract(body)) == [
        ("Tara Lohan", "question", "Where does the mercury in the river come from?"),
        ("Sarah Atwater", "answer", "From gold mining upstream."),
        ("Tara Lohan", "question", "Who is most at risk from it?"),
        ("Sarah Atwater", "answer", "Children and the fishermen."),
    ]


def test_a_lone_voice_in_headings_asks_when_a_paragraph_without_a_label_answers_each_turn():
    body = """
    <h2>Tara Lohan: Where does the mercury in the river come from?</h2>
    <p>From gold mining upstream.</p>
    <hr/>
    <h2>Tara Lohan: Who is most at risk from it?</h2>
    <p>Children and the fishermen.</p>
    <h3>Looking to the future</h3>
    <h2>Tara Lohan: Can the river recover?</h2>
    <p>It can, in twenty years.</p>
    """
    assert turns(extract(body, lede=BIOLOGIST)) == [
        ("Tara Lohan", "question", "Where does the mercury in the river come from?"),
        ("Sarah Atwater", "answer", "From gold mining upstream."),
        ("Tara Lohan", "question", "Who is most at risk from it?"),
        ("Sarah Atwater", "answer", "Children and the fishermen."),
        ("Tara Lohan", "question", "Can the river recover?"),
        ("Sarah Atwater", "answer", "It can, in twenty years."),
    ]


# -- what the reader takes from the page around the turns -----------------------------------------


def test_bold_lead_ins_of_list_items_name_no_speaker():
    body = """
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>Syria Deeply:</strong> What do the wells need?</p>
    <p><strong>Omar Said:</strong> Two things:</p>
    <ul><li><strong>Clean Water:</strong> for the people.</li>
    <li><strong>Diesel Fuel:</strong> for the pumps.</li></ul>
    <p><strong>Syria Deeply:</strong> Who pays?</p><p><strong>Omar Said:</strong> Nobody.</p>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "What do the wells need?"),
        (OMAR, "answer", "Two things:\n\nClean Water: for the people.\n\nDiesel Fuel: for the pumps."),
        ("Syria Deeply", "question", "Who pays?"),
        (OMAR, "answer", "Nobody."),
    ]


def test_the_lede_saying_who_was_asked_addresses_questions_that_say_no_you():
    body = """
    <p><strong>How long do the wells last?</strong></p><p>I give them ten years at most.</p>
    <p><strong>What does a new well cost?</strong></p><p>We pay a year of a salary.</p>
    """
    record = extract(body, lede="Syria Deeply spoke with Omar Said, an engineer in Idlib.")
    assert turns(record) == asked_and_answered(
        "How long do the wells last?", "I give them ten years at most.",
        "What does a new well cost?", "We pay a year of a salary.",
    )  # fmt: skip


def test_a_name_in_an_answer_does_not_name_the_speaker_only_the_introduction_does():
    body = """
    <p>Syria Deeply spoke with a farmer in Daraa.</p>
    <p><strong>Syria Deeply:</strong> Who taught you to farm?</p>
    <p><strong>Haddad:</strong> My father, Karim Haddad, on this land.</p>
    <p><strong>Syria Deeply:</strong> Will you stay?</p>
    <p><strong>Haddad:</strong> Yes.</p>
    """
    assert roles_of(body) == [("Syria Deeply", "question"), ("Haddad", "answer")] * 2


LARA = {
    "byline": '<a href="/syria/contributor/lara-setrakian">Lara Setrakian</a>',
    "jsonld_author": '{"@type":"Person","name":"Lara Setrakian"}',
}


def test_the_bylines_initials_ask_when_no_label_names_the_publication():
    body = """
    <p>Lara Setrakian spoke with Omar Said, an engineer.</p>
    <p><strong>LS:</strong> What do the wells need?</p><p><strong>Omar Said:</strong> Pumps.</p>
    <p><strong>LS:</strong> Who pays?</p><p><strong>Omar Said:</strong> Nobody.</p>
    """
    assert roles_of(body, **LARA) == [("Lara Setrakian", "question"), (OMAR, "answer")] * 2


def test_initials_of_an_interviewer_the_page_names_nowhere_ask_for_the_publication():
    body = """
    <p>Our reporter spoke with Omar Said, an engineer.</p>
    <p><strong>KT:</strong> What do the wells need?</p><p><strong>Omar Said:</strong> Pumps.</p>
    <p><strong>KT:</strong> Who pays for them?</p><p><strong>Omar Said:</strong> Nobody.</p>
    <p><strong>KT:</strong> Will that change?</p><p><strong>Omar Said:</strong> Not soon.</p>
    """
    assert roles_of(body) == [("Syria Deeply", "question"), (OMAR, "answer")] * 3


def test_a_one_off_bold_name_under_a_question_and_a_picture_answers_it():
    picture = "<p>&lt;div source=’picture’ id=’7288′ flow=’alignright’&nbsp;/&gt;</p>"
    line = picture + "<p><strong>Noshin:</strong> I failed one.</p>"
    assert turns(extract(EXAMS.format(line)))[-1] == ("Noshin", "answer", "I failed one.")


def test_the_title_names_who_answers_when_nothing_else_does():
    body = """
    <p><strong>How long have you dug wells here?</strong></p><p>I have dug them for ten years.</p>
    <p><strong>What do you need most of all?</strong></p><p>We need pumps.</p>
    """
    title, lede = "Omar Said: Why the Wells Run Dry", "Omar Said has dug wells in Idlib for years."
    record = extract(body, title=title, lede=lede)
    assert turns(record) == asked_and_answered(
        "How long have you dug wells here?", "I have dug them for ten years.",
        "What do you need most of all?", "We need pumps.",
    )  # fmt: skip


# -- questions that ask on without a label --------------------------------------------------------

PICTURE = "<p>&lt;div source=’picture’ id=’7288′ flow=’alignright’&nbsp;/&gt;</p>"


def test_bold_questions_between_an_interviewers_labelled_ones_are_that_interviewers():
    body = f"""
    <p>The biologist Sarah Atwater studies mercury in the Amazon.</p>
    <h2>Tara Lohan: Where does the mercury in the river come from?</h2>
    <p><strong>Atwater:</strong> From gold mining upstream.</p>
    <p><strong>And the children?</strong></p><p>They eat the fish.</p>
    {PICTURE}
    <p><strong>Can the fishermen stop fishing?</strong></p><p>They cannot.</p>
    {PICTURE}
    <h3>Looking to the future</h3>
    <p><strong>Will the river ever recover?</strong></p><p>In twenty years.</p>
    <h2>Tara Lohan: Who is most at risk from it?</h2>
    <p><strong>Atwater:</strong> Children and the fishermen.</p>
    """
    assert turns(extract(body)) == [
        ("Tara Lohan", "question", "Where does the mercury in the river come from?"),
        ("Sarah Atwater", "answer", "From gold mining upstream."),
        ("Tara Lohan", "question", "And the children?"),
        ("Sarah Atwater", "answer", "They eat the fish."),
        ("Tara Lohan", "question", "Can the fishermen stop fishing?"),
        ("Sarah Atwater", "answer", "They cannot."),
        ("Tara Lohan", "question", "Will the river ever recover?"),
        ("Sarah Atwater", "answer", "In twenty years."),
        ("Tara Lohan", "question", "Who is most at risk from it?"),
        ("Sarah Atwater", "answer", "Children and the fishermen."),
    ]


def test_a_related_story_set_apart_between_turns_is_no_question_though_it_asks():
    body = """
    <p>Tara Lohan spoke with the biologist Sarah Atwater about mercury.</p>
    <h2>Tara Lohan: Where does the mercury in the river come from?</h2>
    <p><strong>Atwater:</strong> From gold mining upstream.</p>
    <p><strong>What do you tell the miners?</strong></p><p>I tell them to stop.</p>
    <p><strong>Related: Can the Amazon recover from the gold rush?</strong></p>
    <p>A story from our archive.</p>
    <h2>Tara Lohan: Who is most at risk from it?</h2>
    <p><strong>Atwater:</strong> Children and the fishermen.</p>
    <p><strong>What would you do about it?</strong></p><p>I would ban mercury.</p>
    """
    record = extract(body)
    assert turns(record) == [
        ("Tara Lohan", "question", "Where does the mercury in the river come from?"),
        ("Sarah Atwater", "answer", "From gold mining upstream."),
        ("Tara Lohan", "question", "What do you tell the miners?"),
        ("Sarah Atwater", "answer", "I tell them to stop."),
        ("Tara Lohan", "question", "Who is most at risk from it?"),
        ("Sarah Atwater", "answer", "Children and the fishermen."),
        ("Tara Lohan", "question", "What would you do about it?"),
        ("Sarah Atwater", "answer", "I would ban mercury."),
    ]
    assert "Related" not in record.text and "archive" not in record.text


# -- headlines naming their speaker ---------------------------------------------------------------


def test_a_headline_naming_its_speaker_over_that_speakers_turn_is_no_turn():
    body = """
    <p>Syria Deeply spoke with Elsie Sunderland about mercury.</p>
    <p><strong>Syria Deeply:</strong> Where does the mercury come from?</p>
    <h3>Elsie Sunderland: Methylmercury comes from gold mining in the rivers of the Amazon</h3>
    <p><strong>Sunderland:</strong> Most of it does.</p>
    <p><strong>Syria Deeply:</strong> Who eats it?</p>
    <h3>Elsie Sunderland: The fish carry it to the people who live on the river banks</h3>
    <p><strong>Sunderland:</strong> Everyone who eats fish.</p>
    """
    record = extract(body)
    assert turns(record) == [
        ("Syria Deeply", "question", "Where does the mercury come from?"),
        ("Elsie Sunderland", "answer", "Most of it does."),
        ("Syria Deeply", "question", "Who eats it?"),
        ("Elsie Sunderland", "answer", "Everyone who eats fish."),
    ]
    assert record.text == "Syria Deeply spoke with Elsie Sunderland about mercury."


WILL_NOT_LEAVE = "We will not leave Homs, whatever happens to the rest of us"


@pytest.mark.parametrize(
    "first, words",
    [
        # Set apart, but a sentence with its full stop: the person's turn.
        (f"<p><strong>Omar Said: {WILL_NOT_LEAVE}.</strong></p>", f"{WILL_NOT_LEAVE}."),
        # No full stop, but in roman type after the label: the person's turn too.
        (f"<p><strong>Omar Said:</strong> {WILL_NOT_LEAVE}</p>", WILL_NOT_LEAVE),
    ],
)
def test_a_turn_over_another_turn_of_the_same_person_is_no_headline(first, words):
    body = f"""
    <p>Syria Deeply spoke with Omar Said, a teacher.</p>
    <p><strong>Syria Deeply:</strong> Will you stay?</p>
    {first}
    <p><strong>Said:</strong> Our families are here.</p>
    """
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "Will you stay?"),
        (OMAR, "answer", words),
        (OMAR, "answer", "Our families are here."),
    ]


def test_a_long_bold_line_naming_someone_over_roman_paragraphs_is_that_persons_turn():
    body = """
    <p>Syria Deeply spoke with Omar Said, an economist.</p>
    <p><strong>Syria Deeply:</strong> Who pays the rebels?</p>
    <h3>Omar Said: Outspent and Outgunned by the Army in Every Way</h3>
    <p>Donors abroad pay them, and not enough.</p>
    """
    answer = "Outspent and Outgunned by the Army in Every Way\n\nDonors abroad pay them, and not enough."
    assert turns(extract(body)) == [
        ("Syria Deeply", "question", "Who pays the rebels?"),
        (OMAR, "answer", answer),
    ]


# -- unlabelled answers: in the first person, or an explainer's prose -----------------------------


def test_questions_over_prose_in_the_third_person_are_an_explainer_not_an_interview():
    body = """
    <p>Omar Said is an analyst who follows the truce.</p>
    <p><strong>What do you need to know about the truce?</strong></p>
    <p>The truce began in May. It covers the north.</p>
    <p><strong>Why should you care about it?</strong></p><p>It keeps the roads open for aid.</p>
    <p><strong>What can you do to help?</strong></p><p>We list the charities below.</p>
    """
    record = extract(body)
    assert (record.kind, record.qa) == ("article", [])


def test_half_the_unlabelled_answers_in_the_first_person_are_an_interview():
    body = f"""
    <p>{WELLS}</p>
    <p><strong>How long have you dug wells here?</strong></p><p>I have dug them for ten years.</p>
    <p><strong>What does the town need now?</strong></p><p>The town needs pumps.</p>
    """
    assert turns(extract(body)) == asked_and_answered(
        "How long have you dug wells here?", "I have dug them for ten years.",
        "What does the town need now?", "The town needs pumps.",
    )  # fmt: skip


def test_a_stands_for_the_one_person_whose_answers_a_label_names():
    body = """
    <p>Omar Said has dug wells in Idlib for ten years.</p>
    <p><strong>Q:</strong> How long do the wells last?</p><p><strong>A:</strong> Ten years.</p>
    <p><strong>Q:</strong> Who pays?</p><p><strong>Omar Said:</strong> Nobody.</p>
    <p><strong>Q:</strong> Will it change?</p><p><strong>A:</strong> Not soon.</p>
    """
    assert turns(extract(body)) == asked_and_answered(
        "How long do the wells last?", "Ten years.", "Who pays?", "Nobody.", "Will it change?", "Not soon."
    )


def test_a_stands_for_the_one_person_a_label_names_even_where_readers_ask():
    # Readers named under their questions make an unnamed answer the publication's; an "A:" is not
    # unnamed when the labels name exactly one person who answers.
    body = """
    <p>Omar Said, a hydrologist, answers our readers' questions about the wells.</p>
    <p><strong>Q:</strong> How long do the wells last?</p><p>(Rana Aziz, Amman)</p>
    <p><strong>Omar Said:</strong> Ten years.</p>
    <p><strong>Q:</strong> Who pays for them?</p><p>(Lina Haddad, Beirut)</p>
    <p><strong>A:</strong> Nobody does.</p>
    <p><strong>Q:</strong> Will that change?</p><p>(Sami Nour, Homs)</p>
    <p><strong>A:</strong> Not soon.</p>
    """
    assert turns(extract(body)) == [
        ("Rana Aziz", "question", "How long do the wells last?"), (OMAR, "answer", "Ten years."),
        ("Lina Haddad", "question", "Who pays for them?"), (OMAR, "answer", "Nobody does."),
        ("Sami Nour", "question", "Will that change?"), (OMAR, "answer", "Not soon."),
    ]  # fmt: skip


def test_an_answer_may_end_in_a_list_of_bold_items():
    body = """
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>Syria Deeply:</strong> What do the wells need?</p><p><strong>Omar Said:</strong> Pumps.</p>
    <p><strong>Syria Deeply:</strong> How can readers help?</p><p><strong>Omar Said:</strong> Here:</p>
    <ul><li><strong>Give to the well fund</strong></li>
    <li><strong>Tell your friends about us</strong></li></ul>
    """
    answer = "Here:\n\nGive to the well fund\n\nTell your friends about us"
    assert turns(extract(body))[-1] == (OMAR, "answer", answer)


def test_a_related_story_set_apart_between_labelled_questions_is_no_follow_up_question():
    body = """
    <p>The biologist Sarah Atwater studies mercury in the Amazon.</p>
    <h2>Tara Lohan: Where does the mercury in the river come from?</h2>
    <p><strong>Atwater:</strong> From gold mining upstream.</p>
    <p><strong>Related: Can the Amazon recover from the gold rush?</strong></p>
    <p>A story from our archive.</p>
    <h2>Tara Lohan: Who is most at risk from it?</h2>
    <p><strong>Atwater:</strong> Children and the fishermen.</p>
    """
    record = extract(body)
    assert turns(record) == [
        ("Tara Lohan", "question", "Where does the mercury in the river come from?"),
        ("Sarah Atwater", "answer", "From gold mining upstream."),
        ("Tara Lohan", "question", "Who is most at risk from it?"),
        ("Sarah Atwater", "answer", "Children and the fishermen."),
    ]
    assert "Related" not in record.text and "archive" not in record.text



def test_a_middle_initial_a_is_no_article_in_the_name_of_who_answers():
    body = """
    <p><strong>How long have you dug wells here?</strong></p><p>I have dug them for ten years.</p>
    <p><strong>What do you need most of all?</strong></p><p>We need pumps.</p>
    """
    record = extract(body, lede="Omar A. Said, an engineer in Idlib, told Syria Deeply about the wells.")
    assert [(t["speaker"], t["role"]) for t in record.qa] == [
        ("Syria Deeply", "question"), ("Omar A. Said", "answer"),
    ] * 2  # fmt: skip


def test_an_organisation_whose_function_word_comes_last_is_no_one_who_answers():
    """"Human Rights Watch says …" before the one who spoke: an organisation's name, whichever of
    its words is the one that says so ("Watch", "Council", "Institute"), presents no person."""
    body = """
    <p><strong>How long have you dug wells here?</strong></p><p>I have dug them for ten years.</p>
    <p><strong>What do you need most of all?</strong></p><p>We need pumps.</p>
    """
    lede = ("Human Rights Watch says the wells are failing. Omar Said, an engineer in Idlib, told Syria "
            "Deeply why.")
    record = extract(body, lede=lede)
    assert [(t["speaker"], t["role"]) for t in record.qa] == [
        ("Syria Deeply", "question"), ("Omar Said", "answer"),
    ] * 2  # fmt: skip
