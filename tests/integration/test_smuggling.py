"""SMTP smuggling (CVE-2023-51764/51765/51766): only <CRLF>.<CRLF> ends
DATA. Each fake end-of-data sequence below is followed by a complete second
transaction; the server must neither end the message there nor run the
smuggled commands. A bare CR/LF makes the message refused with 550 5.6.0
after the real <CRLF>.<CRLF>. A NUL before the dot is not an end either, and
the message holding it is refused the same way (a receiver that drops NULs
would see an end there: test_nul.py)."""

import uuid

import pytest

from helpers import USER, RawSmtp

SEQUENCES = {
    "LF.LF": b"\n.\n",
    "CR.CR": b"\r.\r",
    "CR.LF": b"\r.\n",
    "LF.CR": b"\n.\r",
    "LF.CRLF": b"\n.\r\n",
    "CRLF.LF": b"\r\n.\n",
    "CR.CRLF": b"\r.\r\n",
    "CRLF.CR": b"\r\n.\r",
    "CRLF-NUL.CRLF": b"\r\n\x00.\r\n",
}


def _smuggle(h, seq):
    tag = uuid.uuid4().hex
    first = (f"From: {USER}\r\nTo: rcpt@example.net\r\nSubject: first {tag}\r\n"
             f"Message-ID: <first-{tag}@acme.example>\r\n\r\nfirst body {tag}").encode()
    smuggled = (f"MAIL FROM:<{USER}>\r\nRCPT TO:<smuggled@example.org>\r\nDATA\r\n"
                f"From: {USER}\r\nTo: smuggled@example.org\r\nSubject: SMUGGLED {tag}\r\n\r\n"
                f"smuggled body {tag}\r\n").encode()
    with RawSmtp(h.starttls_port) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        c.send(first + seq + smuggled + b".\r\n")
        reply = c.read_reply()
        # Nothing else may follow: no 250s for smuggled MAIL/RCPT, no 354.
        extra = c.unsolicited(1.0)
        # The session is still usable and in a clean state.
        noop = c.cmd("NOOP")
        c.quit()
    return tag, reply, extra, noop


@pytest.mark.parametrize("name", list(SEQUENCES))
def test_fake_end_of_data_does_not_smuggle(shared, name):
    h = shared
    before = set(h.queue_ids())
    tag, reply, extra, noop = _smuggle(h, SEQUENCES[name])
    assert extra == b"", f"server answered smuggled commands: {extra!r} (first reply {reply})"
    assert noop.code == 250, str(noop)
    new = [q for q in h.queue_ids() if q not in before]
    raws = {q: h.queue_raw(q) for q in new}
    smuggled_alone = [q for q, raw in raws.items()
                      if f"SMUGGLED {tag}".encode() in raw and f"first body {tag}".encode() not in raw]
    assert not smuggled_alone, f"a smuggled message was queued separately: {smuggled_alone}"

    assert reply.code == 550 and reply.enhanced == "5.6.0", f"end of data reply: {reply}"
    assert not new, f"messages queued despite a smuggling sequence: {new}"


def test_smuggling_split_across_writes(shared):
    """The same with the fake terminator split across TCP writes."""
    h = shared
    before = set(h.queue_ids())
    tag = uuid.uuid4().hex
    with RawSmtp(h.starttls_port) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        c.send(f"From: {USER}\r\nSubject: split {tag}\r\n\r\nbody\n".encode())
        assert c.unsolicited(0.3) == b""
        c.send(b".\n")
        assert c.unsolicited(0.3) == b""
        c.send(f"MAIL FROM:<{USER}>\r\n".encode())
        assert c.unsolicited(0.3) == b""
        c.send(b"RCPT TO:<smuggled@example.org>\r\nDATA\r\nSubject: SMUGGLED\r\n\r\nx\r\n.\r\n")
        reply = c.read_reply()
        assert c.unsolicited(1.0) == b""
        c.quit()
    assert reply.code == 550 and reply.enhanced == "5.6.0", str(reply)
    assert set(h.queue_ids()) == before
