// The Intel HEX reader: records, checksums, address records, gaps, overlaps and the size bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../../src/io/input-error.ts';
import { looksLikeIntelHex, MAX_HEX_SPAN, parseIntelHex } from '../../../../src/scan/config/mcuboot/intel-hex.ts';
import { record, toIntelHex } from '../../../helpers/mcuboot-image-builder.ts';

const EOF = ':00000001FF';
const data = (offset: number, ...bytes: number[]) => record(0x00, offset, Uint8Array.from(bytes));
const linear = (upper: number) => record(0x04, 0, Uint8Array.of(upper >> 8, upper & 0xff));
const segment = (seg: number) => record(0x02, 0, Uint8Array.of(seg >> 8, seg & 0xff));
const parse = (...lines: string[]) => parseIntelHex(lines.join('\n'), 'f.hex');

function throwsInput(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: Error) => error instanceof InputError && message.test(error.message));
}

describe('Intel HEX', () => {
  it('lays records out from the lowest address, filling gaps with 0xff', () => {
    const hex = parse(linear(1), data(0x0010, 1, 2), data(0x0000, 9), EOF);
    assert.equal(hex.base, 0x10000);
    assert.deepEqual([...hex.data], [9, ...new Array(15).fill(0xff), 1, 2]);
    assert.equal(hex.missingEof, false);
  });

  it('reads extended segment addresses (02) as segment * 16', () => {
    const hex = parse(segment(0x1000), data(0x0004, 0xaa), EOF);
    assert.equal(hex.base, 0x10004);
  });

  it('accepts start address records (03, 05) and CRLF line ends, and stops at EOF', () => {
    const lines = [
      linear(0),
      data(0, 1),
      record(0x05, 0, Uint8Array.of(0, 0, 0x80, 0x01)),
      record(0x03, 0, Uint8Array.of(0, 0, 0, 0)),
      EOF,
      'trailing garbage',
    ];
    const hex = parseIntelHex(lines.join('\r\n'), 'f.hex');
    assert.deepEqual([...hex.data], [1]);
  });

  it('round-trips the builder layout across a 64 KiB boundary', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const hex = parseIntelHex(toIntelHex(bytes, 0x1ff80), 'f.hex');
    assert.equal(hex.base, 0x1ff80);
    assert.deepEqual(hex.data, bytes);
  });

  it('flags a file without an end-of-file record', () => {
    assert.equal(parse(data(0, 1)).missingEof, true);
  });

  it('accepts the same bytes given twice, refuses different ones', () => {
    assert.deepEqual([...parse(data(0, 1, 2, 3), data(1, 2), EOF).data], [1, 2, 3]);
    throwsInput(() => parse(data(0, 1, 2, 3), data(2, 9), EOF), /^f\.hex:2: Intel HEX: address 0x2 is given twice with different data$/);
  });

  it('refuses broken records with the line number', () => {
    throwsInput(() => parse(data(0, 1), 'x', EOF), /^f\.hex:2: Intel HEX: a record must start with ":"$/);
    throwsInput(() => parse(':0000000'), /f\.hex:1: .*odd number of characters/);
    throwsInput(() => parse(':0100000001FG'), /f\.hex:1: .*hexadecimal digits only/);
    throwsInput(() => parse(':0200000001FD'), /byte count says 2 data bytes, the record holds 1/);
    throwsInput(() => parse(`${data(0, 1).slice(0, -2)}00`), /f\.hex:1: Intel HEX: checksum mismatch/);
    throwsInput(() => parse(record(0x06, 0, new Uint8Array(0))), /unknown record type 0x06/);
    throwsInput(() => parse(record(0x04, 0, Uint8Array.of(1))), /extended linear address record holds 2 bytes/);
    throwsInput(() => parse(record(0x02, 0, Uint8Array.of(1, 2, 3))), /extended segment address record holds 2 bytes/);
    throwsInput(() => parse(record(0x05, 0, Uint8Array.of(1))), /start address record holds 4 bytes/);
    throwsInput(() => parse(record(0x01, 0, Uint8Array.of(1))), /end-of-file record holds no data/);
    throwsInput(() => parse(EOF), /^f\.hex: Intel HEX: no data records$/);
  });

  it('refuses data spread over more than the size bound without allocating it', () => {
    assert.equal(MAX_HEX_SPAN, 64 * 1024 * 1024);
    throwsInput(() => parse(linear(0), data(0, 1), linear(0xffff), data(0xfff0, 2), EOF), /spans 0x0 to 0xfffffff1, more than 64 MiB/);
    throwsInput(() => parse(linear(0), data(0, 1), linear(0x0400), data(0, 2), EOF), /more than 64 MiB/);
    assert.equal(parse(linear(0), data(0, 1), linear(0x03ff), data(0xfffe, 2), EOF).data.length, MAX_HEX_SPAN - 1);
  });

  it('is recognised cheaply by its first record', () => {
    assert.equal(looksLikeIntelHex(`${linear(1)}\n`), true);
    assert.equal(looksLikeIntelHex(`\uFEFF  ${linear(1)}`), true);
    assert.equal(looksLikeIntelHex('CONFIG_X=y'), false);
    assert.equal(looksLikeIntelHex(':1'), false);
  });
});
