"""`herald account remove NAME [--force]`: without --force an account that
still has logins, API keys or sending domains stays; with --force they go
with it in one transaction (DKIM key files too), a running server stops
accepting its credentials at once, and sub-accounts always block removal."""

import time

from helpers import ACCOUNT, PASSWORD, USER, RawSmtp

DOMAIN = "acme.example"


def _audit_admin(h):
    time.sleep(0.6)  # audit events are written in batches
    return h.cli_json("audit", "--kind", "admin")


def _populate(h):
    h.cli_ok("account", "add", "acme.news", "--parent", ACCOUNT)
    h.add_user("second@acme.example", "another long password", ACCOUNT)
    key = h.cli_json("key", "create", "--account", ACCOUNT)
    h.cli_ok("domain", "add", DOMAIN, "--account", ACCOUNT, "--algorithm", "ed25519")
    key_files = list((h.data_dir / "dkim" / DOMAIN).glob("*.pem"))
    assert len(key_files) == 1, key_files
    return key, key_files


def test_remove_refused_without_force(herald):
    _populate(herald)
    herald.cli_ok("account", "remove", "acme.news")
    r = herald.cli("account", "remove", ACCOUNT)
    assert r.returncode != 0
    assert "login" in r.stderr and "--force" in r.stderr, r.stderr
    assert USER in herald.cli_ok("user", "list").stdout


def test_remove_refused_while_sub_accounts_exist_even_with_force(herald):
    _, key_files = _populate(herald)
    r = herald.cli("account", "remove", ACCOUNT, "--force")
    assert r.returncode != 0
    assert "acme.news" in r.stderr, r.stderr
    # Nothing was touched.
    assert USER in herald.cli_ok("user", "list").stdout
    assert all(f.exists() for f in key_files)
    assert len(herald.cli_json("domain", "list")) == 1


def test_force_removes_logins_keys_domains_and_key_files(herald):
    key, key_files = _populate(herald)
    with RawSmtp(herald.starttls_port) as c:
        c.login()
        c.quit()
    herald.cli_ok("account", "remove", "acme.news")
    r = herald.cli_ok("account", "remove", ACCOUNT, "--force")
    assert "2 login(s), 1 API key(s), 1 domain(s) and 1 DKIM key(s)" in r.stdout, r.stdout

    assert herald.cli_json("account", "list") == []
    assert herald.cli_json("user", "list") == []
    assert herald.cli_json("key", "list") == []
    assert herald.cli_json("domain", "list") == []
    assert not any(f.exists() for f in key_files)

    # The running server refuses the removed credentials right away.
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        assert c.auth_plain(USER, PASSWORD).code == 535
        c.quit()
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        assert c.auth_plain("apikey", key["token"]).code == 535
        c.quit()

    removed = [e for e in _audit_admin(herald) if e["event"] == "account_removed"]
    details = [e["detail"] for e in removed]
    assert f"account={ACCOUNT} logins=2 api_keys=1 domains=1 dkim_keys=1" in details, details
    assert "account=acme.news logins=0 api_keys=0 domains=0 dkim_keys=0" in details, details

    # The names are free again.
    herald.cli_ok("account", "add", ACCOUNT)
    herald.cli_ok("domain", "add", DOMAIN, "--account", ACCOUNT, "--algorithm", "ed25519")


def test_remove_unknown_account(herald):
    r = herald.cli("account", "remove", "ghost", "--force")
    assert r.returncode != 0
    assert "does not exist" in r.stderr
