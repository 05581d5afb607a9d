#!/usr/bin/env bash
# Password-guessing rate: logins with a wrong CHAP secret against one xtarget on 127.0.0.1, one
# connection at a time and then PARALLEL connections at once, SECONDS each. Prints how many
# authentication failures (verdicts a guesser learns from) the target gave per second.
#
# The measuring side is io.xtarget.bench.LoginGuessBench (src/test/java), compiled here with javac
# against the fat jar. LIMITS is put in the config's "limits" object as is (e.g.
# LIMITS='"loginBackoffMillis": 0' turns the throttle off, to see the rate without it).
#
# Usage: bench/login-guess.sh      (env: SECONDS_EACH=10 PARALLEL=16 XT_PORT=3394 LIMITS=)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH=${SECONDS_EACH:-10}
PARALLEL=${PARALLEL:-16}
XT_PORT=${XT_PORT:-3394}
LIMITS=${LIMITS:-}
IQN=iqn.2026-11.io.xtarget:guessbench
INITIATOR=iqn.2026-11.io.example:guesser

. "$here/.ci/jdk.sh"
"$here/xtarget" --version >/dev/null # builds target/xtarget.jar when sources changed
jar="$here/target/xtarget.jar"

work=$(mktemp -d /tmp/xt-guess.XXXXXX)
xt_pid=""
cleanup() {
    set +e
    [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null && wait "$xt_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ss -ltn "( sport = :$XT_PORT )" | grep -q LISTEN; then
    echo "port $XT_PORT busy (set XT_PORT)" >&2; exit 1
fi
mkdir -p "$work/classes"
javac -d "$work/classes" -cp "$jar" "$here/src/test/java/io/xtarget/bench/LoginGuessBench.java"

cat >"$work/xtarget.json" <<JSON
{"backstores": [{"name": "ram0", "type": "ram", "size": "16M", "blockSize": 512}],
 "targets": [{"name": "$IQN", "portals": ["127.0.0.1:$XT_PORT"], "luns": [{"lun": 0, "backstore": "ram0"}],
              "chap": {"user": "alice", "secret": "alicesecret1"}}],
 "limits": {$LIMITS}}
JSON

start_server() {
    (cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json" >"$work/xtarget.log" 2>&1) &
    xt_pid=$!
    for _ in $(seq 1 150); do
        ss -ltn "( sport = :$XT_PORT )" | grep -q LISTEN && return
        kill -0 "$xt_pid" 2>/dev/null || { cat "$work/xtarget.log" >&2; exit 1; }
        sleep 0.2
    done
}
stop_server() {
    kill "$xt_pid" && wait "$xt_pid" 2>/dev/null || true
    xt_pid=""
}

echo "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); limits: {$LIMITS}"
# A fresh server for each run, so one run's failures do not slow the next.
for p in 1 "$PARALLEL"; do
    start_server
    "$JAVA_HOME/bin/java" -cp "$work/classes:$jar" io.xtarget.bench.LoginGuessBench \
        --portal "127.0.0.1:$XT_PORT" --target "$IQN" --initiator "$INITIATOR" --user alice \
        --seconds "$SECONDS_EACH" --parallel "$p"
    echo "  server: $(grep -c 'CHAP authentication failed' "$work/xtarget.log" || true) WARN lines for failed CHAP logins"
    stop_server
done
