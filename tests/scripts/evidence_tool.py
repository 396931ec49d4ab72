#!/usr/bin/env python3
"""Tampering with a pentrap store the way an attacker with the file would, for the
tamper tests (test_tamper.sh). It recomputes record hashes independently of pentrap,
from docs/records.md's canonical form, so a forged record is well hashed and well
chained: only the checkpoints can expose it.

Usage: evidence_tool.py DB COMMAND [ARGS]
  check                 every stored hash equals the one computed here (exit 1 if not)
  edit SEQ COLUMN VALUE change one column of one record, nothing else
  delete SEQ            delete one record
  insert SEQ            insert a forged record at SEQ (a copy of SEQ-1 to another
                        party, well hashed and chained to SEQ-1), renumbering the rest
  reorder SEQ           swap records SEQ and SEQ+1
  truncate SEQ          delete every record after SEQ
  append                append a forged record after the last, well hashed and chained
  rechain SEQ COLUMN VALUE  edit a record and recompute every hash from it on
  resign KEY            sign every checkpoint again with the private key KEY (PEM),
                        over the records as they now are (openssl pkeyutl), keeping
                        KEY's public key in the store: what someone holding a key can do
"""
import datetime
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile

COLS = ["seq", "ts_us", "ts", "type", "order_id", "target", "direction", "from_party", "to_party",
        "protocol", "service", "signature", "confidence", "score", "duration_us", "outcome",
        "call_id", "contact", "subtype", "evidence", "prev_hash", "hash", "event", "counterpart"]


def jstr(s):
    assert all(0x20 <= ord(c) != 0x7f for c in s), "test data is plain text"
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def canonical(r):
    """record_write_json's text with hash empty (docs/records.md)."""
    out = '{"seq":%d,"ts":"%s","type":%s' % (r["seq"], r["ts"], jstr(r["type"]))
    if r["event"]:
        out += ',"event":%s' % jstr(r["event"])
    for k, c in (("order", "order_id"), ("target", "target"), ("direction", "direction"),
                 ("from", "from_party"), ("to", "to_party")):
        out += ',"%s":%s' % (k, jstr(r[c]))
    if r["counterpart"]:
        out += ',"counterpart":%s' % jstr(r["counterpart"])
    out += ',"protocol":%s' % jstr(r["protocol"])
    for k in ("service", "signature"):
        if r[k]:
            out += ',"%s":%s' % (k, jstr(r[k]))
    out += ',"confidence":"%s"' % r["confidence"]
    if r["confidence"] == "inferred":
        out += ',"score":%d' % r["score"]
    if r["duration_us"] is not None:
        out += ',"duration_s":%d.%06d' % (r["duration_us"] // 1000000, r["duration_us"] % 1000000)
    for k in ("outcome", "call_id", "contact", "subtype"):
        if r[k]:
            out += ',"%s":%s' % (k, jstr(r[k]))
    ev = r["evidence"].strip() or "{}"
    out += ',"evidence":' + ev
    out += ',"prev_hash":%s,"hash":""}' % jstr(r["prev_hash"])
    return out


def rhash(r):
    return hashlib.sha256(canonical(r).encode()).hexdigest()


def rows(db):
    db.row_factory = sqlite3.Row
    return [dict(r) for r in db.execute("SELECT %s FROM records ORDER BY seq" % ", ".join(COLS))]


def insert(db, r):
    db.execute("INSERT INTO records (%s) VALUES (%s)" % (", ".join(COLS), ", ".join("?" * len(COLS))),
               [r[c] for c in COLS])


def shift(db, from_seq, by):
    """Renumbers records seq >= from_seq by `by`, as UPDATE would (through negatives)."""
    db.execute("UPDATE records SET seq = -seq WHERE seq >= ?", (from_seq,))
    db.execute("UPDATE records SET seq = -seq + ? WHERE seq < 0", (by,))


def forged_copy(r, seq, prev_hash):
    f = dict(r)
    f["seq"] = seq
    f["to_party"] = "sip:mallory@example.invalid"
    f["prev_hash"] = prev_hash
    f["hash"] = rhash(f)
    return f


def rfc3339(us):
    t = datetime.datetime.fromtimestamp(us // 1000000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (us % 1000000)


def checkpoint_text(cp, genesis):
    """chain_checkpoint_text (docs/evidence.md)."""
    return ('{"checkpoint":1,"genesis":"%s","run":%d,"custody":"%s","seq":%d,"hash":"%s","count":%d,'
            '"time":"%s","final":%s,"exit_status":%d,"summary":"%s"}' % (
                genesis, cp["run_id"], cp["custody"], cp["seq"], cp["hash"], cp["count"],
                rfc3339(cp["time_us"]), "true" if cp["final"] else "false", cp["exit_status"], cp["summary"]))


def custody_hash(run):
    """chain_custody_hash (docs/evidence.md)."""
    t = lambda k: jstr(run[k] or "")
    text = ('{"run":%d,"order":%s,"order_file":%s,"order_sha256":%s,"captures":%s,"sigs_version":%s,'
            '"software_version":%s,"sensor":%s,"key":%s,"note":%s,"started":"%s","first_seq":%d,"resumes":%d}' % (
                run["id"], t("order_id"), t("order_file"), t("order_sha256"), run["captures"] or "[]",
                t("sigs_version"), t("software_version"), t("sensor_id"), t("key_id"), t("note"),
                rfc3339(run["started_us"]), run["first_seq"], run["resumes"] or 0))
    return hashlib.sha256(text.encode()).hexdigest()


def resign(db, key):
    pub_der = subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
    pub_pem = subprocess.run(["openssl", "pkey", "-in", key, "-pubout"], check=True,
                             capture_output=True, text=True).stdout
    key_id = hashlib.sha256(pub_der[-32:]).hexdigest()
    db.execute("INSERT OR IGNORE INTO keys (key_id, public_key, added_us) VALUES (?, ?, 0)", (key_id, pub_pem))
    genesis = db.execute("SELECT value FROM meta WHERE key = 'genesis'").fetchone()[0]
    hashes = dict(db.execute("SELECT seq, hash FROM records"))
    db.execute("UPDATE runs SET key_id = ?", (key_id,))
    db.row_factory = sqlite3.Row
    custody = {r["id"]: custody_hash(dict(r)) for r in db.execute("SELECT * FROM runs")}
    for cp in [dict(r) for r in db.execute("SELECT * FROM checkpoints")]:
        cp["hash"] = hashes.get(cp["seq"], cp["hash"]) if cp["seq"] else genesis
        cp["custody"] = custody[cp["run_id"]]
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write(checkpoint_text(cp, genesis))
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", f.name],
                             check=True, capture_output=True).stdout
        os.unlink(f.name)
        db.execute("UPDATE checkpoints SET hash = ?, custody = ?, key_id = ?, signature = ? WHERE id = ?",
                   (cp["hash"], cp["custody"], key_id, sig.hex(), cp["id"]))


def main():
    path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    db = sqlite3.connect(path)
    recs = rows(db)
    by_seq = {r["seq"]: r for r in recs}
    if cmd == "check":
        bad = [r["seq"] for r in recs if rhash(r) != r["hash"]]
        print("hashes recomputed: %d records, %d differ %s" % (len(recs), len(bad), bad[:5]))
        sys.exit(1 if bad else 0)
    elif cmd == "edit":
        db.execute("UPDATE records SET %s = ? WHERE seq = ?" % args[1], (args[2], int(args[0])))
    elif cmd == "delete":
        db.execute("DELETE FROM records WHERE seq = ?", (int(args[0]),))
    elif cmd == "insert":
        seq = int(args[0])
        f = forged_copy(by_seq[seq - 1], seq, by_seq[seq - 1]["hash"])
        shift(db, seq, 1)
        insert(db, f)
    elif cmd == "reorder":
        seq = int(args[0])
        db.execute("UPDATE records SET seq = -1 WHERE seq = ?", (seq,))
        db.execute("UPDATE records SET seq = ? WHERE seq = ?", (seq, seq + 1))
        db.execute("UPDATE records SET seq = ? WHERE seq = -1", (seq + 1,))
    elif cmd == "truncate":
        db.execute("DELETE FROM records WHERE seq > ?", (int(args[0]),))
    elif cmd == "append":
        last = recs[-1]
        insert(db, forged_copy(last, last["seq"] + 1, last["hash"]))
    elif cmd == "rechain":
        seq, col, val = int(args[0]), args[1], args[2]
        prev = by_seq[seq - 1]["hash"] if seq > 1 else by_seq[seq]["prev_hash"]
        for r in recs:
            if r["seq"] < seq:
                continue
            if r["seq"] == seq:
                r[col] = val
            r["prev_hash"] = prev
            r["hash"] = rhash(r)
            prev = r["hash"]
            db.execute("UPDATE records SET %s = ?, prev_hash = ?, hash = ? WHERE seq = ?" % col,
                       (r[col], r["prev_hash"], r["hash"], r["seq"]))
    elif cmd == "resign":
        resign(db, args[0])
    else:
        sys.exit("unknown command " + cmd)
    db.commit()


if __name__ == "__main__":
    main()
