// The software inventory: a real dpkg status slice (20 stanzas from a Debian 12 system), an OpenWrt opkg
// database, an Alpine apk database, version strings in binary-ish files, and the CycloneDX SBOM.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { openDirectoryFs } from '../../../../src/scan/firmware/directory-fs.ts';
import { firmwareContext } from '../../../../src/scan/firmware/firmware-check.ts';
import { shippedSbom } from '../../../../src/scan/firmware/inventory/checks/shipped-sbom.ts';
import { softwareInventoryCheck } from '../../../../src/scan/firmware/inventory/checks/software-inventory.ts';
import { buildSbom, softwareInventory } from '../../../../src/scan/firmware/inventory/index.ts';
import { purl } from '../../../../src/scan/firmware/inventory/purl.ts';
import { parseApkInstalled, parseControlStanzas, parseOsRelease } from '../../../../src/scan/firmware/inventory/stanzas.ts';
import { BUSYBOX, findVersion, OPENSSL } from '../../../../src/scan/firmware/inventory/version-strings.ts';
import { buildTree, firmwareRuleTester, type Tree } from '../../../helpers/firmware-rule-tester.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const DPKG_STATUS = readFileSync(new URL('fixtures/dpkg-status', import.meta.url), 'utf8');
const DEBIAN_OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n';

const OPENWRT_OS_RELEASE = `NAME="OpenWrt"
VERSION="23.05.3"
ID="openwrt"
ID_LIKE="lede openwrt"
PRETTY_NAME="OpenWrt 23.05.3"
VERSION_ID="23.05.3"
BUILD_ID="r23809-234f1a2efa"
OPENWRT_BOARD="ath79/generic"
OPENWRT_ARCH="mips_24kc"
`;

const OPKG_STATUS = `Package: busybox
Version: 1.36.1-1
Depends: libc
Status: install user installed
Architecture: mips_24kc
Conffiles:
 /etc/syslog.conf 5b2b4fa2b1b0b2a0d6f6d2b2b3a2f0a3f5c5c0f7f0e5c8e1f0a7d2c4b1e3f5a6
Installed-Time: 1710437580

Package: dropbear
Version: 2022.82-6
Depends: libc
Status: install user installed
Architecture: mips_24kc
Conffiles:
 /etc/config/dropbear 7ef3b6d9d9ba0b1c4d0c2fa3e6f0a8d5c1b2a3e4f5d6c7b8a9e0f1d2c3b4a5e6
Installed-Time: 1710437580

Package: libustream-mbedtls20201210
Version: 2023.02.25~498f6e26-1
Depends: libc, libubox20230523, libmbedtls12
Status: install user installed
Architecture: mips_24kc
Installed-Time: 1710437580

Package: luci-app-firewall
Version: git-24.086.45142-09d5a38
Depends: libc, firewall4
Status: deinstall hold not-installed
Architecture: all
`;

const OPKG_CONTROL_DROPBEAR = `Package: dropbear
Version: 2022.82-6
Depends: libc
License: MIT
Section: net
SourceName: dropbear
SourceDateEpoch: 1709754722
Maintainer: Felix Fietkau <nbd@nbd.name>
Architecture: mips_24kc
Installed-Size: 112640
Description:  A small SSH2 server/client designed for small memory environments.
`;

const OPKG_CONTROL_BUSYBOX = `Package: busybox
Version: 1.36.1-1
Depends: libc
License: GPL-2.0
Section: base
SourceName: busybox
Architecture: mips_24kc
Description:  The Swiss Army Knife of embedded Linux.
`;

const APK_INSTALLED = `C:Q1Z5L5ZVv8FcvZ4Fz5h5gq8ZqCTmI=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407574
I:667648
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
t:1705581540
c:0bcb1a0ec6c2a0b9cd8c6a08a2b8ad1b50fa0a0e
r:libc6
p:so:libc.musl-x86_64.so.1=1
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1VdXp/EyxTNlc7BopJdX4XJo0i3Y=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q1srmp2K7iqnmvmgoEzlbNOHlCGpg=

C:Q1lBNOZNQ8c7KQ4z5w8GbYQVbN0H0=
P:busybox
V:1.36.1-r15
A:x86_64
S:509616
I:929792
T:Size optimized toolbox of many common UNIX utilities
U:https://busybox.net/
L:GPL-2.0-only
o:busybox
m:Sören Tempel <soeren+alpine@soeren-tempel.net>
t:1700068050
c:7b3ffe5c7e5c14e0c1f6bb0c2d5e3a7bb0d6c2d8
D:so:libc.musl-x86_64.so.1
p:cmd:busybox=1.36.1-r15
F:bin
R:busybox
a:0:0:755

C:Q1l0Qk0r9Zz1k7p7Cq7YyZ9G1c5q4=
P:libcrypto3
V:3.1.4-r5
A:x86_64
S:1743716
I:4206592
T:Crypto library from openssl
U:https://www.openssl.org/
L:Apache-2.0
o:openssl
m:Ariadne Conill <ariadne@dereferenced.org>
t:1706029745
c:f5a4fe5c1d9d3e4f1a9b2c0d3e8f7a6b5c4d3e2f
D:so:libc.musl-x86_64.so.1
p:so:libcrypto.so.3=3
F:lib
R:libcrypto.so.3
`;

const ALPINE_OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n';

/** Bytes that look like a stripped binary with a version string inside. */
function binaryWith(text: string, size = 64 * 1024): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + 7) & 0xff;
  bytes.set([0x7f, 0x45, 0x4c, 0x46], 0);
  // A decoy before the real string, as usage texts have.
  bytes.set(Buffer.from('OpenSSL \0BusyBox v\0'), 1000);
  bytes.set(Buffer.from(`\0${text}\0`), size / 2);
  return bytes;
}

function inventoryOf(tree: Tree) {
  return softwareInventory(firmwareContext(openDirectoryFs(buildTree(tree)), 'test'));
}

describe('software inventory', () => {
  it('reads the 20 installed packages of a real dpkg status slice, with purls', () => {
    const inventory = inventoryOf({ 'var/lib/dpkg/status': DPKG_STATUS, 'etc/os-release': DEBIAN_OS_RELEASE });
    const packages = inventory.components.filter((c) => c.source === 'dpkg');
    assert.equal(packages.length, 20);
    const libssl = packages.find((c) => c.name === 'libssl3');
    assert.ok(libssl);
    assert.equal(libssl.sourcePackage, 'openssl');
    assert.match(libssl.purl ?? '', /^pkg:deb\/debian\/libssl3@3\.0\.\d+-1~deb12u\d\?arch=\w+&distro=debian-12&upstream=openssl$/);
    const login = packages.find((c) => c.name === 'login');
    assert.match(login?.purl ?? '', /^pkg:deb\/debian\/login@1:4\.13%2Bdfsg1-1%2Bdeb12u1\?/);
    assert.equal(libssl.evidence, '/var/lib/dpkg/status');
    const os = inventory.components.find((c) => c.type === 'operating-system');
    assert.equal(os?.purl, 'pkg:generic/debian@12');
    assert.equal(os?.description, 'Debian GNU/Linux 12 (bookworm)');
  });

  it('skips packages that are not installed and reads distroless status.d files', () => {
    const removed =
      'Package: old\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: kept\nStatus: install ok installed\nVersion: 2.0\nArchitecture: amd64\n';
    const inventory = inventoryOf({
      'var/lib/dpkg/status': removed,
      'var/lib/dpkg/status.d/tzdata': 'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n',
      'var/lib/dpkg/status.d/tzdata.md5sums': 'abc  usr/share/zoneinfo/UTC\n',
    });
    assert.deepEqual(
      inventory.components.map((c) => `${c.name}@${c.version}`),
      ['kept@2.0', 'tzdata@2024a-0+deb12u1'],
    );
  });

  it('reads an OpenWrt opkg status with licences from the control files', () => {
    const inventory = inventoryOf({
      'usr/lib/opkg/status': OPKG_STATUS,
      'usr/lib/opkg/info/dropbear.control': OPKG_CONTROL_DROPBEAR,
      'usr/lib/opkg/info/busybox.control': OPKG_CONTROL_BUSYBOX,
      'etc/os-release': OPENWRT_OS_RELEASE,
      'bin/busybox': binaryWith('BusyBox v1.36.1 (2024-03-22 22:09:42 UTC) multi-call binary.'),
    });
    const opkg = inventory.components.filter((c) => c.source === 'opkg');
    assert.deepEqual(
      opkg.map((c) => c.name),
      ['busybox', 'dropbear', 'libustream-mbedtls20201210'],
    );
    assert.deepEqual(opkg[1]?.licenses, ['MIT']);
    assert.equal(opkg[1]?.purl, 'pkg:opkg/openwrt/dropbear@2022.82-6?arch=mips_24kc');
    // The busybox string duplicates the package, so it is not listed twice.
    assert.equal(inventory.components.filter((c) => c.name === 'busybox').length, 1);
    assert.equal(inventory.os?.versionId, '23.05.3');
  });

  it('reads an Alpine apk database', () => {
    const inventory = inventoryOf({ 'lib/apk/db/installed': APK_INSTALLED, 'etc/os-release': ALPINE_OS_RELEASE });
    const apk = inventory.components.filter((c) => c.source === 'apk');
    assert.deepEqual(
      apk.map((c) => [c.name, c.version, c.licenses[0], c.sourcePackage]),
      [
        ['musl', '1.2.4_git20230717-r4', 'MIT', 'musl'],
        ['busybox', '1.36.1-r15', 'GPL-2.0-only', 'busybox'],
        ['libcrypto3', '3.1.4-r5', 'Apache-2.0', 'openssl'],
      ],
    );
    assert.equal(apk[2]?.purl, 'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1');
  });

  it('finds busybox, OpenSSL, dropbear and the kernel by their version strings', () => {
    const inventory = inventoryOf({
      'bin/busybox': binaryWith('BusyBox v1.35.0 (2023-01-10 12:00:00 UTC) multi-call binary.'),
      'usr/lib/libcrypto.so.1.1': binaryWith('OpenSSL 1.1.1w  11 Sep 2023'),
      'lib/libcrypto.so.3': binaryWith('OpenSSL 3.0.11 19 Sep 2023'),
      'usr/sbin/dropbear': binaryWith('SSH-2.0-dropbear_2022.83'),
      'lib/modules/5.15.137/modules.dep': 'kernel/drivers/net/foo.ko:\n',
      'boot/Image': binaryWith('Linux version 5.15.137 (builder@buildhost) (aarch64-linux-gnu-gcc (GCC) 12.2.0) #1 SMP PREEMPT'),
    });
    const byName = inventory.components.map((c) => `${c.name}@${c.version} ${c.purl}`).sort();
    assert.deepEqual(byName, [
      'busybox@1.35.0 pkg:generic/busybox@1.35.0',
      'dropbear@2022.83 pkg:generic/dropbear@2022.83',
      'linux@5.15.137 pkg:generic/linux@5.15.137',
      'openssl@1.1.1w pkg:generic/openssl@1.1.1w',
      'openssl@3.0.11 pkg:generic/openssl@3.0.11',
    ]);
  });
});

describe('version strings', () => {
  it('skips needles that are not followed by a version', () => {
    assert.equal(findVersion(Buffer.from('OpenSSL \0 OpenSSL 3.2.1 30 Jan 2024\0'), OPENSSL), '3.2.1');
    assert.equal(findVersion(Buffer.from('BusyBox vx BusyBox v1.36.1 ('), BUSYBOX), '1.36.1');
    assert.equal(findVersion(Buffer.from('nothing here'), BUSYBOX), undefined);
  });
  it('stays linear on a file full of needles', () => {
    const bytes = Buffer.from('BusyBox v'.repeat(200_000));
    const start = cpuClock();
    assert.equal(findVersion(bytes, BUSYBOX), undefined);
    assert.ok(start() < 1000);
  });
});

describe('inventory parsers under fuzzing', () => {
  it('never throw and keep their bounds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        for (const s of parseControlStanzas(text)) assert.ok(s.line >= 1);
        parseApkInstalled(text);
        parseOsRelease(text);
      }),
      { numRuns: 500 },
    );
  });
  it('read back the fields of generated stanzas', () => {
    const field = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
    const value = fc
      .stringMatching(/^[!-~][ -~]{0,30}$/)
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(field, value), { selector: ([k]) => k, minLength: 1, maxLength: 8 }), (pairs) => {
        const text = pairs.map(([k, v]) => `${k}: ${v}`).join('\n');
        const [stanza] = parseControlStanzas(text);
        for (const [k, v] of pairs) assert.equal(stanza?.fields.get(k), v);
      }),
    );
  });
  it('purls percent-encode what the spec asks for', () => {
    assert.equal(
      purl({ type: 'deb', namespace: 'debian', name: 'libstdc++6', version: '12.2.0-14', qualifiers: { arch: 'amd64' } }),
      'pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64',
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), (name, version) => {
        const p = purl({ type: 'generic', name: name || 'x', ...(version ? { version } : {}) });
        assert.ok(!/[\s?#]/.test(p.slice(4).split('?')[0] ?? ''));
      }),
    );
  });
});

describe('CycloneDX SBOM', () => {
  const components = () =>
    inventoryOf({
      'var/lib/dpkg/status': DPKG_STATUS,
      'etc/os-release': DEBIAN_OS_RELEASE,
      'usr/lib/opkg/status': OPKG_STATUS,
      'usr/lib/opkg/info/dropbear.control': OPKG_CONTROL_DROPBEAR,
      'lib/apk/db/installed': APK_INSTALLED,
      'bin/busybox': binaryWith('BusyBox v1.36.1 (2024-03-22) multi-call binary.'),
    }).components;

  it('writes CycloneDX 1.6 JSON with the image, the tool and every component', () => {
    const list = components();
    const json = buildSbom(list, {
      name: 'thermostat-fw-2.4.1.bin',
      version: '2.4.1',
      toolVersion: '0.1.0',
      serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
      timestamp: new Date('2025-01-01T00:00:00Z'),
      sha256: 'a'.repeat(64),
    });
    interface Component {
      name: string;
      'bom-ref': string;
      licenses?: unknown[];
      properties?: { name: string; value: string }[];
    }
    const bom = JSON.parse(json) as {
      bomFormat: string;
      specVersion: string;
      serialNumber: string;
      metadata: { timestamp: string; tools: { components: { name: string }[] }; component: { type: string; name: string } };
      components: Component[];
      dependencies: { ref: string; dependsOn?: string[] }[];
    };
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    assert.equal(bom.serialNumber, 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79');
    assert.equal(bom.metadata.timestamp, '2025-01-01T00:00:00.000Z');
    assert.equal(bom.metadata.tools.components[0]?.name, 'Baseline');
    assert.equal(bom.metadata.component.type, 'firmware');
    assert.equal(bom.metadata.component.name, 'thermostat-fw-2.4.1.bin');
    assert.equal(bom.components.length, list.length);
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    assert.equal(refs.size, list.length, 'bom-refs are unique');
    const musl = bom.components.find((c) => c.name === 'musl');
    assert.deepEqual(musl?.licenses, [{ license: { id: 'MIT' } }]);
    assert.ok(musl?.properties?.some((p) => p.name === 'baseline:evidence' && p.value === '/lib/apk/db/installed'));
    const imageDeps = bom.dependencies.find((d) => d.ref === 'image');
    assert.equal(imageDeps?.dependsOn?.length, list.length);
  });

  it('validates against the CycloneDX 1.6 JSON schema (when the optional ajv peers are installed)', async (t) => {
    const CDX = await import('@cyclonedx/cyclonedx-library');
    const json = buildSbom(components(), { name: 'fw.bin', toolVersion: '0.1.0' });
    const validator = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6);
    try {
      const errors = await validator.validate(json);
      assert.equal(errors, null, JSON.stringify(errors));
    } catch (error) {
      if (error instanceof CDX.Validation.MissingOptionalDependencyError) t.skip(`schema validation needs ${error.message}`);
      else throw error;
    }
  });
});

firmwareRuleTester(softwareInventoryCheck, {
  valid: [
    {
      name: 'a dpkg database',
      tree: { 'var/lib/dpkg/status': DPKG_STATUS },
      result: 'info',
      message: /^dpkg database: 20 installed packages$/,
    },
    { name: 'nothing to inventory', tree: { 'etc/hostname': 'x\n' }, result: 'none' },
    {
      name: 'a busybox string',
      tree: { 'bin/busybox': binaryWith('BusyBox v1.36.1 (2024)') },
      result: 'info',
      message: /^version string: busybox 1\.36\.1$/,
    },
  ],
  invalid: [],
});

firmwareRuleTester(shippedSbom, {
  valid: [
    {
      name: 'a CycloneDX SBOM in the image',
      tree: { 'usr/share/sbom/image.cdx.json': '{"bomFormat":"CycloneDX","specVersion":"1.6"}' },
      result: 'pass',
    },
    { name: 'an SPDX document', tree: { 'usr/share/common-licenses/rootfs.spdx.json': '{"spdxVersion":"SPDX-2.3"}' }, result: 'pass' },
    { name: 'a bom.json that is something else', tree: { 'www/bom.json': '{"items":[]}' }, result: 'none' },
  ],
  invalid: [],
});
