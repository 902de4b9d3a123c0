"""Outbound TLS policy end to end: MTA-STS (RFC 8461) fetched over HTTPS
from a local server with a test CA, and DANE-EE (RFC 7672) TLSA records
given as [dns] static records (which Herald treats as validated)."""

import http.server
import json
import ssl
import subprocess
import threading
import time

import pytest

from conftest import make_cert
from helpers import make_message, submit
from sink import Script, Sink
from test_delivery import RCPT, make_ca, make_signed_cert, recipient_state, wait_queue_empty, wait_state


class PolicyServer:
    """https://mta-sts.example.net:PORT/.well-known/mta-sts.txt"""

    def __init__(self, cert, key, policy):
        body = policy.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                if self.path != "/.well-known/mta-sts.txt":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def config(sink_port, static, delivery=""):
    records = ["example.net. MX 10 mx.example.net.", "mx.example.net. A 127.0.0.1"] + static
    quoted = ", ".join(json.dumps(r) for r in records)
    return (f'[delivery]\nremote_port = {sink_port}\nretry_schedule = ["1s"]\n{delivery}\n'
            f'[dns]\nresolver = "127.0.0.1:9"\ndnssec = false\nstatic = [{quoted}]\n')


@pytest.fixture
def pki(tmp_path):
    ca_cert, ca_key = make_ca(tmp_path)
    return tmp_path, ca_cert, ca_key


def sts_setup(pki, mx_pattern):
    tmp, ca_cert, ca_key = pki
    policy_cert, policy_key = make_signed_cert(tmp, ca_cert, ca_key, "mta-sts.example.net")
    policy = f"version: STSv1\r\nmode: enforce\r\nmx: {mx_pattern}\r\nmax_age: 86400\r\n"
    server = PolicyServer(policy_cert, policy_key, policy)
    static = ['_mta-sts.example.net. TXT "v=STSv1; id=20261123"', "mta-sts.example.net. A 127.0.0.1"]
    delivery = f'mta_sts_port = {server.port}\nca_file = "{ca_cert}"'
    return server, static, delivery


def test_mta_sts_enforce_refuses_an_mx_outside_the_policy(herald_factory, pki):
    tmp, ca_cert, ca_key = pki
    server, static, delivery = sts_setup(pki, "other.example.net")
    sink = Sink()
    try:
        h = herald_factory(extra_toml=config(sink.port, static, delivery))
        qid = submit(h.starttls_port, make_message(to=RCPT))
        r = wait_state(h, qid, "deferred")
        assert "MTA-STS" in r["last_reply"], r
        assert sink.connections == 0
    finally:
        sink.close()
        server.close()


def test_mta_sts_enforce_delivers_over_verified_tls(herald_factory, pki):
    tmp, ca_cert, ca_key = pki
    server, static, delivery = sts_setup(pki, "*.example.net")
    mx_cert, mx_key = make_signed_cert(tmp, ca_cert, ca_key, "mx.example.net")
    sink = Sink(cert=str(mx_cert), key=str(mx_key))
    try:
        h = herald_factory(extra_toml=config(sink.port, static, delivery))
        submit(h.starttls_port, make_message(to=RCPT))
        got = sink.wait_for(1)[0]
        assert got.tls
        wait_queue_empty(h)
    finally:
        sink.close()
        server.close()


def test_mta_sts_enforce_with_an_untrusted_certificate_defers(herald_factory, pki, tmp_path):
    server, static, delivery = sts_setup(pki, "mx.example.net")
    self_signed, key = make_cert(tmp_path / "mx.pem", tmp_path / "mx.key", cn="mx.example.net")
    sink = Sink(cert=str(self_signed), key=str(key))
    try:
        h = herald_factory(extra_toml=config(sink.port, static, delivery))
        qid = submit(h.starttls_port, make_message(to=RCPT))
        wait_state(h, qid, "deferred")
        assert not sink.messages
    finally:
        sink.close()
        server.close()


def spki_sha256(cert):
    pub = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-pubkey"],
                         check=True, capture_output=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pub,
                         check=True, capture_output=True).stdout
    import hashlib
    return hashlib.sha256(der).hexdigest()


@pytest.mark.parametrize("matching", [True, False])
def test_dane_ee(herald_factory, tmp_path, matching):
    cert, key = make_cert(tmp_path / "mx.pem", tmp_path / "mx.key", cn="mx.example.net")
    sink = Sink(cert=str(cert), key=str(key))
    digest = spki_sha256(cert) if matching else "00" * 32
    try:
        static = [f"_{sink.port}._tcp.mx.example.net. TLSA 3 1 1 {digest}"]
        h = herald_factory(extra_toml=config(sink.port, static))
        qid = submit(h.starttls_port, make_message(to=RCPT))
        if matching:
            got = sink.wait_for(1)[0]
            assert got.tls
            wait_queue_empty(h)
        else:
            wait_state(h, qid, "deferred")
            time.sleep(0.5)
            assert not sink.messages
            assert recipient_state(h, qid)["attempts"] >= 1
    finally:
        sink.close()
