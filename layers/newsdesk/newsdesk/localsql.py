"""`newsdesk sql` and `newsdesk export`: the Athena table, locally, with DuckDB over the same objects.

The article JSON objects of the local stack's bucket are mirrored to a temporary folder with
their keys (so the `source=`/`dt=` partitions stay in the path) and DuckDB reads them as a view
named `articles` with the Glue table's columns. DuckDB is a development dependency: this module
is never imported by the Lambda functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.catalog import COLUMNS, TABLE_NAME
from newsdesk.errors import ConfigurationError, QueryError
from newsdesk.storage.s3 import ARTICLES_PREFIX, ArticleStore

if TYPE_CHECKING:
    import duckdb

_PARTITIONS = re.compile(
    r"^articles/source=(?P<source>[^/]+)/dt=(?P<dt>\d{4}-\d{2}-\d{2}|0000-00-00)/[^/]+\.json$"
)


def _wanted(key: str, source: str | None, since: date | None) -> bool:
    match = _PARTITIONS.match(key)
    if match is None:
        return False
    if source is not None and match["source"] != source:
        return False
    return since is None or match["dt"] >= since.isoformat()


def article_keys(
    store: ArticleStore, *, source: str | None = None, since: date | None = None
) -> Iterator[str]:
    """Keys of article objects, pruned by partition: the listing starts at `source=` when given."""
    prefix = f"{ARTICLES_PREFIX}source={source}/" if source else ARTICLES_PREFIX
    return (k for k in store.keys(prefix) if _wanted(k, source, since))


def mirror(
    store: ArticleStore,
    dest: Path,
    keys: list[str],
    advance: Callable[[int], None] | None = None,
) -> None:
    for key in keys:
        target = dest / key
        target.parent.mkdir(parents=True, exist_ok=True)
        body = store.client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
        target.write_bytes(body)
        if advance:
            advance(1)


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # the layer never has it; a dev install does
        raise ConfigurationError("newsdesk sql/export need DuckDB: pip install -e '.[dev]'") from exc
    return duckdb


def connect(root: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the view `articles` over the mirrored objects under `root`."""
    duckdb = _duckdb()
    con = duckdb.connect(":memory:")
    columns = ", ".join(f"'{name}': '{duck}'" for name, _, duck in COLUMNS)
    if not any((root / ARTICLES_PREFIX).glob("**/*.json")):
        # No object yet: an empty table with the same shape, so queries still run.
        ddl = ", ".join(f'"{name}" {duck}' for name, _, duck in COLUMNS)
        con.execute(f"CREATE TABLE {TABLE_NAME} ({ddl}, source VARCHAR, dt VARCHAR)")
        return con  # type: ignore[no-any-return]
    pattern = str(root / ARTICLES_PREFIX / "**" / "*.json").replace("'", "''")
    # Only our own temporary path and the fixed column list are interpolated.
    view = (
        f"CREATE VIEW {TABLE_NAME} AS SELECT * FROM read_json('{pattern}', format = 'newline_delimited', "  # noqa: S608
        f"columns = {{{columns}}}, hive_partitioning = true, "
        "hive_types = {'source': 'VARCHAR', 'dt': 'VARCHAR'})"
    )
    con.execute(view)
    return con  # type: ignore[no-any-return]


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    duckdb = _duckdb()
    try:
        cursor = con.execute(sql)
    except duckdb.Error as exc:
        raise QueryError(f"SQL failed: {exc}") from exc
    names = [d[0] for d in cursor.description or []]
    return names, cursor.fetchall()
