"""Interview forms of the sister sites, one made-up page each, and look-alikes that are no interview.

The sample site covers the forms inside whole generated pages (``tests/test_extract_sample.py``);
these pin down each rule alone, on the site's template.
"""

from __future__ import annotations

from tests.support.pages import extract, speakers

WG_URL = "http://127.0.0.1:8765/womenandgirls/articles/2016/05/15/a-test-article.html"


def test_the_hub_under_its_several_names_asks_as_the_site_names_itself():
    body = """
    <p>Women and Girls Hub spoke with Lina Haddad about schools.</p>
    <h2>Women and Girls Hub: What changed?</h2><p>Lina Haddad: We opened two schools.</p>
    <h2>Women &amp; Girls Hub: And then?</h2><p>Haddad: We opened a third.</p>
    <p><strong>Women &amp; Girls:</strong> What next?</p><p><strong>Haddad:</strong> A fourth.</p>
    """
    record = extract(body, WG_URL)
    assert speakers(record) == [("Women and Girls", "question"), ("Lina Haddad", "answer")] * 3


def test_bold_questions_without_labels_and_a_caption_inside_an_answer():
    body = """
    <p>Our reporter spoke with Omar Said, an engineer, about the wells.</p>
    <p><strong>How long have you worked on the wells?</strong></p>
    <p>I have worked on them for ten years.</p>
    <div class="wp-caption aligncenter"><img class="wp-image-5" alt=""><p class="wp-caption-text">A well
    near an invented town. (AFP/Example Photo)</p></div>
    <p>We dig deeper every year.</p>
    <p><strong>What do you need most?</strong></p>
    <p>We need pumps, and we need them soon.</p>
    """
    record = extract(body)
    assert speakers(record) == [("Syria Deeply", "question"), ("Omar Said", "answer")] * 2
    assert record.qa[1]["text"] == "I have worked on them for ten years.\n\nWe dig deeper every year."
    assert "AFP" not in record.text + "".join(t["text"] for t in record.qa)


def test_two_parts_under_a_rule_and_headings_each_with_its_interviewee():
    body = """
    <h3>Part One</h3><p>Syria Deeply spoke with Rana Aziz, a teacher.</p>
    <p><strong>Syria Deeply:</strong> What do you teach?</p><p><strong>Rana Aziz:</strong> I teach maths.</p>
    <p><strong>SD:</strong> Where?</p><p><strong>Rana:</strong> In a tent school.</p>
    <hr />
    <h3>Part Two</h3><p>Syria Deeply spoke with Sami Nour, a driver.</p>
    <p><strong>Syria Deeply:</strong> What do you drive?</p><p><strong>Sami Nour:</strong> A bus.</p>
    <h3>Recommended Reads</h3><ul><li>A story about buses</li><li>A story about tents</li></ul>
    """
    record = extract(body)
    assert speakers(record) == [
        ("Syria Deeply", "question"), ("Rana Aziz", "answer"),
        ("Syria Deeply", "question"), ("Rana Aziz", "answer"),
        ("Syria Deeply", "question"), ("Sami Nour", "answer"),
    ]  # fmt: skip
    assert record.qa[-1]["text"] == "A bus."
    assert record.text.split("\n\n") == [
        "Syria Deeply spoke with Rana Aziz, a teacher.",
        "Syria Deeply spoke with Sami Nour, a driver.",
    ]


def test_readers_ask_and_the_publication_answers():
    body = """
    <p>Readers sent questions about the new camps; we answered them below.</p>
    <h2>Q: Who runs the camps?</h2><p><em>(Rana Aziz, Amman)</em></p><p>A: A council of residents.</p>
    <p><strong>Sami Nour</strong></p><p>Student in Berlin</p>
    <h2>Q: Can families visit them?</h2><p>A: Yes, on Fridays.</p>
    """
    record = extract(body)
    assert speakers(record) == [
        ("Rana Aziz", "question"), ("Syria Deeply", "answer"),
        ("Sami Nour", "question"), ("Syria Deeply", "answer"),
    ]  # fmt: skip
    assert "Amman" not in record.text and "Student in Berlin" not in record.text


def test_a_label_spaced_off_its_colon_and_a_panel_answering_in_turn():
    body = """
    <p>We asked three experts the same question.</p>
    <p><strong>Syria Deeply :</strong> Will the truce hold?</p>
    <p><strong>Omar Said, economist:</strong> I doubt it.</p>
    <p><strong>Lina Haddad, lawyer:</strong> I hope so.</p>
    <p><strong>Rana Aziz, doctor:</strong> We will see.</p>
    """
    record = extract(body)
    assert speakers(record) == [
        ("Syria Deeply", "question"),
        ("Omar Said", "answer"),
        ("Lina Haddad", "answer"),
        ("Rana Aziz", "answer"),
    ]


def test_look_alikes_are_no_interviews():
    explainer = """
    <p>The group made news this week.</p>
    <h2>What is the group?</h2><p>It is a small network of activists. They meet online.</p>
    <h2>What do they want?</h2><p>They want the rescues to stop. They say so often.</p>
    <h2>What happens next?</h2><p>Nobody knows yet. The ships sail on.</p>
    """
    diary = """
    <p>Two young people kept diaries of their first year away.</p>
    <p><strong>Omar Said:</strong> The first winter was long, and we had no heating in the flat at all, so we
    slept in coats and waited for the spring to come back to the city and to us, and every night the wind
    came through the cracks in the window frame that the landlord never fixed. Was it worth it?</p>
    <p><strong>Lina Haddad:</strong> I found work in a bakery. The owner was kind, and the bread was good, and
    every morning I walked there through the old town before sunrise, counting the bridges and the
    lit windows of the other early risers, and by the summer I knew the names of the regulars.</p>
    <p><strong>Omar Said:</strong> Then I started classes at the college near the river, three evenings a
    week, after work, with people from many countries who had all come a long way, and the teacher made us
    speak from the first day, badly at first and then a little better each week. Would it last?</p>
    <p><strong>Lina Haddad:</strong> My sister arrived in May, and we rented a bigger room together on the
    top floor of a house with a garden, where we grew tomatoes and mint on the window sills, and on
    Sundays we cooked for the neighbours, who brought cakes and stayed to talk until late at night.</p>
    <p><strong>Omar Said:</strong> Now I have friends here, and the city feels less strange to me than it
    did, though I still miss the sound of my own language in the street and the smell of the market on a
    Friday morning, and some nights I dream in a mix of both languages. What comes next for us?</p>
    <p><strong>Lina Haddad:</strong> I think we will stay, at least for a few more years, and see what the
    city makes of us and what we make of it, now that we have a room, work, friends and a garden of sorts,
    and a sister who laughs at my accent every single day without fail.</p>
    """
    profiles = """
    <p>Five people to watch this year.</p>
    <p><strong>Omar Said:</strong> an engineer who builds wells.</p>
    <p><strong>Lina Haddad:</strong> a lawyer who defends tenants.</p>
    <p><strong>Rana Aziz:</strong> a doctor who runs a clinic.</p>
    """
    for body in (explainer, diary, profiles):
        record = extract(body)
        assert record.kind == "article" and record.qa == [], body[:60]


# --- the forms of extractor 1.2.0 ------------------------------------------------------------


def test_a_question_that_goes_on_in_a_second_bold_paragraph():
    body = """
    <p>Readers sent their questions to Omar Said, an engineer.</p>
    <p><strong>Rana Aziz</strong></p><p>Teacher in Amman</p>
    <p><strong>Q: Will the wells last the summer?</strong></p>
    <p><strong>Also, what about the pumps? The farmers have heard many rumours.</strong></p>
    <p><strong>Said:</strong> The wells will last. The pumps arrive in May.</p>
    <p><strong>Sami Nour</strong></p><p>Student in Berlin</p>
    <p><strong>Q: Who pays for the pumps?</strong></p>
    <p><strong>Said:</strong> The council pays, with help from donors.</p>
    """
    record = extract(body)
    assert speakers(record) == [
        ("Rana Aziz", "question"), ("Omar Said", "answer"),
        ("Sami Nour", "question"), ("Omar Said", "answer"),
    ]  # fmt: skip
    assert record.qa[0]["text"] == (
        "Will the wells last the summer?\n\n"
        "Also, what about the pumps? The farmers have heard many rumours."
    )


def test_a_bold_name_line_after_a_question_is_not_more_of_the_question():
    body = """
    <p>We asked two experts one question.</p>
    <p><strong>Question:</strong> Where would he go?</p>
    <p><strong>Omar Said, a former ambassador and the author of a history of the region:</strong></p>
    <p>He will stay. He will not flee.</p>
    <p><strong>Lina Haddad, a scholar:</strong> He will go abroad.</p>
    """
    record = extract(body)
    assert record.qa == [] or record.qa[0]["text"] == "Where would he go?"


def test_questions_and_answers_in_numbered_list_items():
    body = """
    <ol>
    <li><p><strong>What is the state of the wells?</strong></p><p>Poor.</p></li>
    <li><p><strong>Why?</strong></p><p>We have had no rain.</p><p>And I think the pumps are old.</p></li>
    <li><p><strong>What can be done about it now?</strong></p><p>We can dig deeper, and we will.</p></li>
    </ol>
    """
    record = extract(body, lede="Omar Said (@omar_said) is an engineer who builds wells in the north.")
    assert speakers(record) == [("Syria Deeply", "question"), ("Omar Said", "answer")] * 3
    assert record.qa[2]["text"] == "Why?"
    assert record.qa[3]["text"] == "We have had no rain.\n\nAnd I think the pumps are old."
    # Out of a list, a one-word line that asks ("Solutions?") is a subhead: it stays in the answer.
    unlisted = """
    <p>Syria Deeply spoke with Omar Said, an engineer.</p>
    <p><strong>What is the state of the wells?</strong></p><p>Poor, I think.</p>
    <p><strong>Solutions?</strong></p><p>We can dig deeper.</p>
    <p><strong>What can be done about it now?</strong></p><p>We will dig, and I will lead it.</p>
    """
    answers = [t["text"] for t in extract(unlisted).qa if t["role"] == "answer"]
    assert answers[0] == "Poor, I think.\n\nSolutions?\n\nWe can dig deeper."
    # A bullet list of bold lead-ins, one paragraph an item, is still no interview.
    bullets = """
    <p>What the report found.</p>
    <ul><li><strong>Wells:</strong> most are dry?</li><li><strong>Pumps:</strong> most are old?</li>
    <li><strong>Farms:</strong> most are idle?</li></ul>
    """
    assert extract(bullets).qa == []


def test_an_outro_that_ends_in_a_colon_over_an_embed():
    body = """
    <p>Syria Deeply spoke with Lina Haddad, who leads a theatre troupe.</p>
    <p><strong>Syria Deeply:</strong> Where do you perform?</p>
    <p><strong>Lina Haddad:</strong> In camps and in squares.</p>
    <p><strong>SD:</strong> Who tells the stories?</p>
    <p><strong>Haddad:</strong> The refugees tell their own.</p>
    <p>I only help them rehearse.</p>
    <div class="wp-caption aligncenter"><img src="/a.jpg" alt=""><p class="wp-caption-text">A rehearsal.
    (Example Troupe)</p></div>
    <p>As the troupe travels on, we will publish its recordings every week.</p>
    <p>The first recording is called “The Bus”:</p>
    <p class="fin"><iframe src="http://127.0.0.1:9/video"></iframe></p>
    """
    record = extract(body)
    assert speakers(record) == [("Syria Deeply", "question"), ("Lina Haddad", "answer")] * 2
    assert record.qa[-1]["text"] == "The refugees tell their own.\n\nI only help them rehearse."
    outro = "we will publish its recordings every week.\n\nThe first recording is called “The Bus”:"
    assert record.text.endswith(outro)


def test_an_unlabelled_follow_up_question_between_labelled_ones_and_a_pull_quote():
    body = """
    <p>Omar Said talked to Syria Deeply about the border.</p>
    <p><b>Syria Deeply: What is new at the border?</b></p>
    <p>Omar Said: Nothing is new. I have seen it all before.</p>
    <p><b>And did the new order change anything at all?</b></p>
    <p>It made things worse, I think.</p>
    <div class="left-side-quote-block "><p>“It made things worse.”</p></div>
    <p><b>Syria Deeply: What comes next?</b></p>
    <p>Said: More of the same.</p>
    """
    record = extract(body)
    assert speakers(record) == [("Syria Deeply", "question"), ("Omar Said", "answer")] * 3
    assert record.qa[3]["text"] == "It made things worse, I think."
    assert "“It made things worse.”" not in record.text


def test_a_one_off_label_that_misspells_a_surname():
    body = """
    <p>Syria Deeply spoke with two engineers.</p>
    <h2>Syria Deeply: Why do we need sediment?</h2>
    <p>Rana Holmes: It holds the shore.</p><p>Sami Nour: It feeds the marshes.</p>
    <h2>Syria Deeply: Is it scarce?</h2>
    <p>Homes: Very. The dams hold it back.</p><p>Nour: And the levees.</p>
    <h2>Syria Deeply: What now?</h2>
    <p>Holmes: We move it by barge.</p>
    """
    record = extract(body)
    assert [t["speaker"] for t in record.qa] == [
        "Syria Deeply", "Rana Holmes", "Sami Nour", "Syria Deeply", "Rana Holmes", "Sami Nour",
        "Syria Deeply", "Rana Holmes",
    ]  # fmt: skip


def test_an_answer_before_any_question_under_a_headline_naming_its_speaker():
    body = """
    <p>Lina Haddad studies mercury in the far north.</p>
    <p><strong>Haddad: Mercury in the north comes increasingly from gold mining</strong></p>
    <p>Lina Haddad: Most of it travels by air. It falls with the snow.</p>
    <p><strong>Syria Deeply: Who is exposed to it?</strong></p>
    <p>Lina Haddad: People who eat a lot of fish.</p>
    <p><strong>Syria Deeply: What can be done?</strong></p>
    <p>Lina Haddad: Cleaner power plants.</p>
    """
    record = extract(body)
    assert speakers(record) == [
        ("Lina Haddad", "answer"), ("Syria Deeply", "question"), ("Lina Haddad", "answer"),
        ("Syria Deeply", "question"), ("Lina Haddad", "answer"),
    ]  # fmt: skip
    assert record.qa[0]["text"] == "Most of it travels by air. It falls with the snow."
    assert "gold mining" not in record.text + "".join(t["text"] for t in record.qa)


def test_an_outlet_label_with_a_number_and_its_short_form():
    body = """
    <p>Sami Nour spoke with the Example Review about relocation.</p>
    <h2>Example Review 360: Why relocate?</h2>
    <p>Sami Nour: Because the shore is going. We have no choice.</p>
    <h2>er360: Who decides that the village must move?</h2>
    <p>Nour: The village does, together.</p>
    <h2>er360: And the money for it?</h2>
    <p>Nour: There is none yet.</p>
    """
    record = extract(body)
    assert speakers(record) == [("Example Review 360", "question"), ("Sami Nour", "answer")] * 3
    # A year or a count is no speaker's label.
    news = """
    <p>The year in review.</p>
    <p><strong>2016:</strong> The wells ran dry.</p><p><strong>2017:</strong> The pumps came.</p>
    <p><strong>2018:</strong> The farms came back.</p>
    """
    assert extract(news).qa == []
    # Nor a date that opens a sentence before an interview ("On June 22, …: The city …").
    dated = """
    <p>On June 22, something happened in Example Town: The city bought its water system.</p>
    <p>Syria Deeply spoke with Omar Said.</p>
    <p><strong>Syria Deeply:</strong> Why buy it?</p><p><strong>Omar Said:</strong> To own it.</p>
    """
    assert speakers(extract(dated)) == [("Syria Deeply", "question"), ("Omar Said", "answer")]


def test_a_story_whose_subheads_are_mostly_statements_is_no_interview_though_two_ask():
    # A report with subheads, two of which ask: a paragraph that opens on a place and runs into a
    # quote ("In Athens, where …:") is no speaker's label, and the asking subheads are the story's.
    body = """
    <p>ATHENS – Karim was afraid to tell anyone when he first arrived on the island, he told us.</p>
    <h2>Fear and silence</h2>
    <p>On the island, Karim said nothing and claimed asylum as an activist.</p>
    <p>Claimants must raise the subject themselves in the interviews the process requires.</p>
    <p>In Athens, where he lives now, he is trying to find his way: “I talk to a counsellor every week
    and it helps me understand.”</p>
    <h2>Unsure</h2>
    <p>Many of the new arrivals are unsure of the rules, the agencies say.</p>
    <h2>Where to stay?</h2>
    <p>While the applications wait, many of the new arrivals stay in shelters run by charities.</p>
    <h2>How big is the problem?</h2>
    <p>It is impossible to count how many people are affected, the agencies say.</p>
    <h2>Solutions?</h2>
    <p>The agencies ask for training of the officials who hear the claims.</p>
    """
    record = extract(body)
    assert record.kind != "interview" and not record.qa
    assert "In Athens, where he lives now" in record.text
