// Hostile and broken "SSH servers" (tiny node:net servers on 127.0.0.1): the probe must end promptly
// with an incomplete entry or a finding saying what happened, never hang or throw.
import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { DEFAULT_PROBE_LIMITS } from '../../../../src/scan/device/limits.ts';
import { createProbeContext } from '../../../../src/scan/device/probe-context.ts';
import type { ProbeOutcome } from '../../../../src/scan/device/service.ts';
import { encodeKexInit } from '../../../../src/scan/device/ssh/kexinit.ts';
import { probeSsh } from '../../../../src/scan/device/ssh/probe-ssh.ts';
import { completePacketLength, encodePacket, mpint, parsePacket, sshString, uint32 } from '../../../../src/scan/device/ssh/wire.ts';
import { sshFingerprint } from '../../../../src/scan/device/ssh/host-key.ts';
import { loadDefaultCredentials } from '../../../../src/scan/firmware/accounts/default-credentials.ts';

const READ_TIMEOUT_MS = 700;
const servers: { server: Server; sockets: Set<Socket> }[] = [];

after(async () => {
  for (const { server, sockets } of servers) {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function hostile(onConnection: (socket: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  servers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

async function probe(port: number): Promise<{ outcome: ProbeOutcome; ms: number }> {
  const context = createProbeContext({
    limits: { ...DEFAULT_PROBE_LIMITS, readTimeoutMs: READ_TIMEOUT_MS, connectTimeoutMs: 1000, maxLoginAttempts: 2, bruteForceAttempts: 2 },
    login: true,
    credentials: loadDefaultCredentials(),
  });
  const start = performance.now();
  const outcome = await probeSsh({ endpoint: { host: '127.0.0.1', port }, protocol: 'ssh', tls: false }, context);
  return { outcome, ms: performance.now() - start };
}

function reasons(outcome: ProbeOutcome): string {
  return outcome.incomplete.map((i) => `${i.part}: ${i.reason}`).join('\n');
}

const goodKexInit = encodePacket(
  encodeKexInit({
    kex: ['curve25519-sha256'],
    hostKey: ['ssh-ed25519'],
    ciphers: ['aes128-ctr'],
    macs: ['hmac-sha2-256'],
    compression: ['none'],
  }),
);

describe('hostile SSH peers', () => {
  it('silence: gives up after the read timeout', async () => {
    const port = await hostile(() => {});
    const { outcome, ms } = await probe(port);
    assert.match(reasons(outcome), /no SSH identification within \d+ ms/);
    assert.equal(outcome.findings.length, 0);
    assert.ok(ms < 3000, `${ms} ms`);
  });

  it('a banner trickled one byte at a time: bounded by one deadline', async () => {
    const port = await hostile((socket) => {
      const timer = setInterval(() => socket.writable && socket.write('S'), 50);
      socket.on('close', () => clearInterval(timer));
    });
    const { outcome, ms } = await probe(port);
    assert.match(reasons(outcome), /no SSH identification within/);
    assert.ok(ms < 3000, `${ms} ms`);
  });

  it('endless lines before the identification: capped', async () => {
    const port = await hostile((socket) => {
      const timer = setInterval(() => socket.writable && socket.write('Welcome to the device, please wait\r\n'.repeat(20)), 5);
      socket.on('close', () => clearInterval(timer));
    });
    const { outcome, ms } = await probe(port);
    assert.match(reasons(outcome), /more than 32 lines arrived before an SSH identification/);
    assert.ok(ms < 3000, `${ms} ms`);
  });

  it('a huge banner line: cut off', async () => {
    const port = await hostile((socket) => socket.write(`SSH-2.0-${'A'.repeat(200_000)}\r\n`));
    const { outcome } = await probe(port);
    assert.match(reasons(outcome), /SSH identification is longer than 512 bytes/);
  });

  it('a KEXINIT with a giant length field: refused at once', async () => {
    const port = await hostile((socket) => {
      socket.write('SSH-2.0-Evil_1.0\r\n');
      socket.write(Buffer.concat([uint32(0xfffffff0), Buffer.alloc(64, 7)]));
    });
    const { outcome, ms } = await probe(port);
    assert.match(reasons(outcome), /SSH key exchange: malformed SSH data: packet length 4294967280 exceeds/);
    assert.ok(ms < 2000, `${ms} ms`);
    // What was read before the bad packet is still reported.
    assert.ok(outcome.findings.some((f) => f.check === 'probe/ssh/version-disclosure' && /Evil 1\.0/.test(f.message)));
  });

  it('a packet that is not a KEXINIT, and a KEXINIT whose lists overrun it', async () => {
    const notKexinit = await hostile((socket) =>
      socket.write(Buffer.concat([Buffer.from('SSH-2.0-Odd\r\n'), encodePacket(Buffer.from([99, 1, 2, 3]))])),
    );
    assert.match(reasons((await probe(notKexinit)).outcome), /expected KEXINIT \(20\), got message 99/);
    const overrun = Buffer.concat([Buffer.from([20]), Buffer.alloc(16), uint32(5000), Buffer.from('curve25519-sha256')]);
    const broken = await hostile((socket) => socket.write(Buffer.concat([Buffer.from('SSH-2.0-Odd\r\n'), encodePacket(overrun)])));
    assert.match(reasons((await probe(broken)).outcome), /malformed SSH data: kex_algorithms: needs 5000 bytes/);
  });

  it('binary garbage instead of an identification', async () => {
    const port = await hostile((socket) => socket.write(Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 37) % 256))));
    const { outcome, ms } = await probe(port);
    assert.match(reasons(outcome), /SSH identification|lines arrived/);
    assert.ok(ms < 3000, `${ms} ms`);
  });

  it('endless IGNORE messages instead of a KEXINIT: capped', async () => {
    const port = await hostile((socket) => {
      socket.write('SSH-2.0-Chatty\r\n');
      const ignore = encodePacket(Buffer.concat([Buffer.from([2]), sshString('x'.repeat(100))]));
      const timer = setInterval(() => socket.writable && socket.write(Buffer.concat(Array(10).fill(ignore))), 5);
      socket.on('close', () => clearInterval(timer));
    });
    const { outcome } = await probe(port);
    assert.match(reasons(outcome), /more than 16 IGNORE\/DEBUG messages/);
  });

  it('a server that closes mid-exchange: host key and logins reported incomplete, KEXINIT still judged', async () => {
    const port = await hostile((socket) => {
      socket.write(Buffer.concat([Buffer.from('SSH-2.0-Closer_2.0\r\n'), goodKexInit]));
      let seen = 0;
      socket.on('data', (d) => {
        seen += d.length;
        // After the client's identification and KEXINIT, hang up.
        if (seen > 100) socket.destroy();
      });
    });
    const { outcome, ms } = await probe(port);
    const text = reasons(outcome);
    assert.match(text, /host key ssh-ed25519: .*closed/);
    assert.match(text, /SSH authentication/);
    assert.ok(outcome.findings.some((f) => f.check === 'probe/ssh/summary' && /Closer 2\.0/.test(f.message)));
    assert.ok(outcome.findings.some((f) => f.check === 'probe/ssh/weak-algorithms' && f.result === 'pass'));
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('a server that answers with DISCONNECT: its reason is reported', async () => {
    const port = await hostile((socket) => {
      socket.write(Buffer.concat([Buffer.from('SSH-2.0-Picky\r\n'), goodKexInit]));
      let seen = 0;
      socket.on('data', (d) => {
        seen += d.length;
        if (seen > 100 && socket.writable) {
          socket.end(
            encodePacket(Buffer.concat([Buffer.from([1]), uint32(3), sshString('no matching host key type found'), sshString('')])),
          );
        }
      });
    });
    const { outcome } = await probe(port);
    assert.match(reasons(outcome), /the server disconnected: no matching host key type found \(code 3\)/);
  });

  it('a server handing out a 1024-bit group-exchange prime: measured and failed, host key still read', async () => {
    const hostKey = Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(32, 9))]);
    const gexOnly = encodePacket(
      encodeKexInit({
        kex: ['diffie-hellman-group-exchange-sha256'],
        hostKey: ['ssh-ed25519'],
        ciphers: ['aes128-ctr'],
        macs: ['hmac-sha2-256'],
        compression: ['none'],
      }),
    );
    const port = await hostile((socket) => {
      socket.write(Buffer.concat([Buffer.from('SSH-2.0-WeakGroup_1.0\r\n'), gexOnly]));
      let buffer = Buffer.alloc(0);
      let identified = false;
      socket.on('data', (data: Buffer) => {
        buffer = Buffer.concat([buffer, data]);
        if (!identified) {
          const newline = buffer.indexOf(10);
          if (newline < 0) return;
          buffer = buffer.subarray(newline + 1);
          identified = true;
        }
        for (;;) {
          const length = completePacketLength(buffer);
          if (length === undefined) return;
          const payload = parsePacket(buffer.subarray(0, length));
          buffer = buffer.subarray(length);
          // Whatever the client asks for, a 1024-bit group (Oakley group 2); then a reply carrying the host key.
          if (payload[0] === 34)
            socket.write(
              encodePacket(Buffer.concat([Buffer.from([31]), mpint(getDiffieHellman('modp2').getPrime()), mpint(Buffer.from([2]))])),
            );
          if (payload[0] === 32)
            socket.write(encodePacket(Buffer.concat([Buffer.from([33]), sshString(hostKey), mpint(Buffer.from([5])), sshString('sig')])));
        }
      });
    });
    const { outcome } = await probe(port);
    const group = outcome.findings.find((f) => f.check === 'probe/ssh/dh-group-size');
    assert.equal(group?.result, 'fail');
    assert.equal(group?.severity, 'high');
    assert.match(group?.message ?? '', /handed out a 1024-bit prime, below 2048 bits/);
    const key = outcome.findings.find((f) => f.check === 'probe/ssh/host-key');
    assert.ok(key?.message.includes(sshFingerprint(hostKey)), key?.message);
  });

  it('an SSH-1-only server: protocol 1 fails, the rest is incomplete', async () => {
    const port = await hostile((socket) => socket.write('SSH-1.5-OldBox_1.0\r\n'));
    const { outcome } = await probe(port);
    const f = outcome.findings.find((x) => x.check === 'probe/ssh/protocol-1');
    assert.equal(f?.result, 'fail');
    assert.match(reasons(outcome), /speaks only SSH-1\.5/);
  });
});
