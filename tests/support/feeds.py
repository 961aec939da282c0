"""Small feeds and article pages for fetcher tests."""

from __future__ import annotations

from collections.abc import Sequence


def article_html(title: str, paragraphs: int = 6) -> bytes:
    body = "".join(
        f"<p>{title}: paragraph {n} of a story long enough to count as an article body.</p>"
        for n in range(paragraphs)
    )
    head = f"<!doctype html><html><head><title>{title}</title></head>"
    return f"{head}<body><article><h1>{title}</h1>{body}</article></body></html>".encode()


def rss_for(urls: Sequence[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{url}</link>"
        f"<pubDate>Tue, 03 Nov 2026 {10 - n % 10:02d}:00:00 GMT</pubDate></item>"
        for n, url in enumerate(urls)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>http://news.test/</link><description>d</description>{items}</channel></rss>"
    ).encode()
