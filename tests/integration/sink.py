"""A scriptable SMTP sink on loopback that stands in for remote MX hosts and
smarthosts in the delivery tests: it records every message (envelope,
bytes, TLS, AUTH) and answers as the test says (per-recipient replies,
failures on the first attempts, dropping the connection inside DATA)."""

import base64
import socket
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    mail_from: str
    rcpts: list
    data: bytes
    tls: bool
    auth: str
    helo: str


@dataclass
class Script:
    """What the sink answers. Callables get (address, attempt) where attempt
    counts this address's RCPTs so far, starting at 1."""
    rcpt: object = None            # fn -> reply line, or None for "250 2.1.5 Ok"
    data: object = None            # fn(rcpts, attempt) -> reply line, "drop", or None
    starttls: bool = True          # advertise STARTTLS when a certificate is set
    require_tls: bool = False
    auth_user: str = ""            # AUTH PLAIN required with these credentials
    auth_password: str = ""
    extensions: list = field(default_factory=lambda: ["PIPELINING", "SIZE 50000000", "8BITMIME",
                                                      "ENHANCEDSTATUSCODES", "DSN", "SMTPUTF8"])


class Sink:
    def __init__(self, host="127.0.0.1", cert=None, key=None, script=None):
        self.script = script or Script()
        self.messages = []
        self.rcpt_attempts = {}
        self.data_attempts = 0
        self.connections = 0
        self.lock = threading.Lock()
        self.tls_context = None
        if cert:
            self.tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.tls_context.load_cert_chain(cert, key)
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def handle(self):
                sink._session(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server((host, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count=1, timeout=30.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"sink got {len(self.messages)} message(s), wanted {count}")

    # -- one SMTP session --------------------------------------------------
    def _session(self, sock):
        with self.lock:
            self.connections += 1
        conn = _Conn(sock)
        state = {"tls": False, "auth": "", "helo": "", "from": None, "rcpts": []}
        conn.send("220 sink.test ESMTP ready")
        while True:
            line = conn.line()
            if line is None:
                return
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb):].strip()
            if verb in ("EHLO", "HELO"):
                state["helo"] = arg
                ext = list(self.script.extensions)
                if self.tls_context and self.script.starttls and not state["tls"]:
                    ext.append("STARTTLS")
                if self.script.auth_user:
                    ext.append("AUTH PLAIN")
                conn.send_multi(250, ["sink.test"] + ext)
            elif verb == "STARTTLS" and self.tls_context:
                conn.send("220 2.0.0 go ahead")
                conn.wrap(self.tls_context)
                state.update(tls=True, helo="", **{"from": None, "rcpts": []})
            elif verb == "AUTH":
                parts = arg.split(" ")
                raw = base64.b64decode(parts[1]) if len(parts) > 1 else b""
                _, user, password = (raw.split(b"\0") + [b"", b""])[:3]
                if (user.decode(), password.decode()) == (self.script.auth_user,
                                                          self.script.auth_password):
                    state["auth"] = user.decode()
                    conn.send("235 2.7.0 Authentication successful")
                else:
                    conn.send("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                if self.script.require_tls and not state["tls"]:
                    conn.send("530 5.7.0 Must issue a STARTTLS command first")
                elif self.script.auth_user and not state["auth"]:
                    conn.send("530 5.7.0 Authentication required")
                else:
                    state["from"] = arg.split(":", 1)[1].split(">")[0].lstrip(" <")
                    state["rcpts"] = []
                    conn.send("250 2.1.0 Ok")
            elif verb == "RCPT":
                address = arg.split(":", 1)[1].split(">")[0].lstrip(" <")
                with self.lock:
                    n = self.rcpt_attempts.get(address, 0) + 1
                    self.rcpt_attempts[address] = n
                reply = self.script.rcpt(address, n) if self.script.rcpt else None
                reply = reply or "250 2.1.5 Ok"
                if reply.startswith("2"):
                    state["rcpts"].append(address)
                conn.send(reply)
            elif verb == "DATA":
                if not state["rcpts"]:
                    conn.send("554 5.5.1 No valid recipients")
                    continue
                conn.send("354 End data with <CR><LF>.<CR><LF>")
                with self.lock:
                    self.data_attempts += 1
                    attempt = self.data_attempts
                reply = self.script.data(state["rcpts"], attempt) if self.script.data else None
                if reply == "drop":
                    conn.read_some_data()
                    conn.close()
                    return
                data = conn.data()
                if data is None:
                    return
                reply = reply or "250 2.0.0 Ok: queued"
                if reply.startswith("2"):
                    with self.lock:
                        self.messages.append(Received(state["from"], list(state["rcpts"]), data,
                                                      state["tls"], state["auth"], state["helo"]))
                conn.send(reply)
                state.update(**{"from": None, "rcpts": []})
            elif verb == "RSET":
                state.update(**{"from": None, "rcpts": []})
                conn.send("250 2.0.0 Ok")
            elif verb == "NOOP":
                conn.send("250 2.0.0 Ok")
            elif verb == "QUIT":
                conn.send("221 2.0.0 Bye")
                conn.close()
                return
            else:
                conn.send("502 5.5.2 Command not recognized")


class _Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def wrap(self, context):
        self.sock = context.wrap_socket(self.sock, server_side=True)
        self.buf = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def send_multi(self, code, lines):
        out = b""
        for i, text in enumerate(lines):
            sep = " " if i == len(lines) - 1 else "-"
            out += f"{code}{sep}{text}\r\n".encode()
        self.sock.sendall(out)

    def _fill(self):
        try:
            chunk = self.sock.recv(65536)
        except (OSError, ssl.SSLError):
            return False
        if not chunk:
            return False
        self.buf += chunk
        return True

    def line(self):
        while b"\r\n" not in self.buf:
            if not self._fill():
                return None
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def data(self):
        """Reads up to CRLF.CRLF and removes dot-stuffing."""
        while True:
            end = self.buf.find(b"\r\n.\r\n")
            if self.buf.startswith(b".\r\n"):
                raw, self.buf = b"", self.buf[3:]
                break
            if end >= 0:
                raw, self.buf = self.buf[:end + 2], self.buf[end + 5:]
                break
            if not self._fill():
                return None
        lines = raw.split(b"\r\n")
        return b"\r\n".join(l[1:] if l.startswith(b".") else l for l in lines)

    def read_some_data(self):
        self.sock.settimeout(2)
        self._fill()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
