#!/usr/bin/env bash
# Fetches the kernel .config that Debian ships in its kernel image packages for amd64 and arm64, so the
# Linux config rules can be tested against real distribution kernels. It follows each architecture's
# metapackage (linux-image-amd64, linux-image-arm64) to the versioned image package it depends on,
# downloads that .deb with apt-get and takes /boot/config-* out of it.
#
# Idempotent: an architecture whose config is already in the cache is skipped without touching the
# network. Set DEBIAN_KERNELS_REFRESH=1 to fetch again, DEBIAN_KERNELS_DIR to use another folder.
# Runs as root (as on CI); otherwise it uses sudo for the apt steps that change the system.
# Prints the path of each config, one a line, on standard output; progress goes to standard error.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${DEBIAN_KERNELS_DIR:-test/.cache/debian-kernels}"
archs=(amd64 arm64)
refresh="${DEBIAN_KERNELS_REFRESH:-0}"

say() { echo "fetch-debian-kernel-configs: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}

for tool in apt-get apt-cache dpkg dpkg-deb tar; do
  command -v "$tool" >/dev/null 2>&1 || die "needs $tool (a Debian or Ubuntu system with apt)"
done
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive

mkdir -p "$cache"

# The config already cached for an architecture, if any (the newest by name).
cached_config() {
  local arch=$1 found=
  for f in "$cache"/config-*-"$arch"; do
    if [ -f "$f" ]; then found=$f; fi
  done
  printf '%s' "$found"
}

todo=()
for arch in "${archs[@]}"; do
  existing=$(cached_config "$arch")
  if [ -n "$existing" ] && [ "$refresh" != 1 ]; then
    say "$arch: already have $existing"
  else
    todo+=("$arch")
  fi
done

if [ ${#todo[@]} -gt 0 ]; then
  native=$(dpkg --print-architecture)
  foreign=$(dpkg --print-foreign-architectures)
  need_update=0
  for arch in "${todo[@]}"; do
    if [ "$arch" != "$native" ] && ! grep -qx "$arch" <<<"$foreign"; then
      say "adding $arch as a foreign architecture so apt can see its packages"
      $sudo dpkg --add-architecture "$arch"
      need_update=1
    fi
    apt-cache show "linux-image-$arch:$arch" >/dev/null 2>&1 || need_update=1
  done
  if [ "$need_update" = 1 ]; then
    say "apt-get update"
    $sudo apt-get update -qq || die "apt-get update failed (no network, or a broken sources list?)"
  fi

  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # apt drops to the _apt user to download; let it write here (it only warns when it cannot).
  chmod 0777 "$work"

  for arch in "${todo[@]}"; do
    meta="linux-image-$arch"
    # The candidate metapackage's Depends names the versioned image, e.g. linux-image-6.1.0-28-arm64.
    depends=$(apt-cache show --no-all-versions "$meta:$arch" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1)
    [ -n "$depends" ] || die "$arch: apt knows no package $meta:$arch (is the Debian main archive in the sources list?)"
    image=$(printf '%s\n' "$depends" | tr ',' '\n' | sed 's/^ *//; s/[ (:].*//' | grep -E "^linux-image-[0-9].*-$arch(-unsigned)?$" | head -n 1 || true)
    [ -n "$image" ] || die "$arch: cannot find the versioned kernel image among $meta's dependencies: $depends"
    say "$arch: $meta depends on $image; downloading it"
    (cd "$work" && apt-get download -qq "$image:$arch" >/dev/null 2>"$work/apt-$arch.log") ||
      die "$arch: apt-get download $image:$arch failed: $(tail -n 3 "$work/apt-$arch.log")"
    deb=$(find "$work" -maxdepth 1 -name "${image}_*_${arch}.deb" | head -n 1)
    [ -n "$deb" ] || die "$arch: apt-get download left no ${image}_*_${arch}.deb"

    unpacked="$work/$arch"
    mkdir -p "$unpacked"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$unpacked" --wildcards './boot/config-*' ||
      die "$arch: $deb has no /boot/config-*"
    config=$(find "$unpacked/boot" -maxdepth 1 -name 'config-*' | head -n 1)
    [ -n "$config" ] || die "$arch: $deb has no /boot/config-*"
    name=$(basename "$config")
    # Keep one config per architecture: a refresh replaces the older one.
    for old in "$cache"/config-*-"$arch"; do
      if [ -f "$old" ] && [ "$(basename "$old")" != "$name" ]; then rm -f "$old"; fi
    done
    cp "$config" "$cache/$name.tmp"
    mv "$cache/$name.tmp" "$cache/$name"
    say "$arch: wrote $cache/$name"
  done
fi

for arch in "${archs[@]}"; do
  config=$(cached_config "$arch")
  [ -n "$config" ] || die "$arch: no config in $cache after fetching"
  echo "$config"
done
