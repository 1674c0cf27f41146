-- The append-only, hash-chained event ledger (see host/src/ledger/envelope.rs for the hash).
CREATE TABLE ledger_events (
    seq        BIGINT PRIMARY KEY,
    ts_ms      BIGINT NOT NULL,
    actor      TEXT   NOT NULL,
    meeting_id TEXT,
    kind       TEXT   NOT NULL,
    payload    TEXT   NOT NULL,
    prev_hash  BYTEA  NOT NULL,
    hash       BYTEA  NOT NULL
);

CREATE INDEX ledger_events_by_meeting ON ledger_events (meeting_id, seq);

-- Append-only inside the database too. A superuser can still drop these triggers;
-- `huitang verify` catches what they then change.
CREATE FUNCTION ledger_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger_events is append-only';
END;
$$;

CREATE TRIGGER ledger_events_no_change BEFORE UPDATE OR DELETE ON ledger_events
    FOR EACH ROW EXECUTE FUNCTION ledger_events_append_only();

CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_append_only();
