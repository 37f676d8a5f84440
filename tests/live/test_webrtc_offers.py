"""`serve`'s offer endpoint against malformed and hostile offers: each gets HTTP 400 with a one-line
reason, prints no traceback and leaves nothing in the session table or on disk. A bounded fuzz
test mutates a real aiortc offer. Everything on 127.0.0.1: the server uses the strict loopback ICE
policy and the offers are made inside `ice_policy(LOOPBACK_STRICT)` (as tests/live/test_webrtc_server.py)."""

from __future__ import annotations

import asyncio
import logging
import random
import time

import pytest

pytest.importorskip("aiortc")
import aiohttp  # noqa: E402
from aiortc.mediastreams import AudioStreamTrack  # noqa: E402

from provoice_live.live.rtc import LOOPBACK_STRICT, ice_policy, new_peer_connection  # noqa: E402
from provoice_live.live.server import LiveServer, sdp_problem  # noqa: E402
from provoice_live.live.session import LiveSpec  # noqa: E402


async def real_offer() -> str:
    """An offer as the page makes it: a microphone track and an "events" data channel."""
    with ice_policy(LOOPBACK_STRICT):
        pc = new_peer_connection()
        pc.createDataChannel("events")
        pc.addTrack(AudioStreamTrack())  # a silent microphone
        await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


@pytest.fixture
async def server(tmp_path):
    srv = LiveServer(LiveSpec(agent="null"), tmp_path / "live", port=0, idle_timeout_s=0.5,
                     strict_loopback=True, connect_timeout_s=0.5)
    await srv.start()
    yield srv
    await srv.stop()


async def post(srv: LiveServer, body, raw: bool = False) -> tuple[int, dict]:
    url = f"http://127.0.0.1:{srv.port}/api/offer"
    async with aiohttp.ClientSession() as http:
        kwargs = {"data": body, "headers": {"Content-Type": "application/json"}} if raw else {"json": body}
        async with http.post(url, **kwargs) as res:
            return res.status, await res.json(content_type=None)


async def sessions(srv: LiveServer) -> dict:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{srv.port}/api/sessions") as res:
            return await res.json()


def no_traceback(capsys, caplog) -> None:
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


NO_MEDIA = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


@pytest.mark.parametrize("body, why", [
    ({"sdp": "hello world", "type": "offer"}, "not SDP"),
    ({"sdp": "", "type": "offer"}, "non-empty SDP"),
    ({"sdp": NO_MEDIA, "type": "offer"}, "no audio media section"),
    ({"sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", "type": "offer"}, "no ICE credentials"),
    ({"sdp": "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 999\r\n", "type": "offer"}, "not parsable SDP"),
    ({"sdp": 7, "type": "offer"}, "'sdp'"),
    ({"type": "offer"}, "'sdp'"),
    ({"sdp": "v=0", "type": "answer"}, "'type'"),
    (["sdp", "v=0"], "JSON object"),
    ("just a string", "JSON object"),
])
async def test_a_malformed_offer_gets_400_and_leaves_nothing(server, body, why, capsys, caplog):
    status, answer = await post(server, body)
    assert status == 400 and why in answer["error"] and "\n" not in answer["error"]
    assert await sessions(server) == {} and server.peers == {}
    assert not server.out.exists() or not any(server.out.iterdir())  # no run directory either
    no_traceback(capsys, caplog)


@pytest.mark.parametrize("field, value, why", [
    ("instruction", {"text": "x"}, "'instruction' must be a string, not an object"),
    ("instruction", 3, "'instruction' must be a string"),
    ("context", [1, 2], "'context'"),
    ("context", "{bad", "not valid JSON"),
    ("context", "[1]", "must be a JSON object"),
    ("speak", "yes", "'speak' must be true or false"),
])
async def test_a_real_offer_with_a_bad_field_gets_400(server, field, value, why, capsys, caplog):
    status, answer = await post(server, {"sdp": await real_offer(), "type": "offer", field: value})
    assert status == 400 and why in answer["error"]
    assert await sessions(server) == {} and server.peers == {}
    no_traceback(capsys, caplog)


async def test_a_body_that_is_not_json_gets_400(server, capsys, caplog):
    status, answer = await post(server, b"{not json", raw=True)
    assert status == 400 and "not JSON" in answer["error"]
    status, answer = await post(server, b"\xff\xfe\x00", raw=True)
    assert status == 400
    assert await sessions(server) == {}
    no_traceback(capsys, caplog)


async def test_an_accepted_peer_that_never_sends_audio_is_forgotten(server):
    """An offer whose audio is receive-only is answered, but no microphone ever comes: dropped."""
    sdp = (await real_offer()).replace("a=sendrecv", "a=recvonly")
    status, answer = await post(server, {"sdp": sdp, "type": "offer"})
    assert status == 200 and list(await sessions(server)) == [answer["session_id"]]
    for _ in range(100):  # the server drops it connect_timeout_s (0.5 s) later; bounded wait
        if not server.peers:
            break
        await asyncio.sleep(0.05)
    assert await sessions(server) == {}


def mutate(sdp: str, rng: random.Random) -> str:
    """One random edit of an SDP: drop, duplicate, swap or garble lines, or garble bytes."""
    lines = sdp.split("\r\n")
    op = rng.randrange(7)
    i = rng.randrange(len(lines))
    if op == 0:
        del lines[i]
    elif op == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif op == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3 and lines[i]:
        k = rng.randrange(len(lines[i]))
        lines[i] = lines[i][:k] + rng.choice(["", " ", ":", "=", "\x00", "999999", "-1", "é", "m=audio"]) + lines[i][k + 1:]
    elif op == 4:
        lines = [ln for ln in lines if not ln.startswith(rng.choice(["m=", "a=ice", "a=fingerprint", "a=rtpmap", "c="]))]
    elif op == 5:
        lines = lines[: rng.randrange(1, len(lines) + 1)]  # truncated
    else:
        lines[i] = "".join(chr(rng.randrange(32, 127)) for _ in range(rng.randrange(40)))
    return "\r\n".join(lines)


def random_body(rng: random.Random, sdp: str):
    pick = rng.randrange(6)
    if pick == 0:
        return rng.choice([None, 0, 1.5, True, "x", [], [sdp], {}])
    body = {"sdp": sdp, "type": "offer"}
    for key in rng.sample(["sdp", "type", "instruction", "context", "speak"], rng.randrange(1, 3)):
        body[key] = rng.choice([None, 0, -1, 1e308, True, "", "v=0", [], {}, {"a": [1]}, "{}", "x" * 500])
    return body


async def test_fuzzed_offers_never_get_500_nor_grow_the_session_table(server, capsys, caplog):
    """Random and mutated offers (bounded: 80 requests or 40 s): 200 or 400, never 500; a 400 leaves
    nothing behind; what was accepted is a real session or is forgotten."""
    rng = random.Random(14)
    base = await real_offer()
    t0, statuses, accepted = time.monotonic(), [], set()
    for k in range(80):
        if time.monotonic() - t0 > 40:
            break
        body = random_body(rng, mutate(base, rng)) if k % 3 == 0 else {"sdp": mutate(base, rng), "type": "offer"}
        status, answer = await post(server, body)
        statuses.append(status)
        assert status in (200, 400), (status, answer, body)
        if status == 200:
            accepted.add(answer["session_id"])
        else:
            assert answer["error"] and "\n" not in answer["error"]
        assert set(await sessions(server)) <= accepted  # a refused offer never enters the table
    assert statuses.count(400) >= len(statuses) // 3  # the fuzz did reach the refusals
    for _ in range(200):  # accepted fuzz peers never connect: each session ends or is dropped (bounded)
        if all(p.task is None or p.task.done() for p in server.peers.values()):
            break
        await asyncio.sleep(0.05)
    table = await sessions(server)
    assert set(table) <= accepted and all(v["done"] for v in table.values())
    no_traceback(capsys, caplog)
    assert sdp_problem(base) is None  # the unmutated offer is a good one
    print("fuzz statuses", {s: statuses.count(s) for s in set(statuses)})
