// Builds flash filesystems with mtd-utils, the tools device makers use: mkfs.jffs2 (JFFS2 in either byte
// order, any compressor set) and sumtool (its erase block summaries), mkfs.ubifs (UBIFS in lzo, zlib, zstd or none) and ubinize (UBI images with
// several volumes, from an ini file), from a varied source tree, for comparing the in-process readers with
// the tree the tools were given.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSourceTree, describeTree, hasTool, isRoot, pseudoRandom, sha256, textBytes, type TreeEntry } from './make-squashfs.ts';

export { describeTree, hasTool, isRoot, pseudoRandom, sha256, textBytes, type TreeEntry };

// mtd-utils installs in /usr/sbin, which is not on every user's PATH.
const env = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
const onPath = (tool: string): boolean => hasTool(tool) || hasTool(`/usr/sbin/${tool}`);

export const jffs2Tools = onPath('mkfs.jffs2');
export const ubiTools = onPath('mkfs.ubifs') && onPath('ubinize');

/**
 * The squashfs tests' tree (links of every kind, a fifo, a device when root, owners, odd modes, long and
 * unicode names, a directory of 300 entries, deep nesting, sparse and zero files) with files sized for
 * 4 KiB pages, plus files over many pages: text, random and mixed. JFFS2 keeps 16-bit owners, which this
 * tree respects.
 */
export function buildFlashTree(root: string): { charDevice: boolean; owners: boolean; xattrs: boolean } {
  const facts = buildSourceTree(root, 4096);
  mkdirSync(join(root, 'opt'), { recursive: true });
  writeFileSync(join(root, 'opt/large-text'), textBytes(300_000, 31));
  writeFileSync(join(root, 'opt/large-random'), pseudoRandom(150_000, 37));
  const mixed = new Uint8Array(200_704);
  // Pages that compress well alternate with pages that do not, so one file mixes stored and compressed nodes.
  for (let i = 0; i < mixed.length; i += 4096) mixed.set(i % 8192 ? textBytes(4096, i) : pseudoRandom(4096, i), i);
  writeFileSync(join(root, 'opt/mixed'), mixed);
  writeFileSync(join(root, 'opt/one-page'), textBytes(4096, 41));
  writeFileSync(join(root, 'opt/page-plus-one'), textBytes(4097, 43));
  return facts;
}

/** `mkfs.jffs2 -r src -o image [args]` (args: -l/-b, -e SIZE, -X/-x COMPRESSOR, -m MODE, -n, -p, -s SIZE). */
export function mkfsJffs2(src: string, image: string, args: string[] = []): void {
  execFileSync('mkfs.jffs2', ['-r', src, '-o', image, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
}

/** `sumtool -i input -o output [args]`: adds erase block summary nodes, as images for fast mounting have. */
export function sumtool(input: string, output: string, args: string[] = []): void {
  execFileSync('sumtool', ['-i', input, '-o', output, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
}

export interface UbifsGeometry {
  /** Minimum I/O unit (NAND page; 1 for NOR). */
  minIo: number;
  /** LEB size: the PEB size less the UBI headers' room. */
  lebSize: number;
  /** Most LEBs the filesystem may grow to. */
  maxLebs: number;
}

/** NAND with 128 KiB PEBs and 2 KiB pages: EC and VID headers take a page each. */
export const NAND_128K: UbifsGeometry & { pebSize: number } = { minIo: 2048, lebSize: 126976, maxLebs: 200, pebSize: 128 * 1024 };
/** NOR with 64 KiB erase blocks: the headers take 64 bytes each. */
export const NOR_64K: UbifsGeometry & { pebSize: number } = { minIo: 1, lebSize: 65408, maxLebs: 400, pebSize: 64 * 1024 };

/** `mkfs.ubifs -r src -o image -m MINIO -e LEB -c MAX [args]` (args: -x lzo|zlib|zstd|none|favor_lzo, -f FANOUT...). */
export function mkfsUbifs(src: string, image: string, geometry: UbifsGeometry, args: string[] = []): void {
  execFileSync(
    'mkfs.ubifs',
    ['-r', src, '-o', image, '-m', String(geometry.minIo), '-e', String(geometry.lebSize), '-c', String(geometry.maxLebs), ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env },
  );
}

export interface UbiVolumeSpec {
  name: string;
  id: number;
  type: 'dynamic' | 'static';
  /** The image written into the volume; none for an empty volume. */
  image?: string;
  /** The volume size ("4MiB"); the image's size when left out. */
  size?: string;
  autoresize?: boolean;
}

/** `ubinize -o out -p PEB -m MINIO [-s SUBPAGE] ini` with an ini file written from the volumes. */
export function ubinize(out: string, volumes: UbiVolumeSpec[], flash: { pebSize: number; minIo: number; subPage?: number }): void {
  const ini = volumes
    .map((v) =>
      [
        `[${v.name}]`,
        'mode=ubi',
        ...(v.image ? [`image=${v.image}`] : []),
        `vol_id=${v.id}`,
        `vol_type=${v.type}`,
        `vol_name=${v.name}`,
        ...(v.size ? [`vol_size=${v.size}`] : []),
        ...(v.autoresize ? ['vol_flags=autoresize'] : []),
      ].join('\n'),
    )
    .join('\n\n');
  const iniPath = `${out}.ini`;
  writeFileSync(iniPath, `${ini}\n`);
  execFileSync(
    'ubinize',
    [
      '-o',
      out,
      '-p',
      String(flash.pebSize),
      '-m',
      String(flash.minIo),
      ...(flash.subPage ? ['-s', String(flash.subPage)] : []),
      '-Q',
      '12345',
      iniPath,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env },
  );
}
