"""Brute-force protection: after max_failures_per_ip failed AUTHs the client
IP is locked out with a reply that says so and until when; even the right
password is refused while locked; the lockout is logged. A login attacked
from anywhere is locked the same way, whether it exists or not, so the
replies reveal nothing about which logins exist."""

import re

from helpers import PASSWORD, USER, RawSmtp


def _auth(port, user, password):
    with RawSmtp(port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        r = c.auth_plain(user, password)
        c.quit()
        return r


def test_ip_locked_after_max_failures(herald_factory):
    h = herald_factory(extra_toml='[auth]\nmax_failures_per_ip = 3\nlockout = "15m"\n')
    for _ in range(3):
        r = _auth(h.starttls_port, USER, "wrong password")
        assert r.code == 535, str(r)
    r = _auth(h.starttls_port, USER, PASSWORD)  # right password, but locked
    assert r.code == 454 and r.enhanced == "4.7.0", str(r)
    text = " ".join(r.lines)
    assert "locked out until" in text and re.search(r"\d\d:\d\d:\d\d UTC", text), text
    assert "auth_lockout" in h.log_text()
    assert PASSWORD not in h.log_text()


def test_unknown_and_known_logins_lock_alike(herald_factory):
    h = herald_factory(extra_toml="[auth]\nmax_failures_per_ip = 2\n")
    known = _auth(h.starttls_port, USER, "wrong")
    unknown = _auth(h.starttls_port, "nobody@acme.example", "wrong")
    assert known.code == 535 and unknown.raw == known.raw
    # Two failures: the IP is locked now, for every name alike.
    locked_known = _auth(h.starttls_port, USER, "wrong")
    locked_unknown = _auth(h.starttls_port, "nobody@acme.example", "wrong")
    assert locked_known.code == 454 and locked_unknown.code == 454
    assert locked_known.lines == locked_unknown.lines
