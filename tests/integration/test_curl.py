"""curl as an SMTP client: smtp:// with --ssl-reqd (STARTTLS) and smtps://."""

import shutil
import subprocess
import uuid

import pytest

from helpers import HOST, USER, PASSWORD, make_message

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")


@pytest.mark.parametrize("scheme,port_name,extra", [
    ("smtp", "starttls", ["--ssl-reqd"]),
    ("smtps", "implicit", []),
    ("smtp", "starttls", ["--ssl-reqd", "--login-options", "AUTH=LOGIN"]),
])
def test_curl_submits(herald, tmp_path, scheme, port_name, extra):
    marker = uuid.uuid4().hex
    msg = make_message(subject=f"curl {marker}", body=f"curl body {marker}\r\n")
    f = tmp_path / "mail.eml"
    f.write_bytes(msg)
    before = set(herald.queue_ids())
    cmd = ["curl", "--silent", "--show-error", "--max-time", "30", "-k",
           f"{scheme}://{HOST}:{herald.ports[port_name]}/client.test.example", *extra,
           "--user", f"{USER}:{PASSWORD}", "--mail-from", USER,
           "--mail-rcpt", "rcpt@example.net", "--mail-rcpt", "other@example.org",
           "-T", str(f)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"curl exited {r.returncode}: {r.stderr}"
    new = [q for q in herald.queue_list() if q["id"] not in before]
    assert len(new) == 1, new
    assert sorted(x["address"] for x in new[0]["recipients"]) == ["other@example.org", "rcpt@example.net"]
    raw = herald.queue_raw(new[0]["id"])
    assert raw.startswith(b"Received:")
    assert raw.endswith(msg)


def test_curl_without_tls_cannot_authenticate(herald, tmp_path):
    f = tmp_path / "mail.eml"
    f.write_bytes(make_message())
    cmd = ["curl", "--silent", "--show-error", "--max-time", "30",
           f"smtp://{HOST}:{herald.starttls_port}", "--user", f"{USER}:{PASSWORD}",
           "--mail-from", USER, "--mail-rcpt", "rcpt@example.net", "-T", str(f)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0, "curl submitted in clear text"
    assert herald.queue_list() == []
