"""Shared helpers for the Herald integration tests: a raw SMTP client (plain,
STARTTLS, implicit TLS) that shows every byte the server sends, message
builders, and an smtplib submit helper that returns the queue id.

Everything here talks to 127.0.0.1 only and every wait has a timeout."""

import base64
import re
import select
import smtplib
import socket
import ssl
import time
import uuid
from dataclasses import dataclass, field

HOST = "127.0.0.1"
HOSTNAME = "mx.test.example"
TIMEOUT = 10.0

USER = "app@acme.example"
PASSWORD = "correct horse battery staple 42"
ACCOUNT = "acme"

QUEUED_RE = re.compile(r"queued as (\S+)")


def insecure_tls_context():
    """The test certificate is self-signed: encrypt, do not verify."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def queue_id_from(text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    m = QUEUED_RE.search(text)
    assert m, f"no 'queued as ID' in reply: {text!r}"
    return m.group(1)


def make_message(sender=USER, to="rcpt@example.net", subject=None, body=None,
                 extra_headers=()):
    """An RFC 5322 message with CRLF line ends (bytes), with a Message-ID so
    the server has no reason to add one."""
    marker = uuid.uuid4().hex
    subject = subject or f"test {marker}"
    body = body if body is not None else f"Hello from the integration tests.\r\nmarker {marker}\r\n"
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Message-ID: <{marker}@acme.example>",
        "Date: Mon, 01 Jan 2024 00:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        *extra_headers,
    ]
    head = "\r\n".join(lines) + "\r\n\r\n"
    if isinstance(body, str):
        body = body.encode()
    return head.encode() + body


@dataclass
class Reply:
    code: int
    lines: list = field(default_factory=list)  # text after "NNN-" / "NNN "
    raw: bytes = b""

    @property
    def text(self):
        return "\n".join(self.lines)

    @property
    def enhanced(self):
        m = re.match(r"^([245]\.\d{1,3}\.\d{1,3})\b", self.lines[-1] if self.lines else "")
        return m.group(1) if m else None

    def __str__(self):
        return self.raw.decode("utf-8", "replace").rstrip()


class ServerClosed(Exception):
    pass


class RawSmtp:
    """A byte-exact SMTP client: what you send is what goes on the wire."""

    def __init__(self, port, host=HOST, implicit_tls=False, timeout=TIMEOUT,
                 read_banner=True, source=None):
        self.timeout = timeout
        # `source`: another loopback address (127.0.0.2...) to come from.
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buf = b""
        self.tls = False
        self.transcript = []
        if implicit_tls:
            self._wrap()
        self.banner = self.read_reply() if read_banner else None

    # -- transport ---------------------------------------------------------
    def _wrap(self):
        self.sock = insecure_tls_context().wrap_socket(
            self.sock, server_hostname=HOSTNAME)
        self.sock.settimeout(self.timeout)
        self.tls = True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.transcript.append(("C", data))
        self.sock.sendall(data)

    def _recv(self, timeout=None):
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ServerClosed(f"server closed the connection; buffer={self.buf!r}")
        self.transcript.append(("S", chunk))
        self.buf += chunk

    def read_line(self, timeout=None):
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while b"\r\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no complete reply line; buffer={self.buf!r}")
            self._recv(left)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_reply(self, timeout=None):
        lines, raw = [], b""
        while True:
            line = self.read_line(timeout)
            raw += line + b"\r\n"
            assert re.match(rb"^[2-5]\d\d([ -]|$)", line), f"malformed reply line {line!r}"
            lines.append(line[4:].decode("utf-8", "replace"))
            if len(line) == 3 or line[3:4] == b" ":
                return Reply(int(line[:3]), lines, raw)

    def cmd(self, line, timeout=None):
        self.send(line.encode() + b"\r\n" if isinstance(line, str) else line + b"\r\n")
        return self.read_reply(timeout)

    def unsolicited(self, wait=1.0):
        """Bytes the server sends within `wait` seconds without being asked
        (b"" when it stays silent). Includes anything already buffered."""
        data = self.buf
        self.buf = b""
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return data
            if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
                ready = True
            else:
                ready = select.select([self.sock], [], [], left)[0]
            if not ready:
                return data
            try:
                self.sock.settimeout(left)
                chunk = self.sock.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                return data
            if not chunk:
                return data
            data += chunk

    # -- SMTP steps ----------------------------------------------------------
    def ehlo(self, name="client.test.example"):
        r = self.cmd(f"EHLO {name}")
        assert r.code == 250, f"EHLO: {r}"
        return r

    def extensions(self, reply):
        return [l.upper() for l in reply.lines[1:]]

    def starttls(self):
        r = self.cmd("STARTTLS")
        assert r.code == 220, f"STARTTLS: {r}"
        assert self.buf == b"", f"server sent bytes after 220 before the handshake: {self.buf!r}"
        self._wrap()
        return r

    def auth_plain(self, user=USER, password=PASSWORD):
        token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        return self.cmd(f"AUTH PLAIN {token}")

    def login(self, port_is_plain=True, user=USER, password=PASSWORD):
        """EHLO (+STARTTLS +EHLO when plain) + AUTH PLAIN; asserts 235."""
        self.ehlo()
        if not self.tls:
            self.starttls()
            self.ehlo()
        r = self.auth_plain(user, password)
        assert r.code == 235, f"AUTH PLAIN: {r}"
        return r

    def quit(self):
        try:
            self.cmd("QUIT", timeout=3)
        except (OSError, ServerClosed, TimeoutError):
            pass
        self.close()


def smtp_starttls(port, timeout=TIMEOUT):
    s = smtplib.SMTP(HOST, port, local_hostname="client.test.example", timeout=timeout)
    s.ehlo()
    s.starttls(context=insecure_tls_context())
    s.ehlo()
    return s


def smtp_implicit(port, timeout=TIMEOUT):
    s = smtplib.SMTP_SSL(HOST, port, local_hostname="client.test.example",
                         context=insecure_tls_context(), timeout=timeout)
    s.ehlo()
    return s


def send_one(s, mail_from, rcpts, message, mail_options=()):
    """MAIL/RCPT/DATA on an open smtplib session; returns the queue id.
    Asserts every step succeeds."""
    code, resp = s.mail(mail_from, list(mail_options))
    assert code == 250, f"MAIL FROM: {code} {resp!r}"
    for r in rcpts:
        code, resp = s.rcpt(r)
        assert code == 250, f"RCPT TO:<{r}>: {code} {resp!r}"
    code, resp = s.data(message)
    assert code == 250, f"end of data: {code} {resp!r}"
    return queue_id_from(resp)


def submit(port, message=None, mail_from=USER, rcpts=("rcpt@example.net",),
           user=USER, password=PASSWORD, implicit=False):
    """One authenticated submission via smtplib; returns the queue id."""
    message = message if message is not None else make_message(sender=mail_from, to=rcpts[0])
    s = smtp_implicit(port) if implicit else smtp_starttls(port)
    try:
        s.login(user, password)
        return send_one(s, mail_from, rcpts, message)
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            s.close()
