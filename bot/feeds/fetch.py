"""Fetch feeds and pages over HTTP within limits on time, size, redirects, hosts and addresses.

Every fetch goes through one shared `httpx.AsyncClient`; this module adds what httpx leaves to
its caller: a total deadline (a server dripping a byte a second still ends on time), a size cap
enforced while the body streams in, redirects followed by hand so each hop's address is checked,
a concurrency limit per host, and conditional GET.

Addresses are checked twice, and the second check is the one that holds. `Fetcher` looks up each
hop's host before asking for it, which refuses early with the URL in the message. Then the client
from `new_client` connects through `CheckedNetworkBackend`, which resolves the host itself,
refuses the same addresses, and connects to the very address it checked: a DNS server that
answers a public address to the first look-up and 127.0.0.1 to the next (DNS rebinding) gains
nothing. TLS still verifies the host name, which httpcore passes on its own. A proxy from the
environment (`HTTP_PROXY`, ...) is still used; through one, only the first check applies, since
the proxy resolves the name.

FetchError              a fetch that gave no usable body; `str()` says why in a few words
 ├── BlockedUrl         a scheme other than http(s), or a private, loopback or reserved address
 ├── HttpStatusError    the server answered 4xx or 5xx (`status`, `retry_after`, `gone`)
 ├── TooLarge           the body passed the size cap
 ├── TooManyRedirects   a redirect loop or a chain longer than the limit
 └── FetchTimeout       no connection, or no complete answer, in time
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import httpcore
import httpx

from newsbrief.bot.errors import NewsbriefError

__all__ = [
    "FEED_ACCEPT",
    "PAGE_ACCEPT",
    "USER_AGENT",
    "BlockedUrl",
    "CheckedNetworkBackend",
    "FetchError",
    "FetchLimits",
    "FetchResponse",
    "FetchTimeout",
    "Fetcher",
    "HttpStatusError",
    "TooLarge",
    "TooManyRedirects",
    "address_allowed",
    "new_client",
]

USER_AGENT = "newsbrief/0.1 (+https://github.com/newsbrief/newsbrief; feed reader)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=40)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
Resolver = Callable[[str, int], Awaitable[list[str]]]


class FetchError(NewsbriefError):
    """A fetch that gave no usable body; the message says why, the URL is kept beside it."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason)
        self.url = url
        self.reason = reason


class BlockedUrl(FetchError):
    """A URL newsbrief refuses to fetch: not http(s), or an address inside a private network."""


class HttpStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, url: str, status: int, retry_after: str | None = None) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after

    @property
    def gone(self) -> bool:
        """Tell whether the server says the resource is gone for good (410)."""
        return self.status == 410


class TooLarge(FetchError):
    """The body is larger than the cap; reading stopped there."""


class TooManyRedirects(FetchError):
    """The redirects went round in a loop or past the limit."""


class FetchTimeout(FetchError):
    """No connection, or no complete answer, within the time allowed."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """How far one fetch may go."""

    max_bytes: int = 10_000_000
    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 10.0
    max_redirects: int = 5
    host_concurrency: int = 2
    allow_private_addresses: bool = False
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class FetchResponse:
    """A complete answer: 200 with its body, or 304 with none."""

    url: str
    status: int
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    cache_control: str | None = None
    retry_after: str | None = None
    moved_to: str | None = None
    seconds: float = 0.0

    @property
    def not_modified(self) -> bool:
        """Tell whether the server said nothing changed since the validators we sent."""
        return self.status == 304


def address_allowed(address: str) -> bool:
    """Tell whether an IP address is a public unicast one that a feed may live on."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class _RefusedAddress(Exception):
    """A connection refused by `CheckedNetworkBackend`; `Fetcher` turns it into `BlockedUrl`."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} is a private or reserved address ({address})")


class CheckedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Connect only to an address this backend resolved and checked itself, never to the name.

    httpcore hands `connect_tcp` the host name and opens TLS on the returned stream with the
    name as `server_hostname`, so certificates and the Host header keep the name.
    """

    def __init__(
        self,
        resolver: Resolver,
        *,
        allow_private_addresses: bool = False,
        network: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.resolver = resolver
        self.allow_private_addresses = allow_private_addresses
        self.network = network or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve `host`, refuse it if any address is disallowed, else connect to an address."""
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        addresses = await self._addresses(host, port, deadline)
        if not self.allow_private_addresses:
            for address in addresses:
                if not address_allowed(address):
                    raise _RefusedAddress(host, address)
        for address in addresses[:-1]:
            try:
                return await self._open(address, port, deadline, local_address, socket_options)
            except httpcore.ConnectError:
                continue
        return await self._open(addresses[-1], port, deadline, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: a Unix socket has no address to check."""
        raise httpcore.ConnectError("newsbrief does not fetch over Unix sockets")

    async def sleep(self, seconds: float) -> None:
        """Wait between connection retries the way the network backend does."""
        await self.network.sleep(seconds)

    async def _open(
        self,
        address: str,
        port: int,
        deadline: float | None,
        local_address: str | None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None,
    ) -> httpcore.AsyncNetworkStream:
        left = None if deadline is None else max(deadline - asyncio.get_running_loop().time(), 0.0)
        return await self.network.connect_tcp(
            address, port, timeout=left, local_address=local_address, socket_options=socket_options
        )

    async def _addresses(self, host: str, port: int, deadline: float | None) -> list[str]:
        if _is_ip(host):
            return [host.strip("[]")]
        try:
            async with asyncio.timeout_at(deadline):
                found = await self.resolver(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"cannot resolve {host} in time") from None
        except OSError as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {_short(error)}") from None
        if not found:
            raise httpcore.ConnectError(f"cannot resolve {host}")
        return list(dict.fromkeys(found))


def new_client(
    limits: FetchLimits | None = None,
    *,
    resolver: Resolver = _system_resolver,
    network: httpcore.AsyncNetworkBackend | None = None,
) -> httpx.AsyncClient:
    """Make the one client a process shares; it connects only to addresses it has checked.

    Redirects are followed by `Fetcher`, not httpx. `resolver` looks names up and `network`
    opens sockets (AnyIO's by default); tests replace them.
    """
    limits = limits or FetchLimits()
    client = httpx.AsyncClient(
        follow_redirects=False,
        headers={"User-Agent": limits.user_agent},
        timeout=httpx.Timeout(limits.timeout_seconds, connect=limits.connect_timeout_seconds),
        limits=POOL_LIMITS,
    )
    backend = CheckedNetworkBackend(
        resolver, allow_private_addresses=limits.allow_private_addresses, network=network
    )
    _connect_through(client, backend)
    return client


def _connect_through(client: httpx.AsyncClient, backend: httpcore.AsyncNetworkBackend) -> None:
    """Give the client's direct connections (not its proxies) `backend`.

    httpx takes no network backend, and passing a transport of our own would drop the proxies
    it reads from the environment; so the client is built as usual and its default pool is
    replaced by one with the same settings. If httpx moves the pool, this fails at start
    instead of fetching unchecked.
    """
    transport = getattr(client, "_transport", None)
    if not isinstance(transport, httpx.AsyncHTTPTransport) or not isinstance(
        getattr(transport, "_pool", None), httpcore.AsyncConnectionPool
    ):
        raise RuntimeError("this httpx keeps its connection pool elsewhere; cannot check addresses")
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=POOL_LIMITS.max_connections,
        max_keepalive_connections=POOL_LIMITS.max_keepalive_connections,
        keepalive_expiry=POOL_LIMITS.keepalive_expiry,
        network_backend=backend,
    )


@dataclass
class Fetcher:
    """Fetches through a shared client under `limits`, at most `host_concurrency` per host."""

    client: httpx.AsyncClient
    limits: FetchLimits = field(default_factory=FetchLimits)
    resolver: Resolver = _system_resolver
    _hosts: dict[str, asyncio.Semaphore] = field(default_factory=dict, init=False, repr=False)

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResponse:
        """Fetch a URL, following redirects by hand; raise `FetchError` saying why it failed."""
        started = time.monotonic()
        budget = self.limits.timeout_seconds
        headers = {"User-Agent": self.limits.user_agent, "Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        moved_to: str | None = None
        permanent = True
        current = url
        for _hop in range(self.limits.max_redirects + 1):
            host = _check_scheme(current)
            async with self._host_slot(host):
                hop_started = time.monotonic()
                try:
                    async with asyncio.timeout(budget):
                        outcome = await self._one_hop(current, host, headers)
                except TimeoutError:
                    raise FetchTimeout(
                        current, f"no complete answer within {self.limits.timeout_seconds:g} s"
                    ) from None
                budget -= time.monotonic() - hop_started
            if isinstance(outcome, FetchResponse):
                return replace(outcome, moved_to=moved_to, seconds=time.monotonic() - started)
            status, target = outcome
            if target in seen:
                raise TooManyRedirects(url, f"redirect loop at {target}")
            seen.add(target)
            permanent = permanent and status in PERMANENT_REDIRECTS
            if permanent:
                moved_to = target
            current = target
        raise TooManyRedirects(url, f"more than {self.limits.max_redirects} redirects")

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self.limits.host_concurrency)
        return slot

    async def _one_hop(
        self, url: str, host: str, headers: dict[str, str]
    ) -> FetchResponse | tuple[int, str]:
        """Fetch one URL without following redirects: a response, or (status, next URL)."""
        if not self.limits.allow_private_addresses:
            await self._check_addresses(url, host)
        timeout = httpx.Timeout(
            self.limits.timeout_seconds, connect=self.limits.connect_timeout_seconds
        )
        try:
            async with self.client.stream(
                "GET", url, headers=headers, timeout=timeout, follow_redirects=False
            ) as response:
                status = response.status_code
                if status in REDIRECTS and "location" in response.headers:
                    try:
                        target = str(response.url.join(response.headers["location"]))
                    except httpx.InvalidURL as error:
                        raise FetchError(url, f"bad redirect target: {error}") from None
                    return status, target
                if status >= 400:
                    raise HttpStatusError(url, status, response.headers.get("retry-after"))
                body = b"" if status == 304 else await self._read(url, response)
                return FetchResponse(
                    url=url,
                    status=status,
                    body=body,
                    content_type=response.headers.get("content-type"),
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    cache_control=response.headers.get("cache-control"),
                    retry_after=response.headers.get("retry-after"),
                )
        except _RefusedAddress as error:
            raise BlockedUrl(url, str(error)) from None
        except httpx.ConnectTimeout:
            raise FetchTimeout(
                url, f"no connection within {self.limits.connect_timeout_seconds:g} s"
            ) from None
        except httpx.TimeoutException:
            raise FetchTimeout(url, f"no answer within {self.limits.timeout_seconds:g} s") from None
        except httpx.ConnectError as error:
            raise FetchError(url, f"cannot connect: {_short(error)}") from None
        except httpx.DecodingError as error:
            raise FetchError(url, f"bad compressed body: {_short(error)}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise FetchError(url, f"{type(error).__name__}: {_short(error)}") from None

    async def _read(self, url: str, response: httpx.Response) -> bytes:
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise TooLarge(url, f"body of {int(declared)} bytes is over the {cap}-byte limit")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > cap:
                raise TooLarge(url, f"body passed the {cap}-byte limit; stopped reading")
        return bytes(body)

    async def _check_addresses(self, url: str, host: str) -> None:
        port = urlsplit(url).port or (443 if url.lower().startswith("https") else 80)
        try:
            addresses = [host.strip("[]")] if _is_ip(host) else await self.resolver(host, port)
        except OSError as error:
            raise FetchError(url, f"cannot resolve {host}: {_short(error)}") from None
        if not addresses:
            raise FetchError(url, f"cannot resolve {host}")
        for address in addresses:
            if not address_allowed(address):
                raise BlockedUrl(url, f"{host} is a private or reserved address ({address})")


def _check_scheme(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise BlockedUrl(url, "not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BlockedUrl(url, f"only http and https are fetched, not {parts.scheme or 'no'!r}")
    if not host:
        raise BlockedUrl(url, "the URL has no host")
    return host.lower()


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."
