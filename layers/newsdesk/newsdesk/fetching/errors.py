"""Why a fetch failed, as typed errors whose `reason` becomes a CrawlReport/metric key."""

from __future__ import annotations

from newsdesk.errors import NewsdeskError


class FetchError(NewsdeskError):
    """A URL could not be fetched. `reason` is a short stable key; `retryable` says if trying later helps."""

    reason: str = "fetch_failed"
    retryable: bool = False

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class UnsupportedSchemeError(FetchError):
    reason = "bad_scheme"


class BadUrlError(FetchError):
    """A URL (or a redirect's Location) that cannot be parsed or requested."""

    reason = "bad_url"


class UrlTooLongError(BadUrlError, ValueError):
    """A URL past `newsdesk.urls.MAX_URL_LENGTH`: skipped and counted, never stored or fetched."""

    reason = "url_too_long"


class HostNotAllowedError(FetchError):
    reason = "host_not_allowed"


class BlockedAddressError(FetchError):
    """The host resolves to loopback, private, link-local, multicast, reserved or metadata addresses."""

    reason = "blocked_address"


class NameResolutionFailedError(FetchError):
    reason = "dns_error"
    retryable = True


class TooManyRedirectsError(FetchError):
    reason = "too_many_redirects"


class RedirectLoopError(FetchError):
    reason = "redirect_loop"


class BodyTooLargeError(FetchError):
    """The body (after decompression, so gzip bombs land here too) is over max_body_bytes."""

    reason = "too_large"


class UnsupportedContentEncodingError(FetchError):
    reason = "bad_content_encoding"


class FetchTimeoutError(FetchError):
    reason = "timeout"
    retryable = True


class ConnectionFailedError(FetchError):
    reason = "connection_error"
    retryable = True


class HttpStatusError(FetchError):
    """A final status that is neither 2xx nor 304 (after retries for 429 and 5xx)."""

    def __init__(self, status: int, *, url: str | None = None, retry_after_header: str | None = None) -> None:
        super().__init__(f"HTTP {status} for {url}", url=url)
        self.status = status
        self.retry_after_header = retry_after_header
        self.reason = f"http_{status}"
        self.retryable = status == 429 or status >= 500


class RobotsDisallowedError(FetchError):
    reason = "robots"


class RobotsUnavailableError(FetchError):
    """robots.txt answered 5xx or not at all: the site is off limits for now, not for good."""

    reason = "robots_unavailable"
    retryable = True
