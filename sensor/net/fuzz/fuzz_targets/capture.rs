//! Feeds arbitrary bytes to the capture-file reader and decodes what it yields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sensor_net::capture::FileReader;
use sensor_net::decode::Decoder;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = FileReader::new(data) else {
        return;
    };
    let mut dec = Decoder::new();
    while let Ok(Some(frame)) = reader.next_frame() {
        let mut out = Vec::new();
        dec.decode(&frame, &mut out);
    }
});
