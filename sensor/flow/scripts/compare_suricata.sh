#!/bin/bash
# Compares TCP session / gap / depth counters of sensor-flow (tests/pcap_cases.rs
# bench_pcap, Ethernet pcaps only) with Suricata 7 on the same gzip-compressed pcaps.
# Usage: sensor/flow/scripts/compare_suricata.sh /work/shared/bench/pcaps/*/x.pcap.gz ...
cd /work/main
CARGO_TARGET_DIR=/work/target-flow cargo test -j2 --release -p sensor-flow --test pcap_cases --no-run >/dev/null 2>&1
BIN=$(ls -t /work/target-flow/release/deps/pcap_cases-* | grep -v '\.d$' | head -1)
for gz in "$@"; do
  zcat "$gz" > ${TMPDIR:-/tmp}/flowcmp.pcap 2>/dev/null || continue
  lt=$(python3 -c "import struct;d=open('${TMPDIR:-/tmp}/flowcmp.pcap','rb').read(24);print(struct.unpack('<I',d[20:24])[0] if d[:4]==b'\xd4\xc3\xb2\xa1' else -1)")
  [ "$lt" = "1" ] || continue
  ours=$(FLOW_BENCH_PCAP=${TMPDIR:-/tmp}/flowcmp.pcap $BIN --ignored --nocapture bench_pcap 2>&1 | grep -o 'sessions: [0-9]*\|reassembly_gap: [0-9]*\|depth_reached: [0-9]*\|midstream_pickups: [0-9]*' | tr '\n' ' ')
  rm -rf ${TMPDIR:-/tmp}/flowsur; mkdir -p ${TMPDIR:-/tmp}/flowsur
  timeout 120 suricata -r ${TMPDIR:-/tmp}/flowcmp.pcap -k none -l ${TMPDIR:-/tmp}/flowsur -S /dev/null >/dev/null 2>&1
  theirs=$(python3 -c "
import json
last=None
for l in open('${TMPDIR:-/tmp}/flowsur/eve.json'):
    d=json.loads(l)
    if d.get('event_type')=='stats': last=d
t=last['stats']['tcp'] if last else {}
print('sessions: %d reassembly_gap: %d depth_reached: %d' % (t.get('sessions',0), t.get('reassembly_gap',0), t.get('stream_depth_reached',0)))
" 2>/dev/null)
  echo "$(basename $gz) | ours: $ours | suri: $theirs"
done
