#!/bin/sh
# Range benchmarks (measurements, not tests). Needs Docker, busybox-static, python3.
#
#   range/bench/run.sh            # from the repository root, after a release build
#
# 1. Bring-up on Docker: ad-basic with 10 teams x 2 services, images already built:
#    wall time of `range up` (network, 20 containers, game server answering), time until
#    the first checker round has reported on all 20 team services (and how many were OK),
#    and `range down`. 3 runs.
# 2. In process (cargo test --ignored, range/tests/throughput.rs): checker round + scoring
#    per tick at 10 and 50 teams, valid flag submissions per second over TCP.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
R=${RANGE:-${CARGO_TARGET_DIR:-$root/target}/release/range}
[ -x "$R" ] || { echo "bench: build first: cargo build -p range --release ($R missing)" >&2; exit 1; }
name=bench-up
tmp=$(mktemp -d)
export RANGE_STATE_DIR="$tmp/state"
cleanup() { "$R" down "$name" >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
python3 - "$root/scenarios/ad-basic/scenario.yaml" "$tmp/scenario.yaml" <<'PY'
import sys
s = open(sys.argv[1]).read()
teams = "".join(f"  - name: team{i}\n" for i in range(10))
s = s.replace("  - name: alpha\n  - name: bravo\n", teams, 1)
s = s.replace("name: ad-basic", "name: bench-up", 1).replace("cidr: 10.60.0.0/16", "cidr: 10.210.0.0/16", 1)
s = s.replace("tick: 60s", "tick: 15s", 1).replace("freeze: 1h45m", "freeze: 1h30m", 1)
assert s.count("team9") == 1 and "bench-up" in s and "10.210.0.0/16" in s, "scenario edit failed"
open(sys.argv[2], "w").write(s)
PY
for d in services checkers; do ln -s "$root/scenarios/ad-basic/$d" "$tmp/$d"; done
"$R" images build "$tmp" >/dev/null
now() { date +%s.%N; }
# Prints the number of OK services once the first checker round reported on all 20.
first_round() {
    "$R" status "$name" --json | python3 -c '
import json, sys
v = json.load(sys.stdin)["game_server"]
cells = [c for t in v.get("teams", []) for c in t["services"]]
if len(cells) == 20 and all(c["status"] for c in cells):
    print(sum(c["status"] == "OK" for c in cells))
else:
    sys.exit(1)'
}
for run in 1 2 3; do
    t0=$(now)
    "$R" up "$tmp/scenario.yaml" >/dev/null
    t1=$(now)
    until ok=$(first_round); do sleep 0.2; done
    t2=$(now)
    "$R" down "$name" >/dev/null
    t3=$(now)
    python3 -c "import sys; a,b,c,d=map(float,sys.argv[1:]); print(f'run $run: 10 teams x 2 services: up {b-a:.2f} s; first checker round on all 20 done {c-a:.2f} s after start ($ok OK); down {d-c:.2f} s')" "$t0" "$t1" "$t2" "$t3"
done
cd "$root"
cargo test -p range --release -j2 --test throughput -- --ignored --nocapture --test-threads 1 2>&1 | grep -E "teams|TCP|submissions|/s"
