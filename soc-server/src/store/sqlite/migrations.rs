//! Schema migrations: numbered SQL scripts applied once each, recorded in
//! `schema_migrations`. Append new versions at the end; never edit an applied one.

use rusqlite::{params, Connection};

/// `(version, sql)` in order.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
CREATE TABLE sensors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    last_seen INTEGER
);
-- Per-sensor sequence high-water mark: every line up to acked_seq is stored (dedupe).
CREATE TABLE sensor_seq (
    sensor_id INTEGER PRIMARY KEY REFERENCES sensors(id),
    acked_seq INTEGER NOT NULL
);
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin','analyst','trainer','viewer')),
    password_hash TEXT NOT NULL,
    created INTEGER NOT NULL
);
-- API and sensor tokens, stored as SHA-256 hex of the token.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('api','sensor')),
    user_id INTEGER REFERENCES users(id),
    sensor_id INTEGER REFERENCES sensors(id),
    created INTEGER NOT NULL
);
CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL
);
CREATE TABLE alert_groups (
    id INTEGER PRIMARY KEY,
    sid INTEGER NOT NULL,
    signature TEXT NOT NULL,
    src_ip TEXT NOT NULL,
    dest_ip TEXT NOT NULL,
    severity INTEGER NOT NULL,
    sensor_id INTEGER NOT NULL REFERENCES sensors(id),
    count INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    close_reason TEXT,
    updated INTEGER NOT NULL,
    UNIQUE (sid, signature, src_ip, dest_ip)
);
CREATE INDEX alert_groups_last_seen ON alert_groups(last_seen DESC);
CREATE INDEX alert_groups_status ON alert_groups(status, last_seen DESC);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    sensor_id INTEGER NOT NULL REFERENCES sensors(id),
    seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    sid INTEGER,
    signature TEXT,
    severity INTEGER,
    src_ip TEXT,
    src_port INTEGER,
    dest_ip TEXT,
    dest_port INTEGER,
    proto TEXT,
    app_proto TEXT,
    flow_id INTEGER,
    community_id TEXT,
    group_id INTEGER REFERENCES alert_groups(id),
    json TEXT NOT NULL
);
CREATE INDEX events_type_ts ON events(event_type, ts DESC);
CREATE INDEX events_ts ON events(ts DESC);
CREATE INDEX events_flow ON events(flow_id) WHERE flow_id IS NOT NULL;
CREATE INDEX events_group ON events(group_id, ts DESC) WHERE group_id IS NOT NULL;
CREATE INDEX events_sid ON events(sid) WHERE sid IS NOT NULL;
CREATE INDEX events_src ON events(src_ip);
CREATE INDEX events_dest ON events(dest_ip);
CREATE INDEX events_community ON events(community_id) WHERE community_id IS NOT NULL;
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"#,
    ),
    (
        2,
        r#"
-- Full-text index over the text fields of each event (rowid = events.id). Contentless:
-- the text lives in events.json; contentless_delete lets retention remove rows.
CREATE VIRTUAL TABLE events_fts USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
"#,
    ),
    (
        3,
        r#"
-- Events a sensor declared lost (its spool overflowed) before a batch: X-Sensor-Lost.
ALTER TABLE sensors ADD COLUMN lost_events INTEGER NOT NULL DEFAULT 0;
"#,
    ),
    (
        4,
        r#"
-- Enrollment tokens: single use, expiring; redeemed by `sensor enroll` for the sensor's
-- own ingest token. Only the SHA-256 of the token is kept.
CREATE TABLE enrollments (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    sensor_name TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    used INTEGER
);
"#,
    ),
    (
        5,
        r#"
-- Ruleset versions uploaded by admins (validated with the sensor's parser) and the one
-- published to sensors; the latest heartbeat of each sensor (and the one before, for the
-- event rate).
CREATE TABLE rulesets (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rules_loaded INTEGER NOT NULL,
    rules_skipped INTEGER NOT NULL,
    report TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded INTEGER NOT NULL,
    published INTEGER
);
CREATE TABLE ruleset_active (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL REFERENCES rulesets(version),
    published INTEGER NOT NULL
);
CREATE TABLE sensor_health (
    sensor_id INTEGER PRIMARY KEY REFERENCES sensors(id),
    received INTEGER NOT NULL,
    report TEXT NOT NULL,
    events INTEGER NOT NULL,
    prev_received INTEGER,
    prev_events INTEGER
);
"#,
    ),
    (
        6,
        r#"
-- Triage workflow: cases (escalated alert groups, observables, timeline), assignees and
-- comments on alert groups, suppressions.
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','in_progress','closed')),
    severity INTEGER NOT NULL,
    assignee TEXT,
    author TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE INDEX cases_updated ON cases(updated DESC);
CREATE TABLE case_observables (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL CHECK (kind IN ('ip','domain','hash','url')),
    value TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('auto','manual')),
    actor TEXT NOT NULL,
    added INTEGER NOT NULL,
    UNIQUE (case_id, kind, value)
);
CREATE TABLE case_timeline (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX case_timeline_case ON case_timeline(case_id, id);
ALTER TABLE alert_groups ADD COLUMN assignee TEXT;
ALTER TABLE alert_groups ADD COLUMN case_id INTEGER REFERENCES cases(id);
CREATE INDEX alert_groups_case ON alert_groups(case_id) WHERE case_id IS NOT NULL;
-- No foreign key to alert_groups: retention may drop a group; its comments stay.
CREATE TABLE group_comments (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX group_comments_group ON group_comments(group_id, id);
CREATE TABLE suppressions (
    id INTEGER PRIMARY KEY,
    sid INTEGER,
    src TEXT,
    dest TEXT,
    sensor_id INTEGER REFERENCES sensors(id),
    reason TEXT NOT NULL,
    author TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER,
    deleted INTEGER,
    deleted_by TEXT
);
"#,
    ),
    (
        7,
        r#"
-- Events live in time partitions (one table per UTC day of ingest, see
-- store/sqlite/partition.rs); the existing table becomes partition 1 and `events` a view
-- over all partitions. Indexes lead with the filtered column and end with ts so that
-- "newest first" pages come straight from the index; only time-ordered, group and flow
-- indexes (see partition.rs for why).
ALTER TABLE events RENAME TO events_1;
ALTER TABLE events_fts RENAME TO events_fts_1;
DROP INDEX events_type_ts;
DROP INDEX events_ts;
DROP INDEX events_flow;
DROP INDEX events_group;
DROP INDEX events_sid;
DROP INDEX events_src;
DROP INDEX events_dest;
DROP INDEX events_community;
CREATE INDEX events_1_ts ON events_1(ts);
CREATE INDEX events_1_type_ts ON events_1(event_type, ts);
CREATE INDEX events_1_group ON events_1(group_id, ts) WHERE group_id IS NOT NULL;
CREATE INDEX events_1_flow ON events_1(flow_id) WHERE flow_id IS NOT NULL;
-- Alert searches by signature or address find their groups first.
CREATE INDEX alert_groups_src ON alert_groups(src_ip);
CREATE INDEX alert_groups_dest ON alert_groups(dest_ip);
CREATE TABLE partitions (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    first_id INTEGER NOT NULL,
    created INTEGER NOT NULL,
    events INTEGER NOT NULL DEFAULT 0,
    alerts INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    min_ts INTEGER,
    max_ts INTEGER
);
INSERT INTO partitions (id, day, first_id, created, events, alerts, bytes, min_ts, max_ts)
    SELECT 1, strftime('%Y-%m-%d', 'now'), 1, CAST(unixepoch('subsec') * 1000000 AS INTEGER),
        count(*), coalesce(sum(event_type = 'alert'), 0), coalesce(sum(length(json)), 0),
        min(ts), max(ts)
    FROM events_1;
CREATE VIEW events AS SELECT * FROM events_1;
-- What retention dropped, for the operators (the audit log records it too).
CREATE TABLE retention_log (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    partition_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    events INTEGER NOT NULL,
    alerts INTEGER NOT NULL,
    reason TEXT NOT NULL
);
"#,
    ),
];

/// Applies every migration not yet recorded, each in its own transaction.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)",
    )?;
    for (version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?1)",
            params![version],
            |r| r.get(0),
        )?;
        if !done {
            tracing::info!(version, "applying schema migration");
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied) VALUES (?1, ?2)",
                params![version, crate::evetime::now_micros()],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}
