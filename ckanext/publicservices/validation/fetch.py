"""Fetching linked resources for validation without becoming an SSRF proxy.

Every hop (the first URL and each redirect, followed by hand) is checked: the scheme must be
http(s), the host name is resolved and every address must be globally routable. The address a socket
actually connects to is checked again (``_GuardedConnection``), so a DNS answer that changes
between the check and the connection (rebinding) is refused too. Downloads are capped in size
(Content-Length and the bytes actually read) and time (connect/read timeouts and an overall
deadline). The per-read timeout alone cannot bound a download: a server that sends one byte
every few seconds never trips it. A watchdog therefore shuts the fetch's sockets down when the
overall deadline passes, which ends a blocked read at once, whatever phase it is in (connecting,
headers, body). Environment proxies are ignored: they would hide the real destination.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import socket
import threading
import time
from typing import IO, Any
from urllib.parse import urljoin, urlparse

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__: list[str] = []

MAX_REDIRECTS = 5
CHUNK = 1 << 16
USER_AGENT = "ckanext-publicservices-validation/1 (+https://github.com/ckan/ckan)"

# cloud metadata services: refused even when private addresses are allowed
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS IPv6
}


class FetchRefused(Exception):
    """The fetch was refused or failed; ``reason`` is a sentence for the publisher's report."""

    def __init__(self, reason: str, url: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url


@dataclasses.dataclass
class FetchResult:
    url: str
    final_url: str
    size: int
    content_type: str
    redirects: list[str]


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n < 1e7 else f"{n / 1e6:.0f} MB"


def address_problem(address: str, allow_private: bool = False) -> str | None:
    """Why connecting to ``address`` is refused, or None when it is allowed."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return f"{ip} (a cloud metadata address)"
    if ip.is_loopback:
        kind = "a loopback"
    elif ip.is_link_local:
        kind = "a link-local"
    elif ip.is_multicast:
        kind = "a multicast"
    elif ip.is_unspecified:
        kind = "an unspecified"
    elif ip.is_private:
        kind = "a private"
    elif not ip.is_global:
        kind = "a reserved (not publicly routable)"
    else:
        return None
    if allow_private and kind in ("a loopback", "a private", "a link-local"):
        return None
    return f"{ip} ({kind} address)"


def check_host(host: str, port: int, allow_private: bool = False) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchRefused(f"the host name {host!r} could not be resolved ({err})") from err
    if not infos:
        raise FetchRefused(f"the host name {host!r} has no addresses")
    for info in infos:
        problem = address_problem(str(info[4][0]), allow_private)
        if problem:
            raise FetchRefused(f"refused: {host} resolves to {problem}")


def _check_socket(sock: socket.socket, allow_private: bool) -> None:
    try:
        peer = sock.getpeername()[0]
    except OSError:
        return
    problem = address_problem(str(peer), allow_private)
    if problem:
        sock.close()
        raise FetchRefused(f"refused: the connection went to {problem}")


class Watchdog:
    """Shuts down every socket of one fetch once ``seconds`` have passed (see the module doc)."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _guarded(base: type, allow_private: bool, watchdog: Watchdog | None) -> type:
    class Guarded(base):
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            _check_socket(sock, allow_private)
            if watchdog is not None:
                watchdog.track(sock)
            return sock

    return Guarded


class GuardedAdapter(HTTPAdapter):
    def __init__(
        self, allow_private: bool = False, watchdog: Watchdog | None = None, **kwargs: Any
    ) -> None:
        self.allow_private = allow_private
        self.watchdog = watchdog
        super().__init__(max_retries=0, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        allow = self.allow_private
        watchdog = self.watchdog

        class HTTPPool(HTTPConnectionPool):
            ConnectionCls = _guarded(urllib3.connection.HTTPConnection, allow, watchdog)

        class HTTPSPool(HTTPSConnectionPool):
            ConnectionCls = _guarded(urllib3.connection.HTTPSConnection, allow, watchdog)

        self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}


def _check_url(url: str, allow_private: bool) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https"):
        raise FetchRefused(
            "refused: only http and https links can be checked, not "
            + (parsed.scheme or "a relative link"),
            url,
        )
    if not parsed.hostname:
        raise FetchRefused("refused: the link has no host name", url)
    if parsed.username or parsed.password:
        raise FetchRefused("refused: links with a user name or password are not fetched", url)
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
    except ValueError as err:
        raise FetchRefused(f"refused: the link's port is invalid ({err})", url) from err
    check_host(parsed.hostname, port, allow_private)


def fetch(
    url: str,
    out: IO[bytes],
    *,
    max_bytes: int,
    timeout: float = 30,
    deadline: float = 300,
    allow_private: bool = False,
) -> FetchResult:
    """Download ``url`` into ``out`` under the guards above; raise FetchRefused with a reason."""
    watchdog = Watchdog(deadline)
    session = requests.Session()
    session.trust_env = False  # no environment proxies or .netrc credentials
    adapter = GuardedAdapter(allow_private=allow_private, watchdog=watchdog)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    started = time.monotonic()
    current = url

    def too_slow() -> FetchRefused:
        return FetchRefused(f"the download took longer than {deadline:g} seconds", current)

    redirects: list[str] = []
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            try:
                _check_url(current, allow_private)
            except FetchRefused as err:
                err.url = current
                raise
            left = deadline - (time.monotonic() - started)
            if watchdog.expired or left <= 0:
                raise too_slow()
            wait = max(0.001, min(timeout, left))
            try:
                response = session.get(
                    current,
                    stream=True,
                    allow_redirects=False,
                    timeout=(wait, wait),
                    headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
                )
            except FetchRefused as err:
                err.url = current
                raise
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
                if watchdog.expired:
                    raise too_slow() from err
                if isinstance(err, requests.Timeout):
                    raise FetchRefused(
                        f"the server did not answer within {wait:g} seconds", current
                    ) from err
                raise FetchRefused(
                    f"the link could not be fetched: {err.__class__.__name__}: {err}", current
                ) from err
            with response:
                if response.is_redirect:
                    location = response.headers.get("Location", "")
                    redirects.append(current)
                    current = urljoin(current, location)
                    continue
                if response.status_code >= 400:
                    raise FetchRefused(
                        f"the server answered HTTP {response.status_code} "
                        f"{response.reason or ''}".strip(),
                        current,
                    )
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise FetchRefused(
                        f"the file is {_mb(int(length))}, more than the {_mb(max_bytes)} limit",
                        current,
                    )
                size = 0
                try:
                    for chunk in response.iter_content(CHUNK):
                        size += len(chunk)
                        if size > max_bytes:
                            raise FetchRefused(
                                f"the file is larger than the {_mb(max_bytes)} limit", current
                            )
                        if watchdog.expired or time.monotonic() - started > deadline:
                            raise too_slow()
                        out.write(chunk)
                except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as err:
                    if watchdog.expired:
                        raise too_slow() from err
                    raise FetchRefused(f"the download failed: {err}", current) from err
                # a socket shut by the watchdog reads as a clean end of a body without length
                if watchdog.expired:
                    raise too_slow()
                return FetchResult(
                    url=url,
                    final_url=current,
                    size=size,
                    content_type=response.headers.get("Content-Type", ""),
                    redirects=redirects,
                )
        raise FetchRefused(f"more than {MAX_REDIRECTS} redirects", current)
    finally:
        watchdog.cancel()
        session.close()
