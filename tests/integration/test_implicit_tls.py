"""Implicit-TLS listener (465-style): smtplib SMTP_SSL + AUTH LOGIN."""

import pytest

from helpers import USER, PASSWORD, RawSmtp, make_message, send_one, smtp_implicit


@pytest.mark.parametrize("initial_response", [False, True], ids=["classic", "initial-response"])
def test_submit_with_smtp_ssl_auth_login(herald, initial_response):
    msg = make_message(subject="implicit login")
    s = smtp_implicit(herald.implicit_port)
    try:
        assert s.has_extn("auth") and "LOGIN" in s.esmtp_features["auth"].upper()
        assert not s.has_extn("starttls"), "STARTTLS offered on an implicit-TLS listener"
        s.user, s.password = USER, PASSWORD
        code, resp = s.auth("LOGIN", s.auth_login, initial_response_ok=initial_response)
        assert code == 235, resp
        qid = send_one(s, USER, ["rcpt@example.net"], msg)
    finally:
        s.quit()
    entry = next(m for m in herald.queue_list() if m["id"] == qid)
    assert entry["mail_from"] == USER
    assert [r["address"] for r in entry["recipients"]] == ["rcpt@example.net"]
    assert herald.queue_raw(qid).endswith(msg)


def test_banner_names_the_host(herald):
    with RawSmtp(herald.implicit_port, implicit_tls=True) as c:
        assert c.banner.code == 220
        assert "mx.test.example" in c.banner.text
        assert c.tls
        c.quit()
