// U-Boot boot scripts, told by content and read in both forms:
//
// - compiled (`boot.scr`, what `mkimage -T script -C none -d boot.cmd boot.scr` makes): a legacy uImage of
//   type script, its header and data CRCs checked with the uImage parser; the data is a table of 32-bit
//   big-endian lengths ended by 0, then the text. U-Boot's `source` runs the first part, `length` bytes,
//   as stored: it refuses a bad header CRC, a bad data CRC unless verify is off, and never decompresses
//   (mkimage leaves a script's data as it is whatever -C says).
// - text (`boot.cmd`, mkimage's input): U-Boot commands, one a line or separated by `;`.
//
// A text counts as a script only when it clearly is one: mostly U-Boot commands, among them a `setenv` and a
// command that loads or boots something; a `#!` line, shell-only commands or name=value lines (an environment)
// rule it out.
import { ImageReadError } from '../../firmware/image-fs.ts';
import { parseUImageHeader, readUImage, UIMAGE_HEADER_SIZE, UIMAGE_MAGIC } from '../../firmware/carving/uimage.ts';
import { InputError } from '../../../io/input-error.ts';
import type { ConfigFile } from '../config-kind.ts';
import { hex32 } from './environment.ts';
import { parseScript, plainWord } from './script.ts';

/** The uImage type of a script (include/image.h, IH_TYPE_SCRIPT). */
const IH_TYPE_SCRIPT = 6;
/** Lengths read from a script image's table, past which it is taken as malformed (mkimage writes one). */
const MAX_PARTS = 256;
/** Detection reads at most this much text. */
const SAMPLE_CHARS = 64 * 1024;

/** Commands that load an image or boot one: a script has at least one. */
const LOADS_OR_BOOTS = new Set([
  'load',
  'fatload',
  'ext2load',
  'ext4load',
  'ubifsload',
  'sqfsload',
  'btrload',
  'zfsload',
  'tftpboot',
  'tftp',
  'dhcp',
  'bootp',
  'pxe',
  'nfs',
  'wget',
  'bootz',
  'bootm',
  'booti',
  'bootefi',
  'bootelf',
  'bootvx',
  'bootd',
  'boot',
  'sysboot',
  'zboot',
  'run',
]);
/** Other U-Boot commands common in boot scripts. */
const COMMANDS = new Set([
  ...LOADS_OR_BOOTS,
  'setenv',
  'env',
  'printenv',
  'saveenv',
  'editenv',
  'askenv',
  'echo',
  'test',
  'itest',
  'setexpr',
  'sleep',
  'true',
  'false',
  'exit',
  'source',
  'ls',
  'size',
  'fatls',
  'fatsize',
  'fatwrite',
  'ext4ls',
  'ext4size',
  'ext4write',
  'ubifsmount',
  'ubifsls',
  'ubi',
  'mmc',
  'usb',
  'scsi',
  'sata',
  'ide',
  'nvme',
  'virtio',
  'part',
  'fdt',
  'unzip',
  'gzwrite',
  'mw',
  'md',
  'cp',
  'cmp',
  'crc32',
  'sf',
  'nand',
  'mtd',
  'mtdparts',
  'gpio',
  'i2c',
  'led',
  'reset',
  'bootcount',
  'bdinfo',
  'coninfo',
  'version',
  'go',
  'iminfo',
  'imxtract',
  'hash',
  'sha1sum',
  'bootflow',
  'bootdev',
  'bmp',
  'cls',
  'ping',
  'fitimage',
  'setcurs',
  'lcdputs',
  'pci',
  'dm',
]);

export interface ScriptImage {
  name: string;
  arch: string;
  os: string;
  /** The header's compression field, which `source` ignores (mkimage stores script data as it is anyway). */
  compression: string;
  headerCrc: number;
  headerCrcValid: boolean;
  dataCrc: number;
  /** Undefined when the header CRC failed and the data was not checked. */
  dataCrcValid?: boolean;
  dataSize: number;
  /** The lengths in the table: U-Boot runs the first. */
  parts: number[];
}

export interface BootScript {
  form: 'compiled' | 'text';
  /** The commands U-Boot runs: the text of boot.cmd, or of boot.scr's first part. */
  text: string;
  image?: ScriptImage;
  /** What U-Boot would refuse or what could not be read, as `incomplete` entries' reasons. */
  problems: string[];
}

function be32(b: Uint8Array, i: number): number {
  return (((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number)) >>> 0;
}

/** A legacy uImage of type script: magic and type byte (the header CRC is checked when it is read). */
export function isCompiledScript(bytes: Uint8Array): boolean {
  return bytes.length >= UIMAGE_HEADER_SIZE && be32(bytes, 0) === UIMAGE_MAGIC && bytes[30] === IH_TYPE_SCRIPT;
}

/** How surely bytes are a boot script: 0.99 for a script uImage, up to 0.95 for a text of U-Boot commands. */
export function detectBootScript(file: ConfigFile): number {
  if (isCompiledScript(file.bytes)) return 0.99;
  const head = file.bytes.length > SAMPLE_CHARS ? file.bytes.subarray(0, SAMPLE_CHARS) : file.bytes;
  if (head.includes(0)) return 0;
  return scriptScore(file.text.length > SAMPLE_CHARS ? file.text.slice(0, SAMPLE_CHARS) : file.text);
}

/** A command's name as U-Boot looks it up: `itest.b` is itest with a size suffix. */
function commandName(verb: string): string {
  const dot = verb.indexOf('.');
  return dot > 0 ? verb.slice(0, dot) : verb;
}

export function scriptScore(text: string): number {
  if (text.startsWith('#!')) return 0;
  let lines = 0;
  let assignments = 0;
  for (const raw of text.split('\n', 20_000)) {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    lines++;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(line)) assignments++;
  }
  // name=value lines are an environment (uEnv.txt, u-boot-initial-env), which hush could run but nobody does.
  if (lines === 0 || assignments * 2 >= lines) return 0;
  let commands = 0;
  let known = 0;
  let setenv = false;
  let boots = false;
  for (const command of parseScript(text)) {
    const verb = plainWord(command.words[0]);
    if (verb === undefined) continue; // ${load} … : a command named by a variable
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(verb)) continue;
    commands++;
    const name = commandName(verb);
    if (!COMMANDS.has(name)) continue;
    known++;
    if (name === 'setenv' || (name === 'env' && plainWord(command.words[1]) === 'set')) setenv = true;
    if (LOADS_OR_BOOTS.has(name)) boots = true;
  }
  if (commands === 0 || !boots) return 0;
  const share = known / commands;
  if (setenv && share >= 0.75) return 0.95;
  if (commands >= 2 && share >= 0.9) return 0.6;
  return 0;
}

/** Reads a boot script, compiled or text; InputError when it holds nothing U-Boot would run. */
export function readBootScript(file: ConfigFile): BootScript {
  if (!isCompiledScript(file.bytes)) {
    if (file.bytes.includes(0)) throw new InputError(`${file.path}: not a U-Boot boot script (binary data without a script uImage header)`);
    return { form: 'text', text: file.text, problems: [] };
  }
  try {
    return readCompiled(file.bytes);
  } catch (error) {
    if (error instanceof ImageReadError || error instanceof InputError) throw new InputError(`${file.path}: ${error.message}`);
    throw error;
  }
}

function readCompiled(bytes: Uint8Array): BootScript {
  const header = parseUImageHeader(bytes.subarray(0, UIMAGE_HEADER_SIZE));
  const problems: string[] = [];
  let dataCrcValid: boolean | undefined;
  const read = (position: number, length: number) => bytes.subarray(position, position + length);
  if (header.headerCrcValid) {
    const image = readUImage(read, bytes.length, 0);
    dataCrcValid = image.dataCrcValid;
    for (const problem of image.problems) {
      if (problem === 'data CRC mismatch')
        problems.push(
          `data CRC mismatch: the header's ${hex32(header.dataCrc)} is not the CRC-32 of the ${header.dataSize} bytes after it, so U-Boot's source command refuses the script ("Bad data crc") unless verify is off; the commands were checked anyway`,
        );
      else problems.push(`${problem}; U-Boot refuses the script when its data CRC does not match`);
    }
  } else {
    problems.push(
      `header CRC mismatch (stored ${hex32(header.headerCrc)}): U-Boot's source command refuses the script ("Bad header crc"); the data CRC was not checked, the commands were checked anyway`,
    );
  }
  const end = Math.min(bytes.length, UIMAGE_HEADER_SIZE + header.dataSize);
  const parts: number[] = [];
  let position = UIMAGE_HEADER_SIZE;
  for (;;) {
    if (position + 4 > end) throw new InputError('script image: the table of lengths runs past the data');
    const length = be32(bytes, position);
    position += 4;
    if (length === 0) break;
    parts.push(length);
    if (parts.length > MAX_PARTS) throw new InputError(`script image: more than ${MAX_PARTS} lengths in its table`);
  }
  const first = parts[0];
  if (first === undefined) throw new InputError('empty script: the first length in the table is 0, and U-Boot refuses it ("Empty Script")');
  if (position + first > end)
    problems.push(
      `the script's length (${first} bytes) runs past the data (${end - position} bytes follow the table); what is there was read`,
    );
  if (parts.length > 1) problems.push(`${parts.length} parts in the table: U-Boot's source command runs the first only, which was read`);
  const data = bytes.subarray(position, Math.min(end, position + first));
  const nul = data.indexOf(0);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(nul < 0 ? data : data.subarray(0, nul));
  if (data[0] === 0x1f && data[1] === 0x8b)
    problems.push(
      "the script data is gzip-compressed: U-Boot's source command runs it as stored, without decompressing it, so it cannot run",
    );
  return {
    form: 'compiled',
    text,
    image: {
      name: header.name,
      arch: header.archName,
      os: header.osName,
      compression: header.compressionName,
      headerCrc: header.headerCrc,
      headerCrcValid: header.headerCrcValid,
      dataCrc: header.dataCrc,
      ...(dataCrcValid === undefined ? {} : { dataCrcValid }),
      dataSize: header.dataSize,
      parts,
    },
    problems,
  };
}
