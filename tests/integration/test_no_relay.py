"""No open relay, ever (SPEC §5). On an auth = "optional" listener an
unauthenticated client may talk SMTP but no recipient is accepted: not a
plain outside address, not the %-hack, not quoted local parts hiding an @,
not address literals, not source routes. On auth = "required", MAIL itself
is refused with 530 5.7.0."""

import pytest

from helpers import HOSTNAME, RawSmtp

HERALD_OPTIONS = {"listeners": {
    "starttls": ("starttls", "required"),
    "implicit": ("implicit", "required"),
    "optional": ("starttls", "optional"),
}}

RECIPIENTS = [
    "victim@outside.example",
    f"victim%outside.example@{HOSTNAME}",
    "victim%outside.example@acme.example",
    f'"victim@outside.example"@{HOSTNAME}',
    '"victim@outside.example"@acme.example',
    "victim@[127.0.0.1]",
    "victim@[IPv6:::1]",
    f"@{HOSTNAME}:victim@outside.example",
    "victim!outside.example@acme.example",
    "app@acme.example",
]


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "starttls"])
@pytest.mark.parametrize("rcpt", RECIPIENTS)
def test_unauthenticated_rcpt_is_refused(shared, rcpt, tls):
    with RawSmtp(shared.ports["optional"]) as c:
        c.ehlo()
        if tls:
            c.starttls()
            c.ehlo()
        c.cmd("MAIL FROM:<someone@outside.example>")
        r = c.cmd(f"RCPT TO:<{rcpt}>")
        d = c.cmd("DATA")
        if d.code == 354:  # must not happen; finish so the queue shows it
            c.send(b"Subject: relayed\r\n\r\nrelayed\r\n.\r\n")
            c.read_reply()
        c.quit()
    assert r.code >= 500, f"RCPT TO:<{rcpt}> without AUTH: {r}"
    assert d.code != 354, f"DATA accepted without AUTH after RCPT {r}"


def test_plain_outside_rcpt_says_relay_refused(shared):
    with RawSmtp(shared.ports["optional"]) as c:
        c.ehlo()
        mail = c.cmd("MAIL FROM:<someone@outside.example>")
        assert mail.code == 250, f"MAIL on auth=optional listener: {mail}"
        r = c.cmd("RCPT TO:<victim@outside.example>")
        assert r.code in (550, 554) and r.enhanced == "5.7.1", str(r)
        c.quit()


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_required_listener_refuses_mail_before_auth(shared, tls):
    port = shared.ports[tls]
    with RawSmtp(port, implicit_tls=(tls == "implicit")) as c:
        c.ehlo()
        if tls == "starttls":
            c.starttls()
            c.ehlo()
        r = c.cmd("MAIL FROM:<someone@outside.example>")
        assert r.code == 530 and r.enhanced == "5.7.0", f"{tls}: {r}"
        r = c.cmd("RCPT TO:<victim@outside.example>")
        assert r.code >= 500, f"{tls}: RCPT after refused MAIL: {r}"
        c.quit()


def test_nothing_was_queued(shared):
    # Runs last in this module (pytest keeps file order).
    assert shared.queue_list() == []
