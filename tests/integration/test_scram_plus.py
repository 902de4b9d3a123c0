"""AUTH SCRAM-SHA-256-PLUS with tls-exporter channel binding (RFC 5802,
7677, 9266): offered only on TLS 1.3, the client proves it sees the same
TLS channel as the server (a man in the middle terminating TLS cannot), and
a client downgraded to plain SCRAM is caught. The client is written here on
pyOpenSSL, which can export keying material (Python's ssl cannot)."""

import base64
import hashlib
import hmac
import os
import socket

import pytest

from helpers import HOST, PASSWORD, USER

OpenSSL = pytest.importorskip("OpenSSL")
from OpenSSL import SSL  # noqa: E402

TOML = '[auth]\nmechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"]\n'


def _hmac(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()


class Client:
    def __init__(self, port, max_tls12=False):
        self.sock = socket.create_connection((HOST, port), timeout=10)
        self.io = self.sock
        self.buf = b""
        assert self.reply()[0] == 220
        self.cmd("EHLO client.test.example")
        assert self.cmd("STARTTLS")[0] == 220
        ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
        ctx.set_verify(SSL.VERIFY_NONE, lambda *args: True)
        if max_tls12:
            ctx.set_max_proto_version(SSL.TLS1_2_VERSION)
        self.sock.setblocking(True)
        conn = SSL.Connection(ctx, self.sock)
        conn.set_connect_state()
        conn.do_handshake()
        self.io = conn
        self.ehlo = self.cmd("EHLO client.test.example")[1]

    def exporter(self):
        return self.io.export_keying_material(b"EXPORTER-Channel-Binding", 32, None)

    def reply(self):
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.io.recv(4096)
                assert chunk, "connection closed"
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            text = line.decode()
            lines.append(text[4:])
            if text[3:4] == " ":
                return int(text[:3]), lines

    def cmd(self, line):
        self.io.sendall(line.encode() + b"\r\n")
        return self.reply()

    def close(self):
        try:
            self.cmd("QUIT")
        except Exception:
            pass
        self.sock.close()


def scram(c, mechanism, gs2, cbind_data, user=USER, password=PASSWORD):
    cnonce = base64.b64encode(os.urandom(18)).decode()
    bare = f"n={user},r={cnonce}"
    code, lines = c.cmd(f"AUTH {mechanism} " + base64.b64encode((gs2 + bare).encode()).decode())
    if code != 334:
        return code, lines
    server_first = base64.b64decode(lines[0]).decode()
    fields = dict(item.split("=", 1) for item in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(fields["s"]),
                                 int(fields["i"]))
    client_key = _hmac(salted, b"Client Key")
    stored_key = hashlib.sha256(client_key).digest()
    channel = base64.b64encode(gs2.encode() + cbind_data).decode()
    final_bare = f"c={channel},r={fields['r']}"
    auth_message = f"{bare},{server_first},{final_bare}".encode()
    proof = bytes(a ^ b for a, b in zip(client_key, _hmac(stored_key, auth_message)))
    code, lines = c.cmd(base64.b64encode(f"{final_bare},p={base64.b64encode(proof).decode()}"
                                         .encode()).decode())
    if code == 334:
        server_final = base64.b64decode(lines[0]).decode()
        expected = _hmac(_hmac(salted, b"Server Key"), auth_message)
        assert server_final == "v=" + base64.b64encode(expected).decode()
        code, lines = c.cmd("")
    return code, lines


@pytest.fixture
def plus(herald_factory):
    return herald_factory(extra_toml=TOML)


def test_plus_binds_to_the_tls_channel(plus):
    c = Client(plus.starttls_port)
    try:
        assert any("SCRAM-SHA-256-PLUS" in l for l in c.ehlo), c.ehlo
        code, lines = scram(c, "SCRAM-SHA-256-PLUS", "p=tls-exporter,,", c.exporter())
        assert code == 235, lines
    finally:
        c.close()


def test_plus_with_another_channel_fails(plus):
    # What a client behind a TLS-terminating man in the middle would send:
    # the exporter of *its* TLS session, not Herald's.
    c = Client(plus.starttls_port)
    try:
        code, _ = scram(c, "SCRAM-SHA-256-PLUS", "p=tls-exporter,,", os.urandom(32))
        assert code == 535
    finally:
        c.close()


def test_downgrade_to_plain_scram_is_refused(plus):
    c = Client(plus.starttls_port)
    try:
        code, _ = scram(c, "SCRAM-SHA-256", "y,,", b"")
        assert code == 535
    finally:
        c.close()
    c = Client(plus.starttls_port)
    try:  # a client that cannot bind at all still logs in with plain SCRAM
        code, _ = scram(c, "SCRAM-SHA-256", "n,,", b"")
        assert code == 235
    finally:
        c.close()


def test_not_offered_on_tls_1_2(plus):
    c = Client(plus.starttls_port, max_tls12=True)
    try:
        auth = next(l for l in c.ehlo if l.startswith("AUTH"))
        assert "SCRAM-SHA-256-PLUS" not in auth and "SCRAM-SHA-256" in auth
        code, _ = c.cmd("AUTH SCRAM-SHA-256-PLUS")
        assert code == 504
    finally:
        c.close()
