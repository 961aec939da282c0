"""What the built (pruned) layer is asked for on real pages: the evidence behind the build's pruning.

In a fresh `python -B -S -E` with only the built layer on the path, the parser's extraction runs on
up to `--pages` pages of every shared collection (and feed discovery on the sample site's feeds),
while an audit hook records every data file opened inside the layer and babel's locale-data
lookups are counted. A page the pruned layer cannot handle shows up as a crash, by exception type.

    python -m bench.layer_trace [--build-dir .aws-sam/build] [--pages 40]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import docs_main

REPO = Path(__file__).resolve().parent.parent

_PROBE = """
import gzip, json, sys, collections
layer = {layer!r}
sys.path[:0] = [layer]
opened = set()

def hook(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].startswith(layer):
        path = args[0][len(layer) + 1:]
        if not path.endswith((".py", ".pyc", ".so")) and "__pycache__" not in path:
            opened.add(path)

sys.addaudithook(hook)
import babel.localedata
asked = []
real_exists, real_load = babel.localedata.exists, babel.localedata.load
def exists(name):
    asked.append(name)
    return real_exists(name)
def load(name, *args, **kwargs):
    asked.append(name)
    return real_load(name, *args, **kwargs)
babel.localedata.exists, babel.localedata.load = exists, load

from newsdesk.errors import ExtractionError
from newsdesk.extraction import extract
from newsdesk.discovery.feeds import parse_feed
todo = json.loads(open({todo!r}, encoding="utf-8").read())
outcome = collections.Counter()
for feed_path, feed_url in todo["feeds"]:
    parse_feed(open(feed_path, "rb").read(), feed_url)
    outcome["feeds parsed"] += 1
for path, url in todo["pages"]:
    try:
        extract(gzip.decompress(open(path, "rb").read()), url)
        outcome["articles extracted"] += 1
    except ExtractionError:
        outcome["refused (typed ExtractionError)"] += 1
    except Exception as exc:
        outcome["crashed: " + type(exc).__name__] += 1
print("TRACE " + json.dumps({{"outcome": outcome, "opened": sorted(opened), "babel_asked": len(asked),
    "modules": sorted({{n.split(".")[0] for n, m in list(sys.modules.items())
                         if (getattr(m, "__file__", None) or "").startswith(layer)}})}}))
"""


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--build-dir", type=Path, default=REPO / ".aws-sam" / "build")
    parser.add_argument("--pages", type=int, default=40, help="pages per collection")
    args = parser.parse_args(argv)
    layer = args.build_dir / "NewsdeskLayer" / "python"
    if not layer.is_dir():
        print(f"no build at {args.build_dir}: run `make sam-build` first", file=sys.stderr)
        return 2
    from bench.data import body_collections, metadata_collections
    from newsdesk.local.sample_site import SITE_ROOT

    collections = [c.quick(args.pages) for c in [*body_collections(), *metadata_collections()]]
    pages = [(str(p.path), p.url or f"https://example.org/{p.id}") for c in collections for p in c.pages]
    feeds = [(str(f), f"https://example.org/{f.parent.name}/feed") for f in sorted(SITE_ROOT.rglob("*.xml"))]
    feeds += [(str(f), "https://example.org/rss/") for f in sorted(SITE_ROOT.rglob("rss/index.html"))]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump({"pages": pages, "feeds": feeds}, handle)
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-B",
                "-S",
                "-E",
                "-c",
                _PROBE.format(layer=str(layer.resolve()), todo=handle.name),
            ],
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin"},
        )
    finally:
        Path(handle.name).unlink()
    lines = [line for line in done.stdout.splitlines() if line.startswith("TRACE ")]
    if done.returncode != 0 or not lines:
        print(done.stderr[-3000:], file=sys.stderr)
        return 1
    trace = json.loads(lines[-1][len("TRACE ") :])
    names = ", ".join(f"{c.name} {len(c.pages)}" for c in collections)
    print(f"the built layer on {len(pages)} pages ({names}) and {len(feeds)} sample feeds")
    for what, count in sorted(trace["outcome"].items()):
        print(f"  {what:<36}{count:6d}")
    print(f"  babel locale-data lookups           {trace['babel_asked']:6d}")
    metadata = [p for p in trace["opened"] if ".dist-info/" in p]
    print(f"data files opened inside the layer (besides {len(metadata)} dist-info files: entry-point scans):")
    by_dir: dict[str, list[str]] = {}
    for path in trace["opened"]:
        if path not in metadata:
            by_dir.setdefault(str(Path(path).parent), []).append(path)
    for folder, paths in sorted(by_dir.items()):
        shown = paths if len(paths) <= 3 else [f"{folder}/ ({len(paths)} files)"]
        for path in shown:
            print(f"  {path}")
    print("packages imported from the layer: " + " ".join(trace["modules"]))
    return 0


def main(argv: list[str] | None = None) -> int:
    return docs_main("bench-layer-trace", "bench.layer_trace", _main, argv)


if __name__ == "__main__":
    raise SystemExit(main())
