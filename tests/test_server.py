"""A real ``dieuhanh serve``: oversized bodies refused before anything is written, slow clients
that do not hold the site (issue 9 #3). Runs on both databases."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.serving import LOGIN_PATH, running_server



def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _request_head(port: int, headers: dict[str, str]) -> bytes:
    lines = [f"POST {LOGIN_PATH} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Cookie: csrftoken=" + "a" * 32,
             *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_status(sock: socket.socket) -> int:
    received = b""
    while b"\r\n" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/") else 0


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup):  # type: ignore[no-untyped-def]
    # django_db_setup: on PostgreSQL the server works on the (migrated) test database.
    root = tmp_path_factory.mktemp("serve")
    temp = root / "tmp"
    temp.mkdir()
    with running_server(root, "--client-timeout", "4", env={"TMPDIR": str(temp)}) as base:
        yield base, int(base.rsplit(":", 1)[1]), temp


def test_oversized_anonymous_post_is_refused_before_anything_is_written(server) -> None:  # type: ignore[no-untyped-def]
    _base, port, temp = server
    boundary = "b" * 20
    head = _request_head(port, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                "Content-Length": str(300 * 1024 * 1024)})
    part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + part)
        sent = 0
        try:
            while sent < 2 * 1024 * 1024:  # 2 MB of the declared 300 MB, then look
                sock.sendall(b"\0" * 65536)
                sent += 65536
        except OSError:
            pass  # the server may already have answered and stopped reading
        assert _files_under(temp) == []  # nothing spooled while the connection is still open
        assert _read_status(sock) == 413


def test_oversized_chunked_post_is_refused(server) -> None:  # type: ignore[no-untyped-def]
    _base, port, temp = server
    head = _request_head(port, {"Content-Type": "application/x-www-form-urlencoded",
                                "Transfer-Encoding": "chunked"})
    chunk = b"x" * 16384
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        try:
            for _ in range(64):  # 1 MB in 16 KB chunks; the anonymous cap is 64 KB
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except OSError:
            pass
        assert _read_status(sock) == 413
    assert _files_under(temp) == []


def _slow_sender(port: int, stop: threading.Event, socks: list[socket.socket]) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    socks.append(sock)
    try:
        sock.sendall(_request_head(port, {"Content-Type": "application/x-www-form-urlencoded",
                                          "Content-Length": "60000"}))
        while not stop.is_set():
            sock.sendall(b"a")  # one byte a second: inside the idle timeout, never finishing
            stop.wait(1)
    except OSError:
        pass


def test_two_slow_senders_do_not_block_the_login_page(server) -> None:  # type: ignore[no-untyped-def]
    base, port, _temp = server
    for _ in range(4):  # every worker has served once: what is timed is waiting, not a first request
        urllib.request.urlopen(base + LOGIN_PATH, timeout=30).close()
    stop = threading.Event()
    socks: list[socket.socket] = []
    senders = [threading.Thread(target=_slow_sender, args=(port, stop, socks)) for _ in range(2)]
    for sender in senders:
        sender.start()
    try:
        time.sleep(2)  # both are mid-body now
        for _ in range(3):
            started = time.monotonic()
            with urllib.request.urlopen(base + LOGIN_PATH, timeout=10) as response:
                assert response.status == 200
            assert time.monotonic() - started < 2
    finally:
        stop.set()
        for sender in senders:
            sender.join(10)
        for sock in socks:
            sock.close()


def test_a_silent_client_is_dropped_after_the_client_timeout(server) -> None:  # type: ignore[no-untyped-def]
    _base, port, _temp = server
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(b"GET " + LOGIN_PATH.encode() + b" HTTP/1.1\r\nHost: x\r\n")  # headers never end
        started = time.monotonic()
        assert sock.recv(4096) == b""  # closed by the server (a test timeout would raise)
        assert 3 <= time.monotonic() - started < 12
