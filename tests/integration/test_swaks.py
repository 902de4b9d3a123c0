"""swaks, a real-world SMTP client: STARTTLS + AUTH PLAIN, and implicit TLS
(--tlsc) + AUTH LOGIN."""

import re
import shutil
import subprocess
import uuid

import pytest

from helpers import HOST, USER, PASSWORD

pytestmark = pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks not installed")


def _swaks(port, tls_flag, mech, marker):
    cmd = ["swaks", "--server", HOST, "--port", str(port), tls_flag,
           "--auth", mech, "--auth-user", USER, "--auth-password", PASSWORD,
           "--from", USER, "--to", "rcpt@example.net",
           "--ehlo", "client.test.example", "--timeout", "15",
           "--header", f"Subject: swaks {marker}", "--body", f"swaks body {marker}"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("port_name,tls_flag,mech", [
    ("starttls", "--tls", "PLAIN"),
    ("implicit", "--tlsc", "LOGIN"),
    ("starttls", "--tls", "LOGIN"),
])
def test_swaks_submits(herald, port_name, tls_flag, mech):
    marker = uuid.uuid4().hex
    r = _swaks(herald.ports[port_name], tls_flag, mech, marker)
    assert r.returncode == 0, f"swaks exited {r.returncode}\n{r.stdout}\n{r.stderr}"
    m = re.search(r"<~  250 .*queued as (\S+)", r.stdout)
    assert m, r.stdout
    qid = m.group(1)
    assert qid in herald.queue_ids()
    assert f"swaks body {marker}".encode() in herald.queue_raw(qid)


def test_swaks_wrong_password_fails(herald):
    cmd = ["swaks", "--server", HOST, "--port", str(herald.starttls_port), "--tls",
           "--auth", "PLAIN", "--auth-user", USER, "--auth-password", "wrong",
           "--from", USER, "--to", "rcpt@example.net", "--timeout", "15"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "535" in r.stdout
    assert herald.queue_list() == []
