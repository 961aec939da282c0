"""The layer build (layers/newsdesk/build_layer.py) prunes only what no function loads."""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER_SOURCE = ROOT / "layers" / "newsdesk"
SAMPLE_SITE = LAYER_SOURCE / "newsdesk" / "local" / "sample_site"


def _load_build_layer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_layer", LAYER_SOURCE / "build_layer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_layer = _load_build_layer()


def _newsdesk_imports(path: Path) -> set[str]:
    """Every newsdesk module `path` imports, at module level or inside a function (lazily)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == "newsdesk" or n.startswith("newsdesk.")}


def _module_file(name: str) -> Path | None:
    base = LAYER_SOURCE.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None  # `from newsdesk.x import some_function`


def _reachable_from_handlers() -> Iterator[Path]:
    """The handlers and every newsdesk module they can import, lazy imports included."""
    todo = sorted((ROOT / "functions").glob("*/app.py"))
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        yield path
        for name in _newsdesk_imports(path):
            parts = name.split(".")
            # Importing newsdesk.a.b runs newsdesk/__init__.py and newsdesk/a/__init__.py first.
            for depth in range(1, len(parts) + 1):
                found = _module_file(".".join(parts[:depth]))
                if found is not None:
                    todo.append(found)


def test_the_layer_keeps_the_models_of_exactly_the_aws_services_the_functions_call() -> None:
    called = set()
    for path in _reachable_from_handlers():
        called |= set(re.findall(r"\b(?:client|resource)\(\s*\"([a-z0-9-]+)\"", path.read_text("utf-8")))
    # Powertools Idempotency's persistence layer calls DynamoDB (the parser passes it our client).
    assert called == build_layer.KEEP_AWS_SERVICES


def test_prune_removes_each_rule_and_the_other_services_and_keeps_the_rest(tmp_path: Path) -> None:
    site = tmp_path / "python"
    doomed = [
        "babel/locale-data/en.dat",
        "babel/locale-data/root.dat",
        "yaml/_yaml.cpython-312-x86_64-linux-gnu.so",
        "lxml/objectify.cpython-312-x86_64-linux-gnu.so",
        "lxml/isoschematron/__init__.py",
        "lxml/includes/tree.h",
        "lxml/etree.pyx",
        "regex/tests/test_regex.py",
        "bin/normalizer",
        "dateparser_scripts/get_cldr_data.py",
        "botocore/data/ec2/2016-11-15/service-2.json.gz",
        "boto3/data/ec2/2016-11-15/resources-1.json",
    ]
    kept = [
        "babel/global.dat",
        "babel/core.py",
        "yaml/__init__.py",
        "lxml/etree.cpython-312-x86_64-linux-gnu.so",
        "lxml/sax.cpython-312-x86_64-linux-gnu.so",
        "lxml/html/__init__.py",
        "botocore/data/endpoints.json",
        "botocore/data/s3/2006-03-01/service-2.json.gz",
        "botocore/data/sqs/2012-11-05/service-2.json.gz",
        "boto3/data/dynamodb/2012-08-10/resources-1.json",
        "newsdesk/__init__.py",
    ]
    for name in doomed + kept:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(b"x" * 10)

    removed = build_layer.prune(site)

    assert [n for n in doomed if (site / n).exists()] == []
    assert [n for n in kept if not (site / n).exists()] == []
    assert removed["babel/locale-data/*.dat"] == 20


def _pages() -> list[Path]:
    pages = sorted(SAMPLE_SITE.rglob("*.html"))
    pages += sorted((ROOT / "tests" / "golden").glob("*.html"))
    pages += sorted((ROOT / "tests" / "unit" / "extraction" / "fixtures").glob("*.html"))
    return pages


def test_extraction_never_reads_babel_locale_data_and_courlan_survives_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Why the build may drop babel's locale data: nothing on the parser's path asks for it, and
    the one library that could (courlan's URL language score) degrades to a neutral score."""
    import babel.localedata
    import courlan.filters

    from newsdesk import extract
    from newsdesk.errors import ExtractionError

    asked: list[str] = []

    def exists(name: str) -> bool:
        asked.append(name)
        return False  # as in the pruned layer: no locale file is there

    def load(name: str, *args: object, **kwargs: object) -> object:
        asked.append(name)
        raise FileNotFoundError(name)

    monkeypatch.setattr(babel.localedata, "exists", exists)
    monkeypatch.setattr(babel.localedata, "load", load)
    pages = _pages()
    assert len(pages) >= 5
    extracted = 0
    for page in pages:
        try:
            extract(page.read_bytes(), f"https://example.org/news/{page.stem}/")
        except ExtractionError:
            continue  # a listing page of the sample site: not an article, and said so
        extracted += 1

    assert extracted >= 4
    assert asked == []
    courlan.filters.langcodes_score.cache_clear()
    assert courlan.filters.langcodes_score("de", "de", 0) == 0
    assert "de" in asked  # the score did ask babel, and got no data
