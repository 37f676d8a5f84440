"""Arrival stamps: when each of an agent's messages reached this machine, by the kernel's clock.

An event loop that runs many sessions reads a socket when it gets to it: a reply that arrived while
the loop handed out other sessions' chunks waits in the socket, and a stamp taken when it is read is
late by that wait (tens of milliseconds at 16 sessions on two cores). The kernel stamps every
received segment as it comes in, and Linux hands that stamp to `recvmsg` when the socket has
`SO_TIMESTAMPNS` set, for TCP too: the stamp of the last segment the read consumed. So:

* `StampedSocket` is the `socket.socket` a WebSocket client connection runs on. Its `recv` (what
  asyncio's transport calls) peeks at the bytes waiting, finds where the server's frames end in
  them (`FrameBoundaries`: the HTTP handshake head, then RFC 6455 frame headers), and takes the
  bytes frame by frame, one `recvmsg` each, so each frame gets the stamp of the segment holding its
  last byte: its arrival, converted to `time.perf_counter()` seconds (`ClockPair`; the kernel
  stamps in wall-clock time). `arrivals` holds one `Arrival` per complete frame, in order.
* `StampedClientConnection` is the `websockets` client connection that keeps one `Arrival` per
  received message (the stamp of its final frame), for the adapter's reader to pop as it takes
  each message.

The uncertainty of a kernel stamp is the clock conversion's (the few microseconds between the two
clock readings), when the stamp is the frame's own. TCP merges segments that wait in a receive
queue nobody reads, and the merged one keeps the latest stamp: a frame whose following bytes carry
its stamp (a one-byte peek after it) may have come earlier, back to the latest of: the socket's
floor, the arrival of the last frame stamped on its own, and the reading loop's own account of
when the bytes could have come (`earliest`, engine/health.py). Its uncertainty is its stamp minus
that. Where no stamp comes (not Linux, the option refused), or the wall clock stepped
between the segment and the read (a stamp outside [floor, now]), the arrival is the read time with
the uncertainty `now - floor`, `floor` being the start of the last read that emptied the socket
(nothing read later came before it): an upper bound on the lateness either way.

General for any adapter that makes its own plain TCP WebSocket connection (the `websocket`
adapter). Not used for `wss://` (the bytes are TLS records: no frame boundaries to find) nor behind
a proxy, nor by the adapters whose SDKs own their connections (openai-realtime, gemini-live) or
speak HTTP (omni-chat, cascade): those keep the emit-time stamp with the loop's uncertainty.
"""

from __future__ import annotations

import asyncio
import collections
import platform
import socket
import struct
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

from websockets.asyncio.client import ClientConnection
from websockets.frames import DATA_OPCODES, Frame

from .base import Arrival

# Linux's SO_TIMESTAMPNS (SO_TIMESTAMPNS_OLD: a native struct timespec) is 35 on the architectures
# that use the generic socket numbers; Python does not export the name.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_GENERIC_NUMBERS = not platform.machine().lower().startswith(("mips", "sparc", "parisc", "alpha"))
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


class ArrivalBook:
    """The pure part of `StampedSocket`: a frame's kernel stamp as an `Arrival` (see the module docstring).

    `floor`: no byte still unread came before it (the start of the last read that emptied the
    socket). `last_exact`: the arrival of the last frame whose stamp was its own; the next frame's
    last byte came after it (TCP delivers in order)."""

    def __init__(self, clocks: ClockPair | None = None):
        self.clocks = clocks or ClockPair()
        self.floor = self.now()  # nothing came before the socket was made
        self.last_exact = self.floor
        self.last_wall = self.floor  # the previous frame's arrival: TCP delivers in order

    def now(self) -> float:
        return self.clocks.perf_ns() * 1e-9

    def arrival(self, kernel_ns: int | None, shared: bool = False, earliest: float | None = None) -> Arrival:
        """The arrival of a frame read just now whose last segment the kernel stamped `kernel_ns`
        (None: no stamp). `shared`: the bytes after the frame carry the same stamp, so the kernel may
        have merged the frame's segment with later ones (TCP coalesces a receive queue that is not
        read at once) and the stamp is that of the latest of them. `earliest`: when the bytes being
        read may have come at the earliest, by the reading loop's own account (None: unknown)."""
        now = self.now()
        lower = max(self.floor, self.last_exact, earliest if earliest is not None else self.floor)
        lower = min(lower, now)
        if kernel_ns is not None:
            wall, error = self.clocks.to_perf(kernel_ns)
            if self.floor - error <= wall <= now + error:
                wall = min(wall, now)
                if not shared:
                    found = self._in_order(Arrival(wall=wall, uncertainty=error))
                    self.last_exact = max(self.last_exact, found.wall)
                    return found
                return self._in_order(Arrival(wall=wall, uncertainty=max(0.0, wall - min(lower, wall)) + error))
        return self._in_order(Arrival(wall=now, uncertainty=now - lower))  # no usable stamp: the read time

    def _in_order(self, found: Arrival) -> Arrival:
        """The arrival no earlier than the previous frame's: TCP delivers in order, and each stamp's
        conversion (its few microseconds of error, `ClockPair.to_perf`) must not reorder two frames
        that came together. Moving a stamp later adds the move to its uncertainty."""
        if found.wall < self.last_wall:
            found = Arrival(wall=self.last_wall, uncertainty=found.uncertainty + self.last_wall - found.wall)
        self.last_wall = found.wall
        return found


class FrameBoundaries:
    """Where the server's WebSocket frames end in the byte stream of a client connection.

    The stream is the server's HTTP handshake response (up to its blank line), then frames (RFC 6455
    section 5.2: two header bytes, a 16- or 64-bit extended length, a masking key when masked, the
    payload). `scan(data)` consumes the next bytes of the stream and returns the offsets in `data`
    just past each frame that ends there; the state carries over between calls. `broken`: the head
    was not found within `MAX_HEAD` bytes (no stamping then; websockets reports the fault)."""

    MAX_HEAD = 64 * 1024

    def __init__(self) -> None:
        self.in_head = True
        self._head_tail = b""  # the last bytes of the head so far, to find its blank line across reads
        self._head_seen = 0
        self._header = bytearray()  # the current frame's header, while incomplete
        self._payload_left = 0  # payload bytes of the current frame still to come
        self.broken = False

    @staticmethod
    def _header_size(b: bytearray) -> int | None:
        if len(b) < 2:
            return None
        n = b[1] & 0x7F
        return 2 + (2 if n == 126 else 8 if n == 127 else 0) + (4 if b[1] & 0x80 else 0)

    @staticmethod
    def _payload_size(b: bytearray) -> int:
        n = b[1] & 0x7F
        return int.from_bytes(b[2:4], "big") if n == 126 else int.from_bytes(b[2:10], "big") if n == 127 else n

    def scan(self, data: bytes) -> list[int]:
        ends: list[int] = []
        i, n = 0, len(data)
        if self.in_head:
            seen = self._head_tail + data
            k = seen.find(b"\r\n\r\n")
            if k < 0:
                self._head_seen += n
                self._head_tail = seen[-3:]
                self.broken = self._head_seen > self.MAX_HEAD
                return ends
            i = k + 4 - len(self._head_tail)
            self.in_head = False
        while i < n:
            if self._payload_left == 0:  # in a header
                need = self._header_size(self._header)
                while (need is None or len(self._header) < need) and i < n:
                    self._header.append(data[i])
                    i += 1
                    need = self._header_size(self._header)
                if need is None or len(self._header) < need:
                    return ends
                self._payload_left = self._payload_size(self._header)
                self._header.clear()
                if self._payload_left == 0:
                    ends.append(i)
                continue
            take = min(self._payload_left, n - i)
            i += take
            self._payload_left -= take
            if self._payload_left == 0:
                ends.append(i)
        return ends


class StampedSocket(socket.socket):
    """A TCP socket for a plain WebSocket client connection whose reads stamp each server frame with
    the kernel's arrival time of its last byte (`arrivals`, one per complete frame, in order).
    `stamping` is False where the kernel gives no stamps: it then reads plainly."""

    def __init__(self, *args: Any, clocks: ClockPair | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.book = ArrivalBook(clocks)
        self.frames = FrameBoundaries()
        self.arrivals: collections.deque[Arrival] = collections.deque()
        self.earliest: Callable[[], float | None] | None = None  # the reading loop's account (engine/health.py)
        self.stamping = False
        if sys.platform.startswith("linux") and _GENERIC_NUMBERS and _ANCILLARY:
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

    def _peek_stamp(self) -> int | None | bool:
        """The stamp of the next unread byte (None: unstamped), or False when nothing is waiting."""
        try:
            data, ancdata, _, _ = self.recvmsg(1, _ANCILLARY, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError, TimeoutError):
            return False
        return self._kernel_ns(ancdata) if data else False

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        if not self.stamping or flags or self.frames.broken:
            return super().recv(bufsize, flags)
        began = self.book.now()
        waiting = super().recv(bufsize, socket.MSG_PEEK)
        if not waiting:
            return waiting
        earliest = self.earliest() if self.earliest is not None else None
        ends = self.frames.scan(waiting)
        cuts = ends if ends and ends[-1] == len(waiting) else ends + [len(waiting)]
        pieces, at, frames = [], 0, set(ends)
        for end in cuts:
            data, ancdata, _, _ = self.recvmsg(end - at, _ANCILLARY)
            pieces.append(data)
            if len(data) < end - at:  # cannot happen (the bytes were peeked): stop stamping, stay correct
                self.frames.broken = True
                break
            if end in frames:
                stamp = self._kernel_ns(ancdata)
                after = self._peek_stamp()
                shared = after is not False and (after is None or after == stamp)
                self.arrivals.append(self.book.arrival(stamp, shared, earliest))
            at = end
        if len(waiting) < bufsize:  # the socket was emptied: what comes next comes after `began`
            self.book.floor = max(self.book.floor, began)
        return b"".join(pieces)


async def open_stamped_socket(host: str, port: int, earliest: Callable[[], float | None] | None = None
                              ) -> StampedSocket:
    """A connected, non-blocking `StampedSocket` to host:port (each address tried in turn).
    `earliest`: when the bytes a loop callback reads now may have come at the earliest (None: unknown)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    error: OSError | None = None
    for family, type_, proto, _, address in infos:
        sock = StampedSocket(family, type_, proto)
        sock.earliest = earliest
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
    """A `websockets` client connection that keeps one `Arrival` per received message, in order
    (`arrivals`; the reader pops one per message it takes): the stamp of the message's final frame.
    Made by `websockets.asyncio.client.connect(..., sock=<a StampedSocket>, create_connection=...)`;
    on any other socket, or once its socket stops stamping, it keeps none (the reader then gets
    None: the engine stamps at the emit)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.arrivals: collections.deque[Arrival] = collections.deque()
        self._stamped: StampedSocket | None = None

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        raw = getattr(sock, "_sock", sock)  # asyncio hands out a TransportSocket wrapping ours
        self._stamped = raw if isinstance(raw, StampedSocket) and raw.stamping else None
        super().connection_made(transport)

    def process_event(self, event: Any) -> None:
        sock = self._stamped
        if isinstance(event, Frame) and sock is not None:
            arrival = sock.arrivals.popleft() if sock.arrivals and not sock.frames.broken else None
            if arrival is None:  # out of step with the socket: give no arrivals rather than wrong ones
                self._stamped = None
                self.arrivals.clear()
            elif event.opcode in DATA_OPCODES and event.fin:
                self.arrivals.append(arrival)
        super().process_event(event)
