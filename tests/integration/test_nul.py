"""NUL octets in message content (outbound SMTP smuggling). A receiver that
drops NUL before it looks for the end of data reads <CRLF><NUL>.<CRLF> as
<CRLF>.<CRLF>, so a message holding a NUL must never leave Herald:

- submission refuses it like a bare CR or LF (550 5.6.0 naming the NUL),
  through DATA and BDAT, on the STARTTLS and the implicit-TLS listener,
  after reading the message to its real end; nothing is queued and the
  session goes on;
- a message that is already in the spool with a NUL (written by an older
  version, in the old two-file format) is not delivered: the receiver gets
  no end of data, and the sender gets a DSN saying why, without the NUL."""

import json
import time
import uuid

import pytest

from helpers import USER, RawSmtp, make_message, submit
from sink import Sink
from test_delivery import RCPT, delivery_toml, wait_queue_empty

SEQUENCES = {
    "CRLF-NUL.CRLF": b"\r\n\x00.\r\n",
    "CRLF.NUL-CRLF": b"\r\n.\x00\r\n",
    "CRLF-NUL.NUL-CRLF": b"\r\n\x00.\x00\r\n",
    "NUL-inside-a-line": b"\r\nsome\x00text\r\n",
    "NUL-alone-on-a-line": b"\r\n\x00\r\n",
}
LISTENERS = ["starttls", "implicit"]


def _client(h, listener):
    if listener == "implicit":
        return RawSmtp(h.implicit_port, implicit_tls=True)
    return RawSmtp(h.starttls_port)


def _parts(tag, seq):
    first = (f"From: {USER}\r\nTo: {RCPT}\r\nSubject: first {tag}\r\n"
             f"Message-ID: <first-{tag}@acme.example>\r\n\r\nfirst body {tag}").encode()
    smuggled = (f"MAIL FROM:<{USER}>\r\nRCPT TO:<smuggled@example.org>\r\nDATA\r\n"
                f"From: {USER}\r\nSubject: SMUGGLED {tag}\r\n\r\nsmuggled body {tag}\r\n").encode()
    return first + seq + smuggled


def _check_refused(reply):
    assert reply.code == 550 and reply.enhanced == "5.6.0", str(reply)
    assert "NUL" in reply.text, str(reply)


@pytest.mark.parametrize("listener", LISTENERS)
@pytest.mark.parametrize("name", list(SEQUENCES))
def test_nul_in_data_is_refused(shared, listener, name):
    h = shared
    before = set(h.queue_ids())
    content = _parts(uuid.uuid4().hex, SEQUENCES[name])
    with _client(h, listener) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd(f"RCPT TO:<{RCPT}>").code == 250
        assert c.cmd("DATA").code == 354
        c.send(content + b".\r\n")
        reply = c.read_reply()
        extra = c.unsolicited(0.5)
        # The session goes on, in a clean state.
        noop = c.cmd("NOOP")
        rcpt = c.cmd(f"RCPT TO:<{RCPT}>")
        c.quit()
    _check_refused(reply)
    assert extra == b"", f"server answered smuggled commands: {extra!r}"
    assert noop.code == 250 and rcpt.code == 503, (str(noop), str(rcpt))
    assert set(h.queue_ids()) == before
    assert 'message_refused' in h.log_text() and 'reason="NUL octet"' in h.log_text()


@pytest.mark.parametrize("listener", LISTENERS)
@pytest.mark.parametrize("name", list(SEQUENCES))
def test_nul_in_bdat_is_refused(shared, listener, name):
    h = shared
    before = set(h.queue_ids())
    content = _parts(uuid.uuid4().hex, SEQUENCES[name]) + b"tail\r\n"
    half = len(content) // 2
    with _client(h, listener) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd(f"RCPT TO:<{RCPT}>").code == 250
        # Two chunks, so the NUL may sit in either, or at the seam.
        c.send(f"BDAT {half}\r\n".encode() + content[:half])
        first = c.read_reply()
        c.send(f"BDAT {len(content) - half} LAST\r\n".encode() + content[half:])
        last = c.read_reply()
        noop = c.cmd("NOOP")
        c.quit()
    if first.code != 250:
        # The NUL was in the first chunk: refused there (RFC 3030: no more
        # chunks after an error), and the LAST chunk is out of sequence.
        _check_refused(first)
        assert last.code == 503, str(last)
    else:
        _check_refused(last)
    assert noop.code == 250
    assert set(h.queue_ids()) == before


def _spool_message_with_nul(h, qid, body):
    """Rewrites committed message `qid` as an older Herald left it: the
    two-file format (ID.eml body + ID.json envelope) with `body`, which
    holds NUL octets, and asks for the whole message back in a DSN."""
    queue = h.data_dir / "spool" / "queue"
    data = (queue / f"{qid}.msg").read_bytes()
    footer = data[-32:]
    assert footer.startswith(b"\nHERALD-ENVELOPE-1 "), footer
    envelope_length = int(footer[19:31], 16)
    envelope = json.loads(data[-32 - envelope_length:-32])
    envelope["size"] = len(body)
    envelope["dsn_ret"] = "FULL"
    (queue / f"{qid}.eml").write_bytes(body)
    (queue / f"{qid}.json").write_text(json.dumps(envelope, indent=2) + "\n")
    (queue / f"{qid}.msg").unlink()


def test_old_spool_file_with_nul_is_not_delivered(herald_factory):
    sink = Sink()
    try:
        h = herald_factory(extra_toml=delivery_toml(sink.port, delivery="hold = true"))
        tag = uuid.uuid4().hex
        qid = submit(h.starttls_port, make_message(to=RCPT, subject=f"nul {tag}"))
        h.stop()
        head = make_message(to=RCPT, subject=f"nul {tag}").split(b"\r\n\r\n", 1)[0]
        body = (head + b"\r\n\r\nfirst part\r\n\x00.\r\nMAIL FROM:<evil@acme.example>\r\n"
                b"RCPT TO:<victim@example.net>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n")
        _spool_message_with_nul(h, qid, body)
        h.config.write_text(h.config.read_text().replace("hold = true", ""))
        h.start()
        # The bounce comes back to the sender (acme.example's MX is the sink).
        bounce = sink.wait_for(1, timeout=30)[0]
        wait_queue_empty(h)
        time.sleep(0.5)  # nothing else may arrive
        assert [m.rcpts for m in sink.messages] == [[USER]], sink.messages
        assert bounce.mail_from == ""
        assert b"\x00" not in bounce.data
        text = bounce.data.decode("utf-8", "replace")
        assert "Action: failed" in text and "Status: 5.6.0" in text, text
        assert "NUL octet" in text, text
        assert "Diagnostic-Code: X-Herald; 554 5.6.0" in text, text
        # RET=FULL was asked for, but a body with a NUL comes back as its
        # header only.
        assert "text/rfc822-headers" in text and "first part" not in text, text
        # The receiver saw DATA for it but never an end of data (the other
        # DATA is the DSN's).
        assert sink.data_attempts == 2
        assert "NUL octet" in h.log_text()
    finally:
        sink.close()
