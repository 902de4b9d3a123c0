"""STARTTLS listener (587-style): smtplib STARTTLS + AUTH PLAIN submission;
the message is durably queued with the right envelope, and `queue show --raw`
is exactly what will be delivered (a Received: header, then the message)."""

import base64

from helpers import USER, PASSWORD, RawSmtp, make_message, queue_id_from, send_one, smtp_starttls


def test_ehlo_after_starttls_offers_auth_plain_and_login(herald):
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        c.starttls()
        exts = c.extensions(c.ehlo())
        auth = [e for e in exts if e.startswith("AUTH ")]
        assert auth, f"no AUTH after STARTTLS: {exts}"
        assert {"PLAIN", "LOGIN"} <= set(auth[0].split()[1:])
        assert not any(e == "STARTTLS" for e in exts), "STARTTLS offered again inside TLS"
        c.quit()


def test_submit_with_smtplib_starttls_auth_plain(herald):
    rcpts = ["alice@example.net", "bob@example.org"]
    body = "first line\r\n.leading dot survives dot-stuffing\r\nlast line\r\n"
    msg = make_message(to=", ".join(rcpts), subject="starttls plain", body=body)
    s = smtp_starttls(herald.starttls_port)
    try:
        s.user, s.password = USER, PASSWORD
        code, resp = s.auth("PLAIN", s.auth_plain)
        assert code == 235, resp
        qid = send_one(s, USER, rcpts, msg)
    finally:
        s.quit()

    queue = herald.queue_list()
    entry = next((m for m in queue if m["id"] == qid), None)
    assert entry is not None, f"{qid} not in queue list: {queue}"
    assert entry["mail_from"] == USER
    assert sorted(r["address"] for r in entry["recipients"]) == sorted(rcpts)
    assert all(r.get("state") for r in entry["recipients"])
    assert entry["size"] > 0
    assert entry["received_at"]

    raw = herald.queue_raw(qid)
    assert raw.startswith(b"Received:"), raw[:200]
    received = raw[:raw.index(msg)].decode()
    assert "by mx.test.example" in received and "ESMTPSA" in received, received  # RFC 3848
    assert raw.endswith(msg), "stored message differs from what was submitted"
    assert b"\r\n.leading dot survives dot-stuffing\r\n" in raw

    shown = herald.cli_json("queue", "show", qid)
    assert qid in str(shown)


def test_auth_plain_with_separate_challenge(herald):
    """AUTH PLAIN without initial response: 334, then the credentials."""
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        r = c.cmd("AUTH PLAIN")
        assert r.code == 334, str(r)
        r = c.cmd(base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode())
        assert r.code == 235 and r.enhanced == "2.7.0", str(r)
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        c.send(make_message() + b".\r\n")
        r = c.read_reply()
        assert r.code == 250 and r.enhanced == "2.0.0", str(r)
        qid = queue_id_from(r.text)
        c.quit()
    assert qid in herald.queue_ids()
