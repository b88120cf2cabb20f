"""Fetching within limits, against a loopback server: statuses, time, size, redirects, addresses.

No test touches the real network: system DNS answers only for localhost and address literals,
and names of other hosts are resolved by stand-in resolvers.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpcore
import httpx
import pytest
from feedserver import FeedServer, Reply, refusing_port, unaccepting_port

from newsbrief.bot.feeds.fetch import (
    BlockedUrl,
    Fetcher,
    FetchError,
    FetchLimits,
    FetchTimeout,
    HttpStatusError,
    TooLarge,
    TooManyRedirects,
    address_allowed,
    new_client,
)

LOOPBACK = FetchLimits(allow_private_addresses=True, timeout_seconds=3, connect_timeout_seconds=1)
GUARDED = replace(LOOPBACK, allow_private_addresses=False)
PUBLIC = "93.184.215.14"


@pytest.fixture(autouse=True)
def system_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Let system DNS answer only for localhost and literals; list the other names it was asked."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def local_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name != "localhost":
            try:
                ipaddress.ip_address(name)
            except ValueError:
                asked.append(name)
                raise socket.gaierror(socket.EAI_NONAME, "no real DNS in tests") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)
    return asked


def answering(*addresses: str) -> Any:
    """Make a resolver that gives every name these addresses."""

    async def resolver(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolver


class Network(httpcore.AsyncNetworkBackend):
    """The sockets below the checks: every address is routed to the loopback server, and noted.

    `down` lists addresses that refuse connections, as a dead host would.
    """

    def __init__(self, *down: str) -> None:
        self.asked: list[str] = []
        self.down = set(down)
        self.sockets = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        self.asked.append(host)
        if host in self.down:
            raise httpcore.ConnectError(f"{host} is down")
        return await self.sockets.connect_tcp("127.0.0.1", port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with new_client(LOOPBACK) as shared:
        yield shared


def fetcher(client: httpx.AsyncClient, **changes: Any) -> Fetcher:
    return Fetcher(client, replace(LOOPBACK, **changes))


async def test_a_feed_comes_back_with_its_validators_and_user_agent(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    url = server.add(
        "/feed", Reply(body=b"<rss/>", headers={"ETag": '"v1"', "Content-Type": "text/xml"})
    )
    response = await fetcher(client).fetch(url)
    assert (response.status, response.body, response.etag) == (200, b"<rss/>", '"v1"')
    assert response.content_type == "text/xml" and response.moved_to is None
    assert server.requests_to("/feed")[0].headers["user-agent"].startswith("newsbrief/")


async def test_validators_are_sent_and_304_means_no_body(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    def conditional(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(body=b"<rss/>", headers={"ETag": '"v1"'})

    url = server.add("/feed", conditional)
    response = await fetcher(client).fetch(
        url, etag='"v1"', last_modified="Sat, 01 Jun 2024 10:00:00 GMT"
    )
    assert response.not_modified and response.body == b""
    sent = server.requests_to("/feed")[0].headers
    assert sent["if-modified-since"] == "Sat, 01 Jun 2024 10:00:00 GMT"


@pytest.mark.parametrize("status", [404, 410, 500])
async def test_error_statuses_raise_with_the_status(
    server: FeedServer, client: httpx.AsyncClient, status: int
) -> None:
    url = server.add("/feed", Reply(status, b"no", headers={"Retry-After": "120"}))
    with pytest.raises(HttpStatusError) as caught:
        await fetcher(client).fetch(url)
    assert caught.value.status == status and str(caught.value) == f"HTTP {status}"
    assert caught.value.gone == (status == 410) and caught.value.retry_after == "120"


async def test_a_connection_that_is_never_accepted_times_out(
    client: httpx.AsyncClient,
) -> None:
    with unaccepting_port() as port, pytest.raises(FetchTimeout, match=r"no connection within 1 s"):
        await fetcher(client).fetch(f"http://127.0.0.1:{port}/feed")


async def test_a_server_dripping_a_byte_a_second_ends_at_the_total_deadline(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    url = server.add("/drip", Reply(body=b"<rss>" + b" " * 100 + b"</rss>", drip=0.5))
    with pytest.raises(FetchTimeout, match=r"no complete answer within 1\.5 s"):
        await fetcher(client, timeout_seconds=1.5).fetch(url)
    assert len(server.requests_to("/drip")) == 1  # the deadline ended it, not a retry or a hang


async def test_a_declared_oversized_body_is_refused_before_reading(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    url = server.add("/big", Reply(body=b"x" * 5000))
    with pytest.raises(TooLarge, match="5000 bytes is over the 1000-byte limit"):
        await fetcher(client, max_bytes=1000).fetch(url)


async def test_hundreds_of_megabytes_streamed_end_quickly_at_the_cap(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    sent = [0]

    def endless() -> Iterator[bytes]:
        block = b"<item>" + b"x" * (1 << 20)
        for _ in range(500):
            sent[0] += 1
            yield block

    url = server.add("/huge", lambda _headers: Reply(chunks=endless()))
    with pytest.raises(TooLarge, match="passed the 10000000-byte limit"):
        await fetcher(client, max_bytes=10_000_000).fetch(url)
    # Reading stopped at the cap: the server got to write little more than 10 MB (socket
    # buffers hold a few more blocks), never the 500 it had.
    assert sent[0] < 40


async def test_a_compression_bomb_is_capped_on_the_decoded_size(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    url = server.add("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(TooLarge):
        await fetcher(client, max_bytes=1_000_000).fetch(url)


async def test_gzip_bodies_are_decoded(server: FeedServer, client: httpx.AsyncClient) -> None:
    url = server.add(
        "/gz", Reply(body=gzip.compress(b"<rss/>"), headers={"Content-Encoding": "gzip"})
    )
    assert (await fetcher(client).fetch(url)).body == b"<rss/>"


async def test_a_redirect_loop_is_named(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.add("/a", Reply(302, headers={"Location": "/b"}))
    url = server.add("/b", Reply(302, headers={"Location": "/a"}))
    with pytest.raises(TooManyRedirects, match="redirect loop"):
        await fetcher(client).fetch(url)


async def test_a_long_redirect_chain_stops_at_the_limit(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    for n in range(10):
        server.add(f"/r{n}", Reply(307, headers={"Location": f"/r{n + 1}"}))
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        await fetcher(client, max_redirects=3).fetch(server.url("/r0"))


async def test_permanent_redirects_report_the_new_address_and_temporary_ones_do_not(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.add("/old", Reply(301, headers={"Location": "/new"}))
    server.add("/new", Reply(302, headers={"Location": "/today"}))
    server.add("/today", Reply(body=b"<rss/>"))
    server.add("/temp", Reply(307, headers={"Location": "/today"}))
    moved = await fetcher(client).fetch(server.url("/old"))
    assert moved.moved_to == server.url("/new") and moved.url == server.url("/today")
    assert (await fetcher(client).fetch(server.url("/temp"))).moved_to is None


async def test_only_http_and_https_are_fetched(client: httpx.AsyncClient) -> None:
    for url in ("file:///etc/passwd", "ftp://example.com/feed", "gopher://x/", "http:///nohost"):
        with pytest.raises(BlockedUrl):
            await fetcher(client).fetch(url)


async def test_private_addresses_are_refused_unless_allowed(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    url = server.add("/feed", Reply(body=b"<rss/>"))
    with pytest.raises(BlockedUrl, match="private or reserved address"):
        await fetcher(client, allow_private_addresses=False).fetch(url)
    assert server.requests_to("/feed") == []


async def test_a_name_resolving_to_any_private_address_is_refused(
    client: httpx.AsyncClient,
) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        return ["93.184.215.14", "10.0.0.7"]

    guarded = Fetcher(client, FetchLimits(allow_private_addresses=False), resolver=resolver)
    with pytest.raises(BlockedUrl, match=r"10\.0\.0\.7"):
        await guarded.fetch("http://feeds.example/rss")


async def test_a_redirect_into_a_private_network_is_refused(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    async def public_localhost(host: str, port: int) -> list[str]:
        return ["93.184.215.14"]

    server.add("/feed", Reply(body=b"<rss/>"))
    hop = server.add("/hop", Reply(302, headers={"Location": server.url("/feed")}))
    guarded = Fetcher(
        client,
        FetchLimits(allow_private_addresses=False, timeout_seconds=3),
        resolver=public_localhost,
    )
    with pytest.raises(BlockedUrl, match=r"127\.0\.0\.1"):
        await guarded.fetch(hop.replace("127.0.0.1", "localhost"))
    assert server.requests_to("/feed") == []


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("ff02::1", False),
        ("not an address", False),
    ],
)
def test_address_rules(address: str, allowed: bool) -> None:
    assert address_allowed(address) is allowed


async def test_a_refused_connection_is_a_clear_error(client: httpx.AsyncClient) -> None:
    with refusing_port() as port, pytest.raises(FetchError, match="cannot connect"):
        await fetcher(client).fetch(f"http://127.0.0.1:{port}/feed")


async def test_each_host_gets_at_most_its_share_of_connections(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    lock = threading.Lock()
    active = [0, 0]
    pair = threading.Barrier(2, timeout=60)  # each request waits for a second one to arrive

    def slow(_headers: dict[str, str]) -> Reply:
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        pair.wait()
        time.sleep(0.1)  # room for a third request, were the limit not kept
        with lock:
            active[0] -= 1
        return Reply(body=b"<rss/>")

    url = server.add("/slow", slow)
    shared = fetcher(client, host_concurrency=2)
    await asyncio.gather(*(shared.fetch(url) for _ in range(6)))
    assert active[1] == 2


async def test_a_name_rebinding_to_loopback_after_the_check_never_reaches_it(
    server: FeedServer,
) -> None:
    looked_up: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return [PUBLIC] if len(looked_up) == 1 else ["127.0.0.1"]

    url = server.add("/feed", Reply(body=b"<rss/>")).replace("127.0.0.1", "localhost")
    async with new_client(GUARDED, resolver=rebinding) as guarded:
        with pytest.raises(BlockedUrl) as caught:
            await Fetcher(guarded, GUARDED, resolver=rebinding).fetch(url)
    assert caught.value.url == url
    assert str(caught.value) == "localhost is a private or reserved address (127.0.0.1)"
    assert looked_up == ["localhost", "localhost"] and server.requests_to("/feed") == []


@pytest.mark.parametrize(
    ("host", "answer", "refused"),
    [
        ("localhost", ["127.0.0.1"], "127.0.0.1"),
        ("metadata.example", ["169.254.169.254"], "169.254.169.254"),
        ("mixed.example", [PUBLIC, "10.0.0.7"], "10.0.0.7"),
        ("127.0.0.1", [PUBLIC], "127.0.0.1"),
    ],
)
async def test_a_private_address_is_refused_at_connect_time_even_unchecked_before(
    server: FeedServer, host: str, answer: list[str], refused: str
) -> None:
    url = server.add("/feed", Reply(body=b"<rss/>")).replace("127.0.0.1", host)
    network = Network()
    async with new_client(GUARDED, resolver=answering(*answer), network=network) as guarded:
        with pytest.raises(BlockedUrl) as caught:
            await Fetcher(guarded, LOOPBACK).fetch(url)  # LOOPBACK: no check before connecting
    assert caught.value.url == url
    assert str(caught.value) == f"{host} is a private or reserved address ({refused})"
    assert network.asked == [] and server.requests_to("/feed") == []


async def test_an_allowed_name_is_connected_at_the_checked_address_and_keeps_its_name(
    server: FeedServer, system_lookups: list[str]
) -> None:
    server.add("/feed", Reply(body=b"<rss/>"))
    port = server.base.rsplit(":", 1)[1]
    network = Network()
    async with new_client(GUARDED, resolver=answering(PUBLIC), network=network) as guarded:
        response = await Fetcher(guarded, GUARDED, resolver=answering(PUBLIC)).fetch(
            f"http://feeds.example:{port}/feed"
        )
    assert (response.status, response.body) == (200, b"<rss/>")
    assert network.asked == [PUBLIC] and system_lookups == []
    assert server.requests_to("/feed")[0].headers["host"] == f"feeds.example:{port}"


async def test_the_next_checked_address_is_tried_when_one_is_down(server: FeedServer) -> None:
    url = server.add("/feed", Reply(body=b"<rss/>")).replace("127.0.0.1", "feeds.example")
    resolver = answering("93.184.215.15", PUBLIC)
    network = Network("93.184.215.15")
    async with new_client(GUARDED, resolver=resolver, network=network) as guarded:
        response = await Fetcher(guarded, GUARDED, resolver=resolver).fetch(url)
    assert response.body == b"<rss/>" and network.asked == ["93.184.215.15", PUBLIC]


async def test_a_name_that_does_not_resolve_at_connect_time_is_a_clear_error() -> None:
    async def nowhere(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async with new_client(LOOPBACK, resolver=nowhere, network=Network()) as client:
        with pytest.raises(FetchError, match=r"cannot connect: cannot resolve feeds\.example"):
            await Fetcher(client, LOOPBACK).fetch("http://feeds.example/rss")


async def test_a_proxy_from_the_environment_is_still_used_even_on_a_loopback_address(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.base)
    server.add("http://feeds.example/rss", Reply(body=b"<rss/>"))
    network = Network(PUBLIC)  # a direct connection would fail
    async with new_client(GUARDED, resolver=answering(PUBLIC), network=network) as proxied:
        response = await Fetcher(proxied, GUARDED, resolver=answering(PUBLIC)).fetch(
            "http://feeds.example/rss"
        )
    assert response.body == b"<rss/>" and network.asked == []
