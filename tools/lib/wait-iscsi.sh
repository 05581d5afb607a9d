# Sourced, not run (CI's conformance scripts, the guest checks).
#
# wait_iscsi PORT [SECONDS]: waits until an iSCSI target answers discovery on 127.0.0.1:PORT
# (iscsi-ls, libiscsi-bin), at most SECONDS (default 30); returns 1 when it never did.
wait_iscsi() {
    local port=$1 tries=$(( ${2:-30} * 5 ))
    for _ in $(seq 1 "$tries"); do
        iscsi-ls "iscsi://127.0.0.1:$port" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}
