//! End-to-end tests against the system libyara.
#![cfg(feature = "yara")]

use std::path::PathBuf;
use std::sync::Arc;

use sensor_yara::{YaraError, YaraMatch, YaraRules, YaraScanner};

const FULL_RULE: &str = r#"
rule web_shell : webshell php
{
    meta:
        description = "PHP eval of a base64 payload"
        score = 75
        negative = -3
        active = true
        disabled = false
        quoted = "say \"hi\""
    strings:
        $eval = "eval(base64_decode(" nocase
        $hex = { 3C 3F 70 68 70 }
    condition:
        $hex at 0 and $eval
}

rule no_meta_no_tags { strings: $a = "zzz-unused-zzz" condition: $a }
"#;

fn scan_once(rules: &YaraRules, data: &[u8]) -> Vec<YaraMatch> {
    let mut scanner = YaraScanner::new(rules).expect("scanner");
    let mut out = Vec::new();
    scanner.scan(data, &mut out).expect("scan");
    out
}

/// Temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sensor-yara-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        TempDir(dir)
    }
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn match_reports_rule_namespace_tags_and_meta() {
    let rules = YaraRules::compile_str(FULL_RULE).expect("compile");
    assert_eq!(rules.rule_count(), 2);
    let hits = scan_once(&rules, b"<?php EVAL(BASE64_DECODE('aGk=')); ?>");
    assert_eq!(hits.len(), 1);
    let m = &hits[0];
    assert_eq!(m.rule, "web_shell");
    assert_eq!(m.namespace, "default");
    assert_eq!(m.rule_index, 0);
    assert_eq!(m.tags, vec!["webshell".to_string(), "php".to_string()]);
    let meta: Vec<(&str, &str)> = m
        .meta
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        meta,
        vec![
            ("description", "PHP eval of a base64 payload"),
            ("score", "75"),
            ("negative", "-3"),
            ("active", "true"),
            ("disabled", "false"),
            ("quoted", "say \"hi\""),
        ]
    );
}

#[test]
fn no_match_and_condition_respected() {
    let rules = YaraRules::compile_str(FULL_RULE).expect("compile");
    // $eval present but $hex not at offset 0.
    assert!(scan_once(&rules, b" <?php eval(base64_decode(").is_empty());
    assert!(scan_once(&rules, b"plain text").is_empty());
}

#[test]
fn rule_without_tags_or_meta_and_index() {
    let rules = YaraRules::compile_str(FULL_RULE).expect("compile");
    let hits = scan_once(&rules, b"..zzz-unused-zzz..");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule, "no_meta_no_tags");
    assert_eq!(hits[0].rule_index, 1);
    assert!(hits[0].tags.is_empty());
    assert!(hits[0].meta.is_empty());
}

#[test]
fn rule_names_in_declaration_order_private_not_reported() {
    let src = r#"
        private rule helper { strings: $a = "needle" condition: $a }
        rule zeta { condition: helper }
        rule alpha { strings: $b = "other" condition: $b }
        global rule gate { condition: filesize < 1000 }
    "#;
    let rules = YaraRules::compile_str(src).expect("compile");
    assert_eq!(rules.rule_count(), 4);
    assert_eq!(rules.rule_names(), vec!["helper", "zeta", "alpha", "gate"]);
    let hits = scan_once(&rules, b"a needle and other things");
    let names: Vec<(&str, usize)> = hits
        .iter()
        .map(|m| (m.rule.as_str(), m.rule_index))
        .collect();
    assert_eq!(names, vec![("zeta", 1), ("alpha", 2), ("gate", 3)]);
    // The global rule fails for big inputs, which disables every rule of the namespace.
    let big = vec![b'x'; 2000];
    assert!(scan_once(&rules, &big).is_empty());
}

#[test]
fn syntax_errors_report_file_and_line_for_every_file() {
    let dir = TempDir::new("syntax");
    let good = dir.file(
        "good.yar",
        "rule good { strings: $a = \"abc\" condition: $a }\n",
    );
    let bad1 = dir.file(
        "bad1.yar",
        "rule ok1 { condition: true }\n\nrule broken {\n  condition: $undefined_string\n}\n",
    );
    let bad2 = dir.file(
        "bad2.yar",
        "// comment\nrule also_broken { condition: and }\n",
    );
    let later = dir.file("later.yar", "rule uses_good { condition: good }\n");
    let err = YaraRules::compile_files(&[good, bad1.clone(), bad2.clone(), later])
        .expect_err("must fail");
    let YaraError::Compile { errors } = &err else {
        panic!("unexpected error {err:?}");
    };
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].file, bad1.to_string_lossy());
    // libyara reports semantic condition errors where the rule ends (line 4 or 5).
    assert!((4..=5).contains(&errors[0].line), "{errors:?}");
    assert!(
        errors[0].message.contains("undefined string"),
        "{}",
        errors[0].message
    );
    assert_eq!(errors[1].file, bad2.to_string_lossy());
    assert_eq!(errors[1].line, 2);
    assert!(
        errors[1].message.contains("syntax error"),
        "{}",
        errors[1].message
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!("{}:{}: ", bad1.display(), errors[0].line)),
        "{text}"
    );
    assert!(text.contains(&format!("{}:2: ", bad2.display())), "{text}");
}

#[test]
fn compile_str_error_names_string_source() {
    let err = YaraRules::compile_str("rule a { condition: true }\nrule b {\n condition: @@ }\n")
        .expect_err("must fail");
    let YaraError::Compile { errors } = err else {
        panic!("wrong variant");
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].file, "<string>");
    assert_eq!(errors[0].line, 3);

    let err = YaraRules::compile_str("rule a {\n condition: true }\0").expect_err("nul");
    let YaraError::Compile { errors } = err else {
        panic!("wrong variant");
    };
    assert_eq!(errors[0].line, 2);
}

#[test]
fn files_share_namespace_and_compile_in_order() {
    let dir = TempDir::new("multi");
    let a = dir.file(
        "a.yar",
        "rule base_rule { strings: $a = \"AAA\" condition: $a }\n",
    );
    let b = dir.file("b.yar", "rule derived { condition: base_rule }\n");
    let rules = YaraRules::compile_files(&[a, b]).expect("compile");
    assert_eq!(rules.rule_names(), vec!["base_rule", "derived"]);
    let hits = scan_once(&rules, b"xxAAAxx");
    assert_eq!(hits.len(), 2);
}

#[test]
fn missing_file_is_io_error() {
    let err = YaraRules::compile_files(&[PathBuf::from("/nonexistent/x.yar")]).expect_err("io");
    assert!(matches!(err, YaraError::Io { .. }), "{err:?}");
}

#[test]
fn empty_rule_set_scans_cleanly() {
    let rules = YaraRules::compile_str("").expect("compile");
    assert_eq!(rules.rule_count(), 0);
    assert!(rules.rule_names().is_empty());
    assert!(scan_once(&rules, b"anything").is_empty());
    let rules = YaraRules::compile_files(&[]).expect("compile none");
    assert_eq!(rules.rule_count(), 0);
}

#[test]
fn filesize_zero_matches_empty_buffer_only() {
    let rules = YaraRules::compile_str("rule empty_body { condition: filesize == 0 }").expect("c");
    let mut scanner = YaraScanner::new(&rules).expect("scanner");
    let mut out = Vec::new();
    scanner.scan(&[], &mut out).expect("scan");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].rule, "empty_body");
    out.clear();
    scanner.scan(b"x", &mut out).expect("scan");
    assert!(out.is_empty());
}

/// xorshift64 PRNG (no extra dependency).
fn fill_random(seed: &mut u64, buf: &mut [u8]) {
    for b in buf.iter_mut() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *b = (*seed >> 24) as u8;
    }
}

#[test]
fn random_data_scans_without_error() {
    let src = r#"
        rule hexy { strings: $h = { 4D 5A ?? ?? 50 45 } condition: $h }
        rule re { strings: $r = /ab[c-f]{2,5}g/ condition: $r }
        rule count { strings: $a = "\x00\x00" condition: #a > 3 }
        rule ints { condition: uint16(0) == 0x5A4D }
    "#;
    let rules = YaraRules::compile_str(src).expect("compile");
    let mut scanner = YaraScanner::new(&rules).expect("scanner");
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut buf = vec![0u8; 70_000];
    let mut out = Vec::new();
    for len in [0usize, 1, 2, 3, 7, 64, 1500, 4096, 65_535, 70_000] {
        let data = &mut buf[..len];
        fill_random(&mut seed, data);
        out.clear();
        scanner.scan(data, &mut out).expect("scan random");
        for m in &out {
            assert!(rules.rule_names().contains(&m.rule));
        }
    }
    // Plant a match in random data.
    let data = &mut buf[..4096];
    fill_random(&mut seed, data);
    data[0] = b'M';
    data[1] = b'Z';
    data[100..108].copy_from_slice(b"abcdefgg");
    out.clear();
    scanner.scan(data, &mut out).expect("scan");
    let names: Vec<&str> = out.iter().map(|m| m.rule.as_str()).collect();
    assert!(names.contains(&"ints"), "{names:?}");
    assert!(names.contains(&"re"), "{names:?}");
}

#[test]
fn many_scans_with_one_scanner_keep_existing_output() {
    let rules = YaraRules::compile_str(FULL_RULE).expect("compile");
    let mut scanner = YaraScanner::new(&rules).expect("scanner");
    let hit = b"<?php eval(base64_decode(x))";
    let miss = b"<?php echo 1;";
    let mut out = Vec::new();
    for i in 0..20_000 {
        let data: &[u8] = if i % 2 == 0 { hit } else { miss };
        scanner.scan(data, &mut out).expect("scan");
    }
    assert_eq!(out.len(), 10_000);
    assert!(out.iter().all(|m| m.rule == "web_shell"));
}

#[test]
fn concurrent_scanning_from_two_threads() {
    let rules = Arc::new(YaraRules::compile_str(FULL_RULE).expect("compile"));
    let handles: Vec<_> = (0..2)
        .map(|t| {
            let rules = Arc::clone(&rules);
            std::thread::spawn(move || {
                let mut scanner = YaraScanner::new(&rules).expect("scanner");
                let mut out = Vec::new();
                let mut hits = 0usize;
                for i in 0..5_000usize {
                    out.clear();
                    let data: &[u8] = if (i + t) % 3 == 0 {
                        b"<?php eval(base64_decode(..."
                    } else {
                        b"GET / HTTP/1.1\r\n\r\n"
                    };
                    scanner.scan(data, &mut out).expect("scan");
                    hits += out.len();
                }
                hits
            })
        })
        .collect();
    let totals: Vec<usize> = handles
        .into_iter()
        .map(|h| h.join().expect("join"))
        .collect();
    assert_eq!(totals[0], (0..5_000).filter(|i| i % 3 == 0).count());
    assert_eq!(totals[1], (0..5_000).filter(|i| (i + 1) % 3 == 0).count());
}

#[test]
fn scanner_timeout_setting_and_types_are_thread_safe() {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}
    assert_send_sync::<YaraRules>();
    assert_send::<YaraScanner<'static>>();
    let rules = YaraRules::compile_str("rule t { condition: true }").expect("compile");
    let mut scanner = YaraScanner::new(&rules).expect("scanner");
    assert_eq!(scanner.timeout(), sensor_yara::DEFAULT_SCAN_TIMEOUT_SECS);
    scanner.set_timeout(1);
    assert_eq!(scanner.timeout(), 1);
    let mut out = Vec::new();
    scanner.scan(b"abc", &mut out).expect("scan");
    assert_eq!(out.len(), 1);
}

#[test]
fn compiler_warnings_are_kept() {
    // A one-byte atom makes libyara warn that the string slows scanning.
    let rules = YaraRules::compile_str("rule slow { strings: $a = { 00 } condition: $a }")
        .expect("compile");
    assert!(
        rules
            .warnings()
            .iter()
            .any(|w| w.message.contains("slow down scanning")),
        "{:?}",
        rules.warnings()
    );
    for w in rules.warnings() {
        assert_eq!(w.file, "<string>");
        assert_eq!(w.line, 1);
    }
}
