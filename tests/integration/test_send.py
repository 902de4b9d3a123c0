"""`herald send`: one message submitted the way an application would, through
Herald's own outbound client, against the test server."""

from helpers import PASSWORD, USER


def test_send_over_starttls_and_implicit_tls(herald, tmp_path):
    body = tmp_path / "body.txt"
    body.write_text("first line\n.\nGrüße\n")
    for port, extra in ((herald.starttls_port, []), (herald.implicit_port, ["--tls", "implicit"])):
        r = herald.cli("send", "--server", f"127.0.0.1:{port}", "--user", USER, "--password-stdin",
                       "--from", USER, "--to", "rcpt@example.net", "--subject", "hello",
                       "--body-file", str(body), "--insecure", *extra, input=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        assert "rcpt@example.net: 250 2.0.0" in r.stdout and "queued as" in r.stdout
        assert "tls: TLSv1.3" in r.stdout
    ids = herald.queue_ids()
    assert len(ids) == 2
    raw = herald.queue_raw(ids[0])
    assert b"Subject: hello\r\n" in raw
    # What `queue show --raw` prints ends with the body: the spool's record
    # stored after it in the same file stays out.
    assert raw.endswith(b"\r\nfirst line\r\n.\r\nGr\xc3\xbc\xc3\x9fe\r\n"), raw[-200:]


def test_send_reports_refusals(herald):
    r = herald.cli("send", "--server", f"127.0.0.1:{herald.starttls_port}", "--user", USER,
                   "--password-stdin", "--from", USER, "--to", "rcpt@example.net", "--insecure",
                   input="wrong password!\n")
    assert r.returncode == 1 and "535" in r.stderr
    # Certificate verification is on unless --insecure: the test certificate is self-signed.
    r = herald.cli("send", "--server", f"127.0.0.1:{herald.starttls_port}", "--user", USER,
                   "--password-stdin", "--from", USER, "--to", "rcpt@example.net",
                   input=PASSWORD + "\n")
    assert r.returncode == 1 and "TLS" in r.stderr
    assert not herald.queue_ids()
