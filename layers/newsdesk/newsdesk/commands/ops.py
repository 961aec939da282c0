"""`newsdesk status` and `newsdesk redrive`: what an operator sees and does, locally or on AWS."""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from typing import Any

from newsdesk.errors import ConfigurationError
from newsdesk.status import SourceStatus, StatusReport, summarise_sources
from newsdesk.storage.crawl_state import URL_STATUSES, UrlRecord
from newsdesk.storage.queues import QueueDepth, Queues


def register(subparsers: Any) -> None:
    status = subparsers.add_parser(
        "status",
        help="per source: last run, last new article, counts by outcome, failing URLs; queue depths",
    )
    status.add_argument("--source", help="only this source")
    status.add_argument(
        "--status", choices=URL_STATUSES, help="also list the URLs in this status (table format)"
    )
    status.add_argument("--limit", type=int, default=50, help="URLs listed (and failing URLs per source)")
    status.add_argument(
        "--format",
        choices=["table", "json", "jsonl"],
        default="table",
        help="table: the summary; json: the summary as one object; jsonl: one line per URL record",
    )
    _add_stack_arguments(status)
    status.set_defaults(func=cmd_status)

    redrive = subparsers.add_parser(
        "redrive", help="move dead-lettered raw-page notifications back to the parse queue"
    )
    redrive.add_argument(
        "--max", type=int, dest="max_messages", help="move at most this many (default: all, by SQS itself)"
    )
    _add_stack_arguments(redrive)
    redrive.set_defaults(func=cmd_redrive)


def _add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-url", help="AWS-compatible endpoint (e.g. make local-aws)")
    parser.add_argument(
        "--stack-name", help="default: newsdesk, or newsdesk-local with an endpoint (the local stack)"
    )


def _names(args: argparse.Namespace) -> dict[str, str]:
    # Imported here: cli imports this module to register the commands.
    from newsdesk.cli import DEFAULT_DEPLOYED_STACK, _stack_names
    from newsdesk.local.aws import LOCAL_STACK_NAME

    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    return _stack_names(args.stack_name or (LOCAL_STACK_NAME if endpoint else DEFAULT_DEPLOYED_STACK))


def _required(names: dict[str, str], logical_id: str) -> str:
    try:
        return names[logical_id]
    except KeyError:
        raise ConfigurationError(f"the stack has no {logical_id}") from None


def _queues() -> Queues:
    import boto3

    return Queues(boto3.client("sqs"))


def cmd_status(args: argparse.Namespace) -> int:
    import boto3

    from newsdesk.storage.crawl_state import DynamoCrawlState

    names = _names(args)
    state = DynamoCrawlState(_required(names, "CrawlStateTable"), boto3.client("dynamodb"))
    records = state.list_urls(args.source, None, limit=10**9)
    if args.format == "jsonl":
        selected = [r for r in records if args.status is None or r.status == args.status]
        print("\n".join(json.dumps(r.as_dict(), ensure_ascii=False) for r in selected[: args.limit]))
        return 0
    from newsdesk.storage.parse_failures import list_parse_failures

    queues = _queues()
    report = StatusReport(
        sources=summarise_sources(records, state.list_source_runs(), failing_limit=args.limit),
        parse_queue=queues.depth(_required(names, "ParseQueue")),
        dead_letters=queues.depth(_required(names, "ParseDeadLetterQueue")),
        permanent_failures=list_parse_failures(
            _required(names, "ArticlesTable"),
            boto3.resource("dynamodb"),
            source=args.source,
            limit=args.limit,
        ),
    )
    if args.format == "json":
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(format_report(report))
    if args.status:
        print(f"\nURLs {args.status}:")
        print(format_urls([r for r in records if r.status == args.status][: args.limit]))
    return 0


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "never"


def _depth(value: QueueDepth | None) -> str:
    if value is None:
        return "unknown"
    return f"{value.visible} waiting, {value.in_flight} in flight"


def _format_source(source: SourceStatus) -> list[str]:
    counts = "  ".join(f"{name} {count}" for name, count in source.counts.items())
    lines = [
        f"{source.source}",
        f"  last run: {_when(source.last_run)}"
        + (f" ({source.last_outcome})" if source.last_outcome else "")
        + (" - running now" if source.running else "")
        + f"   last new article: {_when(source.last_new_article)}",
        f"  {counts}",
    ]
    for failing in source.failing:
        retry = f", next try {_when(failing.next_attempt_at)}" if failing.status == "failed" else ""
        reason = failing.reason or "no reason"
        lines.append(f"  {failing.status:8} {failing.attempts}x {failing.url}  ({reason}{retry})")
    return lines


def format_report(report: StatusReport) -> str:
    lines: list[str] = []
    for source in report.sources:
        lines.extend(_format_source(source))
    if not report.sources:
        lines.append("no source has been crawled yet")
    lines.append(f"permanent parse failures: {len(report.permanent_failures)}")
    for failure in report.permanent_failures:
        where = failure.url or failure.raw_key
        lines.append(f"  [{failure.source or '-'}] {where}  ({failure.reason}: {failure.message})")
    lines.append(f"parse queue: {_depth(report.parse_queue)}")
    dead = report.dead_letters
    lines.append(
        f"dead letters: {_depth(dead)}"
        + (" - fix the cause, then `newsdesk redrive`" if dead is not None and dead.visible else "")
    )
    return "\n".join(lines)


def format_urls(records: list[UrlRecord]) -> str:
    lines = []
    for record in records:
        error = f"  ({record.last_error})" if record.last_error else ""
        lines.append(f"{record.status:8} {record.attempts:2}x  [{record.source}] {record.url}{error}")
    return "\n".join(lines) if lines else "(none)"


def cmd_redrive(args: argparse.Namespace) -> int:
    names = _names(args)
    dead_letters = _required(names, "ParseDeadLetterQueue")
    result = _queues().redrive(dead_letters, _required(names, "ParseQueue"), max_messages=args.max_messages)
    if result.task_handle:
        print(f"SQS is moving the dead letters back to the parse queue (task {result.task_handle})")
    else:
        print(f"moved {result.moved} dead-lettered messages back to the parse queue")
    return 0
