#!/bin/sh
# Instructions per request of one shape and app through a build (bench/micro/icount.ts):
# callgrind over N and 5N reads, difference over the requests between them.
# N must leave the optimising compiler done before the first N reads end: at N=1000 the app
# variants' counts still carry compilation (hello 24k instructions per request, far above its
# time); 5000 (400k pipelined requests between the runs) is the figure CONTRIBUTING cites.
#   sh bench/micro/icount.sh [checkout=.] [shape=pipelined] [app=static] [N=5000]
# e.g. sh bench/micro/icount.sh . pipelined hello-async   (two valgrind runs, minutes each on a 2-core host)
# node runs with --single-threaded-gc: GC helper threads' instructions would otherwise be counted too.
set -eu
dir=${1:-.}; shape=${2:-pipelined}; app=${3:-static}; n=${4:-5000}
# This checkout's driver for both builds (as ab.ts does): an older checkout's icount.js may
# not know the shape or app asked for. It also says how many requests one read carries.
driver="$(cd "$(dirname "$0")/../.." && pwd)/dist/bench/micro/icount.js"
per=$(node "$driver" "$dir" 1 "$shape" "$app" per) || exit 2
count() {
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
    node --single-threaded-gc "$driver" "$dir" "$1" "$shape" "$app" 2>&1 | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
a=$(count "$n"); b=$(count $((n * 5)))
echo "$shape $app: $(( (b - a) / (n * 4 * per) )) instructions per request ($a → $b over $((n * 4 * per)) more requests)"
