"""Package size: the built layer and each function, unzipped, and which dependency brings what.

Lambda's limit is 250 MB unzipped for a function and its layers together. Reads the build that
`make sam-build` leaves in `.aws-sam/build`; each distribution in the layer is attributed to the
direct requirement (`layers/newsdesk/requirements.in`, the lock's input) that pulls it in.

    python -m bench.package_size [--build-dir .aws-sam/build] [--top 15] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from email.parser import HeaderParser
from pathlib import Path

from bench.report import docs_main

REPO = Path(__file__).resolve().parent.parent
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
_LIMIT_MB = 250


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def distributions(site: Path) -> dict[str, tuple[int, list[str]]]:
    """Each distribution in `site`: its size on disk (from RECORD) and its unconditional requirements."""
    out: dict[str, tuple[int, list[str]]] = {}
    for info in site.glob("*.dist-info"):
        meta = HeaderParser().parsestr((info / "METADATA").read_text(encoding="utf-8", errors="replace"))
        name = _canonical(meta["Name"])
        size = 0
        record = info / "RECORD"
        if record.exists():
            for line in record.read_text(encoding="utf-8").splitlines():
                path = site / line.split(",", 1)[0]
                if path.is_file():
                    size += path.stat().st_size
        requires = []
        for req in meta.get_all("Requires-Dist") or []:
            if "extra ==" in req:
                continue
            match = _NAME.match(req.strip())
            if match:
                requires.append(_canonical(match.group(1)))
        out[name] = (size, requires)
    return out


def direct_requirements(path: Path) -> list[str]:
    names = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _NAME.match(line.strip())
        if match and not line.strip().startswith("#"):
            names.append(_canonical(match.group(1).split("[")[0]))
    return names


def attribute(dists: dict[str, tuple[int, list[str]]], roots: list[str]) -> dict[str, int]:
    """Bytes per direct requirement: a shared dependency counts for the first root that pulls it in."""
    owner: dict[str, str] = {}
    for root in roots:
        stack = [root]
        while stack:
            name = stack.pop()
            if name in owner or name not in dists:
                continue
            owner[name] = root
            stack.extend(dists[name][1])
    totals: dict[str, int] = defaultdict(int)
    for name, (size, _reqs) in dists.items():
        totals[owner.get(name, "(unattributed)")] += size
    return dict(totals)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--build-dir", type=Path, default=REPO / ".aws-sam" / "build")
    parser.add_argument("--requirements", type=Path, default=REPO / "layers" / "newsdesk" / "requirements.in")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.build_dir.exists():
        print(f"no build at {args.build_dir}: run `make sam-build` first", file=sys.stderr)
        return 2
    mb = 1024 * 1024
    parts = {d.name: tree_size(d) for d in sorted(args.build_dir.iterdir()) if d.is_dir()}
    site = next(args.build_dir.glob("*Layer/python"), None)
    dists = distributions(site) if site else {}
    by_dist = sorted(((size, name) for name, (size, _r) in dists.items()), reverse=True)
    by_root = attribute(dists, direct_requirements(args.requirements)) if args.requirements.exists() else {}
    print("unzipped size of each built part (MB)")
    for name, size in parts.items():
        print(f"  {name:<28}{size / mb:8.1f}")
    layer_mb = sum(size for name, size in parts.items() if name.endswith("Layer")) / mb
    function_mb = max((s for n, s in parts.items() if not n.endswith("Layer")), default=0) / mb
    print(f"  layer + largest function: {layer_mb + function_mb:.1f} MB of Lambda's {_LIMIT_MB} MB")
    print(f"\nlargest distributions in the layer (MB), top {args.top}")
    for size, name in by_dist[: args.top]:
        print(f"  {name:<28}{size / mb:8.1f}")
    print("\nlayer bytes by direct requirement (with everything it pulls in), MB")
    for name, size in sorted(by_root.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28}{size / mb:8.1f}")
    # The layer build's record of what it dropped (layers/newsdesk/build_layer.py), beside python/.
    manifest = next(args.build_dir.glob("*Layer/pruned.json"), None)
    pruned = json.loads(manifest.read_text(encoding="utf-8")) if manifest else []
    if pruned:
        total = sum(entry["bytes"] for entry in pruned) / mb
        print(f"\ndropped by the layer build (MB): {total:.1f} in all; the reasons are in build_layer.py")
        for entry in sorted(pruned, key=lambda e: -e["bytes"]):
            if entry["bytes"] >= mb / 10:
                print(f"  {entry['rule']:<60}{entry['bytes'] / mb:8.1f}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "parts_mb": {n: s / mb for n, s in parts.items()},
                    "distributions_mb": {n: s / mb for s, n in by_dist},
                    "by_requirement_mb": {n: s / mb for n, s in by_root.items()},
                    "pruned_mb": {e["rule"]: e["bytes"] / mb for e in pruned},
                },
                indent=2,
            )
            + "\n"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    return docs_main("bench-size", "bench.package_size", _main, argv)


if __name__ == "__main__":
    raise SystemExit(main())
