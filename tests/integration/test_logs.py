"""Logs (SPEC §7): one line per event, JSON lines with --log-format json;
the events of a submission are there; a password never is."""

import json
import smtplib

import pytest

from helpers import USER, PASSWORD, smtp_starttls, submit

EVENTS = {"listening", "connect", "tls", "auth_ok", "auth_failed", "message_accepted", "disconnect"}


def _event_name(obj):
    for k in ("event", "msg", "message", "evt", "name"):
        v = obj.get(k)
        if isinstance(v, str) and v in EVENTS:
            return v
    for v in obj.values():
        if isinstance(v, str) and v in EVENTS:
            return v
    return None


def _bad_login(port, password):
    s = smtp_starttls(port)
    try:
        s.login(USER, password)
    except smtplib.SMTPAuthenticationError:
        pass
    finally:
        s.close()


@pytest.fixture
def json_herald(herald_factory):
    return herald_factory(log_format="json")


def test_json_log_lines(json_herald):
    h = json_herald
    wrong = "Wr0ng-Passw0rd-in-log?"
    qid = submit(h.starttls_port)
    qid2 = submit(h.implicit_port, implicit=True)
    _bad_login(h.starttls_port, wrong)
    assert h.stop() == 0
    text = h.log_text()
    lines = [l for l in text.splitlines() if l.strip() and not l.startswith("==== herald serve")]
    records = []
    for l in lines:
        try:
            obj = json.loads(l)
        except json.JSONDecodeError:
            pytest.fail(f"log line is not JSON: {l!r}")
        assert isinstance(obj, dict), l
        records.append(obj)
    names = [_event_name(r) for r in records]
    missing = {"listening", "connect", "tls", "auth_ok", "auth_failed",
               "message_accepted", "disconnect"} - set(names)
    assert not missing, f"events missing from the log: {missing}\n{text[-3000:]}"

    tls = [r for r, n in zip(records, names) if n == "tls"]
    assert any("TLSv1." in json.dumps(r) for r in tls), tls
    auth_ok = [r for r, n in zip(records, names) if n == "auth_ok"]
    assert any(USER in json.dumps(r) and "PLAIN" in json.dumps(r) for r in auth_ok), auth_ok
    failed = [r for r, n in zip(records, names) if n == "auth_failed"]
    assert any(USER in json.dumps(r) for r in failed), failed
    accepted = [json.dumps(r) for r, n in zip(records, names) if n == "message_accepted"]
    assert any(qid in a for a in accepted) and any(qid2 in a for a in accepted), accepted

    assert PASSWORD not in text, "the password is in the log"
    assert wrong not in text, "a failed password is in the log"
    import base64
    for secret in (PASSWORD, wrong):
        token = base64.b64encode(f"\0{USER}\0{secret}".encode()).decode()
        assert token not in text, "the AUTH PLAIN token is in the log"


def test_human_log_has_events_and_no_password(herald):
    qid = submit(herald.starttls_port)
    _bad_login(herald.starttls_port, "another-wrong-one")
    herald.stop()
    text = herald.log_text()
    assert qid in text
    for ev in ("connect", "tls", "auth_ok", "auth_failed", "message_accepted"):
        assert ev in text, f"{ev} not in the human log:\n{text[-3000:]}"
    assert PASSWORD not in text and "another-wrong-one" not in text
