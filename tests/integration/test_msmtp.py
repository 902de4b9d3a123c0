"""msmtp (the client chasquid's tests use) over STARTTLS and implicit TLS."""

import shutil
import subprocess

import pytest

from helpers import HOST, USER, PASSWORD, make_message

pytestmark = pytest.mark.skipif(shutil.which("msmtp") is None, reason="msmtp not installed")


@pytest.mark.parametrize("port_name,starttls", [("starttls", "on"), ("implicit", "off")])
def test_msmtp_submits(herald, tmp_path, port_name, starttls):
    pwfile = tmp_path / "pw"
    pwfile.write_text(PASSWORD)
    rc = tmp_path / "msmtprc"
    rc.write_text(
        "account default\n"
        f"host {HOST}\nport {herald.ports[port_name]}\n"
        f"tls on\ntls_starttls {starttls}\ntls_certcheck off\n"
        f"auth plain\nuser {USER}\npasswordeval cat {pwfile}\n"
        f"from {USER}\ndomain client.test.example\ntimeout 10\n")
    rc.chmod(0o600)
    msg = make_message(subject="msmtp")
    try:
        r = subprocess.run(["msmtp", "--debug", "-C", str(rc), "rcpt@example.net"], input=msg,
                           capture_output=True, timeout=40)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"") + (e.stderr or b"")
        pytest.fail(f"msmtp hung; its transcript:\n{out.decode(errors='replace')[-3000:]}")
    assert r.returncode == 0, (f"msmtp exited {r.returncode}:\n"
                               f"{(r.stdout + r.stderr).decode(errors='replace')[-3000:]}")
    q = herald.queue_list()
    assert len(q) == 1
    assert herald.queue_raw(q[0]["id"]).endswith(msg)
