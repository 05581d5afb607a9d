#!/usr/bin/env bash
# A throw-away single-node Ceph cluster for tests and manual RBD work: one monitor, one manager
# and one OSD on memstore (data lives in the OSD's memory and is gone when it stops), all bound
# to 127.0.0.1, with its own ceph.conf, admin keyring, logs and pid files under DIR. Pool "rbd"
# (8 PGs, size 1) is created and initialised for RBD. Needs Debian's ceph-mon, ceph-osd, ceph-mgr
# and ceph-common (Ceph 16 on Debian 12); runs as the calling user (root in CI).
#
# Usage:
#   tools/ceph-test-cluster.sh start DIR [PORT]   start (PORT: the monitor's, default: a free one
#                                                 from 40000 up); prints the env lines at the end
#   tools/ceph-test-cluster.sh stop DIR           stop the daemons started in DIR (by their pids)
#   tools/ceph-test-cluster.sh env DIR            print "export CEPH_CONF=DIR/ceph.conf"
#   tools/ceph-test-cluster.sh status DIR         ceph -s
# Then e.g.: eval "$(tools/ceph-test-cluster.sh env /tmp/ceph)"; rbd create rbd/vm1 --size 1G
set -euo pipefail

die() { echo "ceph-test-cluster: $*" >&2; exit 1; }
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|stop|env|status DIR [PORT]"
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
conf="$dir/ceph.conf"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Stops the daemons whose pid files are in DIR/run, OSD first, then manager, then monitor (an OSD
# tells the monitor it is going down), each given 10 s before SIGKILL. A pid is signalled only
# while its command line still names this cluster's ceph.conf (no stray kill after pid reuse).
stop() {
    local f p name
    for name in osd mgr mon; do
        for f in "$dir"/run/"$name".*.pid; do
            [ -f "$f" ] || continue
            p=$(cat "$f")
            if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$conf"; then
                kill "$p" 2>/dev/null || true
                for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
                kill -9 "$p" 2>/dev/null || true
            fi
            rm -f "$f"
        done
    done
}

start() {
    for b in ceph-mon ceph-osd ceph-mgr ceph ceph-authtool monmaptool rbd; do
        command -v "$b" >/dev/null || die "$b not found: apt-get install ceph-mon ceph-osd ceph-mgr ceph-common"
    done
    [ ! -e "$conf" ] || die "$dir already holds a cluster (stop it and remove the directory first)"
    local port=${3:-}
    if [ -z "$port" ]; then
        port=40000
        while ! port_free "$port" || ! port_free $((port + 1)); do port=$((port + 2)); done
    fi
    mkdir -p "$dir/run" "$dir/log" "$dir/mon.a" "$dir/mgr.x" "$dir/osd.0"
    local fsid
    fsid=$(cat /proc/sys/kernel/random/uuid)
    cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$port
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind port min = $((port + 1))
ms bind port max = $((port + 99))
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
mon data = $dir/mon.\$id
mgr data = $dir/mgr.\$id
osd data = $dir/osd.\$id
osd objectstore = memstore
memstore device bytes = 4294967296
memstore page set = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
auth allow insecure global id reclaim = false
osd op num shards = 1
osd op num threads per shard = 2
mon data avail warn = 1
[mon]
keyring = $dir/mon.\$id/keyring
[mgr]
keyring = $dir/mgr.\$id/keyring
[osd]
keyring = $dir/osd.\$id/keyring
EOF
    ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
        --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
    monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$port]" "$dir/monmap" >/dev/null
    ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" 2>/dev/null
    ceph-mon -c "$conf" -i a 2>>"$dir/log/start.log"
    local c=(ceph -c "$conf" --connect-timeout 20)
    "${c[@]}" auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' \
        >"$dir/mgr.x/keyring"
    ceph-mgr -c "$conf" -i x 2>>"$dir/log/start.log"
    local uuid
    uuid=$(cat /proc/sys/kernel/random/uuid)
    "${c[@]}" osd new "$uuid" >/dev/null
    ceph-osd -c "$conf" -i 0 --no-mon-config --mkfs --mkkey --osd-uuid "$uuid" 2>/dev/null
    "${c[@]}" auth add osd.0 osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' \
        -i "$dir/osd.0/keyring" >/dev/null 2>&1
    ceph-osd -c "$conf" -i 0 2>>"$dir/log/start.log"
    "${c[@]}" osd pool create rbd 8 8 >/dev/null 2>&1
    rbd -c "$conf" pool init rbd
    # ready when every PG of the pool is active (the OSD is up and peered)
    for _ in $(seq 1 600); do
        if "${c[@]}" pg stat 2>/dev/null | grep -q "active" \
                && ! "${c[@]}" pg stat 2>/dev/null | grep -qE "unknown|creating|peering|activating"; then
            break
        fi
        sleep 0.1
    done
    rbd -c "$conf" create rbd/.ready-check --size 1M && rbd -c "$conf" rm rbd/.ready-check >/dev/null 2>&1 \
        || die "the cluster in $dir does not serve RBD; see $dir/log"
    echo "export CEPH_CONF=$conf"
}

case "$cmd" in
    start) start "$@" ;;
    stop) stop ;;
    env) [ -e "$conf" ] || die "no cluster in $dir"; echo "export CEPH_CONF=$conf" ;;
    status) ceph -c "$conf" -s ;;
    *) die "unknown command $cmd (start, stop, env, status)" ;;
esac
