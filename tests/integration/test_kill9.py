"""`250` after end of data means the message is on stable storage: a
SIGKILL right after the 250 loses nothing (SPEC §4). Concurrent sessions
exercise the group commit."""

import threading

from helpers import RawSmtp, USER, make_message, queue_id_from


def _session_submit(port, stop, accepted, lock, killer):
    try:
        c = RawSmtp(port, timeout=10)
        c.login()
        while not stop.is_set():
            msg = make_message()
            assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
            assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
            assert c.cmd("DATA").code == 354
            c.send(msg + b".\r\n")
            r = c.read_reply()
            assert r.code == 250, str(r)
            with lock:
                accepted[queue_id_from(r.text)] = msg
                if killer(len(accepted)):
                    return
    except Exception:
        # The server dies under us; only what got a 250 counts.
        pass


def test_kill9_right_after_250_single(herald):
    for round_ in range(3):
        with RawSmtp(herald.starttls_port) as c:
            c.login()
            msg = make_message(subject=f"kill9 {round_}")
            assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
            assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250
            assert c.cmd("DATA").code == 354
            c.send(msg + b".\r\n")
            r = c.read_reply()
            herald.kill9()  # immediately after reading the 250
        assert r.code == 250, str(r)
        qid = queue_id_from(r.text)
        assert qid in herald.queue_ids(), f"round {round_}: {qid} lost after kill -9"
        herald.start()
        assert qid in herald.queue_ids()
        assert herald.queue_raw(qid).endswith(msg)


def test_kill9_with_concurrent_submitters(herald):
    total = {}
    for round_ in range(3):
        stop, lock, accepted = threading.Event(), threading.Lock(), {}
        target = 12 + 4 * round_

        def killer(n):
            if n >= target and not stop.is_set():
                herald.kill9()
                stop.set()
                return True
            return stop.is_set()

        threads = [threading.Thread(target=_session_submit,
                                    args=(herald.starttls_port, stop, accepted, lock, killer),
                                    daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
        herald.kill9()
        assert len(accepted) >= target, f"round {round_}: only {len(accepted)} accepted"
        herald.start()
        ids = set(herald.queue_ids())
        lost = [q for q in accepted if q not in ids]
        assert not lost, f"round {round_}: accepted then lost after kill -9: {lost}"
        total.update(accepted)
    ids = set(herald.queue_ids())
    assert set(total) <= ids
    for qid in list(total)[:5]:
        assert herald.queue_raw(qid).endswith(total[qid])
