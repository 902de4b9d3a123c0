"""Message activity (SPEC §9): each message's timeline and the hourly
counters, through `herald messages search/show` and /api/v1/messages and
/api/v1/stats, for a message delivered to a loopback MX, one deferred then
delivered, one bounced, and one refused at submission."""

import json
import time

import pytest
import requests
import urllib3

from conftest import free_port
from helpers import ACCOUNT, USER, RawSmtp, make_message, submit
from sink import Script, Sink
from test_delivery import delivery_toml

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")


@pytest.fixture
def sink():
    def rcpt(address, attempt):
        if address.startswith("later@") and attempt == 1:
            return "451 4.3.0 try again"
        if address.startswith("gone@"):
            return "550 5.1.1 no such user"
        return None
    s = Sink(script=Script(rcpt=rcpt))
    yield s
    s.close()


def wait_status(h, qid, status, timeout=30):
    deadline = time.time() + timeout
    shown = None
    while time.time() < deadline:
        r = h.cli("messages", "show", qid, "--json")
        if r.returncode == 0:
            shown = json.loads(r.stdout)
            if shown["status"] == status:
                return shown
        time.sleep(0.2)
    raise AssertionError(f"{qid} never became {status}: {shown}\n{h.log_text()[-2000:]}")


def test_timelines_search_and_stats_through_cli_and_api(herald_factory, sink):
    port = free_port()
    h = herald_factory(extra_toml=delivery_toml(sink.port) +
                       f'[admin]\naddress = "127.0.0.1:{port}"\n')
    h.cli_ok("domain", "add", "acme.example", "--account", ACCOUNT)
    delivered = submit(h.starttls_port, make_message(to="rcpt@example.net"))
    later = submit(h.starttls_port, make_message(to="later@example.net"),
                   rcpts=("later@example.net",))
    bounced = submit(h.starttls_port, make_message(to="gone@example.net"),
                     rcpts=("gone@example.net",))
    # A refusal after AUTH counts as rejected: a sender the login may not use.
    with RawSmtp(h.starttls_port) as c:
        c.login()
        assert c.cmd("MAIL FROM:<someone@elsewhere.example>").code == 550
        c.quit()

    shown = wait_status(h, delivered, "delivered")
    types = [e["type"] for e in shown["events"]]
    assert types[:2] == ["received", "signed"] and "delivered" in types, types
    assert shown["account"] == ACCOUNT and shown["identity"] == USER and shown["from"] == USER
    attempt = next(e for e in shown["events"] if e["type"] == "delivered")
    assert attempt["recipient"] == "rcpt@example.net"
    assert attempt["detail"]["host"].startswith("mx.example.net [127.0.0.1]")
    assert attempt["detail"]["reply"].startswith("250")
    signed = next(e for e in shown["events"] if e["type"] == "signed")
    assert signed["detail"]["d"] == "acme.example"
    assert all(e["id"].startswith("ev_") for e in shown["events"])

    later_shown = wait_status(h, later, "delivered")
    later_types = [e["type"] for e in later_shown["events"]]
    assert later_types.index("deferred") < later_types.index("delivered"), later_types
    deferred = next(e for e in later_shown["events"] if e["type"] == "deferred")
    assert deferred["detail"]["reply"].startswith("451") and deferred["detail"]["from_remote"]

    bounced_shown = wait_status(h, bounced, "bounced")
    bounced_types = [e["type"] for e in bounced_shown["events"]]
    assert "bounced" in bounced_types and "suppressed" in bounced_types
    assert "dsn_queued" in bounced_types, bounced_types
    assert bounced_shown["recipients"] == [
        {"address": "gone@example.net", "status": "bounced",
         "updated_at": bounced_shown["recipients"][0]["updated_at"]}]

    # Search through the CLI and the API agree.
    found = h.cli_json("messages", "search", "--to", "later@example.net")
    assert [m["id"] for m in found] == [later]
    assert [m["id"] for m in h.cli_json("messages", "search", "--status", "bounced")] == [bounced]
    token = h.cli_json("admin-token", "create", "--name", "reader", "--scope",
                       "admin:read")["token"]
    api = f"https://127.0.0.1:{port}/api/v1"
    auth = {"Authorization": f"Bearer {token}"}
    r = requests.get(f"{api}/messages", params={"since": "1h"}, headers=auth, verify=False,
                     timeout=10)
    assert r.status_code == 200, r.text
    ids = [m["id"] for m in r.json()["items"]]
    assert set(ids) >= {delivered, later, bounced}
    assert r.json()["items"][:3] == h.cli_json("messages", "search", "--since", "1h")[:3]
    page = requests.get(f"{api}/messages", params={"limit": 1}, headers=auth, verify=False,
                        timeout=10).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    nxt = requests.get(f"{api}/messages", params={"limit": 1, "cursor": page["next_cursor"]},
                       headers=auth, verify=False, timeout=10).json()
    assert nxt["items"][0]["id"] != page["items"][0]["id"]
    one = requests.get(f"{api}/messages/{bounced}", headers=auth, verify=False, timeout=10)
    assert one.status_code == 200 and one.json() == h.cli_json("messages", "show", bounced)
    for bad in ({"status": "lost"}, {"limit": 0}, {"since": "yesterday"}, {"colour": "red"}):
        r = requests.get(f"{api}/messages", params=bad, headers=auth, verify=False, timeout=10)
        assert r.status_code == 400 and r.headers["Content-Type"].startswith(
            "application/problem+json"), (bad, r.text)
    missing = requests.get(f"{api}/messages/nope", headers=auth, verify=False, timeout=10)
    assert missing.status_code == 404

    stats = requests.get(f"{api}/stats", params={"account": ACCOUNT}, headers=auth,
                         verify=False, timeout=10)
    assert stats.status_code == 200, stats.text
    totals = stats.json()["totals"]
    assert totals["accepted"] == 3
    assert totals["delivered"] >= 2 and totals["deferred"] == 1 and totals["bounced"] == 1
    assert totals["suppressed"] == 1 and totals["rejected"] == 1, totals

    # A tenant of another account sees none of it.
    h.cli_ok("account", "add", "other")
    tenant = h.cli_json("admin-token", "create", "--name", "other", "--scope",
                        "account:other")["token"]
    t_auth = {"Authorization": f"Bearer {tenant}"}
    assert requests.get(f"{api}/messages", headers=t_auth, verify=False,
                        timeout=10).json()["items"] == []
    assert requests.get(f"{api}/messages/{delivered}", headers=t_auth, verify=False,
                        timeout=10).status_code == 404
    assert requests.get(f"{api}/stats", headers=t_auth, verify=False,
                        timeout=10).json()["hours"] == []
