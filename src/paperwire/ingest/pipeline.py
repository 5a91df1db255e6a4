"""Run any source into the store in batches: one transaction per batch, nothing lost.

A batch holds papers and rejects; a ``Checkpoint`` from the source closes the batch so
that the page it ends and the token to resume after it commit together. A source that
fails part-way keeps every batch committed before the failure, and re-running it is
harmless because upserts are idempotent.
"""

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Engine

from paperwire.records import Checkpoint, PaperRecord, Rejected, SourceItem
from paperwire.store.ingest import bump_data_version, quarantine, save_checkpoint, upsert_papers

DEFAULT_BATCH_SIZE = 1000


@dataclass
class IngestSummary:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    changed_paper_ids: list[int] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.quarantined

    def as_dict(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
        }


ProgressCallback = Callable[[IngestSummary], None]


_DONE = object()


def read_ahead(items: Iterable[SourceItem], size: int) -> Iterator[SourceItem]:
    """Produce ``items`` in a thread while the caller writes to the database.

    Parsing (JSON, XML, gzip) and the database's work overlap: the drivers release the
    GIL while SQLite or PostgreSQL execute. A failure in the source is raised here, in
    order, after the items before it. Items read ahead but not yet written are simply
    read again by a re-run, since writes are idempotent.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=size)
    stop = threading.Event()

    def offer(thing: object) -> bool:
        """Put ``thing`` in the buffer unless the consumer has gone away."""
        while not stop.is_set():
            try:
                buffer.put(thing, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
            offer(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            offer(error)

    producer = threading.Thread(target=produce, name="ingest-read-ahead", daemon=True)
    producer.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(SourceItem, item)
    finally:
        stop.set()
        producer.join(timeout=5)


@dataclass
class _Batch:
    records: dict[str, PaperRecord] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.records) + len(self.rejected)


def run_ingest(
    engine: Engine,
    items: Iterable[SourceItem],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: ProgressCallback | None = None,
    read_ahead_items: bool = True,
) -> IngestSummary:
    summary = IngestSummary()
    batch = _Batch()

    def flush(checkpoint: Checkpoint | None = None) -> None:
        nonlocal batch
        if not batch and checkpoint is None:
            return
        with engine.begin() as connection:
            counts = upsert_papers(connection, list(batch.records.values()))
            summary.quarantined += quarantine(connection, batch.rejected)
            if checkpoint is not None:
                save_checkpoint(connection, checkpoint.key, checkpoint.token)
            if counts.inserted or counts.updated:
                bump_data_version(connection)
        summary.inserted += counts.inserted
        summary.updated += counts.updated
        summary.unchanged += counts.unchanged
        summary.changed_paper_ids.extend(counts.changed_ids)
        batch = _Batch()
        if on_batch is not None:
            on_batch(summary)

    iterator = read_ahead(items, 2 * batch_size) if read_ahead_items else iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            break
        except Exception:
            flush()  # keep what the source gave before it failed
            raise
        if isinstance(item, PaperRecord):
            if item.arxiv_id in batch.records:
                flush()  # a paper twice in one batch: apply the first before the second
            batch.records[item.arxiv_id] = item
        elif isinstance(item, Rejected):
            batch.rejected.append(item)
        else:
            flush(item)
            continue
        if len(batch) >= batch_size:
            flush()
    flush()
    return summary
