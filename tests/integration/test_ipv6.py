"""Listening on ::1: a STARTTLS + AUTH submission over IPv6 loopback."""

import socket

import pytest

from helpers import RawSmtp, USER, make_message, queue_id_from


def _ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback")


def test_submit_over_ipv6(herald_factory):
    h = herald_factory(listeners={"starttls": ("starttls", "required", "::1"),
                                  "implicit": ("implicit", "required", "::1")})
    with RawSmtp(h.starttls_port, host="::1") as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        c.send(make_message() + b".\r\n")
        r = c.read_reply()
        assert r.code == 250, str(r)
        c.quit()
    assert queue_id_from(r.text) in h.queue_ids()
