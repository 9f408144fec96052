# Counts the documented public items of crates, from rustdoc JSON (nightly):
#   cargo +nightly rustdoc -p <crate> --lib -- -Z unstable-options --output-format json
#   python3 .ci/public_items.py target/doc/<crate_name>.json ...
# Public items reachable from the crate root through documented paths: rustdoc
# JSON (nightly, --output-format json) strips doc(hidden) and private items
# from modules' item lists, so walking from the root counts what a reader of
# the docs sees. Counted: modules, structs, enums (+ variants), traits
# (+ their methods), free functions, constants, statics, type aliases, and
# the public inherent methods and associated constants of reachable types.
import json,sys
for f in sys.argv[1:]:
    d=json.load(open(f)); idx=d['index']
    seen=set(); counts={}
    def add(kind): counts[kind]=counts.get(kind,0)+1
    def visit(i):
        i=str(i)
        if i in seen or i not in idx: return
        seen.add(i); it=idx[i]
        if it.get('crate_id')!=0: return
        inner=it['inner']; kind=next(iter(inner))
        if kind=='module':
            if i!=str(d['root']): add('module')
            for c in inner['module']['items']: visit(c)
        elif kind=='use':
            u=inner['use']
            if u.get('id') is not None:
                if u.get('is_glob'):
                    t=idx.get(str(u['id']))
                    if t and 'module' in t['inner']:
                        for c in t['inner']['module']['items']: visit(c)
                else: visit(u['id'])
        elif kind in ('struct','enum','union'):
            add(kind)
            body=inner[kind]
            for v in body.get('variants',[]): add('variant'); seen.add(str(v))
            for im in body.get('impls',[]):
                imp=idx.get(str(im))
                if not imp: continue
                ib=imp['inner']['impl']
                if ib.get('trait') is None and not ib.get('is_synthetic') and not ib.get('blanket_impl'):
                    for m in ib['items']:
                        mi=idx.get(str(m))
                        if mi and mi.get('visibility')=='public':
                            add('method' if 'function' in mi['inner'] else 'assoc')
        elif kind=='trait':
            add('trait')
            for m in inner['trait']['items']: add('trait item')
        else:
            add(kind)
    visit(d['root'])
    print(f.split('/')[-1][:-5], 'total', sum(counts.values()), dict(sorted(counts.items())))
