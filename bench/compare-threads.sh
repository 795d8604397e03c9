#!/bin/sh
# Wall and CPU time of `xshard compare` in one thread vs on two threads, alternating (1, 2, …), and
# the sha256 of every file each layout writes (docs/benchmarks.md, "compare on both cores").
#   sh bench/compare-threads.sh [ROUNDS] [extra compare flags…]
# LAYOUTS (default "1 2"): any of 1 (this thread), 2 (this thread and a worker thread),
# 2w (two worker threads, this one only collecting: `--workers 2 --workers-only`, the layout before 2026-12).
set -e
rounds=${1:-5}
[ $# -gt 0 ] && shift
layouts=${LAYOUTS:-1 2}
out=${TMPDIR:-/tmp}/xshard-compare-threads
flags() { case "$1" in 2w) echo "--workers 2 --workers-only" ;; *) echo "--workers $1" ;; esac; }
for i in $(seq "$rounds"); do
  for w in $layouts; do
    /usr/bin/time -f "workers=$w wall %e s, user %U s, sys %S s, peak RSS %M kB" node bin/xshard.js compare "$@" $(flags "$w") --out "$out-$w" >/dev/null 2>"$out-$w.err" || { cat "$out-$w.err"; exit 1; }
    tail -n 1 "$out-$w.err"
  done
done
first=
for w in $layouts; do
  (cd "$out-$w" && sha256sum -- *.json summary.csv) >"$out-$w.sha"
  if [ -z "$first" ]; then first=$w; cat "$out-$w.sha"; else cmp "$out-$first.sha" "$out-$w.sha"; fi
done
echo "results files identical across layouts: $layouts (report.html differs only in the --out path it names)"
