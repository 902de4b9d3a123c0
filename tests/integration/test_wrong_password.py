"""Wrong password → 535 5.7.8; an unknown user gets the very same reply
(no user enumeration), and the session stays unauthenticated."""

from helpers import USER, RawSmtp


def _auth(port, user, password):
    with RawSmtp(port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        r = c.auth_plain(user, password)
        after = c.cmd(f"MAIL FROM:<{USER}>")
        c.quit()
        return r, after


def test_wrong_password_gets_535(herald):
    r, after = _auth(herald.starttls_port, USER, "not the password")
    assert r.code == 535 and r.enhanced == "5.7.8", str(r)
    assert after.code == 530, f"MAIL after failed AUTH: {after}"


def test_unknown_user_gets_the_same_reply(herald):
    wrong, _ = _auth(herald.starttls_port, USER, "not the password")
    unknown, after = _auth(herald.starttls_port, "nobody@acme.example", "whatever")
    assert unknown.code == 535 and unknown.enhanced == "5.7.8", str(unknown)
    assert unknown.raw == wrong.raw, f"replies differ: {wrong} / {unknown}"
    assert after.code == 530


def test_auth_login_wrong_password(herald):
    import base64
    with RawSmtp(herald.implicit_port, implicit_tls=True) as c:
        c.ehlo()
        assert c.cmd("AUTH LOGIN").code == 334
        assert c.cmd(base64.b64encode(USER.encode()).decode()).code == 334
        r = c.cmd(base64.b64encode(b"nope").decode())
        assert r.code == 535 and r.enhanced == "5.7.8", str(r)
        c.quit()


def test_failed_auth_takes_the_same_time_whatever_failed(herald_factory):
    """A wrong password and an unknown user must not be told apart by
    timing (issue 2 §5): both pay the full password-hash price."""
    import statistics
    import time
    h = herald_factory(extra_toml="[auth]\nmax_failures_per_ip = 1000\n")

    def attempt(user, password):
        with RawSmtp(h.starttls_port) as c:
            c.ehlo()
            c.starttls()
            c.ehlo()
            t0 = time.monotonic()
            r = c.auth_plain(user, password)
            took = time.monotonic() - t0
            c.quit()
        assert r.code == 535, str(r)
        return took

    wrong, unknown = [], []
    for i in range(3):
        wrong.append(attempt(USER, f"wrong-{i}"))
        unknown.append(attempt(f"nobody{i}@acme.example", f"wrong-{i}"))
    w, u = statistics.median(wrong), statistics.median(unknown)
    assert u >= 0.5 * w and w >= 0.5 * u, f"median wrong password {w:.3f}s vs unknown user {u:.3f}s"
