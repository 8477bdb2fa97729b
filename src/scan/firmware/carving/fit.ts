// Flattened device trees (the devicetree specification's DTB format) and U-Boot FIT images built on them
// (doc/usage/fit/): /images/* with their data (embedded, or external after the tree with data-offset /
// data-position and data-size), type, compression and hash-* nodes (sha1, sha256, sha384, sha512, md5 and
// crc32 values are verified here); /configurations/* with signature-* nodes. A signed configuration is evidence
// of verified boot (EN 303 645 provision 5.7-1); the RSA/ECDSA signature itself is not verified here, because
// the public key lives in the bootloader's own device tree, not in the FIT.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { ImageReadError } from '../image-fs.ts';
import type { ReadAt } from './uimage.ts';

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_HEADER_SIZE = 40;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_NOP = 4;
const FDT_END = 9;

export interface FdtNode {
  name: string;
  props: Map<string, Uint8Array>;
  children: FdtNode[];
}

export interface FdtHeader {
  totalSize: number;
  offStruct: number;
  offStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  sizeStrings: number;
  sizeStruct: number;
}

export interface FdtLimits {
  /** Deepest node nesting. Default 32. */
  maxDepth?: number;
  /** Most nodes. Default 100,000. */
  maxNodes?: number;
}

function be32(b: Uint8Array, i: number): number {
  return (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;
}

/** Parses and sanity-checks an FDT header against the bytes available (`available`, from the header on). */
export function parseFdtHeader(b: Uint8Array, available = Number.MAX_SAFE_INTEGER): FdtHeader {
  if (b.length < FDT_HEADER_SIZE) throw new ImageReadError('fdt: header truncated');
  if (be32(b, 0) !== FDT_MAGIC) throw new ImageReadError('fdt: bad magic');
  const h: FdtHeader = {
    totalSize: be32(b, 4),
    offStruct: be32(b, 8),
    offStrings: be32(b, 12),
    offMemRsvmap: be32(b, 16),
    version: be32(b, 20),
    lastCompVersion: be32(b, 24),
    sizeStrings: be32(b, 32),
    sizeStruct: be32(b, 36),
  };
  if (h.totalSize < FDT_HEADER_SIZE || h.totalSize > available) throw new ImageReadError(`fdt: implausible total size ${h.totalSize}`);
  if (h.version < 16 || h.version > 17 || h.lastCompVersion > 17) throw new ImageReadError(`fdt: unsupported version ${h.version}`);
  const within = (off: number, size: number): boolean => off >= FDT_HEADER_SIZE && off + size <= h.totalSize;
  if (!within(h.offStruct, h.sizeStruct) || !within(h.offStrings, h.sizeStrings) || h.offStruct % 4 !== 0 || h.sizeStruct < 8)
    throw new ImageReadError('fdt: structure or strings block outside the tree');
  return h;
}

/** Parses a whole flattened device tree held in `b` (at least totalSize bytes). */
export function parseFdt(b: Uint8Array, limits: FdtLimits = {}): FdtNode {
  const maxDepth = limits.maxDepth ?? 32;
  const maxNodes = limits.maxNodes ?? 100_000;
  const h = parseFdtHeader(b, b.length);
  const end = h.offStruct + h.sizeStruct;
  const strings = b.subarray(h.offStrings, h.offStrings + h.sizeStrings);
  const decoder = new TextDecoder('latin1');
  const cString = (bytes: Uint8Array, at: number, limit: number): string => {
    const nul = bytes.indexOf(0, at);
    if (nul < 0 || nul >= limit) throw new ImageReadError('fdt: unterminated string');
    return decoder.decode(bytes.subarray(at, nul));
  };
  let at = h.offStruct;
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  let nodes = 0;
  for (;;) {
    if (at + 4 > end) throw new ImageReadError('fdt: structure block ends without FDT_END');
    const token = be32(b, at);
    at += 4;
    if (token === FDT_BEGIN_NODE) {
      const name = cString(b, at, end);
      at += (name.length + 1 + 3) & ~3;
      if (++nodes > maxNodes) throw new ImageReadError(`fdt: more than ${maxNodes} nodes`);
      if (stack.length >= maxDepth) throw new ImageReadError(`fdt: nodes nested deeper than ${maxDepth}`);
      const node: FdtNode = { name, props: new Map(), children: [] };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root) throw new ImageReadError('fdt: a second root node');
      else root = node;
      stack.push(node);
    } else if (token === FDT_END_NODE) {
      if (!stack.pop()) throw new ImageReadError('fdt: FDT_END_NODE without a node');
    } else if (token === FDT_PROP) {
      if (at + 8 > end) throw new ImageReadError('fdt: truncated property');
      const len = be32(b, at);
      const nameOff = be32(b, at + 4);
      at += 8;
      if (len > end - at) throw new ImageReadError(`fdt: property of ${len} bytes runs past the structure block`);
      const node = stack[stack.length - 1];
      if (!node) throw new ImageReadError('fdt: property outside any node');
      if (nameOff >= strings.length) throw new ImageReadError('fdt: property name outside the strings block');
      node.props.set(cString(strings, nameOff, strings.length), b.subarray(at, at + len));
      at += (len + 3) & ~3;
    } else if (token === FDT_NOP) {
      continue;
    } else if (token === FDT_END) {
      if (stack.length !== 0 || !root) throw new ImageReadError('fdt: FDT_END inside a node');
      return root;
    } else {
      throw new ImageReadError(`fdt: unknown token ${token}`);
    }
  }
}

export function propString(node: FdtNode, name: string): string | undefined {
  const v = node.props.get(name);
  if (!v) return undefined;
  const nul = v.indexOf(0);
  return new TextDecoder('latin1').decode(v.subarray(0, nul < 0 ? v.length : nul));
}

export function propU32(node: FdtNode, name: string): number | undefined {
  const v = node.props.get(name);
  return v && v.length >= 4 ? be32(v, 0) : undefined;
}

function child(node: FdtNode | undefined, name: string): FdtNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export interface FitHash {
  node: string;
  algo: string;
  /** true: matches; false: does not; undefined: algorithm not checked here, or no data. */
  valid: boolean | undefined;
}

export interface FitImage {
  name: string;
  description?: string;
  type?: string;
  arch?: string;
  os?: string;
  compression?: string;
  load?: number;
  entry?: number;
  /** Where the data is, relative to the source read, and its size; undefined when there is none. */
  data?: { offset: number; size: number; external: boolean };
  hashes: FitHash[];
  /** signature-* nodes directly in the image (image signing, as opposed to configuration signing). */
  signatures: FitSignature[];
}

export interface FitSignature {
  node: string;
  algo?: string;
  keyNameHint?: string;
  /** The images a configuration signature covers ("sign-images"). */
  signedImages: string[];
  /** Whether the node has a non-empty value: it was signed, not only prepared for signing. */
  hasValue: boolean;
}

export interface FitConfiguration {
  name: string;
  description?: string;
  kernel?: string;
  ramdisk?: string;
  fdt?: string[];
  loadables?: string[];
  signatures: FitSignature[];
  /** At least one signature-* node with a value. */
  signed: boolean;
}

export interface Fit {
  offset: number;
  totalSize: number;
  description?: string;
  timestamp?: number;
  images: FitImage[];
  configurations: FitConfiguration[];
  defaultConfiguration?: string;
  problems: string[];
}

export interface FitOptions extends FdtLimits {
  /** Largest tree read (the structure block holds embedded image data). Default 256 MiB. */
  maxTreeBytes?: number;
  /** Verify hash-* nodes (reads each image's data). Default true. */
  verifyHashes?: boolean;
}

function stringList(v: Uint8Array | undefined): string[] {
  if (!v) return [];
  return new TextDecoder('latin1').decode(v).split('\0').filter(Boolean);
}

function signatures(node: FdtNode): FitSignature[] {
  return node.children
    .filter((c) => c.name === 'signature' || c.name.startsWith('signature-') || c.name.startsWith('signature@'))
    .map((s) => ({
      node: s.name,
      algo: propString(s, 'algo'),
      keyNameHint: propString(s, 'key-name-hint'),
      signedImages: stringList(s.props.get('sign-images')),
      hasValue: (s.props.get('value')?.length ?? 0) > 0,
    }));
}

const HASHES: Record<string, string> = { sha1: 'sha1', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', md5: 'md5' };

function verifyHash(algo: string, expected: Uint8Array, data: Uint8Array): boolean | undefined {
  if (algo === 'crc32') {
    if (expected.length !== 4) return false;
    return crc32(data) === be32(expected, 0);
  }
  const name = HASHES[algo];
  if (!name) return undefined;
  const digest = createHash(name).update(data).digest();
  return digest.length === expected.length && digest.every((byte, i) => byte === expected[i]);
}

/** Reads the FIT (or any FDT, whose /images and /configurations are then empty) at `offset`. */
export function readFit(read: ReadAt, size: number, offset: number, options: FitOptions = {}): Fit {
  const maxTree = options.maxTreeBytes ?? 256 << 20;
  const header = parseFdtHeader(read(offset, FDT_HEADER_SIZE), size - offset);
  if (header.totalSize > maxTree) throw new ImageReadError(`fdt at ${offset}: tree of ${header.totalSize} bytes (more than ${maxTree})`);
  const tree = read(offset, header.totalSize);
  if (tree.length < header.totalSize) throw new ImageReadError(`fdt at ${offset}: truncated`);
  const root = parseFdt(tree, options);
  const problems: string[] = [];
  const externalBase = offset + ((header.totalSize + 3) & ~3);
  const images: FitImage[] = [];
  for (const node of child(root, 'images')?.children ?? []) {
    const image: FitImage = {
      name: node.name,
      description: propString(node, 'description'),
      type: propString(node, 'type'),
      arch: propString(node, 'arch'),
      os: propString(node, 'os'),
      compression: propString(node, 'compression'),
      load: propU32(node, 'load'),
      entry: propU32(node, 'entry'),
      hashes: [],
      signatures: signatures(node),
    };
    const embedded = node.props.get('data');
    let bytes: Uint8Array | undefined;
    if (embedded) {
      image.data = { offset: offset + embedded.byteOffset - tree.byteOffset, size: embedded.length, external: false };
      bytes = embedded;
    } else {
      const dataSize = propU32(node, 'data-size');
      const dataOffset = propU32(node, 'data-offset');
      const dataPosition = propU32(node, 'data-position');
      if (dataSize !== undefined && (dataOffset !== undefined || dataPosition !== undefined)) {
        const at = dataPosition !== undefined ? offset + dataPosition : externalBase + (dataOffset as number);
        if (at + dataSize > size) problems.push(`/images/${node.name}: external data (${dataSize} bytes at ${at}) runs past the end`);
        else image.data = { offset: at, size: dataSize, external: true };
      }
    }
    for (const h of node.children.filter((c) => c.name === 'hash' || c.name.startsWith('hash-') || c.name.startsWith('hash@'))) {
      const algo = propString(h, 'algo') ?? '';
      const value = h.props.get('value');
      let valid: boolean | undefined;
      if (options.verifyHashes !== false && value && image.data) {
        if (!bytes && image.data.size <= maxTree) bytes = read(image.data.offset, image.data.size);
        if (bytes) valid = verifyHash(algo, value, bytes);
      }
      if (valid === false) problems.push(`/images/${node.name}/${h.name}: ${algo} does not match the data`);
      image.hashes.push({ node: h.name, algo, valid });
    }
    images.push(image);
  }
  const configs = child(root, 'configurations');
  const configurations: FitConfiguration[] = (configs?.children ?? []).map((c) => {
    const sigs = signatures(c);
    return {
      name: c.name,
      description: propString(c, 'description'),
      kernel: propString(c, 'kernel'),
      ramdisk: propString(c, 'ramdisk'),
      fdt: c.props.has('fdt') ? stringList(c.props.get('fdt')) : undefined,
      loadables: c.props.has('loadables') ? stringList(c.props.get('loadables')) : undefined,
      signatures: sigs,
      signed: sigs.some((s) => s.hasValue),
    };
  });
  return {
    offset,
    totalSize: header.totalSize,
    description: propString(root, 'description'),
    timestamp: propU32(root, 'timestamp'),
    images,
    configurations,
    defaultConfiguration: configs ? propString(configs, 'default') : undefined,
    problems,
  };
}
