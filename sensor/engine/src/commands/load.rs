//! Loading configuration and rules, shared by `run` and `rules check`.

use std::path::PathBuf;

use anyhow::{bail, Context};
use sensor_detect::{Engine, EngineConfig, EventKind, Skipped};
use sensor_rules::config::classification::Classifications;
use sensor_rules::{load_files, Vars};

use crate::cli::RuleArgs;
use crate::config::Config;

/// The classification table shipped with the sensor (`rules/classification.config`).
const BUNDLED_CLASSIFICATION: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../rules/classification.config"
));

/// Application protocols the sensor parses.
pub const APP_PROTOS: &[&str] = &[
    "http", "dns", "tls", "modbus", "smb", "krb5", "quic", "smtp", "rfb",
];

/// Loaded rules, ready to run.
pub struct Loaded {
    pub config: Config,
    pub engine: Engine,
    pub skipped: Vec<Skipped>,
    pub parse_errors: Vec<String>,
    pub files: Vec<PathBuf>,
}

/// Whether the pipeline raises this event.
pub fn event_supported(kind: EventKind, name: &str) -> bool {
    match kind {
        EventKind::Decode => sensor_net::decode::DecodeEvent::from_name(name).is_some(),
        EventKind::Stream => sensor_flow::StreamEvent::from_name(name).is_some(),
        EventKind::AppLayer => {
            sensor_app::ANOMALY_NAMES.contains(&name)
                || sensor_app::smb::EVENT_NAMES.contains(&name)
                || sensor_app::rfb::EVENT_NAMES.contains(&name)
        }
    }
}

/// Reads config, vars, classification, thresholds and rule files; builds the engine.
pub fn load(args: &RuleArgs) -> anyhow::Result<Loaded> {
    let config = Config::load(args.config.as_deref(), &args.sets)?;
    let mut files: Vec<PathBuf> = if args.exclusive_rules.is_empty() {
        config.rules.files.clone()
    } else {
        args.exclusive_rules.clone()
    };
    files.extend(args.extra_rules.iter().cloned());
    for f in &files {
        if !f.is_file() {
            bail!("rule file {} does not exist or is not a file", f.display());
        }
    }
    let mut vars = Vars::default();
    for (k, v) in &config.vars.address_groups {
        vars.set_address(k, v);
    }
    for (k, v) in &config.vars.port_groups {
        vars.set_port(k, v);
    }
    let classifications = match &config.rules.classification {
        Some(p) => Classifications::load(p)
            .with_context(|| format!("classification file {}", p.display()))?,
        None => Classifications::parse(BUNDLED_CLASSIFICATION, "rules/classification.config")
            .context("bundled classification.config")?,
    };
    let threshold_entries = match &config.rules.threshold {
        Some(p) => sensor_rules::config::threshold::load_threshold_config(p, &vars)
            .with_context(|| format!("threshold file {}", p.display()))?,
        None => Vec::new(),
    };
    let report = load_files(&files, &vars);
    let backend = match config.detect.mpm_algo.as_str() {
        "hs" => sensor_mpm::Backend::Hyperscan,
        "ac" | "ac-ks" | "ac-bs" => sensor_mpm::Backend::AhoCorasick,
        _ => sensor_mpm::Backend::Auto,
    };
    let ecfg = EngineConfig {
        backend,
        classifications: Some(&classifications),
        threshold_entries: &threshold_entries,
        event_supported: &event_supported,
        app_protos: APP_PROTOS,
    };
    let mut skipped = report.skipped;
    let (engine, engine_skipped) =
        Engine::build(report.rules, &ecfg).context("building the multi-pattern matchers")?;
    skipped.extend(engine_skipped);
    Ok(Loaded {
        config,
        engine,
        skipped,
        parse_errors: report.errors,
        files,
    })
}

/// The text of `sensor rules check`: each skipped rule, the top reasons, and the final
/// `N loaded, M skipped` line.
pub fn report_text(loaded: &Loaded, verbose: bool) -> String {
    let mut out = String::new();
    for e in &loaded.parse_errors {
        out.push_str(&format!("error: {e}\n"));
    }
    if verbose {
        for s in &loaded.skipped {
            out.push_str(&format!(
                "{}:{}: sid {}: keyword `{}`: {}\n",
                s.file.display(),
                s.line,
                s.sid.map_or("?".to_string(), |v| v.to_string()),
                s.keyword,
                s.reason
            ));
        }
    }
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for s in &loaded.skipped {
        let key = format!("`{}`: {}", s.keyword, s.reason);
        match reasons.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => reasons.push((key, 1)),
        }
    }
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if !reasons.is_empty() {
        out.push_str("skip reasons:\n");
        for (k, n) in reasons.iter().take(15) {
            out.push_str(&format!("  {n:>6}  {k}\n"));
        }
    }
    out.push_str(&format!(
        "{} loaded, {} skipped\n",
        loaded.engine.len(),
        loaded.skipped.len()
    ));
    out
}
