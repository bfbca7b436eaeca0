import random, struct, sys
seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
R = random.Random(seed)
ALPHA = b"abcAB" if seed < 1000 else b"abcAB\x01\x0203"
def rstr(lo, hi):
    return bytes(R.choice(ALPHA) for _ in range(R.randint(lo, hi)))
def cstr(b):
    return '"' + ''.join(chr(c) if 32 < c < 127 else '|%02x|' % c for c in b) + '"'
def gen_content(first):
    pat = rstr(1, 3)
    neg = R.random() < 0.15
    s = 'content:%s%s;' % ('!' if neg else '', cstr(pat))
    if R.random() < 0.2: s += ' nocase;'
    rel = (not first) and R.random() < 0.6
    if rel:
        if R.random() < 0.7:
            s += ' distance:%d;' % R.randint(-3, 4)
        if R.random() < 0.6:
            s += ' within:%d;' % R.randint(len(pat), len(pat) + 4)
    else:
        r = R.random()
        if r < 0.3:
            s += ' offset:%d;' % R.randint(0, 5)
        if R.random() < 0.3:
            s += ' depth:%d;' % R.randint(len(pat), len(pat) + 6)
        elif R.random() < 0.1:
            s += ' startswith;'
    if R.random() < 0.1 and 'startswith' not in s: s += ' endswith;'
    return s
def gen_other():
    r = R.random()
    if r < 0.3:
        return 'isdataat:%s%d%s;' % ('!' if R.random() < 0.3 else '', R.randint(0, 12), ',relative' if R.random() < 0.6 else '')
    if r < 0.6:
        pat = R.choice(['a.b', '^a', 'b$', 'A+', '[ab]{2}', 'c', '^c', 'ab|ba'])
        return 'pcre:%s"/%s/%s";' % ('!' if R.random() < 0.15 else '', pat, ''.join(R.sample(['i', 'R', 's'], R.randint(0, 2))))
    if r < 0.8:
        op = R.choice(['<', '>', '=', '!=', '&', '^', '<=', '>='])
        return 'byte_test:1,%s,%d,%d%s;' % (op, R.choice([97, 98, 65, 1, 2]), R.randint(-1, 4), ',relative' if R.random() < 0.5 else '')
    if seed >= 1000 and r < 0.9:
        k = R.random()
        if k < 0.4:
            return 'byte_extract:1,%d,v%s;' % (R.randint(0, 3), ',relative' if R.random() < 0.5 else '')
        if k < 0.6:
            return 'byte_test:1,%s,%d,%d,string,dec%s;' % (R.choice(['<','>','=']), R.randint(0,3), R.randint(0,3), ',relative' if R.random() < 0.5 else '')
        if k < 0.8:
            return 'byte_jump:1,%d,string,dec%s%s;' % (R.randint(0, 3), ',relative' if R.random() < 0.5 else '', R.choice(['', ',align', ',multiplier 2', ',from_end,post_offset -3']))
        return 'byte_math:bytes 1, offset %d, oper %s, rvalue %d, result v%s;' % (R.randint(0,2), R.choice(['+','-','*','>>']), R.randint(1,3), ', relative' if R.random() < 0.5 else '')
    return 'byte_jump:1,%d%s%s;' % (R.randint(-1, 3), ',relative' if R.random() < 0.5 else '', R.choice(['', ',from_beginning', ',post_offset -97', ',post_offset -60']))
rules = []
for sid in range(1, 241):
    n = R.randint(1, 4)
    opts = []
    for i in range(n):
        if R.random() < 0.75:
            opts.append(gen_content(i == 0))
        else:
            opts.append(gen_other())
    body = ' '.join(opts)
    if seed >= 1000 and 'v;' in body or (seed >= 1000 and 'result v' in body):
        body += ' content:"%s"; %s:v;' % (R.choice(['a','b','0','|01|']), R.choice(['distance','within','offset','depth']))
    rules.append('alert udp any any -> any any (%s sid:%d;)' % (body, sid))
open('test.rules', 'w').write('\n'.join(rules) + '\n')
payloads = [rstr(0, 16) for _ in range(150)]
open('payloads.txt', 'w').write('\n'.join(p.hex() for p in payloads) + '\n')
# pcap
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
with open('test.pcap', 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(payloads):
        sport = 10000 + i
        udp = struct.pack('!HHHH', sport, 9999, 8 + len(p), 0) + p
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
        eth = b'\x00\x01\x02\x03\x04\x05' + b'\x00\x01\x02\x03\x04\x06' + b'\x08\x00'
        frame = eth + ip + udp
        f.write(struct.pack('<IIII', 1000 + i, 0, len(frame), len(frame)))
        f.write(frame)
