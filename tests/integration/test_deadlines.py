"""Deadlines against clients that hold connections by trickling bytes.

- A command line must be complete within command_timeout of the moment the
  server began waiting for it: sending one byte at a time does not restart
  the clock.
- Message content must keep coming at min_data_rate: the data deadline
  starts at data_timeout and each octet moves it 1/min_data_rate s later.
- A TLS handshake has one deadline for the whole of it; when it passes on
  the implicit-TLS port (or after STARTTLS) the server closes without a
  word in clear text.
- Near max_connections the server enters stress mode: the command deadline
  shrinks to stress_command_timeout (for sessions already waiting too),
  so a real client still gets through while 1,500 trickling connections
  are attempted."""

import resource
import selectors
import socket
import ssl
import threading
import time

from helpers import HOST, USER, RawSmtp, make_message, submit


def _read_until_closed(sock, limit):
    """Everything the server sends until it closes, and when it closed
    (None if it did not within `limit` seconds)."""
    data, start = b"", time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < limit:
        try:
            chunk = sock.recv(4096)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return data, time.monotonic() - start
        if not chunk:
            return data, time.monotonic() - start
        data += chunk
    return data, None


def _trickle(sock, payload, every, limit):
    """Sends `payload` one byte every `every` seconds; returns how long
    the server let it go on (None if still open after `limit`)."""
    start = time.monotonic()
    for b in payload:
        if time.monotonic() - start > limit:
            return None
        try:
            sock.sendall(bytes([b]))
        except OSError:
            return time.monotonic() - start
        time.sleep(every)
        sock.setblocking(False)
        try:
            if sock.recv(4096, socket.MSG_PEEK) == b"":
                return time.monotonic() - start
        except BlockingIOError:
            pass
        except OSError:
            return time.monotonic() - start
        finally:
            sock.setblocking(True)
    return None


def test_trickled_command_lines_are_closed_at_their_deadline(herald_factory):
    h = herald_factory(limits_extra='command_timeout = "3s"\n')
    results = [None] * 10
    banners = [b""] * 10

    def one(i):
        with socket.create_connection((HOST, h.starttls_port), timeout=10) as s:
            banners[i] = s.recv(512)
            # "NOOP" one byte a second would never finish within 3 s.
            results[i] = _trickle(s, b"NOOP NOOP NOOP NOOP\r\n", 1.0, 12)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(b.startswith(b"220") for b in banners), banners
    assert all(r is not None and r < 6 for r in results), results
    log = h.log_text()
    assert 'reason="timeout: command line"' in log, log[-2000:]


def test_a_client_waiting_between_commands_keeps_its_full_deadline(herald_factory):
    """Only a line in progress is held to its start; a complete command
    each time restarts it (an idle client is closed after the timeout)."""
    h = herald_factory(limits_extra='command_timeout = "3s"\n')
    with RawSmtp(h.starttls_port) as c:
        c.ehlo()
        for _ in range(3):
            time.sleep(2)
            assert c.cmd("NOOP").code == 250
        c.quit()


def test_slow_message_content_is_closed_by_the_rate_deadline(herald_factory):
    h = herald_factory(limits_extra='data_timeout = "3s"\nmin_data_rate = "500B"\n')
    with RawSmtp(h.starttls_port) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        c.sock.settimeout(10)
        start = time.monotonic()
        closed = None
        # 20 octets a second: far below 500 B/s.
        for i in range(300):
            try:
                c.sock.sendall(b"x" * 20 if i % 10 else b"\r\n")
            except OSError:
                closed = time.monotonic() - start
                break
            time.sleep(1.0)
            c.sock.setblocking(False)
            try:
                got = c.sock.recv(4096)
                if b"421" in got or got == b"":
                    closed = time.monotonic() - start
                    break
            except (BlockingIOError, ssl.SSLWantReadError):
                pass
            except OSError:
                closed = time.monotonic() - start
                break
            finally:
                c.sock.setblocking(True)
            if time.monotonic() - start > 12:
                break
    assert closed is not None and closed < 7, closed
    assert 'reason="timeout: message data"' in h.log_text()
    assert h.queue_ids() == []


def test_content_faster_than_the_rate_outlasts_data_timeout(herald_factory):
    h = herald_factory(limits_extra='data_timeout = "2s"\nmin_data_rate = "500B"\n')
    body = b"".join(b"line %05d " % i + b"y" * 60 + b"\r\n" for i in range(170))
    message = make_message(body=body)  # about 12 KB
    with RawSmtp(h.starttls_port) as c:
        c.login()
        assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
        assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
        assert c.cmd("DATA").code == 354
        # 2 KB a second for about 6 s: three times data_timeout.
        for i in range(0, len(message), 1000):
            c.send(message[i:i + 1000])
            time.sleep(0.5)
        r = c.cmd(".")
        c.quit()
    assert r.code == 250, str(r)


def test_tls_handshake_timeout_on_the_implicit_port_writes_no_clear_text(herald_factory):
    h = herald_factory(limits_extra='command_timeout = "2s"\n')
    # Nothing at all, then half a TLS record header: the server must close
    # without writing anything a TLS client would have to parse.
    for opening in (b"", b"\x16\x03\x01\x00"):
        with socket.create_connection((HOST, h.implicit_port), timeout=10) as s:
            if opening:
                s.sendall(opening)
            data, closed = _read_until_closed(s, 10)
        assert closed is not None and closed < 6, closed
        assert data == b"", f"server wrote {data!r} to a client expecting TLS"
    assert 'reason="timeout: TLS handshake"' in h.log_text()


def test_tls_handshake_timeout_after_starttls_writes_no_clear_text(herald_factory):
    h = herald_factory(limits_extra='command_timeout = "2s"\n')
    with RawSmtp(h.starttls_port) as c:
        c.ehlo()
        assert c.cmd("STARTTLS").code == 220
        data, closed = _read_until_closed(c.sock, 10)
    assert closed is not None and closed < 6, closed
    assert data == b"", data


# -- stress ----------------------------------------------------------------------

ATTEMPTS = 1500


class Trickler(threading.Thread):
    """Makes up to ATTEMPTS connections from 127.0.0.2... (20 an address, so
    the per-address limit does not stop them): `burst` at once, then `rate`
    a second, each sending one byte a second for as long as the server
    lets it, for `duration` seconds."""

    def __init__(self, port, duration, burst=150, rate=50):
        super().__init__(daemon=True)
        self.port, self.duration, self.burst, self.rate = port, duration, burst, rate
        self.attempts = 0
        self.refused = 0
        self.selector = selectors.DefaultSelector()
        self.socks = set()

    def _open(self):
        n = self.attempts
        self.attempts += 1
        source = f"127.0.{2 + n // 20 // 250}.{2 + (n // 20) % 250}"
        s = socket.socket()
        s.setblocking(False)
        try:
            s.bind((source, 0))
            s.connect_ex((HOST, self.port))
        except OSError:
            s.close()
            return
        self.socks.add(s)
        self.selector.register(s, selectors.EVENT_READ)

    def _drop(self, s):
        self.selector.unregister(s)
        self.socks.discard(s)
        s.close()

    def run(self):
        begin = time.monotonic()
        end = begin + self.duration
        next_byte = begin + 1
        while time.monotonic() < end:
            allowed = self.burst + int((time.monotonic() - begin) * self.rate)
            while self.attempts < min(ATTEMPTS, allowed):
                self._open()
            for key, _ in self.selector.select(timeout=0.1):
                try:
                    data = key.fileobj.recv(4096)
                except OSError:
                    data = b""
                if not data or b"421" in data:
                    self.refused += b"Too many" in data
                    self._drop(key.fileobj)
            if time.monotonic() >= next_byte:
                next_byte += 1
                for s in list(self.socks):
                    try:
                        s.send(b"N")
                    except OSError:
                        self._drop(s)
        for s in list(self.socks):
            self._drop(s)


def test_real_client_gets_through_while_1500_trickling_connections_are_attempted(herald_factory):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    h = herald_factory(limits_extra='max_connections = 100\nmax_connections_per_ip = 20\n'
                                    'command_timeout = "60s"\nstress_command_timeout = "1s"\n')
    attack = Trickler(h.starttls_port, duration=30)
    attack.start()
    time.sleep(3)  # every slot taken by now
    start = time.monotonic()
    qid, tries = None, 0
    while qid is None and time.monotonic() - start < 15:
        tries += 1
        try:
            qid = submit(h.starttls_port)
        except Exception:  # 421 while every slot is taken
            time.sleep(0.2)
    took = time.monotonic() - start
    still_attacking = attack.is_alive()
    attack.join(40)
    assert qid is not None, f"no slot for a real client in 15 s ({tries} tries)"
    assert still_attacking, "the attack ended before the real client got through"
    assert attack.refused > 0, "the attack never filled max_connections"
    log = h.log_text()
    assert "stress_mode state=on" in log, log[-3000:]
    print(f"real client through after {took:.1f} s and {tries} tries; "
          f"{attack.attempts} attack connections, {attack.refused} refused")
