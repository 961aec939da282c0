"""The event shapes newsdesk consumes, as pydantic models.

Only the fields newsdesk reads are required, so that every producer of S3 notifications
(S3 itself, moto, a manual re-drive) is accepted.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class S3Bucket(_Lenient):
    name: str


class S3Object(_Lenient):
    key: str = Field(description="URL-encoded, as S3 sends it (a space arrives as '+').")
    etag: str | None = Field(default=None, alias="eTag")
    sequencer: str | None = None


class S3Entity(_Lenient):
    bucket: S3Bucket
    object: S3Object


class S3Record(_Lenient):
    event_name: str = Field(alias="eventName")
    s3: S3Entity


class S3Notification(_Lenient):
    """An S3 event notification; S3's `s3:TestEvent` has no records and comes with `Event` set."""

    records: list[S3Record] = Field(default_factory=list, alias="Records")
    event: str | None = Field(default=None, alias="Event")

    @property
    def is_test_event(self) -> bool:
        return self.event == "s3:TestEvent"
