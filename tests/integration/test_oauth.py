"""AUTH XOAUTH2 and OAUTHBEARER (RFC 7628) with JWT access tokens checked
against an [oauth] issuer's JWKS. The issuer is played here: keys made with
the openssl CLI, tokens signed with python3-cryptography. Driven by curl
(--oauth2-bearer), msmtp (auth xoauth2 / oauthbearer) and a raw client for
the refusals, which must come as a JSON error challenge and then 535."""

import base64
import http.server
import json
import shutil
import subprocess
import threading
import time

import pytest

from conftest import _Launcher
from helpers import HOST, USER, RawSmtp, make_message

crypto = pytest.importorskip("cryptography")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402

ISSUER = "https://idp.test.example/"
AUDIENCE = "smtp-submission"
SCOPE = "mail.send"


def b64u(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl_key(path, *args):
    subprocess.run(["openssl", "genpkey", *args, "-out", str(path)], check=True,
                   capture_output=True, timeout=60)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


class Issuer:
    """An OAuth issuer: an Ed25519 and an RSA-2048 signing key."""

    def __init__(self, d):
        d.mkdir(parents=True, exist_ok=True)
        self.dir = d
        self.keys = {
            "ed1": ("EdDSA", openssl_key(d / "ed1.pem", "-algorithm", "ed25519")),
            "rsa1": ("RS256", openssl_key(d / "rsa1.pem", "-algorithm", "RSA",
                                          "-pkeyopt", "rsa_keygen_bits:2048")),
        }
        self.jwks_path = d / "jwks.json"
        self.write_jwks()

    def add_key(self, kid):
        self.keys[kid] = ("EdDSA", openssl_key(self.dir / f"{kid}.pem", "-algorithm", "ed25519"))

    @staticmethod
    def jwk(kid, alg, key):
        pub = key.public_key()
        if alg == "EdDSA":
            raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return {"kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig", "x": b64u(raw)}
        n = pub.public_numbers()
        as_bytes = lambda i: i.to_bytes((i.bit_length() + 7) // 8, "big")  # noqa: E731
        return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                "n": b64u(as_bytes(n.n)), "e": b64u(as_bytes(n.e))}

    def jwks_text(self):
        return json.dumps({"keys": [self.jwk(k, a, key) for k, (a, key) in self.keys.items()]})

    def write_jwks(self):
        tmp = self.jwks_path.with_suffix(".tmp")
        tmp.write_text(self.jwks_text())
        tmp.replace(self.jwks_path)

    def claims(self, **over):
        now = int(time.time())
        c = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "email": USER,
             "scope": f"openid {SCOPE}", "iat": now - 5, "exp": now + 600}
        for k, v in over.items():
            if v is None:
                c.pop(k, None)
            else:
                c[k] = v
        return c

    def token(self, kid="ed1", header=None, compact=False, **claims):
        """compact: the fewest claims and no JSON spaces (about 280 octets),
        so that a client sending it as an AUTH initial response stays
        within SMTP's 512-octet command line."""
        alg, key = self.keys[kid]
        header = header or ({"alg": alg, "kid": kid} if compact else
                            {"alg": alg, "kid": kid, "typ": "JWT"})
        body = self.claims(**claims)
        if compact:
            body = {"iss": ISSUER, "aud": AUDIENCE, "sub": USER, "scope": SCOPE,
                    "exp": body["exp"]}
        dump = lambda o: json.dumps(o, separators=(",", ":"))  # noqa: E731
        signing_input = f"{b64u(dump(header))}.{b64u(dump(body))}"
        if alg == "EdDSA":
            sig = key.sign(signing_input.encode())
        else:
            sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64u(sig)}"


def oauth_toml(jwks_line, mechanisms='"PLAIN", "XOAUTH2", "OAUTHBEARER"'):
    return (f"[auth]\nmechanisms = [{mechanisms}]\nmax_failures_per_ip = 1000\n\n"
            f'[oauth]\nissuer = "{ISSUER}"\naudience = "{AUDIENCE}"\n{jwks_line}\n'
            f'required_scope = "{SCOPE}"\n')


@pytest.fixture(scope="module")
def issuer(tmp_path_factory):
    return Issuer(tmp_path_factory.mktemp("issuer"))


@pytest.fixture(scope="module")
def oauth_server(herald_bin, tmp_path_factory, issuer):
    """One server for the module: tokens never change server state, except
    the key-rotation test, which only adds a key."""
    launcher = _Launcher(herald_bin, lambda: tmp_path_factory.mktemp("oauth"), None)
    h = launcher(extra_toml=oauth_toml(f'jwks_file = "{issuer.jwks_path}"'))
    yield h
    deaths = launcher.close()
    assert not deaths, f"herald died: {h.log_text()[-3000:]}"


@pytest.fixture
def oh(oauth_server, request):
    request.node._heralds = getattr(request.node, "_heralds", []) + [oauth_server]
    return oauth_server


def xoauth2(user, token):
    return base64.b64encode(f"user={user}\x01auth=Bearer {token}\x01\x01".encode()).decode()


def oauthbearer(user, token):
    a = f"a={user}" if user else ""
    msg = f"n,{a},\x01host=mx.test.example\x01port=587\x01auth=Bearer {token}\x01\x01"
    return base64.b64encode(msg.encode()).decode()


def raw_auth(port, mechanism, message):
    """AUTH without an initial response (real tokens make the command line
    longer than 512 octets), then the message. Returns (client, reply)."""
    c = RawSmtp(port)
    c.ehlo()
    c.starttls()
    ehlo = c.ehlo()
    assert mechanism in " ".join(ehlo.lines), ehlo.lines
    r = c.cmd(f"AUTH {mechanism}")
    assert r.code == 334 and r.lines == [""], str(r)
    return c, c.cmd(message)


def send_and_check(h, c):
    before = set(h.queue_ids())
    assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
    assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
    assert c.cmd("DATA").code == 354
    c.send(make_message() + b".\r\n")
    r = c.read_reply()
    assert r.code == 250, str(r)
    assert len(set(h.queue_ids()) - before) == 1


@pytest.mark.parametrize("mechanism,kid", [("XOAUTH2", "ed1"), ("OAUTHBEARER", "rsa1")])
def test_raw_client_authenticates_and_sends(oh, issuer, mechanism, kid):
    token = issuer.token(kid=kid)
    encode = xoauth2 if mechanism == "XOAUTH2" else oauthbearer
    c, r = raw_auth(oh.starttls_port, mechanism, encode(USER, token))
    assert r.code == 235, str(r)
    send_and_check(oh, c)
    c.quit()
    assert token not in oh.log_text()


def test_oauthbearer_without_authzid(oh, issuer):
    c, r = raw_auth(oh.starttls_port, "OAUTHBEARER", oauthbearer("", issuer.token()))
    assert r.code == 235, str(r)
    c.quit()


def test_identity_from_sub_when_no_email(oh, issuer):
    c, r = raw_auth(oh.starttls_port, "XOAUTH2", xoauth2(USER, issuer.token(email=None, sub=USER)))
    assert r.code == 235, str(r)
    c.quit()


BAD_TOKENS = {
    "expired": lambda i: i.token(exp=int(time.time()) - 3600),
    "not_yet_valid": lambda i: i.token(nbf=int(time.time()) + 3600),
    "wrong_audience": lambda i: i.token(aud="imap"),
    "wrong_issuer": lambda i: i.token(iss="https://evil.example/"),
    "missing_scope": lambda i: i.token(scope="openid"),
    "no_login_for_user": lambda i: i.token(email="nobody@acme.example"),
    "bad_signature": lambda i: i.token()[:-6] + ("AAAAAA" if not i.token().endswith("AAAAAA")
                                                   else "BBBBBB"),
    "alg_none": lambda i: f"{b64u(json.dumps({'alg': 'none', 'kid': 'ed1'}))}."
                          f"{b64u(json.dumps(i.claims()))}.",
    "hs256_with_public_key": lambda i: hs256_confusion(i),
    "unknown_kid": lambda i: unknown_kid_token(i),
    "not_a_jwt": lambda i: "abc.def",
}


def hs256_confusion(issuer):
    import hmac
    import hashlib
    header = {"alg": "HS256", "kid": "rsa1"}
    signing_input = f"{b64u(json.dumps(header))}.{b64u(json.dumps(issuer.claims()))}"
    secret = issuer.keys["rsa1"][1].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"{signing_input}.{b64u(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def unknown_kid_token(issuer):
    stranger = Issuer.__new__(Issuer)
    stranger.keys = {"elsewhere": issuer.keys["ed1"]}
    return stranger.token(kid="elsewhere")


@pytest.mark.parametrize("case", sorted(BAD_TOKENS))
def test_xoauth2_refusals_get_json_challenge_then_535(oh, issuer, case):
    token = BAD_TOKENS[case](issuer)
    started = time.monotonic()
    c, r = raw_auth(oh.starttls_port, "XOAUTH2", xoauth2(USER, token))
    elapsed = time.monotonic() - started
    assert r.code == 334, str(r)
    challenge = json.loads(base64.b64decode(r.lines[0]))
    assert challenge == {"status": "401", "schemes": "bearer", "scope": SCOPE}
    assert elapsed >= 0.9, f"refusal took only {elapsed:.2f}s"
    final = c.cmd("")
    assert (final.code, final.enhanced) == (535, "5.7.8"), str(final)
    c.quit()
    log = oh.log_text()
    assert token not in log
    assert token.split(".")[-1] not in log or len(token.split(".")[-1]) < 8


def test_oauthbearer_refusal_round_trip(oh, issuer):
    token = issuer.token(aud="someone-else")
    c, r = raw_auth(oh.starttls_port, "OAUTHBEARER", oauthbearer(USER, token))
    assert r.code == 334, str(r)
    assert json.loads(base64.b64decode(r.lines[0])) == {"status": "invalid_token", "scope": SCOPE}
    final = c.cmd("AQ==")  # RFC 7628 §3.2.3: the client answers with ^A
    assert (final.code, final.enhanced) == (535, "5.7.8"), str(final)
    # The session goes on: a good token now works.
    r = c.cmd("AUTH OAUTHBEARER")
    assert r.code == 334
    assert c.cmd(oauthbearer(USER, issuer.token())).code == 235
    c.quit()


def test_authzid_must_match_token_user(oh, issuer):
    c, r = raw_auth(oh.starttls_port, "XOAUTH2", xoauth2("other@acme.example", issuer.token()))
    assert r.code == 334, str(r)
    assert c.cmd("").code == 535
    c.quit()
    assert "the user named in the exchange is not the token's user" in oh.log_text()


def test_cancel_after_refusal_still_counts(oh, issuer):
    c, r = raw_auth(oh.starttls_port, "XOAUTH2", xoauth2(USER, issuer.token(aud="x")))
    assert r.code == 334
    assert c.cmd("*").code == 501
    c.quit()
    # Counted and recorded before the challenge went out.
    deadline = time.monotonic() + 5
    while True:
        audit = oh.cli_ok("audit", "--kind", "auth", "--json").stdout
        if "reason=token is not for this audience" in audit or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "reason=token is not for this audience" in audit, audit[-2000:]


def test_token_user_without_login_is_refused(oh, issuer):
    token = issuer.token(email="nobody@acme.example")
    c, r = raw_auth(oh.starttls_port, "OAUTHBEARER", oauthbearer("", token))
    assert r.code == 334, str(r)
    assert c.cmd("AQ==").code == 535
    c.quit()
    assert "the token's user has no login" in oh.log_text()


def test_bad_tokens_count_toward_lockout(herald_factory, issuer):
    toml = oauth_toml(f'jwks_file = "{issuer.jwks_path}"').replace(
        "max_failures_per_ip = 1000", "max_failures_per_ip = 2")
    h = herald_factory(extra_toml=toml)
    for _ in range(2):
        c, r = raw_auth(h.starttls_port, "XOAUTH2", xoauth2(USER, issuer.token(aud="x")))
        assert r.code == 334, str(r)
        assert c.cmd("").code == 535
        c.quit()
    # Locked out now, even with a good token.
    c = RawSmtp(h.starttls_port)
    c.ehlo()
    c.starttls()
    c.ehlo()
    r = c.cmd("AUTH XOAUTH2")
    assert (r.code, r.enhanced) == (454, "4.7.0"), str(r)
    c.quit()
    assert "auth_lockout" in h.log_text()


def test_malformed_message_is_501(oh):
    bad = base64.b64encode(b"user=x\x01auth=Basic abc\x01\x01").decode()
    c, r = raw_auth(oh.starttls_port, "XOAUTH2", bad)
    assert r.code == 501, str(r)
    c.quit()


def test_key_rotation_in_file_is_picked_up(oh, issuer):
    issuer.add_key("ed2")
    issuer.write_jwks()
    c, r = raw_auth(oh.starttls_port, "XOAUTH2", xoauth2(USER, issuer.token(kid="ed2")))
    assert r.code == 235, str(r)
    c.quit()


# -- real clients ---------------------------------------------------------------

def curl_send(h, tmp_path, token, url_options="", extra=()):
    """curl --oauth2-bearer; returns (CompletedProcess, message bytes)."""
    f = tmp_path / "mail.eml"
    msg = make_message(subject="curl oauth")
    f.write_bytes(msg)
    user = "app%40acme.example" + url_options + "@" if url_options else ""
    cmd = ["curl", "--silent", "--show-error", "--max-time", "30", "-k", "-v",
           f"smtp://{user}{HOST}:{h.starttls_port}/client.test.example", "--ssl-reqd", *extra,
           "--user", f"{USER}:", "--oauth2-bearer", token, "--mail-from", USER,
           "--mail-rcpt", "rcpt@example.net", "-T", str(f)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60), msg


# curl 7.88 picks OAUTHBEARER whenever the server offers it, even with
# --login-options AUTH=XOAUTH2 (or ";AUTH=XOAUTH2" in the URL); XOAUTH2 is
# reached with a server that offers only that (test_curl_xoauth2).
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
@pytest.mark.parametrize("url_options,extra,used", [
    ("", [], "OAUTHBEARER"),
    ("", ["--login-options", "AUTH=OAUTHBEARER"], "OAUTHBEARER"),
])
def test_curl_oauth2_bearer(oh, issuer, tmp_path, url_options, extra, used):
    before = set(oh.queue_ids())
    token = issuer.token()
    r, msg = curl_send(oh, tmp_path, token, url_options, extra)
    assert r.returncode == 0, f"curl exited {r.returncode}: {r.stderr[-3000:]}"
    assert f"> AUTH {used}" in r.stderr, r.stderr[-3000:]
    new = set(oh.queue_ids()) - before
    assert len(new) == 1
    assert oh.queue_raw(new.pop()).endswith(msg)
    assert token not in oh.log_text()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl_xoauth2(herald_factory, issuer, tmp_path):
    h = herald_factory(extra_toml=oauth_toml(f'jwks_file = "{issuer.jwks_path}"',
                                             mechanisms='"PLAIN", "XOAUTH2"'))
    r, msg = curl_send(h, tmp_path, issuer.token(kid="rsa1"))
    assert r.returncode == 0, f"curl exited {r.returncode}: {r.stderr[-3000:]}"
    assert "> AUTH XOAUTH2" in r.stderr, r.stderr[-3000:]
    q = h.queue_list()
    assert len(q) == 1 and h.queue_raw(q[0]["id"]).endswith(msg)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_curl_expired_token_fails(oh, issuer, tmp_path):
    before = set(oh.queue_ids())
    r, _ = curl_send(oh, tmp_path, issuer.token(exp=int(time.time()) - 600))
    assert r.returncode != 0
    assert "535" in r.stderr, r.stderr[-3000:]
    assert set(oh.queue_ids()) == before


def msmtp_send(h, tmp_path, auth, token):
    tokenfile = tmp_path / "token"
    tokenfile.write_text(token)
    rc = tmp_path / "msmtprc"
    rc.write_text(
        "account default\n"
        f"host {HOST}\nport {h.starttls_port}\n"
        "tls on\ntls_starttls on\ntls_certcheck off\n"
        f"auth {auth}\nuser {USER}\npasswordeval cat {tokenfile}\n"
        f"from {USER}\ndomain client.test.example\ntimeout 10\n")
    rc.chmod(0o600)
    msg = make_message(subject=f"msmtp {auth}")
    r = subprocess.run(["msmtp", "--debug", "-C", str(rc), "rcpt@example.net"], input=msg,
                       capture_output=True, timeout=40)
    return r.returncode, (r.stdout + r.stderr).decode(errors="replace"), msg


# msmtp sends XOAUTH2 after an empty challenge, but OAUTHBEARER as an initial
# response on the AUTH line; both a compact and (below) a full-size token.
@pytest.mark.skipif(shutil.which("msmtp") is None, reason="msmtp not installed")
@pytest.mark.parametrize("auth,compact", [("xoauth2", False), ("oauthbearer", True)])
def test_msmtp_oauth(oh, issuer, tmp_path, auth, compact):
    before = set(oh.queue_ids())
    code, out, msg = msmtp_send(oh, tmp_path, auth, issuer.token(compact=compact))
    assert code == 0, f"msmtp exited {code}:\n{out[-3000:]}"
    new = set(oh.queue_ids()) - before
    assert len(new) == 1
    assert oh.queue_raw(new.pop()).endswith(msg)


@pytest.mark.skipif(shutil.which("msmtp") is None, reason="msmtp not installed")
def test_msmtp_oauthbearer_full_size_token(oh, issuer, tmp_path):
    code, out, _ = msmtp_send(oh, tmp_path, "oauthbearer", issuer.token())
    assert code == 0, f"msmtp exited {code}:\n{out[-3000:]}"


# -- configuration ----------------------------------------------------------------

def test_jwks_url_on_loopback(herald_factory, issuer):
    body = issuer.jwks_text().encode()
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://{HOST}:{server.server_address[1]}/jwks.json"
        h = herald_factory(extra_toml=oauth_toml(f'jwks_url = "{url}"'))
        c, r = raw_auth(h.starttls_port, "XOAUTH2", xoauth2(USER, issuer.token(kid="rsa1")))
        assert r.code == 235, str(r)
        c.quit()
        assert hits and all(p == "/jwks.json" for p in hits)
        assert len(hits) <= 2, hits  # start-up fetch, then cached
    finally:
        server.shutdown()
        server.server_close()


def test_oauth_mechanism_without_oauth_table_is_refused(herald_factory):
    h = herald_factory(start=False, with_user=False,
                       extra_toml='[auth]\nmechanisms = ["PLAIN", "XOAUTH2"]\n')
    r = h.cli("check-config")
    assert r.returncode != 0
    assert "XOAUTH2" in r.stderr and "[oauth]" in r.stderr, r.stderr


def test_broken_jwks_file_stops_start_up(herald_factory, tmp_path):
    bad = tmp_path / "jwks.json"
    bad.write_text('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}')
    h = herald_factory(start=False, with_user=False,
                       extra_toml=oauth_toml(f'jwks_file = "{bad}"'))
    r = h.cli("serve", timeout=15)
    assert r.returncode != 0
    assert "no usable signing key" in r.stderr, r.stderr
