#!/bin/sh
# Wall and CPU time of `xshard compare` in one thread vs in worker threads, alternating (1, 2, 1, 2, …),
# and the sha256 of every file both write (docs/benchmarks.md, "compare on both cores").
#   sh bench/compare-threads.sh [ROUNDS] [extra compare flags…]
set -e
rounds=${1:-5}
[ $# -gt 0 ] && shift
out=${TMPDIR:-/tmp}/xshard-compare-threads
for i in $(seq "$rounds"); do
  for w in 1 2; do
    /usr/bin/time -f "workers=$w wall %e s, user %U s, sys %S s, peak RSS %M kB" node bin/xshard.js compare "$@" --workers "$w" --out "$out-$w" >/dev/null 2>"$out-$w.err" || { cat "$out-$w.err"; exit 1; }
    tail -n 1 "$out-$w.err"
  done
done
(cd "$out-1" && sha256sum -- *.json summary.csv) >"$out-1.sha"
(cd "$out-2" && sha256sum -- *.json summary.csv) >"$out-2.sha"
cat "$out-1.sha"
cmp "$out-1.sha" "$out-2.sha" && echo "results files identical (report.html differs only in the --out path it names)"
