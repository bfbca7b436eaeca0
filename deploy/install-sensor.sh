#!/usr/bin/env bash
# Installs the sensor on this host: build dependencies, the release binary, a system
# user, configuration, the default ruleset and the systemd unit. Run as root from the
# repository. Idempotent: an existing /etc/sensor/sensor.toml is kept.
#   deploy/install-sensor.sh eth1        # interface to capture on
set -euo pipefail
IFACE=${1:?usage: install-sensor.sh INTERFACE}
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq pkg-config libhyperscan-dev libpcre2-dev libyara-dev >/dev/null
cargo build --release -p sensor
install -m 0755 target/release/sensor /usr/local/bin/sensor
id sensor >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin sensor
install -d -m 0750 -o sensor -g sensor /var/log/sensor /var/lib/sensor
install -d -m 0755 /etc/sensor /usr/local/share/doc/sensor
install -m 0644 rules/sensor.rules rules/classification.config /etc/sensor/
if [ ! -f /etc/sensor/sensor.toml ]; then
    sed -e 's|^files = .*|files = ["/etc/sensor/sensor.rules"]|' deploy/sensor.toml > /etc/sensor/sensor.toml
fi
echo "SENSOR_INTERFACE=$IFACE" > /etc/default/sensor
install -m 0644 README.md /usr/local/share/doc/sensor/README.md
install -m 0644 deploy/sensor.service /etc/systemd/system/sensor.service
/usr/local/bin/sensor rules check -c /etc/sensor/sensor.toml | tail -1
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable --now sensor
    systemctl --no-pager status sensor | head -5
else
    echo "systemd is not running here; start with: /usr/local/bin/sensor run -i $IFACE -c /etc/sensor/sensor.toml -l /var/log/sensor"
fi
