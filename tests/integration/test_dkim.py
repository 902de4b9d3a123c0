"""DKIM signing end to end: Herald signs what an authenticated client
submits (RSA-SHA256 and Ed25519-SHA256 by default), and three independent
verifiers (dkimpy, Perl Mail::DKIM, npm mailauth) accept every signature,
for the awkward messages RFC 6376 canonicalization is about. Public keys
come from `herald domain dns --json`, never from real DNS."""

import smtplib

import pytest

import dkim_verifiers
from helpers import (ACCOUNT, PASSWORD, USER, RawSmtp, make_message, queue_id_from,
                     smtp_starttls, submit)

DOMAIN = "acme.example"
HERALD_OPTIONS = {"max_message_size": "4MB"}


@pytest.fixture(scope="module")
def signing(shared_herald):
    shared_herald.cli_ok("domain", "add", DOMAIN, "--account", ACCOUNT)
    shared_herald.cli_ok("domain", "add", "news.other-acme.example", "--account", ACCOUNT,
                         "--algorithm", "ed25519")
    return shared_herald


def key_records(h, domain=DOMAIN):
    out = h.cli_json("domain", "dns", domain)
    return {r["name"]: r["value"] for r in out["records"] if "._domainkey." in r["name"]}


def verify_all(message, records, expected=2):
    for name, verify in dkim_verifiers.VERIFIERS.items():
        results = verify(message, records)
        assert len(results) == expected, (name, results)
        for result, domain, selector, algorithm in results:
            assert domain == DOMAIN, (name, results)
            if name == "perl" and algorithm == "ed25519-sha256":
                # Debian 12's Mail::DKIM (1.20230212) has no Ed25519
                # (RFC 8463) support; it must say so, not fail the hash.
                assert result == "invalid", (name, results)
                continue
            assert result == "pass", (name, results)
    return results


LONG_SUBJECT = "a subject long enough to be folded " * 6

BODIES = {
    "plain": b"Hello.\r\n",
    "trailing_whitespace": b"line with trailing spaces   \r\nand tabs\t\t\r\n\r\n\r\n",
    "empty": b"",
    "only_crlfs": b"\r\n\r\n\r\n\r\n",
    "utf8": "Grüße aus Köln, 日本語のテキスト\r\n".encode(),
    "leading_dots": b".starts with a dot\r\n..two dots\r\n.\r\n. \r\nend\r\n",
    "one_megabyte": (b"x" * 998 + b"\r\n") * 1050,
    "inner_whitespace": b"a  b\t c \r\n  indented\r\n",
}


@pytest.mark.parametrize("body", sorted(BODIES))
def test_signatures_verify_with_three_verifiers(signing, shared, body):
    folded = "Subject: " + LONG_SUBJECT.strip().replace("folded a", "folded\r\n\ta")
    message = make_message(
        subject="x", body=BODIES[body],
        extra_headers=("Content-Transfer-Encoding: 8bit", "X-Folded: one\r\n  two   \r\n\tthree "))
    message = message.replace(b"Subject: x", folded.encode())
    qid = submit(shared.starttls_port, message)
    raw = shared.queue_raw(qid)
    assert raw.lower().count(b"dkim-signature:") == 2
    assert b"a=rsa-sha256" in raw and b"a=ed25519-sha256" in raw
    verify_all(raw, key_records(shared))


def test_bdat_submission_is_signed(signing, shared):
    message = make_message(subject="bdat", body=b"chunked\r\n.dot\r\n")
    with RawSmtp(shared.starttls_port) as c:
        c.login()
        c.cmd(f"MAIL FROM:<{USER}>")
        c.cmd("RCPT TO:<rcpt@example.net>")
        half = len(message) // 2
        c.send(f"BDAT {half}\r\n".encode() + message[:half])
        assert c.read_reply().code == 250
        c.send(f"BDAT {len(message) - half} LAST\r\n".encode() + message[half:])
        r = c.read_reply()
        assert r.code == 250, str(r)
        qid = queue_id_from(r.text)
        c.quit()
    verify_all(shared.queue_raw(qid), key_records(shared))


def test_message_id_and_date_added_and_signed(signing, shared):
    message = (f"From: {USER}\r\nTo: rcpt@example.net\r\nSubject: bare\r\n\r\nbody\r\n").encode()
    qid = submit(shared.starttls_port, message)
    raw = shared.queue_raw(qid)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nMessage-ID: <" in head and b"\r\nDate: " in head
    verify_all(raw, key_records(shared))
    # Both added fields are covered by the signature.
    sig = head.split(b"DKIM-Signature:", 1)[1].split(b"b=", 1)[0].lower()
    assert b"message-id" in sig and b"date" in sig


def test_second_domain_signs_with_its_own_key(signing, shared):
    sender = "weekly@news.other-acme.example"
    qid = submit(shared.starttls_port, make_message(sender=sender), mail_from=sender)
    raw = shared.queue_raw(qid)
    assert raw.count(b"DKIM-Signature:") == 1
    records = key_records(shared, "news.other-acme.example")
    result = dkim_verifiers.dkimpy(raw, records)
    assert result and result[0][0] == "pass" and result[0][1] == "news.other-acme.example"


def test_unsigned_without_domain_keys(herald):
    # A login sending as its own address on a domain that is not added.
    qid = submit(herald.starttls_port)
    raw = herald.queue_raw(qid)
    assert b"DKIM-Signature" not in raw
    shown = herald.cli_ok("queue", "show", qid).stdout
    assert "unsigned" in shown


def test_rotation_signs_with_new_and_retiring_keys_then_only_new(herald):
    herald.cli_ok("domain", "add", DOMAIN, "--account", ACCOUNT, "--algorithm", "ed25519",
                  "--selector", "old")
    raw = herald.queue_raw(submit(herald.starttls_port))
    assert b"s=old;" in raw and b"s=new;" not in raw
    # The running server sees a rotation at once (its key cache lives only
    # while the store is unchanged): no restart.
    herald.cli_ok("domain", "rotate-dkim", DOMAIN, "--selector", "new")
    raw = herald.queue_raw(submit(herald.starttls_port))
    assert b"s=old;" in raw and b"s=new;" in raw
    verify_all(raw, key_records(herald), expected=2)
    out = herald.cli_ok("domain", "rotate-dkim", DOMAIN, "--retire").stdout
    assert "old._domainkey.acme.example" in out
    raw = herald.queue_raw(submit(herald.starttls_port))
    assert b"s=old;" not in raw and b"s=new;" in raw
    records = key_records(herald)
    assert list(records) == ["new._domainkey.acme.example."]
    verify_all(raw, records, expected=1)


def _refusal(port, message, mail_from=USER):
    s = smtp_starttls(port)
    try:
        s.login(USER, PASSWORD)
        code, _ = s.mail(mail_from)
        if code != 250:
            return code, _
        s.rcpt("rcpt@example.net")
        try:
            return s.data(message)
        except smtplib.SMTPDataError as e:
            return e.smtp_code, e.smtp_error
    finally:
        s.close()


def test_domain_lets_login_send_as_any_address_on_it(signing, shared):
    sender = "billing@acme.example"
    qid = submit(shared.starttls_port, make_message(sender=sender), mail_from=sender)
    verify_all(shared.queue_raw(qid), key_records(shared))


@pytest.mark.parametrize(
    "mail_from,headers,fragment",
    [
        # Another account's domain in MAIL FROM.
        ("ceo@bank.example", f"From: ceo@bank.example\r\n", b"not as ceo@bank.example"),
        # Header From on a domain other than the envelope's (both usable).
        (USER, "From: x@news.other-acme.example\r\n", b"differs from the envelope"),
        # Two From fields.
        (USER, f"From: {USER}\r\nFrom: {USER}\r\n", b"more than one From"),
        # Display name showing another address, plain and encoded.
        (USER, f'From: "ceo@bank.example" <{USER}>\r\n', b"display name shows ceo@bank.example"),
        (USER, f"From: =?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?= <{USER}>\r\n",
         b"display name shows ceo@bank.example"),
        # Sender header with someone else.
        (USER, f"From: {USER}\r\nSender: x@evil.example\r\n", b"Sender rejected"),
        # Several From addresses without Sender.
        (USER, f"From: {USER}, billing@acme.example\r\n", b"needs a Sender"),
        # No From at all.
        (USER, "", b"no From"),
    ],
)
def test_spoofing_refused(signing, shared, mail_from, headers, fragment):
    message = (headers + "To: rcpt@example.net\r\nSubject: s\r\n\r\nbody\r\n").encode()
    code, text = _refusal(shared.starttls_port, message, mail_from)
    assert code == 550, (code, text)
    assert fragment in text, text


def test_null_sender_refused(signing, shared):
    with RawSmtp(shared.starttls_port) as c:
        c.login()
        r = c.cmd("MAIL FROM:<>")
        c.quit()
    assert r.code == 550 and r.enhanced == "5.7.1", str(r)


def test_domain_added_while_running_signs_the_next_message(herald):
    # The first message makes the server remember that the account has no
    # sending domains; adding one must still count from the next message.
    raw = herald.queue_raw(submit(herald.starttls_port))
    assert b"DKIM-Signature" not in raw
    herald.cli_ok("domain", "add", DOMAIN, "--account", ACCOUNT, "--algorithm", "ed25519")
    raw = herald.queue_raw(submit(herald.starttls_port))
    assert raw.count(b"DKIM-Signature:") == 1
    result = dkim_verifiers.dkimpy(raw, key_records(herald))
    assert result and result[0][0] == "pass", result
