"""The HTTP protocol `python -m app serve` runs: 431 past the head limit, and uvicorn's 400 in JSON with
the security headers. Against a real server on 127.0.0.1 (raw sockets: a client library would refuse)."""

import json
import socket

import httpx

from app.config import get_settings
from benchmarks.hostile import dockerfile_server
from tests.classroom.conftest import HEAD_TIMEOUT_S


def exchange(url: str, request: bytes) -> tuple[bytes, dict[str, str], bytes]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode().split("\r\n")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines)}
    return status.encode(), headers, body


def assert_secured(headers: dict[str, str]) -> None:
    assert "script-src 'self';" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_a_head_over_the_limit_is_a_431(classroom_server):
    limit = get_settings().max_header_bytes
    padding = b"a" * (limit + 1)
    request = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Padding: " + padding + b"\r\nConnection: close\r\n\r\n"
    status, headers, body = exchange(classroom_server.url, request)
    assert status == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert json.loads(body) == {"detail": f"request line and headers: over the limit of {limit} bytes"}
    assert headers["connection"] == "close"
    assert_secured(headers)


def test_a_request_line_over_the_limit_is_a_431(classroom_server):
    limit = get_settings().max_header_bytes
    request = b"GET /api/health?" + b"q" * (limit + 1) + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    status, _, body = exchange(classroom_server.url, request)
    assert status == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert json.loads(body)["detail"].startswith("request line and headers: over the limit")


def test_headers_under_the_limit_are_served(classroom_server):
    headers = {f"X-Note-{n}": "n" * 1000 for n in range(40)}  # 40 KB of headers
    assert httpx.get(f"{classroom_server.url}/api/health", headers=headers).status_code == 200


def test_uvicorns_own_400_is_json_with_the_security_headers(classroom_server):
    status, headers, body = exchange(classroom_server.url, b"NOT A REQUEST\r\n\r\n")
    assert status == b"HTTP/1.1 400 Bad Request"
    assert json.loads(body) == {"detail": "invalid HTTP request: it could not be parsed"}
    assert headers["content-type"] == "application/json"
    assert_secured(headers)


def test_a_head_that_stops_arriving_is_a_408_within_the_head_timeout(classroom_server):
    host, port = classroom_server.url.removeprefix("http://").split(":")
    timeout = HEAD_TIMEOUT_S
    with socket.create_connection((host, int(port)), timeout=timeout + 10) as connection:
        connection.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Half: ")  # and nothing more
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert json.loads(body) == {"detail": f"request line and headers: not complete within {timeout:g} s"}


def test_past_max_connections_uvicorns_503_is_json_with_the_security_headers(tmp_path):
    with dockerfile_server(tmp_path, workers=1, max_connections="2") as running:
        host, port = running.url.removeprefix("http://").split(":")
        idle = [socket.create_connection((host, int(port)), timeout=10) for _ in range(2)]
        try:
            status, headers, body = exchange(running.url, b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        finally:
            for connection in idle:
                connection.close()
    assert status == b"HTTP/1.1 503 Service Unavailable"
    assert json.loads(body) == {
        "detail": "the server is busy (over the limit of 2 connections at once in this worker); retry in 5 s"
    }
    assert headers["content-type"] == "application/json"
    assert headers["retry-after"] == "5"
    assert headers["connection"] == "close"
    assert_secured(headers)
