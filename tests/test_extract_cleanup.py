"""Leftovers out of a record's text, at the edges of each rule: markup escaped twice, a CDATA marker or
a Markdown bracket alone on its side of a line break, picture placeholders without an alignment,
and what counts as chrome only for the generic extractor."""

from __future__ import annotations

import pytest

from extract.cleanup import clean_text, find_embeds, has_words, is_chrome


@pytest.mark.parametrize(
    "text, clean",
    [
        ("Q&amp;A with the mayor", "Q&A with the mayor"),  # "&" escaped twice shows as "&amp;"
        ("&lt;p&gt;Words&lt;/p&gt;", "Words"),  # a tag escaped twice is still a tag
        ("before <![CDATA[ inside ]]> after", "before inside after"),
        ("var shown = 1; //]]>", "var shown = 1;"),  # the CDATA end alone, its start in another block
        ("Journal: [", "Journal:"),  # the halves of a Markdown link a line break split
        ("Allies Reach Out][6]", "Allies Reach Out"),
        ("[/caption] The minister spoke.", "The minister spoke."),
    ],
)
def test_leftovers_at_the_edges_of_a_block(text, clean):
    assert clean_text(text) == clean


def test_embeds_without_an_alignment_have_an_empty_one():
    assert find_embeds("<div source=’picture’ id=’7288′ />") == [{"id": "7288", "align": ""}]
    assert find_embeds('<img class="size-medium wp-image-5288" />') == [{"id": "5288", "align": ""}]


def test_embeds_come_in_the_order_they_stand_whatever_their_form():
    text = ('<img class="alignleft wp-image-11" /> text <div source=’picture’ id=’22′ flow=’alignright’ /> '
            'more <img class="wp-image-33 aligncenter" />')
    assert find_embeds(text) == [{"id": "11", "align": "alignleft"}, {"id": "22", "align": "alignright"},
                                 {"id": "33", "align": "aligncenter"}]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u00a0\u2009", "<p>", "<b>hi</b>", "[/caption]", "[caption id=x]Words[/caption]", "&nbsp;",
     "&amp;", "a\u200b", "\u200b", "\u200b \ufeff", "words", "<!–more–>"],
)
def test_has_words_is_whether_clean_text_leaves_anything(text):
    assert has_words(text) is bool(clean_text(text))


def test_a_closing_salutation_is_chrome_only_for_the_generic_extractor():
    assert is_chrome("Sincerely,") is False  # an op-ed may well end so
    assert is_chrome("Sincerely,", generic_source=True) is True
    assert is_chrome("Team Deeply", generic_source=True) is True
    assert is_chrome("Most Popular") is True
    assert is_chrome("The views expressed in this article belong to the author.") is True
    assert is_chrome("Sincerely, the editors wrote back.", generic_source=True) is False
