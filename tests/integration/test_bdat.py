"""CHUNKING (RFC 3030): BDAT chunks are taken byte-exact; the last one
queues the message, and `queue show --raw` holds exactly those bytes after
the Received: header."""

from helpers import USER, RawSmtp, make_message, queue_id_from


def _tx(c):
    assert c.cmd(f"MAIL FROM:<{USER}>").code == 250
    assert c.cmd("RCPT TO:<rcpt@example.net>").code == 250


def test_bdat_two_chunks_then_last(herald):
    msg = make_message(subject="bdat", body=b"line one\r\n.starts with a dot\r\nline three\r\n")
    part1, part2 = msg[:57], msg[57:]
    with RawSmtp(herald.starttls_port) as c:
        c.login()
        _tx(c)
        c.send(f"BDAT {len(part1)}\r\n".encode() + part1)
        r = c.read_reply()
        assert r.code == 250, str(r)
        c.send(f"BDAT {len(part2)} LAST\r\n".encode() + part2)
        r = c.read_reply()
        assert r.code == 250 and r.enhanced == "2.0.0", str(r)
        qid = queue_id_from(r.text)
        c.quit()
    raw = herald.queue_raw(qid)
    assert raw.startswith(b"Received:")
    assert raw.endswith(msg), "BDAT content altered (dot-unstuffing must not apply)"
    assert b"\r\n.starts with a dot\r\n" in raw


def test_chunking_advertised(herald):
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        c.starttls()
        exts = c.extensions(c.ehlo())
        c.quit()
    assert "CHUNKING" in exts and "PIPELINING" in exts, exts


def test_bdat_pipelined_with_empty_last(herald):
    msg = make_message(subject="bdat pipelined")
    with RawSmtp(herald.starttls_port) as c:
        c.login()
        c.send(f"MAIL FROM:<{USER}>\r\nRCPT TO:<rcpt@example.net>\r\n".encode()
               + f"BDAT {len(msg)}\r\n".encode() + msg + b"BDAT 0 LAST\r\n")
        codes = [c.read_reply() for _ in range(4)]
        c.quit()
    assert [r.code for r in codes] == [250, 250, 250, 250], [str(r) for r in codes]
    qid = queue_id_from(codes[-1].text)
    assert herald.queue_raw(qid).endswith(msg)


def test_bdat_then_data_is_refused(herald):
    with RawSmtp(herald.starttls_port) as c:
        c.login()
        _tx(c)
        c.send(b"BDAT 5\r\nhello")
        assert c.read_reply().code == 250
        r = c.cmd("DATA")
        assert r.code == 503, f"DATA in the middle of BDAT: {r}"
        c.quit()
    assert herald.queue_list() == []


def test_bdat_over_size_limit(herald):
    with RawSmtp(herald.starttls_port, timeout=30) as c:
        c.login()
        _tx(c)
        chunk = b"x" * 76 + b"\r\n"
        big = chunk * (1_100_000 // len(chunk))
        c.send(f"BDAT {len(big)} LAST\r\n".encode() + big)
        r = c.read_reply()
        assert r.code == 552 and r.enhanced == "5.3.4", str(r)
        c.quit()
    assert herald.queue_list() == []
