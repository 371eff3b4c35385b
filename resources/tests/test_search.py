"""Library search finds what people type, on SQLite and PostgreSQL alike: Swedish and
Norwegian word forms find their stem, and a one-letter typo finds the text with a "did you
mean" link to the corrected search. Run both ways: without DATABASE_URL (SQLite) and with."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from brukarkraft.roles import Role
from brukarkraft.tests.factories import UserFactory
from resources import searchtext, services
from resources.models import Kind, SearchWord
from resources.tests.factories import ResourceFactory, published_resource

pytestmark = pytest.mark.django_db

LIBRARY = reverse("resources:library")
SWEDISH = "Egenkontroll i brukarrevision"
NORWEGIAN = "Brukerrevisjon i kommunen"


@pytest.fixture
def library(db):
    # Anna writes and Rolf approves: one Swedish and one Norwegian text, and one about
    # something else, so a search that matches everything would show.
    author = UserFactory(full_name="Anna Skribent", roles=[Role.STAFF])
    reviewer = UserFactory(full_name="Rolf Granskare", roles=[Role.STAFF])
    published_resource(
        author=author,
        reviewer=reviewer,
        title=SWEDISH,
        summary="Hur revisionen följer upp verksamhetens egenkontroll.",
        body="Brukarrevisorerna intervjuar brukare i fokusgrupper. Brukarrådet får rapporten.",
    )
    published_resource(
        author=author,
        reviewer=reviewer,
        language="nb",
        title=NORWEGIAN,
        summary="Slik planlegger dere en revisjon sammen med brukerrådet.",
        body="Samlingene ledes av to brukerrevisorer.",
    )
    published_resource(
        author=author,
        reviewer=reviewer,
        title="Arvoden och ersättning",
        summary="Om ersättning för resor.",
        body="Blanketten skickas till kansliet.",
        kind=Kind.TEMPLATE,
    )
    return author, reviewer


def titles_in(response) -> list[str]:
    pattern = r'class="h5 library-result__title"[^>]*><a href="[^"]+">([^<]+)</a>'
    return re.findall(pattern, response.content.decode())


def correction_link(response) -> str | None:
    """The search the "did you mean" note links to, or None without the note."""
    note = re.search(
        r'class="library-correction".*?<a href="([^"]+)">', response.content.decode(), re.S
    )
    if not note:
        return None
    return parse_qs(urlsplit(unescape(note.group(1))).query)["q"][0]


# Real inflections: the definite, plural and definite plural forms people type, against
# texts that use another form of the word. The stem finds them; PostgreSQL's Swedish
# stemmer is older than Snowball's and keeps "brukarrådet" whole, so there "brukarråden"
# is found through the typo correction instead.
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("revisionen", [SWEDISH]),
        ("revisioner", [SWEDISH]),
        ("revisionerna", [SWEDISH]),
        ("egenkontrollen", [SWEDISH]),
        ("egenkontroller", [SWEDISH]),
        ("fokusgrupperna", [SWEDISH]),
        ("brukarråden", [SWEDISH]),
        ("Egenkontrollen revisionerna", [SWEDISH]),
        ("revisjonen", [NORWEGIAN]),
        ("revisjoner", [NORWEGIAN]),
        ("revisjonene", [NORWEGIAN]),
        ("kommuner", [NORWEGIAN]),
        ("brukerrådene", [NORWEGIAN]),
        ("samlinger", [NORWEGIAN]),
    ],
)
def test_an_inflected_form_finds_the_text_in_its_language(client, library, typed, expected):
    response = client.get(LIBRARY, {"q": typed})

    assert titles_in(response) == expected


def test_a_word_form_found_by_its_stem_needs_no_correction(client, library):
    response = client.get(LIBRARY, {"q": "revisionerna egenkontrollen"})

    assert titles_in(response) == [SWEDISH]
    assert correction_link(response) is None


# One letter wrong, missing, extra, or two letters swapped.
@pytest.mark.parametrize(
    ("typed", "corrected", "expected"),
    [
        ("egenkontorll", "egenkontroll", [SWEDISH]),
        ("egenkntroll", "egenkontroll", [SWEDISH]),
        ("egenkonttroll", "egenkontroll", [SWEDISH]),
        ("egenkomtroll", "egenkontroll", [SWEDISH]),
        ("Egenkontorll", "egenkontroll", [SWEDISH]),
        ("revisoinen", "revisionen", [SWEDISH]),
        ("brukerrevisjom", "brukerrevisjon", [NORWEGIAN]),
        ("kommnuen", "kommunen", [NORWEGIAN]),
        ("revisionen egenkontorll", "revisionen egenkontroll", [SWEDISH]),
    ],
)
def test_a_typo_finds_the_text_and_offers_the_corrected_search(
    client, library, typed, corrected, expected
):
    response = client.get(LIBRARY, {"q": typed})

    assert titles_in(response) == expected
    assert correction_link(response) == corrected
    page = response.content.decode()
    assert gettext("The texts below match the corrected words.") in page
    assert gettext("No text matches your search.") not in page


def test_the_corrected_search_keeps_the_filters(client, library):
    response = client.get(LIBRARY, {"q": "egenkontorll", "language": "sv", "page": "1"})

    link = re.search(
        r'class="library-correction".*?<a href="([^"]+)">', response.content.decode(), re.S
    )
    query = parse_qs(urlsplit(unescape(link.group(1))).query)
    assert query == {"q": ["egenkontroll"], "language": ["sv"]}
    assert titles_in(client.get(unescape(link.group(1)))) == [SWEDISH]


def test_nothing_near_gives_the_advice_and_no_correction(client, library):
    response = client.get(LIBRARY, {"q": "zyxxyz"})

    assert titles_in(response) == []
    assert correction_link(response) is None
    assert gettext("No text matches your search.") in response.content.decode()


def test_a_correction_the_filters_exclude_is_not_offered(client, library):
    response = client.get(LIBRARY, {"q": "egenkontorll", "kind": Kind.TEMPLATE})

    assert titles_in(response) == []
    assert correction_link(response) is None


def test_a_short_word_is_not_corrected_into_another_word(client, library):
    # "får" is in a text; "fär" is one letter away but three letters are too few to guess.
    assert services.search_correction("fär") is None


def test_words_of_unpublished_texts_are_never_offered(client, library):
    author, _reviewer = library
    ResourceFactory(author=author, title="Hemligt utkast", body="Kvastfeningar och annat.")

    response = client.get(LIBRARY, {"q": "kvastfeningarr"})

    assert titles_in(response) == []
    assert correction_link(response) is None
    assert not SearchWord.objects.filter(word="kvastfeningar").exists()


def test_a_new_version_adds_its_words(client, library):
    author, reviewer = library
    resource = published_resource(author=author, reviewer=reviewer, title="Checklista")
    services.resource_update(resource=resource, by=author, data={"body": "Tillgänglighet."})
    services.resource_submit(resource=resource, by=author)
    services.resource_review(resource=resource, by=reviewer, decision="approved")

    response = client.get(LIBRARY, {"q": "tillgängligheet"})

    assert titles_in(response) == ["Checklista"]
    assert correction_link(response) == "tillgänglighet"


@pytest.mark.parametrize("count", [1, 30])
def test_a_corrected_search_answers_in_a_fixed_number_of_queries(
    client, library, django_assert_max_num_queries, count
):
    author, reviewer = library
    for number in range(count):
        published_resource(
            author=author, reviewer=reviewer, title=f"Manual {number}", body="egenkontroll"
        )

    # Nothing matches (count), the words near the typo, the corrected count and page.
    with django_assert_max_num_queries(4):
        response = client.get(LIBRARY, {"q": "egenkontorll"})

    assert len(titles_in(response)) == min(count + 1, 20)


def test_the_stems_are_in_the_texts_language():
    assert searchtext.stemmed_text("sv", "Revisionerna", "revisionen") == " revision "
    assert searchtext.stemmed_text("nb", "Revisjonene") == " revisjon "
    assert searchtext.stemmed_text("sv") == ""


def test_typos_allowed_grow_with_the_words_length():
    assert [searchtext.typos_allowed(word) for word in ("får", "möte", "egenkontroll")] == [
        0,
        1,
        2,
    ]
    assert searchtext.closest("mötte", ["möte", "mötet"]) == "möte"
    assert searchtext.closest("xyz", ["xyzz"]) is None
