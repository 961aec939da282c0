"""Image captions on the generic path: never in the body, in `lead_image` when they describe it."""

from __future__ import annotations

from newsdesk import extract

SENTENCE = "The harbour authority approved the plan after a long debate about costs and the fishing fleet. "
PARAGRAPHS = "".join(f"<p>Paragraph {i}. {SENTENCE * 2}</p>" for i in range(4))
LEAD_CAPTION = "Fishing boats moored in the old harbour at dawn on Monday."
INLINE_CAPTION = "The council chamber during the vote on the harbour plan."
URL = "https://example.org/news/harbour-plan"


def page(head: str, article: str) -> str:
    return (
        f"<html><head><title>Harbour plan</title>{head}</head><body>"
        "<nav><a href='/'>Home</a></nav>"
        f"<article><h1>Harbour plan</h1>{article}</article></body></html>"
    )


def test_figcaption_and_caption_div_stay_out_of_the_body_and_describe_the_lead_image() -> None:
    # The forms that used to leak: a capitalised "Caption" div holding paragraphs, with its photo
    # credit, and a figcaption holding a paragraph outside any <figure>; beside them a regular
    # figure + figcaption inside the body.
    html = page(
        '<meta property="og:image" content="https://cdn.example.org/img/harbour-dawn.jpg?w=1200">',
        '<div class="lead-media"><img src="https://cdn.example.org/img/harbour-dawn.jpg">'
        f'<div class="Caption"><p>{LEAD_CAPTION}</p>'
        '<p class="photo-credit">Photo: Jane Roe/Harbour Gazette</p></div></div>'
        + PARAGRAPHS[: len(PARAGRAPHS) // 2]
        + '<figure><img src="/img/quay.jpg"><figcaption>The new quay wall, as planned.</figcaption></figure>'
        + '<div class="inline"><img src="/img/chamber.jpg">'
        f"<figcaption><p>{INLINE_CAPTION} (John Doe/Reuters)</p></figcaption></div>"
        + PARAGRAPHS[len(PARAGRAPHS) // 2 :],
    )
    article = extract(html, URL)
    for rendering in (article.body_text, article.body_markdown):
        assert "Fishing boats moored" not in rendering
        assert "Jane Roe" not in rendering
        assert "quay wall" not in rendering
        assert "council chamber during the vote" not in rendering
        assert "John Doe" not in rendering
        assert "Paragraph 0." in rendering
        assert "Paragraph 3." in rendering
    assert article.lead_image is not None
    assert article.lead_image.url == "https://cdn.example.org/img/harbour-dawn.jpg?w=1200"
    assert article.lead_image.caption == LEAD_CAPTION
    assert article.lead_image.credit == "Jane Roe/Harbour Gazette"


def test_an_unmarked_caption_beside_a_credit_line_goes_with_it() -> None:
    html = page(
        "",
        f'<div class="media"><img src="/img/harbour-dawn.jpg"><p>{LEAD_CAPTION}</p>'
        '<p class="credits">Photo: Jane Roe/Harbour Gazette</p></div>' + PARAGRAPHS,
    )
    article = extract(html, URL)
    assert "Fishing boats moored" not in article.body_text
    assert "Jane Roe" not in article.body_text
    assert article.lead_image is not None
    assert (article.lead_image.caption, article.lead_image.credit) == (
        LEAD_CAPTION,
        "Jane Roe/Harbour Gazette",
    )


def test_a_how_to_step_beside_a_captioned_image_stays_in_the_body() -> None:
    steps = "".join(
        f'<div class="step"><img src="/img/step{i}.jpg"><figcaption>Step {i} (Jane Roe)</figcaption>'
        f"<p>Step {i}. {SENTENCE}</p></div>"
        for i in range(4)
    )
    article = extract(page("", PARAGRAPHS + steps), URL)
    assert "Step 3. The harbour authority" in article.body_text
    assert "Jane Roe" not in article.body_text


def test_without_og_image_the_captioned_image_before_the_text_is_the_lead() -> None:
    html = page(
        "",
        '<div class="media"><img src="/img/harbour-dawn.jpg">'
        f'<p itemprop="caption">{LEAD_CAPTION} (Jane Roe/Harbour Gazette)</p></div>' + PARAGRAPHS,
    )
    article = extract(html, URL)
    assert "Fishing boats moored" not in article.body_text
    assert article.lead_image is not None
    assert article.lead_image.url == "https://example.org/img/harbour-dawn.jpg"
    assert (article.lead_image.caption, article.lead_image.credit) == (
        LEAD_CAPTION,
        "Jane Roe/Harbour Gazette",
    )


def test_a_caption_of_another_image_is_dropped_not_given_to_the_lead_image() -> None:
    html = page(
        '<meta property="og:image" content="https://cdn.example.org/img/harbour-dawn.jpg">',
        PARAGRAPHS + '<div class="slideshow-slide"><img src="/img/chamber.jpg">'
        f'<h2 class="slideshow-headline">{INLINE_CAPTION}</h2></div>',
    )
    article = extract(html, URL)
    assert "council chamber" not in article.body_text
    assert article.lead_image is not None
    assert article.lead_image.url == "https://cdn.example.org/img/harbour-dawn.jpg"
    assert article.lead_image.caption is None


def test_a_long_wrapper_with_a_caption_class_is_not_mistaken_for_a_caption() -> None:
    html = page("", f'<div class="post has-captions">{PARAGRAPHS}</div>')
    article = extract(html, URL)
    assert "Paragraph 0." in article.body_text
    assert "Paragraph 3." in article.body_text


def test_metadata_caption_wins_over_the_markup_caption() -> None:
    jsonld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour plan",'
        ' "image": {"@type": "ImageObject", "url": "https://cdn.example.org/img/harbour-dawn.jpg",'
        ' "caption": "Dawn over the harbour."}}</script>'
    )
    html = page(
        jsonld,
        '<div class="lead-media"><img src="https://cdn.example.org/img/harbour-dawn.jpg">'
        f'<div class="caption">{LEAD_CAPTION}</div></div>' + PARAGRAPHS,
    )
    article = extract(html, URL)
    assert "Fishing boats moored" not in article.body_text
    assert article.lead_image is not None
    assert article.lead_image.caption == "Dawn over the harbour."
