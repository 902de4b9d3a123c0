"""Per-client resource limits (issue 2 §6): command timeout, data timeout,
connections per IP and in total."""

import time

import pytest

from helpers import USER, RawSmtp, ServerClosed


def _closed_after(c, limit):
    """Seconds until the server closes the connection (reading whatever it
    says on the way), or None if it is still open after `limit` seconds."""
    t0 = time.monotonic()
    said = b""
    while time.monotonic() - t0 < limit:
        try:
            c._recv(limit)
        except ServerClosed:
            return time.monotonic() - t0, said + c.buf
        except (TimeoutError, OSError):
            continue
    return None, said + c.buf


def test_command_timeout_closes_idle_session(herald_factory):
    h = herald_factory(limits_extra='command_timeout = "2s"\n')
    with RawSmtp(h.starttls_port) as c:
        c.ehlo()
        took, said = _closed_after(c, 10)
        assert took is not None, "idle session still open 10s after a 2s command_timeout"
        assert 1.5 <= took <= 6, took
        assert said.startswith(b"421 4.4.2"), said


def test_data_timeout_closes_stalled_message(herald_factory):
    h = herald_factory(limits_extra='data_timeout = "2s"\n')
    with RawSmtp(h.starttls_port) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        c.send(b"Subject: stalled\r\n\r\nhalf a mess")
        took, said = _closed_after(c, 10)
        assert took is not None, "stalled DATA still open 10s after a 2s data_timeout"
        assert said.startswith(b"421"), said
    assert h.queue_list() == []


def test_connections_per_ip_limit(herald_factory):
    h = herald_factory(limits_extra="max_connections_per_ip = 3\n")
    open_ = [RawSmtp(h.starttls_port) for _ in range(3)]
    try:
        for c in open_:
            assert c.banner.code == 220
        extra = RawSmtp(h.starttls_port, read_banner=False)
        with extra:
            r = extra.read_reply()
            assert r.code == 421 and r.enhanced and r.enhanced.startswith("4."), str(r)
            with pytest.raises((ServerClosed, OSError)):
                extra.cmd("NOOP")
        open_.pop().quit()
        time.sleep(0.3)
        with RawSmtp(h.starttls_port) as again:  # a slot is free again
            assert again.banner.code == 220
            again.quit()
    finally:
        for c in open_:
            c.close()


def test_total_connections_limit(herald_factory):
    h = herald_factory(limits_extra="max_connections = 2\nmax_connections_per_ip = 10\n")
    a, b = RawSmtp(h.starttls_port), RawSmtp(h.implicit_port, implicit_tls=True)
    try:
        with RawSmtp(h.starttls_port, read_banner=False) as extra:
            r = extra.read_reply()
            assert r.code == 421, str(r)
    finally:
        a.close()
        b.close()
