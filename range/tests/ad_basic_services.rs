//! The ad-basic example on the real Docker engine: build the busybox base and both service
//! images, run each service the way the range does (all capabilities dropped,
//! no-new-privileges, read-only root, the scenario's memory/swap/pids/CPU limits, a private
//! network), then drive its checker through the range's own runner: check/put/get are OK, a
//! wrong flag is CORRUPT, the reference exploit steals the planted flags, and a stopped
//! container is DOWN.
//!
//! Needs Docker and busybox-static (`/bin/busybox`); fails with a message naming what is
//! missing. Everything it makes has a unique name and is removed by Drop guards.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use range::checker::{run, Action, CheckerVerdict, Invocation, Run};
use range::game::{FlagId, FlagKey};
use range::scenario::{self, Scenario};

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/ad-basic")
}

fn unique(what: &str) -> String {
    format!(
        "range-adtest-{what}-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    )
}

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run docker (is Docker installed?): {e}"))
}

fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(
        out.status.success(),
        "docker {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn require_prerequisites() {
    let out = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .output();
    match out {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "this test needs a running Docker engine: docker version says {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => panic!("this test needs Docker (the docker CLI): {e}"),
    }
    assert!(
        Path::new("/bin/busybox").exists(),
        "this test needs busybox-static (/bin/busybox): apt-get install busybox-static"
    );
}

/// Removes what the test made, in reverse order of creation, even when it fails.
#[derive(Default)]
struct Cleanup {
    containers: Vec<String>,
    networks: Vec<String>,
    images: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = docker(&["rm", "-f", "-v", c]);
        }
        for n in &self.networks {
            let _ = docker(&["network", "rm", n]);
        }
        for i in self.images.iter().rev() {
            let _ = docker(&["rmi", "-f", i]);
        }
    }
}

/// Imports the busybox base under a unique tag with the scenario's dev script.
fn build_base(clean: &mut Cleanup) -> String {
    let tag = format!("{}:1", unique("base"));
    let out = Command::new("sh")
        .arg(scenario_dir().join("tools/make-base.sh"))
        .arg(&tag)
        .output()
        .expect("cannot run sh");
    clean.images.push(tag.clone());
    assert!(
        out.status.success(),
        "make-base.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    tag
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), &dst).unwrap();
        }
    }
}

/// Builds a service folder with the classic builder, on the test's own base tag.
fn build_service(clean: &mut Cleanup, base: &str, folder: &str) -> String {
    let ctx = tempfile::tempdir().unwrap();
    copy_dir(&scenario_dir().join(folder), ctx.path());
    let dockerfile = ctx.path().join("Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).unwrap();
    assert!(
        text.contains("FROM range-base/busybox:1\n"),
        "{folder}/Dockerfile must build FROM range-base/busybox:1"
    );
    std::fs::write(
        &dockerfile,
        text.replace("FROM range-base/busybox:1\n", &format!("FROM {base}\n")),
    )
    .unwrap();
    let tag = format!("{}:1", unique("svc"));
    clean.images.push(tag.clone());
    let out = Command::new("docker")
        .args(["build", "-q", "-t", &tag])
        .arg(ctx.path())
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("cannot run docker build");
    assert!(
        out.status.success(),
        "docker build of {folder} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    tag
}

struct Running {
    container: String,
    ip: String,
}

/// Starts `image` with the limits of `service` of the scenario on a new private network.
fn start(clean: &mut Cleanup, s: &Scenario, service: &str, image: &str) -> Running {
    let svc = s
        .services
        .iter()
        .find(|x| x.name == service)
        .expect("service in scenario");
    let net = unique("net");
    docker_ok(&["network", "create", "--internal", &net]);
    clean.networks.push(net.clone());
    let name = unique(service);
    let memory = svc.resources.memory.to_string();
    let pids = svc.resources.pids.to_string();
    let cpus = svc.resources.cpus.to_string();
    let mut args = vec![
        "run",
        "-d",
        "--name",
        &name,
        "--network",
        &net,
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--read-only",
        "--memory",
        &memory,
        "--memory-swap",
        &memory,
        "--pids-limit",
        &pids,
        "--cpus",
        &cpus,
    ];
    let caps: Vec<String> = svc.capabilities.clone();
    for c in &caps {
        args.push("--cap-add");
        args.push(c);
    }
    args.push(image);
    clean.containers.push(name.clone());
    docker_ok(&args);
    let ip = docker_ok(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        &name,
    ]);
    assert!(!ip.is_empty(), "container {name} got no address");
    Running {
        container: name,
        ip,
    }
}

fn checker(s: &Scenario, service: &str, host: &str, action: Action) -> Run {
    // Generous on a loaded machine; the scenario's own limit is for the game.
    checker_within(s, service, host, action, Duration::from_secs(30))
}

fn checker_within(
    s: &Scenario,
    service: &str,
    host: &str,
    action: Action,
    timeout: Duration,
) -> Run {
    let svc = s
        .services
        .iter()
        .find(|x| x.name == service)
        .expect("service in scenario");
    let mut command = svc.checker.command.clone();
    command[0] = scenario_dir().join(&command[0]).display().to_string();
    run(&Invocation {
        command,
        cwd: Some(scenario_dir()),
        host: host.to_string(),
        action,
        timeout,
        on_timeout: svc.checker.on_timeout,
    })
}

fn describe(r: &Run) -> String {
    format!(
        "{:?} (exit {:?}) public={:?} private={:?}",
        r.verdict, r.exit_code, r.public, r.private
    )
}

/// Polls `check` until OK (the service may take a moment to listen).
fn wait_ok(s: &Scenario, service: &str, host: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = checker(s, service, host, Action::Check);
        if r.verdict == CheckerVerdict::Ok {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{service} check never became OK: {}",
            describe(&r)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn exploit(script: &str, host: &str) -> Vec<String> {
    let out = Command::new("python3")
        .arg(scenario_dir().join("exploits").join(script))
        .arg(host)
        .output()
        .expect("this test needs python3");
    assert!(
        out.status.success(),
        "exploit {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn exercise_service(service: &str, folder: &str, exploit_script: &str) {
    require_prerequisites();
    let s = scenario::load(&scenario_dir().join("scenario.yaml"))
        .unwrap_or_else(|e| panic!("ad-basic scenario invalid:\n{e}"));
    let (index, svc) = s
        .services
        .iter()
        .enumerate()
        .find(|(_, x)| x.name == service)
        .expect("service in scenario");
    let mut clean = Cleanup::default();
    let base = build_base(&mut clean);
    let image = build_service(&mut clean, &base, folder);
    let box_ = start(&mut clean, &s, service, &image);
    let host = box_.ip.clone();
    wait_ok(&s, service, &host);

    let key = FlagKey(rand::random());
    let mut planted = Vec::new();
    for store in 0..svc.flag_stores {
        let flag = key.sign(
            &s.flags.prefix,
            FlagId {
                team: 1,
                service: index as u16,
                tick: 7,
                store,
            },
        );
        let vuln = u32::from(store) + 1;
        let put = checker(
            &s,
            service,
            &host,
            Action::Put {
                flag_id: format!("7-{store}-1"),
                flag: flag.clone(),
                vuln,
            },
        );
        assert_eq!(put.verdict, CheckerVerdict::Ok, "put: {}", describe(&put));
        let flag_id = put.flag_id().expect("put prints a flag id").to_string();
        let get = checker(
            &s,
            service,
            &host,
            Action::Get {
                flag_id: flag_id.clone(),
                flag: flag.clone(),
                vuln,
            },
        );
        assert_eq!(get.verdict, CheckerVerdict::Ok, "get: {}", describe(&get));
        let other = key.sign(
            &s.flags.prefix,
            FlagId {
                team: 1,
                service: index as u16,
                tick: 8,
                store,
            },
        );
        let wrong = checker(
            &s,
            service,
            &host,
            Action::Get {
                flag_id,
                flag: other,
                vuln,
            },
        );
        assert_eq!(
            wrong.verdict,
            CheckerVerdict::Corrupt,
            "get of a wrong flag: {}",
            describe(&wrong)
        );
        planted.push(flag);
    }

    let stolen = exploit(exploit_script, &host);
    for flag in &planted {
        assert!(
            stolen.contains(flag),
            "exploit did not steal {flag}; it printed {stolen:?}"
        );
    }
    for line in &stolen {
        assert!(
            key.verify(&s.flags.prefix, line).is_ok(),
            "exploit printed something that is not a flag: {line:?}"
        );
    }

    if service == "notes" {
        // Session tokens and note ids are plain hex (hexdump without -v once collapsed
        // repeated bytes into `*`, breaking about one login in twenty).
        let out = docker_ok(&[
            "exec",
            &box_.container,
            "sh",
            "-c",
            "cd /www/cgi-bin && . ./lib.sh && for i in $(seq 300); do random_hex 16; echo; done",
        ]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 300);
        for l in lines {
            assert!(
                l.len() == 32 && l.bytes().all(|b| b.is_ascii_hexdigit()),
                "random_hex gave {l:?}"
            );
        }
    }

    // A stopped service: the checker itself says DOWN, within the scenario's time limit
    // (a checker killed at the limit would not count as DOWN by default).
    docker_ok(&["stop", "-t", "2", &box_.container]);
    let r = checker_within(&s, service, &host, Action::Check, svc.checker.timeout);
    assert_eq!(
        r.verdict,
        CheckerVerdict::Down,
        "check of a stopped service: {}",
        describe(&r)
    );
    assert!(!r.timed_out, "the checker hit the scenario's time limit");
}

#[test]
fn notes_checker_and_exploit_work_against_the_real_container() {
    exercise_service("notes", "services/notes", "notes.py");
}

#[test]
fn vault_checker_and_exploit_work_against_the_real_container() {
    exercise_service("vault", "services/vault", "vault.py");
}
