#!/bin/sh
# Differential test of payload matching against Suricata 7 (see README.md).
# usage: tools/difftest/run.sh SEED   (SEED >= 1000 adds byte_* keywords)
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=${DIFFTEST_DIR:-/tmp/rdiff}
mkdir -p "$work" && cd "$work"
[ -f my.yaml ] || {
  cp /etc/suricata/suricata.yaml my.yaml
  sed -i 's/^#packet-alert-max: 15/packet-alert-max: 255/; s/^mpm-algo: .*/mpm-algo: ac/' my.yaml
}
python3 "$here/gen.py" "$1"
rm -rf out && mkdir out
suricata -r test.pcap -S test.rules -l out -k none --runmode single -c my.yaml >/dev/null 2>&1 || true
python3 "$here/cmp.py"
