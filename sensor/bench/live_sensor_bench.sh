#!/usr/bin/env bash
# Live capture benchmark of the whole sensor (capture, decode, flows, detection with
# rules/sensor.rules, EVE): two network namespaces joined by a veth pair; the traffic
# generator of sensor/net/examples/live_bench.rs sends UDP frames from one side as fast as
# it can (or at --rate), `sensor run -i` captures on the other side with W workers, and the
# sensor's final stats record gives frames, kernel packets and drops. Root needed.
#   cargo build --release -p sensor -p sensor-net --example live_bench
#   sensor/bench/live_sensor_bench.sh [WORKERS] [SECONDS] [RATE_PPS, 0 = max]
set -euo pipefail
W=${1:-1}; SECS=${2:-5}; RATE=${3:-0}
cd "$(dirname "$0")/../.."
T=${CARGO_TARGET_DIR:-target}/release
TAG=$$
G=lbg$TAG; C=lbc$TAG; OUT=$(mktemp -d)
cleanup() { ip netns del $G 2>/dev/null || true; ip netns del $C 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
ip netns add $G; ip netns add $C
ip link add vg$TAG netns $G type veth peer name vc$TAG netns $C
ip -n $G link set vg$TAG up; ip -n $C link set vc$TAG up
ip netns exec $C "$T/sensor" run -i vc$TAG --workers "$W" -S rules/sensor.rules -l "$OUT" 2>"$OUT/sensor.err" &
SENSOR=$!
for _ in $(seq 100); do grep -q "engine started" "$OUT/sensor.err" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
"$T/examples/live_bench" generate --iface vg$TAG --netns $G --seconds "$SECS" --rate "$RATE" | sed 's/^/generator: /'
sleep 1
kill -INT $SENSOR; wait $SENSOR || true
python3 - "$OUT/eve.json" "$W" "$SECS" <<'PY'
import json, sys
stats = [json.loads(l) for l in open(sys.argv[1]) if '"event_type":"stats"' in l]
frames = sum(s["stats"]["capture"]["frames"] for s in stats[-int(sys.argv[2]):])
cap = [s["stats"]["capture"] for s in stats[-int(sys.argv[2]):]]
kp = sum(c.get("kernel_packets", 0) for c in cap); kd = sum(c.get("kernel_drops", 0) for c in cap)
secs = float(sys.argv[3])
print(f"sensor: workers={sys.argv[2]} frames={frames} kernel_packets={kp} kernel_drops={kd} ({100.0*kd/max(kp,1):.2f}%) ~{frames/secs:.0f} pkt/s over the {secs:.0f} s of traffic")
PY
