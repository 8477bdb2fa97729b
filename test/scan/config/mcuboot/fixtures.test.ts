// The imgtool 2.4.0 test vectors (test/fixtures/mcuboot/README.md): each gets the verdict the README states.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mcubootKind } from '../../../../src/scan/config/mcuboot/index.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import { findingsOf, fixture, fixtureKey, resultsOf, scanImage } from './scan-image.ts';

describe('MCUboot imgtool fixtures', () => {
  it('app-ec256-samplekey.signed.bin: valid signature, but with the sample key root-ec-p256.pem: fails 5.3-7 and 5.7-1', () => {
    const scan = scanImage(fixture('app-ec256-samplekey.signed.bin'), { keys: [fixtureKey('sample-keys/root-ec-p256.pub.pem')] });
    assert.deepEqual(resultsOf(scan, 'image-structure'), ['pass']);
    assert.deepEqual(resultsOf(scan, 'image-hash'), ['pass']);
    assert.deepEqual(resultsOf(scan, 'signature'), ['pass']);
    const [sample] = findingsOf(scan, 'sample-key');
    assert.equal(sample?.result, 'fail');
    assert.equal(sample?.severity, 'critical');
    assert.deepEqual(sample?.provisions, ['5.3-7', '5.7-1']);
    assert.match(sample?.message ?? '', /published sample key root-ec-p256\.pem/);
    assert.match(sample?.evidence ?? '', /KEYHASH e30466f6b8470c1f29070b17f1e2d3e94d445e3f608087fdc711e4382bb538b6/);
    assert.equal(scan.facts['signature algorithm'], 'ECDSA P-256');
  });

  it('app-ec256-samplekey.signed.bin fails the sample-key check with no key given too', () => {
    const scan = scanImage(fixture('app-ec256-samplekey.signed.bin'));
    assert.deepEqual(resultsOf(scan, 'sample-key'), ['fail']);
    assert.deepEqual(resultsOf(scan, 'signature'), ['info']);
    assert.match(findingsOf(scan, 'signature')[0]?.message ?? '', /verifies with MCUboot's published sample key root-ec-p256\.pem/);
  });

  it('app-ed25519.signed.bin: hash and signature valid with own-ed25519.pub.pem', () => {
    const scan = scanImage(fixture('app-ed25519.signed.bin'), { keys: [fixtureKey('own-ed25519.pub.pem')] });
    assert.deepEqual(
      scan.findings.map((f) => [f.check, f.result]),
      [
        ['config/mcuboot/image-structure', 'pass'],
        ['config/mcuboot/image-hash', 'pass'],
        ['config/mcuboot/signature', 'pass'],
        ['config/mcuboot/sample-key', 'pass'],
      ],
    );
    assert.match(findingsOf(scan, 'signature')[0]?.message ?? '', /Ed25519 signature is valid with own-ed25519\.pub\.pem/);
    assert.deepEqual(scan.incomplete, []);
  });

  it('app-rsa2048.signed.bin: hash and RSA-2048 PSS signature valid with own-rsa2048.pub.pem', () => {
    const scan = scanImage(fixture('app-rsa2048.signed.bin'), { keys: [fixtureKey('own-rsa2048.pub.pem')] });
    assert.deepEqual(resultsOf(scan, 'image-hash'), ['pass']);
    assert.deepEqual(resultsOf(scan, 'signature'), ['pass']);
    assert.deepEqual(resultsOf(scan, 'sample-key'), ['pass']);
    assert.equal(scan.facts['signature algorithm'], 'RSA-2048 PSS');
  });

  it('app-ec256.signed.hex: Intel HEX at load address 0x10000, hash and signature valid with own-ec256.pub.pem', () => {
    const bytes = fixture('app-ec256.signed.hex');
    const file = configFileFrom('app-ec256.signed.hex', bytes);
    assert.ok(mcubootKind.detect(file) >= 0.9);
    const scan = mcubootKind.scan(file, { keys: [fixtureKey('own-ec256.pub.pem')] });
    assert.equal(scan.facts['load address'], '0x10000');
    assert.equal(scan.facts.format, 'MCUboot image in Intel HEX');
    assert.deepEqual(resultsOf(scan, 'image-structure'), ['pass']);
    assert.deepEqual(resultsOf(scan, 'image-hash'), ['pass']);
    assert.deepEqual(resultsOf(scan, 'signature'), ['pass']);
    assert.deepEqual(resultsOf(scan, 'sample-key'), ['pass']);
    assert.deepEqual(findingsOf(scan, 'signature')[0]?.location, { path: 'app-ec256.signed.hex' });
  });

  it('app-hash-only.bin: SHA-256 only: integrity checks out, authenticity cannot, so the signature check fails', () => {
    const scan = scanImage(fixture('app-hash-only.bin'));
    assert.deepEqual(resultsOf(scan, 'image-hash'), ['pass']);
    const [signature] = findingsOf(scan, 'signature');
    assert.equal(signature?.result, 'fail');
    assert.match(signature?.message ?? '', /^hash-only image: .*integrity can be checked, its authenticity cannot/);
    assert.deepEqual(signature?.provisions, ['5.3-7', '5.3-9', '5.7-1']);
    assert.deepEqual(resultsOf(scan, 'sample-key'), ['not-applicable']);
    assert.equal(scan.facts['signature algorithm'], 'none');
    assert.equal(scan.facts['hash algorithm'], 'SHA-256');
  });

  it('app-ed25519-tampered.signed.bin: one payload byte changed: hash mismatch and bad signature', () => {
    const scan = scanImage(fixture('app-ed25519-tampered.signed.bin'), { keys: [fixtureKey('own-ed25519.pub.pem')] });
    assert.deepEqual(resultsOf(scan, 'image-structure'), ['pass']);
    const [hash] = findingsOf(scan, 'image-hash');
    assert.equal(hash?.result, 'fail');
    assert.match(hash?.message ?? '', /^tampered image: /);
    assert.match(hash?.evidence ?? '', /stored b21e6ecb\w+, computed 88b8f4bf\w+/);
    const [signature] = findingsOf(scan, 'signature');
    assert.equal(signature?.result, 'fail');
    assert.match(signature?.message ?? '', /^bad signature: the KEYHASH names own-ed25519\.pub\.pem/);
  });

  it('the untampered and tampered Ed25519 images differ in one payload byte, at 0x200 + 1000', () => {
    const good = fixture('app-ed25519.signed.bin');
    const bad = fixture('app-ed25519-tampered.signed.bin');
    const differing = [...good.keys()].filter((i) => good[i] !== bad[i]);
    assert.deepEqual(differing, [0x200 + 1000]);
  });

  it('every fixture reports its version, hash algorithm, load address and image size', () => {
    for (const name of ['app-ec256-samplekey.signed.bin', 'app-ed25519.signed.bin', 'app-rsa2048.signed.bin', 'app-hash-only.bin']) {
      const scan = scanImage(fixture(name), {}, name);
      assert.equal(scan.facts.version, '1.2.3+0', name);
      assert.equal(scan.facts['image size'], '65536 bytes', name);
      assert.equal(scan.facts['header size'], '512 bytes', name);
      assert.equal(scan.facts['hash algorithm'], 'SHA-256', name);
      assert.equal(scan.facts['load address'], '0x0', name);
    }
  });

  it('a signature checked against the wrong fixture key fails as signed with another key', () => {
    const scan = scanImage(fixture('app-ed25519.signed.bin'), {
      keys: [fixtureKey('own-rsa2048.pub.pem'), fixtureKey('own-ec256.pub.pem')],
    });
    const [signature] = findingsOf(scan, 'signature');
    assert.equal(signature?.result, 'fail');
    assert.match(signature?.message ?? '', /verifies with none of the keys given \(2 keys\): the image was signed with another key/);
  });

  it('with several keys given, the one that verifies is named', () => {
    const keys = ['own-rsa2048.pub.pem', 'own-ec256.pub.pem', 'own-ed25519.pub.pem'].map(fixtureKey);
    const scan = scanImage(fixture('app-rsa2048.signed.bin'), { keys });
    assert.match(findingsOf(scan, 'signature')[0]?.message ?? '', /valid with own-rsa2048\.pub\.pem$/);
  });
});
