-- Grain state for Microsoft.Orleans.Persistence.AdoNet.
--
-- The provider passes the [PersistentState] name as @GrainTypeString, so the key is (service, state name, grain
-- id): state names must be unique across grain classes. A grain id arrives as two integers and a text (the
-- string key, or the extension of an integer/GUID key; null when there is none, stored as ''). The provider's own
-- hashes (@GrainIdHash, @GrainTypeHash) are not needed: the primary key is the index.
--
-- The etag is `version`: 1 on insert, +1 per write. A write or delete names the version it last saw and changes
-- nothing when the row has moved on; the provider reads "no row back" (or its own version back) as an etag
-- conflict and throws InconsistentStateException.
CREATE TABLE IF NOT EXISTS opencode_grain_state
(
    service_id   text        NOT NULL,
    state_name   text        NOT NULL,
    grain_id_n0  bigint      NOT NULL,
    grain_id_n1  bigint      NOT NULL,
    grain_id_key text        NOT NULL,
    version      integer     NOT NULL,
    payload      bytea       NULL,      -- null: cleared, kept as a tombstone (ClearStorageKey)
    modified_at  timestamptz NOT NULL,
    PRIMARY KEY (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_key)
);

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadFromStorageKey', '
    SELECT payload AS PayloadBinary, version AS Version
    FROM opencode_grain_state
    WHERE service_id = @ServiceId AND state_name = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_key = coalesce(@GrainIdExtensionString, '''')
'),
-- No etag: insert, unless a row exists (another activation got there first). An etag: update that version only.
-- Concurrent inserts meet on the primary key; concurrent updates on the row lock, after which the loser sees the
-- new version and matches nothing.
('WriteToStorageKey', '
    WITH inserted AS (
        INSERT INTO opencode_grain_state (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_key, version, payload, modified_at)
        SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(@GrainIdExtensionString, ''''), 1, @PayloadBinary, now()
        WHERE @GrainStateVersion IS NULL
        ON CONFLICT DO NOTHING
        RETURNING version
    ), updated AS (
        UPDATE opencode_grain_state
        SET payload = @PayloadBinary, version = version + 1, modified_at = now()
        WHERE @GrainStateVersion IS NOT NULL
          AND service_id = @ServiceId AND state_name = @GrainTypeString
          AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
          AND grain_id_key = coalesce(@GrainIdExtensionString, '''')
          AND version = @GrainStateVersion
        RETURNING version
    )
    SELECT version AS NewGrainStateVersion FROM inserted
    UNION ALL
    SELECT version FROM updated
'),
-- Clearing keeps the row without a payload, so the version goes on counting (used when DeleteStateOnClear is off).
('ClearStorageKey', '
    UPDATE opencode_grain_state
    SET payload = NULL, version = version + 1, modified_at = now()
    WHERE service_id = @ServiceId AND state_name = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_key = coalesce(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion
'),
-- Deleting (DeleteStateOnClear, what the cluster profile uses) answers one more than the deleted version: the
-- provider takes an answer equal to the etag of the grain, or none, as a conflict.
('DeleteStorageKey', '
    DELETE FROM opencode_grain_state
    WHERE service_id = @ServiceId AND state_name = @GrainTypeString
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_key = coalesce(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion
    RETURNING version + 1 AS NewGrainStateVersion
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
