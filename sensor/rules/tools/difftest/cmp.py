import json, re, subprocess, sys, os
os.chdir(os.environ.get('DIFFTEST_DIR', '/tmp/rdiff'))
ours = subprocess.run(['/work/target-rules/debug/examples/diffcheck', 'test.rules', 'payloads.txt'], capture_output=True, text=True).stdout
our_m, our_skip = set(), {}
for l in ours.splitlines():
    if l.startswith('skip '):
        p = l.split(' ', 2); our_skip[int(p[1])] = p[2]
    else:
        s, i = l.split(); our_m.add((int(s), int(i)))
sur_m = set()
for l in open('out/eve.json'):
    e = json.loads(l)
    if e.get('event_type') == 'alert':
        sur_m.add((e['alert']['signature_id'], e['src_port'] - 10000))
sur_err = set()
for l in open('out/suricata.log'):
    m = re.search(r'error parsing signature .*sid:(\d+);', l)
    if m: sur_err.add(int(m.group(1)))
payloads = [bytes.fromhex(x) for x in open('payloads.txt').read().split('\n') if x is not None]
rules = {int(re.search(r'sid:(\d+)', l).group(1)): l.strip() for l in open('test.rules')}
bad = 0
for sid in sorted(set(our_skip) - sur_err):
    print('WE SKIP, suricata loads:', rules[sid], our_skip[sid]); bad += 1
for sid in sorted(sur_err - set(our_skip)):
    print('SURICATA REJECTS, we load:', rules[sid]); bad += 1
diff = (our_m ^ sur_m)
for (sid, i) in sorted(diff):
    if sid in sur_err or sid in our_skip: continue
    if rules[sid].count('result v') + rules[sid].count(',v;') + rules[sid].count(',v,') > 1: continue
    print('MISMATCH', 'ours' if (sid, i) in our_m else 'suricata', rules[sid], payloads[i]); bad += 1
print('rules', len(rules), 'suricata errors', len(sur_err), 'matches', len(sur_m), 'ours', len(our_m), 'problems', bad)
