"""Sending rate limits (SPEC §5): per account (inherited by sub-accounts
unless they set their own) and per client IP; over the limit MAIL or RCPT
gets 450 4.7.1 saying who is limited and until when."""

from helpers import ACCOUNT, PASSWORD, USER, RawSmtp


def transaction(h, rcpts=("a@example.net",), user=USER):
    with RawSmtp(h.starttls_port) as c:
        c.login(user, PASSWORD) if user != USER else c.login()
        mail = c.cmd(f"MAIL FROM:<{user}>")
        replies = [c.cmd(f"RCPT TO:<{r}>") for r in rcpts] if mail.code == 250 else []
        c.cmd("RSET")
        c.quit()
    return mail, replies


def test_account_message_limit(herald):
    out = herald.cli_ok("account", "limits", ACCOUNT, "--messages-per-hour", "2").stdout
    assert "messages per hour:   2" in out
    assert transaction(herald)[0].code == 250
    assert transaction(herald)[0].code == 250
    mail, _ = transaction(herald)
    assert mail.code == 450 and mail.enhanced == "4.7.1", str(mail)
    assert f"account {ACCOUNT} may send 2 messages per hour" in mail.text and "UTC" in mail.text
    audit = herald.cli_json("audit", "--kind", "admin")
    assert any(e["event"] == "account_limits" for e in audit)


def test_account_recipient_limit_refuses_only_the_excess(herald):
    herald.cli_ok("account", "limits", ACCOUNT, "--recipients-per-hour", "3")
    _, replies = transaction(herald, rcpts=("a@example.net", "b@example.net", "c@example.net",
                                            "d@example.net"))
    assert [r.code for r in replies] == [250, 250, 250, 450], [str(r) for r in replies]


def test_sub_account_inherits_unless_it_sets_its_own(herald):
    herald.cli_ok("account", "add", "acme.news", "--parent", ACCOUNT)
    herald.cli_ok("account", "limits", ACCOUNT, "--messages-per-hour", "5")
    shown = herald.cli_json("account", "limits", "acme.news")
    assert shown["messages_per_hour"] == 5 and shown["own_messages_per_hour"] is None
    herald.cli_ok("account", "limits", "acme.news", "--messages-per-hour", "1")
    assert herald.cli_json("account", "limits", "acme.news")["messages_per_hour"] == 1
    herald.cli_ok("account", "limits", "acme.news", "--messages-per-hour", "inherit")
    assert herald.cli_json("account", "limits", "acme.news")["messages_per_hour"] == 5
    bad = herald.cli("account", "limits", ACCOUNT, "--messages-per-hour", "lots")
    assert bad.returncode != 0 and "inherit" in bad.stderr


def test_client_ip_limit(herald_factory):
    h = herald_factory(extra_toml="", )
    # Rewrite the [limits] table the fixture wrote, with a per-IP limit.
    text = h.config.read_text().replace("[limits]\n", "[limits]\nmax_messages_per_hour_per_ip = 1\n")
    h.config.write_text(text)
    h.restart()
    assert transaction(h)[0].code == 250
    mail, _ = transaction(h)
    assert mail.code == 450 and "the address 127.0.0.1 may send 1 messages per hour" in mail.text
