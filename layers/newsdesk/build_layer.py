"""Build the newsdesk Lambda layer into `ARTIFACTS_DIR/python`: what `sam build` runs.

The template builds `NewsdeskLayer` with `BuildMethod: makefile`; the Makefile beside this file
calls `python3.12 build_layer.py "$(ARTIFACTS_DIR)"`, which

1. installs the hash-locked requirements for Lambda's platform (manylinux x86_64, CPython 3.12),
   wheels only and without resolving (the lock is complete), as `sam build` did before;
2. copies the newsdesk package, without caches;
3. prunes what no function loads (`PRUNE`, `KEEP_AWS_SERVICES`: each with its reason; the tests
   in tests/unit/test_layer_build.py and the built-function smoke test guard them);
4. compiles every module to bytecode. Lambda mounts the layer read-only, so a layer without .pyc
   files makes every cold start compile every module it imports (about 0.9 s for boto3 alone:
   docs/benchmarks.md, bench-coldstart). `unchecked-hash` pycs stay valid whatever the file times
   become in the zip.

    python3.12 build_layer.py ARTIFACTS_DIR [--requirements requirements.txt]
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import subprocess
import sys
from pathlib import Path
from py_compile import PycInvalidationMode

HERE = Path(__file__).resolve().parent

# The AWS services the functions call (the parser: s3, dynamodb, events, and dynamodb for
# Powertools Idempotency; the fetcher: s3, dynamodb, sqs; the dispatcher: s3, dynamodb, sqs).
# botocore ships the models of ~450 services; the others are dropped. A new client in a function
# needs its service named here: tests/unit/test_layer_build.py fails until it is.
KEEP_AWS_SERVICES = frozenset({"dynamodb", "events", "s3", "sqs"})

# Paths (globs relative to the layer's python/ directory) that no function loads, with why.
PRUNE: tuple[tuple[str, str], ...] = (
    (
        "babel/locale-data/*.dat",
        "CLDR locale data (35 MB). babel's only user is courlan's URL language score, reached only "
        "when trafilatura is given a target language; newsdesk never gives one. Without the data, "
        "Locale.parse raises UnknownLocaleError, which courlan catches: no crash, a neutral score.",
    ),
    (
        "yaml/_yaml.*.so",
        "libyaml binding (2.7 MB): newsdesk reads YAML with yaml.safe_load, the pure-Python loader; "
        "PyYAML imports the binding only if present.",
    ),
    ("lxml/objectify.*", "lxml.objectify: nothing in the layer imports it."),
    ("lxml/isoschematron", "lxml.isoschematron: nothing in the layer imports it."),
    ("lxml/html/diff.*", "lxml.html.diff: nothing in the layer imports it."),
    ("lxml/html/_difflib.*", "lxml.html.diff's helper."),
    ("lxml/includes", "C headers, for compiling against lxml."),
    ("lxml/*.pyx", "Cython sources."),
    ("lxml/*.pxd", "Cython declarations."),
    ("lxml/*.pxi", "Cython sources."),
    ("lxml/*.h", "C headers."),
    ("*/tests", "packages' own test suites."),
    ("bin", "console scripts, with the build machine's interpreter in their shebang."),
    ("dateparser_scripts", "dateparser's maintenance scripts."),
    ("dateparser_cli", "dateparser's command line (language-model download)."),
)

PRUNED_MANIFEST = "pruned.json"

PLATFORM_FLAGS = (
    "--platform",
    "manylinux2014_x86_64",
    "--implementation",
    "cp",
    "--python-version",
    "3.12",
    "--abi",
    "cp312",
    "--only-binary=:all:",
)


def install(requirements: Path, site: Path) -> None:
    subprocess.run(  # noqa: S603 - a fixed argv: this interpreter's pip, no shell
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--require-hashes",
            "--no-deps",
            "--no-compile",
            *PLATFORM_FLAGS,
            "--target",
            str(site),
            "-r",
            str(requirements),
        ],
        check=True,
    )


def copy_package(source: Path, site: Path) -> None:
    shutil.copytree(
        source, site / source.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"), dirs_exist_ok=True
    )


def _remove(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        shutil.rmtree(path)
        return size
    size = path.stat().st_size
    path.unlink()
    return size


def prune(site: Path) -> dict[str, int]:
    """Remove `PRUNE` and the unused AWS service models; bytes removed per rule."""
    removed: dict[str, int] = {}
    for pattern, _reason in PRUNE:
        removed[pattern] = sum(_remove(p) for p in sorted(site.glob(pattern)))
    for data in (site / "botocore" / "data", site / "boto3" / "data"):
        rule = f"{data.relative_to(site)}/<services other than {', '.join(sorted(KEEP_AWS_SERVICES))}>"
        removed[rule] = sum(
            _remove(p) for p in sorted(data.iterdir()) if p.is_dir() and p.name not in KEEP_AWS_SERVICES
        )
    return removed


def compile_all(site: Path) -> None:
    ok = compileall.compile_dir(
        site, quiet=1, workers=0, invalidation_mode=PycInvalidationMode.UNCHECKED_HASH
    )
    if not ok:
        raise SystemExit("compileall failed")


def build(artifacts: Path, requirements: Path) -> dict[str, int]:
    site = artifacts / "python"
    site.mkdir(parents=True, exist_ok=True)
    install(requirements, site)
    copy_package(HERE / "newsdesk", site)
    removed = prune(site)
    compile_all(site)
    # Beside python/ (so never on the import path): what this layer lacks and why, for whoever
    # looks in /opt, and for bench.package_size.
    reasons = dict(PRUNE)
    manifest = [
        {"rule": rule, "bytes": size, "reason": reasons.get(rule, "AWS service models no function calls.")}
        for rule, size in removed.items()
    ]
    (artifacts / PRUNED_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("artifacts", type=Path)
    parser.add_argument("--requirements", type=Path, default=HERE / "requirements.txt")
    args = parser.parse_args(argv)
    removed = build(args.artifacts, args.requirements)
    mb = 1024 * 1024
    for rule, size in removed.items():
        print(f"pruned {size / mb:6.1f} MB  {rule}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
