//! `sensor run -r PCAP`: the capture through the pipeline into LOGDIR/eve.json.

use std::process::ExitCode;

use anyhow::bail;

use crate::cli::RunArgs;
use crate::output::EveWriter;
use crate::pipeline::Pipeline;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    match args.checksum.as_str() {
        "none" | "all" | "auto" => {}
        other => bail!("-k {other}: expected none, all or auto"),
    }
    let load_started = std::time::Instant::now();
    let loaded = super::load::load(&args.rules)?;
    for e in &loaded.parse_errors {
        eprintln!("sensor: rules: {e}");
    }
    tracing::info!(
        loaded = loaded.engine.len(),
        skipped = loaded.skipped.len(),
        seconds = load_started.elapsed().as_secs_f64(),
        "rules loaded"
    );
    for s in loaded.skipped.iter().take(20) {
        tracing::info!(file = %s.file.display(), line = s.line, sid = ?s.sid, keyword = %s.keyword, reason = %s.reason, "rule skipped");
    }
    let cfg = &loaded.config;
    let mut eve = EveWriter::create(&args.log_dir, &cfg.output.filename, &cfg.output.types)?;
    // Server and token from the flags, else from the enrollment credentials file.
    let creds = match (&args.server, &args.credentials) {
        (None, Some(path)) => Some(super::enroll::Credentials::load(path)?),
        _ => None,
    };
    let server_arg = args
        .server
        .clone()
        .or_else(|| creds.as_ref().map(|c| c.server.clone()));
    let token_arg = args
        .token
        .clone()
        .or_else(|| creds.as_ref().map(|c| c.token.clone()));
    let pin_arg = args
        .pin_sha256
        .clone()
        .or_else(|| creds.as_ref().and_then(|c| c.pin_sha256.clone()));
    let ca_arg = args
        .ca_file
        .clone()
        .or_else(|| creds.as_ref().and_then(|c| c.ca_file.clone()));
    let shipping = match (&server_arg, &token_arg) {
        (Some(server), Some(token)) => {
            let dir = args
                .spool
                .clone()
                .unwrap_or_else(|| args.log_dir.join("spool"));
            let spool_cfg = sensor_ship::SpoolConfig {
                max_bytes: args.spool_max_mb.saturating_mul(1 << 20),
                ..Default::default()
            };
            let spool = std::sync::Arc::new(
                sensor_ship::Spool::open(&dir, spool_cfg)
                    .map_err(|e| anyhow::anyhow!("spool {}: {e}", dir.display()))?,
            );
            eve = eve.with_spool(spool.clone());
            let mut ship_cfg = sensor_ship::ShipperConfig::new(
                server.clone(),
                sensor_ship::SensorToken::new(token),
            );
            ship_cfg.tls = sensor_ship::TlsOptions {
                pin_sha256: pin_arg.clone(),
                ca_file: ca_arg.clone(),
            };
            Some((spool, ship_cfg))
        }
        _ => None,
    };
    let flow_cfg = sensor_flow::FlowConfig {
        max_flows: cfg.flow.max_flows,
        ..Default::default()
    };
    let stream_cfg = sensor_flow::StreamConfig {
        midstream: cfg.stream.midstream,
        async_oneside: cfg.stream.async_oneside,
        depth: cfg.stream.depth,
        overlap_policy: sensor_flow::OverlapPolicy::from_name(&cfg.stream.overlap_policy)
            .unwrap_or_default(),
        ..Default::default()
    };
    let app_cfg = sensor_app::AppConfig {
        request_body_limit: cfg.app.request_body_limit,
        response_body_limit: cfg.app.response_body_limit,
        ..Default::default()
    };
    let mut yara_files = cfg.rules.yara.clone();
    yara_files.extend(args.yara.iter().cloned());
    let yara = if yara_files.is_empty() {
        None
    } else {
        let rules = sensor_yara::YaraRules::compile_files(&yara_files)
            .map_err(|e| anyhow::anyhow!("YARA rules: {e}"))?;
        tracing::info!(
            rules = rules.rule_count(),
            first_sid = crate::pipeline::YARA_SID_BASE,
            "YARA rules compiled"
        );
        Some(rules)
    };
    // Extra live capture workers share the EVE file and the spool.
    let workers = if args.interface.is_some() && args.pcap.is_none() {
        args.workers.max(1)
    } else {
        1
    };
    let extra_eve: Vec<EveWriter> = (1..workers).map(|_| eve.worker()).collect();
    let live = args.interface.is_some() && args.pcap.is_none();
    let data_dir = args
        .data_dir
        .clone()
        .unwrap_or_else(|| args.log_dir.clone());
    let rulesets = crate::control::rules::RulesetDir::new(&data_dir);
    let polling = live && shipping.is_some() && cfg.rules.poll_interval > 0;
    // A live sensor under the SOC's rules comes back with the last ruleset it ran.
    let mut version = crate::control::rules::LOCAL_VERSION.to_string();
    let mut engine = loaded.engine;
    if polling {
        if let Some((v, file)) = rulesets.current() {
            match crate::control::rules::build(&args.rules, Some(&file)) {
                Ok(l) => {
                    tracing::info!(version = %v, loaded = l.engine.len(), "running the SOC ruleset kept from the last run");
                    engine = l.engine;
                    version = v;
                }
                Err(e) => {
                    tracing::error!(version = %v, error = %format!("{e:#}"), "the kept SOC ruleset does not load; running the configured rules")
                }
            }
        }
    }
    let engine = std::sync::Arc::new(engine);
    let rules_loaded = engine.len();
    let pipeline = Pipeline::new(
        engine.clone(),
        flow_cfg.clone(),
        stream_cfg.clone(),
        app_cfg.clone(),
        eve,
        yara.as_ref(),
    )?;
    // Benchmarks time processing from this line on, as they do Suricata's "Engine started".
    eprintln!(
        "sensor: engine started ({} rules loaded in {:.1}s)",
        rules_loaded,
        load_started.elapsed().as_secs_f64()
    );
    // Live capture ships in the background while it runs.
    let live_shipper = match (&shipping, &args.interface) {
        (Some((spool, ship_cfg)), Some(_)) if args.pcap.is_none() => Some(
            sensor_ship::Shipper::new(spool.clone(), ship_cfg.clone())?
                .spawn()
                .map_err(|e| anyhow::anyhow!("cannot start the shipper thread: {e}"))?,
        ),
        _ => None,
    };
    let summary = match (&args.pcap, &args.interface) {
        (Some(pcap), _) => pipeline.run_file(pcap)?,
        (None, Some(iface)) => {
            use sensor_net::capture::afpacket::{FanoutConfig, LiveCapture, LiveConfig};
            // One socket per worker; with several, the kernel spreads flows by hash
            // (PACKET_FANOUT_HASH) so that each flow stays on one worker.
            let group = (std::process::id() & 0xffff) as u16;
            let mut captures = Vec::with_capacity(workers);
            for _ in 0..workers {
                let mut cfg = LiveConfig::new(iface.clone());
                cfg.filter = args.bpf.clone();
                if workers > 1 {
                    cfg.fanout = Some(FanoutConfig::hash(group));
                }
                captures.push(
                    LiveCapture::open(cfg)
                        .map_err(|e| anyhow::anyhow!("cannot capture on {iface}: {e}"))?,
                );
            }
            install_signals();
            let slot = std::sync::Arc::new(crate::control::EngineSlot::new(
                engine.clone(),
                version.clone(),
            ));
            let health = std::sync::Arc::new(crate::control::Health::new(workers));
            let agent = crate::control::agent::Agent {
                slot: slot.clone(),
                health: health.clone(),
                rule_args: &args.rules,
                client: match &shipping {
                    Some((_, ship_cfg)) => Some(sensor_ship::ControlClient::new(ship_cfg)?),
                    None => None,
                },
                spool: shipping.as_ref().map(|(s, _)| s.clone()),
                rulesets,
                poll_interval: if polling { cfg.rules.poll_interval } else { 0 },
                heartbeat_interval: cfg.health.heartbeat_interval,
                interface: iface.clone(),
                started: std::time::Instant::now(),
            };
            tracing::info!(interface = %iface, workers, ruleset = %version, "live capture started");
            let every = std::time::Duration::from_secs(args.stats_interval.max(1));
            let mut caps = captures.into_iter();
            let mut first = caps
                .next()
                .ok_or_else(|| anyhow::anyhow!("no capture socket"))?;
            let yara_ref = yara.as_ref();
            std::thread::scope(|scope| -> anyhow::Result<crate::pipeline::RunSummary> {
                let agent_thread = scope.spawn(move || agent.run(&STOP, &HUP));
                let mut handles = Vec::new();
                for (i, (mut cap, eve)) in caps.zip(extra_eve).enumerate() {
                    let (f, st, ap) = (flow_cfg.clone(), stream_cfg.clone(), app_cfg.clone());
                    let (engine, slot, health) = (engine.clone(), slot.clone(), health.clone());
                    handles.push(scope.spawn(move || {
                        Pipeline::new(engine, f, st, ap, eve, yara_ref)?
                            .with_rule_slot(slot)
                            .with_health(health, i + 1)
                            .run_live(&mut cap, &STOP, every)
                    }));
                }
                let first_result = pipeline
                    .with_rule_slot(slot.clone())
                    .with_health(health.clone(), 0)
                    .run_live(&mut first, &STOP, every);
                // Whatever ended the capture ends the other workers and the agent too.
                STOP.store(true, std::sync::atomic::Ordering::Relaxed);
                let mut total = first_result?;
                for h in handles {
                    let s = h
                        .join()
                        .map_err(|_| anyhow::anyhow!("a capture worker panicked"))??;
                    total.merge(&s);
                }
                agent_thread
                    .join()
                    .map_err(|_| anyhow::anyhow!("the control agent panicked"))?;
                Ok(total)
            })?
        }
        (None, None) => bail!("give a capture file (-r) or an interface (-i)"),
    };
    // Packets as Suricata counts them: frames read from the capture.
    let pps = summary.frames as f64 / summary.seconds.max(1e-9);
    let mbps = summary.bytes as f64 * 8.0 / 1e6 / summary.seconds.max(1e-9);
    eprintln!(
        "sensor: {} packets, {} bytes, {} flows, {} alerts in {:.3}s ({:.0} pkt/s, {:.1} Mbit/s); rules {} loaded, {} skipped",
        summary.frames,
        summary.bytes,
        summary.flows,
        summary.alerts,
        summary.seconds,
        pps,
        mbps,
        rules_loaded,
        loaded.skipped.len()
    );
    if let Some(handle) = live_shipper {
        let report = handle.shutdown(std::time::Duration::from_secs(args.ship_timeout));
        eprintln!(
            "sensor: shipped {} events ({} stored, {} duplicates) in {} batches",
            report.events_sent, report.stored, report.duplicates, report.batches
        );
    } else if let (Some((spool, ship_cfg)), Some(_)) = (shipping, &args.pcap) {
        // A capture file: ship everything and wait for the acknowledgement.
        let mut shipper = sensor_ship::Shipper::new(spool.clone(), ship_cfg)?;
        match shipper.run_until_idle(std::time::Duration::from_secs(args.ship_timeout)) {
            Ok(report) => eprintln!(
                "sensor: shipped {} events to {} ({} stored, {} duplicates, {} rejected) in {} batches",
                report.events_sent,
                server_arg.as_deref().unwrap_or_default(),
                report.stored,
                report.duplicates,
                report.rejected,
                report.batches
            ),
            Err(e) => {
                let st = spool.stats();
                eprintln!(
                    "sensor: error: shipping to {} failed: {e}; {} events wait in the spool {} and will be sent by the next run",
                    server_arg.as_deref().unwrap_or_default(),
                    st.pending,
                    spool.dir().display()
                );
                return Ok(ExitCode::from(4));
            }
        }
    }
    if let (Some(e), Some(pcap)) = (summary.read_error, &args.pcap) {
        // Like Suricata (libpcap stops at a damaged record): everything read before the
        // damage was processed and written; the damage is reported, the run succeeds.
        eprintln!(
            "sensor: warning: {}: capture damaged, reading stopped after {} packets: {e}",
            pcap.display(),
            summary.frames
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Set by SIGINT/SIGTERM: live capture finishes its flows, writes its last records, exits.
static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// Set by SIGHUP: the control agent reloads the config file and rules.
static HUP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    STOP.store(true, std::sync::atomic::Ordering::Relaxed);
}

extern "C" fn on_hup_signal(_: libc::c_int) {
    HUP.store(true, std::sync::atomic::Ordering::Relaxed);
}

fn install_signals() {
    let stop = on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    let hup = on_hup_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handlers only store to atomics, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, stop);
        libc::signal(libc::SIGTERM, stop);
        libc::signal(libc::SIGHUP, hup);
    }
}
