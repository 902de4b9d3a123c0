"""Limits with clear replies (SPEC §4, RFC 5321 §4.5.3.1): command line 512
octets, text line 1000 octets (both including CRLF), max_message_size
(1MB in the test config), SIZE=, max_recipients (5 in the test config)."""

import smtplib

import pytest

from helpers import USER, RawSmtp, make_message, queue_id_from, smtp_starttls


def test_command_line_of_513_octets_is_refused(shared):
    with RawSmtp(shared.starttls_port) as c:
        c.ehlo()
        line = b"VRFY " + b"x" * (513 - 7)
        assert len(line + b"\r\n") == 513
        r = c.cmd(line)
        assert r.code == 500 and r.enhanced == "5.5.2", str(r)
        assert c.cmd("NOOP").code == 250, "session unusable after an over-long line"
        c.quit()


def test_command_line_of_512_octets_is_fine(shared):
    with RawSmtp(shared.starttls_port) as c:
        c.ehlo()
        line = b"VRFY " + b"x" * (512 - 7)
        r = c.cmd(line)
        assert not (r.code == 500 and r.enhanced == "5.5.2"), f"512-octet line refused: {r}"
        c.quit()


def test_huge_command_line_is_refused(shared):
    """20 kB without a line end: refused (or the connection closed with
    421), never buffered without bound; the server keeps serving."""
    with RawSmtp(shared.starttls_port) as c:
        c.ehlo()
        c.send(b"NOOP " + b"A" * 20_000)
        c.send(b"\r\n")
        r = c.read_reply()
        assert (r.code == 500 and r.enhanced == "5.5.2") or r.code == 421, str(r)
        c.close()
    with RawSmtp(shared.starttls_port) as c:
        assert c.cmd("NOOP").code == 250
        c.quit()


def _data(c, body, tail=b".\r\n"):
    assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
    assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
    assert c.cmd("DATA").code == 354
    c.send(make_message(body=body) + tail)
    return c.read_reply()


def test_text_line_over_1000_octets_is_refused(shared):
    before = shared.queue_ids()
    with RawSmtp(shared.starttls_port) as c:
        c.login()
        r = _data(c, b"short\r\n" + b"y" * 999 + b"\r\nend\r\n")  # 1001 octets with CRLF
        assert r.code == 550 and r.enhanced == "5.6.0", str(r)
        assert c.cmd("NOOP").code == 250
        c.quit()
    assert shared.queue_ids() == before


def test_text_line_of_1000_octets_is_fine(shared):
    with RawSmtp(shared.starttls_port) as c:
        c.login()
        r = _data(c, b"z" * 998 + b"\r\n")
        assert r.code == 250, str(r)
        qid = queue_id_from(r.text)
        c.quit()
    assert qid in shared.queue_ids()


def test_message_over_max_size_is_refused(shared):
    before = shared.queue_ids()
    line = b"0123456789" * 7 + b"abcdef\r\n"  # 78 octets
    body = line * (1_100_000 // len(line))
    s = smtp_starttls(shared.starttls_port, timeout=30)
    try:
        s.login(USER, "correct horse battery staple 42")
        assert s.mail(USER)[0] == 250
        assert s.rcpt("rcpt@example.net")[0] == 250
        code, resp = s.data(make_message(body=body))
        assert code == 552 and b"5.3.4" in resp, f"{code} {resp!r}"
        assert s.noop()[0] == 250
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            s.close()
    assert shared.queue_ids() == before


def test_message_under_max_size_is_accepted(shared):
    line = b"0123456789" * 7 + b"abcdef\r\n"
    body = line * (900_000 // len(line))
    with RawSmtp(shared.starttls_port) as c:
        c.login()
        r = _data(c, body)
        assert r.code == 250, str(r)
        c.quit()


@pytest.mark.parametrize("size", [2_000_000, 35_000_000])
def test_size_parameter_over_limit(shared, size):
    with RawSmtp(shared.starttls_port) as c:
        exts = c.extensions(c.ehlo())
        c.starttls()
        exts = c.extensions(c.ehlo())
        size_ext = [e for e in exts if e.startswith("SIZE")]
        assert size_ext, exts
        assert c.auth_plain().code == 235
        r = c.cmd(f"MAIL FROM:<{USER}> SIZE={size}")
        assert r.code == 552 and r.enhanced == "5.3.4", str(r)
        r = c.cmd(f"MAIL FROM:<{USER}> SIZE=1000")
        assert r.code == 250, f"MAIL after a refused SIZE: {r}"
        c.quit()


def test_sixth_recipient_gets_452(shared):
    with RawSmtp(shared.starttls_port) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        for i in range(5):
            r = c.cmd(f"RCPT TO:<r{i}@example.net>")
            assert r.code == 250, f"recipient {i + 1}: {r}"
        r = c.cmd("RCPT TO:<r5@example.net>")
        assert r.code == 452 and r.enhanced == "4.5.3", f"6th recipient: {r}"
        assert c.cmd("DATA").code == 354
        c.send(make_message() + b".\r\n")
        r = c.read_reply()
        assert r.code == 250, str(r)
        qid = queue_id_from(r.text)
        c.quit()
    entry = next(m for m in shared.queue_list() if m["id"] == qid)
    assert sorted(x["address"] for x in entry["recipients"]) == [f"r{i}@example.net" for i in range(5)]
