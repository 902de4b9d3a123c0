"""Fixtures for the Herald integration tests.

Each test gets its own server: a temp dir with a self-signed certificate, a
config listening on free loopback ports, and `herald serve` running in the
foreground with its stderr in a log file (attached to the report when a test
fails). The server is always killed at teardown.

HERALD_BIN selects the binary (default <repo>/build/debug/herald)."""

import json
import os
import shutil
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from helpers import ACCOUNT, HOST, HOSTNAME, PASSWORD, USER

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
CLI_TIMEOUT = 30.0
TEST_TIMEOUT = int(os.environ.get("HERALD_TEST_TIMEOUT", "90"))


# --------------------------------------------------------------------------
# plumbing

def free_port(host=HOST):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def make_cert(cert, key, cn=HOSTNAME):
    Path(cert).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "2", "-subj", f"/CN={cn}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30)
    return Path(cert), Path(key)


def listener_toml(address, tls, auth):
    return f'[[listen]]\naddress = "{address}"\ntls = "{tls}"\nauth = "{auth}"\n'


class Herald:
    """One Herald instance: its directory, config, process and log."""

    def __init__(self, binary, root, listeners=None, extra_toml="", log_format="human",
                 max_message_size="1MB", max_recipients=5, limits_extra=""):
        self.binary = str(binary)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.root / "data"
        self.data_dir.mkdir(exist_ok=True)
        self.cert, self.key = make_cert(self.root / "tls" / "cert.pem", self.root / "tls" / "key.pem")
        self.log_path = self.root / "herald.log"
        self.log_format = log_format
        self.proc = None
        self.expect_exit = False
        # listeners: name -> (tls, auth[, host]); ports are picked now and
        # kept across restarts.
        listeners = listeners or {"starttls": ("starttls", "required"),
                                  "implicit": ("implicit", "required")}
        self.hosts = {name: (spec[2] if len(spec) > 2 else HOST) for name, spec in listeners.items()}
        self.ports = {name: free_port(self.hosts[name]) for name in listeners}
        self.listeners = listeners
        toml = [f'hostname = "{HOSTNAME}"', f'data_dir = "{self.data_dir}"', ""]
        for name, (tls, auth, *_) in listeners.items():
            host = self.hosts[name]
            host = f"[{host}]" if ":" in host else host
            toml.append(listener_toml(f"{host}:{self.ports[name]}", tls, auth))
        toml.append(f'[tls]\ncertificate = "{self.cert}"\nprivate_key = "{self.key}"\n')
        toml.append(f'[limits]\nmax_message_size = "{max_message_size}"\n'
                    f"max_recipients = {max_recipients}\n{limits_extra}")
        # Nothing is delivered unless a test sets up [delivery] itself (with
        # [dns] static records and local sinks): no test may reach out.
        if "[delivery]" not in extra_toml:
            toml.append("[delivery]\nhold = true\n")
        if extra_toml:
            toml.append(extra_toml)
        self.config = self.root / "herald.toml"
        self.config.write_text("\n".join(toml))

    # convenient names for the default listeners
    @property
    def starttls_port(self):
        return self.ports["starttls"]

    @property
    def implicit_port(self):
        return self.ports["implicit"]

    # -- CLI -----------------------------------------------------------------
    def env(self):
        env = dict(os.environ)
        env["HERALD_CONFIG"] = str(self.config)
        return env

    def cli(self, *args, input=None, binary=False, timeout=CLI_TIMEOUT, config=None):
        """Run `herald --config CONFIG ARGS`; returns the CompletedProcess
        (text unless binary=True). --config is a global option, so it goes
        before the subcommand."""
        cmd = [self.binary, "--config", str(config or self.config), *map(str, args)]
        if input is not None and not binary and isinstance(input, bytes):
            input = input.decode()
        return subprocess.run(cmd, input=input, capture_output=True, text=not binary,
                              timeout=timeout, env=self.env(), cwd=self.root)

    def cli_ok(self, *args, **kw):
        r = self.cli(*args, **kw)
        assert r.returncode == 0, (
            f"herald {' '.join(map(str, args))} exited {r.returncode}\n"
            f"stdout: {r.stdout!r}\nstderr: {r.stderr!r}")
        return r

    def cli_json(self, *args):
        r = self.cli_ok(*args, "--json")
        try:
            return json.loads(r.stdout)
        except json.JSONDecodeError as e:
            raise AssertionError(f"herald {' '.join(args)} --json printed non-JSON: {r.stdout!r}") from e

    def queue_list(self):
        q = self.cli_json("queue", "list")
        assert isinstance(q, list), f"queue list --json is not an array: {q!r}"
        return q

    def queue_ids(self):
        return [m["id"] for m in self.queue_list()]

    def queue_raw(self, qid):
        return self.cli_ok("queue", "show", qid, "--raw", binary=True).stdout

    def add_user(self, address=USER, password=PASSWORD, account=ACCOUNT):
        self.cli_ok("user", "add", address, "--account", account, "--password-stdin",
                    input=password + "\n")

    # -- process -------------------------------------------------------------
    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, wait=True):
        assert not self.running, "already running"
        self.expect_exit = False
        log = open(self.log_path, "ab")
        log.write(f"==== herald serve started at {time.strftime('%H:%M:%S')} ====\n".encode())
        log.flush()
        cmd = [self.binary, "--config", str(self.config), "serve"]
        if self.log_format != "human":
            cmd += ["--log-format", self.log_format]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     env=self.env(), cwd=self.root, start_new_session=True)
        log.close()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        pending = dict(self.ports)
        # The admin listener (if any) opens just after the SMTP ones.
        admin = re.search(r'^\[admin\]\s*\naddress = "127\.0\.0\.1:(\d+)"',
                          Path(self.config).read_text(), re.M)
        if admin:
            pending["admin"] = int(admin.group(1))
        while pending:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"herald serve exited with {self.proc.returncode} during start-up\n"
                    f"log:\n{self.log_text()[-4000:]}")
            for name, port in list(pending.items()):
                try:
                    with socket.create_connection((self.hosts.get(name, HOST), port),
                                                  timeout=0.5):
                        del pending[name]
                except OSError:
                    pass
            if pending:
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"herald serve did not accept on {pending} within {timeout}s\n"
                        f"log:\n{self.log_text()[-4000:]}")
                time.sleep(0.05)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns the exit code. Fails if it does not stop."""
        if not self.running:
            return self.proc.returncode if self.proc else None
        self.expect_exit = True
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError(f"herald serve did not exit within {timeout}s of SIGTERM")

    def kill9(self):
        if self.running:
            self.expect_exit = True
            self.proc.kill()
            self.proc.wait(5)

    def signal(self, sig):
        assert self.running
        self.proc.send_signal(sig)

    def restart(self):
        self.stop()
        return self.start()

    def teardown(self):
        """Always leaves no process behind; reports an unexpected death."""
        died = None
        if self.proc is not None:
            if self.proc.poll() is not None and not self.expect_exit:
                died = self.proc.returncode
            if self.running:
                self.expect_exit = True
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
        return died

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


# --------------------------------------------------------------------------
# pytest hooks

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
    if rep.failed:
        for h in getattr(item, "_heralds", []):
            rep.sections.append((f"herald log ({h.root.name})", h.log_text()[-6000:]))


@pytest.fixture(autouse=True)
def _per_test_timeout():
    """A hung socket or process must not hang the suite."""
    def expire(signum, frame):
        raise TimeoutError(f"test exceeded {TEST_TIMEOUT}s")
    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_TIMEOUT)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# --------------------------------------------------------------------------
# fixtures

@pytest.fixture(scope="session")
def herald_bin(tmp_path_factory):
    """The binary under test, copied once so that a rebuild during the run
    cannot swap it (or make it briefly unexecutable) under the tests."""
    path = Path(os.environ.get("HERALD_BIN", REPO / "build" / "debug" / "herald"))
    if not path.is_absolute():
        path = (Path.cwd() / path).resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.exit(
            f"ERROR: herald binary not found at {path}. Build it first "
            f"(cmake --preset debug && cmake --build --preset debug) or set HERALD_BIN.",
            returncode=3)
    copy = tmp_path_factory.mktemp("bin") / "herald"
    shutil.copy2(path, copy)
    return copy


class _Launcher:
    def __init__(self, herald_bin, make_dir, node):
        self.herald_bin = herald_bin
        self.make_dir = make_dir
        self.node = node
        self.instances = []

    def __call__(self, start=True, with_user=True, **kw):
        h = Herald(self.herald_bin, self.make_dir(), **kw)
        self.instances.append(h)
        if self.node is not None:
            self.node._heralds = getattr(self.node, "_heralds", []) + [h]
        if start:
            h.start()
        if with_user:
            create_acme_user(h)
        return h

    def close(self):
        deaths = []
        for h in self.instances:
            code = h.teardown()
            if code is not None:
                deaths.append((h, code))
        return deaths


def create_acme_user(h):
    h.cli_ok("account", "add", ACCOUNT)
    h.add_user(USER, PASSWORD, ACCOUNT)


@pytest.fixture
def herald_factory(herald_bin, tmp_path, request):
    """make(listeners=..., extra_toml=..., log_format=..., start=True,
    with_user=True) -> Herald; any number per test."""
    counter = iter(range(1000))
    launcher = _Launcher(herald_bin, lambda: tmp_path / f"h{next(counter)}", request.node)
    yield launcher
    deaths = launcher.close()
    if deaths:
        h, code = deaths[0]
        pytest.fail(f"herald serve died unexpectedly (exit {code}) during the test\n"
                    f"log:\n{h.log_text()[-4000:]}")


@pytest.fixture
def herald_server(herald_factory):
    """A running server with the default listeners and no users."""
    return herald_factory(with_user=False)


@pytest.fixture
def acme_user(herald_server):
    """Account "acme" and login app@acme.example, created with the CLI."""
    create_acme_user(herald_server)
    return (USER, PASSWORD)


@pytest.fixture
def herald(herald_server, acme_user):
    """The common case: a running server with the acme login."""
    return herald_server


@pytest.fixture(scope="module")
def shared_herald(herald_bin, tmp_path_factory, request):
    """One server (with the acme login) for a whole module, for cheap
    parametrized tests that do not depend on each other's queue state.
    A module may set HERALD_OPTIONS = {...} (Herald keyword arguments)."""
    launcher = _Launcher(herald_bin, lambda: tmp_path_factory.mktemp("shared"), None)
    h = launcher(**getattr(request.module, "HERALD_OPTIONS", {}))
    yield h
    deaths = launcher.close()
    if deaths:
        pytest.fail(f"shared herald serve died unexpectedly (exit {deaths[0][1]})\n"
                    f"log:\n{h.log_text()[-4000:]}")


@pytest.fixture
def shared(shared_herald, request):
    """Use the module's server and attach its log to this test's report."""
    request.node._heralds = getattr(request.node, "_heralds", []) + [shared_herald]
    return shared_herald
