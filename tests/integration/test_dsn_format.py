"""DSN bounces (RFC 3464) as a real mail parser sees them. The gtest
DsnSample.WritesSampleForPythonCheck builds a DSN from hostile input (a
remote reply with CRLF, a fake boundary, 8-bit bytes; an ORCPT and ENVID in
xtext) and writes it to $HERALD_DSN_SAMPLE; Python's email package must
read back a clean multipart/report with nothing injected."""

import email
import email.policy
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _delivery_test():
    herald = Path(os.environ.get("HERALD_BIN", REPO / "build" / "debug" / "herald"))
    if not herald.is_absolute():
        herald = (Path.cwd() / herald).resolve()
    path = herald.parent / "src" / "herald" / "delivery" / "delivery_test"
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.skip(f"{path} not built (cmake --build ... --target delivery_test)")
    return path


@pytest.fixture(scope="module")
def dsn_bytes(tmp_path_factory):
    binary = _delivery_test()
    out = tmp_path_factory.mktemp("dsn") / "sample.eml"
    env = dict(os.environ, HERALD_DSN_SAMPLE=str(out))
    r = subprocess.run([str(binary), "--gtest_filter=DsnSample.WritesSampleForPythonCheck"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"delivery_test failed:\n{r.stdout}\n{r.stderr}"
    assert out.is_file(), "the gtest did not write the sample"
    return out.read_bytes()


def _parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.SMTP)


def test_raw_form_is_crlf_with_short_lines(dsn_bytes):
    assert b"\n" not in dsn_bytes.replace(b"\r\n", b"")
    assert b"\r" not in dsn_bytes.replace(b"\r\n", b"")
    for line in dsn_bytes.split(b"\r\n"):
        assert len(line) < 998
    # Nothing from the remote reply starts a line of its own as a field.
    for line in dsn_bytes.split(b"\r\n"):
        assert not line.startswith((b"Bcc:", b"X-Injected:")), line


def test_top_level_headers(dsn_bytes):
    msg = _parse(dsn_bytes)
    assert not msg.defects, msg.defects
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["To"].addresses[0].addr_spec == "app@acme.example"
    assert msg["From"].addresses[0].addr_spec.startswith("MAILER-DAEMON@")
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"
    assert msg["Message-ID"] and msg["Date"]
    for name in ("Bcc", "X-Injected"):
        assert msg[name] is None


def test_parts_and_delivery_status_fields(dsn_bytes):
    msg = _parse(dsn_bytes)
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == [
        "text/plain", "message/delivery-status", "message/rfc822"]
    for p in msg.walk():
        assert not p.defects, (p.get_content_type(), p.defects)
        for name in ("Bcc", "X-Injected"):
            assert p[name] is None, p.get_content_type()

    text = parts[0].get_content()
    assert "bob@example.net" in text and "slow@example.org" in text

    # message/delivery-status: the per-message block, then one per recipient.
    blocks = parts[1].get_payload()
    assert len(blocks) == 3
    per_message, bob, slow = blocks
    assert per_message["Reporting-MTA"] == "dns; mx.test.example"
    assert per_message["Original-Envelope-Id"] == "batch+42"
    assert per_message["Arrival-Date"]
    assert bob["Final-Recipient"] == "rfc822; bob@example.net"
    assert bob["Original-Recipient"] == "rfc822; Bob+x@example.net"
    assert bob["Action"] == "failed" and bob["Status"] == "5.1.1"
    assert bob["Remote-MTA"] == "dns; mx.example.net"
    diag = str(bob["Diagnostic-Code"])
    assert diag.startswith("smtp; 550 5.1.1 oops")
    assert all(32 <= ord(c) < 127 for c in diag), diag
    assert slow["Action"] == "delayed" and slow["Status"] == "4.4.1"
    assert slow["Will-Retry-Until"]

    # RET=FULL and small: the original comes back whole.
    original = parts[2].get_payload()[0]
    assert original["Subject"] == "quarterly report"
    assert "the numbers are in." in original.get_content()
