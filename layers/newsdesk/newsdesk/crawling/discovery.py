"""Discovery: read a source's feeds, sitemaps and archive pages for article URLs."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence

from newsdesk.crawling.context import CrawlContext
from newsdesk.crawling.model import XML_ACCEPT, Discovery, HostBackedOffError, StoppedError
from newsdesk.discovery import DiscoveredUrl, DiscoveryError
from newsdesk.fetching.encoding import detect_encoding
from newsdesk.fetching.errors import FetchError, UrlTooLongError
from newsdesk.sources import ArchivePage, Source
from newsdesk.storage.crawl_state import Validators
from newsdesk.urls import MAX_URL_LENGTH, check_url_length, host_matches, host_of, origin_of

logger = logging.getLogger(__name__)


class DiscoveryStage(CrawlContext):
    def discover(self, source: Source) -> Discovery:
        allowed = sorted(set(source.article_hosts()) | source.document_hosts())
        result = Discovery()
        found = result.found
        # Each document kind's parser (feedparser, lxml, bs4 with soupsieve) is imported by the
        # first source that has one: a continuation skips discovery, and a source without archive
        # pages never pays for bs4 at all.
        for feed in source.feeds:
            if self._stop_requested():
                return result
            fetched = self._fetch_document(feed, allowed)
            if fetched is None:
                continue
            body, validators = fetched
            from newsdesk.discovery.feeds import parse_feed

            document = self._parse(feed, functools.partial(parse_feed, body, feed))
            if document is not None:
                result.validated[feed] = validators
                found.extend(document.urls)
                self._truncated(feed, document.truncated)
        sitemaps = list(source.sitemaps)
        if source.robots_sitemaps:
            own_urls = [*source.feeds, *source.sitemaps, *(a.url for a in source.archives)]
            for origin in sorted({origin_of(u) for u in own_urls}):
                try:
                    rules = self.robots.rules_for(origin + "/", self._robots_fetch)
                except HostBackedOffError:
                    self._host_deferred(origin)
                    continue
                except FetchError as exc:  # a blocked address: reported as what it is
                    self._count("failed", exc.reason)
                    self._error(f"{origin}/robots.txt: {exc}")
                    continue
                sitemaps.extend(s for s in rules.sitemaps if s not in sitemaps)
        for sitemap in sitemaps:
            found.extend(self._discover_sitemap(sitemap, allowed, result, depth=0, seen=set()))
        if self.report.stopped_early:
            return result
        for archive in source.archives:
            found.extend(self._discover_archive(archive, allowed))
        return result

    def _truncated(self, url: str, dropped: int) -> None:
        """A discovery document listed more than a run takes from it: count what was left out."""
        if dropped > 0:
            self._count("skipped", "over_document_cap", n=dropped)
            self._error(f"{url}: {dropped} entries over the per-document cap left out")

    def _parse[T](self, url: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except (DiscoveryError, FetchError) as exc:
            self._count("failed", exc.reason)
            self._error(f"{url}: {exc}")
            return None
        except Exception as exc:  # a parser bug on one odd document must not end the run
            logger.exception("unexpected error parsing %s", url)
            self._count("failed", "parse_error")
            self._error(f"{url}: {type(exc).__name__}: {exc}")
            return None

    def _fetch_document(
        self, url: str, allowed: Sequence[str], *, max_body_bytes: int | None = None
    ) -> tuple[bytes, Validators] | None:
        """Body and validators of a feed or sitemap; None when unchanged (304) or unavailable (counted)."""
        try:
            # Before the state lookup: the URL keys the validators item, and DynamoDB refuses
            # a key over 2,048 bytes with an error that would end the run.
            check_url_length(url)
        except UrlTooLongError as exc:
            self._count("skipped", exc.reason)
            self._error(f"{url[:200]}...: {exc}")
            return None
        validators = self.state.get_validators(url)
        try:
            response = self._polite_get(
                url,
                allowed_hosts=allowed,
                headers={"Accept": XML_ACCEPT, **(validators.request_headers() if validators else {})},
                max_body_bytes=max_body_bytes,
            )
        except StoppedError:
            self._error(f"{url}: left for the next run: out of time")
            return None
        except HostBackedOffError as exc:
            self._host_deferred(exc.origin)
            self._error(f"{url}: left for the next run: {exc}")
            return None
        except FetchError as exc:
            if exc.reason == "robots":
                self._count("skipped_robots")
            else:
                self._count("failed", exc.reason)
            self._error(f"{url}: {exc}")
            return None
        if response.status == 304:
            self._count("not_modified")
            return None
        return response.body, Validators(response.etag, response.last_modified)

    def _discover_sitemap(
        self, url: str, allowed: Sequence[str], result: Discovery, *, depth: int, seen: set[str]
    ) -> list[DiscoveredUrl]:
        if url in seen or self._stop_requested():
            return []
        seen.add(url)
        # A sitemap may be as large as its protocol allows, not just as large as a page.
        fetched = self._fetch_document(url, allowed, max_body_bytes=self.options.max_sitemap_bytes)
        if fetched is None:
            return []
        body, validators = fetched
        from newsdesk.discovery.sitemaps import parse_sitemap

        document = self._parse(
            url, lambda: parse_sitemap(body, url, max_bytes=self.options.max_sitemap_bytes)
        )
        if document is None:
            return []
        self._truncated(url, document.truncated)
        if not document.is_index:
            result.validated[url] = validators
            return document.urls
        # An index is always fetched in full (it is small): a 304 on it would hide a changed child,
        # so only its children, which hold the article URLs, are asked for conditionally.
        if depth + 1 > self.options.max_sitemap_depth:
            self._error(f"{url}: sitemap index nested deeper than {self.options.max_sitemap_depth}; ignored")
            return []
        children = [c for c in document.sitemaps if any(host_matches(host_of(c.url), a) for a in allowed)]
        # An overlong child is counted here, so that it does not take one of the children's places.
        too_long = [c for c in children if len(c.url) > MAX_URL_LENGTH]
        if too_long:
            self._count("skipped", UrlTooLongError.reason, n=len(too_long))
            children = [c for c in children if len(c.url) <= MAX_URL_LENGTH]
        # Newest children first: for news, the recent sitemaps are the ones with new articles.
        children.sort(key=lambda c: c.modified_at.timestamp() if c.modified_at else 0.0, reverse=True)
        self._truncated(url, len(children) - self.options.max_sitemap_children)
        found: list[DiscoveredUrl] = []
        for child in children[: self.options.max_sitemap_children]:
            found.extend(self._discover_sitemap(child.url, allowed, result, depth=depth + 1, seen=seen))
        return found

    def _discover_archive(self, archive: ArchivePage, allowed: Sequence[str]) -> list[DiscoveredUrl]:
        from newsdesk.discovery.archives import parse_archive_page

        found: list[DiscoveredUrl] = []
        page_url: str | None = archive.url
        visited: set[str] = set()
        while page_url and len(visited) < archive.max_pages and page_url not in visited:
            if self._stop_requested():
                break
            visited.add(page_url)
            try:
                response = self._polite_get(page_url, allowed_hosts=allowed)
            except StoppedError:
                self._error(f"{page_url}: left for the next run: out of time")
                break
            except HostBackedOffError as exc:
                self._host_deferred(exc.origin)
                self._error(f"{page_url}: left for the next run: {exc}")
                break
            except FetchError as exc:
                self._count("skipped_robots") if exc.reason == "robots" else self._count("failed", exc.reason)
                self._error(f"{page_url}: {exc}")
                break
            encoding = detect_encoding(response.body, response.charset).encoding
            listing = self._parse(
                page_url,
                functools.partial(
                    parse_archive_page, response.body, page_url, archive.link_selector, encoding=encoding
                ),
            )
            if listing is None:
                break
            found.extend(listing.urls)
            page_url = listing.next_page
        return found
