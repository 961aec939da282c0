"""EventBridge adapter: the parser's article events go to the stack's bus."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsdesk.article_events import EVENT_SOURCE, ArticleEvent
from newsdesk.errors import StorageError

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient


class EventBridgePublisher:
    def __init__(self, bus_name: str, client: EventBridgeClient) -> None:
        self.bus_name = bus_name
        self.client = client

    def publish(self, event: ArticleEvent) -> None:
        entry: Any = {
            "EventBusName": self.bus_name,
            "Source": EVENT_SOURCE,
            "DetailType": event.detail_type,
            "Detail": event.detail.model_dump_json(),
        }
        response = self.client.put_events(Entries=[entry])
        if response.get("FailedEntryCount"):
            failed = response["Entries"][0]
            # PutEvents reports per-entry failures in a 200 response: raise so the event stays pending.
            raise StorageError(
                f"EventBridge refused {event.detail.event_id}: "
                f"{failed.get('ErrorCode')} {failed.get('ErrorMessage')}"
            )


class MemoryPublisher:
    """Keeps events in a list: for `newsdesk parse`-style local use and tests of the domain."""

    def __init__(self) -> None:
        self.events: list[ArticleEvent] = []

    def publish(self, event: ArticleEvent) -> None:
        self.events.append(event)
