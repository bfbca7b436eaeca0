//! `soc-server quickstart`: the server on its embedded store, an admin account, a local
//! sensor, generated attack traffic through the real sensor binary and the real ingest
//! path, then the console URL.

mod runner;
mod ship;
pub mod traffic;

use crate::auth::{generate_password, hash_password, hash_token, new_token, TokenKind};
use crate::config::Config;
use crate::store::sqlite::SqliteStore;
use crate::store::{EventQuery, Role, Store, StoreError};
use anyhow::Context;
use std::path::PathBuf;

pub use runner::{find_rules, find_sensor_binary, run_sensor};
pub use ship::ship_file;

/// Options of the quickstart command.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rule file for the sensor.
    pub rules: Option<PathBuf>,
    /// The sensor binary.
    pub sensor_bin: Option<PathBuf>,
    /// Keep serving after feeding the traffic.
    pub serve: bool,
}

/// Runs the quickstart.
pub async fn run(cfg: Config, opts: Options) -> anyhow::Result<()> {
    let sensor_bin = find_sensor_binary(opts.sensor_bin.as_deref())?;
    let data = cfg.data.clone();
    let bound = crate::server::bind(cfg).await?;
    let addr = bound.addr;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(bound.serve(async move {
        tokio::select! {
            _ = crate::server::shutdown_signal() => {},
            _ = stop_rx => {},
        }
    }));
    let rules = opts.rules.clone();
    let setup = tokio::task::spawn_blocking(move || {
        prepare_and_feed(&data, &addr.to_string(), &sensor_bin, rules)
    })
    .await
    .context("quickstart task")??;
    println!();
    println!(
        "SOC server running with {} events ({} alerts) from sensor '{}'.",
        setup.events, setup.alerts, setup.sensor
    );
    println!("Console: http://{addr}/");
    match &setup.admin_password {
        Some(p) => println!("Sign in as 'admin' with this one-time password:\n{p}"),
        None => {
            println!("Sign in as 'admin' (the account existed already; its password is unchanged).")
        }
    }
    if opts.serve {
        println!("Press Ctrl-C to stop.");
    } else {
        let _ = stop_tx.send(());
    }
    server.await.context("server task")?
}

/// What the setup produced.
struct Setup {
    admin_password: Option<String>,
    sensor: String,
    events: u64,
    alerts: u64,
}

fn prepare_and_feed(
    data: &std::path::Path,
    addr: &str,
    sensor_bin: &std::path::Path,
    rules: Option<PathBuf>,
) -> anyhow::Result<Setup> {
    let store = SqliteStore::open(data)?;
    let admin_password = match store.user_credentials("admin")? {
        Some(_) => None,
        None => {
            let p = generate_password();
            store.create_user("quickstart", "admin", Role::Admin, &hash_password(&p)?)?;
            Some(p)
        }
    };
    let token = new_token(TokenKind::Sensor);
    let mut sensor = String::from("local");
    for i in 1.. {
        match store.create_sensor("quickstart", &sensor, &hash_token(&token)) {
            Ok(_) => break,
            Err(StoreError::Conflict(_)) if i < 100 => sensor = format!("local-{}", i + 1),
            Err(e) => return Err(e.into()),
        }
    }
    let work = data.join("quickstart");
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let pcap = work.join("attack.pcap");
    let start = crate::evetime::now_micros() / 1_000_000 - 120;
    let frames = traffic::write_capture(&pcap, start)
        .with_context(|| format!("writing {}", pcap.display()))?;
    println!("generated {} ({frames} frames)", pcap.display());
    let rules = find_rules(rules.as_deref(), &work)?;
    let eve = run_sensor(sensor_bin, &pcap, &rules, &work.join("eve"))?;
    let shipped = ship_file(addr, &token, &eve)?;
    println!(
        "ingested {} through http://{addr}/api/v1/ingest: {} stored, {} rejected",
        eve.display(),
        shipped.stored,
        shipped.rejected
    );
    let sensor_filter = crate::query::parse(&format!("sensor:{sensor}"))?;
    let count = |event_type: Option<&str>| -> anyhow::Result<u64> {
        let q = EventQuery {
            filter: sensor_filter.clone(),
            event_type: event_type.map(str::to_string),
            group_id: None,
            limit: 1,
            offset: 0,
        };
        Ok(store.search_events(&q)?.total)
    };
    Ok(Setup {
        admin_password,
        events: count(None)?,
        alerts: count(Some("alert"))?,
        sensor,
    })
}
