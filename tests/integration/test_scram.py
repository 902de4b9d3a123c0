"""AUTH SCRAM-SHA-256 (RFC 5802/7677) when [auth] mechanisms lists it: the
server keeps only salted keys (no password), proves itself to the client
(v=), and refuses a wrong password or an unknown login alike at the proof.
Driven by a SCRAM client written here and by msmtp (GNU SASL)."""

import base64
import hashlib
import hmac
import os
import shutil
import subprocess

import pytest

from helpers import HOST, PASSWORD, USER, RawSmtp, make_message

SCRAM_TOML = '[auth]\nmechanisms = ["PLAIN", "LOGIN", "SCRAM-SHA-256"]\n'


def _hmac(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()


def scram_login(port, user, password):
    """Returns (final reply, server signature verified?)."""
    c = RawSmtp(port)
    c.ehlo()
    c.starttls()
    ehlo = c.ehlo()
    assert any("SCRAM-SHA-256" in l for l in ehlo.lines), ehlo.lines
    cnonce = base64.b64encode(os.urandom(18)).decode()
    bare = f"n={user.replace('=', '=3D').replace(',', '=2C')},r={cnonce}"
    r = c.cmd("AUTH SCRAM-SHA-256 " + base64.b64encode(("n,," + bare).encode()).decode())
    assert r.code == 334, str(r)
    server_first = base64.b64decode(r.lines[0]).decode()
    fields = dict(item.split("=", 1) for item in server_first.split(","))
    assert fields["r"].startswith(cnonce)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(fields["s"]),
                                 int(fields["i"]))
    client_key = _hmac(salted, b"Client Key")
    stored_key = hashlib.sha256(client_key).digest()
    final_bare = f"c=biws,r={fields['r']}"
    auth_message = f"{bare},{server_first},{final_bare}".encode()
    proof = bytes(a ^ b for a, b in zip(client_key, _hmac(stored_key, auth_message)))
    r = c.cmd(base64.b64encode(f"{final_bare},p={base64.b64encode(proof).decode()}".encode())
              .decode())
    verified = False
    if r.code == 334:
        server_final = base64.b64decode(r.lines[0]).decode()
        expected = _hmac(_hmac(salted, b"Server Key"), auth_message)
        verified = server_final == "v=" + base64.b64encode(expected).decode()
        r = c.cmd("")
    c.quit()
    return r, verified


def test_scram_login_and_mutual_proof(herald_factory):
    h = herald_factory(extra_toml=SCRAM_TOML)
    r, verified = scram_login(h.starttls_port, USER, PASSWORD)
    assert r.code == 235, str(r)
    assert verified, "the server's v= signature did not verify"
    assert "mechanism=SCRAM-SHA-256" in h.log_text()


def test_scram_wrong_password_and_unknown_login_fail_alike(herald_factory):
    h = herald_factory(extra_toml=SCRAM_TOML)
    wrong, _ = scram_login(h.starttls_port, USER, "not the password")
    unknown, _ = scram_login(h.starttls_port, "nobody@acme.example", "whatever")
    assert wrong.code == 535 and wrong.enhanced == "5.7.8", str(wrong)
    assert unknown.raw == wrong.raw


def test_scram_not_offered_unless_configured(herald):
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        c.starttls()
        ehlo = c.ehlo()
        assert not any("SCRAM" in l for l in ehlo.lines)
        assert c.cmd("AUTH SCRAM-SHA-256").code == 504
        c.quit()


@pytest.mark.skipif(shutil.which("msmtp") is None, reason="msmtp not installed")
def test_msmtp_scram_sha_256(herald_factory, tmp_path):
    h = herald_factory(extra_toml=SCRAM_TOML)
    pwfile = tmp_path / "pw"
    pwfile.write_text(PASSWORD)
    rc = tmp_path / "msmtprc"
    rc.write_text(
        "account default\n"
        f"host {HOST}\nport {h.starttls_port}\n"
        "tls on\ntls_starttls on\ntls_certcheck off\n"
        f"auth scram-sha-256\nuser {USER}\npasswordeval cat {pwfile}\n"
        f"from {USER}\ndomain client.test.example\ntimeout 10\n")
    rc.chmod(0o600)
    msg = make_message(subject="msmtp scram")
    r = subprocess.run(["msmtp", "--debug", "-C", str(rc), "rcpt@example.net"], input=msg,
                       capture_output=True, timeout=40)
    assert r.returncode == 0, (r.stdout + r.stderr).decode(errors="replace")[-3000:]
    assert len(h.queue_list()) == 1


def test_unavailable_mechanism_is_a_config_error(herald_factory):
    h = herald_factory(start=False, with_user=False,
                       extra_toml='[auth]\nmechanisms = ["PLAIN", "DIGEST-MD5"]\n')
    r = h.cli("check-config")
    assert r.returncode != 0 and "DIGEST-MD5" in r.stderr, r.stderr
