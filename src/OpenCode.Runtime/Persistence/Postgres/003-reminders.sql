-- Reminders for Microsoft.Orleans.Reminders.AdoNet.
--
-- The reminder service reads the reminders of one grain, or of a range of grain hashes (each silo owns a slice
-- of the hash ring). @BeginHash is exclusive and @EndHash inclusive; ReadRangeRows2Key is the range that wraps
-- around the end of the ring. The etag is `version`, +1 per upsert.
CREATE TABLE IF NOT EXISTS opencode_reminders
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_time    timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS opencode_reminders_by_hash ON opencode_reminders (service_id, grain_hash);

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadReminderRowsKey', '
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
    FROM opencode_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId
'),
('ReadReminderRowKey', '
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
    FROM opencode_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
'),
('ReadRangeRows1Key', '
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
    FROM opencode_reminders
    WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
'),
('ReadRangeRows2Key', '
    SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period_ms AS Period, version AS Version
    FROM opencode_reminders
    WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
'),
('UpsertReminderRowKey', '
    INSERT INTO opencode_reminders AS r (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 1)
    ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
    SET start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash, version = r.version + 1
    RETURNING version AS Version
'),
-- One row with one boolean: whether the reminder was deleted (only at the version the caller names).
('DeleteReminderRowKey', '
    WITH deleted AS (
        DELETE FROM opencode_reminders
        WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
        RETURNING 1
    )
    SELECT count(*) > 0 FROM deleted
'),
('DeleteReminderRowsKey', '
    DELETE FROM opencode_reminders WHERE service_id = @ServiceId
')
ON CONFLICT (querykey) DO UPDATE SET querytext = excluded.querytext;
