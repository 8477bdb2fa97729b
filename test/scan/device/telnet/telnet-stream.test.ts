// The telnet stream decoder and prompt reading: worked examples, and fuzzing (random and mutated streams,
// split at random points, raise nothing but TelnetStreamError and decode the same whatever the split).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { judgeAfterPassword, lastLine, promptAtEnd } from '../../../../src/scan/device/telnet/prompts.ts';
import {
  DO,
  DONT,
  encodeLine,
  IAC,
  refusals,
  SB,
  SE,
  TelnetDecoder,
  TelnetStreamError,
  WILL,
  WONT,
} from '../../../../src/scan/device/telnet/telnet-stream.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

describe('TelnetDecoder', () => {
  it('separates negotiations from text (busybox telnetd’s opening)', () => {
    const decoded = new TelnetDecoder().feed(
      Buffer.from([IAC, DO, 1, IAC, DO, 31, IAC, WILL, 1, IAC, WILL, 3, ...Buffer.from('\r\nDebian GNU/Linux 12\r\nvm login: ')]),
    );
    assert.equal(decoded.data.toString(), '\r\nDebian GNU/Linux 12\r\nvm login: ');
    assert.deepEqual(decoded.negotiations, [
      { verb: 'DO', option: 1 },
      { verb: 'DO', option: 31 },
      { verb: 'WILL', option: 1 },
      { verb: 'WILL', option: 3 },
    ]);
  });

  it('keeps state across chunk boundaries', () => {
    const decoder = new TelnetDecoder();
    const a = decoder.feed(Buffer.from([0x61, IAC]));
    const b = decoder.feed(Buffer.from([WILL]));
    const c = decoder.feed(Buffer.from([24, 0x62, IAC]));
    const d = decoder.feed(Buffer.from([IAC, 0x0d, 0x00, 0x63]));
    assert.equal(a.data.toString('latin1') + b.data.toString('latin1') + c.data.toString('latin1'), 'ab');
    assert.deepEqual(c.negotiations, [{ verb: 'WILL', option: 24 }]);
    assert.deepEqual([...d.data], [IAC, 0x0d, 0x63], 'IAC IAC is one 255, CR NUL a bare CR');
  });

  it('skips subnegotiations and other commands', () => {
    const decoded = new TelnetDecoder().feed(Buffer.from([IAC, SB, 24, 1, IAC, IAC, IAC, SE, IAC, 241, 0x78]));
    assert.deepEqual(decoded.subnegotiations, [24]);
    assert.equal(decoded.data.toString(), 'x');
  });

  it('refuses an endless subnegotiation', () => {
    const decoder = new TelnetDecoder();
    decoder.feed(Buffer.from([IAC, SB, 31]));
    assert.throws(() => decoder.feed(Buffer.alloc(2000, 0x41)), TelnetStreamError);
  });

  it('answers DO with WONT and WILL with DONT, and never answers a refusal', () => {
    const answer = refusals([
      { verb: 'DO', option: 1 },
      { verb: 'WILL', option: 3 },
      { verb: 'DONT', option: 5 },
      { verb: 'WONT', option: 6 },
    ]);
    assert.deepEqual([...answer], [IAC, WONT, 1, IAC, DONT, 3]);
  });

  it('encodes a line with CR LF and doubled IAC', () => {
    assert.deepEqual([...encodeLine('a\xff')], [0x61, IAC, IAC, 0x0d, 0x0a]);
  });

  const decodeInPieces = (bytes: Uint8Array, cuts: number[]) => {
    const decoder = new TelnetDecoder();
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((x, y) => x - y);
    let data = '';
    const negotiations: unknown[] = [];
    let start = 0;
    for (const end of [...points, bytes.length]) {
      const out = decoder.feed(Buffer.from(bytes.subarray(start, end)));
      data += out.data.toString('latin1');
      negotiations.push(...out.negotiations);
      start = end;
    }
    return { data, negotiations };
  };

  const telnetish = fc.array(
    fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(IAC, IAC, DO, DONT, WILL, WONT, SB, SE, 0x0d, 0x00)),
    { maxLength: 400 },
  );

  it('fuzz: random streams raise nothing but TelnetStreamError and decode the same however they are split', () => {
    fc.assert(
      fc.property(telnetish, fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const input = Uint8Array.from(bytes);
        let whole: ReturnType<typeof decodeInPieces> | undefined;
        try {
          whole = decodeInPieces(input, []);
        } catch (error) {
          if (!(error instanceof TelnetStreamError)) throw error;
        }
        if (whole) assert.deepEqual(decodeInPieces(input, cuts), whole);
      }),
      { numRuns: RUNS },
    );
  });

  it('fuzz: text without IAC passes through unchanged but for CR NUL', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const plain = Buffer.from(bytes.filter((b) => b !== IAC));
        const decoded = new TelnetDecoder().feed(plain).data.toString('latin1');
        assert.equal(decoded, plain.toString('latin1').replace(/\r\0/g, '\r'));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('prompts', () => {
  const prompts: [string, string | undefined][] = [
    ['\r\nDebian GNU/Linux 12\r\nvm login: ', 'login'],
    ['Username:', 'login'],
    ['User Name :  ', 'login'],
    ['Password: ', 'password'],
    ['\r\nroot@OpenWrt:~# ', 'shell'],
    ['BusyBox v1.35.0 built-in shell (ash)\r\n$ ', 'shell'],
    ['\x1b[0mrouter> \x1b[K', 'shell'],
    ['Welcome to the device\r\n', undefined],
    ['Login incorrect', undefined],
  ];
  for (const [text, kind] of prompts) {
    it(`${JSON.stringify(text)} ends with ${kind ?? 'no prompt'}`, () => assert.equal(promptAtEnd(text), kind));
  }

  const verdicts: [string, string | undefined][] = [
    ['\r\n\r\nLogin incorrect\r\nvm login: ', 'rejected'],
    ['\r\nPassword: ', 'rejected'],
    ['\r\nLinux vm 6.1.0 #1 SMP\r\n\r\nThe programs included with the Debian GNU/Linux system are free software;\r\n$ ', 'accepted'],
    ['\r\n', undefined],
    ['Access denied', undefined],
  ];
  for (const [text, verdict] of verdicts) {
    it(`after the password ${JSON.stringify(text.slice(-30))} is ${verdict ?? 'not yet judged'}`, () =>
      assert.equal(judgeAfterPassword(text), verdict));
  }

  it('lastLine gives the prompt line', () => assert.equal(lastLine('banner\r\nvm login: '), 'vm login:'));
});
