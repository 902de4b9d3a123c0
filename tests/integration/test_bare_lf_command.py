"""A bare CR or bare LF in a command line is refused with 500 5.5.2 and
never executes (SPEC §4): whatever the server makes of the rest of the bytes,
no transaction may come out of it."""

import pytest

from helpers import USER, RawSmtp

# name -> (bytes, number of clean command lines in front that may succeed)
PAYLOADS = {
    "LF-ends-MAIL": (f"MAIL FROM:<{USER}>\nRCPT TO:<rcpt@example.net>\r\n".encode(), 0),
    "CR-inside-MAIL": (f"MAIL FROM:<{USER}>\rRCPT TO:<rcpt@example.net>\r\n".encode(), 0),
    "CR-ends-MAIL": (f"MAIL FROM:<{USER}>\r\r\nRCPT TO:<rcpt@example.net>\r\n".encode(), 0),
    "LFCR-in-MAIL": (f"MAIL FROM:<{USER}>\n\rRCPT TO:<rcpt@example.net>\r\n".encode(), 0),
    "LF-ends-RCPT": (f"MAIL FROM:<{USER}>\r\nRCPT TO:<rcpt@example.net>\n".encode(), 1),
    "CR-inside-RCPT": (f"MAIL FROM:<{USER}>\r\nRCPT TO:<rcpt@example.net>\rNOOP\r\n".encode(), 1),
}


def _collect_until_vrfy(c):
    """Replies up to and including the 252 answering our sentinel VRFY."""
    c.send(b"DATA\r\nVRFY sentinel\r\n")
    replies = []
    while True:
        r = c.read_reply()
        replies.append(r)
        if r.code == 252:
            return replies


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_bare_newline_in_command_authenticated(shared, name):
    payload, clean = PAYLOADS[name]
    with RawSmtp(shared.starttls_port) as c:
        c.login()
        c.send(payload)
        replies = _collect_until_vrfy(c)
        c.quit()
    assert all(r.code == 250 for r in replies[:clean]), [str(r) for r in replies]
    bad = replies[clean]
    assert bad.code == 500 and bad.enhanced == "5.5.2", f"reply to the bare-newline line: {bad}"
    # Neither the refused line nor DATA afterwards may succeed: no RCPT was
    # accepted, so there is no transaction to carry a message.
    accepted = [str(r) for r in replies[clean + 1:-1] if r.code < 400]
    assert not accepted, f"commands around a bare CR/LF were executed: {accepted}"


@pytest.mark.parametrize("payload", [b"EHLO client.test\n", b"EHLO client.test\rNOOP\r\n"],
                         ids=["LF", "CR"])
def test_bare_newline_before_ehlo(shared, payload):
    with RawSmtp(shared.starttls_port) as c:
        c.send(payload)
        if not payload.endswith(b"\r\n"):
            c.send(b"\r\n")
        r = c.read_reply()
        assert r.code == 500 and r.enhanced == "5.5.2", str(r)
        c.quit()
