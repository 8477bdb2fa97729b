// U-Boot legacy uImages and FIT images built by mkimage, read in process: header fields, both CRCs, payloads
// (decompressed), multi-file images, FIT images with embedded and external data, hash nodes verified, and
// signed configurations recognised; corrupt CRCs and hashes, truncated headers.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseFdt, parseUImageHeader, readFit, readUImage, uImagePayload } from '../../../../src/scan/firmware/carving/index.ts';
import { ImageReadError } from '../../../../src/scan/firmware/image-fs.ts';
import { fitTools, makeSigningKey, mkimage, mkimageFit, mkimageTools, writeBoardDtb, writeIts } from '../../../helpers/make-boot-images.ts';
import { pseudoRandom, sha256, textBytes } from '../../../helpers/make-squashfs.ts';

const reader = (bytes: Uint8Array) => (position: number, length: number) =>
  bytes.subarray(position, Math.min(bytes.length, position + Math.max(0, length)));

describe('U-Boot legacy images made by mkimage', { skip: mkimageTools ? false : 'u-boot-tools not installed' }, () => {
  let work: string;
  let kernel: Uint8Array;
  let ramdisk: Uint8Array;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-uimage-'));
    kernel = new Uint8Array([...textBytes(50_000, 3), ...pseudoRandom(20_000, 4)]);
    ramdisk = textBytes(12_345, 5);
    writeFileSync(join(work, 'kernel'), kernel);
    writeFileSync(join(work, 'kernel.gz'), gzipSync(kernel));
    writeFileSync(join(work, 'ramdisk'), ramdisk);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('a kernel stored as it is: header fields, both CRCs, payload', () => {
    const out = join(work, 'uImage');
    mkimage(out, { type: 'kernel', compression: 'none', name: 'Linux-6.1 test', data: join(work, 'kernel') });
    const bytes = readFileSync(out);
    const image = readUImage(reader(bytes), bytes.length, 0);
    assert.equal(image.header.headerCrcValid, true);
    assert.equal(image.dataCrcValid, true);
    assert.deepEqual(
      {
        os: image.header.osName,
        arch: image.header.archName,
        type: image.header.typeName,
        comp: image.header.compressionName,
        name: image.header.name,
        load: image.header.load,
        entry: image.header.entry,
      },
      { os: 'linux', arch: 'arm', type: 'kernel', comp: 'none', name: 'Linux-6.1 test', load: 0x8000, entry: 0x8000 },
    );
    assert.equal(image.length, bytes.length);
    assert.equal(sha256(uImagePayload(reader(bytes), image, 1 << 20)), sha256(kernel));
    assert.deepEqual(image.problems, []);
  });

  it('a gzip-compressed kernel is decompressed, within the bound', () => {
    const out = join(work, 'uImage.gz');
    mkimage(out, { type: 'kernel', compression: 'gzip', name: 'gz', data: join(work, 'kernel.gz') });
    const bytes = readFileSync(out);
    const image = readUImage(reader(bytes), bytes.length, 0);
    assert.equal(image.header.compressionName, 'gzip');
    assert.equal(sha256(uImagePayload(reader(bytes), image, 1 << 20)), sha256(kernel));
    assert.throws(() => uImagePayload(reader(bytes), image, 1000), ImageReadError);
  });

  it('a multi-file image lists its parts', () => {
    const out = join(work, 'uImage.multi');
    mkimage(out, { type: 'multi', compression: 'none', name: 'multi', data: `${join(work, 'kernel')}:${join(work, 'ramdisk')}` });
    const bytes = readFileSync(out);
    const image = readUImage(reader(bytes), bytes.length, 0);
    assert.equal(image.header.typeName, 'multi');
    assert.equal(image.parts.length, 2);
    assert.equal(sha256(uImagePayload(reader(bytes), image, 1 << 20, 0)), sha256(kernel));
    assert.equal(sha256(uImagePayload(reader(bytes), image, 1 << 20, 1)), sha256(ramdisk));
  });

  it('corrupt CRCs and truncated images are caught', () => {
    const out = join(work, 'uImage.bad');
    mkimage(out, { type: 'ramdisk', compression: 'none', name: 'rd', data: join(work, 'ramdisk') });
    const good = readFileSync(out);
    const badHeader = Buffer.from(good);
    badHeader[40] = (badHeader[40] as number) ^ 1; // a byte of the name
    assert.equal(parseUImageHeader(badHeader).headerCrcValid, false);
    assert.throws(() => readUImage(reader(badHeader), badHeader.length, 0), /header CRC mismatch/);
    const badData = Buffer.from(good);
    badData[100] = (badData[100] as number) ^ 1;
    const image = readUImage(reader(badData), badData.length, 0);
    assert.equal(image.dataCrcValid, false);
    assert.deepEqual(image.problems, ['data CRC mismatch']);
    const cut = good.subarray(0, 1000);
    assert.match(readUImage(reader(cut), cut.length, 0).problems[0] as string, /payload truncated/);
    assert.throws(() => parseUImageHeader(good.subarray(0, 40)), /header truncated/);
  });
});

describe('FIT images made by mkimage -f', { skip: fitTools ? false : 'u-boot-tools or device-tree-compiler not installed' }, () => {
  let work: string;
  let kernel: Uint8Array;
  let ramdisk: Uint8Array;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-fit-'));
    kernel = pseudoRandom(30_001, 8);
    ramdisk = textBytes(7_000, 9);
    writeFileSync(join(work, 'kernel'), kernel);
    writeFileSync(join(work, 'ramdisk'), ramdisk);
    writeBoardDtb(join(work, 'board.dtb'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const files = () => ({ kernel: join(work, 'kernel'), ramdisk: join(work, 'ramdisk'), fdt: join(work, 'board.dtb') });

  for (const external of [false, true]) {
    it(`images, hashes and configurations (${external ? 'external' : 'embedded'} data)`, () => {
      const its = join(work, 'plain.its');
      writeIts(its, files());
      const out = join(work, `plain-${external}.itb`);
      mkimageFit(its, out, { external });
      const bytes = readFileSync(out);
      const fit = readFit(reader(bytes), bytes.length, 0);
      assert.equal(fit.description, 'Baseline test FIT');
      assert.deepEqual(
        fit.images.map((i) => [i.name, i.type, i.compression]),
        [
          ['kernel-1', 'kernel', 'none'],
          ['ramdisk-1', 'ramdisk', 'none'],
          ['fdt-1', 'flat_dt', 'none'],
        ],
      );
      const k = fit.images[0]!;
      assert.equal(k.data?.external, external);
      assert.equal(sha256(bytes.subarray(k.data!.offset, k.data!.offset + k.data!.size)), sha256(kernel));
      assert.equal(k.load, 0x80008000);
      assert.deepEqual(
        k.hashes.map((h) => [h.algo, h.valid]),
        [
          ['crc32', true],
          ['sha1', true],
          ['sha256', true],
        ],
      );
      assert.ok(fit.images.every((i) => i.hashes.every((h) => h.valid === true)));
      assert.equal(fit.defaultConfiguration, 'conf-1');
      assert.deepEqual(
        fit.configurations.map((c) => [c.name, c.kernel, c.ramdisk, c.fdt, c.signed]),
        [['conf-1', 'kernel-1', 'ramdisk-1', ['fdt-1'], false]],
      );
      assert.deepEqual(fit.problems, []);
      // The board DTB inside is itself a parsable device tree.
      const dtb = fit.images[2]!.data!;
      assert.equal(parseFdt(bytes.subarray(dtb.offset, dtb.offset + dtb.size)).children[0]?.name, 'memory@80000000');

      // A flipped byte of kernel data fails every kernel hash.
      const bad = Buffer.from(bytes);
      bad[k.data!.offset + 10] = (bad[k.data!.offset + 10] as number) ^ 0xff;
      const broken = readFit(reader(bad), bad.length, 0);
      assert.ok(broken.images[0]!.hashes.every((h) => h.valid === false));
      assert.equal(broken.problems.length, 3);
    });
  }

  it('a signed configuration is recognised (mkimage -k keydir -r)', (t) => {
    const keydir = join(work, 'keys');
    if (!makeSigningKey(keydir)) {
      t.skip('openssl could not make an RSA key');
      return;
    }
    const its = join(work, 'signed.its');
    writeIts(its, { ...files(), signed: true });
    const out = join(work, 'signed.itb');
    mkimageFit(its, out, { keydir });
    const bytes = readFileSync(out);
    const fit = readFit(reader(bytes), bytes.length, 0);
    const conf = fit.configurations[0]!;
    assert.equal(conf.signed, true);
    assert.deepEqual(
      conf.signatures.map((s) => [s.node, s.algo, s.keyNameHint, s.hasValue]),
      [['signature-1', 'sha256,rsa2048', 'dev', true]],
    );
    assert.deepEqual(conf.signatures[0]?.signedImages, ['kernel', 'ramdisk', 'fdt']);
    // The same source without -k: the node is there but has no value, so not signed.
    const unsigned = join(work, 'unsigned.itb');
    mkimageFit(its, unsigned);
    const u = readFileSync(unsigned);
    assert.equal(readFit(reader(u), u.length, 0).configurations[0]?.signed, false);
  });

  it('a truncated or malformed tree is refused with ImageReadError', () => {
    const its = join(work, 'plain.its');
    writeIts(its, files());
    const out = join(work, 'trunc.itb');
    mkimageFit(its, out);
    const bytes = readFileSync(out);
    assert.throws(() => readFit(reader(bytes.subarray(0, 1000)), 1000, 0), ImageReadError);
    assert.throws(() => readFit(reader(bytes.subarray(0, 20)), 20, 0), /header truncated/);
    const badVersion = Buffer.from(bytes);
    badVersion.writeUInt32BE(99, 20);
    assert.throws(() => readFit(reader(badVersion), badVersion.length, 0), /unsupported version/);
  });
});
