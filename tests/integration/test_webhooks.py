"""Event webhooks end to end: a local HTTPS receiver (its own certificate,
trusted through [webhooks] ca_file) checks the HMAC signature of every
POST; a 500 is retried; events waiting at kill -9 arrive after a restart
with the same ids; private targets are refused without allow_private;
and a receiver that never answers delays neither submission nor delivery."""

import hashlib
import hmac
import http.server
import json
import ssl
import subprocess
import threading
import time

import pytest

from helpers import ACCOUNT, make_message, submit
from sink import Sink
from test_delivery import delivery_toml


class Receiver:
    """HTTPS on 127.0.0.1; `statuses` are answered in turn (the last one
    repeats); `delay` seconds before each answer."""

    def __init__(self, tmp_path, statuses=(200,), delay=0.0):
        self.cert, self.key = tmp_path / "hook.pem", tmp_path / "hook.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(self.key), "-out", str(self.cert)],
                       check=True, capture_output=True, timeout=30)
        self.statuses, self.delay = list(statuses), delay
        self.posts = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.posts.append((dict(self.headers), body))
                    status = receiver.statuses[min(len(receiver.posts),
                                                   len(receiver.statuses)) - 1]
                time.sleep(receiver.delay)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_posts(self, n, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.posts) >= n:
                    return list(self.posts)
            time.sleep(0.1)
        raise AssertionError(f"receiver got {len(self.posts)} POST(s), wanted {n}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def verify(secret, headers, body, tolerance=300):
    """What a receiver does (docs/api.md): HMAC-SHA256 over "t.body"."""
    parts = dict(p.split("=", 1) for p in headers["Herald-Signature"].split(","))
    t = int(parts["t"])
    assert abs(time.time() - t) <= tolerance, "stale signature"
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@pytest.fixture
def sink():
    s = Sink()
    yield s
    s.close()


def start(herald_factory, sink, receiver, allow_private=True):
    extra = delivery_toml(sink.port) + (
        f'[webhooks]\nallow_private = {"true" if allow_private else "false"}\n'
        f'ca_file = "{receiver.cert}"\nmin_retry = "1s"\n')
    return herald_factory(extra_toml=extra)


def add_hook(h, url, *extra):
    return h.cli_json("webhook", "add", url, "--account", ACCOUNT, *extra)


def test_signed_batches_are_retried_after_a_500(herald_factory, sink, tmp_path):
    receiver = Receiver(tmp_path, statuses=(500, 200))
    try:
        h = start(herald_factory, sink, receiver)
        hook = add_hook(h, receiver.url, "--events", "delivered")
        secret = hook["secret"]
        assert secret.startswith("whsec_") and secret not in json.dumps(
            h.cli_json("webhook", "list"))
        qid = submit(h.starttls_port, make_message())
        posts = receiver.wait_posts(2)
        first, second = (json.loads(b) for _, b in posts[:2])
        assert all(verify(secret, hd, b) for hd, b in posts)
        assert not verify("whsec_wrong", *posts[0])
        assert posts[0][0]["Herald-Webhook-Id"] == hook["id"]
        assert first == second  # the same events, the same ids
        [event] = first["events"]
        assert event["type"] == "delivered" and event["message_id"] == qid
        assert event["recipient"] == "rcpt@example.net" and event["id"].startswith("ev_")
        timeline = h.cli_json("messages", "show", qid)
        assert event["id"] in [e["id"] for e in timeline["events"]]
        listed = h.cli_json("webhook", "list")[0]
        assert listed["pending"] == 0 and listed["state"] == "active"
        # `webhook test` POSTs a signed test event and says what came back.
        tested = h.cli_json("webhook", "test", hook["id"])
        assert tested["delivered"] and tested["status"] == 200
        hd, body = receiver.wait_posts(3)[2]
        assert verify(secret, hd, body) and json.loads(body)["events"][0]["type"] == "test"
        assert secret not in h.log_text()
    finally:
        receiver.close()


def test_events_pending_at_kill9_arrive_after_restart(herald_factory, sink, tmp_path):
    receiver = Receiver(tmp_path, statuses=(503,))
    try:
        h = start(herald_factory, sink, receiver)
        hook = add_hook(h, receiver.url)
        qid = submit(h.starttls_port, make_message())
        receiver.wait_posts(1)
        pending = h.cli_json("webhook", "list")[0]
        assert pending["pending"] >= 1 and pending["state"] == "failing", pending
        ids = [e["id"] for e in json.loads(receiver.posts[0][1])["events"]]
        h.kill9()
        with receiver.lock:
            receiver.statuses = [200]
            receiver.posts.clear()
        h.start()
        deadline = time.time() + 30
        delivered = []
        while time.time() < deadline and not set(ids) <= set(delivered):
            with receiver.lock:
                delivered = [e["id"] for _, b in receiver.posts for e in json.loads(b)["events"]]
            time.sleep(0.2)
        assert set(ids) <= set(delivered), (ids, delivered)
        assert all(verify(hook["secret"], hd, b) for hd, b in receiver.posts)
        assert any(e["message_id"] == qid for _, b in receiver.posts
                   for e in json.loads(b)["events"])
    finally:
        receiver.close()


@pytest.mark.parametrize("url", ["https://127.0.0.1:8443/x", "https://10.1.2.3/x",
                                 "https://[::1]/x", "http://hooks.example.com/x",
                                 "https://user:pw@hooks.example.com/x", "https://localhost/x"])
def test_private_and_unsafe_targets_are_refused(herald_factory, sink, tmp_path, url):
    receiver = Receiver(tmp_path)
    try:
        h = start(herald_factory, sink, receiver, allow_private=False)
        r = h.cli("webhook", "add", url, "--account", ACCOUNT)
        assert r.returncode != 0 and r.stderr.strip(), r
        assert h.cli_json("webhook", "list") == []
    finally:
        receiver.close()


def test_a_receiver_that_never_answers_delays_nothing(herald_factory, sink, tmp_path):
    receiver = Receiver(tmp_path, delay=30)
    try:
        h = start(herald_factory, sink, receiver)
        add_hook(h, receiver.url)
        submit(h.starttls_port, make_message())
        receiver.wait_posts(1)  # the sender is now stuck on this POST (10 s timeout)
        started = time.monotonic()
        submit(h.starttls_port, make_message(subject="second"))
        assert time.monotonic() - started < 2
        sink.wait_for(2, timeout=5)  # delivered while the POST hangs
    finally:
        receiver.close()
