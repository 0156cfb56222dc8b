"""The safe HTTP client: SSRF refusals, limits and encodings, against a local server only."""

from __future__ import annotations

import datetime
import gzip
import ipaddress
import ssl
import time
import tracemalloc
from collections.abc import Callable, Iterator

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer
from werkzeug import Response

from articles import fetching
from articles.fetching import (
    FEED_TYPES,
    ConnectionFailed,
    ForbiddenAddress,
    HTTPStatusError,
    Limits,
    TimedOut,
    TLSFailed,
    TooLarge,
    TooManyRedirects,
    UnsupportedContentType,
    UnsupportedURL,
    address_problem,
    decode_body,
    fetch,
    is_transient,
)

ARABIC = "قصفت قوات النظام بلدة في ريف إدلب الجنوبي صباح اليوم"
PUBLIC_IP = "93.184.215.14"


def page(text: str = ARABIC, meta: str = "") -> str:
    return f"<html><head>{meta}<title>خبر</title></head><body><p>{text}</p></body></html>"


# --- addresses (no network at all) -----------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.100.100.200",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "224.0.0.1",
        "192.0.0.9",
        "198.18.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "fd00:ec2::254",
        "fe80::1",
        "ff02::1",
        "2001:db8::1",
        "2001::1",
    ],
)
def test_refuses_addresses_that_are_not_globally_routable(address):
    assert address_problem(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_accepts_global_addresses(address):
    assert address_problem(ipaddress.ip_address(address)) is None


def test_loopback_setting_lets_through_loopback_only():
    assert address_problem(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert address_problem(ipaddress.ip_address("::1"), allow_loopback=True) is None
    for other in ("10.0.0.1", "169.254.169.254", "192.168.0.1", "fd00::1"):
        assert address_problem(ipaddress.ip_address(other), allow_loopback=True) is not None


# --- URLs refused before any connection ------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/file",
        "gopher://example.org/",
        "javascript:alert(1)",
        "/relative/path",
        "http://user:secret@example.org/",
        "http://example.org:99999/",
    ],
)
def test_refuses_unsupported_urls(url, connections):
    with pytest.raises(UnsupportedURL):
        fetch(url)
    assert connections == []


@pytest.fixture
def forbidden_server(httpserver):
    """A server that records hits; reached only if the guard failed (loopback stays forbidden)."""
    httpserver.expect_request("/secret").respond_with_data(page(), content_type="text/html")
    return httpserver


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "2130706433",  # 127.0.0.1 written as one decimal number
        "0x7f.1",  # and in hex shorthand
        "017700000001",  # and in octal
    ],
)
def test_refuses_loopback_in_every_spelling(host, forbidden_server, connections, settings):
    settings.ZAWIYA_FETCH_ALLOW_LOOPBACK = False
    with pytest.raises(ForbiddenAddress) as caught:
        fetch(f"http://{host}:{forbidden_server.port}/secret")
    assert "loopback" in caught.value.reason
    assert connections == []
    assert forbidden_server.log == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://10.0.0.5/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "private"),
        ("http://192.168.1.1/admin", "private"),
    ],
)
def test_refuses_private_and_metadata_addresses(url, words, connections):
    with pytest.raises(ForbiddenAddress) as caught:
        fetch(url)
    assert words in caught.value.reason
    assert connections == []


def test_refuses_a_name_that_resolves_to_a_private_address(monkeypatch, connections):
    monkeypatch.setattr(fetching, "resolve", lambda host, port: ["10.0.0.7"])
    with pytest.raises(ForbiddenAddress) as caught:
        fetch("http://intranet.example/")
    assert "intranet.example resolves to 10.0.0.7" in caught.value.reason
    assert connections == []


def test_refuses_a_name_with_one_private_answer_among_public_ones(monkeypatch, connections):
    monkeypatch.setattr(fetching, "resolve", lambda host, port: [PUBLIC_IP, "127.0.0.1"])
    with pytest.raises(ForbiddenAddress):
        fetch("http://mixed.example/")
    assert connections == []


def test_connects_to_the_checked_address_when_dns_changes_its_answer(
    monkeypatch, connections, forbidden_server, settings
):
    """DNS rebinding: the first answer is public, every later one loopback. We look up once and
    connect to the address we checked (the test guard refuses it, so nothing leaves the
    machine); the loopback server never sees a request."""
    settings.ZAWIYA_FETCH_ALLOW_LOOPBACK = False
    answers = iter([[PUBLIC_IP]])
    lookups: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return next(answers, ["127.0.0.1"])

    monkeypatch.setattr(fetching, "resolve", rebinding)
    with pytest.raises(ConnectionFailed):
        fetch(f"http://rebind.example:{forbidden_server.port}/secret")
    assert lookups == ["rebind.example"]
    assert connections == [(PUBLIC_IP, forbidden_server.port)]
    assert forbidden_server.log == []


# --- redirects ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::ffff:a9fe:a9fe]/"],
)
def test_refuses_a_redirect_to_a_private_address(local_server, connections, location):
    local_server.expect_request("/go").respond_with_data(
        "", status=302, headers={"Location": location}
    )
    with pytest.raises(ForbiddenAddress):
        fetch(local_server.url_for("/go"))
    assert [host for host, _ in connections] == ["127.0.0.1"]


def test_refuses_a_redirect_to_another_scheme(local_server):
    local_server.expect_request("/go").respond_with_data(
        "", status=301, headers={"Location": "file:///etc/passwd"}
    )
    with pytest.raises(UnsupportedURL):
        fetch(local_server.url_for("/go"))


def test_follows_three_redirects_and_refuses_a_fourth(local_server):
    for n in range(4):
        local_server.expect_request(f"/r{n}").respond_with_data(
            "", status=302, headers={"Location": f"/r{n + 1}"}
        )
    local_server.expect_request("/r4").respond_with_data(page(), content_type="text/html")
    result = fetch(local_server.url_for("/r1"))
    assert result.url.endswith("/r4")
    assert len(result.redirects) == 3
    with pytest.raises(TooManyRedirects):
        fetch(local_server.url_for("/r0"))


# --- limits ------------------------------------------------------------------------------------


def test_cuts_off_a_50_mb_body_while_streaming(local_server):
    megabyte = b"<p>" + b"x" * (1024 * 1024 - 3)

    def stream():
        for _ in range(50):
            yield megabyte

    local_server.expect_request("/big").respond_with_response(
        Response(stream(), content_type="text/html")
    )
    with pytest.raises(TooLarge) as caught:
        fetch(local_server.url_for("/big"))
    assert "5 MB" in caught.value.reason


def test_refuses_a_declared_50_mb_body_before_reading_it(local_server):
    response = Response(iter([b"x" * 100]), content_type="text/html")
    response.headers["Content-Length"] = str(50 * 1024 * 1024)
    local_server.expect_request("/big").respond_with_response(response)
    with pytest.raises(TooLarge) as caught:
        fetch(local_server.url_for("/big"))
    assert "52,428,800 bytes" in caught.value.reason


def test_refuses_a_compression_bomb_with_bounded_memory(local_server):
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024
    local_server.expect_request("/bomb").respond_with_data(
        bomb, content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge) as caught:
            fetch(local_server.url_for("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "compression bomb" in caught.value.reason
    # Never more than the 5 MB cap plus a few pieces in memory, not the 50 MB it expands to.
    assert peak < 12 * 1024 * 1024


def test_decompresses_gzip_within_the_cap(local_server):
    local_server.expect_request("/gz").respond_with_data(
        gzip.compress(page().encode()),
        content_type="text/html; charset=utf-8",
        headers={"Content-Encoding": "gzip"},
    )
    result = fetch(local_server.url_for("/gz"))
    assert ARABIC in result.text()[0]


def test_cuts_off_a_slow_drip_at_the_total_deadline(local_server):
    def drip():
        yield b"<html><body><p>"
        for _ in range(200):
            time.sleep(0.05)
            yield b"x"

    local_server.expect_request("/drip").respond_with_response(
        Response(drip(), content_type="text/html")
    )
    started = time.monotonic()
    with pytest.raises(TimedOut) as caught:
        fetch(
            local_server.url_for("/drip"),
            limits=Limits(read_timeout=1.0, total_timeout=1.0),
        )
    assert time.monotonic() - started < 2.5
    assert "longer than 1 s in total" in caught.value.reason


def test_times_out_when_the_server_stops_sending(local_server):
    def stall():
        yield b"<html>"
        time.sleep(3)
        yield b"</html>"

    local_server.expect_request("/stall").respond_with_response(
        Response(stall(), content_type="text/html")
    )
    with pytest.raises(TimedOut) as caught:
        fetch(local_server.url_for("/stall"), limits=Limits(read_timeout=0.5, total_timeout=10))
    assert "read timeout" in caught.value.reason


# --- answers -----------------------------------------------------------------------------------


def test_refuses_an_unexpected_content_type(local_server):
    local_server.expect_request("/img").respond_with_data(b"\x89PNG", content_type="image/png")
    with pytest.raises(UnsupportedContentType) as caught:
        fetch(local_server.url_for("/img"))
    assert "image/png" in caught.value.reason


def test_accepts_feed_types_when_asked(local_server):
    local_server.expect_request("/rss").respond_with_data(
        "<rss></rss>", content_type="application/rss+xml"
    )
    assert fetch(local_server.url_for("/rss"), accept=FEED_TYPES).media_type == (
        "application/rss+xml"
    )


def test_reports_http_errors_with_their_status(local_server):
    local_server.expect_request("/gone").respond_with_data("no", status=404)
    with pytest.raises(HTTPStatusError) as caught:
        fetch(local_server.url_for("/gone"))
    assert caught.value.status == 404
    assert "404" in caught.value.reason


def test_sends_conditional_headers_and_understands_not_modified(local_server):
    local_server.expect_request("/p", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    result = fetch(local_server.url_for("/p"), etag='"v1"')
    assert result.not_modified
    assert result.content == b""


def test_sends_the_host_name_not_the_address(local_server):
    local_server.expect_request("/p").respond_with_data(page(), content_type="text/html")
    fetch(local_server.url_for("/p").replace("127.0.0.1", "localhost"))
    request, _ = local_server.log[0]
    assert request.headers["Host"] == f"localhost:{local_server.port}"


# --- HTTPS -------------------------------------------------------------------------------------
#
# A local TLS server with certificates made by the test (trustme). The fetcher connects to the
# checked address, 127.0.0.1, whatever name the URL has; these tests show that it still sends
# the name as SNI and verifies the certificate against the name, not the address.

TEST_NAMES = {"localhost", "zawiya.test", "other.test"}


@pytest.fixture
def tls_server(settings, connections, monkeypatch) -> Iterator[Callable[..., HTTPServer]]:
    """start(context) -> an HTTPS server on 127.0.0.1 using that server-side context."""
    settings.ZAWIYA_FETCH_ALLOW_LOOPBACK = True
    real_resolve = fetching.resolve

    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host in TEST_NAMES else real_resolve(host, port)

    monkeypatch.setattr(fetching, "resolve", resolve)
    servers: list[HTTPServer] = []

    def start(context: ssl.SSLContext) -> HTTPServer:
        server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
        server.expect_request("/p").respond_with_data(
            page().encode(), content_type="text/html; charset=utf-8"
        )
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.clear()
        server.stop()


def server_context(*, names: list[str], ca: trustme.CA, sni: list[str | None]) -> ssl.SSLContext:
    """A server-side context with a certificate for `names`; records each client's SNI."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    context.sni_callback = lambda _sock, name, _ctx: sni.append(name)  # type: ignore[assignment]
    return context


def self_signed_context(tmp_path, name: str) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.fixture
def ca(settings, tmp_path) -> trustme.CA:
    """A certificate authority the fetcher trusts (through ZAWIYA_FETCH_CA_BUNDLE)."""
    authority = trustme.CA()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    settings.ZAWIYA_FETCH_CA_BUNDLE = str(bundle)
    return authority


def test_fetches_over_https_with_a_trusted_certificate(tls_server, ca, connections):
    sni: list[str | None] = []
    server = tls_server(server_context(names=["localhost"], ca=ca, sni=sni))
    result = fetch(f"https://localhost:{server.port}/p")
    assert ARABIC in result.text()[0]
    assert result.url == f"https://localhost:{server.port}/p"
    # Connected to the checked address, with the name in SNI and in Host.
    assert connections == [("127.0.0.1", server.port)]
    assert result.address == "127.0.0.1"
    assert sni == ["localhost"]
    request, _ = server.log[0]
    assert request.headers["Host"] == f"localhost:{server.port}"


def test_verifies_the_certificate_against_the_name_not_the_connected_address(tls_server, ca):
    sni: list[str | None] = []
    # The certificate names zawiya.test only, not 127.0.0.1, where the socket actually goes.
    server = tls_server(server_context(names=["zawiya.test"], ca=ca, sni=sni))
    assert ARABIC in fetch(f"https://zawiya.test:{server.port}/p").text()[0]
    assert sni == ["zawiya.test"]
    with pytest.raises(TLSFailed) as refused:
        fetch(f"https://127.0.0.1:{server.port}/p")
    assert "doesn't match" in refused.value.reason


def test_refuses_a_certificate_for_another_host_name(tls_server, ca):
    sni: list[str | None] = []
    server = tls_server(server_context(names=["other.test"], ca=ca, sni=sni))
    with pytest.raises(TLSFailed) as refused:
        fetch(f"https://zawiya.test:{server.port}/p")
    assert refused.value.reason == (
        "refused: the TLS certificate of zawiya.test is not valid: "
        "hostname 'zawiya.test' doesn't match 'other.test'"
    )
    assert sni == ["zawiya.test"]
    assert server.log == []  # no request was sent over the unverified connection


def test_refuses_a_certificate_from_an_untrusted_authority(tls_server, ca):
    stranger = trustme.CA()  # the server's certificate authority, which nobody told us to trust
    server = tls_server(server_context(names=["localhost"], ca=stranger, sni=[]))
    with pytest.raises(TLSFailed) as refused:
        fetch(f"https://localhost:{server.port}/p")
    assert refused.value.reason == (
        "refused: the TLS certificate of localhost is not valid: "
        "unable to get local issuer certificate"
    )
    assert not is_transient(refused.value)  # a feed poll does not retry it
    assert server.log == []


def test_refuses_a_self_signed_certificate_with_the_default_bundle(tls_server, settings, tmp_path):
    settings.ZAWIYA_FETCH_CA_BUNDLE = ""  # certifi's public authorities
    server = tls_server(self_signed_context(tmp_path, "localhost"))
    with pytest.raises(TLSFailed) as refused:
        fetch(f"https://localhost:{server.port}/p")
    assert refused.value.reason.startswith(
        "refused: the TLS certificate of localhost is not valid: self"
    )
    assert "signed certificate" in refused.value.reason
    assert server.log == []


# --- encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "encoding"),
    [
        ("text/html; charset=utf-8", page().encode(), "utf-8"),
        ("text/html; charset=windows-1256", page().encode("cp1256"), "cp1256"),
        (
            "text/html",
            page(meta='<meta charset="windows-1256">').encode("cp1256"),
            "cp1256",
        ),
        (
            "text/html",
            page(
                meta='<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            ).encode("cp1256"),
            "cp1256",
        ),
        ("text/html", page().encode("cp1256"), "windows-1256"),  # undeclared: detected
        ("text/html", page().encode("utf-16"), "utf-16"),
        ("text/html", page().encode("utf-8"), "utf-8"),
        # A wrong declaration is not trusted blindly.
        ("text/html; charset=utf-8", page().encode("cp1256"), "windows-1256"),
    ],
)
def test_decodes_arabic_pages(local_server, content_type, body, encoding):
    local_server.expect_request("/p").respond_with_data(body, content_type=content_type)
    text, used = fetch(local_server.url_for("/p")).text()
    assert ARABIC in text
    assert used == encoding


def test_decode_body_reads_an_xml_declaration():
    body = f'<?xml version="1.0" encoding="windows-1256"?><rss><title>{ARABIC}</title></rss>'
    text, used = decode_body(body.encode("cp1256"))
    assert ARABIC in text
    assert used == "cp1256"
