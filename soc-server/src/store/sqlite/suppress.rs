//! Suppressions: alert groups that match an active suppression (every criterion it sets:
//! sid, source address/CIDR, destination address/CIDR, sensor) are hidden from the inbox
//! but stay stored. Matching happens when groups are read, so a suppression also hides
//! groups that arrived before it and stops hiding them when it expires or is deleted.
//! A group matches on its key (sid, source, destination) and its latest sensor.

use super::audit;
use crate::store::{NewSuppression, StoreError, StoreResult, Suppression};
use rusqlite::functions::FunctionFlags;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::json;
use std::net::IpAddr;

/// SQL condition, over `alert_groups g`, that an active suppression matches the group.
macro_rules! suppressed_sql {
    () => {
        "EXISTS (SELECT 1 FROM suppressions x WHERE x.deleted IS NULL
            AND (x.expires IS NULL OR x.expires > unixepoch() * 1000000)
            AND (x.sid IS NULL OR x.sid = g.sid)
            AND (x.sensor_id IS NULL OR x.sensor_id = g.sensor_id)
            AND (x.src IS NULL OR soc_ip_in(g.src_ip, x.src))
            AND (x.dest IS NULL OR soc_ip_in(g.dest_ip, x.dest)))"
    };
}
pub(crate) use suppressed_sql;

/// An address or CIDR network (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// Parses and checks an address or CIDR; the error says what is wrong.
    pub fn parse(s: &str) -> Result<Net, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("'{s}' is not an IP address or CIDR network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => return Err(format!("'{s}': prefix length must be 0-{max}")),
            },
        };
        Ok(Net { addr, prefix })
    }

    /// Whether `ip` lies in the network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (a, b, bits) = match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (
                u128::from(u32::from(n)) << 96,
                u128::from(u32::from(i)) << 96,
                self.prefix,
            ),
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), self.prefix),
            _ => return false,
        };
        if bits == 0 {
            return true;
        }
        let mask = u128::MAX << (128 - u32::from(bits));
        a & mask == b & mask
    }

    /// Canonical text (`10.0.0.0/8`; a single address without a prefix).
    pub fn canonical(&self) -> String {
        let max = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            self.addr.to_string()
        } else {
            format!("{}/{}", self.addr, self.prefix)
        }
    }
}

/// Registers `soc_ip_in(ip, net)` on a connection (1 when `ip` lies in `net`).
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "soc_ip_in",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let ip: Option<String> = ctx.get(0)?;
            let net: Option<String> = ctx.get(1)?;
            let (Some(ip), Some(net)) = (ip, net) else {
                return Ok(false);
            };
            let (Ok(ip), Ok(net)) = (ip.parse::<IpAddr>(), Net::parse(&net)) else {
                return Ok(false);
            };
            Ok(net.contains(ip))
        },
    )
}

const COLS: &str = concat!(
    "x.id, x.sid, x.src, x.dest, s.name, x.reason, x.author, x.created, x.expires,
     (x.deleted IS NULL AND (x.expires IS NULL OR x.expires > unixepoch() * 1000000)),
     (SELECT COUNT(*) FROM alert_groups g WHERE ",
    "(x.sid IS NULL OR x.sid = g.sid)
            AND (x.sensor_id IS NULL OR x.sensor_id = g.sensor_id)
            AND (x.src IS NULL OR soc_ip_in(g.src_ip, x.src))
            AND (x.dest IS NULL OR soc_ip_in(g.dest_ip, x.dest)))
     FROM suppressions x LEFT JOIN sensors s ON s.id = x.sensor_id"
);

fn row(r: &Row<'_>) -> rusqlite::Result<Suppression> {
    Ok(Suppression {
        id: r.get(0)?,
        sid: r.get(1)?,
        src: r.get(2)?,
        dest: r.get(3)?,
        sensor: r.get(4)?,
        reason: r.get(5)?,
        author: r.get(6)?,
        created: r.get(7)?,
        expires: r.get(8)?,
        active: r.get(9)?,
        groups: r.get(10)?,
    })
}

fn one(conn: &Connection, id: i64) -> StoreResult<Option<Suppression>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} WHERE x.id = ?1 AND x.deleted IS NULL"),
            params![id],
            row,
        )
        .optional()?)
}

/// Not deleted, newest first.
pub fn list(conn: &Connection) -> StoreResult<Vec<Suppression>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} WHERE x.deleted IS NULL ORDER BY x.id DESC LIMIT 1000"
    ))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn audit_view(s: &Suppression) -> serde_json::Value {
    json!({"sid": s.sid, "src": s.src, "dest": s.dest, "sensor": s.sensor,
           "reason": s.reason, "expires": s.expires.map(crate::evetime::format_timestamp)})
}

/// Creates one after checking it: at least one criterion, valid networks, a known
/// sensor, a reason, an expiry in the future.
pub fn create(
    conn: &mut Connection,
    actor: &str,
    new: &NewSuppression,
) -> StoreResult<Suppression> {
    let net = |v: &Option<String>, what: &str| -> StoreResult<Option<String>> {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                Net::parse(s)
                    .map(|n| n.canonical())
                    .map_err(|e| StoreError::Invalid(format!("{what}: {e}")))
            })
            .transpose()
    };
    let src = net(&new.src, "source")?;
    let dest = net(&new.dest, "destination")?;
    let sensor = new
        .sensor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if new.sid.is_none() && src.is_none() && dest.is_none() && sensor.is_none() {
        return Err(StoreError::Invalid(
            "a suppression needs at least one of sid, source, destination, sensor".into(),
        ));
    }
    let reason = new.reason.trim();
    if reason.is_empty() || reason.len() > 1000 {
        return Err(StoreError::Invalid(
            "reason: expected 1-1000 characters".into(),
        ));
    }
    let now = crate::evetime::now_micros();
    if new.expires.is_some_and(|e| e <= now) {
        return Err(StoreError::Invalid("expiry is in the past".into()));
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let sensor_id: Option<i64> = match sensor {
        None => None,
        Some(name) => Some(
            tx.query_row(
                "SELECT id FROM sensors WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::Invalid(format!("sensor: no sensor named '{name}'")))?,
        ),
    };
    tx.execute(
        "INSERT INTO suppressions (sid, src, dest, sensor_id, reason, author, created, expires)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            new.sid,
            src,
            dest,
            sensor_id,
            reason,
            actor,
            now,
            new.expires
        ],
    )?;
    let id = tx.last_insert_rowid();
    let created = one(&tx, id)?.ok_or_else(|| StoreError::NotFound(format!("suppression {id}")))?;
    audit::record(
        &tx,
        actor,
        "suppression.create",
        &format!("suppression:{id}"),
        &serde_json::Value::Null,
        &audit_view(&created),
    )?;
    tx.commit()?;
    Ok(created)
}

/// Ends one (kept with `deleted` set, for the record).
pub fn delete(conn: &mut Connection, actor: &str, id: i64) -> StoreResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let before = one(&tx, id)?.ok_or_else(|| StoreError::NotFound(format!("suppression {id}")))?;
    tx.execute(
        "UPDATE suppressions SET deleted = ?1, deleted_by = ?2 WHERE id = ?3",
        params![crate::evetime::now_micros(), actor, id],
    )?;
    audit::record(
        &tx,
        actor,
        "suppression.delete",
        &format!("suppression:{id}"),
        &audit_view(&before),
        &serde_json::Value::Null,
    )?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_match_addresses_of_their_family() {
        let n = Net::parse("10.1.0.0/16").unwrap();
        assert!(n.contains("10.1.200.3".parse().unwrap()));
        assert!(!n.contains("10.2.0.1".parse().unwrap()));
        assert!(!n.contains("::ffff:10.1.0.1".parse().unwrap()));
        let one = Net::parse("192.0.2.7").unwrap();
        assert!(one.contains("192.0.2.7".parse().unwrap()));
        assert!(!one.contains("192.0.2.8".parse().unwrap()));
        assert!(Net::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        let v6 = Net::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:1::5".parse().unwrap()));
        assert_eq!(v6.canonical(), "2001:db8::/32");
        assert_eq!(one.canonical(), "192.0.2.7");
    }

    #[test]
    fn bad_networks_are_refused_with_the_reason() {
        assert!(Net::parse("10.0.0.0/33").unwrap_err().contains("0-32"));
        assert!(Net::parse("example.com")
            .unwrap_err()
            .contains("not an IP address"));
        assert!(Net::parse("10.0.0.0/x").is_err());
    }
}
