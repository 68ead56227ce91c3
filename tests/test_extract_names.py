"""Speaker names at the edges of each rule: the initials a name may be shortened to, a surname label
matched inside a long mention (the person's name, not the description leading it), a misspelt
surname, an outlet's short name with its number, and the publications under their several names."""

from __future__ import annotations

import pytest

from extract.names import (
    Cast,
    _abbreviates,
    _initials_variants,
    is_name_like,
    is_publication,
    mentioned_names,
    publication_named,
    strip_titles,
)


@pytest.mark.parametrize(
    "name, variants",
    [
        # Two words: either order ("NI" for Isabel Nassief).
        ("Isabel Nassief", {"IN", "NI"}),
        # A particle may be left out, a hyphenated surname gives one letter or two.
        ("Hamish de Bretton-Gordon", {"BGH", "BH", "GH", "HB", "HBG", "HDB", "HDBG", "HDG", "HG"}),
        ("Dr. Hamish de Bretton-Gordon", {"BGH", "BH", "GH", "HB", "HBG", "HDB", "HDBG", "HDG", "HG"}),
        # "al-" and "el-" may be left out or give their letter.
        ("Aymenn Jawad al-Tamimi", {"AA", "AAT", "AJ", "AJA", "AJAT", "AJT", "AT", "ATA", "TA"}),
        ("Mohamed el-Baradei", {"BM", "EBM", "EM", "MB", "ME", "MEB"}),
        ("Mohamed Mustafa el-Baradei", {"BM", "EBM", "EM", "MB", "ME", "MEB", "MM", "MMB", "MME", "MMEB"}),
        # A middle initial counts; a number and a word opening on a quote mark give no letter.
        ("Fouad M. Fouad", {"FF", "FMF"}),
        ("Yale Environment 360", {"EY", "YE"}),
        ("Hussein “Abu Omar” Ali", {"AH", "HA", "HOA"}),
        ("Ahmad 'Abu Omar' Hussein", {"AAOH", "AH", "AOH", "HA"}),  # straight quotes are stripped
        ("Xavier Bertrand", {"BX", "XB"}),
    ],
)
def test_the_initials_a_name_may_be_shortened_to(name, variants):
    assert _initials_variants(name) == variants


def test_initials_labels_resolve_to_the_full_label_they_shorten():
    cast = Cast("Syria Deeply", ["Isabel Nassief", "Hamish de Bretton-Gordon", "NI", "HDG"], [])
    assert cast.resolve("NI") == ("Isabel Nassief", True)
    assert cast.resolve("HDG") == ("Hamish de Bretton-Gordon", True)
    assert cast.resolve("H.D.G.") == ("Hamish de Bretton-Gordon", True)
    assert cast.resolve("Mr.") == ("Mr.", False)  # a title alone names nobody
    assert cast.resolve("SD") == ("Syria Deeply", True)


INTRO = [
    "We spoke with Syrian Coalition Member Hadi al-Bahra about the talks.",
    "Lebanese Surgeon Fouad M. Fouad treated them.",
    "Chemical Weapons Specialist Hamish de Bretton-Gordon said so.",
    "Nusra Front Leader Abu Mohammed al-Jolani spoke.",
    "Veteran Swedish Diplomat Staffan de Mistura came too.",
    "We met Ana de la Cruz there.",
    "A letter from Rania J. Abu Salloum came.",
    "We met Umm Ahmad bin Laden there.",
]


@pytest.mark.parametrize(
    "label, name",
    [
        ("Bahra", "Hadi al-Bahra"),  # the surname and the given name before it, not the words leading
        ("al-Bahra", "Hadi al-Bahra"),
        ("Fouad", "Fouad M. Fouad"),  # a middle initial between them
        ("Bretton-Gordon", "Hamish de Bretton-Gordon"),  # a particle before the surname
        ("de Mistura", "Staffan de Mistura"),  # a surname label of two words
        ("Cruz", "Ana de la Cruz"),  # two particles, the given name first in the mention
        ("Salloum", "Rania J. Abu Salloum"),  # an initial after the given name
        ("Jolani", "Abu Mohammed al-Jolani"),  # "Abu" before the given name
        ("bin Laden", "Umm Ahmad bin Laden"),  # ... first in the mention
    ],
)
def test_a_surname_label_takes_the_persons_name_out_of_a_long_mention(label, name):
    assert Cast("Syria Deeply", [], INTRO).resolve(label) == (name, True)


@pytest.mark.parametrize("prefix", ["Abu", "Abou", "Um", "Umm"])
def test_a_kunya_before_the_given_name_belongs_to_the_name(prefix):
    cast = Cast("Syria Deeply", [], [f"Camp Council Member {prefix} Khaled al-Ahmad spoke."])
    assert cast.resolve("Ahmad") == (f"{prefix} Khaled al-Ahmad", True)


def test_a_one_word_label_a_letter_off_a_surname_and_what_is_not_one():
    cast = Cast("Arctic Deeply", ["Robert Alan Holmes"], [])
    assert cast.resolve("Homes") == ("Robert Alan Holmes", True)
    assert cast.resolve("Hamid") == ("Hamid", False)  # the same first letter is not enough
    assert cast.resolve("HOLMS") == ("HOLMS", False)  # capitals are initials, not a misspelling


def test_an_outlets_short_name_stands_for_its_initials_then_its_number():
    assert _abbreviates("e360", "Yale Environment 360")
    assert _abbreviates("YE360", "Yale Environment 360")
    assert _abbreviates("e360", "Environment 360")
    assert not _abbreviates("ye360", "Yale Environment Review")
    assert not _abbreviates("yx360", "Yale Environment 360")  # a letter standing for no word
    assert not _abbreviates("e360", "360")
    cast = Cast("Water Deeply", ["Yale Environment 360"], [])
    assert cast.resolve("E360") == ("Yale Environment 360", True)


def test_publications_under_their_several_names():
    assert publication_named("Women’s Advancement Deeply") == "Women's Advancement Deeply"
    assert publication_named("News Deeply’s Syria Deeply") == "Syria Deeply"
    assert publication_named("Deeply   Talks  Hub") == "Deeply Talks Hub"  # unknown: its words as written


def test_the_bylines_names_however_hyphenated():
    cast = Cast("Syria Deeply", [], [], authors=["Oudai Al Homsi"])
    assert cast.is_author("Oudai al-Homsi")
    assert not cast.is_author("Oudai")
    assert not cast.is_author("Someone Else")


@pytest.mark.parametrize(
    "labels, context, label, resolved",
    [
        # The family name written once, at the end, belongs to each given name before it.
        (["Marc and Debra Tice"], [], "Marc and Debra Tice", ("Marc Tice and Debra Tice", True)),
        ([], [], "Marc and Debra Tice", ("Marc Tice and Debra Tice", True)),
        ([], [], "Marc and Debra Jane Tice", ("Marc Tice and Debra Jane Tice", True)),
        ([], ["We met Marc Tice at the camp."], "Marc and Debra and Austin Tice",
         ("Marc Tice and Debra Tice and Austin Tice", True)),
        # Two full names are each whole already: no surname added to either.
        (["Mohammed Abdul Rahman and Fatima Zahra Abdul Rahman"], [],
         "Mohammed Abdul Rahman and Fatima Zahra Abdul Rahman",
         ("Mohammed Abdul Rahman and Fatima Zahra Abdul Rahman", True)),
        # Surnames of two people named in full earlier.
        (["Mark Saleh and Ziad Brennan"], [], "Saleh and Brennan", ("Mark Saleh and Ziad Brennan", True)),
        ([], [], "Saleh and Brennan", ("Saleh and Brennan", False)),
        ([], [], "Marc and Debra", ("Marc and Debra", False)),
        # One person: a full name stands as written, a surname alone is not recognised.
        ([], [], "Paul Salem", ("Paul Salem", True)),
        ([], [], "Salem", ("Salem", False)),
        (["Robert Alan Holmes"], [], "Holmes", ("Robert Alan Holmes", True)),
        (["Robert Alan Ford"], [], "Ford", ("Robert Alan Ford", True)),  # too short to be a misspelling
    ],
)
def test_labels_naming_one_person_or_several(labels, context, label, resolved):
    assert Cast("Syria Deeply", labels, context).resolve(label) == resolved


def test_a_later_full_label_misspelling_an_earlier_one_is_that_person():
    labels = ["Paul Salem", "Vittus Qujaukitsoq", "Vittus Quajaukitsoq", "Anna Qujaukitsoq",
              "Vittus K. Qujaukitsoq", "Vittus K. Quajaukitsoq", "Rob Holmes", "Rob Holms", "Rob Holm"]
    cast = Cast("Arctic Deeply", labels, [])
    assert cast.resolve("Vittus Quajaukitsoq") == ("Vittus Qujaukitsoq", True)
    assert cast.resolve("Vittus K. Quajaukitsoq") == ("Vittus K. Qujaukitsoq", True)
    assert cast.resolve("Rob Holms") == ("Rob Holmes", True)  # a surname of five letters, one off
    assert cast.resolve("Rob Holm") == ("Rob Holm", True)  # four: too short to tell a typo
    assert cast.resolve("Anna Qujaukitsoq") == ("Anna Qujaukitsoq", True)  # another given name, another one
    # Only an earlier spelling wins: the misspelling first, the right one later stays apart.
    first = Cast("Arctic Deeply", ["Vittus Quajaukitsoq", "Vittus Qujaukitsoq"], [])
    assert first.resolve("Vittus Quajaukitsoq") == ("Vittus Quajaukitsoq", True)


@pytest.mark.parametrize(
    "label",
    ["Ahmad “Abu Omar” Hussein", "Xavier Bertrand", "Xi Jinping", "Hamish de Bretton-Gordon",
     "dr. Paul Salem", "Aymenn al-Tamimi", "محمد العبدالله", "Yale Environment 360"],
)
def test_name_like_labels(label):
    assert is_name_like(label)


@pytest.mark.parametrize("label", ["Syria 2016", "Paul Salem ”", "In Athens", "“In Athens", "de la", "and",
                                   "&", "Photo Credit", "Editor’s Note"])
def test_labels_that_name_nobody(label):
    assert not is_name_like(label)


def test_a_name_has_seven_words_and_fifty_characters_at_most():
    assert is_name_like("Ali Bin Omar and Ola Bint Ali")
    assert not is_name_like("Ali Bin Omar and Ola Bint Ali Umar")
    assert is_name_like("Hamish de Bretton-Gordon and Konstantinos Papadaki")  # 50
    assert not is_name_like("Hamish de Bretton-Gordon and Konstantinos Papadakis")  # 51


@pytest.mark.parametrize(
    "text, names",
    [
        ("U.S. Ambassador Robert Ford spoke.", ["Robert Ford"]),  # the docstring's own
        ("UN Envoy Staffan de Mistura spoke.", ["Staffan de Mistura"]),  # capitals, then a title
        ("We met Dr. Paul Salem there.", ["Paul Salem"]),
        ("Lt.Col. Fares Baioush spoke.", ["Fares Baioush"]),  # a dotted word leads no name
        ("an interview with Karim Hassan Abu, who leads", ["Karim Hassan"]),  # a particle ends none
        # Four words besides particles at most: a long run loses its leading words.
        ("Syrian Observatory Director Rami Abdulrahman said.", ["Observatory Director Rami Abdulrahman"]),
        ("Marc and Debra Tice came.", ["Marc Tice", "Debra Tice"]),
        ("Marc & Debra Tice came.", ["Marc Tice", "Debra Tice"]),
        ("Marc and Debra Jane Tice came.", ["Marc Tice", "Debra Jane Tice"]),  # the family name, last
        # The family name is the next run's, not another person's later in the sentence.
        ("Marc and Debra Tice met Paul Salem.", ["Marc Tice", "Debra Tice", "Paul Salem"]),
        # A title or a dotted word before the next run is no given name's: Sara is not Sara Jones.
        ("Sara and Editor Jones spoke.", []),
        ("Ambassador Robert Ford spoke.", ["Robert Ford"]),  # one title, then the name
        ("Lt.Col Fares Baioush spoke.", ["Fares Baioush"]),  # a dot inside the leading word
        ("Novelist J K Rowling wrote.", ["J K Rowling"]),  # initials without dots lead the name
    ],
)
def test_the_full_names_running_text_mentions(text, names):
    assert mentioned_names([text]) == names


def test_an_answer_word_is_no_speaker_recognised():
    cast = Cast("Syria Deeply", ["Paul Salem"], [])
    assert cast.resolve("A") == ("A", False)
    assert cast.resolve("Answer") == ("Answer", False)


def test_any_deeply_or_hub_is_a_publication_and_a_known_sites_name_alone():
    assert is_publication("Gulf Deeply") and is_publication("Migrants Hub")
    assert is_publication("Women and Girls Hubs") and is_publication("Women & Girls")
    assert not is_publication("Chatty and Wahby")


def test_the_byline_matches_without_dots_al_el_or_honorifics():
    cast = Cast("Syria Deeply", [], [], authors=["Peter J Morrow", "Oudai Homsi", "Mohamed Baradei"])
    assert cast.is_author("Peter J. Morrow")
    assert cast.is_author("Oudai al-Homsi") and cast.is_author("Dr. Oudai Homsi")
    assert cast.is_author("Mohamed el-Baradei")


def test_names_in_quotes_and_names_starting_with_x_are_mentioned():
    assert mentioned_names(["‘Paul Salem’ was the name he gave."]) == ["Paul Salem"]
    assert mentioned_names(["Xavier Bertrand spoke."]) == ["Xavier Bertrand"]


@pytest.mark.parametrize(
    "context, title, authors, label, resolved",
    [
        # A label of two words names someone already: kept, not lengthened from a mention.
        (["We met Paul Salem Hamdan."], "", [], "Paul Salem", ("Paul Salem", True)),
        # A given name finds its surname in the introduction, a surname in the title too.
        ([], "Marc Tice on his son", [], "Marc", ("Marc", False)),
        ([], "Marc Tice on his son", [], "Tice", ("Marc Tice", True)),
        (["We met Marc Antoine Tice."], "", [], "Marc", ("Marc Antoine Tice", True)),
        (["We met Marc Antoine Jean Tice."], "", [], "Marc", ("Marc", False)),  # too far to be his
        # Initials: of any mention, not only the first; of the byline last.
        (["We met Paul Salem and later Hamish de Bretton-Gordon."], "", [], "HDG",
         ("Hamish de Bretton-Gordon", True)),
        ([], "", ["Lara Setrakian"], "LS", ("Lara Setrakian", True)),
        # The publication's initials however spaced or dotted.
        ([], "", [], "S.D.", ("Syria Deeply", True)),
        ([], "", [], "S D", ("Syria Deeply", True)),
    ],
)
def test_labels_resolved_against_the_introduction_title_and_byline(context, title, authors, label, resolved):
    assert Cast("Syria Deeply", [], context, title, authors).resolve(label) == resolved


def test_the_publication_a_page_spells_asks_under_the_name_it_gives_itself():
    cast = Cast("Syria Deeply", ["Women & Girls Hub", "Paul Salem", "Women & Girls Hub"], [])
    assert cast.own_name() == "Women and Girls"
    assert cast.resolve("Q") == ("Women and Girls", True)
    assert cast.resolve("WGH") == ("Women and Girls", True)
    plain = Cast("Syria Deeply", [], [], authors=["Syria Deeply", "Lara Setrakian"])
    assert plain.resolve("ND") == ("News Deeply", True)
    assert plain.resolve("SYRIA DEEPLY") == ("Syria Deeply", True)
    assert plain.resolve("NEWS DEEPLY") == ("News Deeply", True)  # the network, in capitals
    assert not plain.is_author("Syria Deeply") and plain.is_author("Lara Setrakian")  # a site is no author


@pytest.mark.parametrize(
    ("words", "name"),
    [
        ("Atlantic Council’s Faysal Itani", "Faysal Itani"),  # an institution's possessive
        ("Council’s Faysal Abu Itani", "Faysal Abu Itani"),  # the possessive first, three words after
        ("Council's Itani", "Itani"),
        ("Rana Aziz’s", "Rana Aziz’s"),  # a possessive last is the name itself
        ("The Group’s Deputy Director Rana Aziz", "Rana Aziz"),  # the possessive, then titles
        ("Executive Editor Karen Leigh", "Karen Leigh"),
        ("Lieutenant Colonel Fares Baioush", "Fares Baioush"),
        ("Dr. Rana Aziz", "Rana Aziz"),
        ("Dr Rana Aziz", "Rana Aziz"),
        ("Dr. Aziz", "Aziz"),  # a title before one word
        ("Aleppo-based Rana Aziz", "Rana Aziz"),
        ("Dr.", "Dr."),  # a title alone stays: something must remain
        ("Rana Aziz", "Rana Aziz"),
    ],
)
def test_strip_titles_leaves_the_name_after_ranks_titles_and_possessives(words, name):
    assert strip_titles(words.split()) == name.split()


def test_a_name_mentioned_twice_is_listed_once_in_its_first_spelling():
    texts = ["We met Staffan de Mistura in Geneva.", "Staffan De Mistura left.", "Paul Salem came."]
    assert mentioned_names(texts) == ["Staffan de Mistura", "Paul Salem"]


def test_a_description_in_parentheses_is_no_part_of_the_name():
    cast = Cast("Syria Deeply", ["Paul Salem (Middle East Institute)", "Ahmad (Abu Omar) Hussein"], [])
    assert cast.resolve("Paul Salem (Middle East Institute)") == ("Paul Salem", True)
    assert cast.resolve("Salem") == ("Paul Salem", True)
    assert cast.resolve("Ahmad (Abu Omar) Hussein") == ("Ahmad Hussein", True)
    assert is_name_like("Paul Salem (director of the institute)")


def test_a_mention_that_is_the_label_with_al_before_it_gives_no_fuller_name():
    cast = Cast("Syria Deeply", [], ["We spoke to Al Tamimi about it."])
    assert cast.resolve("Tamimi") == ("Tamimi", False)
    longer = Cast("Syria Deeply", [], ["We spoke to Aymenn Al Tamimi about it."])
    assert longer.resolve("Tamimi") == ("Aymenn Al Tamimi", True)


def test_a_hub_of_any_name_is_a_publication_and_asks_under_its_initials():
    assert is_publication("Refugee Hubs") and is_publication("Youth Voices and Migration Hub")
    cast = Cast("Refugees Deeply", ["Migrants & Refugees Hub", "Paul Salem"], [])
    assert cast.own_name() == "Migrants & Refugees Hub"
    assert cast.resolve("MRH") == ("Migrants & Refugees Hub", True)
    # The words of a hub's name before its "and" are no person.
    hub = Cast("Refugees Deeply", ["Youth Voices and Migration Hub", "Paul Salem"], [])
    assert hub.resolve("YV") == ("YV", False)
    assert hub.resolve("Voices") == ("Voices", False)


def test_a_one_word_label_that_could_open_a_sentence_is_a_surname_and_a_number_word_no_names():
    assert is_name_like("Most")  # "Most:", for a speaker called Most; "Most Syrians" is a sentence
    assert not is_name_like("Most Syrians")
    assert not is_name_like("Syria Covid19 150")  # a word holding a number, even before an outlet's
