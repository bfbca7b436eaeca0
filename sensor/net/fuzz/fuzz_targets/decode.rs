//! Feeds arbitrary bytes to the decoder under every supported link type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sensor_net::capture::{Frame, Timestamp};
use sensor_net::decode::Decoder;

const LINKTYPES: [u32; 10] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];

fuzz_target!(|data: &[u8]| {
    let mut dec = Decoder::new();
    let mut out = Vec::new();
    for (i, lt) in LINKTYPES.iter().enumerate() {
        let frame = Frame {
            ts: Timestamp::new(i as i64, 0),
            linktype: *lt,
            data,
            orig_len: data.len() as u32,
        };
        out.clear();
        dec.decode(&frame, &mut out);
        assert!(!out.is_empty());
    }
});
