#!/bin/sh
# bench/run-threads-cpu.mjs with 1 and 2 threads, alternating, ROUNDS times; one JSON line per run.
#   sh bench/run-threads-cpu.sh [ROUNDS] [flags for run-threads-cpu.mjs…]
set -e
rounds=${1:-3}
[ $# -gt 0 ] && shift
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$rounds"); do
  for t in 1 2; do
    node bench/run-threads-cpu.mjs --threads "$t" "$@"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
