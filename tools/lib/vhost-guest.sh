# Shared by tools/vhost-guest-check.sh and bench/vhost-vs-iscsi.sh (sourced, not run).
#
# start_vhost_guest SOCK PORT INITIATOR RUN_DIR JOB: boots ../shared/linux-guest in the background
# (pid in $guest) with a vhost-user-scsi controller on SOCK (guest RAM in a shared memfd of $MEM
# MiB, as vhost-user needs) and open-iscsi logged in to 127.0.0.1:PORT as INITIATOR; the guest
# runs the script JOB and its output streams to RUN_DIR/output.log. Needs $GUEST and $MEM.
start_vhost_guest() {
    local sock=$1 port=$2 ini=$3 run=$4 job=$5
    EXTRA_QEMU_ARGS="-object memory-backend-memfd,id=mem,size=${MEM}M,share=on -numa node,memdev=mem \
 -chardev socket,id=vus,path=$sock -device vhost-user-scsi-pci,chardev=vus" MEM=$MEM QUIET=1 \
        TARGET_PORT=$port INITIATOR_NAME=$ini \
        "$GUEST/boot.sh" --mode initiator --run-dir "$run" --script "$job" >"$run.out" 2>&1 &
    guest=$!
}
