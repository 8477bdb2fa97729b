// The xz branch/call/jump (BCJ) filters and the delta filter, decoding direction, applied in place over one
// xz block's whole output (the way xz-embedded's decoders work, which mksquashfs -Xbcj relies on). Written
// after xz-embedded's xz_dec_bcj.c (public domain). Bytes at the end too short to hold an instruction are
// left as they are, as the streaming filters leave them at the end of a block.

type Filter = (buf: Uint8Array, start: number, end: number, startPos: number) => void;

function x86(buf: Uint8Array, start: number, end: number, startPos: number): void {
  const allowed = [true, true, true, false, true, false, false, false];
  const bitNum = [0, 1, 2, 2, 3, 3, 3, 3];
  const size = end - start;
  if (size <= 4) return;
  const limit = size - 4;
  let prevPos = -1;
  let prevMask = 0;
  const test = (b: number): boolean => b === 0x00 || b === 0xff;
  for (let i = 0; i < limit; i++) {
    const at = start + i;
    if (((buf[at] as number) & 0xfe) !== 0xe8) continue;
    const gap = i - prevPos;
    if (gap > 3) {
      prevMask = 0;
    } else {
      prevMask = (prevMask << (gap - 1)) & 7;
      if (prevMask !== 0) {
        const b = buf[at + 4 - (bitNum[prevMask] as number)] as number;
        if (!allowed[prevMask] || test(b)) {
          prevPos = i;
          prevMask = (prevMask << 1) | 1;
          continue;
        }
      }
    }
    prevPos = i;
    if (test(buf[at + 4] as number)) {
      let src =
        ((buf[at + 1] as number) | ((buf[at + 2] as number) << 8) | ((buf[at + 3] as number) << 16) | ((buf[at + 4] as number) << 24)) >>>
        0;
      let dest: number;
      for (;;) {
        dest = (src - (startPos + i + 5)) >>> 0;
        if (prevMask === 0) break;
        const j = (bitNum[prevMask] as number) * 8;
        const b = (dest >>> (24 - j)) & 0xff;
        if (!test(b)) break;
        src = (dest ^ ((2 ** (32 - j) - 1) >>> 0)) >>> 0;
      }
      dest &= 0x01ffffff;
      dest = (dest | (0 - (dest & 0x01000000))) >>> 0;
      buf[at + 1] = dest & 0xff;
      buf[at + 2] = (dest >>> 8) & 0xff;
      buf[at + 3] = (dest >>> 16) & 0xff;
      buf[at + 4] = (dest >>> 24) & 0xff;
      i += 4;
    } else {
      prevMask = (prevMask << 1) | 1;
    }
  }
}

function be32(buf: Uint8Array, i: number): number {
  return (((buf[i] as number) << 24) | ((buf[i + 1] as number) << 16) | ((buf[i + 2] as number) << 8) | (buf[i + 3] as number)) >>> 0;
}

function putBe32(buf: Uint8Array, i: number, v: number): void {
  buf[i] = (v >>> 24) & 0xff;
  buf[i + 1] = (v >>> 16) & 0xff;
  buf[i + 2] = (v >>> 8) & 0xff;
  buf[i + 3] = v & 0xff;
}

function le32(buf: Uint8Array, i: number): number {
  return ((buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24)) >>> 0;
}

function putLe32(buf: Uint8Array, i: number, v: number): void {
  buf[i] = v & 0xff;
  buf[i + 1] = (v >>> 8) & 0xff;
  buf[i + 2] = (v >>> 16) & 0xff;
  buf[i + 3] = (v >>> 24) & 0xff;
}

function powerpc(buf: Uint8Array, start: number, end: number, startPos: number): void {
  for (let i = 0; start + i + 4 <= end; i += 4) {
    let instr = be32(buf, start + i);
    if ((instr & 0xfc000003) >>> 0 === 0x48000001) {
      instr &= 0x03fffffc;
      instr = (instr - (startPos + i)) & 0x03fffffc;
      putBe32(buf, start + i, (instr | 0x48000001) >>> 0);
    }
  }
}

function arm(buf: Uint8Array, start: number, end: number, startPos: number): void {
  for (let i = 0; start + i + 4 <= end; i += 4) {
    const at = start + i;
    if (buf[at + 3] === 0xeb) {
      let addr = (buf[at] as number) | ((buf[at + 1] as number) << 8) | ((buf[at + 2] as number) << 16);
      addr = (addr * 4 - (startPos + i + 8)) >>> 0;
      addr >>>= 2;
      buf[at] = addr & 0xff;
      buf[at + 1] = (addr >>> 8) & 0xff;
      buf[at + 2] = (addr >>> 16) & 0xff;
    }
  }
}

function armThumb(buf: Uint8Array, start: number, end: number, startPos: number): void {
  for (let i = 0; start + i + 4 <= end; i += 2) {
    const at = start + i;
    if (((buf[at + 1] as number) & 0xf8) === 0xf0 && ((buf[at + 3] as number) & 0xf8) === 0xf8) {
      let addr =
        (((buf[at + 1] as number) & 0x07) << 19) |
        ((buf[at] as number) << 11) |
        (((buf[at + 3] as number) & 0x07) << 8) |
        (buf[at + 2] as number);
      addr = (addr * 2 - (startPos + i + 4)) >>> 0;
      addr >>>= 1;
      buf[at + 1] = 0xf0 | ((addr >>> 19) & 0x07);
      buf[at] = (addr >>> 11) & 0xff;
      buf[at + 3] = 0xf8 | ((addr >>> 8) & 0x07);
      buf[at + 2] = addr & 0xff;
      i += 2;
    }
  }
}

function sparc(buf: Uint8Array, start: number, end: number, startPos: number): void {
  for (let i = 0; start + i + 4 <= end; i += 4) {
    let instr = be32(buf, start + i);
    if (instr >>> 22 === 0x100 || instr >>> 22 === 0x1ff) {
      instr = (instr * 4) >>> 0;
      instr = (instr - (startPos + i)) >>> 0;
      instr >>>= 2;
      instr = ((0x40000000 - (instr & 0x400000)) | 0x40000000 | (instr & 0x3fffff)) >>> 0;
      putBe32(buf, start + i, instr);
    }
  }
}

function arm64(buf: Uint8Array, start: number, end: number, startPos: number): void {
  for (let i = 0; start + i + 4 <= end; i += 4) {
    const pc = (startPos + i) >>> 0;
    let instr = le32(buf, start + i);
    if (instr >>> 26 === 0x25) {
      const addr = (instr - (pc >>> 2)) >>> 0;
      putLe32(buf, start + i, (0x94000000 | (addr & 0x03ffffff)) >>> 0);
    } else if ((instr & 0x9f000000) >>> 0 === 0x90000000) {
      let addr = ((instr >>> 29) & 3) | ((instr >>> 3) & 0x001ffffc);
      if (((addr + 0x00020000) & 0x001c0000) !== 0) continue;
      addr = (addr - (pc >>> 12)) >>> 0;
      instr &= 0x9000001f;
      instr |= (addr & 3) << 29;
      instr |= (addr & 0x0003fffc) << 3;
      instr |= (0 - (addr & 0x00020000)) & 0x00e00000;
      putLe32(buf, start + i, instr >>> 0);
    }
  }
}

const IA64_BRANCH = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 6, 6, 0, 0, 7, 7, 4, 4, 0, 0, 4, 4, 0, 0];

function ia64(buf: Uint8Array, start: number, end: number, startPos: number): void {
  const size = (end - start) & ~15;
  for (let i = 0; i < size; i += 16) {
    const at = start + i;
    const mask = IA64_BRANCH[(buf[at] as number) & 0x1f] as number;
    for (let slot = 0, bitPos = 5; slot < 3; slot++, bitPos += 41) {
      if (((mask >>> slot) & 1) === 0) continue;
      const bytePos = bitPos >>> 3;
      const bitRes = BigInt(bitPos & 7);
      let instr = 0n;
      for (let j = 0; j < 6; j++) instr |= BigInt(buf[at + j + bytePos] as number) << BigInt(8 * j);
      let norm = instr >> bitRes;
      if (((norm >> 37n) & 0x0fn) === 0x05n && ((norm >> 9n) & 0x07n) === 0n) {
        let addr = Number((norm >> 13n) & 0x0fffffn);
        addr |= Number((norm >> 36n) & 1n) << 20;
        addr = ((addr << 4) - (startPos + i)) >>> 0;
        addr >>>= 4;
        norm &= ~(0x8fffffn << 13n);
        norm |= BigInt(addr & 0x0fffff) << 13n;
        norm |= BigInt(addr & 0x100000) << 16n;
        instr &= (1n << bitRes) - 1n;
        instr |= norm << bitRes;
        for (let j = 0; j < 6; j++) buf[at + j + bytePos] = Number((instr >> BigInt(8 * j)) & 0xffn);
      }
    }
  }
}

/** BCJ filters by xz filter id. */
export const BCJ_FILTERS: ReadonlyMap<number, { name: string; filter: Filter }> = new Map([
  [0x04, { name: 'x86', filter: x86 }],
  [0x05, { name: 'powerpc', filter: powerpc }],
  [0x06, { name: 'ia64', filter: ia64 }],
  [0x07, { name: 'arm', filter: arm }],
  [0x08, { name: 'armthumb', filter: armThumb }],
  [0x09, { name: 'sparc', filter: sparc }],
  [0x0a, { name: 'arm64', filter: arm64 }],
]);

/** The delta filter's decoder: each byte adds the byte `distance` before it. */
export function deltaDecode(buf: Uint8Array, start: number, end: number, distance: number): void {
  for (let i = start + distance; i < end; i++) buf[i] = ((buf[i] as number) + (buf[i - distance] as number)) & 0xff;
}
