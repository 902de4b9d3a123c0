"""The suppression list (SPEC §2, §6): `herald suppression add/list/remove`
and the refusal at RCPT. A suppressed address gets 550 5.1.1 with the date,
the reason and the command that lifts it; other recipients of the same
transaction are still accepted; the match ignores case; a running server
sees changes at once; every change is in the audit trail."""

import time

from helpers import USER, RawSmtp


def _rcpts(h, *addresses):
    """One authenticated transaction; returns the RCPT replies in order."""
    with RawSmtp(h.starttls_port) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        replies = [c.cmd(f"RCPT TO:<{a}>") for a in addresses]
        c.cmd("RSET")
        c.quit()
    return replies


def test_suppressed_recipient_is_refused_with_a_reason(shared):
    shared.cli_ok("suppression", "add", "gone@example.net", "--reason", "mailbox closed")
    try:
        gone, other = _rcpts(shared, "gone@example.net", "fine@example.net")
        assert gone.code == 550 and gone.enhanced == "5.1.1", str(gone)
        assert "<gone@example.net>: this address is on the suppression list since" in gone.text
        assert "(mailbox closed)" in gone.text
        assert "herald suppression remove gone@example.net" in gone.text
        assert other.code == 250, str(other)
    finally:
        shared.cli_ok("suppression", "remove", "gone@example.net")
    (again,) = _rcpts(shared, "gone@example.net")
    assert again.code == 250, str(again)


def test_message_to_the_others_still_goes(shared):
    shared.cli_ok("suppression", "add", "blocked@example.net")
    try:
        with RawSmtp(shared.starttls_port) as c:
            c.login()
            assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
            assert c.cmd("RCPT TO:<blocked@example.net>").code == 550
            assert c.cmd("RCPT TO:<open@example.net>").code == 250
            assert c.cmd("DATA").code == 354
            r = c.cmd(f"From: {USER}\r\nTo: open@example.net\r\nSubject: s\r\n\r\nhi\r\n.")
            assert r.code == 250, str(r)
            c.quit()
    finally:
        shared.cli_ok("suppression", "remove", "blocked@example.net")


def test_match_ignores_case(shared):
    shared.cli_ok("suppression", "add", "Carol@Example.NET")
    try:
        for spelling in ("carol@example.net", "CAROL@EXAMPLE.NET", "Carol@example.net"):
            (r,) = _rcpts(shared, spelling)
            assert r.code == 550 and r.enhanced == "5.1.1", f"{spelling}: {r}"
    finally:
        shared.cli_ok("suppression", "remove", "CAROL@example.net")


def test_list_json_and_idempotent_add(shared):
    shared.cli_ok("suppression", "add", "dave@example.org", "--reason", "first")
    shared.cli_ok("suppression", "add", "dave@example.org", "--reason", "second")
    try:
        rows = shared.cli_json("suppression", "list")
        dave = [r for r in rows if r["address"] == "dave@example.org"]
        assert len(dave) == 1, rows
        assert dave[0]["reason"] == "second"
        assert dave[0]["source"] == "manual"
        assert dave[0]["created_at"].endswith("Z")
        text = shared.cli_ok("suppression", "list").stdout
        assert "dave@example.org" in text and "second" in text
    finally:
        shared.cli_ok("suppression", "remove", "dave@example.org")
    assert all(r["address"] != "dave@example.org"
               for r in shared.cli_json("suppression", "list"))


def test_cli_errors_say_what_to_do(shared):
    r = shared.cli("suppression", "remove", "nobody@example.net")
    assert r.returncode != 0
    assert "not on the suppression list" in r.stderr and "herald suppression list" in r.stderr
    r = shared.cli("suppression", "add", "not-an-address")
    assert r.returncode != 0 and "user@example.com" in r.stderr


def test_changes_are_audited(shared):
    shared.cli_ok("suppression", "add", "erin@example.net", "--reason", "complaint")
    shared.cli_ok("suppression", "add", "erin@example.net", "--reason", "complaint again")
    shared.cli_ok("suppression", "remove", "erin@example.net")
    time.sleep(0.3)
    admin = shared.cli_json("audit", "--kind", "admin")
    events = [(e["event"], e["detail"]) for e in admin if "erin@example.net" in e["detail"]]
    names = [name for name, _ in events]
    assert names == ["suppression_added", "suppression_updated", "suppression_removed"], events
    assert "reason=complaint" in events[0][1]


def test_long_address_and_reason_keep_the_reply_line_short(shared):
    domain = ".".join(["d" * 60, "e" * 60, "f" * 50, "example"])
    address = "l" * 64 + "@" + domain
    shared.cli_ok("suppression", "add", address, "--reason", "r" * 290)
    try:
        (r,) = _rcpts(shared, address)
        assert r.code == 550 and r.enhanced == "5.1.1", str(r)
        assert len(r.raw) <= 512, len(r.raw)
        assert "suppression list" in r.text and "herald suppression remove" in r.text
    finally:
        shared.cli_ok("suppression", "remove", address)


def test_an_address_seen_before_is_refused_once_added(shared):
    """The server keeps recent answers in memory (PolicyCache); adding an
    address it has just accepted must still take effect from the next
    transaction, and removing it likewise."""
    for _ in range(3):
        (r,) = _rcpts(shared, "later@example.net")
        assert r.code == 250, str(r)
    shared.cli_ok("suppression", "add", "later@example.net", "--reason", "asked to stop")
    try:
        (r,) = _rcpts(shared, "later@example.net")
        assert r.code == 550 and "(asked to stop)" in r.text, str(r)
    finally:
        shared.cli_ok("suppression", "remove", "later@example.net")
    (r,) = _rcpts(shared, "later@example.net")
    assert r.code == 250, str(r)
