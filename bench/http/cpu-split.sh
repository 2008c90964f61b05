#!/bin/bash
# Server CPU per request split into user and system time, and system calls per request,
# for one server script under wrk: what docs/node-compat.md's "Keep-alive: where the time
# goes" was measured with. The server is pinned to core 0 and wrk to core 1, as in the suite.
#   bash bench/http/cpu-split.sh SERVER.js [path=/] [pipelined=0|1] [seconds=4] [strace]
# SERVER.js reads PORT from the environment (every dist/bench/http/servers/*.js does).
# The request carries the headers the suite sends on that path (bench/http/contenders.ts
# headersFor: the browser and proxy headers of the realistic app's /users/7, the proxy
# headers of /ip), so `bash bench/http/cpu-split.sh dist/bench/http/servers/realistic-floor.js
# /users/7 1` measures what the realistic-pipeline scenario measures.
# With `strace` it also counts system calls per request (strace slows the server: the
# counts hold, the times of that run do not, so it is a second run).
set -eu
server=$1; path=${2:-/}; pipe=${3:-0}; secs=${4:-4}; mode=${5:-}
port=$((20000 + RANDOM % 20000))
lua=()
root=$(cd "$(dirname "$0")/../.." && pwd)
headers=()
while IFS= read -r line; do
  [ -n "$line" ] && headers+=(-H "$line")
done < <(node --input-type=module -e 'const { headersFor } = await import(process.argv[1]); for (const [k, v] of Object.entries(headersFor(process.argv[2]))) console.log(`${k}: ${v}`);' "$root/dist/bench/http/contenders.js" "$path")
if [ "$pipe" = 1 ]; then
  script=$(mktemp --suffix=.lua)
  printf '%s\n' 'init = function() local r = {} for i = 1, 16 do r[i] = wrk.format() end req = table.concat(r) end' \
    'request = function() return req end' > "$script"
  lua=(-s "$script")
fi
run() {
  PORT=$port taskset -c 0 node "$server" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port$path" && break; sleep 0.1; done
  taskset -c 1 wrk -t1 -c50 -d2s "${headers[@]}" "${lua[@]}" "http://127.0.0.1:$port$path" >/dev/null
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
requests() { awk '/requests in/{print $1}'; }

run
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
reqs=$(taskset -c 1 wrk -t1 -c50 -d"${secs}s" "${headers[@]}" "${lua[@]}" "http://127.0.0.1:$port$path" | requests)
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
stop
hz=$(getconf CLK_TCK)
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v r="$reqs" -v t="$hz" -v d="$secs" -v n="$server $path pipelined=$pipe" \
  'BEGIN { printf "%s: %.0f req/s, user %.2f + sys %.2f = %.2f µs CPU per request\n", n, r / d, u / t * 1e6 / r, s / t * 1e6 / r, (u + s) / t * 1e6 / r }'

if [ "$mode" = strace ]; then
  run
  out=$(mktemp)
  strace -f -c -p "$pid" -o "$out" 2>/dev/null &
  sp=$!
  sleep 0.5
  reqs=$(taskset -c 1 wrk -t1 -c50 -d3s "${headers[@]}" "${lua[@]}" "http://127.0.0.1:$port$path" | requests)
  kill -INT "$sp"; wait "$sp" 2>/dev/null || true
  stop
  awk -v r="$reqs" 'NR > 2 && $NF != "total" && $4 ~ /^[0-9]+$/ { printf "  %-16s %.3f per request\n", $NF, $4 / r }' "$out" | sort -k2 -nr | head -8
fi
