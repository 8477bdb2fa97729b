// The UBI and UBIFS readers against what mtd-utils made: mkfs.ubifs images in every compressor it has (lzo,
// zlib, zstd, none, favor_lzo), several flash geometries (NAND 128 KiB and 256 KiB PEBs with sub-pages, NOR
// 64 KiB), bare and inside ubinize images with several volumes, compared with the source tree: same paths,
// types, modes, owners, sizes, times, symlink targets, hard links and contents. Then hostile headers, volume
// tables, index nodes and names; fuzzing; and the whole scan, direct and carved out of a raw flash dump.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BufferSource } from '../../../src/scan/firmware/byte-source.ts';
import { type FsEntry, ImageReadError, resolveInImage } from '../../../src/scan/firmware/image-fs.ts';
import { crc32Raw } from '../../../src/scan/firmware/jffs2/format.ts';
import { findSignatures } from '../../../src/scan/firmware/carving/signatures.ts';
import { openImage } from '../../../src/scan/firmware/open-image.ts';
import { scanFirmware } from '../../../src/scan/firmware/scan-firmware.ts';
import { parseEcHeader, parseVidHeader, parseVolumeTable } from '../../../src/scan/firmware/ubi/format.ts';
import { UbifsImage, UbiImage, openUbifs } from '../../../src/scan/firmware/ubi/index.ts';
import {
  parseCommonHeader,
  parseDataNode,
  parseDentNode,
  parseIndexNode,
  parseInodeNode,
  u32,
} from '../../../src/scan/firmware/ubi/ubifs-format.ts';
import { runCli } from '../../helpers/cli.ts';
import { mkimage, mkimageTools } from '../../helpers/make-boot-images.ts';
import {
  buildFlashTree,
  describeTree,
  hasTool,
  mkfsUbifs,
  NAND_128K,
  NOR_64K,
  pseudoRandom,
  sha256,
  textBytes,
  type TreeEntry,
  ubinize,
  ubiTools,
} from '../../helpers/make-flash-fs.ts';
import { cpuClock } from '../../helpers/cpu-clock.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const skip = ubiTools ? false : 'mtd-utils (mkfs.ubifs, ubinize) not installed';
const NAND_256K = { minIo: 4096, lebSize: 262144 - 8192, maxLebs: 100, pebSize: 262144 };

function comparable(e: FsEntry | TreeEntry): Omit<TreeEntry, 'ino' | 'sha256'> {
  return { path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, mtime: e.mtime ?? 0, linkTarget: e.linkTarget };
}

/** Asserts that `fs` holds exactly the host tree `source` (hard links as links to the first name met). */
function assertSameTree(fs: UbifsImage, source: Map<string, TreeEntry>, owners: boolean): void {
  const listed = new Map([...fs.entries()].map((e) => [e.path, e]));
  assert.deepEqual([...listed.keys()].sort(), [...source.keys()].sort());
  for (const [path, want] of source) {
    const got = listed.get(path) as FsEntry;
    if (got.type === 'hardlink') {
      const target = source.get(got.linkTarget as string) as TreeEntry;
      assert.equal(target.ino, want.ino, `${path} is a hard link of ${got.linkTarget}`);
      continue;
    }
    const expected = comparable(want);
    if (!owners) Object.assign(expected, { uid: got.uid, gid: got.gid });
    assert.deepEqual(comparable(got), expected, path);
    if (want.type === 'file') assert.equal(sha256(fs.read(path, 1 << 30)), want.sha256, `${path} content`);
  }
}

interface UbifsNode {
  /** Position in the image (LEB-linear). */
  at: number;
  lnum: number;
  offs: number;
  type: number;
  len: number;
}

/** Every node of a bare UBIFS image, LEB by LEB. */
function ubifsNodes(image: Uint8Array, lebSize: number): UbifsNode[] {
  const nodes: UbifsNode[] = [];
  for (let lnum = 0; lnum * lebSize < image.length; lnum++) {
    let offs = 0;
    while (offs + 24 <= lebSize && lnum * lebSize + offs + 24 <= image.length) {
      const at = lnum * lebSize + offs;
      const h = parseCommonHeader(image.subarray(at, at + 24));
      if (!h) {
        if (image[at] === 0xff) break;
        offs += 8;
        continue;
      }
      nodes.push({ at, lnum, offs, type: h.nodeType, len: h.length });
      offs += h.nodeType === 5 ? h.length + u32(image, at + 24) : h.length;
      offs = (offs + 7) & ~7;
    }
  }
  return nodes;
}

/** Recomputes a UBIFS node's CRC after it was changed. */
function resealUbifs(image: Uint8Array, n: UbifsNode): void {
  new DataView(image.buffer, image.byteOffset).setUint32(n.at + 4, crc32Raw(image.subarray(n.at + 8, n.at + n.len), 0xffffffff), true);
}

/** Recomputes a UBI header's CRC (EC or VID, 64 bytes at `at`). */
function resealUbi(image: Uint8Array, at: number): void {
  new DataView(image.buffer, image.byteOffset).setUint32(at + 60, crc32Raw(image.subarray(at, at + 60), 0xffffffff), false);
}

function problemMatching(problems: Array<{ part: string; reason: string }>, pattern: RegExp): void {
  assert.ok(
    problems.some((p) => pattern.test(`${p.part}: ${p.reason}`)),
    `expected a problem matching ${pattern}; got ${JSON.stringify(problems)}`,
  );
}

function readAll(fs: UbifsImage): void {
  for (const entry of fs.entries()) {
    assert.ok(entry.path.startsWith('/') && !entry.path.includes('//') && !entry.path.split('/').includes('..'), entry.path);
    if (entry.type === 'file' || entry.type === 'hardlink') {
      try {
        assert.ok(fs.read(entry.path, 1 << 20).length <= 1 << 20);
      } catch (error) {
        if (!(error instanceof ImageReadError)) throw error;
      }
    }
    resolveInImage(fs, entry.path);
  }
}

describe('UBIFS and UBI images made by mkfs.ubifs and ubinize, read in process', { skip, timeout: 120_000 }, () => {
  let work: string;
  let src: string;
  let source: Map<string, TreeEntry>;
  let owners = false;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-ubi-'));
    src = join(work, 'src');
    owners = buildFlashTree(src).owners;
    source = describeTree(src);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const CASES = [
    { name: 'lzo (the default), NAND 128 KiB', geometry: NAND_128K, args: [], format: /^ubifs \(lzo, LEB 124 KiB\)$/ },
    { name: 'zlib', geometry: NAND_128K, args: ['-x', 'zlib'], format: /^ubifs \(zlib, / },
    { name: 'zstd', geometry: NAND_128K, args: ['-x', 'zstd'], format: /^ubifs \(zstd, / },
    { name: 'no compression', geometry: NAND_128K, args: ['-x', 'none'], format: /^ubifs \(none, / },
    { name: 'favor_lzo (lzo and zlib blocks mixed)', geometry: NAND_128K, args: ['-x', 'favor_lzo', '-X', '5'], format: /^ubifs \(lzo, / },
    {
      name: 'NOR 64 KiB, fanout 4 (a deeper index)',
      geometry: NOR_64K,
      args: ['-m', '8', '-f', '4'],
      format: /^ubifs \(lzo, LEB 65408 bytes\)$/,
    },
    { name: 'NAND 256 KiB, 4 KiB pages, zlib', geometry: NAND_256K, args: ['-x', 'zlib'], format: /^ubifs \(zlib, LEB 248 KiB\)$/ },
  ];
  for (const c of CASES) {
    it(`bare mkfs.ubifs image: ${c.name}`, () => {
      const image = join(work, `${c.name.replace(/\W+/g, '-')}.ubifs`);
      // A later -m replaces the geometry's (mkfs.ubifs takes the last).
      mkfsUbifs(src, image, c.geometry, c.args);
      const fs = openUbifs(image);
      try {
        assert.match(fs.format, c.format);
        assert.deepEqual(fs.problems, []);
        assertSameTree(fs, source, owners);
        assert.equal(resolveInImage(fs, '/www/link-relative')?.path, '/etc/passwd');
        assert.equal(fs.read('/opt/large-text', 5000).length, 5000);
        assert.equal(sha256(fs.read('/bin/sh', 1 << 20)), source.get('/bin/busybox')?.sha256);
        assert.throws(() => fs.read('/etc', 10), /not a regular file/);
      } finally {
        fs.close();
      }
    });
  }

  it(
    'bare mkfs.ubifs image, authenticated (signed with --auth-key): index branches carry hashes',
    { skip: hasTool('openssl') ? false : 'openssl not installed' },
    () => {
      const key = join(work, 'auth.key');
      const cert = join(work, 'auth.crt');
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=test'],
        {
          stdio: 'ignore',
        },
      );
      const image = join(work, 'auth.ubifs');
      mkfsUbifs(src, image, NAND_128K, ['--hash-algo', 'sha256', '--auth-key', key, '--auth-cert', cert]);
      const fs = openUbifs(image);
      try {
        assert.equal(fs.format, 'ubifs (lzo, LEB 124 KiB, authenticated)');
        assert.deepEqual(fs.problems, [
          { part: 'ubifs', reason: 'the image is authenticated: its index hashes and HMACs are not checked' },
        ]);
        assertSameTree(fs, source, owners);
      } finally {
        fs.close();
      }
    },
  );

  for (const [name, flash, geometry] of [
    ['NAND 128 KiB PEBs, 2 KiB pages', { pebSize: NAND_128K.pebSize, minIo: 2048 }, NAND_128K],
    ['NAND 128 KiB PEBs, 512-byte sub-pages', { pebSize: NAND_128K.pebSize, minIo: 2048, subPage: 512 }, { ...NAND_128K, lebSize: 129024 }],
    ['NOR 64 KiB PEBs', { pebSize: NOR_64K.pebSize, minIo: 1 }, NOR_64K],
    ['NAND 256 KiB PEBs, 4 KiB pages', { pebSize: NAND_256K.pebSize, minIo: 4096 }, NAND_256K],
  ] as const) {
    it(`ubinize image, ${name}: the PEB size is found and the volume reads like the tree`, () => {
      const fsImage = join(work, `${name.replace(/\W+/g, '-')}.ubifs`);
      mkfsUbifs(src, fsImage, geometry, ['-x', 'zlib']);
      const image = join(work, `${name.replace(/\W+/g, '-')}.ubi`);
      ubinize(image, [{ name: 'rootfs', id: 0, type: 'dynamic', image: fsImage, autoresize: true }], flash);
      const bytes = new Uint8Array(readFileSync(image));
      const ubi = new UbiImage(new BufferSource(bytes));
      assert.equal(ubi.pebSize, flash.pebSize);
      assert.equal(ubi.lebSize, geometry.lebSize);
      assert.deepEqual(ubi.problems, []);
      assert.deepEqual(
        ubi.volumes.map((v) => [v.id, v.name, v.type, v.autoresize]),
        [[0, 'rootfs', 'dynamic', true]],
      );
      const volume = ubi.volumes[0];
      assert.ok(volume);
      // The volume holds exactly the mkfs.ubifs output.
      const fsBytes = readFileSync(fsImage);
      assert.equal(volume.size, fsBytes.length);
      assert.deepEqual(Buffer.from(volume.source().read(0, volume.size)), fsBytes);
      const fs = new UbifsImage(volume.source());
      assert.deepEqual(fs.problems, []);
      assertSameTree(fs, source, owners);
    });
  }

  it('a UBI image with several volumes lists each, and every filesystem in them is opened', async () => {
    const small = join(work, 'small');
    mkdirSync(join(small, 'etc'), { recursive: true });
    writeFileSync(join(small, 'etc/config'), 'option x 1\n');
    mkfsUbifs(src, join(work, 'rootfs.ubifs'), NAND_128K, ['-x', 'lzo']);
    mkfsUbifs(small, join(work, 'data.ubifs'), NAND_128K, ['-x', 'zstd']);
    const kernel = join(work, 'kernel.bin');
    writeFileSync(kernel, pseudoRandom(300_000, 4));
    const volumes = [
      { name: 'kernel', id: 0, type: 'static' as const, image: kernel },
      { name: 'rootfs', id: 1, type: 'dynamic' as const, image: join(work, 'rootfs.ubifs') },
      { name: 'spare', id: 2, type: 'dynamic' as const, size: '1MiB' },
      { name: 'data', id: 5, type: 'dynamic' as const, image: join(work, 'data.ubifs'), autoresize: true },
    ];
    const squashfs = hasTool('mksquashfs');
    if (squashfs) {
      execFileSync('mksquashfs', [small, join(work, 'ro.squashfs'), '-noappend', '-quiet', '-no-progress'], { stdio: 'ignore' });
      volumes.push({ name: 'ro', id: 3, type: 'static' as const, image: join(work, 'ro.squashfs') });
    }
    const image = join(work, 'multi.ubi');
    ubinize(image, volumes, { pebSize: NAND_128K.pebSize, minIo: 2048 });

    const ubi = new UbiImage(new BufferSource(new Uint8Array(readFileSync(image))));
    assert.deepEqual(ubi.problems, []);
    const byName = new Map(ubi.volumes.map((v) => [v.name, v]));
    assert.deepEqual(
      [...byName.keys()].sort(),
      squashfs ? ['data', 'kernel', 'ro', 'rootfs', 'spare'] : ['data', 'kernel', 'rootfs', 'spare'],
    );
    const kernelVolume = byName.get('kernel');
    assert.equal(kernelVolume?.type, 'static');
    assert.equal(kernelVolume?.size, 300_000);
    assert.deepEqual(Buffer.from(kernelVolume?.source().read(0, 1 << 20) ?? []), readFileSync(kernel));
    assert.equal(byName.get('spare')?.mappedLebs, 0);
    assert.match(
      ubi.description,
      /^UBI \(PEB 128 KiB, LEB 124 KiB, \d+ PEBs\): \d volumes: "kernel" \(static, 300000 bytes\), "rootfs" \(dynamic, \d+ LEBs used\)/,
    );

    // Carved, it is one UBI image of all its PEBs; the squashfs in a volume is inside it, not carved on its own.
    const whole = readFileSync(image);
    const hits = findSignatures('multi.ubi', whole.length, (p, l) => whole.subarray(p, p + l)).filter((h) => h.inside === undefined);
    assert.deepEqual(
      hits.map((h) => [h.offset, h.type, h.length, h.supported]),
      [[0, 'ubi', whole.length, true]],
    );

    const opened = await openImage(image, work);
    try {
      const layers = opened.layers.map((l) => [l.label.replace(image, 'multi.ubi'), l.fs.format.replace(/ \(.*/, '')]);
      assert.deepEqual(layers, [
        ['multi.ubi>ubi:rootfs', 'ubifs'],
        ...(squashfs ? [['multi.ubi>ubi:ro', 'squashfs 4.0']] : []),
        ['multi.ubi>ubi:data', 'ubifs'],
      ]);
      assert.deepEqual(
        opened.containers.map((c) => c.kind),
        ['ubi'],
      );
      // The random kernel is not a filesystem, and says so; nothing else is wrong.
      assert.deepEqual(
        opened.problems.map((p) => p.part.replace(image, 'multi.ubi')),
        ['multi.ubi>ubi:kernel'],
      );
      const data = opened.layers.find((l) => l.label.endsWith('>ubi:data'));
      assert.equal(Buffer.from(data?.fs.read('/etc/config', 100) ?? []).toString(), 'option x 1\n');
    } finally {
      opened.close();
    }
  });
});

describe('hostile UBI images', { skip, timeout: 60_000 }, () => {
  let work: string;
  let image: Uint8Array;
  const peb = NAND_128K.pebSize;
  /** PEB index of each (volume id, LEB). */
  const where = new Map<string, number>();

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-ubi-bad-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'etc'), { recursive: true });
    writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(work, 'blob'), textBytes(300_000, 8));
    mkfsUbifs(src, join(work, 'fs.ubifs'), NAND_128K);
    ubinize(
      join(work, 'img.ubi'),
      [
        { name: 'rootfs', id: 0, type: 'dynamic', image: join(work, 'fs.ubifs') },
        { name: 'blob', id: 1, type: 'static', image: join(work, 'blob') },
      ],
      { pebSize: peb, minIo: 2048 },
    );
    image = new Uint8Array(readFileSync(join(work, 'img.ubi')));
    for (let i = 0; i * peb < image.length; i++) {
      const ec = parseEcHeader(image.subarray(i * peb, i * peb + 64));
      const vid = ec && parseVidHeader(image.subarray(i * peb + ec.vidHeaderOffset, i * peb + ec.vidHeaderOffset + 64));
      if (vid) where.set(`${vid.volId}:${vid.lnum}`, i);
    }
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const open = (bytes: Uint8Array): UbiImage => new UbiImage(new BufferSource(bytes));
  const blob = (ubi: UbiImage): Uint8Array => {
    const v = ubi.volumes.find((x) => x.name === 'blob');
    assert.ok(v);
    return v.source().read(0, v.size);
  };
  const vidAt = (pebIndex: number): number => pebIndex * peb + 2048;

  it('a PEB whose EC or VID header is corrupt is reported and left out; its LEB reads as erased', () => {
    const bytes = new Uint8Array(image);
    flip(bytes, (where.get('1:1') as number) * peb + 9, 0xff);
    flip(bytes, vidAt(where.get('1:2') as number) + 13, 0x01);
    const ubi = open(bytes);
    problemMatching(ubi.problems, /^ubi PEB \d+: erase counter header has a bad magic or CRC/);
    problemMatching(ubi.problems, /^ubi PEB \d+: volume identifier header has a bad magic or CRC/);
    problemMatching(ubi.problems, /volume 1 "blob": LEBs 1, 2 are missing; read as erased flash/);
    const data = blob(ubi);
    const leb = ubi.lebSize;
    assert.deepEqual(Buffer.from(data.subarray(0, leb)), Buffer.from(textBytes(300_000, 8).subarray(0, leb)));
    assert.ok(data.subarray(leb, 3 * leb).every((b) => b === 0xff));
  });

  it('the second copy of the volume table is used when the first is corrupt; both corrupt is an error', () => {
    const bytes = new Uint8Array(image);
    const layout0 = where.get(`${0x7fffefff}:0`) as number;
    const layout1 = where.get(`${0x7fffefff}:1`) as number;
    flip(bytes, layout0 * peb + 4096 + 20, 0x20); // in the first record's name
    const ubi = open(bytes);
    problemMatching(ubi.problems, /first copy of the volume table is corrupt; the second is used/);
    assert.deepEqual(
      ubi.volumes.map((v) => v.name),
      ['rootfs', 'blob'],
    );
    flip(bytes, layout1 * peb + 4096 + 20, 0x20);
    assert.throws(() => open(bytes), /ubi: both copies of the volume table are corrupt/);
  });

  it('of two PEBs holding one LEB, the newer wins, unless it was being copied and its data CRC fails', () => {
    const original = where.get('1:0') as number;
    const copy = new Uint8Array(image.subarray(original * peb, (original + 1) * peb));
    copy.fill(0x41, 4096, 4096 + 100); // new data at the start of the LEB
    const view = new DataView(copy.buffer);
    view.setUint32(2048 + 40 + 4, view.getUint32(2048 + 40 + 4) + 1000); // a higher sqnum
    resealUbi(copy, 2048);
    assert.equal(text(blob(open(concatBytes(image, copy))).subarray(0, 3)), 'AAA');
    // The same, written by a copy (copy_flag) whose data CRC does not match: the older PEB stays.
    copy[2048 + 6] = 1;
    view.setUint32(2048 + 20, copy.length - 4096); // data_size
    view.setUint32(2048 + 32, 0x12345678); // data_crc
    resealUbi(copy, 2048);
    assert.notEqual(text(blob(open(concatBytes(image, copy))).subarray(0, 3)), 'AAA');
    // ...and when its data CRC matches, the copy wins.
    view.setUint32(2048 + 32, crc32Raw(copy.subarray(4096), 0xffffffff));
    resealUbi(copy, 2048);
    assert.equal(text(blob(open(concatBytes(image, copy))).subarray(0, 3)), 'AAA');
  });

  it('absurd LEB numbers and foreign PEBs are reported and ignored; volume sizes stay within the image', () => {
    const bytes = new Uint8Array(image);
    const at = vidAt(where.get('0:0') as number);
    new DataView(bytes.buffer).setUint32(at + 12, 0x7ffffff0); // lnum
    resealUbi(bytes, at);
    const foreign = where.get('1:2') as number;
    new DataView(bytes.buffer).setUint32(foreign * peb + 24, 999); // image_seq
    resealUbi(bytes, foreign * peb);
    const ubi = open(bytes);
    problemMatching(ubi.problems, /claims LEB 2147483632 of volume 0, beyond the \d+ PEBs of the image/);
    problemMatching(ubi.problems, /image sequence number 999 differs/);
    for (const v of ubi.volumes) assert.ok(v.size <= bytes.length, `${v.name}: ${v.size}`);
    // The UBIFS volume lost its superblock LEB: a clear error when it is opened.
    const rootfs = ubi.volumes.find((v) => v.name === 'rootfs');
    assert.throws(() => new UbifsImage(rootfs?.source() as never), ImageReadError);
  });

  it('truncated images and non-UBI data are handled plainly', () => {
    const cut = open(image.subarray(0, 5 * peb + 1000));
    problemMatching(cut.problems, /the image ends 1000 bytes into PEB 5: truncated/);
    for (let end = 64; end < image.length; end += 50_001) {
      try {
        const ubi = open(image.subarray(0, end));
        for (const v of ubi.volumes) v.source().read(0, v.size);
      } catch (error) {
        assert.ok(error instanceof ImageReadError, String(error));
      }
    }
    assert.throws(() => open(pseudoRandom(1 << 18, 3)), /ubi: no valid erase counter header at the start/);
    assert.throws(() => open(image.subarray(0, peb)), /the PEB size cannot be told/);
  });
});

describe('hostile UBIFS images', { skip, timeout: 60_000 }, () => {
  let work: string;
  let image: Uint8Array;
  let nodes: UbifsNode[];
  const leb = NAND_128K.lebSize;

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-ubifs-bad-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'etc'), { recursive: true });
    mkdirSync(join(src, 'dir'), { recursive: true });
    writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(src, 'etc/big'), textBytes(50_000, 3));
    writeFileSync(join(src, 'aaaaaaa'), 'one\n');
    writeFileSync(join(src, 'bbbbbbb'), 'two\n');
    writeFileSync(join(src, 'cc'), 'three\n');
    for (let i = 0; i < 60; i++) writeFileSync(join(src, `dir/f${String(i).padStart(2, '0')}`), `${i}\n`);
    symlinkSync('/etc/passwd', join(src, 'link'));
    mkfsUbifs(src, join(work, 'fs.ubifs'), NAND_128K, ['-f', '4']);
    image = new Uint8Array(readFileSync(join(work, 'fs.ubifs')));
    nodes = ubifsNodes(image, leb);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const open = (bytes: Uint8Array): UbifsImage => new UbifsImage(new BufferSource(bytes));
  const dent = (bytes: Uint8Array, name: string): UbifsNode =>
    nodes.find((n) => n.type === 2 && text(parseDentNode(bytes.subarray(n.at, n.at + n.len), n.len).name) === name) as UbifsNode;
  const root = (): UbifsNode => {
    const fs = open(image);
    return nodes.find((n) => n.lnum === fs.master.rootLnum && n.offs === fs.master.rootOffs) as UbifsNode;
  };

  it('the plain image reads cleanly', () => {
    const fs = open(image);
    assert.deepEqual(fs.problems, []);
    assert.equal([...fs.entries()].length, 69);
    readAll(fs);
  });

  it('names that would climb out of the image or break its paths are reported and not listed', () => {
    const bytes = new Uint8Array(image);
    for (const [from, to] of [
      ['aaaaaaa', '../../x'],
      ['bbbbbbb', 'x/../..'],
      ['cc', '..'],
    ] as const) {
      const n = dent(image, from);
      bytes.set(new TextEncoder().encode(to), n.at + 56);
      resealUbifs(bytes, n);
    }
    const fs = open(bytes);
    for (const name of ['../../x', 'x/../..', '..'])
      problemMatching(fs.problems, new RegExp(`entry named "${name.replace(/[./]/g, '\\$&')}"`));
    assert.equal([...fs.entries()].length, 66);
    readAll(fs);
  });

  it('an index node with a bad CRC loses the entries under it; a bad root is an error', () => {
    const bytes = new Uint8Array(image);
    const top = root();
    const rootNode = parseIndexNode(image.subarray(top.at, top.at + top.len), top.len);
    assert.ok(rootNode.level >= 1, 'the index has more than one level');
    const child = rootNode.branches[rootNode.branches.length - 1];
    const childNode = nodes.find((n) => n.lnum === child?.lnum && n.offs === child?.offs) as UbifsNode;
    flip(bytes, childNode.at + 30, 0xff);
    const fs = open(bytes);
    problemMatching(fs.problems, /^ubifs index: index node at LEB \d+:\d+: CRC mismatch; the entries under it are missing/);
    assert.ok([...fs.entries()].length < 69);
    readAll(fs);
    flip(bytes, top.at + 30, 0xff);
    assert.throws(() => open(bytes), /ubifs: index node at LEB \d+:\d+: CRC mismatch/);
  });

  it('an index that refers to one node twice, or to a node of the wrong level, is cut there', () => {
    const top = root();
    const rootNode = parseIndexNode(image.subarray(top.at, top.at + top.len), top.len);
    // Branch 1 made to point where branch 0 points: the same subtree twice.
    let bytes = new Uint8Array(image);
    bytes.copyWithin(top.at + 28 + 20, top.at + 28, top.at + 28 + 12);
    resealUbifs(bytes, top);
    let fs = open(bytes);
    problemMatching(fs.problems, /index node at LEB \d+:\d+ is referred to twice \(a loop\); followed once/);
    readAll(fs);
    // The last branch made to point at the root itself: a node of the root's level where a lower one belongs.
    bytes = new Uint8Array(image);
    const view = new DataView(bytes.buffer);
    const last = top.at + 28 + (rootNode.branches.length - 1) * 20;
    view.setUint32(last, top.lnum, true);
    view.setUint32(last + 4, top.offs, true);
    view.setUint32(last + 8, top.len, true);
    resealUbifs(bytes, top);
    fs = open(bytes);
    problemMatching(fs.problems, new RegExp(`index node of level ${rootNode.level} where level ${rootNode.level - 1} was expected`));
    readAll(fs);
  });

  it('corrupt data nodes, absurd sizes and dangling entries are reported, and reads stay bounded', () => {
    const bytes = new Uint8Array(image);
    const dataNode = nodes.find(
      (n) => n.type === 1 && parseDataNode(image.subarray(n.at, n.at + n.len), n.len).key.value === 3,
    ) as UbifsNode;
    flip(bytes, dataNode.at + 60, 0xff); // in /etc/big's fourth block
    // (mkfs.ubifs leaves a short node of type 0 after the superblock, outside the index.)
    const inodes = nodes.filter((n) => n.type === 0 && n.lnum > 0);
    const passwdInum = parseDentNode(image.subarray(dent(image, 'passwd').at), dent(image, 'passwd').len).inum;
    const passwdInode = inodes.find((n) => parseInodeNode(image.subarray(n.at, n.at + n.len), n.len).key.inum === passwdInum) as UbifsNode;
    new DataView(bytes.buffer).setUint32(passwdInode.at + 48 + 4, 0x100, true); // size 2^40 + 26
    resealUbifs(bytes, passwdInode);
    const link = dent(image, 'link');
    new DataView(bytes.buffer).setUint32(link.at + 40, 0x7777777, true); // an inode that does not exist
    resealUbifs(bytes, link);
    const fs = open(bytes);
    assert.throws(() => fs.read('/etc/big', 1 << 20), /\/etc\/big: inode \d+ block 3 at LEB \d+:\d+: CRC mismatch/);
    problemMatching(fs.problems, /\/etc\/big: inode \d+ block 3/);
    assert.equal(fs.entry('/etc/passwd')?.size, 2 ** 40 + 26);
    const head = fs.read('/etc/passwd', 1 << 16);
    assert.equal(head.length, 1 << 16);
    assert.equal(text(head.subarray(0, 4)), 'root');
    problemMatching(fs.problems, /\/link: cannot read inode 125269879: inode 125269879 is not in the index/);
  });

  it('a journal that holds buds not yet committed to the index is reported', () => {
    const fs = open(image);
    assert.equal(fs.master.logLnum, 3);
    // The log LEB holds the commit start node (and padding up to the next page); a reference node to a bud follows.
    const log = nodes.filter((n) => n.lnum === 3);
    assert.deepEqual(
      log.map((n) => n.type),
      [10, 5],
    );
    const bytes = new Uint8Array(image);
    const ref = new Uint8Array(64);
    const view = new DataView(ref.buffer);
    view.setUint32(0, 0x06101831, true);
    view.setUint32(8, 0xffff, true); // sqnum
    view.setUint32(16, 64, true);
    ref[20] = 8; // a reference node
    view.setUint32(24, 20, true); // bud LEB
    view.setUint32(32, 1, true); // journal head
    view.setUint32(4, crc32Raw(ref.subarray(8), 0xffffffff), true);
    bytes.set(ref, 3 * leb + 2048);
    const withJournal = open(bytes);
    problemMatching(withJournal.problems, /^ubifs: the journal refers to 1 bud written since the last commit; it is not replayed/);
    assert.equal([...withJournal.entries()].length, 69);
  });

  it('truncated images and non-UBIFS data are refused plainly or read in part', () => {
    for (let end = 100; end < image.length; end += 37_003) {
      try {
        readAll(open(image.subarray(0, end)));
      } catch (error) {
        assert.ok(error instanceof ImageReadError, String(error));
      }
    }
    assert.throws(() => open(pseudoRandom(1 << 18, 9)), /ubifs: superblock at LEB 0:0: no node there/);
  });
});

describe('fuzzing the UBI and UBIFS readers', { skip, timeout: 120_000 }, () => {
  let ubifs: Uint8Array;
  let ubi: Uint8Array;
  let metadataEnd = 0;

  before(() => {
    const work = mkdtempSync(join(tmpdir(), 'baseline-ubi-fuzz-'));
    const src = join(work, 'src');
    mkdirSync(join(src, 'a/b'), { recursive: true });
    writeFileSync(join(src, 'a/b/text'), textBytes(20_000, 2));
    for (let i = 0; i < 30; i++) writeFileSync(join(src, `a/f${i}`), `${i}\n`.repeat(i));
    symlinkSync('/a/b/text', join(src, 'link'));
    mkfsUbifs(src, join(work, 'fs.ubifs'), NOR_64K, ['-m', '8', '-f', '4', '-x', 'zlib']);
    ubinize(join(work, 'img.ubi'), [{ name: 'rootfs', id: 0, type: 'dynamic', image: join(work, 'fs.ubifs') }], {
      pebSize: NOR_64K.pebSize,
      minIo: 1,
    });
    ubifs = new Uint8Array(readFileSync(join(work, 'fs.ubifs')));
    ubi = new Uint8Array(readFileSync(join(work, 'img.ubi')));
    metadataEnd = ubifs.length;
    rmSync(work, { recursive: true, force: true });
  });

  function survives(open: () => Iterable<UbifsImage>): void {
    const started = cpuClock();
    try {
      for (const fs of open()) readAll(fs);
    } catch (error) {
      if (!(error instanceof ImageReadError)) throw error;
    }
    assert.ok(started() < 2000);
  }

  const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 10 });

  it('the unmodified images read cleanly', () => {
    const fs = new UbifsImage(new BufferSource(ubifs), { maxEntries: 1000 });
    assert.deepEqual(fs.problems, []);
    assert.equal([...fs.entries()].length, 35);
    const volume = new UbiImage(new BufferSource(ubi)).volumes[0];
    assert.equal([...new UbifsImage(volume?.source() as never).entries()].length, 35);
  });

  it('the UBIFS reader survives flipped bytes', () => {
    fc.assert(
      fc.property(flips, (changes) => {
        const image = new Uint8Array(ubifs);
        for (const [at, value] of changes) image[at % metadataEnd] = value;
        survives(function* () {
          yield new UbifsImage(new BufferSource(image), { maxEntries: 1000 });
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('the UBI reader survives flipped header bytes, and the UBIFS in its volume too', () => {
    const peb = NOR_64K.pebSize;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat(127), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (changes) => {
          const image = new Uint8Array(ubi);
          // Flips in the headers of PEBs (the first 128 bytes of each), where UBI's own structures are.
          for (const [pebIndex, at, value] of changes) image[(pebIndex % (image.length / peb)) * peb + at] = value;
          survives(function* () {
            const opened = new UbiImage(new BufferSource(image));
            for (const v of opened.volumes) {
              assert.ok(v.size <= image.length);
              yield new UbifsImage(v.source(), { maxEntries: 1000 });
            }
          });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the header and node parsers answer arbitrary bytes with a value, undefined or an ImageReadError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), fc.nat(800), (bytes, length) => {
        parseEcHeader(bytes);
        parseVidHeader(bytes);
        parseVolumeTable(bytes);
        parseCommonHeader(bytes);
        for (const parse of [parseIndexNode, parseInodeNode, parseDentNode, parseDataNode]) {
          try {
            parse(bytes, Math.min(length, bytes.length));
          } catch (error) {
            if (!(error instanceof ImageReadError)) throw error;
          }
        }
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe('scanning UBI images', { skip: skip || (mkimageTools ? false : 'u-boot-tools (mkimage) not installed'), timeout: 120_000 }, () => {
  let work: string;
  let image: string;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'baseline-ubi-scan-'));
    const src = join(work, 'rootfs');
    mkdirSync(join(src, 'etc'), { recursive: true });
    mkdirSync(join(src, 'bin'), { recursive: true });
    const hash = execFileSync('mkpasswd', ['-m', 'sha-512', 'xc3511'], { encoding: 'utf8' }).trim();
    writeFileSync(join(src, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(src, 'etc/shadow'), `root:${hash}:19000:0:99999:7:::\n`);
    writeFileSync(join(src, 'bin/busybox'), 'not really busybox\n');
    mkfsUbifs(src, join(work, 'rootfs.ubifs'), NAND_128K, ['-x', 'zlib']);
    image = join(work, 'rootfs.ubi');
    ubinize(image, [{ name: 'rootfs', id: 0, type: 'dynamic', image: join(work, 'rootfs.ubifs'), autoresize: true }], {
      pebSize: NAND_128K.pebSize,
      minIo: 2048,
    });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const failing = (findings: Array<{ check: string; result: string; location: { path?: string } }>, check: string) =>
    findings.filter((f) => f.check === check && f.result === 'fail');

  it('`baseline scan firmware` reads a UBI image given directly and finds the universal default password', () => {
    const r = runCli(['scan', 'firmware', image, '--json']);
    const results = JSON.parse(r.stdout) as {
      findings: Array<{ check: string; result: string; location: { path?: string } }>;
      incomplete: unknown[];
    };
    assert.deepEqual(results.incomplete, []);
    assert.equal(failing(results.findings, 'firmware/universal-password')[0]?.location.path, '/etc/shadow');
  });

  it('reads a bare mkfs.ubifs image given directly', async () => {
    const result = await scanFirmware(join(work, 'rootfs.ubifs'), { name: 'test', version: '0' });
    assert.deepEqual(
      result.filesystems.map((f) => f.format),
      ['ubifs (zlib, LEB 124 KiB)'],
    );
    assert.equal(failing(result.results.findings, 'firmware/default-password')[0]?.location.path, '/etc/shadow');
  });

  it('carves a UBI partition out of a raw flash dump after a uImage kernel, at an erase block boundary', async () => {
    const kernel = join(work, 'kernel.bin');
    writeFileSync(kernel, pseudoRandom(200_000, 9));
    const uimage = join(work, 'kernel.uimg');
    mkimage(uimage, { type: 'kernel', compression: 'none', name: 'Linux', data: kernel });
    const u = readFileSync(uimage);
    const pad = (n: number) => Buffer.alloc(n, 0xff);
    const flash = join(work, 'flash.bin');
    writeFileSync(
      flash,
      Buffer.concat([pseudoRandom(0x40000, 1), u, pad(0x100000 - 0x40000 - u.length), readFileSync(image), pad(0x100000)]),
    );
    const result = await scanFirmware(flash, { name: 'test', version: '0' });
    assert.deepEqual(
      result.filesystems.map((f) => [f.label.replace(flash, 'flash'), f.format]),
      [['flash@0x100000>ubi:rootfs', 'ubifs (zlib, LEB 124 KiB)']],
      JSON.stringify(result.results.incomplete),
    );
    assert.ok(result.containers.some((c) => c.kind === 'ubi' && c.label.endsWith('@0x100000') && /"rootfs"/.test(c.description)));
    assert.equal(failing(result.results.findings, 'firmware/universal-password')[0]?.location.path, '/etc/shadow');
  });
});

function flip(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] as number) ^ mask;
}

function text(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
