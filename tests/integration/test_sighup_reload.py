"""SIGHUP reloads the certificate: new connections get the new one, open
sessions are not dropped (issue 2 §4)."""

import shutil
import signal
import time

from conftest import make_cert
from helpers import RawSmtp, USER


def _peer_cert(port, implicit):
    with RawSmtp(port, implicit_tls=implicit) as c:
        if not implicit:
            c.ehlo()
            c.starttls()
        der = c.sock.getpeercert(binary_form=True)
        c.quit()
    return der


def test_sighup_reloads_certificate(herald, tmp_path):
    old_starttls = _peer_cert(herald.starttls_port, False)
    old_implicit = _peer_cert(herald.implicit_port, True)
    assert old_starttls == old_implicit

    # An authenticated session opened before the reload.
    open_session = RawSmtp(herald.starttls_port)
    open_session.login()

    new_cert, new_key = make_cert(tmp_path / "new" / "cert.pem", tmp_path / "new" / "key.pem",
                                  cn="reloaded.test.example")
    shutil.copy(new_key, herald.key)
    shutil.copy(new_cert, herald.cert)
    herald.signal(signal.SIGHUP)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _peer_cert(herald.implicit_port, True) != old_implicit:
            break
        time.sleep(0.2)
    assert _peer_cert(herald.implicit_port, True) != old_implicit, "implicit TLS still serves the old cert"
    assert _peer_cert(herald.starttls_port, False) != old_starttls, "STARTTLS still serves the old cert"

    with open_session:
        assert open_session.cmd("NOOP").code == 250, "session dropped by the reload"
        assert open_session.cmd(f"MAIL FROM:<{USER}>").code == 250
        open_session.quit()
    assert herald.running


def test_sighup_with_broken_certificate_keeps_the_old_one(herald):
    old = _peer_cert(herald.implicit_port, True)
    herald.cert.write_text("not a certificate\n")
    herald.signal(signal.SIGHUP)
    time.sleep(1.0)
    assert herald.running, "a bad certificate on reload must not kill the server"
    assert _peer_cert(herald.implicit_port, True) == old
