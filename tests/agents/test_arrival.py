"""Arrival stamps (agents/arrival.py): each server frame stamped with the kernel's arrival of its
last byte, an uncertainty that bounds the stamp's lateness, and the engine stamping there under a
wall clock only. Clocks are injected; the socket tests assert causality (order), never durations."""

from __future__ import annotations

import json
import random
import select
import socket
import time

import numpy as np
import pytest
from websockets.asyncio.server import serve
from websockets.frames import Frame, Opcode

from provoice_live.agents.arrival import ArrivalBook, ClockPair, FrameBoundaries, StampedSocket
from provoice_live.agents.base import Arrival, SessionContext, TextEvent
from provoice_live.agents.websocket import WebSocketAgent
from provoice_live.engine.core import SessionCore
from provoice_live.engine.health import run_timed
from provoice_live.engine.session import SessionConfig, run_session
from provoice_live.sources.file import FileSource

HEAD = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"


def frame(payload: bytes, opcode: Opcode = Opcode.TEXT, fin: bool = True, mask: bool = False) -> bytes:
    return Frame(opcode, payload, fin=fin).serialize(mask=mask, extensions=[])


def stream() -> tuple[bytes, list[int]]:
    """An HTTP head then frames of every header form (7-, 16-, 64-bit lengths, empty, masked,
    fragmented, control), and the absolute offsets where each frame ends."""
    frames = [frame(b'{"type":"hello","version":1}'), frame(b"x" * 300), frame(b"y" * 70000, Opcode.BINARY),
              frame(b""), frame(b"masked", mask=True), frame(b"part", fin=False), frame(b"rest", Opcode.CONT),
              frame(b"", Opcode.PING), frame(b"z" * 125)]
    data, ends = HEAD, []
    for f in frames:
        data += f
        ends.append(len(data))
    return data, ends


@pytest.mark.parametrize("seed", range(6))
def test_frame_ends_are_found_however_the_stream_is_cut(seed):
    data, ends = stream()
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(data)), 40)) if seed else [len(HEAD) - 2]  # 0: inside the blank line
    scanner, found, at = FrameBoundaries(), [], 0
    for cut in cuts + [len(data)]:
        found += [at + e for e in scanner.scan(data[at:cut])]
        at = cut
    assert found == ends
    assert not scanner.broken


def test_every_single_byte_cut_of_the_head_and_small_frames():
    data = HEAD + frame(b"ab") + frame(b"c" * 200) + frame(b"", Opcode.PONG)
    scanner, found = FrameBoundaries(), []
    for i in range(len(data)):
        found += [i + e for e in scanner.scan(data[i:i + 1])]
    assert found == [len(HEAD) + 4, len(HEAD) + 4 + 204, len(data)]


def test_a_stream_without_an_http_head_stops_stamping():
    scanner = FrameBoundaries()
    for _ in range(3):
        scanner.scan(b"x" * 30000)
    assert scanner.broken


class Clocks:
    """Injected clocks: perf (ns) and the kernel's wall clock = perf + offset (which may step)."""

    def __init__(self, offset_ns: int = 1_700_000_000 * 10**9):
        self.perf = 1_000_000_000
        self.offset = offset_ns

    def pair(self) -> ClockPair:
        return ClockPair(realtime_ns=lambda: self.perf + self.offset, perf_ns=lambda: self.perf)


def test_a_kernel_stamp_is_the_arrival_and_its_uncertainty_bounds_the_lateness():
    clocks = Clocks()
    book = ArrivalBook(clocks.pair())  # floor: now
    rng = random.Random(1)
    for _ in range(200):
        arrived = clocks.perf + rng.randrange(1, 50_000_000)  # ns: the bytes came then...
        clocks.perf = arrived + rng.randrange(0, 40_000_000)  # ...and are read up to 40 ms later
        step = rng.choice([0, 0, 0, 5_000_000_000, -5_000_000_000])  # the wall clock may step in between
        kernel = arrived + clocks.offset
        clocks.offset += step
        got = book.arrival(kernel)
        late = got.wall - arrived * 1e-9
        assert -1e-9 <= late <= got.uncertainty + 1e-9
        if step == 0:
            assert late == pytest.approx(0.0, abs=1e-9) and got.uncertainty == 0.0
        else:  # the stamp is meaningless: the read time, back to the floor
            assert got.wall == clocks.perf * 1e-9 and got.uncertainty == pytest.approx(got.wall - book.floor)
        book.floor = clocks.perf * 1e-9  # the socket was emptied by this read
    assert book.arrival(None).uncertainty == 0.0  # no stamp: the read time, bounded by the floor (now)


def test_a_merged_segment_is_bounded_by_the_last_own_stamp_or_the_loops_account():
    clocks = Clocks()
    book = ArrivalBook(clocks.pair())
    t0 = clocks.perf
    clocks.perf = t0 + 10_000_000
    own = book.arrival(t0 + 2_000_000 + clocks.offset)  # its own stamp: exact
    assert own.uncertainty == 0.0 and own.wall == (t0 + 2_000_000) * 1e-9
    # two frames merged: the first stamped with the second's arrival (9 ms), came after `own` (2 ms)
    merged = book.arrival(t0 + 9_000_000 + clocks.offset, shared=True)
    assert merged.wall == pytest.approx((t0 + 9_000_000) * 1e-9)
    assert merged.uncertainty == pytest.approx(0.007)
    # the loop says the bytes came no earlier than 8 ms: a tighter bound
    tight = book.arrival(t0 + 9_000_000 + clocks.offset, shared=True, earliest=(t0 + 8_000_000) * 1e-9)
    assert tight.uncertainty == pytest.approx(0.001)


def pair() -> tuple[StampedSocket, socket.socket]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    client = StampedSocket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect(srv.getsockname())
    server, _ = srv.accept()
    srv.close()
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, server


def test_a_conversions_error_never_reorders_frames_that_came_in_order():
    """Each stamp is converted with its own reading of the two clocks, a few microseconds apart: a
    later frame's stamp may convert a little earlier than the frame before it. TCP delivers in
    order, so the later arrival is held at the earlier one and the move is added to its uncertainty."""
    clocks = Clocks()
    book = ArrivalBook(clocks.pair())
    t0 = clocks.perf
    clocks.perf = t0 + 10_000_000
    first = book.arrival(t0 + 5_000_000 + clocks.offset)
    clocks.offset += 3_000  # the next conversion reads the wall clock 3 µs "late"
    second = book.arrival(t0 + 5_001_000 + clocks.offset - 3_000)  # the kernel stamped it 1 µs after the first
    assert second.wall == first.wall  # converted alone it would be 2 µs before the first
    assert second.uncertainty == pytest.approx(2e-6)
    third = book.arrival(t0 + 6_000_000 + clocks.offset)  # well after: its own stamp, untouched
    assert third.wall == pytest.approx((t0 + 6_000_000) * 1e-9) and third.uncertainty == 0.0


@pytest.mark.skipif(not StampedSocket(socket.AF_INET, socket.SOCK_STREAM).stamping, reason="no kernel stamps here")
def test_frames_read_together_keep_their_own_arrivals():
    client, server = pair()
    try:
        server.sendall(HEAD)
        before_first = time.perf_counter()
        server.sendall(frame(b"first"))
        between = time.perf_counter()
        while time.perf_counter() < between + 0.002:  # bounded: let the clock move on between the sends
            pass
        server.sendall(frame(b"second") + frame(b"x" * 5000))
        after = time.perf_counter()
        got = b""
        client.setblocking(False)  # as under asyncio
        while len(got) < len(HEAD) + 7 + 8 + 5004 and select.select([client], [], [], 5.0)[0]:
            got += client.recv(1 << 18)
        read = time.perf_counter()
        first, second, third = client.arrivals
        assert first.wall <= second.wall + 1e-6 and second.wall <= third.wall + 1e-6 and third.wall <= read  # 1 µs: clock conversion
        # the bound: each stamp is no later than its frame's send plus its uncertainty (the kernel may
        # have merged a frame's segment with later ones, and then says so), and no earlier than the send
        assert first.wall - first.uncertainty <= between and before_first <= first.wall + 1e-6
        assert second.wall - second.uncertainty <= after and between <= second.wall + 1e-6
        assert second.wall - third.wall <= third.uncertainty + 1e-6
    finally:
        client.close()
        server.close()


def test_the_core_stamps_at_the_arrival_under_a_wall_clock_and_ignores_it_otherwise():
    now = [2.0]
    wall_now = 100.0  # perf_counter of "now"
    records = []

    def arrival_time(a: Arrival) -> tuple[float, float]:
        return now[0] - (wall_now - a.wall), a.uncertainty

    wall = SessionCore("s", lambda: now[0], records.append, arrival_time=arrival_time,
                       stamp_uncertainty=lambda: 0.030)
    lock = SessionCore("s", lambda: now[0], records.append, lockstep=True)
    for core in (wall, lock):
        core.agent_event(TextEvent(text="hi", response_id="a"), Arrival(wall=wall_now - 0.025, uncertainty=0.00001))
        core.agent_event(TextEvent(text="ho", response_id="b"))
    (a, b), (c, d) = wall.interjections, lock.interjections
    assert (a.t, a.stamp_uncertainty_ms) == (1.975, 0.01)  # at the arrival, with the arrival's bound
    assert (b.t, b.stamp_uncertainty_ms) == (2.0, 30.0)  # no arrival: now, with the loop's bound
    assert (c.t, c.stamp_uncertainty_ms) == (2.0, None) and (d.t, d.stamp_uncertainty_ms) == (2.0, None)


class Speaker:
    """A conforming server (docs/PROTOCOL.md) that says one thing, unprompted, after a given frame."""

    def __init__(self, after_frames: int):
        self.after = after_frames

    async def __call__(self, ws) -> None:
        frames = 0
        async for message in ws:
            if isinstance(message, bytes):
                frames += 1
                if frames == self.after:
                    await ws.send(json.dumps({"type": "text", "response_id": "r1", "text": "now"}))
                    await ws.send(json.dumps({"type": "done", "response_id": "r1"}))
                continue
            msg = json.loads(message)
            if msg["type"] == "session.start":
                await ws.send(json.dumps({"type": "hello", "version": 1, "wants_polls": False}))
            elif msg["type"] == "end_of_stream":
                await ws.send(json.dumps({"type": "end"}))


@pytest.mark.skipif(not StampedSocket(socket.AF_INET, socket.SOCK_STREAM).stamping, reason="no kernel stamps here")
@pytest.mark.parametrize("clock", ["speed:20", "lockstep"])
def test_the_websocket_adapter_hands_each_message_its_arrival(tmp_path, clock):
    seen: list[tuple[float, Arrival | None]] = []

    class Spy(WebSocketAgent):
        def _emit(self, event):
            if isinstance(event, TextEvent):
                seen.append((self.io.stream_time(), self._arrival))
            super()._emit(event)

    async def go():
        async with serve(Speaker(10), "127.0.0.1", 0, compression=None) as srv:
            agent = Spy(url=f"ws://127.0.0.1:{srv.sockets[0].getsockname()[1]}")
            return await run_session(SessionContext(session_id="a1"), FileSource(np.zeros(16000, np.float32), 16000, 20.0),
                                     agent, tmp_path / "a1.jsonl", SessionConfig(clock=clock, vad=False, tail_s=0.5))

    result = run_timed(go())
    (emitted_at, arrival), = seen
    inter, = result.interjections
    assert arrival is not None and arrival.uncertainty < 0.001
    if clock == "lockstep":  # arrivals never enter lockstep stamps
        assert inter.stamp_uncertainty_ms is None and inter.t == pytest.approx(emitted_at, abs=1e-6)
    else:
        assert inter.stamp_uncertainty_ms == round(arrival.uncertainty * 20 * 1000.0, 3)
        assert inter.t <= emitted_at + 1e-9
