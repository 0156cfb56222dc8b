"""The one HTTP client every fetch goes through (URL import, feeds): SSRF rules, limits, encodings.

Rules, each refusal a `FetchError` subclass with a reason a person can read:
- Only ``http`` and ``https`` URLs, with a host and no user name or password in them.
- The host is resolved once. Every address it resolves to must be globally routable: IPv4-mapped
  (``::ffff:a.b.c.d``), NAT64 (``64:ff9b::/96``) and 6to4 (``2002::/16``) addresses are unwrapped
  and their IPv4 address judged; loopback, private, shared (CGNAT), link-local (which holds the
  cloud metadata address 169.254.169.254), multicast, reserved, documentation and unspecified
  addresses are refused. ``ipaddress.is_global`` alone is not trusted: this Python (3.11.7)
  predates the CVE-2024-4032 fix and calls 224.0.0.1 or 192.0.0.9 global, so the special-purpose
  ranges of the IANA registries are listed here as well. Numeric spellings such as
  ``http://2130706433/`` or ``0x7f.1`` resolve to 127.0.0.1 and are refused like it.
- The connection goes to the address that was checked (the request carries the name in ``Host``
  and in TLS SNI, and the certificate is verified against the name): no second DNS lookup, so a
  name whose answer changes between lookups (DNS rebinding) cannot redirect us.
- HTTPS certificates are verified against ``ZAWIYA_FETCH_CA_BUNDLE`` (a PEM file; empty means
  certifi's bundle of public authorities, so verification does not depend on the machine's
  store). A certificate that does not verify, or names another host, is refused (`TLSFailed`)
  and not retried: trying again cannot fix it.
- Redirects are followed by hand, at most ``MAX_REDIRECTS`` (3), each target checked again.
- The body is read in small pieces and decompressed here (gzip, deflate), never more than the cap
  (5 MB) after decompression: a compression bomb is cut off at the cap whatever its ratio.
- A connect timeout, a read timeout per receive and a total deadline (a watchdog shuts the socket
  down), so a server that drips a byte at a time is cut off too.
- The media type must be one the caller accepts (HTML pages, or feeds).
- Text is decoded by byte-order mark, then the charset of ``Content-Type``, then ``<meta charset>``
  or the XML declaration, then detection (UTF-8, UTF-16, Windows-1256 Arabic, charset-normalizer).

``ZAWIYA_FETCH_ALLOW_LOOPBACK`` (default off) lets loopback addresses through, and nothing else: it
exists for the tests' own local HTTP server and must stay off in production.
"""

from __future__ import annotations

import codecs
import contextlib
import ipaddress
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.ssl_match_hostname import CertificateError as HostnameMismatch

from articles.ingestion import DecodeError, decode_bytes

MAX_REDIRECTS = 3
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 16 * 1024

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        # Some outlets serve their feeds as HTML or plain text; feedparser decides.
        "text/html",
        "text/plain",
    }
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Special-purpose ranges (IANA IPv4 and IPv6 special-purpose address registries) that are not
# reachable on the public internet, or must not be reached from here.
_DENIED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared address space (CGNAT); 100.100.100.200 is Alibaba's metadata
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local; 169.254.169.254 is the cloud metadata service
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible form
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",  # Teredo and other IETF protocol assignments
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",  # unique local; AWS's IPv6 metadata address fd00:ec2::254 is in it
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


class FetchError(Exception):
    """A fetch refused or failed; `reason` says why in words, `code` in one word."""

    code = "failed"

    def __init__(self, reason: str, *, url: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url


class UnsupportedURL(FetchError):
    code = "unsupported_url"


class ResolutionFailed(FetchError):
    code = "resolution_failed"


class ForbiddenAddress(FetchError):
    code = "forbidden_address"


class TooManyRedirects(FetchError):
    code = "too_many_redirects"


class TooLarge(FetchError):
    code = "too_large"


class TimedOut(FetchError):
    code = "timed_out"


class UnsupportedContentType(FetchError):
    code = "unsupported_content_type"


class UnsupportedEncoding(FetchError):
    code = "unsupported_encoding"


class ConnectionFailed(FetchError):
    code = "connection_failed"


class TLSFailed(FetchError):
    code = "tls_failed"


class HTTPStatusError(FetchError):
    code = "http_status"

    def __init__(self, reason: str, *, url: str = "", status: int = 0) -> None:
        super().__init__(reason, url=url)
        self.status = status


def is_transient(error: FetchError) -> bool:
    """Whether trying again later may succeed: timeouts, lost connections, 429 and 5xx."""
    if isinstance(error, HTTPStatusError):
        return error.status == 429 or error.status >= 500
    return isinstance(error, TimedOut | ConnectionFailed | ResolutionFailed)


MAX_BYTES = 5 * 1024 * 1024
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
TOTAL_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = MAX_BYTES
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT  # per receive
    total_timeout: float = TOTAL_TIMEOUT  # the whole fetch, redirects included
    max_redirects: int = MAX_REDIRECTS

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=getattr(settings, "ZAWIYA_FETCH_MAX_BYTES", MAX_BYTES),
            connect_timeout=getattr(settings, "ZAWIYA_FETCH_CONNECT_TIMEOUT", CONNECT_TIMEOUT),
            read_timeout=getattr(settings, "ZAWIYA_FETCH_READ_TIMEOUT", READ_TIMEOUT),
            total_timeout=getattr(settings, "ZAWIYA_FETCH_TOTAL_TIMEOUT", TOTAL_TIMEOUT),
        )


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # after redirects
    requested_url: str
    status: int
    headers: dict[str, str]
    content: bytes  # decompressed
    media_type: str
    charset: str | None
    address: str
    redirects: tuple[str, ...] = ()
    fetched_at: datetime = field(default_factory=timezone.now)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> tuple[str, str]:
        """The body as text and the encoding it was read in."""
        return decode_body(self.content, charset=self.charset)


# --- addresses -------------------------------------------------------------------------------


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the tests replace this to simulate DNS answers)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def unwrap(address: Address) -> Address:
    """The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address; else the address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_problem(address: Address, *, allow_loopback: bool = False) -> str | None:
    """Why `address` may not be fetched from, or None when it is globally routable."""
    inner = unwrap(address)
    if allow_loopback and any(inner in net for net in _LOOPBACK if inner.version == net.version):
        return None
    shown = str(address) if inner == address else f"{address} (that is {inner})"
    if inner.is_loopback:
        return f"{shown} is a loopback address"
    if inner.is_link_local:
        return f"{shown} is a link-local address (where cloud metadata services live)"
    if inner.is_multicast:
        return f"{shown} is a multicast address"
    if inner.is_unspecified:
        return f"{shown} is the unspecified address"
    if inner.is_private:
        return f"{shown} is a private address"
    if inner.is_reserved or any(
        inner in net for net in _DENIED_NETWORKS if inner.version == net.version
    ):
        return f"{shown} is a reserved or special-purpose address"
    if not inner.is_global:
        return f"{shown} is not a globally routable address"
    return None


def _allow_loopback() -> bool:
    return bool(getattr(settings, "ZAWIYA_FETCH_ALLOW_LOOPBACK", False))


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, no brackets
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def check_url(url: str) -> Target:
    """Parse, resolve and check a URL; the returned target holds the only addresses to use."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsupportedURL(f"not a valid URL: {exc}", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsupportedURL(
            f"only http and https URLs are fetched, not {scheme or 'a relative URL'!r}", url=url
        )
    if parts.username is not None or parts.password is not None:
        raise UnsupportedURL("URLs with a user name or password are not fetched", url=url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsupportedURL("the URL has no host", url=url)
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise UnsupportedURL(f"invalid host name {host!r}", url=url) from exc
    port = port or (443 if scheme == "https" else 80)
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise ResolutionFailed(f"cannot resolve {host}: {exc}", url=url) from exc
        if not addresses:
            raise ResolutionFailed(f"{host} has no address", url=url)
    allow_loopback = _allow_loopback()
    for raw in addresses:
        problem = address_problem(ipaddress.ip_address(raw), allow_loopback=allow_loopback)
        if problem:
            # One forbidden answer refuses the name: a host that resolves to both a public and a
            # private address is exactly what a rebinding attacker would set up.
            via = "" if literal is not None else f"{host} resolves to "
            raise ForbiddenAddress(f"refused: {via}{problem}", url=url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url, scheme, host, port, path, tuple(addresses))


# --- the request -----------------------------------------------------------------------------


def fetch(
    url: str,
    *,
    accept: frozenset[str] = HTML_TYPES,
    etag: str = "",
    last_modified: str = "",
    limits: Limits | None = None,
) -> FetchResult:
    """GET `url` under every rule in the module docstring; raises a `FetchError` with a reason.

    With `etag` or `last_modified` the request is conditional, and a 304 answer comes back as a
    result whose `not_modified` is true and whose content is empty.
    """
    limits = limits or Limits.from_settings()
    deadline = time.monotonic() + limits.total_timeout
    redirects: list[str] = []
    current = url
    while True:
        target = check_url(current)
        headers = _request_headers(target, accept, etag=etag, last_modified=last_modified)
        result = _exchange(target, headers, accept, limits, deadline, requested_url=url)
        if isinstance(result, FetchResult):
            return _with_redirects(result, redirects)
        status, location = result
        if len(redirects) >= limits.max_redirects:
            raise TooManyRedirects(
                f"more than {limits.max_redirects} redirects (last to {location})", url=url
            )
        current = urljoin(current, location)
        redirects.append(current)


def _with_redirects(result: FetchResult, redirects: list[str]) -> FetchResult:
    if not redirects:
        return result
    return FetchResult(
        url=result.url,
        requested_url=result.requested_url,
        status=result.status,
        headers=result.headers,
        content=result.content,
        media_type=result.media_type,
        charset=result.charset,
        address=result.address,
        redirects=tuple(redirects),
        fetched_at=result.fetched_at,
    )


def _request_headers(
    target: Target, accept: frozenset[str], *, etag: str, last_modified: str
) -> dict[str, str]:
    headers = {
        "Host": target.host_header,
        "User-Agent": getattr(settings, "ZAWIYA_FETCH_USER_AGENT", "Zawiya/0.1"),
        "Accept": ", ".join(sorted(accept)) + ", */*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
        "Accept-Language": "ar, en;q=0.8",
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


class _Watchdog:
    """Shuts a socket down when the total deadline passes, whatever the read is waiting for."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def ca_bundle() -> str:
    """The PEM file of the authorities HTTPS certificates must chain to."""
    configured = str(getattr(settings, "ZAWIYA_FETCH_CA_BUNDLE", "") or "")
    if configured:
        return configured
    import certifi

    return str(certifi.where())


def _connect(target: Target, limits: Limits, deadline: float) -> tuple[HTTPConnection, str]:
    """A connection to one of the checked addresses (never to the name: no second lookup)."""
    last: Exception | None = None
    for address in target.addresses:
        timeout = min(limits.connect_timeout, max(deadline - time.monotonic(), 0.001))
        conn: HTTPConnection
        if target.scheme == "https":
            # The socket goes to the checked address, but SNI (server_hostname) and the
            # certificate check (assert_hostname) use the name from the URL, as a browser would.
            conn = HTTPSConnection(
                address,
                target.port,
                timeout=timeout,
                server_hostname=target.host,
                assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=ca_bundle(),
            )
        else:
            conn = HTTPConnection(address, target.port, timeout=timeout)
        try:
            conn.connect()
        except Exception as exc:  # noqa: BLE001 - every failure moves on to the next address
            conn.close()
            last = exc
            continue
        return conn, address
    if isinstance(last, ssl.SSLCertVerificationError | HostnameMismatch):
        detail = getattr(last, "verify_message", "") or str(last)
        raise TLSFailed(
            f"refused: the TLS certificate of {target.host} is not valid: {detail}",
            url=target.url,
        ) from last
    if isinstance(last, ssl.SSLError):
        raise TLSFailed(
            f"the TLS handshake with {target.host} failed: {last}", url=target.url
        ) from last
    if last is not None and "timed out" in str(last).lower():
        raise TimedOut(
            f"could not connect to {target.host} within {limits.connect_timeout:g} s",
            url=target.url,
        ) from last
    raise ConnectionFailed(f"could not connect to {target.host}: {last}", url=target.url) from last


def _exchange(
    target: Target,
    headers: dict[str, str],
    accept: frozenset[str],
    limits: Limits,
    deadline: float,
    *,
    requested_url: str,
) -> FetchResult | tuple[int, str]:
    """One request: a result, or (status, location) for a redirect to follow."""
    conn, address = _connect(target, limits, deadline)
    assert conn.sock is not None  # noqa: S101 - connect() succeeded
    watchdog = _Watchdog(conn.sock, deadline - time.monotonic())
    try:
        conn.timeout = limits.read_timeout
        conn.request(
            "GET", target.path, headers=headers, preload_content=False, decode_content=False
        )
        response = conn.getresponse()
        status = response.status
        response_headers = {k.lower(): v for k, v in response.headers.items()}
        if status in REDIRECT_STATUSES and response_headers.get("location"):
            return status, response_headers["location"]
        if status == 304:
            return FetchResult(
                target.url, requested_url, status, response_headers, b"", "", None, address
            )
        if not 200 <= status < 300:
            raise HTTPStatusError(
                f"the server answered {status} {response.reason}".strip(),
                url=target.url,
                status=status,
            )
        media_type, charset = parse_content_type(response_headers.get("content-type", ""))
        if media_type not in accept:
            raise UnsupportedContentType(
                f"unexpected content type {media_type or '(none)'!r}", url=target.url
            )
        declared = response_headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limits.max_bytes:
            raise TooLarge(
                f"the body is {int(declared):,} bytes, over the {_mb(limits.max_bytes)} limit",
                url=target.url,
            )
        body = _read_body(
            response.read1, response_headers.get("content-encoding", ""), limits, deadline, target
        )
    except FetchError:
        raise
    except (Urllib3Error, OSError, ssl.SSLError, ValueError) as exc:
        if watchdog.fired or time.monotonic() >= deadline:
            raise _deadline_error(limits, target) from exc
        if isinstance(exc, TimeoutError | socket.timeout) or "timed out" in str(exc).lower():
            raise TimedOut(
                f"no data for {limits.read_timeout:g} s (read timeout)", url=target.url
            ) from exc
        raise ConnectionFailed(f"the connection failed: {exc}", url=target.url) from exc
    finally:
        watchdog.cancel()
        conn.close()
    if watchdog.fired:
        raise _deadline_error(limits, target)
    return FetchResult(
        target.url, requested_url, status, response_headers, body, media_type, charset, address
    )


def _deadline_error(limits: Limits, target: Target) -> TimedOut:
    return TimedOut(
        f"cut off: the response took longer than {limits.total_timeout:g} s in total",
        url=target.url,
    )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def _decompressor(encoding: str, target: Target) -> Any | None:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise UnsupportedEncoding(f"unsupported content encoding {encoding!r}", url=target.url)


def _read_body(
    read1: Callable[..., bytes], encoding: str, limits: Limits, deadline: float, target: Target
) -> bytes:
    """The body, decompressed, read piece by piece and cut off at the cap or the deadline."""
    decoder = _decompressor(encoding, target)
    parts: list[bytes] = []
    total = received = 0

    def add(data: bytes) -> None:
        nonlocal total
        total += len(data)
        if total > limits.max_bytes:
            if decoder is not None:
                raise TooLarge(
                    f"compressed body expands beyond the {_mb(limits.max_bytes)} limit "
                    f"({received:,} bytes received): a compression bomb",
                    url=target.url,
                )
            raise TooLarge(f"the body is over the {_mb(limits.max_bytes)} limit", url=target.url)
        parts.append(data)

    while True:
        if time.monotonic() >= deadline:
            raise _deadline_error(limits, target)
        chunk = read1(CHUNK, decode_content=False)
        if not chunk:
            break
        received += len(chunk)
        if decoder is None:
            add(chunk)
            continue
        try:
            # max_length keeps each step's output within the cap, so memory stays bounded
            # however well the data compresses.
            add(decoder.decompress(chunk, limits.max_bytes - total + 1))
            while decoder.unconsumed_tail:
                add(decoder.decompress(decoder.unconsumed_tail, limits.max_bytes - total + 1))
        except zlib.error as exc:
            raise UnsupportedEncoding(f"corrupt {encoding} body: {exc}", url=target.url) from exc
    if decoder is not None:
        add(decoder.flush())
    return b"".join(parts)


# --- content type and charset ----------------------------------------------------------------


def parse_content_type(value: str) -> tuple[str, str | None]:
    """The media type (lower case) and the charset parameter of a Content-Type header."""
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def declared_charset(content: bytes) -> str | None:
    """The charset a page declares in a meta tag or an XML declaration, if it names a codec."""
    head = content[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return _codec(match.group(1).decode("ascii")) if match else None


def decode_body(content: bytes, *, charset: str | None = None) -> tuple[str, str]:
    """Text and encoding: BOM, then the header's charset, then meta/XML, then detection."""
    if content.startswith(codecs.BOM_UTF8):
        return content[3:].decode("utf-8", errors="replace"), "utf-8"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", errors="replace"), "utf-16"
    for codec in (_codec(charset), declared_charset(content)):
        if codec is None:
            continue
        # A page declaring UTF-16 in ASCII bytes cannot really be UTF-16.
        if codec.startswith("utf-16") and b"\x00" not in content[:4096]:
            continue
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue  # a wrong declaration: detect instead
    try:
        return decode_bytes(content)
    except DecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(content).best()
    if best is not None:
        return str(best), best.encoding
    return content.decode("utf-8", errors="replace"), "utf-8"
