"""Three DKIM verifiers independent of Herald: dkimpy (python3-dkim),
Perl Mail::DKIM and npm mailauth. Each gets the public keys from a dict
{name: TXT value}, never from the network."""

import json
import os
import subprocess
import tempfile

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(os.path.dirname(HERE), "js")


def _name(name):
    if isinstance(name, bytes):
        name = name.decode()
    return name.rstrip(".").lower()


def dkimpy(message: bytes, records: dict) -> list:
    """[(result, domain, selector, algorithm)] for every signature."""

    normalized = {_name(k): v for k, v in records.items()}

    def dnsfunc(name, timeout=5):
        value = normalized.get(_name(name))
        return value.encode() if value is not None else None

    results = []
    sigs = dkim.DKIM(message).present() and _signature_count(message)
    for index in range(sigs or 0):
        d = dkim.DKIM(message)
        ok = d.verify(idx=index, dnsfunc=dnsfunc)
        tags = d.signature_fields
        results.append(
            (
                "pass" if ok else "fail",
                tags.get(b"d", b"").decode(),
                tags.get(b"s", b"").decode(),
                tags.get(b"a", b"").decode(),
            )
        )
    return results


def _signature_count(message: bytes) -> int:
    header = message.split(b"\r\n\r\n", 1)[0]
    return sum(1 for line in header.split(b"\r\n") if line.lower().startswith(b"dkim-signature:"))


def _files(message: bytes, records: dict):
    tmp = tempfile.mkdtemp(prefix="herald-dkim-")
    msg = os.path.join(tmp, "message.eml")
    rec = os.path.join(tmp, "records.json")
    with open(msg, "wb") as f:
        f.write(message)
    with open(rec, "w") as f:
        json.dump({_name(k): v for k, v in records.items()}, f)
    return msg, rec


def perl(message: bytes, records: dict) -> list:
    msg, rec = _files(message, records)
    out = subprocess.run(
        ["perl", os.path.join(HERE, "dkim_verify.pl"), msg, rec],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    results = []
    for line in out.splitlines():
        parts = line.split(" ", 4)
        results.append((parts[0], parts[1], parts[2], parts[3]))
    return results


def mailauth(message: bytes, records: dict) -> list:
    msg, rec = _files(message, records)
    out = subprocess.run(
        ["node", os.path.join(JS_DIR, "dkim_verify.js"), msg, rec],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    return [(r["result"], r["domain"], r["selector"], r["algo"]) for r in json.loads(out)]


VERIFIERS = {"dkimpy": dkimpy, "perl": perl, "mailauth": mailauth}
