"""`herald domain add / list / dns / verify / remove`: key files, the
records printed, their check against DNS ([dns] static records stand in for
the real DNS), and `verify --message` on a message Herald signed."""

import json
import os
import stat

from helpers import ACCOUNT, PASSWORD, USER, make_message, smtp_starttls, submit


def static_records(h, lines):
    """Appends a [dns] static table to the config (the CLI reads it fresh)."""
    quoted = ",\n".join("'" + line + "'" for line in lines)
    with open(h.config, "a") as f:
        f.write(f"\n[dns]\nstatic = [\n{quoted}\n]\n")


def dns_records(h, domain):
    return h.cli_json("domain", "dns", domain)["records"]


def test_add_writes_private_keys_and_lists(herald):
    out = herald.cli_ok("domain", "add", "Acme.Example.", "--account", ACCOUNT,
                        "--selector", "s1").stdout
    assert "s1-rsa (rsa-sha256), s1-ed (ed25519-sha256)" in out
    keys = herald.data_dir / "dkim" / "acme.example"
    for name in ("s1-rsa.pem", "s1-ed.pem"):
        mode = stat.S_IMODE(os.stat(keys / name).st_mode)
        assert mode == 0o600, oct(mode)
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o700
    listed = herald.cli_json("domain", "list")
    assert listed[0]["domain"] == "acme.example" and listed[0]["account"] == ACCOUNT
    assert [k["state"] for k in listed[0]["keys"]] == ["active", "active"]
    # The same domain twice, an unknown account, a bad name: clear errors.
    again = herald.cli("domain", "add", "acme.example", "--account", ACCOUNT)
    assert again.returncode != 0 and "already added" in again.stderr
    nobody = herald.cli("domain", "add", "x.example", "--account", "nobody")
    assert nobody.returncode != 0 and "herald account add nobody" in nobody.stderr
    bad = herald.cli("domain", "add", "not a domain", "--account", ACCOUNT)
    assert bad.returncode != 0 and "not a valid domain" in bad.stderr
    audit = herald.cli_json("audit", "--kind", "admin")
    assert any(e["event"] == "domain_added" for e in audit)


def test_dns_prints_every_record(herald):
    herald.cli_ok("domain", "add", "acme.example", "--account", ACCOUNT)
    text = herald.cli_ok("domain", "dns", "acme.example").stdout
    for needle in ("._domainkey.acme.example. IN TXT \"v=DKIM1; k=rsa; p=",
                   "k=ed25519; p=", "acme.example. IN TXT \"v=spf1 a:mx.test.example ~all\"",
                   "_dmarc.acme.example. IN TXT \"v=DMARC1; p=none;",
                   "_mta-sts.acme.example. IN TXT \"v=STSv1; id=",
                   "_smtp._tls.acme.example. IN TXT \"v=TLSRPTv1; rua=mailto:",
                   "acme.example. IN MX 10 mx.test.example.",
                   "version: STSv1", "mode: testing", "mx: mx.test.example"):
        assert needle in text, needle
    records = dns_records(herald, "acme.example")
    assert {r["type"] for r in records} == {"TXT", "MX"}
    missing = herald.cli("domain", "dns", "other.example")
    assert missing.returncode != 0 and "herald domain add other.example" in missing.stderr


def test_verify_reports_ok_missing_and_wrong(herald):
    herald.cli_ok("domain", "add", "acme.example", "--account", ACCOUNT)
    lines = []
    for r in dns_records(herald, "acme.example"):
        name = r["name"]
        if name.startswith("_dmarc."):
            lines.append(f"{name} A 192.0.2.1")  # name exists, no TXT: missing
        elif name.startswith("_smtp._tls."):
            lines.append(f'{name} TXT "v=TLSRPTv1;"')  # rua= missing: wrong
        elif r["type"] == "MX":
            lines.append(f"{name} MX 10 {r['value'].split()[1]}")
        else:
            lines.append(r["zone"])
    static_records(herald, lines)
    result = herald.cli("domain", "verify", "acme.example", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    status = {r["record"]: r["status"] for r in report["records"]}
    assert status == {"DKIM": "ok", "SPF": "ok", "DMARC": "missing", "MTA-STS": "ok",
                      "TLS-RPT": "wrong", "MX": "ok"}, status
    assert report["problems"] == 2
    tlsrpt = next(r for r in report["records"] if r["record"] == "TLS-RPT")
    assert "rua=" in tlsrpt["advice"] and tlsrpt["found"] == ["v=TLSRPTv1;"]
    human = herald.cli("domain", "verify", "acme.example").stdout
    assert "missing  DMARC" in human and "to do:" in human


def test_verify_message_checks_signatures_through_dns(herald, tmp_path):
    herald.cli_ok("domain", "add", "acme.example", "--account", ACCOUNT)
    records = [r for r in dns_records(herald, "acme.example") if "._domainkey." in r["name"]]
    static_records(herald, [r["zone"] for r in records])
    qid = submit(herald.starttls_port, make_message())
    message = tmp_path / "signed.eml"
    message.write_bytes(herald.queue_raw(qid))
    report = herald.cli_json("domain", "verify", "--message", str(message))
    assert [s["result"] for s in report["signatures"]] == ["pass", "pass"], report
    tampered = tmp_path / "tampered.eml"
    tampered.write_bytes(message.read_bytes().replace(b"Hello from", b"Jello from"))
    result = herald.cli("domain", "verify", "--message", str(tampered))
    assert result.returncode == 1 and "fail" in result.stdout


def test_removed_domain_is_no_longer_usable(herald):
    herald.cli_ok("domain", "add", "acme.example", "--account", ACCOUNT)
    sender = "billing@acme.example"
    submit(herald.starttls_port, make_message(sender=sender), mail_from=sender)
    herald.cli_ok("domain", "remove", "acme.example")
    assert not list((herald.data_dir / "dkim" / "acme.example").glob("*.pem"))
    s = smtp_starttls(herald.starttls_port)
    s.login(USER, PASSWORD)
    code, text = s.mail(sender)
    s.close()
    assert code == 550 and b"not as billing@acme.example" in text
    account = herald.cli("account", "remove", ACCOUNT)
    assert account.returncode != 0  # still has its login
