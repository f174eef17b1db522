#!/usr/bin/env python3
"""Who owns the big arrays of a heap dump: for every byte[] and char[] of at least MIN_LEN elements,
its chain of referrers up to the first object that is not a buffer wrapper (ByteBuffer, CharBuffer,
Tomcat's ByteChunk/CharChunk/MessageBytes), summed by chain. Only the first referrer of each object
is followed (the count of others is shown). Standard library only; reads the HPROF file through mmap.

    jcmd <pid> GC.heap_dump /tmp/app.hprof
    bench/scripts/heap-owners.py /tmp/app.hprof [MIN_LEN, default 512]

docs/benchmarks.md (Spring, "Memory per idle connection on Tomcat, by owner") was made with it.
"""
import mmap, struct, sys
from collections import defaultdict, Counter

path = sys.argv[1]
MIN = int(sys.argv[2]) if len(sys.argv) > 2 else 512
f = open(path, 'rb')
m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
end = m.find(b'\0')
idsz = struct.unpack_from('>I', m, end + 1)[0]
assert idsz == 8
pos = end + 1 + 4 + 8
Q = struct.Struct('>Q'); I = struct.Struct('>I'); H = struct.Struct('>H')
SIZES = {2: 8, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}
strings = {}
classname = {}   # class obj id -> name
classinfo = {}   # class id -> (super, [(name, type)])
inst = {}        # obj id -> (class id, data offset, length)
arrays = {}      # big prim array id -> (type, len)
objarr = []      # (id, offset, n)
segments = []
n = len(m)
while pos < n:
    tag = m[pos]; length = I.unpack_from(m, pos + 5)[0]; body = pos + 9
    if tag == 0x01:
        sid = Q.unpack_from(m, body)[0]
        strings[sid] = m[body + 8: body + length].decode('utf-8', 'replace')
    elif tag == 0x02:
        cid = Q.unpack_from(m, body + 4)[0]; nid = Q.unpack_from(m, body + 16)[0]
        classname[cid] = nid
    elif tag in (0x0C, 0x1C):
        segments.append((body, body + length))
    pos = body + length

for (p, e) in segments:
    while p < e:
        t = m[p]; p += 1
        if t == 0xFF or t == 0x05 or t == 0x07: p += 8
        elif t == 0x01: p += 16
        elif t in (0x02, 0x03, 0x08): p += 16
        elif t in (0x04, 0x06): p += 12
        elif t == 0x20:
            cid = Q.unpack_from(m, p)[0]; sup = Q.unpack_from(m, p + 12)[0]
            p += 8 + 4 + 8 * 6 + 4
            cp = H.unpack_from(m, p)[0]; p += 2
            for _ in range(cp):
                ty = m[p + 2]; p += 3 + SIZES[ty]
            ns = H.unpack_from(m, p)[0]; p += 2
            for _ in range(ns):
                ty = m[p + 8]; p += 9 + SIZES[ty]
            nf = H.unpack_from(m, p)[0]; p += 2
            fields = []
            for _ in range(nf):
                fields.append((Q.unpack_from(m, p)[0], m[p + 8])); p += 9
            classinfo[cid] = (sup, fields)
        elif t == 0x21:
            oid = Q.unpack_from(m, p)[0]; cid = Q.unpack_from(m, p + 12)[0]; ln = I.unpack_from(m, p + 20)[0]
            inst[oid] = (cid, p + 24, ln); p += 24 + ln
        elif t == 0x22:
            oid = Q.unpack_from(m, p)[0]; cnt = I.unpack_from(m, p + 12)[0]
            objarr.append((oid, p + 24, cnt)); p += 24 + 8 * cnt
        elif t == 0x23:
            oid = Q.unpack_from(m, p)[0]; cnt = I.unpack_from(m, p + 12)[0]; ty = m[p + 16]
            if ty in (5, 8) and cnt >= MIN: arrays[oid] = (ty, cnt)
            p += 17 + SIZES[ty] * cnt
        else:
            raise SystemExit('unknown subtag %x at %d' % (t, p))

def cname(cid):
    return strings.get(classname.get(cid), '?%x' % cid).replace('/', '.')

layout = {}
def fields_of(cid):
    if cid in layout: return layout[cid]
    out = []; c = cid
    while c in classinfo:
        sup, fs = classinfo[c]
        out.extend((strings.get(nm, '?'), ty) for nm, ty in fs)
        c = sup
    layout[cid] = out
    return out

WRAP = ('java.nio.HeapByteBuffer', 'java.nio.HeapCharBuffer', 'org.apache.tomcat.util.buf.ByteChunk',
        'org.apache.tomcat.util.buf.CharChunk', 'org.apache.tomcat.util.buf.MessageBytes',
        'java.nio.HeapByteBufferR')
wrapcls = {cid for cid in classname if cname(cid) in WRAP}
interesting = set(arrays)
interesting.update(o for o, (c, _, _) in inst.items() if c in wrapcls)
refs = defaultdict(list)  # target -> [(referrer, field)]
for oid, (cid, off, ln) in inst.items():
    p = off
    for name, ty in fields_of(cid):
        if ty == 2:
            v = Q.unpack_from(m, p)[0]
            if v in interesting: refs[v].append((oid, name))
        p += SIZES[ty]
for oid, off, cnt in objarr:
    for i in range(cnt):
        v = Q.unpack_from(m, off + 8 * i)[0]
        if v in interesting: refs[v].append((oid, '[]'))

def kind(o):
    if o in inst: return cname(inst[o][0])
    if o in arrays: return 'char[]' if arrays[o][0] == 5 else 'byte[]'
    return 'Object[]'

def chain(o, depth=0):
    rs = refs.get(o, [])
    if not rs: return ['(root/none)']
    r, fld = rs[0]
    k = kind(r)
    extra = '' if len(rs) == 1 else ' (+%d refs)' % (len(rs) - 1)
    if r in interesting and depth < 5:
        return chain(r, depth + 1) + ['%s.%s%s' % (k, fld, extra)]
    return ['%s.%s%s' % (k, fld, extra)]

agg = Counter(); cnt = Counter()
for a, (ty, ln) in arrays.items():
    key = ' -> '.join(chain(a)) + ' -> %s[%d]' % ('char' if ty == 5 else 'byte', ln)
    agg[key] += ln * (2 if ty == 5 else 1); cnt[key] += 1
for k, b in agg.most_common(40):
    print('%10d B %6d x  %s' % (b, cnt[k], k))
