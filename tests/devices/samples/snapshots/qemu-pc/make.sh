#!/bin/sh
# Make the raw output in this folder: boot a QEMU PC (software emulation, no KVM needed) with
# SMBIOS tables and one IDE disk, and run in it what workbench-script runs, as root.
# Needs (Debian 12): qemu-system-x86 linux-image-amd64 busybox-static dmidecode smartmontools
# util-linux. Run as root from anywhere: sh make.sh. See ../PROVENANCE.md.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
KERNEL=${KERNEL:-$(ls /boot/vmlinuz-* | sort -V | tail -n 1)}
VERSION=${KERNEL#/boot/vmlinuz-}
WORK=$(mktemp -d)
# KEEP=1 keeps the work folder (the guest's console is in console.txt there).
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root
mkdir -p "$ROOT/bin" "$ROOT/sbin" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" "$ROOT/modules"

# The guest's userland: busybox, the three tools workbench-script calls, and their libraries.
cp /bin/busybox "$ROOT/bin/busybox"
for tool in /usr/sbin/dmidecode /usr/sbin/smartctl /usr/bin/lsblk; do
    cp "$tool" "$ROOT/bin/"
    for lib in $(ldd "$tool" | grep -o '/[^ ]*'); do
        mkdir -p "$ROOT$(dirname "$lib")"
        cp -L "$lib" "$ROOT$lib"
    done
done
# The IDE controller (PIIX) and SCSI disk drivers are modules in Debian's kernel. The guest's
# CPU has no PCLMUL, so crct10dif-pclmul refuses to load (on the console) and the generic one serves.
for module in $(for name in ata_piix crc64_rocksoft_generic sd_mod; do
    modprobe -S "$VERSION" --show-depends "$name"; done | awk '$1 == "insmod" && !seen[$2]++ {print $2}'); do
    cp "$module" "$ROOT/modules/"
    echo "$(basename "$module")" >> "$ROOT/modules/order"
done

cat > "$ROOT/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in $(cat /modules/order); do insmod /modules/$module; done
for try in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/sda ] && break; sleep 1; done
mkdir -p /tmp/out && cd /tmp/out
date -u '+%Y-%m-%d %H:%M:%S' > date.txt
dmidecode > dmidecode.txt; echo "dmidecode $?" >> exit-status.txt
lsblk -Jdo NAME,TYPE,MOUNTPOINTS,ROTA,TRAN > lsblk.json; echo "lsblk $?" >> exit-status.txt
smartctl -x --json=cosviu /dev/sda > smartctl-sda.json; echo "smartctl $?" >> exit-status.txt
# The second serial port carries the files, base64 so the tty's line endings cannot spoil them.
{ echo BEGIN-OUTPUT; tar c -f - . | base64; echo END-OUTPUT; } > /dev/ttyS1
sync
poweroff -f
INIT
chmod +x "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -9) > "$WORK/initrd.gz"

# SMBIOS type 3 (chassis) as a raw table: QEMU's own type 3 always says "Other", a laptop says
# "Notebook" (0x0A). Handle 0x0300 is the one QEMU gives its type 3.
printf '\003\025\000\003\001\012\000\002\003\003\003\003\003\000\000\000\000\000\000\000\000' \
    > "$WORK/chassis.bin"
printf 'LENOVO\000PF0QM042\000No Asset Information\000\000' >> "$WORK/chassis.bin"

truncate -s 256060514304 "$WORK/disk.img"
timeout 600 qemu-system-x86_64 -machine pc -accel tcg -m 2048 -display none -no-reboot \
    -kernel "$KERNEL" -initrd "$WORK/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
    -smbios type=0,vendor=LENOVO,version=N1MET64W,date=05/24/2021 \
    -smbios 'type=1,manufacturer=LENOVO,product=20HRCTO1WW,version=ThinkPad X1 Carbon 5th,serial=PF0QM042,sku=LENOVO_MT_20HR_BU_Think_FM_ThinkPad X1 Carbon 5th,family=ThinkPad X1 Carbon 5th' \
    -smbios type=2,manufacturer=LENOVO,product=20HRCTO1WW,serial=L1HF79W00AB \
    -smbios file="$WORK/chassis.bin" \
    -drive if=none,id=d0,file="$WORK/disk.img",format=raw \
    -device 'ide-hd,drive=d0,bus=ide.0,serial=QM00042,model=SAMSUNG MZ7LN256HAJQ-000L7,rotation_rate=1' \
    -serial file:"$WORK/console.txt" -serial file:"$WORK/ttyS1.txt"

tr -d '\r' < "$WORK/ttyS1.txt" | sed -n '/^BEGIN-OUTPUT$/,/^END-OUTPUT$/p' | sed '1d;$d' \
    | base64 -d | tar x -C "$HERE" --no-same-owner
cat "$HERE/exit-status.txt"
