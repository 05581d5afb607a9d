#!/usr/bin/env bash
# Copy offload benchmark: EXTENDED COPY vs host-side copy vs the backend's own limit, for
# ram->ram, file->file, ram->file, file->ram, block->block (loop devices) and file->file on a
# loop-mounted XFS with reflink, all measured in one run against one xtarget on 127.0.0.1.
#
# Needs root for losetup/mkfs.xfs/mount (the block and XFS pairs are skipped otherwise).
# The measuring side is io.xtarget.bench.CopyOffloadBench (src/test/java), compiled here with
# javac against the fat jar.
#
# Usage: bench/copy-offload.sh      (env: SIZE_MIB=1024 REPS=5 HOST_REPS=3 XT_PORT=3393 QD=8 IO_KIB=1024 KEEP_LOG=)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE_MIB=${SIZE_MIB:-1024}
REPS=${REPS:-5}
HOST_REPS=${HOST_REPS:-3}
XT_PORT=${XT_PORT:-3393}
QD=${QD:-8}
IO_KIB=${IO_KIB:-1024}
IQN=iqn.2026-11.io.xtarget:copybench

. "$here/.ci/jdk.sh"
"$here/xtarget" --version >/dev/null # builds target/xtarget.jar when sources changed
jar="$here/target/xtarget.jar"

work=$(mktemp -d /tmp/xt-copy.XXXXXX)
xt_pid=""
loops=()
xfs_mounted=""
cleanup() {
    set +e
    [ -n "$xt_pid" ] && kill "$xt_pid" 2>/dev/null && wait "$xt_pid" 2>/dev/null
    [ -n "$xfs_mounted" ] && umount "$work/xfs"
    for l in "${loops[@]}"; do losetup -d "$l"; done
    [ -n "${KEEP_LOG:-}" ] && cp "$work/xtarget.log" "$KEEP_LOG"
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ss -ltn "( sport = :$XT_PORT )" | grep -q LISTEN; then
    echo "port $XT_PORT busy (set XT_PORT)" >&2; exit 1
fi

mkdir -p "$work/classes" "$work/fsbase"
javac -d "$work/classes" -cp "$jar" "$here/src/test/java/io/xtarget/bench/CopyOffloadBench.java"

backstores=(
    "{\"name\": \"ram0\", \"type\": \"ram\", \"size\": \"${SIZE_MIB}M\", \"blockSize\": 512}"
    "{\"name\": \"ram1\", \"type\": \"ram\", \"size\": \"${SIZE_MIB}M\", \"blockSize\": 512}"
    "{\"name\": \"file0\", \"type\": \"file\", \"path\": \"file0.img\", \"size\": \"${SIZE_MIB}M\", \"blockSize\": 512}"
    "{\"name\": \"file1\", \"type\": \"file\", \"path\": \"file1.img\", \"size\": \"${SIZE_MIB}M\", \"blockSize\": 512}"
)
luns='{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "ram1"}, {"lun": 2, "backstore": "file0"}, {"lun": 3, "backstore": "file1"}'
fstype=$(findmnt -no FSTYPE -T "$work")
pairs=(
    --pair "ram->ram,0,1,mem"
    --pair "file->file,2,3,fs:$work/fsbase"
    --pair "ram->file,0,3,write:$work/fsbase"
    --pair "file->ram,2,1,read:$work/fsbase"
)

if [ "$(id -u)" = 0 ] && command -v losetup >/dev/null; then
    blk=()
    for i in 0 1 2 3; do
        truncate -s "${SIZE_MIB}M" "$work/loop$i.img"
        dev=$(losetup -f --show "$work/loop$i.img") && loops+=("$dev") && blk+=("$dev") || break
    done
    if [ ${#blk[@]} = 4 ]; then
        backstores+=("{\"name\": \"blk0\", \"type\": \"block\", \"path\": \"${blk[0]}\", \"blockSize\": 512}"
                     "{\"name\": \"blk1\", \"type\": \"block\", \"path\": \"${blk[1]}\", \"blockSize\": 512}")
        luns+=', {"lun": 4, "backstore": "blk0"}, {"lun": 5, "backstore": "blk1"}'
        pairs+=(--pair "block->block,4,5,dev:${blk[2]}:${blk[3]}")
    else
        echo "# no loop devices: block pair skipped" >&2
    fi
    command -v mkfs.xfs >/dev/null || apt-get install -y xfsprogs >/dev/null 2>&1 || true
    if command -v mkfs.xfs >/dev/null; then
        truncate -s $((SIZE_MIB * 5 + 512))M "$work/xfs.img"
        if xdev=$(losetup -f --show "$work/xfs.img"); then
            loops+=("$xdev")
            mkfs.xfs -q -m reflink=1 "$xdev"
            mkdir -p "$work/xfs"
            mount "$xdev" "$work/xfs"
            xfs_mounted=yes
            mkdir -p "$work/xfs/base"
            backstores+=("{\"name\": \"xfs0\", \"type\": \"file\", \"path\": \"xfs/xfs0.img\", \"size\": \"${SIZE_MIB}M\", \"blockSize\": 512}"
                         "{\"name\": \"xfs1\", \"type\": \"file\", \"path\": \"xfs/xfs1.img\", \"size\": \"${SIZE_MIB}M\", \"blockSize\": 512}")
            luns+=', {"lun": 6, "backstore": "xfs0"}, {"lun": 7, "backstore": "xfs1"}'
            pairs+=(--pair "xfs->xfs,6,7,fs:$work/xfs/base,fresh")
        fi
    else
        echo "# mkfs.xfs unavailable: XFS pair skipped" >&2
    fi
else
    echo "# not root: block and XFS pairs skipped" >&2
fi

{
    echo '{"backstores": ['
    (IFS=,; echo "${backstores[*]}")
    echo "], \"targets\": [{\"name\": \"$IQN\", \"portals\": [\"127.0.0.1:$XT_PORT\"], \"luns\": [$luns]}]}"
} >"$work/xtarget.json"

(cd "$work" && exec "$here/xtarget" serve --config "$work/xtarget.json" >"$work/xtarget.log" 2>&1) &
xt_pid=$!
for _ in $(seq 1 150); do
    ss -ltn "( sport = :$XT_PORT )" | grep -q LISTEN && break
    kill -0 "$xt_pid" 2>/dev/null || { cat "$work/xtarget.log" >&2; exit 1; }
    sleep 0.2
done

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files: $fstype ($work), block: loop devices on $fstype files, xfs: loop-mounted XFS (reflink=1) image on $fstype"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:MaxDirectMemorySize=16g \
    -cp "$work/classes:$jar" io.xtarget.bench.CopyOffloadBench \
    --portal "127.0.0.1:$XT_PORT" --target "$IQN" --size $((SIZE_MIB << 20)) --reps "$REPS" --host-reps "$HOST_REPS" \
    --io $((IO_KIB << 10)) --qd "$QD" "${pairs[@]}"
echo
echo "server-side EXTENDED COPY log (last of each pair):" >&2
grep -o 'EXTENDED COPY.*' "$work/xtarget.log" | sed -E 's/from [^:]*: //' | tail -n 40 >&2 || true
