"""CLI commands over the article store: query, history, sql, reparse, export."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.errors import QueryError, StorageError

if TYPE_CHECKING:
    from newsdesk.api import ArticleStoreAPI
    from newsdesk.storage.dynamodb import ArticleSummary, Page


def _names(args: argparse.Namespace) -> dict[str, str]:
    from newsdesk.cli import _resource_names

    return _resource_names(args)


def _api(args: argparse.Namespace) -> ArticleStoreAPI:
    from newsdesk.api import ArticleStoreAPI

    names = _names(args)
    return ArticleStoreAPI.from_names(names["ArticlesTable"], names["ArticlesBucket"])


def _add_target(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-url", help="AWS-compatible endpoint (e.g. `newsdesk local-aws`)")
    parser.add_argument(
        "--stack-name",
        help="stack to read (default: newsdesk, or newsdesk-local with an endpoint); "
        "ARTICLES_TABLE and ARTICLES_BUCKET override it",
    )


# --- query -----------------------------------------------------------------------------------


def _select(api: ArticleStoreAPI, args: argparse.Namespace, cursor: str | None) -> Page[ArticleSummary]:
    from newsdesk.storage.dynamodb import Page

    window: dict[str, Any] = {"since": args.since, "until": args.until, "limit": args.limit, "cursor": cursor}
    if args.author:
        page = api.by_author(args.author, **window)
    elif args.tag:
        page = api.by_tag(args.tag, **window)
    elif args.section:
        page = api.by_section(args.section, **window)
    elif args.source:
        return api.by_source(args.source, **window)
    elif args.ingested_since:
        return api.ingested_since(args.ingested_since, until=args.until, limit=args.limit, cursor=cursor)
    elif args.since or args.until:
        raise QueryError(
            "--since/--until are publication dates within --source, --author, --section or --tag; "
            "across all sources use --ingested-since"
        )
    else:
        return Page(api.recent(args.limit))
    if args.source:
        # The index is the author's (tag's, section's); the source narrows its page.
        page = Page([s for s in page.items if s.source == args.source], page.cursor)
    return page


def cmd_query(args: argparse.Namespace) -> int:
    from newsdesk.cli import format_articles

    api = _api(args)
    cursor = args.cursor
    while True:
        page = _select(api, args, cursor)
        articles = []
        for summary in page.items:
            article = api.article(summary.id)
            if article is not None:
                articles.append(article.model_dump(mode="json"))
        text = format_articles(articles, args.format)
        if text and (articles or args.format == "table"):
            print(text)
        cursor = page.cursor
        if not args.all or cursor is None:
            break
    if cursor and not args.all:
        print(f"more: --cursor {cursor}", file=sys.stderr)
    return 0


# --- history ---------------------------------------------------------------------------------


def cmd_history(args: argparse.Namespace) -> int:
    api = _api(args)
    versions = api.versions(args.id)
    if not versions:
        raise QueryError(f"no article {args.id!r}")
    if args.format == "json":
        print(json.dumps([v.__dict__ for v in versions], ensure_ascii=False, indent=2))
        return 0
    for v in versions:
        print(
            f"v{v.version}  {v.ingested_at or '-'}  {v.content_hash[:12]}  "
            f"parser {v.parser_version or '-'}  {v.article_key}"
        )
    if len(versions) < 2 and not args.diff:
        return 0
    old_no, new_no = args.diff or (versions[-2].version, versions[-1].version)
    old, new = api.version(args.id, old_no), api.version(args.id, new_no)
    if old is None or new is None:
        raise QueryError(f"article {args.id} has no version {old_no if old is None else new_no}")
    print()
    diff = difflib.unified_diff(
        old.body_text.splitlines(),
        new.body_text.splitlines(),
        fromfile=f"v{old_no}",
        tofile=f"v{new_no}",
        lineterm="",
    )
    print("\n".join(diff) or f"(v{old_no} and v{new_no} have the same body)")
    return 0


# --- sql and export --------------------------------------------------------------------------


def _mirrored(args: argparse.Namespace, tmp: Path, *, source: str | None, since: Any) -> None:
    from newsdesk import localsql
    from newsdesk.progress import progress

    api = _api(args)
    keys = list(localsql.article_keys(api.store, source=source, since=since))
    with progress("reading article objects", len(keys)) as advance:
        localsql.mirror(api.store, tmp, keys, advance)


def cmd_sql(args: argparse.Namespace) -> int:
    from newsdesk import localsql

    with tempfile.TemporaryDirectory(prefix="newsdesk-sql-") as tmp:
        _mirrored(args, Path(tmp), source=None, since=None)
        names, rows = localsql.run_sql(localsql.connect(Path(tmp)), args.query)
    if args.format == "jsonl":
        for row in rows:
            print(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=str))
        return 0
    print("\t".join(names))
    for row in rows:
        print("\t".join("" if v is None else str(v) for v in row))
    return 0


# Every version is a row; an export keeps the latest of each article.
LATEST_VERSIONS = (
    "CREATE TEMP TABLE latest AS SELECT * FROM articles WHERE dt >= ? "
    "QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1"
)


def cmd_export(args: argparse.Namespace) -> int:
    from newsdesk import localsql

    dest: Path = args.dir
    dest.mkdir(parents=True, exist_ok=True)
    since = args.since.date()
    with tempfile.TemporaryDirectory(prefix="newsdesk-export-") as tmp:
        _mirrored(args, Path(tmp), source=args.source, since=since)
        con = localsql.connect(Path(tmp))
        con.execute(LATEST_VERSIONS, [since.isoformat()])
        names, rows = localsql.run_sql(con, "SELECT * FROM latest ORDER BY dt, id")
        if args.format == "parquet":
            target = dest / "articles.parquet"
            # COPY takes no parameter for its target: the user's path is quoted as a SQL literal.
            quoted = str(target).replace("'", "''")
            con.execute(f"COPY (SELECT * FROM latest ORDER BY dt, id) TO '{quoted}' (FORMAT parquet)")  # noqa: S608
        else:
            target = dest / "articles.jsonl"
            with target.open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(
                        json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=str) + "\n"
                    )
    print(f"exported {len(rows)} articles (latest versions, published since {since}) to {target}")
    return 0


# --- reparse ---------------------------------------------------------------------------------


def cmd_reparse(args: argparse.Namespace) -> int:
    import boto3

    from newsdesk import reparse
    from newsdesk.storage.dynamodb import ArticleTable

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    since = args.since.date() if args.since else None
    until = args.until.date() if args.until else None
    run_id = uuid.uuid4().hex
    if endpoint:
        from newsdesk.local.aws import ensure_stack, local_aws

        with local_aws(endpoint):
            stack = ensure_stack()
            names = stack.resources
            table = ArticleTable(names["ArticlesTable"], boto3.resource("dynamodb"))
            keys = list(
                reparse.raw_keys(
                    boto3.client("s3"), names["RawBucket"], source=args.source, since=since, until=until
                )
            )
            before = reparse.versions(table, keys)
            reparse.enqueue(boto3.client("sqs"), names["ParseQueue"], names["RawBucket"], keys, run_id)
            # Nothing drains a local queue by itself: play the event source mapping here.
            _drain_locally(stack, len(keys))
            after = reparse.versions(table, keys)
    else:
        from newsdesk.cli import DEFAULT_DEPLOYED_STACK, _stack_names

        names = _stack_names(args.stack_name or DEFAULT_DEPLOYED_STACK)
        table = ArticleTable(names["ArticlesTable"], boto3.resource("dynamodb"))
        sqs = boto3.client("sqs")
        keys = list(
            reparse.raw_keys(
                boto3.client("s3"), names["RawBucket"], source=args.source, since=since, until=until
            )
        )
        before = reparse.versions(table, keys)
        reparse.enqueue(sqs, names["ParseQueue"], names["RawBucket"], keys, run_id)
        print(f"queued {len(keys)} raw pages; waiting for the deployed parser", file=sys.stderr)
        if not reparse.wait_until_drained(
            lambda: reparse.queue_depth(sqs, names["ParseQueue"]), timeout=args.wait
        ):
            raise StorageError(
                f"the parse queue did not drain within {args.wait:.0f}s; counts would be partial"
            )
        after = reparse.versions(table, keys)
    changed = reparse.changed(before, after)
    print(f"reparsed {len(keys)} raw pages: {changed} articles changed, {len(after) - changed} unchanged")
    return 0


def _drain_locally(stack: Any, total: int) -> None:
    from newsdesk.local import template as tpl
    from newsdesk.local.lambda_runtime import LocalFunction, drain_queue
    from newsdesk.progress import progress

    template = tpl.load_template(stack.template_path)
    props = tpl.function_properties(template, "ParserFunction")
    log_path = Path(tempfile.gettempdir()) / "newsdesk-local-run.log"
    with log_path.open("a", encoding="utf-8") as log, progress("parsing", total) as advance:
        parser = LocalFunction(
            "ParserFunction",
            stack.repo_root / str(props["CodeUri"]),
            stack.parser_env,
            float(props["Timeout"]),
            log=log,
        )
        batch = int(tpl.function_event(template, "ParserFunction", "SQS").get("BatchSize", 10))
        while True:
            drained = drain_queue(stack.name("ParseQueue"), parser, batch_size=batch, max_invocations=1)
            if not drained.invocations:
                return
            advance(drained.succeeded)


# --- registration ----------------------------------------------------------------------------


def _date(value: str) -> datetime:
    from newsdesk.cli import _date as parse_date

    return parse_date(value)


def register(subparsers: Any) -> None:
    query = subparsers.add_parser("query", help="read articles back: by source, author, section, tag or time")
    selector = query.add_argument_group("what to list (one index; --source also narrows the others)")
    selector.add_argument("--source")
    selector.add_argument("--author", help="case-insensitive")
    selector.add_argument("--section")
    selector.add_argument("--tag")
    selector.add_argument(
        "--ingested-since", type=_date, help="stored since, across all sources, oldest first"
    )
    query.add_argument("--since", type=_date, help="published since")
    query.add_argument("--until", type=_date, help="published until (stored until, with --ingested-since)")
    query.add_argument("--limit", type=int, default=20, help="articles per page")
    query.add_argument("--cursor", help="continue where a previous page stopped")
    query.add_argument("--all", action="store_true", help="every page, not only the first")
    query.add_argument("--format", choices=["table", "json", "jsonl"], default="table")
    _add_target(query)
    query.set_defaults(func=cmd_query)

    history = subparsers.add_parser("history", help="an article's stored versions and a diff of their bodies")
    history.add_argument("id")
    history.add_argument("--diff", nargs=2, type=int, metavar=("OLD", "NEW"), help="versions to compare")
    history.add_argument("--format", choices=["table", "json"], default="table")
    _add_target(history)
    history.set_defaults(func=cmd_history)

    sql = subparsers.add_parser("sql", help="run Athena's SQL locally (DuckDB) over the table `articles`")
    sql.add_argument("query", metavar="SQL")
    sql.add_argument("--format", choices=["tsv", "jsonl"], default="tsv")
    _add_target(sql)
    sql.set_defaults(func=cmd_sql)

    export = subparsers.add_parser("export", help="write the latest versions as JSON Lines or Parquet")
    export.add_argument("dir", type=Path, metavar="DIR")
    export.add_argument("--since", type=_date, required=True, help="published since (partition date)")
    export.add_argument("--source")
    export.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    _add_target(export)
    export.set_defaults(func=cmd_export)

    again = subparsers.add_parser(
        "reparse", help="run the current parser over stored raw pages (local stack)"
    )
    again.add_argument("--source")
    again.add_argument("--since", type=_date, help="raw pages fetched since")
    again.add_argument("--until", type=_date, help="raw pages fetched until")
    again.add_argument("--wait", type=float, default=1800, help="deployed: seconds to wait for the parser")
    _add_target(again)
    again.set_defaults(func=cmd_reparse)
