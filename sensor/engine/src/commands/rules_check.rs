//! `sensor rules check`: parse the rules, build the engine, report; no traffic.

use std::process::ExitCode;

use crate::cli::RuleArgs;

/// Prints the load report; exits 0 when every file was readable (skipped rules are not
/// an error: they are reported).
pub fn check(args: &RuleArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let loaded = super::load::load(args)?;
    print!("{}", super::load::report_text(&loaded, true));
    let st = loaded.engine.stats();
    eprintln!(
        "checked {} file(s) in {:.2}s: {} prefiltered, {} IP-only, {} always-evaluated, {} matchers ({})",
        loaded.files.len(),
        started.elapsed().as_secs_f64(),
        st.prefilter_rules,
        st.iponly_rules,
        st.always_rules,
        st.matchers,
        if st.backend.is_empty() { "none" } else { st.backend }
    );
    tracing::debug!(buckets = ?st.always_buckets, "always-evaluated rules per group [event, tx, app, data, header]");
    Ok(if loaded.parse_errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
