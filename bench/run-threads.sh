#!/bin/sh
# Wall and CPU time of `xshard run --threads 1` vs `--threads 2`, alternating (1, 2, 1, 2, …), the
# medians and their same-run ratio, the load average, and the sha256 of both results.json
# (docs/benchmarks.md, "run on both cores").
#   sh bench/run-threads.sh [ROUNDS] [extra run flags…]
# Default run: transfer, 10,000 transactions (100 slots × 100), every one final.
set -e
rounds=${1:-3}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- --workload transfer --slots 100 --rate 100 --accounts 1000 --contracts 64 --drain 40 --slot-gas 100000000 --protocol delayed:conditional
out=${TMPDIR:-/tmp}/xshard-run-threads
: >"$out.times"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$rounds"); do
  for t in 1 2; do
    /usr/bin/time -f "$t %e %U %S %M" -a -o "$out.times" node bin/xshard.js run "$@" --threads "$t" --out "$out-$t" >/dev/null 2>"$out-$t.err" || { cat "$out-$t.err"; exit 1; }
    echo "threads=$t $(tail -n 1 "$out.times" | awk '{printf "wall %s s, user %s s, sys %s s, peak RSS %s kB", $2, $3, $4, $5}') load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split(" ").map(Number));
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const pick = (t, k) => rows.filter((r) => r[0] === t).map((r) => r[k]);
const w1 = med(pick(1, 1)), w2 = med(pick(2, 1)), c1 = med(pick(1, 2).map((u, i) => u + pick(1, 3)[i])), c2 = med(pick(2, 2).map((u, i) => u + pick(2, 3)[i]));
console.log(`median wall: threads=1 ${w1} s, threads=2 ${w2} s, ratio ${(w1 / w2).toFixed(2)}x`);
console.log(`median CPU (user+sys): threads=1 ${c1.toFixed(2)} s, threads=2 ${c2.toFixed(2)} s`);
console.log(`median peak RSS: threads=1 ${med(pick(1, 4))} kB, threads=2 ${med(pick(2, 4))} kB`);
' "$out.times"
sha256sum "$out-1/results.json" "$out-2/results.json"
cmp "$out-1/results.json" "$out-2/results.json" && echo "results.json identical"
node -e 'const s = require(process.argv[1]).summary; console.log(`submitted ${s.submitted}, outcomes ${JSON.stringify(s.outcomes)}`)' "$out-2/results.json"
