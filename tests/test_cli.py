from app.__main__ import lan_addresses


def test_lan_addresses_leave_loopback_out():
    assert all(not address.startswith("127.") for address in lan_addresses())
