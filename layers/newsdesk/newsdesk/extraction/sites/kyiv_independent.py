"""The Kyiv Independent (Ghost CMS theme): body in `.gh-content` / `.post-content`."""

from __future__ import annotations

from newsdesk.extraction.sites.base import SiteAdapter

KYIV_INDEPENDENT = SiteAdapter(
    name="kyiv_independent",
    hosts=("kyivindependent.com",),
    site_names=("The Kyiv Independent", "Kyiv Independent"),
    # Only the theme's own content containers: on an unexpected layout the generic path is safer
    # than a whole <article> with its header and cards.
    body="article .gh-content, article .post-content, .gh-content, .post-content, .article-content",
    drop=(
        # related-article and embed cards, images (their captions go to lead_image), sign-ups,
        # membership appeals, author cards, share bars, ads
        "figure, .kg-card, .kg-bookmark-card, .related-article, .newsletter-signup, form, "
        ".author-card, .share-bar, [class*=membership], [class*=banner], [class*=advert], "
        ".read-more, .news-feed, aside, script, style"
    ),
    reading_time=".post-header__reading-time, [class*=reading-time]",
    lead_figure=".post-feature-image, figure.post-image, .post-header figure, article > figure",
)
