#!/usr/bin/env python3
"""Side-by-side benchmark: our sensor and Suricata 7 on the same pcap and rules.

Runs each engine in single-threaded mode on the same capture and rule file, one after the
other, RUNS times each, and reports per engine: processing seconds (from the engine's
"engine started" console line to exit, as ../shared/bench/suricata_baseline.py measures
Suricata), packets/s, Mbit/s, peak RSS (from /usr/bin/time -v), alerts; then the ratios
and the agreement of alerts by (sid, src, sport, dst, dport, proto) in both directions.

    python3 sensor/bench/compare_suricata.py                       # 1 GiB pcap, ET Open ruleset
    python3 sensor/bench/compare_suricata.py --size 200M --runs 3
    python3 sensor/bench/compare_suricata.py --pcap my.pcap --rules my.rules

Needs: suricata (../shared/scripts/install-suricata.sh), /usr/bin/time, a release build
of the sensor (cargo build --release -p sensor). Standard library only.
"""
import argparse
import collections
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.path.join(os.path.dirname(ROOT), 'shared', 'bench')


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def ensure_inputs(args):
    if not os.path.exists(args.pcap):
        print(f'building {args.pcap} ({args.size}) ...', file=sys.stderr)
        sh([os.path.join(SHARED, 'make_big_pcap.sh'), args.pcap, args.size])
    if not os.path.exists(args.rules):
        sh([os.path.join(SHARED, 'make_ruleset.sh'), args.rules, args.variant])


def timed_run(cmd, started_marker, outdir):
    """Runs cmd under /usr/bin/time -v; returns (startup_s, proc_s, rss_mib, output)."""
    os.makedirs(outdir, exist_ok=True)
    tfile = os.path.join(outdir, 'time.txt')
    full = ['/usr/bin/time', '-v', '-o', tfile] + cmd
    t0 = time.monotonic()
    t_start = None
    lines = []
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        lines.append(line)
        if t_start is None and started_marker.search(line):
            t_start = time.monotonic()
    rc = p.wait()
    t_end = time.monotonic()
    out = ''.join(lines)
    if rc != 0:
        raise SystemExit(f'command failed ({rc}): {" ".join(cmd)}\n{out[-3000:]}')
    if t_start is None:
        t_start = t0
    rss = 0
    with open(tfile) as f:
        for l in f:
            if 'Maximum resident set size' in l:
                rss = int(l.split(':')[1]) / 1024
    return t_start - t0, t_end - t_start, rss, out


def alerts(eve_path):
    keys = collections.Counter()
    sids = collections.Counter()
    with open(eve_path, errors='replace') as f:
        for line in f:
            if '"event_type":"alert"' not in line:
                continue
            e = json.loads(line)
            sid = e['alert']['signature_id']
            sids[sid] += 1
            keys[(sid, e.get('src_ip'), e.get('src_port'), e.get('dest_ip'), e.get('dest_port'),
                  (e.get('proto') or '').upper())] += 1
    return keys, sids


def overlap(a, b):
    """Share of a's multiset also in b."""
    total = sum(a.values())
    if total == 0:
        return 1.0
    return sum(min(n, b.get(k, 0)) for k, n in a.items()) / total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--pcap', default='/tmp/bench-1g.pcap')
    ap.add_argument('--size', default='1G', help='size for make_big_pcap.sh when --pcap is missing')
    ap.add_argument('--rules', default='/tmp/bench-etopen.rules')
    ap.add_argument('--variant', default='etopen', help='make_ruleset.sh variant when --rules is missing')
    ap.add_argument('--sensor', default=os.path.join(ROOT, 'target', 'release', 'sensor'))
    ap.add_argument('--suricata', default='suricata')
    ap.add_argument('--runs', type=int, default=1)
    ap.add_argument('--out', default='/tmp/sensor-bench')
    args = ap.parse_args()
    ensure_inputs(args)
    pcap_packets = None
    results = {}
    engines = {
        'sensor': (lambda d: [args.sensor, 'run', '-k', 'none', '-r', args.pcap, '-S', args.rules, '-l', d,
                              '--set', 'output.types=alert'],
                   re.compile(r'engine started')),
        'suricata': (lambda d: [args.suricata, '-c', os.path.join(SHARED, 'suricata-bench.yaml'), '-k', 'none',
                                '--runmode', 'single', '-r', args.pcap, '-S', args.rules, '-l', d],
                     re.compile(r'Engine started')),
    }
    for name, (mk, marker) in engines.items():
        runs = []
        for i in range(args.runs):
            d = os.path.join(args.out, name, str(i))
            shutil.rmtree(d, ignore_errors=True)  # Suricata appends to an existing eve.json
            os.makedirs(d, exist_ok=True)
            startup, proc, rss, out = timed_run(mk(d), marker, d)
            m = re.search(r'read \d+ files?, (\d+) packets, (\d+) bytes', out) or \
                re.search(r'sensor: (\d+) packets, (\d+) bytes', out)
            packets, nbytes = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
            runs.append(dict(startup=startup, proc=proc, rss=rss, packets=packets, bytes=nbytes))
            print(f'{name} run {i + 1}: startup {startup:.1f}s, processing {proc:.2f}s, RSS {rss:.0f} MiB',
                  file=sys.stderr)
        keys, sids = alerts(os.path.join(args.out, name, '0', 'eve.json'))
        med = lambda k: statistics.median(r[k] for r in runs)
        proc = med('proc')
        pk = runs[0]['packets']
        results[name] = dict(startup=med('startup'), proc=proc, rss=med('rss'), packets=pk,
                             bytes=runs[0]['bytes'], pps=pk / proc if proc else 0,
                             mbps=runs[0]['bytes'] * 8 / proc / 1e6 if proc else 0,
                             alerts=sum(keys.values()), keys=keys, sids=sids)
    s, r = results['sensor'], results['suricata']
    theirs_in_ours = overlap(r['keys'], s['keys'])
    ours_in_theirs = overlap(s['keys'], r['keys'])
    sid_theirs_in_ours = overlap(r['sids'], s['sids'])
    lines = [
        f'pcap: {args.pcap}; rules: {args.rules}; runs: {args.runs} (medians)',
        '',
        '| engine | startup s | processing s | packets | packets/s | Mbit/s | peak RSS MiB | alerts |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for name in ('sensor', 'suricata'):
        x = results[name]
        lines.append(f"| {name} | {x['startup']:.1f} | {x['proc']:.2f} | {x['packets']} | {x['pps']:,.0f} | "
                     f"{x['mbps']:,.0f} | {x['rss']:.0f} | {x['alerts']} |")
    lines += [
        '',
        f"throughput ratio sensor/suricata: {s['pps'] / r['pps']:.2f}x packets/s" if r['pps'] else '',
        f"peak RSS ratio sensor/suricata: {s['rss'] / r['rss']:.2f}x" if r['rss'] else '',
        f"Suricata alerts also raised by sensor (sid+5-tuple): {theirs_in_ours:.1%}",
        f"sensor alerts also raised by Suricata (sid+5-tuple): {ours_in_theirs:.1%}",
        f"Suricata alerts also raised by sensor (by sid count): {sid_theirs_in_ours:.1%}",
        '',
        'Largest differences by sid (suricata - sensor):',
    ]
    diff = collections.Counter(r['sids'])
    diff.subtract(s['sids'])
    for sid, n in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:15]:
        if n:
            lines.append(f'  sid {sid}: suricata {r["sids"].get(sid, 0)}, sensor {s["sids"].get(sid, 0)}')
    report = '\n'.join(lines)
    print(report)
    with open(os.path.join(args.out, 'summary.md'), 'w') as f:
        f.write(report + '\n')


if __name__ == '__main__':
    main()
