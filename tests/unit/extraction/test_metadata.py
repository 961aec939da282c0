"""extract_metadata: each layer on its own, the precedence between layers, odd pages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import newsdesk
from newsdesk.extraction.metadata import PageMetadata, extract_metadata, normalise_language, split_caption

KI_SAMPLE = (
    Path(newsdesk.__file__).parent
    / "local/sample_site/kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/index.html"
)


def page(head: str = "", body: str = "", *, lang: str | None = None) -> lxml.html.HtmlElement:
    lang_attr = f' lang="{lang}"' if lang is not None else ""
    return lxml.html.document_fromstring(
        f"<!DOCTYPE html><html{lang_attr}><head>{head}</head><body>{body}<p>Text.</p></body></html>"
    )


def ld(obj: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def meta(**pairs: str) -> str:
    tags = []
    for key, value in pairs.items():
        name = key.replace("__", ":")
        attr = "property" if name.startswith(("og:", "article:")) else "name"
        tags.append(f'<meta {attr}="{name}" content="{value}">')
    return "".join(tags)


# --- title -----------------------------------------------------------------------------------


def test_title_precedence_jsonld_then_og_then_twitter_then_title() -> None:
    layers = {
        "ld": ld({"@type": "NewsArticle", "headline": "From JSON-LD"}),
        "og": meta(og__title="From OpenGraph"),
        "tw": meta(twitter__title="From Twitter"),
        "title": "<title>From the title element</title>",
    }
    expected = ["From JSON-LD", "From OpenGraph", "From Twitter", "From the title element"]
    names = list(layers)
    for index, want in enumerate(expected):
        head = "".join(layers[name] for name in names[index:])
        assert extract_metadata(page(head)).title == want


def test_space_separated_properties_and_vocabulary_spellings() -> None:
    head = (
        '<meta property="dc:title og:title" content="Shared title">'
        '<meta name="DC.creator" content="Dee Core">'
        '<meta name="parsely-pub-date" content="2016-02-03T04:05:06Z">'
    )
    result = extract_metadata(page(head))
    assert (result.title, result.authors) == ("Shared title", ["Dee Core"])
    assert result.published_at == datetime(2016, 2, 3, 4, 5, 6, tzinfo=UTC)


def test_parsely_title_when_no_og_or_twitter_title() -> None:
    head = '<title>Page | Site</title><meta name="parsely-title" content="Parsely headline">'
    assert extract_metadata(page(head)).title == "Parsely headline"


def test_title_element_loses_site_suffix_named_by_og_site_name() -> None:
    tree = page(
        "<title>Floods hit the coast | The Daily Example</title>"
        '<meta property="og:site_name" content="The Daily Example">'
    )
    assert extract_metadata(tree).title == "Floods hit the coast"


def test_title_element_gives_way_to_the_h1_it_decorates() -> None:
    tree = page(
        "<title>Floods hit the coast again - Example News Network</title>",
        "<h1>Floods hit the coast again</h1>",
    )
    assert extract_metadata(tree).title == "Floods hit the coast again"


def test_og_title_site_suffix_is_stripped_when_it_names_the_publisher() -> None:
    head = meta(og__title="Budget vote delayed — Example Times") + ld(
        {"@type": "WebSite", "name": "Example Times", "url": "https://example.com/"}
    )
    assert extract_metadata(page(head)).title == "Budget vote delayed"


def test_markup_and_double_escaped_entities_in_a_title_are_cleaned() -> None:
    head = ld({"@type": "NewsArticle", "headline": "<em>Dune</em> review &#8211; a triumph&nbsp;again"})
    assert extract_metadata(page(head)).title == "Dune review – a triumph again"


def test_truncated_headline_gives_way_to_the_whole_one() -> None:
    head = ld({"@type": "NewsArticle", "headline": "Council chief heads to Turkey to…"}) + meta(
        og__title="Council chief heads to Turkey to unblock exchanges"
    )
    assert extract_metadata(page(head)).title == "Council chief heads to Turkey to unblock exchanges"


def test_jsonld_name_wins_over_a_tagline_headline_when_the_page_shows_the_name() -> None:
    head = ld({"@type": "Article", "name": "New Zealand", "headline": "constitutional monarchy in Oceania"})
    assert extract_metadata(page(head, "<h1>New Zealand</h1>")).title == "New Zealand"


# --- authors ---------------------------------------------------------------------------------


def test_jsonld_authors_list_of_people_cleaned_and_deduplicated() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "author": [
                {"@type": "Person", "name": "By Jane Doe"},
                {"@type": "Person", "name": "John Roe, Staff Writer"},
                {"@type": "Person", "name": "jane doe"},
            ],
        }
    )
    assert extract_metadata(page(head)).authors == ["Jane Doe", "John Roe"]


def test_jsonld_author_given_and_family_name() -> None:
    head = ld(
        {"@type": "Article", "author": {"@type": "Person", "givenName": "Olena", "familyName": "Koval"}}
    )
    assert extract_metadata(page(head)).authors == ["Olena Koval"]


def test_graph_with_id_references_resolves_the_author_and_publisher() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://ex.com/#website", "name": "Example Site"},
            {
                "@type": "Article",
                "@id": "https://ex.com/a/#article",
                "headline": "Graph headline",
                "author": {"@id": "https://ex.com/#/person/1"},
                "publisher": {"@id": "https://ex.com/#org"},
                "datePublished": "2024-03-01T10:00:00+01:00",
            },
            {"@type": "Person", "@id": "https://ex.com/#/person/1", "name": "Maria Graph"},
            {"@type": "Organization", "@id": "https://ex.com/#org", "name": "Example Org"},
        ],
    }
    result = extract_metadata(page(ld(graph)))
    assert result.title == "Graph headline"
    assert result.authors == ["Maria Graph"]
    assert result.site_name == "Example Org"
    assert result.published_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def test_top_level_array_of_objects_finds_the_article() -> None:
    blocks = [
        {"@type": "BreadcrumbList", "itemListElement": []},
        {"@type": "ReportageNews", "headline": "Array headline", "author": "Ann Array"},
    ]
    result = extract_metadata(page(ld(blocks)))
    assert (result.title, result.authors) == ("Array headline", ["Ann Array"])


def test_article_matching_the_canonical_url_beats_related_articles() -> None:
    head = (
        '<link rel="canonical" href="https://ex.com/main-story/">'
        + ld(
            {
                "@type": "NewsArticle",
                "headline": "Related story",
                "url": "https://ex.com/other/",
                "author": "A B",
            }
        )
        + ld({"@type": "NewsArticle", "headline": "Main story", "url": "https://ex.com/main-story"})
    )
    assert extract_metadata(page(head)).title == "Main story"


def test_meta_author_when_jsonld_has_none() -> None:
    head = ld({"@type": "NewsArticle", "headline": "H"}) + meta(author="Sam Meta and Pat Meta")
    assert extract_metadata(page(head)).authors == ["Sam Meta", "Pat Meta"]


def test_article_author_url_is_not_a_name_rel_author_link_is_used() -> None:
    head = meta(article__author="https://ex.com/author/sam/")
    body = '<article><a rel="author" href="/author/sam/">Sam Linked</a></article>'
    assert extract_metadata(page(head, body)).authors == ["Sam Linked"]


def test_microdata_author_name() -> None:
    body = (
        '<article itemscope itemtype="https://schema.org/NewsArticle">'
        '<span itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<span itemprop="name">Mia Micro</span></span></article>'
    )
    assert extract_metadata(page("", body)).authors == ["Mia Micro"]


def test_rel_author_co_authors_kept_related_story_authors_dropped() -> None:
    body = (
        '<article><p class="byline"><a rel="author" href="/a">Ann Lee</a> and '
        '<a rel="author" href="/b">Bob Ray</a></p><p>Story.</p></article>'
        '<aside><ul><li><div><a rel="author" href="/c">Cy Other</a></div></li></ul></aside>'
    )
    assert extract_metadata(page("", body)).authors == ["Ann Lee", "Bob Ray"]


def test_microdata_authors_of_comments_are_ignored() -> None:
    body = (
        '<section class="comments"><div itemscope itemtype="https://schema.org/Comment">'
        '<span itemprop="author">Carl Commenter</span></div></section>'
        '<article><span itemprop="author">Ada Author</span></article>'
    )
    assert extract_metadata(page("", body)).authors == ["Ada Author"]


def test_byline_element_first_one_only_and_no_date() -> None:
    body = (
        '<div class="byline">By Nathan Willis<br>\n   March 25, 2015</div>'
        '<aside><div class="byline">By Someone Else</div></aside>'
    )
    assert extract_metadata(page("", body)).authors == ["Nathan Willis"]


def test_byline_in_comments_is_ignored() -> None:
    body = '<section class="comments"><span class="author-name">Random Commenter</span></section>'
    assert extract_metadata(page("", body)).authors == []


def test_person_in_a_lower_layer_beats_an_organisation_in_jsonld() -> None:
    head = ld({"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Example Wire"}}) + meta(
        author="Lena Person"
    )
    assert extract_metadata(page(head)).authors == ["Lena Person"]


def test_organisation_only_byline_is_kept_verbatim() -> None:
    head = ld(
        {
            "@type": "Article",
            "author": {"@type": "Organization", "name": "Contributors to Wikimedia projects"},
        }
    )
    assert extract_metadata(page(head)).authors == ["Contributors to Wikimedia projects"]


def test_author_equal_to_the_site_name_counts_as_organisation() -> None:
    head = meta(og__site_name="BBC News", author="BBC News")
    body = '<article><a rel="author" href="/people/x">Ravi Kumar</a></article>'
    assert extract_metadata(page(head, body)).authors == ["Ravi Kumar"]
    assert extract_metadata(page(head)).authors == ["BBC News"]


def test_outlet_next_to_a_person_is_not_an_author() -> None:
    head = '<meta property="og:site_name" content="CNN">' + meta(author="Jill Disis, CNN Business")
    assert extract_metadata(page(head)).authors == ["Jill Disis"]


def test_lone_word_in_a_weak_layer_is_no_name_unless_introduced_by_by() -> None:
    head = ld({"@type": "NewsArticle", "author": {"@type": "NewsMediaOrganization", "name": "Example News"}})
    dateline = '<div class="byline-section">World</div>'
    assert extract_metadata(page(head, dateline)).authors == ["Example News"]
    pen_name = '<div class="byline">Posted by<br>\n  Vortex</div>'
    assert extract_metadata(page("", pen_name)).authors == ["Vortex"]


def test_handle_is_removed_before_glued_words_are_split() -> None:
    assert extract_metadata(page(meta(twitter__creator="@BBCWorld"))).authors == []


# --- section, tags, description, body ----------------------------------------------------------


def test_section_tags_description_from_jsonld_before_meta() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "articleSection": ["War", "Europe"],
            "keywords": ["Drones", "drones", "Kharkiv"],
            "description": "LD description",
            "articleBody": "Para one.\n\nPara two.",
        }
    ) + meta(article__section="Meta section", description="Meta description")
    result = extract_metadata(page(head))
    assert result.section == "War"
    assert result.tags == ["Drones", "Kharkiv"]
    assert result.description == "LD description"
    assert result.article_body == "Para one.\n\nPara two."


def test_section_machine_path_gives_its_first_part() -> None:
    assert extract_metadata(page(meta(article__section="news,crime-news"))).section == "news"
    assert extract_metadata(page(meta(article__section="Arts, Culture"))).section == "Arts, Culture"


def test_written_by_class_is_a_byline() -> None:
    assert extract_metadata(page("", '<span class="writtenby">Wren Bylane</span>')).authors == ["Wren Bylane"]


def test_article_tags_beat_jsonld_keywords_string() -> None:
    head = meta(article__tag="Energy") + ld({"@type": "NewsArticle", "keywords": "War, Energy"})
    assert extract_metadata(page(head)).tags == ["Energy"]
    assert extract_metadata(page(ld({"@type": "NewsArticle", "keywords": "War, Energy ,"}))).tags == [
        "War",
        "Energy",
    ]


# --- dates -----------------------------------------------------------------------------------


def test_dates_jsonld_beats_meta_and_keeps_the_offset() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "datePublished": "2025-11-11T14:32:00+02:00",
            "dateModified": "2025-11-12T08:00:00Z",
        }
    ) + meta(article__published_time="2020-01-01T00:00:00Z")
    result = extract_metadata(page(head))
    assert result.published_at == datetime(2025, 11, 11, 14, 32, tzinfo=timezone(timedelta(hours=2)))
    assert result.published_at is not None and result.published_at.utcoffset() == timedelta(hours=2)
    assert result.modified_at == datetime(2025, 11, 12, 8, 0, tzinfo=UTC)


def test_modified_before_published_is_dropped() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "datePublished": "2024-05-02T10:00:00Z",
            "dateModified": "2024-05-01T00:00:00Z",
        }
    )
    result = extract_metadata(page(head))
    assert result.published_at == datetime(2024, 5, 2, 10, 0, tzinfo=UTC)
    assert result.modified_at is None


def test_bare_day_is_refined_by_a_later_layer_with_the_time() -> None:
    head = ld({"@type": "NewsArticle", "datePublished": "2024-06-25"}) + meta(
        article__published_time="2024-06-25T09:30:00-04:00"
    )
    result = extract_metadata(page(head))
    assert result.published_at == datetime(2024, 6, 25, 13, 30, tzinfo=UTC)
    other_day = ld({"@type": "NewsArticle", "datePublished": "2024-06-25"}) + meta(
        article__published_time="2024-06-20T09:30:00Z"
    )
    # No layer gives that day's time: the day stays a day, not a false midnight UTC.
    assert extract_metadata(page(other_day)).published_at == date(2024, 6, 25)


def test_naive_date_is_read_as_utc() -> None:
    result = extract_metadata(page(meta(article__published_time="2015-04-30T07:19:58")))
    assert result.published_at == datetime(2015, 4, 30, 7, 19, 58, tzinfo=UTC)


def test_future_and_pre_1995_dates_fall_through_to_the_next_layer() -> None:
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    head = ld({"@type": "NewsArticle", "datePublished": future}) + meta(
        article__published_time="1970-01-01T00:00:00Z", date="2019-06-01"
    )
    assert extract_metadata(page(head)).published_at == date(2019, 6, 1)


def test_time_element_in_the_article() -> None:
    body = (
        '<aside><time datetime="2001-01-01">old</time></aside>'
        '<article><time datetime="2018-05-02T10:00:00-04:00">May 2</time></article>'
    )
    result = extract_metadata(page("", body))
    assert result.published_at == datetime(2018, 5, 2, 14, 0, tzinfo=UTC)


def test_htmldate_finds_a_date_no_structured_layer_gives() -> None:
    body = "<article><p class='date'>Published 2016-03-14</p><p>Long enough text here.</p></article>"
    result = extract_metadata(page("", body))
    # htmldate knows the day, not the time: a date, not midnight UTC.
    assert result.published_at == date(2016, 3, 14)
    assert not isinstance(result.published_at, datetime)


def test_only_implausible_dates_give_none() -> None:
    head = meta(article__published_time="2999-01-01T00:00:00Z", date="1990-05-05")
    assert extract_metadata(page(head)).published_at is None


# --- language, urls, images ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("en-us", "en-US"),
        ("en_GB", "en-GB"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("pt-BR, en", "pt-BR"),
        ("", None),
        ("english language", None),
        ("12", None),
        ("und", None),
        ("x-default", None),
    ],
)
def test_normalise_language(raw: str, expected: str | None) -> None:
    assert normalise_language(raw) == expected


def test_language_precedence_html_lang_then_meta_then_og_locale_then_jsonld() -> None:
    content_language = '<meta http-equiv="Content-Language" content="de-de">'
    og_locale = meta(og__locale="fr_FR")
    in_language = ld({"@type": "NewsArticle", "inLanguage": "uk"})
    assert (
        extract_metadata(page(content_language + og_locale + in_language, lang="en-us")).language == "en-US"
    )
    assert extract_metadata(page(content_language + og_locale + in_language)).language == "de-DE"
    assert extract_metadata(page(og_locale + in_language)).language == "fr-FR"
    assert extract_metadata(page(in_language)).language == "uk"


def test_canonical_made_absolute_and_og_url_fallback() -> None:
    tree = page('<link rel="canonical" href="/news/a-story/">' + meta(og__url="https://other.example/x"))
    assert (
        extract_metadata(tree, "https://ex.com/feed/item?id=3").canonical_url
        == "https://ex.com/news/a-story/"
    )
    assert extract_metadata(page(meta(og__url="https://ex.com/og"))).canonical_url == "https://ex.com/og"
    assert extract_metadata(page('<link rel="canonical" href="javascript:void(0)">')).canonical_url is None


def test_image_url_og_first_then_jsonld_absolute() -> None:
    og = meta(og__image="/img/lead.jpg")
    ld_image = ld(
        {"@type": "NewsArticle", "image": [{"@type": "ImageObject", "url": "https://cdn.ex.com/ld.jpg"}]}
    )
    assert (
        extract_metadata(page(og + ld_image), "https://ex.com/a/").image_url == "https://ex.com/img/lead.jpg"
    )
    assert extract_metadata(page(ld_image), "https://ex.com/a/").image_url == "https://cdn.ex.com/ld.jpg"


def test_caption_and_credit_from_the_figure_showing_the_lead_image() -> None:
    head = meta(og__image="https://ex.com/images/size/w1200/lead-photo.jpg")
    body = (
        '<article><figure><img src="/images/other.jpg"><figcaption>Not this one</figcaption></figure>'
        '<figure><img src="/images/size/w600/lead-photo.jpg">'
        "<figcaption>Rustem Umerov in Kyiv on May 9, 2022. "
        "(Dogukan Keskinkilic/Anadolu Agency via Getty Images)</figcaption></figure></article>"
    )
    result = extract_metadata(page(head, body))
    assert result.image_caption == "Rustem Umerov in Kyiv on May 9, 2022."
    assert result.image_credit == "Dogukan Keskinkilic/Anadolu Agency via Getty Images"


def test_credit_element_inside_figcaption() -> None:
    body = (
        "<article><figure><img src='/a.jpg'><figcaption>Firefighters at work. "
        "<span class='credit'>Photo: Ivan Foto</span></figcaption></figure><p>"
        + "Body text. " * 20
        + "</p></article>"
    )
    result = extract_metadata(page("", body))
    assert (result.image_caption, result.image_credit) == ("Firefighters at work.", "Ivan Foto")


def test_jsonld_image_caption_beats_figcaption() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "image": {
                "@type": "ImageObject",
                "url": "https://ex.com/a.jpg",
                "caption": "LD caption",
                "creditText": "LD Credit",
            },
        }
    )
    body = "<article><figure><img src='/a.jpg'><figcaption>Fig caption</figcaption></figure></article>"
    result = extract_metadata(page(head, body))
    assert (result.image_caption, result.image_credit) == ("LD caption", "LD Credit")


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        ("A man walks. (John Smith/AFP via Getty Images)", "A man walks.", "John Smith/AFP via Getty Images"),
        ("A man walks. (Photo: Jane Roe)", "A man walks.", "Jane Roe"),
        ("The mayor with his wife (right)", "The mayor with his wife (right)", None),
        ("Rescue teams at the site. Photo: Oleh Petrenko", "Rescue teams at the site", "Oleh Petrenko"),
        ("Image via Getty Images", None, "Getty Images"),
        ("Photo: Jane Roe", None, "Jane Roe"),
        (
            "Image: Jose Mourinho has agreed a deal to become manager of the club",
            "Image: Jose Mourinho has agreed a deal to become manager of the club",
            None,
        ),
        ("Media captionWho is Julian Assange?", "Who is Julian Assange?", None),
        ("1of4Grass Valley's fire chief at the scene.", "Grass Valley's fire chief at the scene.", None),
        ("Firefighters at the scene. © Provided by The Gazette", "Firefighters at the scene.", "The Gazette"),
        ("The bridge after the storm. Source: Supplied", "The bridge after the storm.", "Supplied"),
        ("Voters queue in Ohio. REUTERS/Jane Roe", "Voters queue in Ohio.", "REUTERS/Jane Roe"),
        ("Police at the square. AP Photo/John Doe", "Police at the square.", "AP Photo/John Doe"),
        ("© Provided by The Gazette", None, "The Gazette"),
        ("Source: Supplied", None, "Supplied"),
        ("Patrick Semansky, ASSOCIATED PRESS", None, "Patrick Semansky, ASSOCIATED PRESS"),
        # Agency names inside a sentence are not a credit.
        ("Reuters reporters at the summit.", "Reuters reporters at the summit.", None),
    ],
)
def test_split_caption(text: str, caption: str | None, credit: str | None) -> None:
    assert split_caption(text) == (caption, credit)


# --- broken and odd pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        '{"@type": "NewsArticle", "headline": "Trailing comma", "author": {"name": "Tom Comma"},}',
        '<!-- {"@type": "NewsArticle", "headline": "Trailing comma", "author": {"name": "Tom Comma"}} -->',
        '{"@type": "NewsArticle", "headline": "Trailing comma", "author": {"name": "Tom\tComma"}};',
        '{"@type": "WebSite", "name": "S"}\n'
        '{"@type": "NewsArticle", "headline": "Trailing comma", "author": "Tom Comma"}',
    ],
)
def test_broken_jsonld_is_repaired(block: str) -> None:
    tree = page(f'<script type="application/ld+json">{block}</script>')
    result = extract_metadata(tree)
    assert (result.title, result.authors) == ("Trailing comma", ["Tom Comma"])


def test_unrepairable_jsonld_leaves_the_other_layers_working() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>' + meta(
        og__title="OG survives", author="Ada Meta"
    )
    result = extract_metadata(page(head))
    assert (result.title, result.authors) == ("OG survives", ["Ada Meta"])


def test_garbage_values_become_none() -> None:
    head = ld(
        {
            "@type": "NewsArticle",
            "headline": 42,
            "author": [None, 7, {"name": None}, {"@type": "Person"}],
            "datePublished": "not a date",
            "image": {"url": ["x"]},
            "inLanguage": {"x": 1},
            "keywords": {"a": 1},
            "articleBody": ["not", "a", "string"],
        }
    )
    result = extract_metadata(page(head))
    assert result.authors == []
    assert result.article_body is None
    assert result.image_url is None


def test_empty_and_fragment_documents() -> None:
    assert extract_metadata(lxml.html.fromstring("<p>just a paragraph</p>")) == PageMetadata()
    assert extract_metadata(lxml.html.document_fromstring("<html></html>")) == PageMetadata()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@id",
                    "@graph",
                    "headline",
                    "name",
                    "author",
                    "datePublished",
                    "image",
                    "publisher",
                    "keywords",
                    "mainEntity",
                    "url",
                    "caption",
                    "inLanguage",
                    "articleSection",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(data=_json, type_name=st.sampled_from(["NewsArticle", "Article", "Person", "WebPage", None]))
def test_arbitrary_jsonld_never_raises(data: Any, type_name: str | None) -> None:
    if isinstance(data, dict) and type_name:
        data = {**data, "@type": type_name}
    result = extract_metadata(page(ld(data)), "https://ex.com/a/")
    assert isinstance(result, PageMetadata)
    assert all(isinstance(name, str) and name for name in result.authors)
    # Either a bare day or an aware instant: never a naive date-time.
    if isinstance(result.published_at, datetime):
        assert result.published_at.tzinfo is not None
    else:
        assert result.published_at is None or isinstance(result.published_at, date)


# --- the Kyiv Independent sample page -----------------------------------------------------------


@pytest.mark.skipif(not KI_SAMPLE.exists(), reason="the Kyiv Independent sample page is not written yet")
def test_kyiv_independent_sample_page() -> None:
    tree = lxml.html.document_fromstring(KI_SAMPLE.read_bytes())
    result = extract_metadata(
        tree, "http://127.0.0.1:8000/kyiv-independent/news/ukraines-security-council-chief-heads-to-turkey/"
    )
    assert result.title == "Ukraine's Security Council chief heads to Turkey to 'unblock' POW exchanges"
    assert result.authors == ["Tim Zadorozhnyy"]
    assert result.published_at == datetime(2025, 11, 11, 14, 32, tzinfo=timezone(timedelta(hours=2)))
    assert result.section == "War"
    assert result.site_name == "The Kyiv Independent"
    assert result.language == "en"
    assert result.canonical_url == (
        "https://kyivindependent.com/ukraines-security-council-chief-heads-to-turkey-to-unblock-pow-exchanges/"
    )
    assert (
        result.image_caption
        == "National Security and Defense Council Secretary Rustem Umerov in Kyiv, Ukraine on May 9, 2022."
    )
    assert result.image_credit == "Dogukan Keskinkilic/Anadolu Agency via Getty Images"
