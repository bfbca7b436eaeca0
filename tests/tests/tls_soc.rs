//! Sensor → SOC server over HTTPS: the server serves TLS with a self-signed certificate
//! (`tls_cert`/`tls_key`); a sensor that pins the certificate's SHA-256 ships its alerts,
//! a sensor with a wrong pin is refused with a clear message and keeps its events.
//! Needs the `openssl` command line tool to make the certificate.

mod common;

use common::*;
use std::process::Command;

fn self_signed(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let o = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap_or_else(|e| {
            panic!("the TLS test needs the openssl command (apt install openssl): {e}")
        });
    assert!(
        o.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&cert)
        .output()
        .expect("openssl x509");
    let text = String::from_utf8_lossy(&o.stdout);
    let fp = text
        .split_once('=')
        .map(|(_, f)| f.trim().to_string())
        .unwrap_or_else(|| panic!("unexpected fingerprint output: {text}"));
    (cert, key, fp)
}

#[test]
fn sensor_ships_over_https_with_a_pinned_certificate_and_refuses_a_wrong_pin() {
    let tmp = TempDir::new("tls");
    let (cert, key, fp) = self_signed(tmp.path());
    let config = format!(
        "tls_cert = {:?}\ntls_key = {:?}\n",
        cert.display().to_string(),
        key.display().to_string()
    );
    let server = Server::start(&tmp.path().join("data"), free_port(), &config, None);
    let (token, _api) = server.provision("edge-tls");
    let pcap = tmp.path().join("a.pcap");
    many_alerts_pcap(&pcap, 20, 4);
    let url = format!("https://127.0.0.1:{}", server.port);
    let run = |pin: &str, out: &str| {
        Command::new(bin("sensor"))
            .args(["run", "-r"])
            .arg(&pcap)
            .arg("-S")
            .arg(repo().join("rules/sensor.rules"))
            .arg("-l")
            .arg(tmp.path().join(out))
            .args(["--server", &url, "--token", &token, "--pin-sha256", pin])
            .args(["--ship-timeout", "5"])
            .output()
            .expect("sensor")
    };
    // A wrong pin: the handshake is refused, the events stay in the spool, exit 4.
    let wrong = "00".repeat(32);
    let o = run(&wrong, "wrong");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("does not match the pinned SHA-256 fingerprint"),
        "no clear message for a wrong pin: {err}"
    );
    assert!(err.contains("wait in the spool"), "{err}");
    // The right pin (colons as openssl prints it): everything is stored.
    let o = run(&fp, "right");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let raised = eve_alerts(&tmp.path().join("right/eve.json")).len();
    assert_eq!(raised, 20);
    assert!(
        err.contains(" stored, 0 duplicates"),
        "no shipping report: {err}"
    );
    let log = server.log_text();
    assert!(
        !log.contains(&token),
        "the token leaked into the server log"
    );
}
