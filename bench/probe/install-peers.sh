#!/usr/bin/env bash
# The peer tools the probe benchmark runs side by side with Baseline, from Debian: nmap, ssh-audit, testssl.sh.
set -euo pipefail
missing=()
command -v nmap >/dev/null 2>&1 || missing+=(nmap)
command -v ssh-audit >/dev/null 2>&1 || missing+=(ssh-audit)
command -v testssl >/dev/null 2>&1 || missing+=(testssl.sh)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing the benchmark's peer tools: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
