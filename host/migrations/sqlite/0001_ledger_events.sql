-- The append-only, hash-chained event ledger (see host/src/ledger/envelope.rs for the hash).
CREATE TABLE ledger_events (
    seq        INTEGER PRIMARY KEY NOT NULL,
    ts_ms      INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    meeting_id TEXT,
    kind       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    prev_hash  BLOB    NOT NULL,
    hash       BLOB    NOT NULL
);

CREATE INDEX ledger_events_by_meeting ON ledger_events (meeting_id, seq);

-- Append-only inside the database too. Someone with file access can still drop these triggers;
-- `huitang verify` catches what they then change.
CREATE TRIGGER ledger_events_no_update BEFORE UPDATE ON ledger_events
BEGIN
    SELECT RAISE(ABORT, 'ledger_events is append-only');
END;

CREATE TRIGGER ledger_events_no_delete BEFORE DELETE ON ledger_events
BEGIN
    SELECT RAISE(ABORT, 'ledger_events is append-only');
END;
