#!/usr/bin/env bash
# Installs the Debian packages the tests use, when missing: Chromium to render and read the HTML and PDF
# documents, poppler-utils for pdftotext, and the tools that make real password hashes (mkpasswd, openssl,
# htpasswd, mosquitto_passwd, argon2), the tools that make real images and compressed streams, and the
# servers the live-probe tests start on loopback (OpenSSH, Dropbear, busybox telnetd, nginx, lighttpd,
# vsftpd, Mosquitto, libcoap's CoAP and DTLS servers, GStreamer's RTSP server). Runs as root on CI and on
# the developers' machines.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

declare -A package_for=(
  [chromium]=chromium
  [pdftotext]=poppler-utils
  [openssl]=openssl
  [mkpasswd]=whois
  [htpasswd]=apache2-utils
  [mosquitto_passwd]=mosquitto
  [argon2]=argon2
  [mksquashfs]=squashfs-tools
  [unsquashfs]=squashfs-tools
  [xz]=xz-utils
  [lzop]=lzop
  [lz4]=lz4
  [zstd]=zstd
  [bzip2]=bzip2
  [setfattr]=attr
  [cpio]=cpio
  [zip]=zip
  [unzip]=unzip
  [mkfs.ext4]=e2fsprogs
  [debugfs]=e2fsprogs
  [mkfs.jffs2]=mtd-utils
  [ubinize]=mtd-utils
  [mkfs.ubifs]=mtd-utils
  [mkimage]=u-boot-tools
  [mkenvimage]=u-boot-tools
  [fw_printenv]=libubootenv-tool
  [dtc]=device-tree-compiler
  [sshd]=openssh-server
  [ssh-keygen]=openssh-client
  [dropbear]=dropbear-bin
  [dropbearkey]=dropbear-bin
  [nginx]=nginx-light
  [lighttpd]=lighttpd
  [vsftpd]=vsftpd
  [mosquitto]=mosquitto
  [mosquitto_pub]=mosquitto-clients
  [coap-server-notls]=libcoap3-bin
  [coap-server-openssl]=libcoap3-bin
  [coap-client-notls]=libcoap3-bin
)
missing=()
for tool in "${!package_for[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_for[$tool]}")
done
# Debian's plain busybox has no telnetd applet; busybox-static has every applet.
busybox --list 2>/dev/null | grep -qx telnetd || missing+=(busybox-static)
# GStreamer's RTSP server, driven from Debian's python3 (test/helpers/servers/rtsp-server.py): a Python
# module and GStreamer plugins rather than commands, so each is looked for by what it provides.
if ! /usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0"); gi.require_version("GstRtsp", "1.0")' 2>/dev/null; then
  missing+=(python3-gi gir1.2-gst-rtsp-server-1.0)
fi
gst_has() {
  /usr/bin/python3 -c 'import sys, gi; gi.require_version("Gst", "1.0"); from gi.repository import Gst; Gst.init(None); sys.exit(0 if Gst.ElementFactory.find(sys.argv[1]) else 1)' "$1" 2>/dev/null
}
gst_has videotestsrc || missing+=(gstreamer1.0-plugins-base)
gst_has rtpjpegpay || missing+=(gstreamer1.0-plugins-good)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing Debian packages for the tests: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
