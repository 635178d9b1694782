#!/usr/bin/env bash
# The newcomer's path, checked: a fresh clone of this checkout, `npm ci`, `npm start` with no
# DATABASE_URL or REDIS_URL (embedded PGlite, in-memory cache), the item page over GraphQL, REST
# and SSR, a short load on each (50/s for 5 s, as the lab's first comparison), then Ctrl-C and a
# clean stop; then the same load again with CACHE_MODE=off and BATCHING=off. Any failed request
# fails it. Run by .ci/run before `npm test`; needs the services' default ports (3000, 4000-4003:
# the registry's, packages/config/src/services.ts) and 54329 free. Prints the wall time of
# `npm ci` and of `npm start` to ready.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sgl-fresh-clone-XXXXXX")
log="$work/start.log"
pid=""

cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "smoke: $*" >&2
  [ -f "$log" ] && { echo "--- npm start said (last 40 lines):" >&2; tail -n 40 "$log" >&2; }
  exit 1
}

seconds_since() { echo "$(( $(date +%s%N) / 1000000 - $1 ))" | awk '{ printf "%.1f", $1 / 1000 }'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

git clone --quiet "$repo" "$work/clone"
cd "$work/clone"

started=$(now_ms)
npm ci --no-audit --no-fund --loglevel=error >"$work/npm-ci.log" 2>&1 || { tail -n 40 "$work/npm-ci.log" >&2; fail "npm ci failed"; }
echo "smoke: npm ci took $(seconds_since "$started") s"

# the services and their default ports, as the registry lists them
names=() ports=()
while read -r name port; do names+=("$name") ports+=("$port"); done < <(node --import tsx/esm --input-type=module \
  -e "import { SERVICES } from './packages/config/src/services.ts'; for (const s of SERVICES) console.log(s.name, s.defaultPort);")
[ ${#names[@]} -gt 0 ] || fail "could not read the services from packages/config/src/services.ts"

# start_stack [VAR=VALUE...]: npm start with no DATABASE_URL/REDIS_URL/CACHE_URL, in its own
# process group (so Ctrl-C reaches every service as it would from a terminal), until it is ready
start_stack() {
  : >"$log"
  env -u DATABASE_URL -u REDIS_URL -u CACHE_URL "$@" setsid npm start >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    grep -q 'Ctrl-C stops everything' "$log" && break
    kill -0 "$pid" 2>/dev/null || fail "npm start exited before it was ready"
    sleep 0.5
  done
  grep -q 'Ctrl-C stops everything' "$log" || fail "npm start was not ready within 120 s"
}

# stop_stack: Ctrl-C, then every service drained and exited 0 and every port closed
stop_stack() {
  kill -INT -- "-$pid"
  for _ in $(seq 1 60); do
    grep -qE '\[start\] +stopped' "$log" && break
    sleep 0.5
  done
  grep -qE '\[start\] +stopped' "$log" || fail "npm start did not stop within 30 s of Ctrl-C"
  for service in "${names[@]}"; do
    grep -qE "\[start\] +$service stopped \(exit code 0\)" "$log" || fail "$service did not drain and exit 0"
  done
  wait "$pid" 2>/dev/null || true
  for port in "${ports[@]}" 54329; do
    if curl -s --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null; then fail "port $port still answers after Ctrl-C"; fi
  done
}

# load LABEL: graphql, rest and ssr at 50/s for 5 s each; any failed request fails the smoke
load() {
  local report="$work/load-$1.json"
  npm run --silent loadtest -- --target graphql,rest,ssr --rps 50 --duration 5 --warmup 1 --timeout 5000 \
    --json "$report" >"$work/load-$1.log" 2>&1 || { cat "$work/load-$1.log" >&2; fail "loadtest ($1) failed"; }
  node -e '
    const steps = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).steps;
    let failed = false;
    for (const s of steps) {
      console.log(`smoke: ${process.argv[2]}: ${s.target} ${s.achievedRate.toFixed(1)}/s of ${s.offeredRate}, p99 ${s.latency.p99.toFixed(1)} ms, ${s.errors} errors`);
      if (s.errors > 0) {
        failed = true;
        for (const sample of s.errorSamples) console.error(`  ${JSON.stringify(sample).slice(0, 300)}`);
      }
    }
    process.exit(failed ? 1 : 0);
  ' "$report" "$1" || fail "requests failed under load ($1)"
}

started=$(now_ms)
start_stack
# check NAME EXPECTED-STATUS PATTERN CURL-ARGS...: one request, its status and a piece of its body
check() {
  local name=$1 status=$2 pattern=$3; shift 3
  local body code
  body=$(curl -sS --max-time 10 -o - -w '\n%{http_code}' "$@") || fail "$name: no answer"
  code=${body##*$'\n'}
  body=${body%$'\n'*}
  [ "$code" = "$status" ] || fail "$name: status $code, want $status: ${body:0:300}"
  grep -qE "$pattern" <<<"$body" || fail "$name: the answer lacks /$pattern/: ${body:0:300}"
  echo "smoke: $name ok"
}
check 'gateway /readyz' 200 'ok|ready' http://127.0.0.1:4000/readyz
check 'federated item page (GraphQL)' 200 '"reviewSummary":\{"count":[0-9]+' http://127.0.0.1:4000/graphql \
  -H 'content-type: application/json' \
  --data '{"query":"query($id: ID!) { item(id: $id) { name priceCents photos(first: 6) { url } reviewSummary { count averageRating } reviews(first: 5) { edges { node { rating title } } } } }","variables":{"id":"1"}}'
check 'REST item' 200 '"sku":' http://127.0.0.1:4000/api/items/1
check 'SSR item page' 200 '<h1 id="item-name">' http://127.0.0.1:3000/items/1
# the single-page app: its shell, and the same-origin REST forward its ?source=rest variant reads
check 'SPA shell' 200 '/assets/spa-[0-9a-f]{12}\.js' http://127.0.0.1:3000/spa/items/1
check 'SPA REST forward' 200 '"sku":' http://127.0.0.1:3000/api/items/1
check 'Playground' 200 'GraphQL Playground' -H 'accept: text/html' http://127.0.0.1:4000/graphql

load 'as started'
stop_stack
echo "smoke: Ctrl-C stopped every service cleanly"

# the lab's harshest setting, from the start: every read reaches the database, one statement per key
start_stack CACHE_MODE=off BATCHING=off
grep -q 'CACHE_MODE=off' "$log" || fail "npm start did not take CACHE_MODE=off"
load 'cache and batching off'
stop_stack
echo "smoke: the default stack served every request under load, cache and batching on and off"
