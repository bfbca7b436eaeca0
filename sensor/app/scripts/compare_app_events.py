#!/usr/bin/env python3
"""Compare per-signature alert counts of app-layer-event rules: Suricata vs our sensor.

For every benchmark pcap (gzip, decompressed to a temp dir) both engines run with the
HTTP/DNS/TLS event rules of Suricata 7.0.10 (the `flowint` option stripped), and the
alert counts per sid are compared.

Suricata results never change, so they are cached (one JSON per pcap) in --cache.

Usage:
  compare_app_events.py [--sensor target/release/sensor] [--cache /tmp/p8cache]
                        [--filter REGEX] [--limit N] [--jobs 1] [--show-diff]
                        [--only-cached]   # only pcaps whose Suricata result is cached
                        [--list FILE]     # only the pcaps named in FILE (first column)
Output: totals per sid (ours vs Suricata), number of pcaps identical, the differing pcaps.
"""
import argparse, collections, concurrent.futures, gzip, json, os, re, shutil, subprocess, sys, tempfile

BENCH = '/work/shared/bench'
RULE_FILES = ['http-events.rules', 'dns-events.rules', 'tls-events.rules']


def make_rules(path):
    """Write the event rules with flowint stripped to `path`."""
    with open(path, 'w') as out:
        for name in RULE_FILES:
            with open(os.path.join(BENCH, 'rules', 'suricata-7.0.10', name)) as f:
                for line in f:
                    out.write(re.sub(r'flowint:[^;]*; ', '', line))


def count_alerts(eve):
    counts = collections.Counter()
    if not os.path.exists(eve):
        return counts
    with open(eve, errors='replace') as f:
        for line in f:
            if '"event_type":"alert"' not in line.replace(' ', ''):
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get('event_type') == 'alert':
                counts[str(ev['alert']['signature_id'])] += 1
    return counts


def run_suricata(pcap, rules, tmp):
    out = os.path.join(tmp, 'suri')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    subprocess.run(['suricata', '-c', os.path.join(BENCH, 'suricata-bench.yaml'), '-k', 'none',
                    '--runmode', 'single', '-r', pcap, '-S', rules, '-l', out],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return count_alerts(os.path.join(out, 'eve.json'))


def run_ours(sensor, pcap, rules, tmp):
    out = os.path.join(tmp, 'ours')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    subprocess.run([sensor, 'run', '-k', 'none', '-r', pcap, '-S', rules, '-l', out,
                    '--set', 'output.types=alert'],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return count_alerts(os.path.join(out, 'eve.json'))


def one(args, rel, rules):
    key = rel.replace('/', '__')
    cache = os.path.join(args.cache, key + '.json')
    tmp = tempfile.mkdtemp(prefix='p8cmp-')
    try:
        pcap = os.path.join(tmp, 'in.pcap')
        with gzip.open(os.path.join(BENCH, 'pcaps', rel), 'rb') as src, open(pcap, 'wb') as dst:
            shutil.copyfileobj(src, dst)
        if os.path.exists(cache):
            with open(cache) as f:
                suri = collections.Counter(json.load(f))
        else:
            suri = run_suricata(pcap, rules, tmp)
            with open(cache, 'w') as f:
                json.dump(suri, f)
        ours = run_ours(args.sensor, pcap, rules, tmp) if not args.suricata_only else collections.Counter()
        return rel, suri, ours
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--sensor', default='/work/target-app/release/sensor')
    ap.add_argument('--cache', default='/tmp/p8cache')
    ap.add_argument('--filter', default='')
    ap.add_argument('--list', help='file with one pcap path (relative to pcaps/) per line, first column')
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--jobs', type=int, default=1)
    ap.add_argument('--only-cached', action='store_true')
    ap.add_argument('--suricata-only', action='store_true')
    ap.add_argument('--show-diff', action='store_true')
    ap.add_argument('--json', help='write per-pcap results here')
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    rules = os.path.join(args.cache, 'events.rules')
    make_rules(rules)
    pcaps = []
    wanted = None
    if args.list:
        with open(args.list) as f:
            wanted = {l.split('\t')[0].strip() for l in f if l.strip()}
    with open(os.path.join(BENCH, 'pcaps', 'MANIFEST.tsv')) as f:
        next(f)
        for line in f:
            rel = line.split('\t')[0]
            if wanted is not None and rel not in wanted:
                continue
            if args.filter and not re.search(args.filter, rel):
                continue
            if args.only_cached and not os.path.exists(
                    os.path.join(args.cache, rel.replace('/', '__') + '.json')):
                continue
            pcaps.append(rel)
    if args.limit:
        pcaps = pcaps[:args.limit]
    tot_s, tot_o = collections.Counter(), collections.Counter()
    same, differ, results = 0, [], {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for rel, suri, ours in ex.map(lambda r: one(args, r, rules), pcaps):
            tot_s.update(suri)
            tot_o.update(ours)
            results[rel] = {'suricata': suri, 'ours': ours}
            if args.suricata_only:
                continue
            if suri == ours:
                same += 1
            else:
                differ.append((rel, suri, ours))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1)
    print(f'pcaps: {len(pcaps)}  identical: {same}  differing: {len(differ)}')
    print(f'{"sid":>8} {"suricata":>9} {"ours":>9}  pcaps-differing')
    per_sid_diff = collections.Counter()
    for _, s, o in differ:
        for sid in set(s) | set(o):
            if s[sid] != o[sid]:
                per_sid_diff[sid] += 1
    for sid in sorted(set(tot_s) | set(tot_o), key=int):
        print(f'{sid:>8} {tot_s[sid]:>9} {tot_o[sid]:>9}  {per_sid_diff[sid]}')
    if args.show_diff:
        for rel, s, o in differ:
            d = {sid: (s[sid], o[sid]) for sid in set(s) | set(o) if s[sid] != o[sid]}
            print(rel, d)


if __name__ == '__main__':
    sys.exit(main())
