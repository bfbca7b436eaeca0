//! Users, sensors, tokens and sessions.

use super::{audit, conflict};
use crate::store::{Role, Sensor, StoreError, StoreResult, TokenPrincipal, User};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::json;

fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: role.parse().unwrap_or(Role::Viewer),
    })
}

fn sensor_row(r: &Row<'_>) -> rusqlite::Result<Sensor> {
    Ok(Sensor {
        id: r.get(0)?,
        name: r.get(1)?,
        last_seen: r.get(2)?,
        acked_seq: r.get(3)?,
    })
}

const SENSOR_COLS: &str = "s.id, s.name, s.last_seen, COALESCE(q.acked_seq, -1) FROM sensors s
    LEFT JOIN sensor_seq q ON q.sensor_id = s.id";

/// Creates a user and audits it.
pub fn create_user(
    conn: &mut Connection,
    actor: &str,
    name: &str,
    role: Role,
    hash: &str,
) -> StoreResult<User> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO users (name, role, password_hash, created) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.as_str(), hash, crate::evetime::now_micros()],
    )
    .map_err(|e| conflict(e, &format!("user '{name}'")))?;
    let user = User {
        id: tx.last_insert_rowid(),
        name: name.to_string(),
        role,
    };
    audit::record(
        &tx,
        actor,
        "user.create",
        &format!("user:{}", user.id),
        &json!(null),
        &json!(user),
    )?;
    tx.commit()?;
    Ok(user)
}

/// A user and their password hash.
pub fn user_credentials(conn: &Connection, name: &str) -> StoreResult<Option<(User, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, name, role, password_hash FROM users WHERE name = ?1",
            params![name],
            |r| Ok((user_row(r)?, r.get(3)?)),
        )
        .optional()?)
}

/// All users by name.
pub fn list_users(conn: &Connection) -> StoreResult<Vec<User>> {
    let mut st = conn.prepare_cached("SELECT id, name, role FROM users ORDER BY name")?;
    let rows = st.query_map([], user_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Registers a sensor with its token hash and audits it.
pub fn create_sensor(
    conn: &mut Connection,
    actor: &str,
    name: &str,
    token_hash: &str,
) -> StoreResult<Sensor> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = crate::evetime::now_micros();
    tx.execute(
        "INSERT INTO sensors (name, created) VALUES (?1, ?2)",
        params![name, now],
    )
    .map_err(|e| conflict(e, &format!("sensor '{name}'")))?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO tokens (hash, kind, sensor_id, created) VALUES (?1, 'sensor', ?2, ?3)",
        params![token_hash, id, now],
    )?;
    let sensor = Sensor {
        id,
        name: name.to_string(),
        last_seen: None,
        acked_seq: -1,
    };
    audit::record(
        &tx,
        actor,
        "sensor.create",
        &format!("sensor:{id}"),
        &json!(null),
        &json!(sensor),
    )?;
    tx.commit()?;
    Ok(sensor)
}

/// Records an enrollment token (hash only) and audits it.
pub fn create_enrollment(
    conn: &mut Connection,
    actor: &str,
    sensor_name: &str,
    token_hash: &str,
    expires: i64,
) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now = crate::evetime::now_micros();
    tx.execute(
        "INSERT INTO enrollments (token_hash, sensor_name, created, expires) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, sensor_name, now, expires],
    )?;
    audit::record(
        &tx,
        actor,
        "sensor.enrollment",
        &format!("sensor-name:{sensor_name}"),
        &json!(null),
        &json!({"sensor": sensor_name, "expires": expires}),
    )?;
    tx.commit()?;
    Ok(())
}

/// Redeems an unused, unexpired enrollment token: the sensor is registered with its own
/// token and the enrollment marked used, in one transaction.
pub fn redeem_enrollment(
    conn: &mut Connection,
    token_hash: &str,
    sensor_token_hash: &str,
    now: i64,
) -> StoreResult<Option<Sensor>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, sensor_name FROM enrollments
             WHERE token_hash = ?1 AND used IS NULL AND expires > ?2",
            params![token_hash, now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((enrollment, name)) = found else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE enrollments SET used = ?1 WHERE id = ?2",
        params![now, enrollment],
    )?;
    tx.execute(
        "INSERT INTO sensors (name, created) VALUES (?1, ?2)",
        params![name, now],
    )
    .map_err(|e| conflict(e, &format!("sensor '{name}'")))?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO tokens (hash, kind, sensor_id, created) VALUES (?1, 'sensor', ?2, ?3)",
        params![sensor_token_hash, id, now],
    )?;
    let sensor = Sensor {
        id,
        name: name.clone(),
        last_seen: None,
        acked_seq: -1,
    };
    audit::record(
        &tx,
        &format!("enrollment:{enrollment}"),
        "sensor.create",
        &format!("sensor:{id}"),
        &json!(null),
        &json!(sensor),
    )?;
    tx.commit()?;
    Ok(Some(sensor))
}

/// A sensor by name.
pub fn sensor_by_name(conn: &Connection, name: &str) -> StoreResult<Option<Sensor>> {
    Ok(conn
        .query_row(
            &format!("SELECT {SENSOR_COLS} WHERE s.name = ?1"),
            params![name],
            sensor_row,
        )
        .optional()?)
}

/// All sensors by name.
pub fn list_sensors(conn: &Connection) -> StoreResult<Vec<Sensor>> {
    let mut st = conn.prepare_cached(&format!("SELECT {SENSOR_COLS} ORDER BY s.name"))?;
    let rows = st.query_map([], sensor_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds an API token for a user and audits it (never the token itself).
pub fn create_api_token(
    conn: &mut Connection,
    actor: &str,
    user_id: i64,
    token_hash: &str,
) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = ?1)",
        params![user_id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(StoreError::NotFound(format!("user {user_id}")));
    }
    tx.execute(
        "INSERT INTO tokens (hash, kind, user_id, created) VALUES (?1, 'api', ?2, ?3)",
        params![token_hash, user_id, crate::evetime::now_micros()],
    )?;
    let prefix: String = token_hash.chars().take(8).collect();
    audit::record(
        &tx,
        actor,
        "token.create",
        &format!("user:{user_id}"),
        &json!(null),
        &json!({"kind": "api", "hash_prefix": prefix}),
    )?;
    tx.commit()?;
    Ok(())
}

/// Resolves a token hash.
pub fn principal_by_token(
    conn: &Connection,
    token_hash: &str,
) -> StoreResult<Option<TokenPrincipal>> {
    let row: Option<(String, Option<i64>, Option<i64>)> = conn
        .query_row(
            "SELECT kind, user_id, sensor_id FROM tokens WHERE hash = ?1",
            params![token_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(match row {
        Some((kind, Some(uid), _)) if kind == "api" => conn
            .query_row(
                "SELECT id, name, role FROM users WHERE id = ?1",
                params![uid],
                user_row,
            )
            .optional()?
            .map(TokenPrincipal::User),
        Some((kind, _, Some(sid))) if kind == "sensor" => conn
            .query_row(
                &format!("SELECT {SENSOR_COLS} WHERE s.id = ?1"),
                params![sid],
                sensor_row,
            )
            .optional()?
            .map(TokenPrincipal::Sensor),
        _ => None,
    })
}

/// Stores a session.
pub fn create_session(
    conn: &mut Connection,
    user_id: i64,
    hash: &str,
    csrf: &str,
    expires: i64,
) -> StoreResult<()> {
    let now = crate::evetime::now_micros();
    conn.execute("DELETE FROM sessions WHERE expires < ?1", params![now])?;
    conn.execute(
        "INSERT INTO sessions (hash, user_id, csrf, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![hash, user_id, csrf, now, expires],
    )?;
    Ok(())
}

/// A live session's user and CSRF token.
pub fn session(conn: &Connection, hash: &str, now: i64) -> StoreResult<Option<(User, String)>> {
    Ok(conn
        .query_row(
            "SELECT u.id, u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.hash = ?1 AND s.expires > ?2",
            params![hash, now],
            |r| Ok((user_row(r)?, r.get(3)?)),
        )
        .optional()?)
}

/// Removes a session.
pub fn delete_session(conn: &mut Connection, hash: &str) -> StoreResult<()> {
    conn.execute("DELETE FROM sessions WHERE hash = ?1", params![hash])?;
    Ok(())
}
