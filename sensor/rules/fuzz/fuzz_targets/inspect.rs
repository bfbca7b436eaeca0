//! Fuzz inspection: first line is the rule options, the rest the buffer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sensor_rules::{inspect_buffer, parse_rule, InspectCtx, Vars};

fuzz_target!(|data: &[u8]| {
    let Some(nl) = data.iter().position(|b| *b == b'\n') else {
        return;
    };
    let (head, buf) = data.split_at(nl);
    let Ok(opts) = std::str::from_utf8(head) else {
        return;
    };
    let Ok(rule) = parse_rule(
        &format!("alert tcp any any -> any any ({opts} sid:1;)"),
        &Vars::default(),
    ) else {
        return;
    };
    let mut ctx = InspectCtx::new();
    for b in &rule.buffers {
        let _ = inspect_buffer(&b.ops, buf, &mut ctx);
    }
});
