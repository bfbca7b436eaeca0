#![no_main]
//! Fuzz the TLS parser with arbitrary chunking of both directions.

use libfuzzer_sys::fuzz_target;
use sensor_app::{AppConfig, AppProto, AppState, Direction};

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let step = usize::from(ctl % 64) + 1;
    let mut st = AppState::new(AppProto::Tls, true, &AppConfig::default());
    let mut ev = Vec::new();
    for (i, chunk) in rest.chunks(step).enumerate() {
        let dir = if ctl & 0x80 != 0 && i % 2 == 1 { Direction::ToClient } else { Direction::ToServer };
        st.parse(dir, chunk, 0, &mut ev);
        ev.clear();
    }
    if let Some(t) = st.tls() {
        let _ = t.eve_json();
    }
});
