"""The deployed sources file in S3 (a versioned bucket): changed without a redeploy.

`push` validates before uploading, so a bad file rarely gets there; if one does (an upload by
other means), `load` refuses it, says why, and keeps the newest earlier version that validates,
so a typo never stops the crawl.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from newsdesk.errors import ConfigurationError, StorageError
from newsdesk.sources import Source, parse_sources_text

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MAX_VERSIONS_TRIED = 10
MAX_SOURCES_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class LoadedSources:
    sources: list[Source]
    origin: str
    rejected: str | None = None  # why the newest file was refused, when an older one is used


class S3SourcesStore:
    def __init__(self, bucket: str, key: str, s3: S3Client) -> None:
        self.bucket = bucket
        self.key = key
        self._s3 = s3

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def push(self, text: str) -> str:
        """Validate and upload a sources file; returns the new version id ('null' if unversioned)."""
        sources = parse_sources_text(text, origin=self.location)
        if len(text.encode("utf-8")) > MAX_SOURCES_BYTES:
            raise ConfigurationError(f"sources file is over {MAX_SOURCES_BYTES} bytes")
        try:
            response = self._s3.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=text.encode("utf-8"),
                ContentType="application/yaml",
                Metadata={"sources": str(len(sources))},
            )
        except ClientError as exc:
            raise StorageError(f"cannot upload {self.location}: {exc}") from exc
        return str(response.get("VersionId") or "null")

    def _read(self, version_id: str | None = None) -> str | None:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key}
        if version_id is not None:
            kwargs["VersionId"] = version_id
        try:
            body = self._s3.get_object(**kwargs)["Body"].read(MAX_SOURCES_BYTES + 1)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise StorageError(f"cannot read {self.location}: {exc}") from exc
        if len(body) > MAX_SOURCES_BYTES:
            raise ConfigurationError(f"{self.location} is over {MAX_SOURCES_BYTES} bytes")
        return body.decode("utf-8", errors="replace")

    def load(self) -> LoadedSources | None:
        """The newest valid sources file; None when nothing was ever pushed."""
        text = self._read()
        if text is None:
            return None
        try:
            return LoadedSources(parse_sources_text(text, origin=self.location), self.location)
        except ConfigurationError as exc:
            rejected = str(exc)
        for version_id in self._older_versions():
            older = self._read(version_id)
            if older is None:
                continue
            try:
                sources = parse_sources_text(older, origin=f"{self.location}?versionId={version_id}")
            except ConfigurationError:
                continue
            return LoadedSources(sources, f"{self.location}?versionId={version_id}", rejected)
        raise ConfigurationError(f"{rejected} (and no earlier version of it is valid)")

    def _older_versions(self) -> list[str]:
        try:
            response = self._s3.list_object_versions(
                Bucket=self.bucket, Prefix=self.key, MaxKeys=MAX_VERSIONS_TRIED + 1
            )
        except ClientError as exc:
            raise StorageError(f"cannot list the versions of {self.location}: {exc}") from exc
        versions = [v for v in response.get("Versions", []) if v.get("Key") == self.key]
        versions.sort(key=lambda v: v["LastModified"], reverse=True)
        return [str(v["VersionId"]) for v in versions if not v.get("IsLatest")][:MAX_VERSIONS_TRIED]


def configured_sources(sources_file: str | None, store: S3SourcesStore | None) -> LoadedSources:
    """The sources a deployment runs: a local file if named, else the bucket's, else the bundled."""
    from newsdesk.sources import load_sources

    if sources_file:
        return LoadedSources(load_sources(sources_file), sources_file)
    if store is not None:
        loaded = store.load()
        if loaded is not None:
            return loaded
    return LoadedSources(load_sources(None), "bundled sources.yaml")
