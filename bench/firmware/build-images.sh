#!/usr/bin/env bash
# Builds the benchmark's input: a Debian bookworm root filesystem made by debootstrap (minbase plus
# openssh-server and busybox, about 300 MB), packed as squashfs with xz and as tar.gz. Runs as root
# (debootstrap needs it). Cached in bench/.cache; set BENCH_REBUILD=1 to build again.
set -euo pipefail
cd "$(dirname "$0")/../.."

cache=bench/.cache
rootfs=$cache/rootfs
mkdir -p "$cache"
for tool in debootstrap mksquashfs tar; do
  command -v "$tool" >/dev/null || { echo "build-images: installing $tool" >&2; apt-get install -y -qq debootstrap squashfs-tools >/dev/null; }
done

if [ "${BENCH_REBUILD:-0}" = 1 ]; then rm -rf "$rootfs" "$cache"/rootfs.*; fi
if [ ! -f "$rootfs/etc/os-release" ]; then
  echo "build-images: debootstrap bookworm into $rootfs (a few minutes)" >&2
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=openssh-server,busybox bookworm "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  # A device image has no package caches.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
fi
[ -f "$cache/rootfs.squashfs" ] || mksquashfs "$rootfs" "$cache/rootfs.squashfs" -comp xz -noappend -quiet -no-progress
[ -f "$cache/rootfs.tar.gz" ] || tar -C "$rootfs" -czf "$cache/rootfs.tar.gz" .
du -sb "$rootfs" | awk '{ printf "rootfs %s bytes\n", $1 }' >&2
ls -l "$cache"/rootfs.squashfs "$cache"/rootfs.tar.gz >&2
