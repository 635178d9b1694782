#!/usr/bin/env bash
# The newcomer's path, checked: a fresh clone of this checkout, `npm ci`, `npm start` with no
# DATABASE_URL or REDIS_URL (embedded PGlite, in-memory cache), the item page over GraphQL, REST
# and SSR, then Ctrl-C and a clean stop. Run by .ci/run before `npm test`; needs the default ports
# (3000, 4000-4003, 54329) free. Prints the wall time of `npm ci` and of `npm start` to ready.
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

started=$(now_ms)
# its own process group, so Ctrl-C reaches every service as it would from a terminal
env -u DATABASE_URL -u REDIS_URL -u CACHE_URL setsid npm start >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  grep -q 'Ctrl-C stops everything' "$log" && break
  kill -0 "$pid" 2>/dev/null || fail "npm start exited before it was ready"
  sleep 0.5
done
grep -q 'Ctrl-C stops everything' "$log" || fail "npm start was not ready within 120 s"
echo "smoke: npm start was ready in $(seconds_since "$started") s"
grep -q 'embedded Postgres (PGlite)' "$log" || fail "npm start did not use the embedded Postgres"

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

kill -INT -- "-$pid"
for _ in $(seq 1 60); do
  grep -qE '\[start\] +stopped' "$log" && break
  sleep 0.5
done
grep -qE '\[start\] +stopped' "$log" || fail "npm start did not stop within 30 s of Ctrl-C"
for service in items reviews photos gateway ssr; do
  grep -qE "\[start\] +$service stopped \(exit code 0\)" "$log" || fail "$service did not drain and exit 0"
done
wait "$pid" 2>/dev/null || true
for port in 3000 4000 4001 4002 4003 54329; do
  if curl -s --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null; then fail "port $port still answers after Ctrl-C"; fi
done
echo "smoke: Ctrl-C stopped every service cleanly"
