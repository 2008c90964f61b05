#!/bin/sh
# Instructions per request of a fetch-style framework's route as the CLI serves it
# (bench/micro/fetch-icount.ts): callgrind over N and 5N reads of 16 pipelined requests,
# the difference over the requests between them.
#   sh bench/micro/fetch-icount.sh [checkout=.] [framework=h3] [route=/json] [N=2000]
set -eu
dir=${1:-.}; fw=${2:-h3}; route=${3:-/json}; n=${4:-2000}
count() {
  valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
    node "$dir/dist/bench/micro/fetch-icount.js" "$dir" "$1" "$fw" "$route" 2>&1 | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
a=$(count "$n"); b=$(count $((n * 5)))
echo "$fw $route: $(( (b - a) / (n * 4 * 16) )) instructions per request ($a → $b over $((n * 4 * 16)) more requests)"
