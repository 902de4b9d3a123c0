"""AUTH CRAM-MD5 (RFC 2195), opt-in per login: only logins created or
changed with `--mechanisms CRAM-MD5` have the (sealed) password-equivalent
secret it needs; every other login, an unknown one and a wrong password all
get the same 535 5.7.8. Driven by a raw client, Python's smtplib and swaks."""

import base64
import hashlib
import hmac
import re
import shutil
import smtplib
import stat
import subprocess
import time
import uuid

import pytest

from helpers import (ACCOUNT, HOST, HOSTNAME, PASSWORD, USER, RawSmtp, insecure_tls_context,
                     make_message, queue_id_from)

CRAM_TOML = '[auth]\nmechanisms = ["PLAIN", "LOGIN", "CRAM-MD5"]\n'
CRAM_USER = "cram@acme.example"
CRAM_PASSWORD = "tanstaaf tanstaaf 2195"
CHALLENGE_RE = re.compile(r"^<\d+\.\d+@" + re.escape(HOSTNAME) + r">$")


def _cram_server(herald_factory, toml=CRAM_TOML):
    h = herald_factory(extra_toml=toml)
    h.cli_ok("user", "add", CRAM_USER, "--account", ACCOUNT, "--password-stdin",
             "--mechanisms", "CRAM-MD5", input=CRAM_PASSWORD + "\n")
    return h


def _cram_auth(port, user, password):
    """EHLO, STARTTLS, EHLO, AUTH CRAM-MD5 by hand. Returns (client, challenge, reply)."""
    c = RawSmtp(port)
    c.ehlo()
    c.starttls()
    ehlo = c.ehlo()
    assert any(l.upper().startswith("AUTH") and "CRAM-MD5" in l.upper() for l in ehlo.lines), \
        ehlo.lines
    r = c.cmd("AUTH CRAM-MD5")
    assert r.code == 334, str(r)
    challenge = base64.b64decode(r.lines[0]).decode()
    digest = hmac.new(password.encode(), challenge.encode(), hashlib.md5).hexdigest()
    started = time.monotonic()
    reply = c.cmd(base64.b64encode(f"{user} {digest}".encode()).decode())
    reply.elapsed = time.monotonic() - started
    return c, challenge, reply


def test_opted_in_login_authenticates_and_sends(herald_factory):
    h = _cram_server(herald_factory)
    c, challenge, r = _cram_auth(h.starttls_port, CRAM_USER, CRAM_PASSWORD)
    assert CHALLENGE_RE.match(challenge), challenge
    assert r.code == 235, str(r)
    assert c.cmd(f"MAIL FROM:<{CRAM_USER}>").code == 250
    assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
    assert c.cmd("DATA").code == 354
    c.send(make_message(sender=CRAM_USER) + b".\r\n")
    done = c.read_reply()
    assert done.code == 250, str(done)
    c.quit()
    assert queue_id_from(done.text) in h.queue_ids()
    assert "mechanism=CRAM-MD5" in h.log_text()


def test_challenges_are_fresh(herald_factory):
    h = _cram_server(herald_factory)
    seen = set()
    for _ in range(3):
        c, challenge, r = _cram_auth(h.starttls_port, CRAM_USER, CRAM_PASSWORD)
        assert r.code == 235, str(r)
        c.quit()
        seen.add(challenge)
    assert len(seen) == 3


def test_smtplib_cram_md5(herald_factory):
    h = _cram_server(herald_factory)
    with smtplib.SMTP(HOST, h.starttls_port, local_hostname="client.test.example",
                      timeout=15) as s:
        s.ehlo()
        s.starttls(context=insecure_tls_context())
        s.ehlo()
        assert "CRAM-MD5" in s.esmtp_features["auth"].upper()
        s.user, s.password = CRAM_USER, CRAM_PASSWORD
        code, _ = s.auth("CRAM-MD5", s.auth_cram_md5)
        assert code == 235
        refused = s.sendmail(CRAM_USER, ["rcpt@example.net"], make_message(sender=CRAM_USER))
        assert refused == {}
    assert len(h.queue_ids()) == 1


def test_login_without_cram_secret_unknown_and_wrong_password_fail_alike(herald_factory):
    h = _cram_server(herald_factory)
    replies = []
    for user, password in [(USER, PASSWORD),  # exists, but never opted in
                           (CRAM_USER, "not the password"),
                           ("nobody@acme.example", "whatever")]:
        c, _, r = _cram_auth(h.starttls_port, user, password)
        c.quit()
        assert r.code == 535 and r.enhanced == "5.7.8", str(r)
        assert r.elapsed >= 0.9, f"{user}: failed after {r.elapsed:.2f}s, below the floor"
        replies.append(r.raw)
    assert len(set(replies)) == 1, replies
    # The login without CRAM-MD5 still works with its other mechanisms.
    with RawSmtp(h.starttls_port) as c:
        c.login()
        c.quit()
    time.sleep(0.6)  # the server writes audit events in batches
    auth = h.cli_json("audit", "--kind", "auth")
    failed = [e for e in auth if e["event"] == "auth_failed" and "CRAM-MD5" in e["detail"]]
    assert {e["identity"] for e in failed} == {USER, CRAM_USER, "nobody@acme.example"}
    assert "not enabled for this login" in h.log_text()


def test_cram_failures_count_towards_lockout(herald_factory):
    h = _cram_server(herald_factory,
                     toml=CRAM_TOML + 'max_failures_per_ip = 2\nlockout = "15m"\n')
    for password in ("guess one", "guess two"):
        c, _, r = _cram_auth(h.starttls_port, CRAM_USER, password)
        c.quit()
        assert r.code == 535, str(r)
    # The address is locked out now: refused before any challenge.
    with RawSmtp(h.starttls_port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        r = c.cmd("AUTH CRAM-MD5")
        assert r.code == 454 and r.enhanced == "4.7.0", str(r)
        c.quit()
    assert "auth_lockout" in h.log_text()


def test_secret_is_sealed_and_listed_without_value(herald_factory):
    h = _cram_server(herald_factory)
    logins = {l["address"]: l for l in h.cli_json("user", "list")}
    assert logins[CRAM_USER]["cram_md5"] is True
    assert logins[USER]["cram_md5"] is False
    text = h.cli_ok("user", "list").stdout
    assert re.search(rf"^{re.escape(CRAM_USER)} .*cram-md5", text, re.M), text
    assert CRAM_PASSWORD not in text
    key = h.data_dir / "cram.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) == 64
    for f in h.data_dir.glob("herald.db*"):
        assert CRAM_PASSWORD.encode() not in f.read_bytes(), f


def test_passwd_without_mechanisms_turns_cram_off(herald_factory):
    h = _cram_server(herald_factory)
    new_password = "a brand new password 7"
    r = h.cli_ok("user", "passwd", CRAM_USER, "--password-stdin", input=new_password + "\n")
    assert "CRAM-MD5 is now off" in r.stdout
    assert {l["address"]: l["cram_md5"] for l in h.cli_json("user", "list")}[CRAM_USER] is False
    c, _, r = _cram_auth(h.starttls_port, CRAM_USER, new_password)
    c.quit()
    assert r.code == 535, str(r)
    h.cli_ok("user", "passwd", CRAM_USER, "--password-stdin", "--mechanisms", "cram-md5",
             input=new_password + "\n")
    c, _, r = _cram_auth(h.starttls_port, CRAM_USER, new_password)
    c.quit()
    assert r.code == 235, str(r)


def test_unknown_mechanism_name_refused_by_cli(herald_factory):
    h = herald_factory(extra_toml=CRAM_TOML)
    r = h.cli("user", "add", "x@acme.example", "--account", ACCOUNT, "--password-stdin",
              "--mechanisms", "DIGEST-MD5", input="long enough password\n")
    assert r.returncode != 0
    assert "DIGEST-MD5" in r.stderr
    assert "x@acme.example" not in h.cli_ok("user", "list").stdout


def test_not_offered_unless_configured(herald_factory):
    h = _cram_server(herald_factory, toml="")
    with RawSmtp(h.starttls_port) as c:
        c.ehlo()
        c.starttls()
        ehlo = c.ehlo()
        assert not any("CRAM-MD5" in l.upper() for l in ehlo.lines), ehlo.lines
        assert c.cmd("AUTH CRAM-MD5").code == 504
        c.quit()


swaks = pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks not installed")


def _swaks(port, user, password, marker):
    cmd = ["swaks", "--server", HOST, "--port", str(port), "--tls",
           "--auth", "CRAM-MD5", "--auth-user", user, "--auth-password", password,
           "--from", user, "--to", "rcpt@example.net",
           "--ehlo", "client.test.example", "--timeout", "15",
           "--header", f"Subject: swaks {marker}", "--body", f"swaks body {marker}"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@swaks
def test_swaks_cram_md5_submits(herald_factory):
    h = _cram_server(herald_factory)
    marker = uuid.uuid4().hex
    r = _swaks(h.starttls_port, CRAM_USER, CRAM_PASSWORD, marker)
    assert r.returncode == 0, f"swaks exited {r.returncode}\n{r.stdout}\n{r.stderr}"
    m = re.search(r"<~  250 .*queued as (\S+)", r.stdout)
    assert m, r.stdout
    assert f"swaks body {marker}".encode() in h.queue_raw(m.group(1))


@swaks
@pytest.mark.parametrize("user,password", [(USER, PASSWORD), (CRAM_USER, "wrong password")])
def test_swaks_cram_md5_refused(herald_factory, user, password):
    h = _cram_server(herald_factory)
    r = _swaks(h.starttls_port, user, password, uuid.uuid4().hex)
    assert r.returncode != 0
    assert "535 5.7.8" in r.stdout, r.stdout
    assert h.queue_list() == []
