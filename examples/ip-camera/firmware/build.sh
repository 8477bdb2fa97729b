#!/usr/bin/env bash
# Builds the HC-200 root filesystem image the way the maker's release build does: the tree in rootfs/,
# plus a dropbear SSH host key generated at build time, packed as squashfs with xz.
#
#   bash examples/ip-camera/firmware/build.sh [OUTPUT]
#
# OUTPUT defaults to examples/ip-camera/firmware/out/hc200-rootfs.squashfs. The host key is new on every
# build and never written into the source tree; everything else (owners, modes, timestamps, order) is
# fixed, so two builds differ only in that key.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/out/hc200-rootfs.squashfs}"
# 2026-09-18 00:00 UTC, the release date of LumenOS 2.3.1.
epoch="${SOURCE_DATE_EPOCH:-1789689600}"

missing=()
command -v mksquashfs >/dev/null 2>&1 || missing+=(squashfs-tools)
command -v dropbearkey >/dev/null 2>&1 || missing+=(dropbear-bin)
if [ ${#missing[@]} -gt 0 ]; then
  echo "build.sh: cannot build the image: mksquashfs and dropbearkey are needed; install them with" >&2
  echo "  apt-get install ${missing[*]}" >&2
  exit 1
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

cp -R "$here/rootfs/." "$stage/"
# Mount points and the folders busybox and the services expect; git keeps no empty folders.
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,usr/libexec/lwcam,dev,proc,sys,tmp,run,data,root,mnt}
mkdir -p "$stage"/var/{lib/lwcam,log} "$stage/etc/dropbear"
ln -sfn ../run "$stage/var/run"

# Modes as on the device, whatever the checkout's umask was.
chmod -R u=rwX,go=rX "$stage"
chmod 0755 "$stage"/etc/init.d/*
chmod 0600 "$stage/etc/shadow"
chmod 0700 "$stage/root"
chmod 1777 "$stage/tmp"

# The release build pre-generates the SSH host key to save the first boot the wait, so every unit
# flashed with this image has the same one.
dropbearkey -t ed25519 -f "$stage/etc/dropbear/dropbear_ed25519_host_key" >/dev/null 2>&1
chmod 0600 "$stage/etc/dropbear/dropbear_ed25519_host_key"

mkdir -p "$(dirname "$out")"
rm -f "$out"
mksquashfs "$stage" "$out" -comp xz -all-root -noappend -no-xattrs -mkfs-time "$epoch" -all-time "$epoch" -quiet >/dev/null
echo "built $out"
