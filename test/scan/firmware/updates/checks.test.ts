// The updates and boot analyzer's checks, on small root filesystems with the update clients' real config formats.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { bootIntegrity } from '../../../../src/scan/firmware/updates/checks/boot-integrity.ts';
import { updateMechanism } from '../../../../src/scan/firmware/updates/checks/update-mechanism.ts';
import { updatePlainHttp } from '../../../../src/scan/firmware/updates/checks/update-plain-http.ts';
import { updateSignatureVerified } from '../../../../src/scan/firmware/updates/checks/update-signature-verified.ts';
import { updateVerificationDisabled } from '../../../../src/scan/firmware/updates/checks/update-verification-disabled.ts';
import { parseIni } from '../../../../src/scan/firmware/updates/mechanisms.ts';
import { firmwareRuleTester } from '../../../helpers/firmware-rule-tester.ts';

const ELF = '\x7fELF\x02\x01\x01';
const linuxRoot = { 'etc/hostname': 'device\n', 'bin/busybox': ELF };

const RAUC_CONF = `[system]
compatible=hearthstat-hs2
bootloader=uboot

[keyring]
path=ca.cert.pem

[slot.rootfs.0]
device=/dev/mmcblk0p2
type=ext4
bootname=A
`;

const OPENWRT_OPKG = `dest root /
dest ram /tmp
lists_dir ext /var/opkg-lists
option overlay_root /overlay
option check_signature
`;
const DISTFEEDS = `src/gz openwrt_core https://downloads.openwrt.org/releases/23.05.3/targets/ath79/generic/packages
src/gz openwrt_base https://downloads.openwrt.org/releases/23.05.3/packages/mips_24kc/base
`;

const SWUPDATE_CFG = `globals :
{
\tverbose = true;
\tloglevel = 5;
\tpublic-key-file = "/etc/swupdate/public.pem";
};
suricatta :
{
\ttenant = "default";
\tid = "hs2-0001";
\turl = "http://hawkbit.example.com:8080";
};
`;

const MENDER_CONF = `{
  "ServerURL": "https://hosted.mender.io",
  "TenantToken": "dummy",
  "ArtifactVerifyKey": "/etc/mender/artifact-verify-key.pem",
  "UpdatePollIntervalSeconds": 1800
}
`;

firmwareRuleTester(updateMechanism, {
  valid: [
    { name: 'RAUC', tree: { ...linuxRoot, 'etc/rauc/system.conf': RAUC_CONF }, result: 'info', message: /RAUC/ },
    {
      name: 'a vendor updater by name',
      tree: { ...linuxRoot, 'usr/sbin/hs_ota_agent': ELF },
      result: 'info',
      message: /named like an updater: \/usr\/sbin\/hs_ota_agent/,
    },
    { name: 'not a Linux rootfs (a data partition)', tree: { 'data/config.json': '{}' }, result: 'none' },
    {
      name: 'fw_update, beside logrotate',
      tree: { 'etc/hostname': 'x', 'sbin/init': ELF, 'usr/sbin/logrotate': ELF, 'usr/sbin/fw_update': ELF },
      result: 'info',
      message: /: \/usr\/sbin\/fw_update;/,
    },
  ],
  invalid: [
    {
      name: 'a Linux rootfs with nothing that updates',
      tree: { ...linuxRoot, 'usr/sbin/logrotate': ELF },
      message: /no update mechanism found/,
    },
  ],
});

firmwareRuleTester(updateSignatureVerified, {
  valid: [
    {
      name: 'RAUC with its keyring',
      tree: { 'etc/rauc/system.conf': RAUC_CONF, 'etc/rauc/ca.cert.pem': '-----BEGIN CERTIFICATE-----\n' },
      result: 'pass',
      message: /keyring \/etc\/rauc\/ca\.cert\.pem/,
    },
    {
      name: 'OpenWrt opkg with usign keys',
      tree: {
        'bin/opkg': ELF,
        'etc/opkg.conf': OPENWRT_OPKG,
        'etc/opkg/distfeeds.conf': DISTFEEDS,
        'etc/opkg/keys/d310c6f2833e97f7': 'untrusted comment: OpenWrt usign key\nRWTTDF...\n',
      },
      result: 'pass',
    },
    { name: 'Mender with ArtifactVerifyKey', tree: { 'etc/mender/mender.conf': MENDER_CONF }, result: 'pass' },
    {
      name: 'SWUpdate built for signed images',
      tree: {
        'usr/bin/swupdate': `${ELF} -k, --key <public key file>        : file with public key to verify images\n`,
        'etc/swupdate.cfg': SWUPDATE_CFG,
      },
      result: 'pass',
    },
    {
      name: 'apt with keyrings',
      tree: {
        'usr/bin/apt-get': ELF,
        'etc/apt/sources.list': 'deb https://deb.debian.org/debian bookworm main\n',
        'usr/share/keyrings/debian-archive-keyring.gpg': 'gpg',
      },
      result: 'pass',
    },
    {
      name: 'OSTree with default verification',
      tree: {
        'ostree/repo/config': '[core]\nrepo_version=1\n',
        'etc/ostree/remotes.d/device.conf': '[remote "device"]\nurl=https://updates.example.com/repo\n',
      },
      result: 'pass',
    },
    {
      name: 'no pass when a source disables verification',
      tree: {
        'usr/bin/apt-get': ELF,
        'etc/apt/sources.list': 'deb [trusted=yes] http://repo.example.com/ stable main\n',
        'etc/apt/trusted.gpg.d/x.gpg': 'k',
      },
      result: 'none',
    },
  ],
  invalid: [],
});

firmwareRuleTester(updateVerificationDisabled, {
  valid: [
    { name: 'RAUC with its keyring', tree: { 'etc/rauc/system.conf': RAUC_CONF, 'etc/rauc/ca.cert.pem': 'pem' }, result: 'none' },
    {
      name: 'RAUC keyring missing is only information (RAUC then installs nothing)',
      tree: { 'etc/rauc/system.conf': RAUC_CONF },
      result: 'info',
      message: /not in the image/,
    },
  ],
  invalid: [
    {
      name: 'apt [trusted=yes]',
      tree: {
        'usr/bin/apt-get': ELF,
        'etc/apt/sources.list.d/vendor.list': '# vendor\ndeb [arch=arm64 trusted=yes] http://repo.example.com/ stable main\n',
      },
      message: /\[arch=arm64 trusted=yes\]/,
      path: '/etc/apt/sources.list.d/vendor.list',
    },
    {
      name: 'apt deb822 Trusted: yes',
      tree: { 'etc/apt/sources.list.d/vendor.sources': 'Types: deb\nURIs: https://repo.example.com/\nSuites: stable\nTrusted: yes\n' },
      message: /Trusted: yes/,
    },
    {
      name: 'apt AllowUnauthenticated',
      tree: { 'usr/bin/apt-get': ELF, 'etc/apt/apt.conf.d/99insecure': 'APT::Get::AllowUnauthenticated "true";\n' },
      message: /AllowUnauthenticated/,
    },
    {
      name: 'opkg without check_signature',
      tree: { 'bin/opkg': ELF, 'etc/opkg.conf': 'dest root /\nlists_dir ext /var/opkg-lists\n' },
      message: /check_signature is not set/,
    },
    { name: 'opkg check_signature without keys', tree: { 'bin/opkg': ELF, 'etc/opkg.conf': OPENWRT_OPKG }, message: /holds no usign key/ },
    {
      name: 'OSTree gpg-verify=false',
      tree: { 'etc/ostree/remotes.d/dev.conf': '[remote "dev"]\nurl=http://10.0.0.2/repo\ngpg-verify=false\n' },
      message: /gpg-verify=false/,
    },
    {
      name: 'Mender without ArtifactVerifyKey',
      tree: { 'etc/mender/mender.conf': '{\n  "ServerURL": "https://hosted.mender.io"\n}\n' },
      message: /installs unsigned artifacts/,
    },
    {
      name: 'SWUpdate built without signed images',
      tree: { 'usr/bin/swupdate': `${ELF} -f, --file <filename> : config file to use\n`, 'etc/swupdate.cfg': SWUPDATE_CFG },
      message: /without CONFIG_SIGNED_IMAGES/,
    },
    {
      name: 'apk --allow-untrusted in a cron script',
      tree: {
        'sbin/apk': ELF,
        'etc/apk/keys/alpine.rsa.pub': 'k',
        'etc/periodic/daily/update': '#!/bin/sh\napk upgrade --allow-untrusted\n',
      },
      message: /--allow-untrusted/,
    },
  ],
});

firmwareRuleTester(updatePlainHttp, {
  valid: [
    {
      name: 'https feeds',
      tree: { 'bin/opkg': ELF, 'etc/opkg.conf': OPENWRT_OPKG, 'etc/opkg/distfeeds.conf': DISTFEEDS, 'etc/opkg/keys/k': 'k' },
      result: 'none',
    },
    {
      name: 'http with signatures verified is information',
      tree: {
        'bin/opkg': ELF,
        'etc/opkg.conf': OPENWRT_OPKG,
        'etc/opkg/distfeeds.conf': DISTFEEDS.replaceAll('https://', 'http://'),
        'etc/opkg/keys/k': 'k',
      },
      result: 'info',
      message: /integrity rests on its signature check/,
    },
  ],
  invalid: [
    {
      name: 'unsigned apt source over http',
      tree: { 'etc/apt/sources.list': 'deb [trusted=yes] http://repo.example.com/ stable main\n' },
      message: /http:\/\/repo\.example\.com\/ over plain HTTP without verified signatures/,
    },
    {
      name: 'OSTree remote over http without verification',
      tree: { 'etc/ostree/remotes.d/dev.conf': '[remote "dev"]\nurl=http://10.0.0.2/repo\ngpg-verify=false\n' },
      path: '/etc/ostree/remotes.d/dev.conf',
    },
  ],
});

firmwareRuleTester(bootIntegrity, {
  valid: [
    { name: 'nothing: information, never a failure', tree: linuxRoot, result: 'info', message: /no dm-verity or verified-boot indicator/ },
    {
      name: 'roothash on the kernel command line',
      tree: {
        'boot/cmdline.txt':
          'console=ttyS0 root=/dev/dm-0 roothash=4a3f0c7e9b2d1e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f rootwait\n',
      },
      result: 'pass',
      message: /roothash/,
    },
    {
      name: 'veritytab',
      tree: { 'etc/veritytab': '# name data hash roothash\nroot /dev/mmcblk0p2 /dev/mmcblk0p3 4a3f0c7e9b2d\n' },
      result: 'pass',
    },
    {
      name: 'initramfs script opens a verity device',
      tree: { init: '#!/bin/sh\nveritysetup open /dev/mmcblk0p2 root /dev/mmcblk0p3 "$ROOTHASH"\n' },
      result: 'pass',
      path: '/init',
    },
    { name: 'only the tooling', tree: { 'usr/sbin/veritysetup': ELF }, result: 'info', message: /veritysetup/ },
    { name: 'U-Boot verify=yes', tree: { 'etc/u-boot-initial-env': 'bootdelay=0\nverify=yes\n' }, result: 'info', message: /verify=yes/ },
  ],
  invalid: [],
});

it('parseIni never throws and reads back keys', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), (text) => void parseIni(text)),
    { numRuns: 300 },
  );
  assert.deepEqual(parseIni('[a]\nk = v\n; c\n[b c]\nx=1=2\n'), [
    { section: 'a', key: 'k', value: 'v', line: 2 },
    { section: 'b c', key: 'x', value: '1=2', line: 5 },
  ]);
});
