"""The `articles` table as Athena (Glue) and local DuckDB see it: one column list for both.

template.yaml's ArticlesGlueTable declares the same columns (a test keeps them equal); the
partition columns `source` and `dt` come from the key scheme, not from the JSON.
"""

from __future__ import annotations

# (name, Glue/Hive type, DuckDB type)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "string", "VARCHAR"),
    ("url", "string", "VARCHAR"),
    ("canonical_url", "string", "VARCHAR"),
    ("title", "string", "VARCHAR"),
    ("description", "string", "VARCHAR"),
    ("authors", "array<string>", "VARCHAR[]"),
    ("section", "string", "VARCHAR"),
    ("tags", "array<string>", "VARCHAR[]"),
    ("published_at", "string", "VARCHAR"),
    ("modified_at", "string", "VARCHAR"),
    ("language", "string", "VARCHAR"),
    (
        "lead_image",
        "struct<url:string,caption:string,credit:string>",
        "STRUCT(url VARCHAR, caption VARCHAR, credit VARCHAR)",
    ),
    ("body_text", "string", "VARCHAR"),
    ("body_markdown", "string", "VARCHAR"),
    ("word_count", "int", "INTEGER"),
    ("reading_time_minutes", "int", "INTEGER"),
    ("content_hash", "string", "VARCHAR"),
    ("parser_version", "string", "VARCHAR"),
    ("raw_key", "string", "VARCHAR"),
    ("fetched_at", "string", "VARCHAR"),
    ("schema_version", "string", "VARCHAR"),
    ("version", "int", "INTEGER"),
    ("previous_hash", "string", "VARCHAR"),
    ("ingested_at", "string", "VARCHAR"),
)
PARTITION_COLUMNS = ("source", "dt")
TABLE_NAME = "articles"
