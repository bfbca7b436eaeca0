import json, collections
ours = {}
for l in open('/tmp/rdiff/ours_fp.tsv'):
    sid, buf, pat, nocase, flags = l.rstrip('\n').split('\t')
    ours[int(sid)] = (buf, pat, nocase == 'true', flags)
special = {'payload': 'pkt_data', 'packet': 'pkt_data', 'file_data': 'file.data', 'http_raw_uri': 'http.uri.raw',
  'http_raw_header': 'http.header.raw', 'http_raw_host': 'http.host.raw', 'http_client_body': 'http.request_body',
  'http_server_body': 'file.data'}
def norm(b):
    if b in special: return special[b]
    return b.replace('_', '.', 1) if '.' not in b else b
diff = collections.Counter(); ex = {}
total = 0; rn_bad = 0; rn_ex = []
for l in open('/tmp/rdiff/oea/rules.json'):
    r = json.loads(l)
    sid = r['id']
    if sid not in ours: continue
    total += 1
    m = r.get('mpm')
    sb = norm(m['buffer']) if m else '-'
    sp = m['pattern'] if m else ''
    o = ours[sid]
    if (o[0], o[1].lower()) != (sb, sp.lower()):
        k = 'pattern' if o[0] == sb else 'buffer %s vs %s' % (o[0], sb)
        diff[k] += 1; ex.setdefault(k, []).append((sid, o[:2], (sb, sp)))
    # relative_next flags per list, in rule order of lists is hard; compare multiset per list
    theirs = set()
    for lst in list(r.get('lists', {}).values()) + r.get('engines', []):
        fl = ''.join('1' if mm['content'].get('relative_next') else '0' for mm in lst.get('matches', []) if mm.get('name') == 'content')
        if fl: theirs.add(fl)
    theirs = sorted(theirs)
    mine = [y for x in o[3].split(',') for y in x.split('|') if y]
    if theirs != sorted(set(mine)):
        rn_bad += 1; rn_ex.append((sid, mine, theirs))
print('compared', total)
for k, n in diff.most_common(15):
    print(n, k, ex[k][:3])
print('relative_next mismatches', rn_bad, rn_ex[:5])
