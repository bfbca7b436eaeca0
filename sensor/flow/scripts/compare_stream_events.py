#!/usr/bin/env python3
"""Compares per-pcap, per-sid alert counts of stream-event rules: Suricata 7 vs our sensor.

Usage: compare_stream_events.py [--jobs N] [--limit N] [--filter SUBSTR] [--sensor PATH]
                                [--rules PATH] [--refresh-suricata] [--show N] [--out TSV]

Suricata results are cached under /tmp/p7_cmp/suri (they do not change between runs of ours).
"""
import argparse
import collections
import concurrent.futures
import gzip
import json
import os
import shutil
import subprocess
import sys

BENCH = "/work/shared/bench"
CACHE = "/tmp/p7_cmp"


def count_alerts(eve_path):
    counts = collections.Counter()
    if not os.path.exists(eve_path):
        return counts
    with open(eve_path, "rb") as f:
        for line in f:
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if d.get("event_type") == "alert":
                counts[str(d["alert"]["signature_id"])] += 1
    return counts


def run_one(rel, args):
    name = rel.replace("/", "__")
    pcap = os.path.join(CACHE, "pcap", name[:-3])
    os.makedirs(os.path.dirname(pcap), exist_ok=True)
    with gzip.open(os.path.join(BENCH, "pcaps", rel), "rb") as src, open(pcap, "wb") as dst:
        shutil.copyfileobj(src, dst)
    suri_cache = os.path.join(CACHE, "suri", name + ".json")
    try:
        if args.refresh_suricata or not os.path.exists(suri_cache):
            d = os.path.join(CACHE, "suri_out", name)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            subprocess.run(["suricata", "-c", os.path.join(BENCH, "suricata-bench.yaml"), "-k", "none",
                            "--runmode", "single", "-r", pcap, "-S", args.rules, "-l", d],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
            sc = count_alerts(os.path.join(d, "eve.json"))
            os.makedirs(os.path.dirname(suri_cache), exist_ok=True)
            with open(suri_cache, "w") as f:
                json.dump(sc, f)
            shutil.rmtree(d, ignore_errors=True)
        with open(suri_cache) as f:
            sc = collections.Counter(json.load(f))
        d = os.path.join(CACHE, "ours_out", name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        subprocess.run([args.sensor, "run", "-k", "none", "-r", pcap, "-S", args.rules, "-l", d,
                        "--set", "output.types=alert"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        oc = count_alerts(os.path.join(d, "eve.json"))
        shutil.rmtree(d, ignore_errors=True)
    finally:
        os.unlink(pcap)
    return rel, sc, oc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--filter", default="")
    ap.add_argument("--sensor", default="/work/target-flow/release/sensor")
    ap.add_argument("--rules", default=os.path.join(BENCH, "rules/suricata-7.0.10/stream-events.rules"))
    ap.add_argument("--refresh-suricata", action="store_true")
    ap.add_argument("--show", type=int, default=15, help="differing pcaps to list")
    ap.add_argument("--cached-only", action="store_true", help="only pcaps with cached Suricata results")
    ap.add_argument("--out", default="", help="write per-pcap diff rows (pcap sid suri ours)")
    args = ap.parse_args()
    rels = []
    with open(os.path.join(BENCH, "pcaps/MANIFEST.tsv")) as f:
        next(f)
        for line in f:
            rel = line.split("\t", 1)[0]
            cached = os.path.exists(os.path.join(CACHE, "suri", rel.replace("/", "__") + ".json"))
            if args.filter in rel and (cached or not args.cached_only):
                rels.append(rel)
    if args.limit:
        rels = rels[: args.limit]
    tot_s, tot_o = collections.Counter(), collections.Counter()
    sid_pcaps = collections.Counter()
    identical = 0
    diffs = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        for rel, sc, oc in ex.map(lambda r: run_one(r, args), rels):
            tot_s.update(sc)
            tot_o.update(oc)
            bad = {s: (sc[s], oc[s]) for s in set(sc) | set(oc) if sc[s] != oc[s]}
            if bad:
                diffs.append((rel, bad))
                for s in bad:
                    sid_pcaps[s] += 1
            else:
                identical += 1
    print(f"pcaps: {len(rels)}  identical: {identical}  differing: {len(diffs)}")
    print(f"{'sid':>8} {'suricata':>9} {'ours':>7} {'pcaps_diff':>10}")
    for s in sorted(set(tot_s) | set(tot_o) | set(sid_pcaps), key=lambda s: -sid_pcaps[s]):
        print(f"{s:>8} {tot_s[s]:>9} {tot_o[s]:>7} {sid_pcaps[s]:>10}")
    diffs.sort(key=lambda x: sum(abs(a - b) for a, b in x[1].values()))
    for rel, bad in diffs[: args.show]:
        print(rel, " ".join(f"{s}:{a}/{b}" for s, (a, b) in sorted(bad.items())))
    if args.out:
        with open(args.out, "w") as f:
            for rel, bad in diffs:
                for s, (a, b) in sorted(bad.items()):
                    f.write(f"{rel}\t{s}\t{a}\t{b}\n")


if __name__ == "__main__":
    sys.exit(main())
