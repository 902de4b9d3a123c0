"""Sender authorization, first form (SPEC §5): a login may use its own
address as MAIL FROM and header From; anything else is 550 5.7.1."""

import pytest

from helpers import USER, RawSmtp, make_message, queue_id_from


def _session(h):
    c = RawSmtp(h.starttls_port)
    c.login()
    return c


@pytest.mark.parametrize("sender", ["other@acme.example", "ceo@bank.example", "app@acme.example.evil"])
def test_mail_from_other_address_is_refused(herald, sender):
    with _session(herald) as c:
        r = c.cmd(f"MAIL FROM:<{sender}>")
        assert r.code == 550 and r.enhanced == "5.7.1", str(r)
        c.quit()


def test_null_sender_is_refused_for_logins(herald):
    """<> is for bounces, which the server makes itself."""
    with _session(herald) as c:
        r = c.cmd("MAIL FROM:<>")
        c.quit()
    assert r.code == 550 and r.enhanced == "5.7.1", str(r)


def _send(c, header_from):
    assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
    assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
    assert c.cmd("DATA").code == 354
    c.send(make_message(sender=header_from) + b".\r\n")
    return c.read_reply()


@pytest.mark.parametrize("header_from", [
    "other@acme.example",
    "Boss <ceo@bank.example>",
    '"app@acme.example" <ceo@bank.example>',
])
def test_header_from_other_address_is_refused(herald, header_from):
    with _session(herald) as c:
        r = _send(c, header_from)
        assert r.code == 550 and r.enhanced == "5.7.1", f"From: {header_from}: {r}"
        assert c.cmd("NOOP").code == 250
        c.quit()
    assert herald.queue_list() == []


@pytest.mark.parametrize("header_from", [
    "app@acme.example",
    "App Server <app@acme.example>",
    "app@ACME.Example",
])
def test_own_address_is_accepted(herald, header_from):
    with _session(herald) as c:
        r = _send(c, header_from)
        assert r.code == 250, f"From: {header_from}: {r}"
        qid = queue_id_from(r.text)
        c.quit()
    assert qid in herald.queue_ids()


def test_missing_header_from_is_refused(herald):
    with _session(herald) as c:
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        c.send(b"Subject: no from\r\nMessage-ID: <nofrom@acme.example>\r\n\r\nbody\r\n.\r\n")
        r = c.read_reply()
        c.quit()
    assert r.code >= 500, f"message without From: accepted: {r}"


def test_two_from_headers_are_refused(herald):
    with _session(herald) as c:
        r = _send(c, "app@acme.example\r\nFrom: ceo@bank.example")
        c.quit()
    assert r.code >= 500, f"second From: header slipped through: {r}"
