import socket

import pytest

from app import __main__ as cli


def fake_addresses(*addresses: str):
    def getaddrinfo(host, port, family):
        return [(family, socket.SOCK_STREAM, 6, "", (address, 0)) for address in addresses]

    return getaddrinfo


def test_lan_addresses_leave_loopback_out_sorted_and_unique(monkeypatch):
    monkeypatch.setattr(cli.socket, "getaddrinfo", fake_addresses("192.168.1.20", "127.0.1.1", "10.0.0.5", "10.0.0.5"))
    assert cli.lan_addresses() == ["10.0.0.5", "192.168.1.20"]


def test_a_hostname_that_does_not_resolve_gives_no_addresses(monkeypatch):
    def unresolved(host, port, family):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(cli.socket, "getaddrinfo", unresolved)
    assert cli.lan_addresses() == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_serve_prints_the_lan_addresses_when_listening_on_all(monkeypatch, capsys, host):
    monkeypatch.setattr(cli.socket, "getaddrinfo", fake_addresses("192.168.1.20"))
    monkeypatch.setattr(cli.uvicorn, "run", lambda *args, **kwargs: None)
    settings = cli.get_settings().model_copy(update={"host": host})
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    cli.serve()
    assert "http://192.168.1.20:8000/" in capsys.readouterr().out
