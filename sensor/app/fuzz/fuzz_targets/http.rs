#![no_main]
//! Fuzz the HTTP parser: the first byte picks chunk size, the rest is split
//! between the two directions.

use libfuzzer_sys::fuzz_target;
use sensor_app::{AppConfig, AppProto, AppState, Direction};

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let step = usize::from(ctl % 32) + 1;
    let mut st = AppState::new(AppProto::Http, true, &AppConfig::default());
    let mut ev = Vec::new();
    for (i, chunk) in rest.chunks(step).enumerate() {
        let dir = if (ctl >> 5) & 1 == 1 && i % 2 == 1 { Direction::ToClient } else { Direction::ToServer };
        st.parse(dir, chunk, 0, &mut ev);
        ev.clear();
    }
    st.close(&mut ev);
    if let Some(h) = st.http() {
        for tx in h.txs() {
            let _ = tx.eve_json();
        }
    }
});
