"""STARTTLS command injection (CVE-2011-0411 class, RFC 3207 §4.2): bytes
pipelined after STARTTLS in clear text are discarded, never answered inside
TLS, and the session starts over (EHLO again)."""

from helpers import USER, PASSWORD, RawSmtp


def _inject(port, tail):
    c = RawSmtp(port)
    c.ehlo()
    c.send(b"STARTTLS\r\n" + tail)
    r = c.read_reply()
    assert r.code == 220, str(r)
    # Nothing may come before the handshake either.
    assert c.buf == b"", f"clear-text bytes after 220: {c.buf!r}"
    c._wrap()
    return c


def test_pipelined_noop_is_not_answered(herald):
    c = _inject(herald.starttls_port, b"NOOP\r\n")
    with c:
        assert c.unsolicited(1.5) == b"", "server answered a command injected before the handshake"
        exts = c.extensions(c.ehlo())
        assert any(e.startswith("AUTH") for e in exts)
        c.quit()


def test_injected_transaction_is_discarded(herald):
    import base64
    token = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    tail = (f"EHLO evil\r\nAUTH PLAIN {token}\r\nMAIL FROM:<{USER}>\r\n"
            f"RCPT TO:<injected@example.org>\r\nDATA\r\nSubject: injected\r\n\r\nx\r\n.\r\n").encode()
    c = _inject(herald.starttls_port, tail)
    with c:
        assert c.unsolicited(1.5) == b""
        c.quit()
    assert herald.queue_list() == []


def test_ehlo_required_again_after_starttls(herald):
    c = _inject(herald.starttls_port, b"EHLO evil\r\n")
    with c:
        assert c.unsolicited(1.0) == b""
        r = c.auth_plain()
        assert r.code == 503, f"AUTH right after STARTTLS, without a new EHLO: {r}"
        c.ehlo()
        assert c.auth_plain().code == 235
        c.quit()
