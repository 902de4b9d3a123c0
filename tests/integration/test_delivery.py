"""Outbound delivery end to end: Herald takes a submitted message and hands
it to the recipient domain's MX host — a scriptable sink on loopback found
through [dns] static records — with retries, bounces, suppression, TLS,
smarthost AUTH, and restarts in the middle."""

import json
import time

import pytest

import dkim_verifiers
from conftest import make_cert
from helpers import ACCOUNT, USER, RawSmtp, make_message, submit
from sink import Script, Sink

RCPT = "rcpt@example.net"


@pytest.fixture
def sink():
    s = Sink()
    yield s
    s.close()


def delivery_toml(sink_port, static=(), delivery="", records_for_sink=True):
    records = list(static)
    if records_for_sink:
        records += ["example.net. MX 10 mx.example.net.", "mx.example.net. A 127.0.0.1",
                    "acme.example. MX 10 mx.example.net."]
    quoted = ", ".join(json.dumps(r) for r in records)
    # The resolver for names outside the static records is a closed local
    # port: nothing leaves the machine.
    return (f"[delivery]\nremote_port = {sink_port}\nretry_schedule = [\"1s\"]\n{delivery}\n"
            f"[dns]\nresolver = \"127.0.0.1:9\"\ndnssec = false\nstatic = [{quoted}]\n")


def start(herald_factory, sink, **kw):
    return herald_factory(extra_toml=delivery_toml(sink.port, **kw))


def wait_queue_empty(h, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not h.queue_ids():
            return
        time.sleep(0.1)
    raise AssertionError(f"queue not empty: {h.queue_list()}\n{h.log_text()[-3000:]}")


def recipient_state(h, qid):
    return h.cli_json("queue", "show", qid)["recipients"][0]


def wait_state(h, qid, state, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        r = recipient_state(h, qid)
        if r["state"] == state:
            return r
        time.sleep(0.1)
    raise AssertionError(f"{qid} never reached {state}: {recipient_state(h, qid)}")


def test_delivers_to_the_mx_and_signature_still_verifies(herald_factory, sink):
    h = start(herald_factory, sink)
    h.cli_ok("domain", "add", "acme.example", "--account", ACCOUNT)
    message = make_message(to=RCPT, body=b"Hello over the wire.\r\n.leading dot\r\n")
    qid = submit(h.starttls_port, message)
    got = sink.wait_for(1)[0]
    assert got.mail_from == USER and got.rcpts == [RCPT]
    assert got.helo == "mx.test.example"
    assert got.data.endswith(message.split(b"\r\n\r\n", 1)[1])
    assert b"Received: from client.test.example" in got.data
    records = {r["name"]: r["value"] for r in h.cli_json("domain", "dns", "acme.example")["records"]
               if "._domainkey." in r["name"]}
    results = dkim_verifiers.dkimpy(got.data, records)
    assert [r[0] for r in results] == ["pass", "pass"], results
    wait_queue_empty(h)
    log = h.log_text()
    assert f"queue_id={qid}" in log and "result=delivered" in log
    assert "delivery_connection" in log


def test_temporary_failure_then_success_on_retry(herald_factory, sink):
    sink.script.rcpt = lambda address, n: "451 4.7.1 Greylisted, try again" if n == 1 else None
    h = start(herald_factory, sink)
    qid = submit(h.starttls_port, make_message(to=RCPT))
    sink.wait_for(1, timeout=30)
    assert sink.rcpt_attempts[RCPT] == 2
    wait_queue_empty(h)
    assert "result=deferred" in h.log_text() and "Greylisted" in h.log_text()


def test_permanent_failure_bounces_and_suppresses(herald_factory, sink):
    sink.script.rcpt = lambda address, n: ("550 5.1.1 <nobody@example.net>: no such user"
                                           if address.startswith("nobody") else None)
    h = start(herald_factory, sink)
    qid = submit(h.starttls_port, make_message(to="nobody@example.net"),
                 rcpts=("nobody@example.net",))
    # The DSN goes back to the sender (acme.example's MX is the same sink).
    bounce = sink.wait_for(1, timeout=30)[0]
    assert bounce.mail_from == "" and bounce.rcpts == [USER]
    text = bounce.data.decode("utf-8", "replace")
    assert "multipart/report" in text and "report-type=delivery-status" in text
    assert "Final-Recipient: rfc822; nobody@example.net" in text
    assert "Status: 5.1.1" in text and "Action: failed" in text
    assert "no such user" in text
    # RFC 3464 2.3.6: the remote server's reply is labelled "smtp;", and the
    # server that gave it is named (not Herald's own X-Herald diagnostic).
    assert "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>: no such user" in text, text
    assert "Remote-MTA: dns; mx.example.net" in text, text
    assert "X-Herald;" not in text
    # The spool keeps its record of the message after the body in the same
    # file; none of it may reach the bounce.
    assert "HERALD-ENVELOPE" not in text and "auth_identity" not in text
    wait_queue_empty(h)
    suppressed = [s["address"] for s in h.cli_json("suppression", "list")]
    assert "nobody@example.net" in suppressed
    # Bounced at its first attempt: that attempt is counted.
    bounced = [line for line in h.log_text().splitlines()
               if f"queue_id={qid}" in line and "result=bounced" in line]
    assert bounced and "attempt=1" in bounced[0], bounced
    with RawSmtp(h.starttls_port) as c:
        c.login()
        c.cmd(f"MAIL FROM:<{USER}>")
        r = c.cmd("RCPT TO:<nobody@example.net>")
        c.quit()
    assert r.code == 550 and r.enhanced == "5.1.1" and "suppression" in r.text, str(r)


def test_injection_in_the_remote_reply_stays_inside_the_report(herald_factory, sink):
    sink.script.rcpt = lambda address, n: ("550 5.1.1 bad\tuser Bcc: victim@example.org"
                                           if address == RCPT else None)
    h = start(herald_factory, sink)
    submit(h.starttls_port, make_message(to=RCPT))
    bounce = sink.wait_for(1, timeout=30)[0]
    head = bounce.data.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in head and b"victim@example.org" not in head


def test_connection_refused_is_retried(herald_factory, sink):
    h = start(herald_factory, sink,
              static=["refused.example. MX 10 mx.refused.example.", "mx.refused.example. A 127.0.0.2"],
              records_for_sink=True)
    qid = submit(h.starttls_port, make_message(to="x@refused.example"), rcpts=("x@refused.example",))
    r = wait_state(h, qid, "deferred")
    assert r["attempts"] >= 1 and "connect" in r["last_reply"], r
    deadline = time.time() + 10
    while recipient_state(h, qid)["attempts"] < 2 and time.time() < deadline:
        time.sleep(0.2)
    assert recipient_state(h, qid)["attempts"] >= 2


def test_dropped_connection_inside_data_is_retried(herald_factory, sink):
    sink.script.data = lambda rcpts, attempt: "drop" if attempt == 1 else None
    h = start(herald_factory, sink)
    submit(h.starttls_port, make_message(to=RCPT))
    got = sink.wait_for(1, timeout=30)
    assert len(got) == 1 and sink.data_attempts == 2
    wait_queue_empty(h)


def test_null_mx_fails_at_once(herald_factory, sink):
    h = start(herald_factory, sink, static=["nomail.example. MX 0 ."])
    submit(h.starttls_port, make_message(to="x@nomail.example"), rcpts=("x@nomail.example",))
    bounce = sink.wait_for(1, timeout=30)[0]
    assert b"Status: 5.1.10" in bounce.data
    # Herald's own reason, not a remote server's reply.
    assert b"Diagnostic-Code: X-Herald; " in bounce.data
    assert b"Diagnostic-Code: smtp;" not in bounce.data


def test_starttls_is_used_and_can_be_required(herald_factory, tmp_path):
    cert, key = make_cert(tmp_path / "sink.pem", tmp_path / "sink.key", cn="mx.example.net")
    tls_sink = Sink(cert=str(cert), key=str(key), script=Script(require_tls=True))
    try:
        h = herald_factory(extra_toml=delivery_toml(tls_sink.port, delivery='tls = "required"'))
        submit(h.starttls_port, make_message(to=RCPT))
        got = tls_sink.wait_for(1)[0]
        assert got.tls
        assert 'tls="TLSv1.' in h.log_text()
    finally:
        tls_sink.close()


def test_required_tls_without_starttls_defers(herald_factory, sink):
    h = herald_factory(extra_toml=delivery_toml(sink.port, delivery='tls = "required"'))
    qid = submit(h.starttls_port, make_message(to=RCPT))
    r = wait_state(h, qid, "deferred")
    assert "STARTTLS" in r["last_reply"], r
    assert not sink.messages


def test_smarthost_with_auth_over_verified_tls(herald_factory, tmp_path):
    ca_cert, ca_key = make_ca(tmp_path)
    cert, key = make_signed_cert(tmp_path, ca_cert, ca_key, "relay.upstream.example")
    relay = Sink(cert=str(cert), key=str(key),
                 script=Script(require_tls=True, auth_user="apikey", auth_password="s3cret-token"))
    secret = tmp_path / "upstream.secret"
    secret.write_text("s3cret-token\n")
    try:
        toml = (f'[delivery]\nmode = "smarthost"\nsmarthost = "relay.upstream.example:{relay.port}"\n'
                f'smarthost_user = "apikey"\nsmarthost_password_file = "{secret}"\n'
                f'ca_file = "{ca_cert}"\nretry_schedule = ["1s"]\n'
                f'[dns]\nresolver = "127.0.0.1:9"\ndnssec = false\n'
                f'static = ["relay.upstream.example. A 127.0.0.1"]\n')
        h = herald_factory(extra_toml=toml)
        submit(h.starttls_port, make_message(to="someone@anywhere.example"),
               rcpts=("someone@anywhere.example",))
        got = relay.wait_for(1)[0]
        assert got.tls and got.auth == "apikey" and got.rcpts == ["someone@anywhere.example"]
        assert "s3cret-token" not in h.log_text()
    finally:
        relay.close()


def test_restart_during_retries_continues_without_duplicates(herald_factory, sink):
    accept = {"now": False}
    sink.script.rcpt = lambda address, n: None if accept["now"] else "451 4.3.0 later"
    h = start(herald_factory, sink)
    qid = submit(h.starttls_port, make_message(to=RCPT))
    wait_state(h, qid, "deferred")
    h.stop()
    before = recipient_state(h, qid)
    assert before["state"] == "deferred" and before["attempts"] >= 1
    accept["now"] = True
    h.start()
    got = sink.wait_for(1, timeout=30)
    wait_queue_empty(h)
    time.sleep(1.5)
    assert len(sink.messages) == 1, got


def test_end_of_data_inside_a_bdat_body_arrives_as_one_message(herald_factory, sink):
    # BDAT carries "<CRLF>.<CRLF>" as plain content (bare CR and LF are
    # refused at submission, see test_smuggling.py); on the way out Herald
    # must dot-stuff it, or the MX would see a second, forged message.
    h = start(herald_factory, sink)
    body = b"start\r\n"
    for seq in (b"\r\n.\r\n", b"\r\n..\r\n", b"\r\n.\r\n.\r\n"):
        body += b"x" + seq + b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n"
    body += b"end\r\n"
    message = make_message(to=RCPT, body=body)
    with RawSmtp(h.starttls_port) as c:
        c.login()
        c.cmd(f"MAIL FROM:<{USER}>")
        c.cmd(f"RCPT TO:<{RCPT}>")
        c.send(f"BDAT {len(message)} LAST\r\n".encode() + message)
        r = c.read_reply()
        c.quit()
    assert r.code == 250, str(r)
    got = sink.wait_for(1, timeout=30)
    time.sleep(1.0)
    assert len(sink.messages) == 1
    assert sink.messages[0].rcpts == [RCPT]
    assert sink.messages[0].data.endswith(body)


def test_queue_retry_on_the_running_server(herald_factory, sink):
    sink.script.rcpt = lambda address, n: "451 4.3.0 later" if n == 1 else None
    toml = delivery_toml(sink.port).replace('retry_schedule = ["1s"]', 'retry_schedule = ["1h"]')
    h = herald_factory(extra_toml=toml)
    qid = submit(h.starttls_port, make_message(to=RCPT))
    wait_state(h, qid, "deferred")
    h.cli_ok("queue", "retry", qid)
    sink.wait_for(1, timeout=15)
    wait_queue_empty(h)


# -- a CA for the smarthost test -------------------------------------------------

def make_ca(tmp_path):
    import subprocess
    key, cert = tmp_path / "ca.key", tmp_path / "ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
                    "-subj", "/CN=Herald Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                   check=True, capture_output=True)
    return cert, key


def make_signed_cert(tmp_path, ca_cert, ca_key, name):
    import subprocess
    key, csr, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.csr", tmp_path / f"{name}.pem"
    subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}"],
                   check=True, capture_output=True)
    ext = tmp_path / "ext.cnf"
    ext.write_text(f"subjectAltName=DNS:{name}\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey",
                    str(ca_key), "-CAcreateserial", "-out", str(cert), "-days", "2",
                    "-extfile", str(ext)], check=True, capture_output=True)
    return cert, key


def test_smtputf8_message_to_a_server_without_it_bounces_clearly(herald_factory, sink):
    sink.script.extensions = ["PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"]
    h = start(herald_factory, sink)
    rcpt = "jörg@example.net"
    message = make_message(to="joerg@example.net", body="Grüße\r\n".encode())
    from helpers import PASSWORD, smtp_starttls
    s = smtp_starttls(h.starttls_port)
    s.login(USER, PASSWORD)
    s.sendmail(USER, [rcpt], message, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    s.quit()
    bounce = sink.wait_for(1, timeout=30)[0]
    assert bounce.mail_from == "" and bounce.rcpts == [USER]
    assert b"SMTPUTF8" in bounce.data, bounce.data[:2000]
    wait_queue_empty(h)
