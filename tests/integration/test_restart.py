"""A clean stop (SIGTERM) and a new start keep every queued message."""

from helpers import make_message, submit


def test_queue_survives_sigterm_and_restart(herald):
    msgs = {}
    for i in range(3):
        msg = make_message(subject=f"restart {i}")
        msgs[submit(herald.starttls_port if i % 2 == 0 else herald.implicit_port,
                    msg, implicit=(i % 2 == 1))] = msg
    assert herald.stop() == 0, "herald serve should exit 0 on SIGTERM"
    # The CLI reads the queue with the server down...
    assert sorted(herald.queue_ids()) == sorted(msgs)
    herald.start()
    # ...and after the restart, with the server up.
    queue = herald.queue_list()
    assert sorted(m["id"] for m in queue) == sorted(msgs)
    for qid, msg in msgs.items():
        assert herald.queue_raw(qid).endswith(msg)
    # The restarted server keeps accepting.
    qid = submit(herald.starttls_port)
    assert qid not in msgs and qid in herald.queue_ids()


def test_sigterm_closes_idle_session_promptly(herald):
    """An idle session must not hold up a stop: it is told 421 (RFC 5321
    §3.8) and closed, and the server exits 0 within a few seconds."""
    import time
    from helpers import RawSmtp
    c = RawSmtp(herald.starttls_port)
    c.ehlo()
    try:
        t0 = time.monotonic()
        assert herald.stop(timeout=15) == 0
        took = time.monotonic() - t0
        seen = c.unsolicited(1.0)
        assert took < 5, f"SIGTERM took {took:.1f}s with one idle session open"
        assert seen.startswith(b"421 "), f"idle session got {seen!r} instead of 421"
    finally:
        c.close()
