"""API keys: created with `herald key create` (token shown once), used as the
AUTH password with the user name "apikey"; scopes, sender patterns, IP
allowlists, expiry, revocation (at once, on the running server) and
rotation with an overlap."""

import json
import time

from helpers import ACCOUNT, USER, RawSmtp

MESSAGE = "From: {sender}\r\nTo: bob@example.net\r\nSubject: key test\r\n\r\nhello\r\n"


def create_key(h, *args):
    return h.cli_json("key", "create", "--account", "acme", *args)


def auth_key(h, token):
    c = RawSmtp(h.starttls_port)
    c.ehlo()
    c.starttls()
    c.ehlo()
    return c, c.auth_plain("apikey", token)


def submit(c, sender):
    r = c.cmd(f"MAIL FROM:<{sender}>")
    if r.code != 250:
        return r
    assert c.cmd("RCPT TO:<bob@example.net>").code == 250
    assert c.cmd("DATA").code == 354
    return c.cmd(MESSAGE.format(sender=sender) + ".")


def test_key_sends_as_the_accounts_address(herald):
    key = create_key(herald, "--name", "crm")
    assert key["token"].startswith("hk_")
    c, r = auth_key(herald, key["token"])
    assert r.code == 235, str(r)
    done = submit(c, USER)
    c.quit()
    assert done.code == 250, str(done)
    entries = herald.queue_list()
    assert entries[-1]["auth_identity"] == "key:" + key["id"]
    listed = herald.cli_json("key", "list")
    assert listed[0]["last_used_ip"] == "127.0.0.1"
    assert key["token"] not in json.dumps(listed)
    assert key["token"] not in herald.log_text()


def test_revoked_key_is_refused_at_once(herald):
    key = create_key(herald)
    c, r = auth_key(herald, key["token"])
    assert r.code == 235
    c.quit()
    herald.cli_ok("key", "revoke", key["id"])
    c, r = auth_key(herald, key["token"])
    c.quit()
    assert r.code == 535 and r.enhanced == "5.7.8", str(r)
    assert "revoked" in herald.log_text()


def test_expired_key_is_refused(herald):
    key = create_key(herald, "--expires", "1s")
    time.sleep(2)
    c, r = auth_key(herald, key["token"])
    c.quit()
    assert r.code == 535, str(r)


def test_ip_allowlist(herald):
    outside = create_key(herald, "--allow-ip", "10.0.0.0/8", "--allow-ip", "2001:db8::/32")
    c, r = auth_key(herald, outside["token"])
    c.quit()
    assert r.code == 535, str(r)
    inside = create_key(herald, "--allow-ip", "127.0.0.0/8")
    c, r = auth_key(herald, inside["token"])
    c.quit()
    assert r.code == 235, str(r)


def test_domain_scope_needs_the_accounts_domain(herald):
    # A scope narrows what the account may use; it never widens it.
    key = create_key(herald, "--scope", "mail.send:acme.example")
    c, r = auth_key(herald, key["token"])
    refused = submit(c, "noreply@acme.example")
    c.quit()
    assert refused.code == 550 and refused.enhanced == "5.7.1", str(refused)


def test_sender_patterns_and_domain_scope(herald):
    herald.cli_ok("domain", "add", "acme.example", "--account", ACCOUNT, "--algorithm", "ed25519")
    key = create_key(herald, "--scope", "mail.send:acme.example", "--from", "noreply@acme.example")
    c, r = auth_key(herald, key["token"])
    assert r.code == 235
    refused = submit(c, "ceo@acme.example")
    assert refused.code == 550 and refused.enhanced == "5.7.1", str(refused)
    assert "noreply@acme.example" in " ".join(refused.lines)
    ok = submit(c, "noreply@acme.example")
    c.quit()
    assert ok.code == 250, str(ok)


def test_plain_scope_does_not_cover_other_addresses(herald):
    key = create_key(herald)
    c, r = auth_key(herald, key["token"])
    refused = submit(c, "someone@elsewhere.example")
    c.quit()
    assert refused.code == 550 and refused.enhanced == "5.7.1", str(refused)


def test_rotation_overlap_then_only_the_successor(herald):
    old = create_key(herald)
    new = herald.cli_json("key", "rotate", old["id"], "--overlap", "2s")
    assert new["replaces"] == old["id"] and new["token"] != old["token"]
    for token in (old["token"], new["token"]):
        c, r = auth_key(herald, token)
        c.quit()
        assert r.code == 235, str(r)
    time.sleep(3)
    c, r = auth_key(herald, old["token"])
    c.quit()
    assert r.code == 535, str(r)
    c, r = auth_key(herald, new["token"])
    c.quit()
    assert r.code == 235, str(r)


def test_bad_key_arguments_are_explained(herald):
    for args, word in ((["--scope", "mail.read"], "scope"),
                       (["--from", "nobody"], "sender pattern"),
                       (["--allow-ip", "10.0.0.0/99"], "prefix"),
                       (["--expires", "soon"], "duration")):
        r = herald.cli("key", "create", "--account", "acme", *args)
        assert r.returncode != 0 and word in r.stderr, (args, r.stderr)
