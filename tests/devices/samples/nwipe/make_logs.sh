#!/bin/bash
# Makes the real nwipe logs kept in this folder.
#
# Run by hand, as root, on a throw-away Linux machine with loop devices (the test
# suite never runs this; it only reads the logs it made). It wipes loop devices
# backed by files in a temporary folder, never a real disk: every device nwipe gets
# is one this script attached itself.
#
#   sudo NWIPE=/usr/sbin/nwipe VER=0.34 ./make_logs.sh            # all cases
#   sudo NWIPE=/tmp/nwipe-0.30/usr/sbin/nwipe VER=0.30 ./make_logs.sh passed_one_disk
#
# NWIPE  the nwipe binary to run (default /usr/sbin/nwipe)
# VER    the version label in the file names, e.g. 0.34 -> 0.34_passed_one_disk.log
# OUT    where the logs go (default: this folder)
# NWIPE_PREFIX  words put in front of the binary, e.g. a dynamic loader with
#        --library-path to run a newer release's binary on an older system
#
# How the disks are made to fail (there is no device-mapper on the machine the logs
# were made on, so no dm "error" target):
#   full    the loop device's backing file is a 32 MiB sparse file on an 8 MiB tmpfs;
#           once the tmpfs is full every write to the device fails with EIO, which
#           nwipe sees when it flushes (fdatasync).
#   pulled  in the middle of the run the backing file is truncated to 0 bytes and the
#           loop device is told its new size (losetup -c): the disk is gone under nwipe.
#   readonly  the loop device is attached read-only (losetup -r); writes are refused.
# A verification failure is made by a second process that keeps writing random bytes
# into one block of the device while nwipe wipes and verifies it; a disk filled with
# random bytes is given to nwipe's read-only "verify zero" method.
#
# Each case starts with fresh loop devices from `losetup -f`; on a machine with no
# other loop device attached the first disk is loop0 and the second loop1, the names
# expected.json uses. nwipe 0.35 and later write /etc/nwipe/nwipe.conf and
# /etc/nwipe/nwipe_customers.csv on their first run; remove /etc/nwipe afterwards to
# leave the machine as it was.
#
# Each log is copied byte for byte as nwipe wrote it (the --logfile); nwipe's own
# terminal output goes to the work folder and is thrown away.
set -euo pipefail

NWIPE=${NWIPE:-/usr/sbin/nwipe}
VER=${VER:?set VER to the nwipe version, e.g. VER=0.34}
OUT=${OUT:-$(cd "$(dirname "$0")" && pwd)}
read -r -a PREFIX <<<"${NWIPE_PREFIX:-}"
WORK=$(mktemp -d /tmp/nwipe-fixtures.XXXXXX)
BACKGROUND=()

# Detaches every loop device and unmounts every tmpfs this script made (found by
# their place under $WORK, as disk() runs in a subshell and cannot record them).
release() {
    local pid dev mnt
    for pid in "${BACKGROUND[@]}"; do kill "$pid" 2>/dev/null || true; done
    BACKGROUND=()
    for dev in $(losetup -l -n -O NAME,BACK-FILE | awk -v w="$WORK/" 'index($2, w) == 1 {print $1}'); do
        losetup -d "$dev"
    done
    for mnt in $(findmnt -rn -o TARGET | grep -F "$WORK/" || true); do umount "$mnt"; done
}
cleanup() {
    release
    rm -rf "$WORK"
}
trap cleanup EXIT

# disk NAME SIZE -> prints the loop device of a new zero-filled-on-demand file disk
disk() {
    truncate -s "$2" "$WORK/$1.img"
    losetup -f --show "$WORK/$1.img"
}

# full_disk NAME -> a 32 MiB disk whose backing store only holds 8 MiB
full_disk() {
    mkdir -p "$WORK/$1.fs"
    mount -t tmpfs -o size=8m tmpfs "$WORK/$1.fs"
    truncate -s 32M "$WORK/$1.fs/$1.img"
    losetup -f --show "$WORK/$1.fs/$1.img"
}

# pull NAME DEVICE: the disk disappears under a running nwipe
pull() {
    truncate -s 0 "$WORK/$1.img"
    losetup -c "$2"
}

# start NAME OPTIONS... DEVICES...: starts nwipe in the background, sets NWIPE_PID
start() {
    local name=$1
    shift
    rm -f "$WORK/$name.log"
    # Since 0.35 nwipe also writes a PDF report per disk; keep those out of the way.
    local pdf=()
    if "${PREFIX[@]}" "$NWIPE" --help 2>&1 | grep -q PDFreportpath; then
        pdf=(--PDFreportpath="$WORK")
    fi
    # Run from the work folder: 0.38 stopped by a signal wrote a PDF to its working
    # folder despite --PDFreportpath.
    (cd "$WORK" && exec "${PREFIX[@]}" "$NWIPE" --autonuke --nogui --nowait \
        --logfile="$WORK/$name.log" "${pdf[@]}" "$@" >"$WORK/$name.out" 2>&1) &
    NWIPE_PID=$!
}

# finish NAME: waits for nwipe, keeps its log
finish() {
    local rc=0
    wait "$NWIPE_PID" || rc=$?
    cp "$WORK/$1.log" "$OUT/${VER}_$1.log"
    echo "${VER}_$1.log: nwipe exit status $rc"
}

run() {
    start "$@"
    finish "$1"
}

case_passed_one_disk() {
    local a
    a=$(disk a 16M)
    run passed_one_disk --method=zero --verify=last "$a"
}

case_passed_two_disks() {
    local a b
    a=$(disk a 16M)
    b=$(disk b 16M)
    run passed_two_disks --method=zero --verify=last "$a" "$b"
}

case_two_disks_one_failed() {
    local a b
    a=$(disk a 16M)
    b=$(full_disk b)
    run two_disks_one_failed --method=zero --verify=last "$a" "$b"
}

# The second disk is attached read-only (losetup -r): every write to it is refused.
case_two_disks_one_readonly() {
    local a b
    a=$(disk a 16M)
    truncate -s 16M "$WORK/b.img"
    b=$(losetup -r -f --show "$WORK/b.img")
    run two_disks_one_readonly --method=zero --verify=last "$a" "$b"
}

case_all_disks_failed() {
    local a b
    a=$(full_disk a)
    b=$(full_disk b)
    run all_disks_failed --method=zero --verify=last "$a" "$b"
}

case_two_disks_one_pulled() {
    local a b
    a=$(disk a 64M)
    b=$(disk b 64M)
    start two_disks_one_pulled --method=dodshort --verify=last "$a" "$b"
    sleep 2
    pull b "$b"
    finish two_disks_one_pulled
}

case_verify_failed() {
    local a
    a=$(disk a 64M)
    # Keeps scribbling into block 100 of the disk until nwipe has finished, so the
    # read-back after the last pass finds bytes that are not zero.
    (while true; do
        dd if=/dev/urandom of="$a" bs=4096 count=1 seek=100 conv=notrunc,fsync status=none
        sleep 0.02
    done) &
    BACKGROUND+=($!)
    run verify_failed --method=zero --verify=last "$a"
}

case_verify_zero_dirty_disk() {
    local a
    a=$(disk a 16M)
    dd if=/dev/urandom of="$a" bs=1M count=16 conv=fsync status=none
    # The read-only method is "verify_zero" since 0.31, plain "verify" before.
    local method=verify_zero
    "${PREFIX[@]}" "$NWIPE" --help 2>&1 | grep -q verify_zero || method=verify
    run verify_zero_dirty_disk --method="$method" "$a"
}

# aborted NAME SIGNAL: a long wipe of two disks, stopped by a signal after 3 seconds
aborted() {
    local a b
    a=$(disk a 64M)
    b=$(disk b 64M)
    start "$1" --method=dodshort --rounds=20 --verify=all "$a" "$b"
    sleep 3
    kill -s "$2" "$NWIPE_PID"
    finish "$1"
}

# A small disk that is finished before the signal and a large one that is not.
case_aborted_one_disk_done() {
    local a b
    a=$(disk a 8M)
    b=$(disk b 64M)
    start aborted_one_disk_done --method=zero --rounds=8 --verify=all "$a" "$b"
    sleep 4
    kill -s INT "$NWIPE_PID"
    finish aborted_one_disk_done
}

case_aborted_sigint() { aborted aborted_sigint INT; }
case_aborted_sigterm() { aborted aborted_sigterm TERM; }
case_killed_sigkill() { aborted killed_sigkill KILL; }

case_dodshort_two_disks() {
    local a b
    a=$(disk a 16M)
    b=$(disk b 16M)
    run dodshort_two_disks --method=dodshort "$a" "$b"
}

case_prng_verify_all() {
    local a
    a=$(disk a 16M)
    run prng_verify_all --method=prng --verify=all "$a"
}

case_ops2() {
    local a
    a=$(disk a 16M)
    run ops2 --method=ops2 --verify=last "$a"
}

case_dodshort_verify_all() {
    local a
    a=$(disk a 16M)
    run dodshort_verify_all --method=dodshort --verify=all "$a"
}

# "one" (fill with 0xFF) exists since 0.31.
case_one_noblank() {
    local a
    a=$(disk a 16M)
    run one_noblank --method=one --noblank --verify=last "$a"
}

ALL=(passed_one_disk passed_two_disks two_disks_one_failed two_disks_one_readonly all_disks_failed
    two_disks_one_pulled verify_failed verify_zero_dirty_disk aborted_sigint
    aborted_sigterm killed_sigkill aborted_one_disk_done dodshort_two_disks prng_verify_all ops2
    dodshort_verify_all one_noblank)

for name in "${@:-${ALL[@]}}"; do
    "case_$name"
    # Each case gets fresh loop devices and mounts.
    release
done
