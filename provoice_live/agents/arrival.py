"""Arrival stamps: when an agent's bytes reached this machine, by the kernel's clock, not the loop's.

An event loop that runs many sessions reads a socket when it gets to it: a reply that arrived while
the loop handed out other sessions' chunks waits in the socket, and a stamp taken when it is read is
late by that wait (tens of milliseconds at 16 sessions on two cores). The kernel stamps every
received packet as it comes in; Linux hands that stamp to `recvmsg` when the socket has
`SO_TIMESTAMPNS` set, for TCP too (the stamp of the last segment the read returned). So:

* `StampedSocket` is a `socket.socket` whose `recv`/`recv_into` (what asyncio's transports call)
  read with `recvmsg` and note each read's `ReadStamp`: the kernel's stamp converted to
  `time.perf_counter()` seconds, and `floor`, a time before which none of the read's bytes had come
  (just before the previous read's system call, when that read emptied the socket; the socket's
  connect otherwise).
* `StampedClientConnection` is the `websockets` client connection that gives each received message
  (each final data frame) an `Arrival`: the read's stamp, and how late it may be. A message whose
  last byte is the read's last byte came in the read's last segment, so the stamp is its arrival
  (uncertainty: the clock conversion's few microseconds). A message followed in the same read by
  more bytes came earlier, at most back to the floor: its uncertainty is `stamp - floor`. So the
  uncertainty is an upper bound on the stamp's lateness, not an estimate.

Where the kernel gives no stamp (not Linux, the option refused), `recv` is the plain one and no
arrival is given: the engine stamps when the event is emitted, with the loop's own uncertainty
(engine/health.py). A realtime clock that steps between the packet and the read (the kernel's
stamps are wall-clock time) shows as a stamp outside [floor, read]: that read then gets the read
time with the uncertainty `read - floor`.

The mechanism is general for any adapter whose connection it can make: the `websocket` adapter
uses it. The SDK-owned connections (openai-realtime, gemini-live) and the HTTP adapters
(omni-chat, cascade) do not hand their sockets over, so they keep the emit-time stamp.
"""

from __future__ import annotations

import asyncio
import collections
import socket
import struct
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

from websockets.asyncio.client import ClientConnection
from websockets.frames import DATA_OPCODES, Frame

from .base import Arrival

# Linux's SO_TIMESTAMPNS (SO_TIMESTAMPNS_OLD, a native struct timespec) is 35 on the common
# architectures; Python does not export the name.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_TIMESPEC = struct.Struct("@ll")
_ANCILLARY = socket.CMSG_SPACE(_TIMESPEC.size) if hasattr(socket, "CMSG_SPACE") else 0


@dataclass(frozen=True)
class ClockPair:
    """The two clocks an arrival stamp joins: the kernel's wall clock and `perf_counter` (ns).
    Injected in tests."""

    realtime_ns: Callable[[], int] = time.time_ns
    perf_ns: Callable[[], int] = time.perf_counter_ns

    def to_perf(self, realtime_ns: int) -> tuple[float, float]:
        """(the `perf_counter()` seconds of a wall-clock stamp, the conversion's error bound in s)."""
        p0 = self.perf_ns()
        r = self.realtime_ns()
        p1 = self.perf_ns()
        offset = r - (p0 + p1) // 2  # wall minus perf, read within [p0, p1]
        return (realtime_ns - offset) * 1e-9, (p1 - p0) * 1e-9


@dataclass(frozen=True)
class ReadStamp:
    """One read from the socket: its bytes arrived within [floor, wall] (perf_counter seconds), the
    last of them at `wall` (to within `error`). `exact`: `wall` is the kernel's stamp (not the read time)."""

    wall: float
    floor: float
    error: float
    exact: bool


class ArrivalBook:
    """The pure part of `StampedSocket`: turns each read's kernel stamp into a `ReadStamp`."""

    def __init__(self, clocks: ClockPair | None = None):
        self.clocks = clocks or ClockPair()
        self.floor = self.clocks.perf_ns() * 1e-9  # no byte came before the socket was made
        self.last: ReadStamp | None = None

    def before_read(self) -> float:
        """Call just before the read's system call; returns the time to pass to `read`."""
        return self.clocks.perf_ns() * 1e-9

    def read(self, began: float, kernel_ns: int | None, emptied: bool) -> ReadStamp:
        """A read that began at `began` returned bytes whose last segment the kernel stamped
        `kernel_ns` (None: no stamp). `emptied`: the read took less than it asked for, so nothing
        that had come before `began` is left for the next read."""
        now = self.clocks.perf_ns() * 1e-9
        floor = self.floor
        wall, error, exact = now, 0.0, False
        if kernel_ns is not None:
            stamped, error = self.clocks.to_perf(kernel_ns)
            if floor - error <= stamped <= now + error:
                wall, exact = min(stamped, now), True
            else:  # the wall clock stepped between the packet and the read: the stamp is meaningless
                error = 0.0
        self.last = ReadStamp(wall=wall, floor=min(floor, wall), error=error, exact=exact)
        if emptied:
            self.floor = began
        return self.last


class StampedSocket(socket.socket):
    """A TCP socket whose reads note the kernel's arrival stamp (`book.last`), where Linux gives one."""

    def __init__(self, *args: Any, clocks: ClockPair | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.book = ArrivalBook(clocks)
        self.stamping = False
        if sys.platform.startswith("linux") and _ANCILLARY:
            try:
                self.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                self.stamping = True
            except OSError:
                pass

    @staticmethod
    def _kernel_ns(ancdata: list) -> int | None:
        for level, kind, data in ancdata:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= _TIMESPEC.size:
                sec, ns = _TIMESPEC.unpack_from(data)
                return sec * 1_000_000_000 + ns
        return None

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        if not self.stamping:
            return super().recv(bufsize, flags)
        began = self.book.before_read()
        data, ancdata, _, _ = self.recvmsg(bufsize, _ANCILLARY, flags)
        if data:
            self.book.read(began, self._kernel_ns(ancdata), emptied=len(data) < bufsize)
        return data

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        if not self.stamping:
            return super().recv_into(buffer, nbytes, flags)
        view = memoryview(buffer).cast("B")
        want = nbytes or len(view)
        began = self.book.before_read()
        n, ancdata, _, _ = self.recvmsg_into([view[:want]], _ANCILLARY, flags)
        if n:
            self.book.read(began, self._kernel_ns(ancdata), emptied=n < want)
        return n


async def open_stamped_socket(host: str, port: int) -> StampedSocket:
    """A connected, non-blocking `StampedSocket` to host:port (each address tried in turn)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    error: OSError | None = None
    for family, type_, proto, _, address in infos:
        sock = StampedSocket(family, type_, proto)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await loop.sock_connect(sock, address)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
        except BaseException:
            sock.close()
            raise
    raise error or OSError(f"no address found for {host}:{port}")


class StampedClientConnection(ClientConnection):
    """A `websockets` client connection that queues one `Arrival` per received message, in order
    (`arrivals`; the reader pops one per message it takes). Made by `websockets.asyncio.client.connect`
    through `create_connection=`, with `sock=` a connected `StampedSocket`."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.arrivals: collections.deque[Arrival | None] = collections.deque()
        self._events = 0  # events of the current read, and the positions of the messages they finish
        self._finished: list[int] = []

    def _stamps(self) -> ArrivalBook | None:
        sock = self.transport.get_extra_info("socket") if self.transport is not None else None
        raw = getattr(sock, "_sock", sock)  # asyncio hands out a TransportSocket wrapping ours
        return raw.book if isinstance(raw, StampedSocket) and raw.stamping else None

    def data_received(self, data: bytes) -> None:
        self._events, self._finished = 0, []
        super().data_received(data)
        book = self._stamps()
        stamp = book.last if book is not None else None
        leftover = bool(getattr(getattr(self.protocol, "reader", None), "buffer", b"x"))
        for position in self._finished:
            if stamp is None:
                self.arrivals.append(None)
                continue
            last = stamp.exact and position == self._events and not leftover
            uncertainty = stamp.error if last else stamp.wall - stamp.floor + stamp.error
            self.arrivals.append(Arrival(wall=stamp.wall, uncertainty=uncertainty))

    def process_event(self, event: Any) -> None:
        super().process_event(event)
        if isinstance(event, Frame):
            self._events += 1
            if event.opcode in DATA_OPCODES and event.fin:
                self._finished.append(self._events)
