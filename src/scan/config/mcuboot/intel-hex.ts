// Intel HEX, as imgtool writes signed images with a .hex name: records of data (00), end of file (01),
// extended segment address (02), start segment address (03), extended linear address (04) and start linear
// address (05), each with a checksum. The data is laid out from its lowest address, gaps filled with 0xff
// (erased flash, as Python's intelhex pads), within a bounded span so a few far-apart records cannot make
// us allocate gigabytes.
import { InputError } from '../../../io/input-error.ts';

/** The largest span of addresses we assemble: far beyond any MCU's image slot. */
export const MAX_HEX_SPAN = 64 * 1024 * 1024;

export interface HexImage {
  /** The lowest address holding data: where the image is loaded. */
  base: number;
  data: Uint8Array;
  /** The file ended without an end-of-file record: it may have been cut short. */
  missingEof: boolean;
}

interface Chunk {
  address: number;
  bytes: Uint8Array;
  line: number;
}

/** Whether text starts the way an Intel HEX file does; cheap, for detection before a full parse. */
export function looksLikeIntelHex(text: string): boolean {
  return /^\uFEFF?\s*:[0-9A-Fa-f]{10}/.test(text.slice(0, 64));
}

export function parseIntelHex(text: string, path: string): HexImage {
  const fail = (line: number, problem: string): never => {
    throw new InputError(`${path}:${line}: Intel HEX: ${problem}`);
  };
  const chunks: Chunk[] = [];
  let upper = 0; // from 02 (segment * 16) or 04 (linear << 16)
  let sawEof = false;
  let lineNo = 0;
  let from = 0;
  while (from < text.length && !sawEof) {
    lineNo++;
    let to = text.indexOf('\n', from);
    if (to === -1) to = text.length;
    const line = text
      .slice(from, to)
      .replace(/^\uFEFF/, '')
      .trim();
    from = to + 1;
    if (line === '') continue;
    if (!line.startsWith(':')) fail(lineNo, 'a record must start with ":"');
    if (line.length < 11 || line.length % 2 === 0) fail(lineNo, 'a record needs an odd number of characters, at least 11');
    if (!/^:[0-9A-Fa-f]+$/.test(line)) fail(lineNo, 'a record holds hexadecimal digits only');
    const record = Buffer.from(line.slice(1), 'hex');
    const count = record[0] ?? 0;
    if (record.length !== count + 5) fail(lineNo, `the byte count says ${count} data bytes, the record holds ${record.length - 5}`);
    let sum = 0;
    for (const b of record) sum = (sum + b) & 0xff;
    if (sum !== 0) fail(lineNo, 'checksum mismatch');
    const offset = ((record[1] ?? 0) << 8) | (record[2] ?? 0);
    const type = record[3];
    const data = record.subarray(4, 4 + count);
    switch (type) {
      case 0x00:
        if (count > 0) chunks.push({ address: upper + offset, bytes: new Uint8Array(data), line: lineNo });
        break;
      case 0x01:
        if (count !== 0) fail(lineNo, 'an end-of-file record holds no data');
        sawEof = true;
        break;
      case 0x02:
        if (count !== 2) fail(lineNo, 'an extended segment address record holds 2 bytes');
        upper = (((data[0] ?? 0) << 8) | (data[1] ?? 0)) * 16;
        break;
      case 0x04:
        if (count !== 2) fail(lineNo, 'an extended linear address record holds 2 bytes');
        upper = (((data[0] ?? 0) << 8) | (data[1] ?? 0)) * 0x10000;
        break;
      case 0x03:
      case 0x05:
        // Start addresses say where execution begins; they do not place data.
        if (count !== 4) fail(lineNo, 'a start address record holds 4 bytes');
        break;
      default:
        fail(lineNo, `unknown record type 0x${(type ?? 0).toString(16).padStart(2, '0')}`);
    }
  }
  if (chunks.length === 0) throw new InputError(`${path}: Intel HEX: no data records`);
  return { ...assemble(chunks, path), missingEof: !sawEof };
}

function assemble(chunks: Chunk[], path: string): { base: number; data: Uint8Array } {
  chunks.sort((a, b) => a.address - b.address || a.line - b.line);
  const base = chunks[0]?.address ?? 0;
  let end = base;
  for (const c of chunks) end = Math.max(end, c.address + c.bytes.length);
  if (end - base > MAX_HEX_SPAN) {
    throw new InputError(
      `${path}: Intel HEX: data spans 0x${base.toString(16)} to 0x${end.toString(16)}, more than ${MAX_HEX_SPAN / (1024 * 1024)} MiB`,
    );
  }
  const data = new Uint8Array(end - base).fill(0xff);
  let written = base; // everything below this address already holds a record's byte
  for (const c of chunks) {
    const at = c.address - base;
    const overlap = Math.min(written, c.address + c.bytes.length) - c.address;
    for (let i = 0; i < overlap; i++) {
      if (data[at + i] !== c.bytes[i]) {
        throw new InputError(`${path}:${c.line}: Intel HEX: address 0x${(c.address + i).toString(16)} is given twice with different data`);
      }
    }
    data.set(c.bytes, at);
    written = Math.max(written, c.address + c.bytes.length);
  }
  return { base, data };
}
