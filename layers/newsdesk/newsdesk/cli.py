"""The `newsdesk` command: run a cycle locally, serve local AWS, query, parse."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.commands import ops
from newsdesk.commands import store as store_commands
from newsdesk.errors import ConfigurationError, NewsdeskError

if TYPE_CHECKING:
    from newsdesk.sources import Source

DEFAULT_DEPLOYED_STACK = "newsdesk"


def _date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _first_words(text: str, count: int = 24) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" ..." if len(words) > count else "")


def format_articles(articles: Sequence[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(list(articles), ensure_ascii=False, indent=2)
    if fmt == "jsonl":
        return "\n".join(json.dumps(a, ensure_ascii=False) for a in articles)
    blocks = []
    for article in articles:
        published = article.get("published_at") or "(no date)"
        authors = ", ".join(article.get("authors") or []) or "(no author)"
        header = f"{published}  [{article.get('source') or '-'}]  {article.get('title') or '(untitled)'}"
        body = textwrap.fill(
            _first_words(article.get("body_text") or ""),
            width=100,
            initial_indent="    ",
            subsequent_indent="    ",
        )
        blocks.append(f"{header}\n    by {authors}\n{body}")
    return "\n\n".join(blocks) if blocks else "(no articles)"


def _stack_names(stack_name: str) -> dict[str, str]:
    import boto3

    cloudformation = boto3.client("cloudformation")
    try:
        summaries = cloudformation.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    except cloudformation.exceptions.ClientError as exc:
        raise ConfigurationError(f"cannot read stack {stack_name!r}: {exc}") from exc
    return {s["LogicalResourceId"]: s["PhysicalResourceId"] for s in summaries}


def _resource_names(args: argparse.Namespace) -> dict[str, str]:
    import os

    if os.environ.get("ARTICLES_TABLE") and os.environ.get("ARTICLES_BUCKET"):
        return {
            "ArticlesTable": os.environ["ARTICLES_TABLE"],
            "ArticlesBucket": os.environ["ARTICLES_BUCKET"],
            "CrawlStateTable": os.environ.get("CRAWL_TABLE", ""),
        }
    from newsdesk.local.aws import LOCAL_STACK_NAME

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    stack = args.stack_name or (LOCAL_STACK_NAME if endpoint else DEFAULT_DEPLOYED_STACK)
    return _stack_names(stack)


def read_articles(
    names: dict[str, str], *, source: str | None, since: datetime | None, until: datetime | None, limit: int
) -> list[dict[str, Any]]:
    """Complete articles, newest first (a source's by publication, else the latest stored)."""
    from newsdesk.api import ArticleStoreAPI

    api = ArticleStoreAPI.from_names(names["ArticlesTable"], names["ArticlesBucket"])
    if source is not None:
        summaries = api.by_source(source, since=since, until=until, limit=limit).items
    else:
        summaries = api.recent(limit)
    articles = (api.article(s.id) for s in summaries)
    return [a.model_dump(mode="json") for a in articles if a is not None]


def cmd_run(args: argparse.Namespace) -> int:
    from newsdesk.local.aws import ensure_stack, local_aws

    with local_aws(args.endpoint_url):
        stack = ensure_stack()
        _run_and_report(stack, args.sources, args.allow_private_networks, args.newest)
    return 0


def _run_and_report(stack: Any, sources: Path | None, allow_private: bool, newest: int) -> None:
    from newsdesk.local.events import describe as describe_event
    from newsdesk.local.runner import run_cycle
    from newsdesk.progress import progress

    log_path = Path(tempfile.gettempdir()) / "newsdesk-local-run.log"
    with log_path.open("a", encoding="utf-8") as log:
        started = time.monotonic()
        summary = run_cycle(
            stack, sources_file=sources, allow_private_networks=allow_private, log=log, progress=progress
        )
    failures = ", ".join(f"{k}={v}" for k, v in sorted(summary.fetch_failed.items()))
    print(
        f"cycle: discovered {summary.discovered}, fetched {summary.fetched}, parsed {summary.parsed}, "
        f"failed {summary.failed}"
        + (f" (fetch: {failures})" if failures else "")
        + (f", dead-lettered {summary.dead_lettered}" if summary.dead_lettered else "")
        + f" in {time.monotonic() - started:.1f}s"
    )
    for error in summary.crawl.get("errors", [])[:10]:
        print(f"  fetcher: {error}")
    if summary.crawl.get("skipped_robots"):
        print(f"  skipped by robots.txt: {summary.crawl['skipped_robots']}")
    for event in summary.events[:20]:
        print(f"  event: {describe_event(event)}")
    print(f"handler logs: {log_path}")
    names = stack.resources
    print(
        f"raw pages: s3://{names['RawBucket']}  articles: s3://{names['ArticlesBucket']}  "
        f"table: {names['ArticlesTable']}\n"
    )
    print("newest articles:\n")
    print(format_articles(read_articles(names, source=None, since=None, until=None, limit=newest), "table"))


def cmd_demo(args: argparse.Namespace) -> int:
    from newsdesk.local.aws import ensure_stack, local_aws
    from newsdesk.local.sample_site import SampleSiteServer

    with SampleSiteServer() as site, tempfile.TemporaryDirectory() as tmp, local_aws(None):
        sources = Path(tmp) / "sources.yaml"
        sources.write_text(site.sources_text(), encoding="utf-8")
        print(f"sample site: {site.base_url}  (embedded moto; sources: {', '.join(_source_ids(sources))})")
        stack = ensure_stack()
        _run_and_report(stack, sources, True, args.newest)
    return 0


def _source_ids(path: Path) -> list[str]:
    from newsdesk.sources import load_sources

    return [s.id for s in load_sources(path)]


def cmd_local_aws(args: argparse.Namespace) -> int:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    if args.env_json:
        from newsdesk.local.aws import ensure_stack, local_aws
        from newsdesk.local.sam_local import write_sam_local_files

        with local_aws(f"http://127.0.0.1:{args.port}"):
            written = write_sam_local_files(
                ensure_stack(), args.env_json, f"http://{args.container_host}:{args.port}"
            )
        print(f"local stack created; wrote {', '.join(str(p) for p in written)}", flush=True)
    print(
        f"local AWS (moto) on http://127.0.0.1:{args.port} - use --endpoint-url http://127.0.0.1:{args.port}"
        " or AWS_ENDPOINT_URL; Ctrl-C stops it",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
    return 0


def _source_of(args: argparse.Namespace, url: str | None) -> Source | None:
    """The source named by --source, else the one whose hosts include the URL's, else None."""
    from newsdesk.sources import load_sources, source_for_url

    if args.source is None and url is None:
        return None
    sources = load_sources(args.sources)
    if args.source is not None:
        for source in sources:
            if source.id == args.source:
                return source
        raise ConfigurationError(f"no source with id {args.source!r} in the sources file")
    return source_for_url(sources, url) if url else None


def cmd_parse(args: argparse.Namespace) -> int:
    from newsdesk.extraction import extract

    target: str = args.target
    encoding = None
    if target.startswith(("http://", "https://")):
        from newsdesk.extraction.record import http_fetch

        page = http_fetch(target, allow_private_networks=args.allow_private_networks)
        data, encoding = page.body, page.charset
        url = args.url or page.url
    else:
        try:
            data = Path(target).read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"cannot read {target}: {exc.strerror}") from exc
        url = args.url
    source = _source_of(args, url)
    article = extract(
        data,
        url,
        encoding=encoding,
        source=source.id if source else None,
        # The id the fetcher gives this URL, so a parse here matches what the pipeline stored.
        article_id=source.article_id(url) if source and url else None,
    )
    if args.format == "json":
        print(json.dumps(article.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        meta = article.model_dump(mode="json")
        print(format_articles([{**meta, "body_text": ""}], "table").rstrip())
        print()
        print(article.body_text)
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    from functools import partial

    from newsdesk.extraction.record import http_fetch, record

    fetch = partial(http_fetch, allow_private_networks=args.allow_private_networks)
    for path in record(args.url, args.dest, fetch, name=args.name):
        print(path)
    print("review the .golden.json by hand, then commit all three files", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdesk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run one scheduled cycle locally with the real handlers")
    run.add_argument("--sources", type=Path, help="sources file (YAML or JSON); default: the bundled one")
    run.add_argument(
        "--endpoint-url", help="AWS-compatible endpoint (e.g. a moto server); default: embedded moto"
    )
    run.add_argument(
        "--allow-private-networks",
        action="store_true",
        help="let the fetcher fetch from loopback/private addresses (local sites)",
    )
    run.add_argument("--newest", type=int, default=10, help="how many of the newest articles to print")
    run.set_defaults(func=cmd_run)

    demo = commands.add_parser(
        "demo", help="serve the bundled sample site and run one cycle on embedded moto"
    )
    demo.add_argument("--newest", type=int, default=10)
    demo.set_defaults(func=cmd_demo)

    local_aws = commands.add_parser("local-aws", help="serve a moto server on 127.0.0.1")
    local_aws.add_argument("--port", type=int, default=5000)
    local_aws.add_argument(
        "--env-json", type=Path, help="create the stack's resources and write this env.json for sam local"
    )
    local_aws.add_argument(
        "--container-host",
        default="127.0.0.1",
        help="the server's address as a Lambda container sees it (127.0.0.1 with --docker-network host)",
    )
    local_aws.set_defaults(func=cmd_local_aws)

    store_commands.register(commands)

    parse = commands.add_parser("parse", help="print one parsed article")
    parse.add_argument("target", metavar="FILE_OR_URL")
    parse.add_argument("--url", help="the URL the page was fetched from")
    parse.add_argument("--format", choices=["json", "text"], default="json")
    parse.add_argument("--allow-private-networks", action="store_true", help="allow fetching a local URL")
    parse.add_argument(
        "--source", help="the source id (its slash policy names the article); default: by host"
    )
    parse.add_argument("--sources", type=Path, help="sources file (YAML or JSON); default: the bundled one")
    parse.set_defaults(func=cmd_parse)

    record = commands.add_parser(
        "record", help="save a live page as a fixture and its parse as a golden file"
    )
    record.add_argument("url")
    record.add_argument("--dest", type=Path, default=Path("tests/golden"))
    record.add_argument("--name", help="fixture file name (default: from the URL)")
    record.add_argument("--allow-private-networks", action="store_true")
    record.set_defaults(func=cmd_record)

    from newsdesk.commands import sources as sources_commands

    sources_commands.register(commands)
    ops.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "endpoint_url", None):
        import os

        os.environ["AWS_ENDPOINT_URL"] = args.endpoint_url
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        return int(args.func(args))
    except NewsdeskError as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
