"""Brute-force protection: after max_failures_per_ip failed AUTHs the client
IP is locked out with a reply that says so and until when; even the right
password is refused while locked; the lockout is logged. A login attacked
from anywhere is locked the same way, whether it exists or not, so the
replies reveal nothing about which logins exist. Every lockout is audited
per scope, and attempts refused during one are audited without flooding
the trail."""

import re
import time

from helpers import PASSWORD, USER, RawSmtp


def _auth(port, user, password, source=None):
    with RawSmtp(port, source=source) as c:
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


# -- the audit trail of lockouts ------------------------------------------------

def _auth_events(h):
    time.sleep(0.6)  # the server writes audit events in batches every 200 ms
    return [e for e in h.cli_json("audit", "--kind", "auth")
            if e["event"] in ("auth_lockout", "auth_locked_refused", "auth_failed")]


def test_refusals_during_an_ip_lockout_are_audited_without_flooding(herald_factory):
    h = herald_factory(extra_toml="[auth]\nmax_failures_per_ip = 3\n")
    for i in range(3):
        assert _auth(h.starttls_port, f"guess{i}@acme.example", "wrong").code == 535
    # A brute-force run carries on: every attempt is refused, none may
    # vanish from the trail, and the trail must not grow with each one.
    for i in range(12):
        assert _auth(h.starttls_port, f"more{i}@acme.example", "wrong").code == 454
    events = _auth_events(h)
    lockouts = [e for e in events if e["event"] == "auth_lockout"]
    assert [e["detail"].split()[0] for e in lockouts] == ["scope=ip"], lockouts
    refused = [e for e in events if e["event"] == "auth_locked_refused"]
    counts = [re.search(r"refused=(\d+)", e["detail"]).group(1) for e in refused]
    assert counts == ["1", "10"], refused  # the first, then each power of ten
    assert all("scope=ip" in e["detail"] and e["ip"] == "127.0.0.1" for e in refused)
    assert "new_address=yes" in refused[0]["detail"]
    # Refusals are not counted as failed guesses of their own.
    assert len([e for e in events if e["event"] == "auth_failed"]) == 3


def test_login_lockout_is_audited_as_such_and_each_new_address_once(herald_factory):
    h = herald_factory(extra_toml="[auth]\nmax_failures_per_ip = 3\n")
    # One failure from each of three addresses: no address is locked, the
    # login name is.
    for n in (2, 3, 4):
        assert _auth(h.starttls_port, USER, "wrong", f"127.0.0.{n}").code == 535
    r = _auth(h.starttls_port, USER, PASSWORD, "127.0.0.5")
    assert r.code == 454 and "for this login" in r.text, str(r)
    _auth(h.starttls_port, USER, PASSWORD, "127.0.0.5")
    _auth(h.starttls_port, USER, "wrong", "127.0.0.6")
    events = _auth_events(h)
    lockouts = [e for e in events if e["event"] == "auth_lockout"]
    assert len(lockouts) == 1 and "scope=login" in lockouts[0]["detail"], lockouts
    assert lockouts[0]["identity"] == USER
    refused = [e for e in events if e["event"] == "auth_locked_refused"]
    # 127.0.0.5 twice (audited once), 127.0.0.6 once: two events.
    assert sorted(e["ip"] for e in refused) == ["127.0.0.5", "127.0.0.6"], refused
    assert all("scope=login" in e["detail"] and e["identity"] == USER for e in refused)


def test_one_failure_locking_ip_and_login_audits_both(herald_factory):
    h = herald_factory(extra_toml="[auth]\nmax_failures_per_ip = 3\n")
    for _ in range(3):
        assert _auth(h.starttls_port, USER, "wrong").code == 535
    scopes = sorted(e["detail"].split()[0] for e in _auth_events(h)
                    if e["event"] == "auth_lockout")
    assert scopes == ["scope=ip", "scope=login"], scopes
