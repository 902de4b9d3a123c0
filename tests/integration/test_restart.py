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


def test_sigterm_with_idle_session_open(herald):
    """A session left open must not keep the server from stopping."""
    from helpers import RawSmtp
    c = RawSmtp(herald.starttls_port)
    c.ehlo()
    try:
        assert herald.stop() == 0
    finally:
        c.close()
