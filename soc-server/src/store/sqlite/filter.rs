//! Translates a query [`Expr`] into an SQL condition over `events e` with bound parameters.

use super::partition::{self, Partition};
use crate::query::{Comparison, Expr, Term};
use crate::store::{StoreError, StoreResult};
use rusqlite::types::Value;

/// How a query field maps onto the events table.
enum Field {
    Int(&'static str),
    Text(&'static str),
    TextNoCase(&'static str),
    Time,
    Sensor,
    AnyOf(&'static [&'static str], bool),
    Json(String),
}

fn field(name: &str) -> Field {
    match name {
        "event_type" => Field::Text("e.event_type"),
        "sid" | "signature_id" | "alert.signature_id" => Field::Int("e.sid"),
        "severity" | "alert.severity" => Field::Int("e.severity"),
        "signature" | "alert.signature" => Field::Text("e.signature"),
        "src_ip" => Field::Text("e.src_ip"),
        "dest_ip" | "dst_ip" => Field::Text("e.dest_ip"),
        "ip" => Field::AnyOf(&["e.src_ip", "e.dest_ip"], false),
        "src_port" => Field::Int("e.src_port"),
        "dest_port" | "dst_port" => Field::Int("e.dest_port"),
        "port" => Field::AnyOf(&["e.src_port", "e.dest_port"], true),
        "proto" => Field::TextNoCase("e.proto"),
        "app_proto" => Field::TextNoCase("e.app_proto"),
        "flow_id" => Field::Int("e.flow_id"),
        "community_id" => Field::Text("e.community_id"),
        "timestamp" | "ts" => Field::Time,
        "sensor" => Field::Sensor,
        other => Field::Json(format!("$.{other}")),
    }
}

/// SQL condition for `expr` over the `events e` view (all partitions); parameters are
/// appended to `params`. Free text is a substring match on the record there; the
/// partition-aware readers use [`compile_in`] with the partition's full-text index.
pub fn compile(expr: &Expr, params: &mut Vec<Value>) -> StoreResult<String> {
    compile_in(expr, params, None)
}

/// SQL condition over `alert_groups g` when `expr` only names the group's own key
/// (signature id or text, source, destination): every alert of a group shares it, so the
/// group matches exactly when its alerts do. `None` for any other filter.
pub fn compile_groups(expr: &Expr, params: &mut Vec<Value>) -> StoreResult<Option<String>> {
    fn key_only(e: &Expr) -> bool {
        match e {
            Expr::All => true,
            Expr::And(a, b) | Expr::Or(a, b) => key_only(a) && key_only(b),
            Expr::Not(a) => key_only(a),
            Expr::Term(Term::Text(_)) => false,
            Expr::Term(Term::Field { field: f, .. }) => matches!(
                f.as_str(),
                "sid"
                    | "signature_id"
                    | "alert.signature_id"
                    | "signature"
                    | "alert.signature"
                    | "src_ip"
                    | "dest_ip"
                    | "dst_ip"
                    | "ip"
            ),
        }
    }
    if !key_only(expr) {
        return Ok(None);
    }
    // These fields compile to `e.sid`, `e.signature`, `e.src_ip`, `e.dest_ip`, which are
    // also the group's column names; the SQL holds no literals (all values are bound).
    Ok(Some(compile(expr, params)?.replace("e.", "g.")))
}

/// For alert searches: `e.group_id IN (groups matching the key-only conjuncts of expr)`,
/// when `expr` has any. Every alert of a group shares the group's signature and
/// addresses, so this narrows the search to the alerts of a few groups (index
/// `(group_id, ts)`) without changing the result; the full filter still applies.
pub fn group_prefilter(expr: &Expr, params: &mut Vec<Value>) -> StoreResult<Option<String>> {
    fn conjuncts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
        match e {
            Expr::And(a, b) => {
                conjuncts(a, out);
                conjuncts(b, out);
            }
            other => out.push(other),
        }
    }
    let mut all = Vec::new();
    conjuncts(expr, &mut all);
    let mut keys = Vec::new();
    for c in all {
        let mut p = Vec::new();
        if let Some(sql) = compile_groups(c, &mut p)? {
            if sql != "1" {
                keys.push(sql);
                params.extend(p);
            }
        }
    }
    Ok((!keys.is_empty()).then(|| {
        format!(
            "e.group_id IN (SELECT g.id FROM alert_groups g WHERE {})",
            keys.join(" AND ")
        )
    }))
}

/// SQL condition for `expr` over one partition table aliased `e` (`part`; free text then
/// goes through its full-text index, a flow id through its flow index), or over the view
/// when `part` is `None`.
pub fn compile_in(
    expr: &Expr,
    params: &mut Vec<Value>,
    part: Option<&Partition>,
) -> StoreResult<String> {
    Ok(match expr {
        Expr::All => "1".to_string(),
        Expr::And(a, b) => format!(
            "({} AND {})",
            compile_in(a, params, part)?,
            compile_in(b, params, part)?
        ),
        Expr::Or(a, b) => format!(
            "({} OR {})",
            compile_in(a, params, part)?,
            compile_in(b, params, part)?
        ),
        Expr::Not(a) => format!("NOT IFNULL({}, 0)", compile_in(a, params, part)?),
        Expr::Term(Term::Text(t)) => match (part, fts_phrase(t)) {
            (Some(p), Some(phrase)) => {
                let fts = p.fts();
                params.push(Value::Text(phrase));
                format!("e.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)")
            }
            _ => {
                params.push(Value::Text(format!("%{}%", like_escape(t))));
                "e.json LIKE ? ESCAPE '\\'".to_string()
            }
        },
        Expr::Term(Term::Field {
            field: name,
            cmp,
            value,
        }) => {
            let cond = term(name, *cmp, value, params)?;
            match part {
                // Equality on the flow id: through the bucketed flow index.
                Some(p) if *cmp == Comparison::Eq && name == "flow_id" => {
                    format!("({cond} AND {})", partition::flow_buckets(&p.table()))
                }
                _ => cond,
            }
        }
    })
}

fn term(name: &str, cmp: Comparison, value: &str, params: &mut Vec<Value>) -> StoreResult<String> {
    let op = match cmp {
        Comparison::Eq => "=",
        Comparison::Gt => ">",
        Comparison::Ge => ">=",
        Comparison::Lt => "<",
        Comparison::Le => "<=",
    };
    let int = |params: &mut Vec<Value>| -> StoreResult<()> {
        let n: i64 = value
            .parse::<i64>()
            .or_else(|_| value.parse::<u64>().map(|u| u as i64))
            .map_err(|_| {
                StoreError::Invalid(format!("{name}: expected a number, got '{value}'"))
            })?;
        params.push(Value::Integer(n));
        Ok(())
    };
    let text_cond = |col: &str, nocase: bool, params: &mut Vec<Value>| -> String {
        let collate = if nocase { " COLLATE NOCASE" } else { "" };
        if cmp == Comparison::Eq && value.contains('*') {
            params.push(Value::Text(like_escape(value).replace('*', "%")));
            format!("{col} LIKE ? ESCAPE '\\'")
        } else {
            params.push(Value::Text(value.to_string()));
            format!("{col}{collate} {op} ?")
        }
    };
    Ok(match field(name) {
        Field::Int(col) => {
            int(params)?;
            format!("{col} {op} ?")
        }
        Field::Text(col) => text_cond(col, false, params),
        Field::TextNoCase(col) => text_cond(col, true, params),
        Field::Time => {
            let t = crate::evetime::parse_timestamp(value)
                .map_err(|e| StoreError::Invalid(format!("{name}: {e}")))?;
            params.push(Value::Integer(t));
            format!("e.ts {op} ?")
        }
        Field::Sensor => {
            let c = text_cond("name", false, params);
            format!("e.sensor_id IN (SELECT id FROM sensors WHERE {c})")
        }
        Field::AnyOf(cols, numeric) => {
            let mut parts = Vec::new();
            for col in cols {
                if numeric {
                    int(params)?;
                    parts.push(format!("{col} {op} ?"));
                } else {
                    parts.push(text_cond(col, false, params));
                }
            }
            format!("({})", parts.join(" OR "))
        }
        Field::Json(path) => {
            params.push(Value::Text(path));
            let col = "CAST(json_extract(e.json, ?) AS TEXT)";
            if cmp == Comparison::Eq || value.parse::<f64>().is_err() {
                text_cond(col, false, params)
            } else {
                params.push(Value::Text(value.to_string()));
                format!("json_extract(e.json, ?) {op} CAST(? AS REAL)")
            }
        }
    })
}

/// Free text as an FTS5 phrase with a prefix match on its last word (`"known bad"*`);
/// `None` when it has no word characters (then a substring match is used).
fn fts_phrase(text: &str) -> Option<String> {
    if !text.chars().any(char::is_alphanumeric) {
        return None;
    }
    Some(format!("\"{}\"*", text.replace('"', "\"\"")))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
