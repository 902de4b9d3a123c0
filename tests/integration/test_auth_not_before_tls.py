"""AUTH is offered and accepted only under TLS (SPEC §4, RFC 4954 §4)."""

import pytest

from helpers import RawSmtp


def test_plain_ehlo_offers_starttls_but_no_auth(herald):
    with RawSmtp(herald.starttls_port) as c:
        exts = c.extensions(c.ehlo())
        assert "STARTTLS" in exts, exts
        assert not any(e.startswith("AUTH") for e in exts), f"AUTH offered in clear text: {exts}"
        c.quit()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_auth_without_tls_is_refused(herald, mechanism):
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        if mechanism == "PLAIN":
            r = c.auth_plain()
        else:
            r = c.cmd("AUTH LOGIN")
        assert r.code in (530, 503, 538), f"AUTH {mechanism} in clear text: {r}"
        assert r.code != 334 and r.code != 235
        if r.code == 530:
            assert r.enhanced == "5.7.0", str(r)
        # and nothing got authenticated: MAIL is still refused
        r = c.cmd("MAIL FROM:<app@acme.example>")
        assert r.code == 530 and r.enhanced == "5.7.0", str(r)
        c.quit()


def test_mail_before_auth_gets_530(herald):
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        r = c.cmd("MAIL FROM:<app@acme.example>")
        assert r.code == 530 and r.enhanced == "5.7.0", str(r)
        c.quit()
