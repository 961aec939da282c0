"""Extraction benchmarks: newsdesk against its peers on every collection in ../shared.

Commands (repository root):

    make bench-extract     # python -m bench.extraction --timing 30 --docs: body F1, every peer
    make bench-metadata    # python -m bench.metadata --timing 30 --docs: title / authors / date
    python -m bench.extraction --quick --worst 5      # a 30-page subset per collection, from the cache

The API to tune against (all of it reads ../shared, or $NEWSDESK_SHARED):

- `bench.data.body_collections()` / `metadata_collections()` -> `[Collection(name, kind, pages)]`;
  a `Page` has `collection`, `kind`, `id`, `url`, `truth`, `fold`, `suspect`, `flags` and `html()`.
- `bench.cache.outputs(tool, collection, task="body"|"metadata")` -> `{page_id: output}`: every
  tool's cached output (tools: `bench.tools.body_tools()` / `metadata_tools()`). The cache lives in
  `bench/.cache`, or `$NEWSDESK_BENCH_CACHE` (point several work trees at one to share it).
- `bench.score.body(page.kind, page.truth, text)` -> a page score; `bench.score.aggregate(scores)`
  -> `Summary(precision, recall, f1)` (shingle F1, or trafilatura-eval's snippet metric).
- `bench.match.score(page.truth, {"title", "authors", "published"})` -> per field True/False/None.
- `bench.loco.Tunable` (`fit(train_pages_by_fold) -> params`, `predict(params, page) -> output`),
  `bench.loco.folds(collections)`, `bench.loco.evaluate(tunable, collections)`: leave one
  collection (one metadata-dev project) out, plus in-sample; register a tunable in
  `bench/tunables.py` or pass `--tunable module:attr` to show it in the tables.
"""
