// The MCUboot kind as `baseline scan config` and `baseline rules` use it: detection, forced --kind on
// something else, keys, facts, parts not read, and the rule listing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadEtsiCatalog } from '../../../../src/catalog/load.ts';
import { findingSchema } from '../../../../src/findings/schema.ts';
import { InputError } from '../../../../src/io/input-error.ts';
import { mcubootKind } from '../../../../src/scan/config/mcuboot/index.ts';
import { loadSampleKeys, SAMPLE_KEYS_FILE } from '../../../../src/scan/config/mcuboot/sample-keys.ts';
import { configFileFrom, scanConfigFiles } from '../../../../src/scan/config/scan-config.ts';
import { buildImage, generateKey, layout, sharedKey, toIntelHex } from '../../../helpers/mcuboot-image-builder.ts';
import { fixture, fixtureKey, keyOption, resultsOf, scanImage } from './scan-image.ts';

const text = (s: string) => new TextEncoder().encode(s);
const file = (bytes: Uint8Array, path = 'input') => configFileFrom(path, bytes);

describe('MCUboot kind: detection', () => {
  it('is certain of a binary image by its magic at offset 0', () => {
    assert.equal(mcubootKind.detect(file(fixture('app-hash-only.bin'))), 1);
    assert.equal(mcubootKind.detect(file(Uint8Array.of(0x3d, 0xb8, 0xf3, 0x96))), 1);
  });

  it('scores Intel HEX high when its data starts with the magic', () => {
    assert.equal(mcubootKind.detect(file(fixture('app-ec256.signed.hex'))), 0.95);
  });

  it('scores 0 for anything else', () => {
    for (const content of [
      '',
      'CONFIG_STACKPROTECTOR_STRONG=y\n# CONFIG_DEVMEM is not set\n',
      'enable_uart=0\n',
      toIntelHex(Uint8Array.of(1, 2, 3, 4), 0),
      ':10000000BADBADBAD\n',
      '\x96\xf3\xb8\x3d',
    ]) {
      assert.equal(mcubootKind.detect(file(text(content))), 0, JSON.stringify(content));
    }
    assert.equal(mcubootKind.detect(file(Uint8Array.of(0x3d, 0xb8, 0xf3))), 0);
  });
});

describe('MCUboot kind: input errors', () => {
  it('refuses a file that is not an MCUboot image when forced with --kind mcuboot', () => {
    assert.throws(
      () => mcubootKind.scan(file(text('CONFIG_FOO=y\n'), '.config'), {}),
      (error: Error) => error instanceof InputError && /^\.config: not an MCUboot image: no image magic 0x96f3b83d/.test(error.message),
    );
    assert.throws(
      () => scanConfigFiles([file(text('hello\n'), 'notes.txt')], { kind: 'mcuboot' }, { name: 't', version: '0' }),
      (error: Error) => error instanceof InputError && /notes\.txt: not an MCUboot image/.test(error.message),
    );
  });

  it('refuses Intel HEX whose data is not an MCUboot image', () => {
    assert.throws(
      () => mcubootKind.scan(file(text(toIntelHex(new Uint8Array(64), 0x8000)), 'zephyr.hex'), {}),
      (error: Error) => error instanceof InputError && /lowest address 0x8000 does not start with the image magic/.test(error.message),
    );
  });

  it('names the line of a broken Intel HEX record', () => {
    const hex = toIntelHex(buildImage(), 0x10000).split('\n');
    hex[3] = `${hex[3]?.slice(0, -2)}00`;
    assert.throws(
      () => mcubootKind.scan(file(text(hex.join('\n')), 'app.hex'), {}),
      (error: Error) => error instanceof InputError && error.message === 'app.hex:4: Intel HEX: checksum mismatch',
    );
  });

  it('refuses a --key that is not a PEM public key, or a key MCUboot cannot use', () => {
    const image = fixture('app-ed25519.signed.bin');
    assert.throws(() => scanImage(image, { keys: [{ path: 'k.pem', pem: 'not a key' }] }), /^InputError: k\.pem: not a PEM public key$/);
    const dir = mkdtempSync(join(tmpdir(), 'baseline-mcuboot-'));
    try {
      const rsa1024 = join(dir, 'rsa1024.pem');
      execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', rsa1024], { stdio: 'pipe' });
      assert.throws(
        () => scanImage(image, { keys: [{ path: 'rsa1024.pem', pem: readFileSync(rsa1024, 'utf8') }] }),
        /rsa1024\.pem: rsa 1024 .*keys cannot sign MCUboot images/,
      );
      const ed448 = join(dir, 'ed448.pem');
      execFileSync('openssl', ['genpkey', '-algorithm', 'ed448', '-out', ed448], { stdio: 'pipe' });
      assert.throws(
        () => scanImage(image, { keys: [{ path: 'ed448.pem', pem: readFileSync(ed448, 'utf8') }] }),
        /ed448\.pem: ed448 keys cannot sign/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('MCUboot kind: facts and parts not read', () => {
  it('reports version, hash and signature algorithms, load address, size, security counter and TLVs', () => {
    const key = sharedKey('ecdsa-p384');
    const image = buildImage({
      key,
      version: { major: 2, minor: 0, revision: 17, buildNum: 4242 },
      loadAddr: 0x20000000,
      securityCounter: 0x02000011,
      payload: new Uint8Array(1000).fill(7),
    });
    const scan = scanImage(image, { keys: [keyOption(key)] });
    assert.deepEqual(scan.facts, {
      format: 'MCUboot image',
      version: '2.0.17+4242',
      'image size': '1000 bytes',
      'header size': '512 bytes',
      'load address': '0x20000000',
      'RAM load address': '0x20000000',
      flags: 'RAM_LOAD',
      'protected TLVs': 'SEC_CNT',
      TLVs: 'SHA384 KEYHASH ECDSA_SIG',
      'security counter': String(0x02000011),
      'key hash': scan.facts['key hash'],
      'hash algorithm': 'SHA-384',
      'signature algorithm': 'ECDSA P-384',
    });
    assert.match(scan.facts['key hash'] ?? '', /^[0-9a-f]{96}$/);
  });

  it('names pure Ed25519 and a P-384 signature even without the key', () => {
    assert.equal(scanImage(buildImage({ key: sharedKey('ed25519'), pure: true })).facts['signature algorithm'], 'Ed25519 (pure)');
    assert.equal(scanImage(buildImage({ key: sharedKey('ecdsa-p384') })).facts['signature algorithm'], 'ECDSA P-384');
    assert.equal(scanImage(buildImage({ key: sharedKey('ecdsa-p256') })).facts['signature algorithm'], 'ECDSA P-256');
  });

  it('lists what a truncated image kept from being checked', () => {
    const image = buildImage({ key: sharedKey('ed25519') });
    const cut = image.subarray(0, layout(image).tlvEnd - 10);
    const scan = scanImage(cut, { keys: [keyOption(sharedKey('ed25519'))] }, 'cut.bin');
    assert.deepEqual(resultsOf(scan, 'image-structure'), ['fail']);
    assert.deepEqual(resultsOf(scan, 'image-hash'), ['pass'], 'the hash TLV was read whole before the cut');
    assert.deepEqual(resultsOf(scan, 'signature'), []);
    assert.deepEqual(scan.incomplete, [{ part: 'cut.bin: signature', reason: 'the TLV area is truncated or malformed' }]);
    const early = scanImage(image.subarray(0, 700), {}, 'early.bin');
    assert.deepEqual(early.incomplete, [{ part: 'early.bin: image hash, signature', reason: 'the payload is truncated' }]);
    assert.deepEqual(
      early.findings.map((f) => f.check),
      ['config/mcuboot/image-structure'],
    );
  });

  it('writes findings in the shared format, located at the file', () => {
    const scan = scanImage(fixture('app-ed25519-tampered.signed.bin'), { keys: [fixtureKey('own-ed25519.pub.pem')] }, 'fw/app.bin');
    for (const finding of scan.findings) {
      assert.doesNotThrow(() => findingSchema.parse(finding));
      assert.deepEqual(finding.location, { path: 'fw/app.bin' });
      assert.ok(finding.remediation);
    }
  });

  it('reads each of several files with scan config, detecting the kind', () => {
    const { results, scanned } = scanConfigFiles(
      [file(fixture('app-rsa2048.signed.bin'), 'a.bin'), file(fixture('app-ec256.signed.hex'), 'b.hex')],
      { keys: [fixtureKey('own-rsa2048.pub.pem'), fixtureKey('own-ec256.pub.pem')] },
      { name: 'baseline-scan-config', version: '0' },
    );
    assert.deepEqual(
      scanned.map((s) => [s.path, s.kind, s.facts['load address']]),
      [
        ['a.bin', 'mcuboot', '0x0'],
        ['b.hex', 'mcuboot', '0x10000'],
      ],
    );
    assert.equal(results.findings.filter((f) => f.result === 'fail').length, 0);
  });
});

describe('MCUboot kind: rules', () => {
  const rules = mcubootKind.rules();

  it('lists every check, with the TLV it reads', () => {
    assert.deepEqual(
      rules.map((r) => [r.id, r.setting.split(' (')[0]]),
      [
        ['config/mcuboot/image-structure', 'image header, TLV info'],
        ['config/mcuboot/image-hash', 'image hash TLV'],
        ['config/mcuboot/signature', 'signature TLV'],
        ['config/mcuboot/sample-key', 'KEYHASH TLV'],
      ],
    );
    for (const rule of rules) {
      assert.equal(rule.kind, 'mcuboot');
      assert.ok(rule.rationale.length > 40 && rule.source.length > 10 && rule.expected.length > 10);
    }
  });

  it('names only provisions the V2.1.1 catalog knows', () => {
    const catalog = loadEtsiCatalog('2.1.1');
    for (const rule of rules) for (const id of rule.provisions) assert.ok(catalog.byId.has(id), `${rule.id}: ${id}`);
  });

  it('every finding a scan produces comes from a listed rule', () => {
    const ids = new Set(rules.map((r) => r.id));
    const scan = scanImage(fixture('app-ec256-samplekey.signed.bin'));
    for (const f of scan.findings) assert.ok(ids.has(f.check), f.check);
  });
});

describe('MCUboot sample keys (catalog/rules/mcuboot-sample-keys.yaml)', () => {
  const keys = loadSampleKeys();

  it('holds the public halves of the root-*.pem keys in the fixtures', () => {
    for (const name of ['root-ec-p256', 'root-ec-p384', 'root-ed25519', 'root-rsa-2048', 'root-rsa-3072']) {
      const pem = readFileSync(new URL(`../../../fixtures/mcuboot/sample-keys/${name}.pub.pem`, import.meta.url), 'utf8');
      const key = keys.find((k) => k.name === `${name}.pem`);
      assert.ok(key, name);
      assert.equal(key.key.export({ type: 'spki', format: 'pem' }).toString().trim(), pem.trim(), name);
    }
  });

  it('records the KEYHASH imgtool wrote into the sample-key fixture', () => {
    const p256 = keys.find((k) => k.name === 'root-ec-p256.pem');
    const tlv = layout(fixture('app-ec256-samplekey.signed.bin')).tlvs.find((t) => t.type === 0x01);
    assert.equal(p256?.keyhash, Buffer.from(tlv?.value ?? []).toString('hex'));
  });

  it('refuses the file when a recorded KEYHASH does not match its key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baseline-mcuboot-'));
    try {
      const path = join(dir, 'keys.yaml');
      writeFileSync(path, readFileSync(SAMPLE_KEYS_FILE, 'utf8').replace('e30466f6', 'e30466f7'));
      assert.throws(() => loadSampleKeys(path), /keys\.0 \(root-ec-p256\.pem\): keyhash e30466f7\w+ is not the key's sha256 \(e30466f6/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a freshly generated key is not a sample key', () => {
    const key = generateKey('ed25519');
    const scan = scanImage(buildImage({ key }), { keys: [keyOption(key)] });
    assert.deepEqual(resultsOf(scan, 'sample-key'), ['pass']);
  });
});
