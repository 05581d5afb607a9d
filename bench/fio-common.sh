# shellcheck shell=bash
# Sourced by bench/fio-vs-tgt.sh, bench/soak.sh and bench/iscsi-perf-vs-tgt.sh: a fio with the
# libiscsi engine, and small helpers shared by them. Not a script of its own.
#
# xt_ensure_fio sets FIO to a fio binary that lists the libiscsi engine. Debian's fio package is
# built without it, so the first call builds fio from Debian's source package and caches the
# binary as $FIO_DIR/fio (default /var/tmp/xt-fio); later calls reuse it. Building needs root
# and apt: it adds a deb-src entry (/etc/apt/sources.list.d/xt-fio-src.sources, deb.debian.org,
# the release's codename, the components of debian.sources) when no source index has fio, then
# installs only the build dependencies the libiscsi build needs (not `apt-get build-dep fio`,
# which pulls GTK, Sphinx and GlusterFS).

FIO_DIR=${FIO_DIR:-/var/tmp/xt-fio}

xt_die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

xt_need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null || xt_die "$c missing (apt-get install -y ${XT_PKG[$c]:-$c})"
    done
}
declare -A XT_PKG=([iscsi-ls]=libiscsi-bin [tgtd]=tgt [tgtadm]=tgt [ss]=iproute2)

xt_fio_ok() {
    [ -x "$1" ] && "$1" --enghelp 2>/dev/null | grep -qw libiscsi
}

xt_ensure_fio() {
    FIO="$FIO_DIR/fio"
    if xt_fio_ok "$FIO"; then
        return 0
    fi
    [ "$(id -u)" = 0 ] || xt_die "building fio with libiscsi needs root (apt-get); or set FIO_DIR to a directory holding such a fio"
    echo "# building fio with the libiscsi engine in $FIO_DIR (once; about a minute)" >&2
    mkdir -p "$FIO_DIR/src"
    if ! apt-cache showsrc fio 2>/dev/null | grep -q '^Package: fio'; then
        local codename components list=/etc/apt/sources.list.d/xt-fio-src.sources
        codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
        [ -n "$codename" ] || xt_die "cannot tell the Debian release from /etc/os-release"
        components=$(sed -n 's/^Components: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
        echo "# adding $list (deb-src $codename ${components:-main})" >&2
        cat >"$list" <<EOF
# Added by xtarget's bench/fio-common.sh: Debian source packages, to build fio with libiscsi.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: ${components:-main}
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
        apt-get update -qq || xt_die "apt-get update failed"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        gcc make pkg-config libc6-dev dpkg-dev libiscsi-dev zlib1g-dev libaio-dev >/dev/null \
        || xt_die "installing fio's build dependencies failed"
    rm -rf "$FIO_DIR/src" && mkdir -p "$FIO_DIR/src"
    (cd "$FIO_DIR/src" && apt-get source -qq fio >/dev/null 2>"$FIO_DIR/src/apt-source.log") \
        || xt_die "apt-get source fio failed (see $FIO_DIR/src/apt-source.log)"
    local src
    src=$(find "$FIO_DIR/src" -mindepth 1 -maxdepth 1 -type d -name 'fio-*' | head -1)
    [ -n "$src" ] || xt_die "apt-get source fio unpacked nothing in $FIO_DIR/src"
    (cd "$src" && ./configure --enable-libiscsi >"$FIO_DIR/src/configure.log" 2>&1) \
        || xt_die "fio configure failed (see $FIO_DIR/src/configure.log)"
    grep -Eq '^iscsi engine +yes' "$FIO_DIR/src/configure.log" \
        || xt_die "fio configure did not enable the libiscsi engine (see $FIO_DIR/src/configure.log)"
    (cd "$src" && make -j"$(nproc)" >"$FIO_DIR/src/make.log" 2>&1) \
        || xt_die "building fio failed (see $FIO_DIR/src/make.log)"
    install -m 755 "$src/fio" "$FIO.new" && mv "$FIO.new" "$FIO"
    xt_fio_ok "$FIO" || xt_die "$FIO was built but does not list the libiscsi engine"
    echo "# built $("$FIO" --version) with libiscsi: $FIO" >&2
}

# fio splits filename= at ':' (several files), so an iSCSI URL needs every colon escaped.
xt_fio_filename() {
    printf '%s' "${1//:/\\:}"
}

xt_port_free() { ! ss -ltnH "( sport = :$1 )" | grep -q .; }

xt_wait_port() {
    local _
    for _ in $(seq 1 300); do
        xt_port_free "$1" || return 0
        sleep 0.2
    done
    xt_die "nothing listens on 127.0.0.1:$1"
}

# utime + stime of a process, all its threads (live and exited), in clock ticks. Fields 14 and
# 15 of /proc/PID/stat; counted after the ')' closing the command name, which may hold spaces.
xt_cpu_ticks() {
    local s
    s=$(cat "/proc/$1/stat") || return 1
    s=${s##*) }
    awk '{print $12 + $13}' <<<"$s"
}

# Resident set of a process in KiB (VmRSS).
xt_rss_kib() {
    awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

# Starts ./xtarget serve with CONFIG in DIR, logging to LOG; sets XT_PID to the JVM's pid (the
# launcher execs java, so the background job is the server itself).
xt_start_xtarget() {
    local here=$1 config=$2 log=$3
    (cd "$(dirname "$config")" && exec "$here/xtarget" serve --config "$config" >"$log" 2>&1) &
    # shellcheck disable=SC2034 # used by the sourcing script
    XT_PID=$!
}

# xt_stop_tgtd PID CONTROL_PORT: stops a tgtd started by a benchmark. tgtd ignores SIGTERM while it
# has targets, so they are removed first; the socket files it leaves behind go too.
xt_stop_tgtd() {
    local pid=$1 ctl=$2
    tgtadm -C "$ctl" --op delete --mode target --tid 1 --force >/dev/null 2>&1
    tgtadm -C "$ctl" --op delete --mode system >/dev/null 2>&1
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rm -f "/var/run/tgtd/socket.$ctl" "/var/run/tgtd/socket.$ctl.lock"
}
