-- The audit log (OpenCode.Runtime.Audit.PostgresAuditLog): append-only, kept per Orleans service id like grain state.
--
-- Read newest first by (at, id) within a tenant, optionally from/to a time and for one actor or action: each index
-- serves one of those filters in that order. Triggers refuse UPDATE, DELETE and TRUNCATE, so the database itself keeps
-- the log append-only, whatever the client (dropping the triggers takes the table owner, on purpose).
CREATE TABLE IF NOT EXISTS opencode_audit_log
(
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id      text        NOT NULL,
    at              timestamptz NOT NULL,
    tenant          text        NOT NULL,
    actor           text        NOT NULL,
    action          text        NOT NULL,
    resource_type   text        NOT NULL,
    resource_id     text        NOT NULL,
    conversation_id text        NULL,
    outcome         text        NOT NULL,
    duration_ms     bigint      NULL,
    detail          text        NULL       -- a JSON object of the action's particulars
);

CREATE INDEX IF NOT EXISTS opencode_audit_log_by_time ON opencode_audit_log (service_id, tenant, at, id);
CREATE INDEX IF NOT EXISTS opencode_audit_log_by_actor ON opencode_audit_log (service_id, tenant, actor, at, id);
CREATE INDEX IF NOT EXISTS opencode_audit_log_by_action ON opencode_audit_log (service_id, tenant, action, at, id);

CREATE OR REPLACE FUNCTION opencode_audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'opencode_audit_log is append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS opencode_audit_log_append_only ON opencode_audit_log;
CREATE TRIGGER opencode_audit_log_append_only BEFORE UPDATE OR DELETE ON opencode_audit_log
    FOR EACH ROW EXECUTE FUNCTION opencode_audit_log_refuse_change();

DROP TRIGGER IF EXISTS opencode_audit_log_no_truncate ON opencode_audit_log;
CREATE TRIGGER opencode_audit_log_no_truncate BEFORE TRUNCATE ON opencode_audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION opencode_audit_log_refuse_change();
