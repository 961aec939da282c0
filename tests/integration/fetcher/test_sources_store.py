"""The deployed sources file in a versioned S3 bucket: validated on push, last good kept on load."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from newsdesk.errors import ConfigurationError
from newsdesk.storage.sources_store import S3SourcesStore, configured_sources

GOOD = "sources:\n  - {id: wire, name: Wire, feeds: ['https://wire.example/rss'], every: 5m}\n"
BETTER = GOOD + "  - {id: weekly, name: Weekly, feeds: ['https://weekly.example/rss'], every: 1d}\n"
BAD = "sources:\n  - {id: Wire!, name: Wire}\n"


@pytest.fixture
def store(aws: None) -> S3SourcesStore:
    s3: Any = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="newsdesk-config")
    s3.put_bucket_versioning(Bucket="newsdesk-config", VersioningConfiguration={"Status": "Enabled"})
    return S3SourcesStore("newsdesk-config", "sources.yaml", s3)


def test_nothing_pushed_yet_means_the_bundled_sources(store: S3SourcesStore) -> None:
    assert store.load() is None
    loaded = configured_sources(None, store)
    assert loaded.origin == "bundled sources.yaml" and [s.id for s in loaded.sources] == ["kyiv-independent"]


def test_push_validates_before_uploading(store: S3SourcesStore) -> None:
    store.push(GOOD)
    with pytest.raises(ConfigurationError, match="invalid sources file"):
        store.push(BAD)

    loaded = store.load()
    assert loaded is not None and [s.id for s in loaded.sources] == ["wire"] and loaded.rejected is None


def test_a_bad_file_uploaded_anyway_keeps_the_last_good_one_and_says_why(store: S3SourcesStore) -> None:
    store.push(GOOD)
    store.push(BETTER)
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket="newsdesk-config", Key="sources.yaml", Body=BAD.encode()
    )

    loaded = store.load()

    assert loaded is not None
    assert [s.id for s in loaded.sources] == ["wire", "weekly"]
    assert loaded.rejected is not None and "invalid sources file" in loaded.rejected
    assert "versionId=" in loaded.origin


def test_a_bad_file_with_no_good_version_is_a_clear_error(store: S3SourcesStore) -> None:
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket="newsdesk-config", Key="sources.yaml", Body=BAD.encode()
    )

    with pytest.raises(ConfigurationError, match="no earlier version"):
        store.load()
