"""Serialise a graph while sending it: memory stays at a few chunks, whatever the graph's size.

pyoxigraph writes a dump into a file-like object and releases the GIL while it reads the
store, so a producer thread writes into a bounded queue and the response iterates over it. A
dump that ends within the first :data:`WHOLE_BYTES` is returned whole instead (one body with a
Content-Length: most graphs are small). If the client goes away, the producer is told to stop
at its next write.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import IO

CHUNK_BYTES = 1 << 16
WHOLE_BYTES = 1 << 20
_END = object()


class _Stopped(Exception):
    """The consumer went away: the producer ends its dump."""


class _QueueSink:
    """The file the producer writes into: chunks of ~CHUNK_BYTES into a bounded queue."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[object] = queue.Queue(maxsize=8)
        self.parts: list[bytes] = []
        self.size = 0
        self.stopped = threading.Event()

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        if self.size >= CHUNK_BYTES:
            self.flush_chunk()
        return len(data)

    def flush(self) -> None:
        pass

    def flush_chunk(self) -> None:
        if self.parts:
            self.put(b"".join(self.parts))
            self.parts, self.size = [], 0

    def put(self, item: object) -> None:
        while True:
            if self.stopped.is_set():
                raise _Stopped
            try:
                self.chunks.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


def serialise(write: Callable[[IO[bytes]], None]) -> bytes | Iterator[bytes]:
    """The bytes ``write(file)`` produces: whole if small, else an iterator of chunks."""
    sink = _QueueSink()

    def produce() -> None:
        try:
            write(sink)  # type: ignore[arg-type]
            sink.flush_chunk()
            sink.put(_END)
        except _Stopped:
            return
        except BaseException as e:  # noqa: BLE001 - handed to the consumer
            try:
                sink.put(e)
            except _Stopped:
                return

    threading.Thread(target=produce, name="corridor-dump", daemon=True).start()
    head: list[bytes] = []
    size = 0
    while size < WHOLE_BYTES:
        item = sink.chunks.get()
        if item is _END:
            return b"".join(head)
        if isinstance(item, BaseException):
            raise item
        head.append(item)  # type: ignore[arg-type]
        size += len(item)  # type: ignore[arg-type]
    return _Chunks(sink, head)


class _Chunks:
    """The rest of a large dump; ``close`` (called by the WSGI server, also when the client
    left before the first byte) stops the producer."""

    def __init__(self, sink: _QueueSink, head: list[bytes]) -> None:
        self.sink = sink
        self.head = head

    def __iter__(self) -> _Chunks:
        return self

    def __next__(self) -> bytes:
        if self.head:
            return self.head.pop(0)
        item = self.sink.chunks.get()
        if item is _END:
            self.close()
            raise StopIteration
        if isinstance(item, BaseException):
            self.close()
            raise item  # headers are sent: the connection breaks off, the client sees it
        return item  # type: ignore[return-value]

    def close(self) -> None:
        self.sink.stopped.set()
