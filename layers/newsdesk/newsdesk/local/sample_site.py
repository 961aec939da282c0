"""The bundled sample news site, served on 127.0.0.1 for the demo and the tests."""

from __future__ import annotations

import hashlib
import importlib.resources
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

SITE_ROOT = Path(str(importlib.resources.files("newsdesk.local").joinpath("sample_site")))
BASE_URL_PLACEHOLDER = "{{BASE_URL}}"
_CONTENT_TYPES = {
    ".html": "text/html",
    ".xml": "application/rss+xml",
    ".txt": "text/plain",
    ".yaml": "application/yaml",
}
_INDEX_FILES = ("index.html", "index.xml")
# Fixed so that conditional GETs see stable validators across runs.
_LAST_MODIFIED = formatdate(1762862400, usegmt=True)


def render(path: Path, base_url: str) -> tuple[bytes, str]:
    """A file's bytes with the base URL filled in, and its charset (utf-8, else the page's latin-1)."""
    data = path.read_bytes()
    try:
        text, charset = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, charset = data.decode("iso-8859-1"), "iso-8859-1"
    return text.replace(BASE_URL_PLACEHOLDER, base_url).encode(charset), charset


def _resolve(root: Path, url_path: str) -> Path | None:
    candidate = (root / unquote(url_path).lstrip("/")).resolve()
    if not candidate.is_relative_to(root.resolve()):
        return None
    if candidate.is_dir():
        return next((candidate / n for n in _INDEX_FILES if (candidate / n).is_file()), None)
    return candidate if candidate.is_file() else None


class _Handler(BaseHTTPRequestHandler):
    server: SampleSiteServer

    def do_GET(self) -> None:
        path = _resolve(self.server.root, urlsplit(self.path).path)
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        body, charset = render(path, self.server.base_url)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        self.server.requests.append(self.path)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        content_type = _CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        self.send_header("Content-Type", f"{content_type}; charset={charset}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", _LAST_MODIFIED)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the demo prints its own summary."""


class SampleSiteServer(ThreadingHTTPServer):
    """`with SampleSiteServer() as site:` serves the site at `site.base_url` until the block ends."""

    daemon_threads = True

    def __init__(self, root: Path = SITE_ROOT, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.root = root
        self.requests: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, name="sample-site", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def sources_text(self) -> str:
        """The sample site's sources file, pointing at this server."""
        return render(self.root / "sources.yaml", self.base_url)[0].decode("utf-8")

    def __enter__(self) -> SampleSiteServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.shutdown()
        self.server_close()
