#!/bin/sh
# Compare which rules of validity.rules Suricata and sensor-rules reject.
# Needs suricata 7, python3 and the diffcheck example built in /work/target-rules.
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=${DIFFTEST_DIR:-/tmp/rdiff}/validity
mkdir -p "$work" && cd "$work"
rm -rf o && mkdir o
suricata -T -S "$here/validity.rules" -l o > o/out.txt 2>&1 || true
grep -oE "error parsing signature.*sid:[0-9]+;" o/suricata.log | grep -oE "sid:[0-9]+" | sort -u > sur_rej.txt
/work/target-rules/debug/examples/diffcheck "$here/validity.rules" /dev/null | grep '^skip' \
  | awk '{print "sid:"$2}' | sort -u > ours_rej.txt
if diff sur_rej.txt ours_rej.txt; then echo "validity: same rejections"; else echo "validity: differences above (< suricata, > ours)"; exit 1; fi
