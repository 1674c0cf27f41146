#!/usr/bin/env python3
"""Independent check of a Huitang SQLite ledger's hash chain, from host/README.md alone.

Usage: verify_chain.py LEDGER.db

Recomputes every record's hash (format huitang-ledger-v1, SHA-256 suite) from the stored
columns and checks that seqs start at 1 without gaps, that each prev_hash is the previous
record's hash and that each stored hash is the recomputed one. Prints the head and the number
of signed checkpoints it saw; exits 1 on the first mismatch, naming the record. Checkpoint
signatures are checked by `huitang verify` (Ed25519 / SM2 need a crypto library).
"""
import hashlib
import json
import sqlite3
import struct
import sys

BODY_TAG = b"huitang-ledger-v1/body\0"
LINK_TAG = b"huitang-ledger-v1/link\0"


def s(text):
    data = text.encode("utf-8")
    return struct.pack(">I", len(data)) + data


def opt_s(text):
    return b"\x00" if text is None else b"\x01" + s(text)


def main(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = db.execute(
        "SELECT seq, ts_ms, actor, meeting_id, kind, payload, prev_hash, hash"
        " FROM ledger_events ORDER BY seq"
    )
    prev = bytes(32)
    expected_seq = 1
    checkpoints = 0
    for seq, ts_ms, actor, meeting_id, kind, payload, prev_hash, stored in rows:
        if seq == 1 and kind == "ledger_created":
            suite = json.loads(payload).get("suite")
            if suite != "sha256-ed25519":
                print(f"suite {suite}: this script checks SHA-256 ledgers only")
                return 2
        if seq != expected_seq:
            print(f"record {expected_seq} is missing (next stored is {seq})")
            return 1
        if bytes(prev_hash) != prev:
            print(f"record {seq}: prev_hash does not match record {seq - 1}'s hash")
            return 1
        body = BODY_TAG + struct.pack(">q", ts_ms) + s(actor) + opt_s(meeting_id) + s(kind) + s(payload)
        digest = hashlib.sha256(body).digest()
        link = LINK_TAG + struct.pack(">q", seq) + prev + digest
        computed = hashlib.sha256(link).digest()
        if computed != bytes(stored):
            print(f"record {seq} ({kind}): stored hash differs from the recomputed one")
            return 1
        if kind == "ledger_checkpoint":
            checkpoints += 1
        prev = computed
        expected_seq += 1
    print(f"{expected_seq - 1} records, chain intact, head {prev.hex()}, {checkpoints} checkpoints")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
