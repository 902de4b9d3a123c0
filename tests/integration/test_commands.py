"""The plain command set (SPEC §4): banner, EHLO extensions, HELO, VRFY 252,
NOOP, RSET, HELP, QUIT, unknown commands, and enhanced codes on replies."""

from helpers import HOSTNAME, RawSmtp


def test_banner_and_ehlo_extensions(herald):
    with RawSmtp(herald.starttls_port) as c:
        assert c.banner.code == 220 and HOSTNAME in c.banner.text
        r = c.ehlo()
        assert r.lines[0].startswith(HOSTNAME), r.lines[0]
        exts = c.extensions(r)
        for e in ("PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING", "STARTTLS"):
            assert e in exts, f"{e} missing from {exts}"
        size = [e for e in exts if e.startswith("SIZE")]
        assert size and size[0].split()[1:] and int(size[0].split()[1]) > 0, size
        c.quit()


def test_simple_commands(herald):
    with RawSmtp(herald.starttls_port) as c:
        r = c.cmd("HELO client.test.example")
        assert r.code == 250, str(r)
        for cmd, code in (("NOOP", 250), ("RSET", 250), ("VRFY postmaster", 252),
                          ("HELP", 214), ("FROBNICATE", 500)):
            r = c.cmd(cmd)
            if cmd == "HELP":
                assert r.code in (214, 211), f"{cmd}: {r}"
            else:
                assert r.code == code, f"{cmd}: {r}"
            assert r.enhanced, f"{cmd}: reply without enhanced status code: {r}"
        r = c.cmd("QUIT")
        assert r.code == 221, str(r)
        assert c.unsolicited(2.0) == b"", "data after 221"


def test_commands_are_case_insensitive(herald):
    with RawSmtp(herald.starttls_port) as c:
        assert c.cmd("ehlo client.test.example").code == 250
        assert c.cmd("nOoP").code == 250
        c.quit()


def test_data_without_transaction_is_503(herald):
    with RawSmtp(herald.starttls_port) as c:
        c.login()
        r = c.cmd("DATA")
        assert r.code == 503 and r.enhanced == "5.5.1", str(r)
        r = c.cmd("RCPT TO:<x@example.net>")
        assert r.code == 503, str(r)
        c.quit()


def test_too_many_errors_closes_the_session(herald):
    with RawSmtp(herald.starttls_port) as c:
        c.ehlo()
        last = None
        for _ in range(30):
            try:
                last = c.cmd("FROBNICATE")
            except Exception:
                break
            if last.code == 421:
                break
        assert last is not None and last.code == 421, f"still talking after 30 errors: {last}"
