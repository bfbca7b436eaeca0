//! Fuzz the rule parser: any input must be parsed or rejected without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sensor_rules::{parse_rule, Vars};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_rule(text, &Vars::default());
    }
});
