"""The aiortc side of the browser demo: loopback-only ICE, the spoken-reply track, SDP filtering.

Imported only when WebRTC is used (it imports aiortc, aioice and av at the top).

ICE on a loopback-bound server. Left alone, aioice gathers a host candidate on every address of
every interface except 127.0.0.1 (`aioice.ice.get_host_addresses`), announcing the machine's
external address, and answers connectivity checks from anywhere. An `IcePolicy` fixes both for the
connections created inside `with ice_policy(policy):` (a `ContextVar`, so one server's policy never
leaks into another connection of the process):

* `hosts`: the addresses host candidates are gathered on (["127.0.0.1"] on loopback; the bind
  address when bound to one address; None = aioice's own choice, for a wildcard bind);
* `accept(ip)`: whose connectivity checks are answered; a check from elsewhere is dropped, so
  no peer-reflexive candidate is learned from it and nothing is ever sent back to it.

`LOOPBACK_STRICT` accepts 127.0.0.0/8 and ::1 only. Browsers do not offer loopback candidates
(Chromium needs `--allow-loopback-in-peer-connection`) and send their checks to 127.0.0.1 from a
socket bound to one of the machine's own addresses; such packets stay on the loopback interface
(a local destination never reaches a wire), so `LOOPBACK_LOCAL`, the server's default, also answers
checks whose source is one of this machine's own addresses, and nothing else. No STUN or TURN server
is ever configured (aiortc's default is a public STUN server), and `loopback_only_sdp(sdp)` drops
the offer's non-loopback candidates, including `.local` mDNS names that aioice would resolve with
multicast queries on the LAN.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import fractions
import functools
import ipaddress
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import aioice.ice
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError
from av import AudioFrame


@dataclass(frozen=True)
class IcePolicy:
    name: str
    hosts: tuple[str, ...] | None  # host-candidate addresses; None = every interface (aioice's choice)
    accept: Callable[[str], bool] | None  # whose checks are answered; None = anyone


@functools.lru_cache(maxsize=1)
def machine_addresses() -> frozenset[str]:
    """This machine's own interface addresses (aioice's `ifaddr` lists them)."""
    import ifaddr

    found = set()
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            found.add(ip.ip if isinstance(ip.ip, str) else ip.ip[0])
    return frozenset(found)


def _is_loopback_ip(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


LOOPBACK_STRICT = IcePolicy("loopback-strict", ("127.0.0.1",), _is_loopback_ip)
LOOPBACK_LOCAL = IcePolicy("loopback", ("127.0.0.1",), lambda ip: _is_loopback_ip(ip) or ip in machine_addresses())
OPEN = IcePolicy("open", None, None)

_POLICY: contextvars.ContextVar[IcePolicy | None] = contextvars.ContextVar("provoice_ice_policy", default=None)
_original_get_host_addresses = aioice.ice.get_host_addresses
_original_init = aioice.ice.Connection.__init__
_original_request_received = aioice.ice.Connection.request_received


def _get_host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    policy = _POLICY.get()
    if policy is None or policy.hosts is None:
        return _original_get_host_addresses(use_ipv4, use_ipv6)
    return [a for a in policy.hosts if (use_ipv6 if ":" in a else use_ipv4)]


def _init(self, *args, **kwargs) -> None:
    _original_init(self, *args, **kwargs)
    policy = _POLICY.get()
    self._provoice_accept = policy.accept if policy is not None else None


dropped_checks: collections.Counter[str] = collections.Counter()  # source address -> checks ignored


def _request_received(self, message, addr, protocol, *rest):
    accept = getattr(self, "_provoice_accept", None)
    if accept is not None and not accept(addr[0]):
        dropped_checks[addr[0]] += 1
        return  # not ours to answer: no response, no peer-reflexive candidate
    return _original_request_received(self, message, addr, protocol, *rest)


# Each patch consults the policy and is a no-op for connections made outside `ice_policy`.
aioice.ice.get_host_addresses = _get_host_addresses
aioice.ice.Connection.__init__ = _init
aioice.ice.Connection.request_received = _request_received


@contextlib.contextmanager
def ice_policy(policy: IcePolicy | None) -> Iterator[None]:
    """ICE connections created and gathered inside this block follow `policy`."""
    token = _POLICY.set(policy)
    try:
        yield
    finally:
        _POLICY.reset(token)


def is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def policy_for_bind(host: str, strict: bool = False) -> IcePolicy:
    """The ICE policy of a server bound to `host`: loopback -> 127.0.0.1 only (strict: checks from
    loopback only); one address -> host candidates on it; a wildcard (0.0.0.0, ::) or a name ->
    every interface."""
    if is_loopback(host):
        return LOOPBACK_STRICT if strict else LOOPBACK_LOCAL
    try:
        addr = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return OPEN
    return OPEN if addr.is_unspecified else IcePolicy(f"bound:{addr}", (str(addr),), None)


def loopback_only_sdp(sdp: str) -> str:
    """The SDP without candidate lines whose address is not a loopback address."""
    kept = []
    for line in sdp.splitlines():
        if line.startswith("a=candidate:"):
            fields = line.split()
            if len(fields) < 5 or not is_loopback(fields[4]):
                continue
        kept.append(line)
    return "\r\n".join(kept) + "\r\n"


def candidate_addresses(sdp: str) -> list[str]:
    """The addresses of the candidate lines of an SDP (for tests and logs)."""
    return [line.split()[4] for line in sdp.splitlines() if line.startswith("a=candidate:") and len(line.split()) > 4]


def new_peer_connection() -> RTCPeerConnection:
    """A peer connection with no STUN/TURN server: host candidates only."""
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


class SpeechTrack(MediaStreamTrack):
    """An outgoing audio track: silence, or the speech queued with `say()`, in real time.

    Frames are 20 ms of mono s16 at 48 kHz, paced against absolute deadlines from the first frame
    (as aiortc's own `AudioStreamTrack`), so the browser hears speech as soon as it is queued.
    """

    kind = "audio"
    rate = 48000
    ptime = 0.020

    def __init__(self) -> None:
        super().__init__()
        self._queue: list[np.ndarray] = []
        self._pending = np.zeros(0, dtype=np.int16)
        self._start: float | None = None
        self._pts = 0
        self.samples_spoken = 0

    def say(self, x: np.ndarray, rate: int) -> float:
        """Queue float32 mono speech at `rate`; returns its duration in seconds."""
        from ..audio import resample

        y = resample(np.asarray(x, dtype=np.float32), rate, self.rate)
        self._queue.append(np.round(np.clip(y, -1, 1) * 32767).astype(np.int16))
        return len(y) / self.rate

    @property
    def busy(self) -> bool:
        return bool(self._queue) or len(self._pending) > 0

    def _take(self, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        while filled < n and (len(self._pending) or self._queue):
            if not len(self._pending):
                self._pending = self._queue.pop(0)
            k = min(n - filled, len(self._pending))
            out[filled:filled + k] = self._pending[:k]
            self._pending = self._pending[k:]
            filled += k
        self.samples_spoken += filled
        return out

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        n = int(self.rate * self.ptime)
        if self._start is None:
            self._start = time.time()
        else:
            self._pts += n
            await asyncio.sleep(max(0.0, self._start + self._pts / self.rate - time.time()))
        frame = AudioFrame.from_ndarray(self._take(n).reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.rate
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, self.rate)
        return frame
