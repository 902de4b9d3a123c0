"""The audit trail (`herald audit`): auth successes and failures with
mechanism and address, lockouts, admin changes (accounts, logins, keys) and
accepted messages; filtered by --kind and --since; never a secret."""

import json
import time

from helpers import PASSWORD, USER, RawSmtp


def _login(h, user, password):
    with RawSmtp(h.starttls_port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        r = c.auth_plain(user, password)
        c.quit()
        return r


def _audit(h, *args):
    # The server writes its events in batches every 200 ms.
    time.sleep(0.6)
    return h.cli_json("audit", *args)


def test_auth_and_admin_events_are_recorded(herald):
    assert _login(herald, USER, PASSWORD).code == 235
    assert _login(herald, USER, "Tr0ub4dor-guess").code == 535
    key = herald.cli_json("key", "create", "--account", "acme")
    herald.cli_ok("key", "revoke", key["id"])

    auth = _audit(herald, "--kind", "auth")
    events = [(e["event"], e["identity"]) for e in auth]
    assert ("auth_ok", USER) in events
    assert ("auth_failed", USER) in events
    ok = next(e for e in auth if e["event"] == "auth_ok")
    assert ok["ip"] == "127.0.0.1" and "PLAIN" in ok["detail"]

    admin = _audit(herald, "--kind", "admin")
    names = [e["event"] for e in admin]
    for expected in ("account_added", "login_added", "key_created", "key_revoked"):
        assert expected in names, names

    everything = json.dumps(_audit(herald))
    assert PASSWORD not in everything and "Tr0ub4dor-guess" not in everything
    assert key["token"] not in everything


def test_lockout_event(herald_factory):
    h = herald_factory(extra_toml="[auth]\nmax_failures_per_ip = 2\n")
    for _ in range(2):
        _login(h, USER, "nope nope")
    events = [e["event"] for e in _audit(h, "--kind", "auth")]
    assert "auth_lockout" in events, events


def test_since_filters_old_events(herald):
    assert _login(herald, USER, PASSWORD).code == 235
    # Times are whole seconds: wait past the next full second boundary.
    time.sleep(3.2)
    assert _audit(herald, "--kind", "auth", "--since", "2s") == []
    assert len(_audit(herald, "--kind", "auth", "--since", "1h")) >= 1


def test_accepted_message_is_a_send_event(herald):
    with RawSmtp(herald.starttls_port) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<bob@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        r = c.cmd(f"From: {USER}\r\nSubject: audit\r\n\r\nhi\r\n.")
        assert r.code == 250, str(r)
        c.quit()
    send = _audit(herald, "--kind", "send")
    assert len(send) == 1 and send[0]["event"] == "message_accepted"
    assert send[0]["identity"] == USER and "recipients=1" in send[0]["detail"]
