"""Bodies stream to disk as they arrive: a 30 MB message must not cost the
server 30 MB of memory (issue 2 §7)."""

import re

from helpers import USER, RawSmtp, make_message, queue_id_from


def _vm_hwm_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))


def _send(c, msg):
    assert c.cmd(f"MAIL FROM:<{USER}> SIZE={len(msg)}").code == 250
    assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
    assert c.cmd("DATA").code == 354
    c.send(msg + b".\r\n")
    r = c.read_reply(timeout=60)
    assert r.code == 250, str(r)
    return queue_id_from(r.text)


def test_large_message_streams_to_disk(herald_factory):
    h = herald_factory(max_message_size="40MB")
    line = b"The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnop\r\n"
    big = make_message(body=line * (30_000_000 // len(line)))
    with RawSmtp(h.starttls_port, timeout=60) as c:
        c.login()
        _send(c, make_message())  # warm up: TLS, auth, spool, worker threads
        before = _vm_hwm_kb(h.proc.pid)
        qid = _send(c, big)
        after = _vm_hwm_kb(h.proc.pid)
        c.quit()
    grew_mb = (after - before) / 1024
    print(f"VmHWM {before} kB -> {after} kB")
    assert grew_mb < 12, f"peak RSS grew by {grew_mb:.1f} MB for a 30 MB message"
    entry = next(m for m in h.queue_list() if m["id"] == qid)
    assert entry["size"] >= len(big)
