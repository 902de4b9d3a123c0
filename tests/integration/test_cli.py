"""The admin CLI (SPEC §2): accounts, users, the queue, check-config, init."""

import json
import re

import pytest

from helpers import USER, PASSWORD, RawSmtp, submit


def _names(items, key):
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(it)
        else:
            assert isinstance(it, dict), it
            out.append(it[key])
    return out


def _can_login(h, user, password):
    with RawSmtp(h.starttls_port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        r = c.auth_plain(user, password)
        c.quit()
    return r.code == 235


def test_account_add_and_list(herald):
    herald.cli_ok("account", "add", "marketing", "--parent", "acme")
    names = _names(herald.cli_json("account", "list"), "name")
    assert {"acme", "marketing"} <= set(names), names
    text = herald.cli_ok("account", "list").stdout
    assert "acme" in text and "marketing" in text


def test_account_add_duplicate_fails(herald):
    r = herald.cli("account", "add", "acme")
    assert r.returncode != 0
    assert r.stderr.strip(), "error must be explained on stderr"


def test_user_add_needs_existing_account(herald):
    r = herald.cli("user", "add", "x@nowhere.example", "--account", "nope",
                   "--password-stdin", input="pw-pw-pw-pw\n")
    assert r.returncode != 0 and r.stderr.strip()


def test_user_add_list_passwd_remove(herald):
    herald.add_user("second@acme.example", "first-password-123")
    users = herald.cli_json("user", "list")
    addrs = _names(users, "address")
    assert {USER, "second@acme.example"} <= set(addrs), users
    assert "first-password-123" not in json.dumps(users)
    for u in users:
        if isinstance(u, dict) and u.get("address") == "second@acme.example" and "account" in u:
            assert u["account"] == "acme"
    assert _can_login(herald, "second@acme.example", "first-password-123")

    herald.cli_ok("user", "passwd", "second@acme.example", "--password-stdin",
                  input="second-password-456\n")
    assert not _can_login(herald, "second@acme.example", "first-password-123")
    assert _can_login(herald, "second@acme.example", "second-password-456")

    herald.cli_ok("user", "remove", "second@acme.example")
    assert "second@acme.example" not in _names(herald.cli_json("user", "list"), "address")
    assert not _can_login(herald, "second@acme.example", "second-password-456")
    assert _can_login(herald, USER, PASSWORD)


def test_user_add_duplicate_fails(herald):
    r = herald.cli("user", "add", USER, "--account", "acme", "--password-stdin",
                   input="another-password\n")
    assert r.returncode != 0 and r.stderr.strip()


def test_queue_list_show_stats_delete(herald):
    a = submit(herald.starttls_port)
    b = submit(herald.starttls_port)
    q = herald.queue_list()
    assert {a, b} == {m["id"] for m in q}
    for m in q:
        assert {"id", "mail_from", "recipients", "size", "received_at"} <= set(m), m

    stats = herald.cli_json("queue", "stats")
    assert stats["count"] == 2
    assert stats["bytes"] >= sum(m["size"] for m in q) > 0

    human = herald.cli_ok("queue", "list").stdout
    assert a in human and b in human
    shown = herald.cli_ok("queue", "show", a).stdout
    assert a in shown

    herald.cli_ok("queue", "delete", a)
    assert herald.queue_ids() == [b]
    assert herald.cli_json("queue", "stats")["count"] == 1
    r = herald.cli("queue", "show", a)
    assert r.returncode != 0 and r.stderr.strip()
    r = herald.cli("queue", "delete", a)
    assert r.returncode != 0


def test_queue_show_unknown_id_fails(herald):
    r = herald.cli("queue", "show", "doesnotexist")
    assert r.returncode != 0 and r.stderr.strip()


def test_check_config_accepts_the_test_config(herald):
    r = herald.cli("check-config")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("where", ["top", "limits"])
def test_check_config_rejects_unknown_key_with_line(herald, tmp_path, where):
    lines = herald.config.read_text().splitlines()
    if where == "top":
        lines.insert(2, 'hostnmae = "typo.example"')
        key = "hostnmae"
    else:
        idx = lines.index("[limits]")
        lines.insert(idx + 1, "max_mesage_size = 10")
        key = "max_mesage_size"
    lineno = lines.index(next(l for l in lines if l.startswith(key))) + 1
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines) + "\n")
    r = herald.cli("check-config", config=bad)
    assert r.returncode != 0, "unknown key accepted"
    assert key in r.stderr, r.stderr
    assert re.search(rf"(line\s*{lineno}\b|:{lineno}\b)", r.stderr), \
        f"line {lineno} not named: {r.stderr!r}"
    # serve refuses it too
    r = herald.cli("serve", config=bad, timeout=10)
    assert r.returncode != 0 and key in r.stderr


def test_check_config_rejects_bad_values(herald, tmp_path):
    text = herald.config.read_text().replace('tls = "implicit"', 'tls = "sometimes"')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    r = herald.cli("check-config", config=bad)
    assert r.returncode != 0 and ("sometimes" in r.stderr or "tls" in r.stderr), r.stderr


def test_missing_config_file_is_explained(herald, tmp_path):
    r = herald.cli("check-config", config=tmp_path / "nope.toml")
    assert r.returncode != 0 and "nope.toml" in r.stderr


def test_init_writes_a_valid_config(herald_bin, herald_factory, tmp_path):
    h = herald_factory(start=False, with_user=False)
    d = tmp_path / "fresh"
    r = h.cli("init", "--dir", d, "--hostname", "mail.init.example", config=d / "herald.toml")
    assert r.returncode == 0, r.stderr
    cfg = d / "herald.toml"
    assert cfg.is_file()
    assert (d / "tls" / "cert.pem").is_file() and (d / "tls" / "key.pem").is_file()
    assert (d / "data").is_dir()
    assert "mail.init.example" in cfg.read_text()
    r = h.cli("check-config", config=cfg)
    assert r.returncode == 0, r.stderr
    # init does not overwrite an existing config
    before = cfg.read_text()
    r = h.cli("init", "--dir", d, "--hostname", "other.example", config=cfg)
    assert cfg.read_text() == before
