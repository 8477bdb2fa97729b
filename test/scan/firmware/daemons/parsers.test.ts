// The daemon config parsers: known inputs, and fast-check fuzzing for termination, bounds and round trips.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { globMatcher, isLoopback, parseUci, splitWords } from '../../../../src/scan/firmware/daemons/config-text.ts';
import { dropbearCommandLine, dropbearFlags, shellAssignments } from '../../../../src/scan/firmware/daemons/dropbear.ts';
import { parseMosquitto } from '../../../../src/scan/firmware/daemons/mosquitto.ts';
import { loadWeakSshAlgorithms, weakSshAlgorithm } from '../../../../src/scan/firmware/daemons/ssh-algorithms.ts';
import { parseSshdConfig } from '../../../../src/scan/firmware/daemons/sshd.ts';
import { parseLighttpd, parseNginx, weakCipherEntries } from '../../../../src/scan/firmware/daemons/web.ts';
import { cpuClock } from '../../../helpers/cpu-clock.ts';

const anyText = fc.string({
  maxLength: 3000,
  unit: fc.constantFrom('a', 'Z', '0', ' ', '\t', '\n', '\r', '#', '"', "'", '\\', '=', ';', '{', '}', '-', ':', '$', '[', ']', 'x'),
});

describe('sshd_config parser', () => {
  it('keeps the first value, splices includes in place and separates Match blocks', () => {
    const config = parseSshdConfig(
      'Include extra.conf\nPort 22\nport 2222\nPermitRootLogin=no\nMatch User backup\n  PasswordAuthentication yes\nMatch all\nX11Forwarding no\n',
      '/etc/ssh/sshd_config',
      (p) => (p === 'extra.conf' ? [{ path: '/etc/ssh/extra.conf', text: 'Port 2200\n' }] : []),
    );
    assert.equal(config.global.get('port')?.value, '2200');
    assert.equal(config.global.get('permitrootlogin')?.value, 'no');
    assert.equal(config.global.get('x11forwarding')?.line, 8);
    assert.equal(config.matches[0]?.options.get('passwordauthentication')?.value, 'yes');
    assert.ok(!config.global.has('passwordauthentication'));
  });
  it('ends on self-including files', () => {
    const config = parseSshdConfig('Include /etc/ssh/sshd_config\n', '/etc/ssh/sshd_config', () => [
      { path: '/etc/ssh/sshd_config', text: 'Include /etc/ssh/sshd_config\n' },
    ]);
    assert.ok(config.files.length <= 64);
  });
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, (text) => void parseSshdConfig(text, '/x')),
      { numRuns: 300 },
    );
  });
  it('reads back generated keyword-value lines', () => {
    const keyword = fc.stringMatching(/^[A-Za-z]{1,20}$/).filter((k) => !['include', 'match'].includes(k.toLowerCase()));
    const value = fc.stringMatching(/^[a-z0-9@.,+-]{1,30}$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(keyword, value), { selector: ([k]) => k.toLowerCase(), maxLength: 10 }), (pairs) => {
        const config = parseSshdConfig(pairs.map(([k, v]) => `${k} ${v}`).join('\n'), '/x');
        for (const [k, v] of pairs) assert.equal(config.global.get(k.toLowerCase())?.value, v);
      }),
    );
  });
});

describe('the weak SSH algorithm list', () => {
  it('loads, with a source for every entry', () => {
    const rules = loadWeakSshAlgorithms();
    assert.ok(rules.length >= 10);
    for (const r of rules) assert.ok(r.source.length > 3);
  });
  it('matches names and globs, and leaves current algorithms alone', () => {
    assert.equal(weakSshAlgorithm('cipher', 'aes256-cbc')?.match, '*-cbc');
    assert.equal(weakSshAlgorithm('cipher', 'rijndael-cbc@lysator.liu.se')?.match, '*cbc@*');
    assert.equal(weakSshAlgorithm('mac', 'hmac-sha1-etm@openssh.com')?.match, 'hmac-sha1*');
    assert.equal(weakSshAlgorithm('signature', 'ssh-rsa')?.match, 'ssh-rsa');
    for (const good of ['aes128-ctr', 'chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com'])
      assert.equal(weakSshAlgorithm('cipher', good), undefined);
    assert.equal(weakSshAlgorithm('mac', 'hmac-sha2-256-etm@openssh.com'), undefined);
    assert.equal(weakSshAlgorithm('kex', 'curve25519-sha256'), undefined);
    assert.equal(weakSshAlgorithm('signature', 'rsa-sha2-512'), undefined);
  });
  it('glob matching stays fast on hostile patterns', () => {
    const match = globMatcher('*a*a*a*a*a*a*a*a*b');
    const start = cpuClock();
    assert.equal(match('a'.repeat(5000)), false);
    assert.ok(start() < 500);
  });
});

describe('dropbear options', () => {
  it('reads flags, glued flags and flag arguments', () => {
    assert.deepEqual([...dropbearFlags(['-p', '22', '-wg', '-Pfile', '-s'])].sort(), ['P', 'g', 'p', 's', 'w']);
    assert.deepEqual([...dropbearFlags(['-b', '-B'])], ['b']); // -B is -b's argument here
    assert.deepEqual([...(dropbearCommandLine('\tstart-stop-daemon -S -x /usr/sbin/dropbear -- -R -B -p 22') ?? [])].sort(), [
      'B',
      'R',
      'p',
    ]);
    assert.equal(dropbearCommandLine('PROG=/usr/sbin/dropbear'), undefined);
    assert.equal(shellAssignments('export DROPBEAR_EXTRA_ARGS="-w -s" # no root\n').get('DROPBEAR_EXTRA_ARGS')?.value, '-w -s');
  });
  it('never throw on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        dropbearFlags(splitWords(text));
        dropbearCommandLine(text);
        shellAssignments(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe('UCI parser', () => {
  it('reads sections, options and lists', () => {
    const [section] = parseUci(
      "config uhttpd 'main'\n\tlist listen_http '0.0.0.0:80'\n\tlist listen_http \"[::]:80\"\n\toption redirect_https 1\n",
    );
    assert.equal(section?.name, 'main');
    assert.deepEqual(
      section?.lists.get('listen_http')?.map((l) => l.value),
      ['0.0.0.0:80', '[::]:80'],
    );
    assert.equal(section?.options.get('redirect_https')?.line, 4);
  });
  it('round-trips generated options and never throws', () => {
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/);
    const value = fc.stringMatching(/^[^'\n\r]{0,30}$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([k]) => k, maxLength: 8 }), (pairs) => {
        const [section] = parseUci(`config test 'x'\n${pairs.map(([k, v]) => `\toption ${k} '${v}'`).join('\n')}\n`);
        for (const [k, v] of pairs) assert.equal(section?.options.get(k)?.value, v);
      }),
    );
    fc.assert(
      fc.property(anyText, (text) => void parseUci(text)),
      { numRuns: 300 },
    );
  });
  it('tells loopback addresses', () => {
    for (const a of ['127.0.0.1:80', '[::1]:80', 'localhost', '::1']) assert.ok(isLoopback(a), a);
    for (const a of ['0.0.0.0:80', '[::]:80', '192.168.1.1', '*']) assert.ok(!isLoopback(a), a);
  });
});

describe('nginx parser', () => {
  it('builds nested blocks with lines, ignoring comments and quoted braces', () => {
    const tree = parseNginx('# c { }\nhttp {\n  server {\n    listen 80; # x\n    return 301 "https://{host}";\n  }\n}\n');
    const server = tree[0]?.block?.[0];
    assert.equal(server?.name, 'server');
    assert.deepEqual(
      server?.block?.map((d) => [d.name, d.args, d.line]),
      [
        ['listen', ['80'], 4],
        ['return', ['301', 'https://{host}'], 5],
      ],
    );
  });
  it('never throws and stays bounded on deep or unbalanced input', () => {
    parseNginx('a{'.repeat(10_000));
    parseNginx('}'.repeat(10_000));
    fc.assert(
      fc.property(anyText, (text) => void parseNginx(text)),
      { numRuns: 300 },
    );
  });
});

describe('lighttpd and mosquitto readers', () => {
  it('lighttpd: a TLS socket block is not a plain listener', () => {
    const config = parseLighttpd([
      {
        path: '/l.conf',
        text: 'server.port = 8080\n$SERVER["socket"] == ":443" {\n ssl.engine = "enable"\n}\n$SERVER["socket"] == "0.0.0.0:81" { }\n',
      },
    ]);
    assert.deepEqual(
      config.listeners.map((l) => [l.address, l.line]),
      [
        ['*:8080', 1],
        ['0.0.0.0:81', 5],
      ],
    );
  });
  it('mosquitto: listener-owned settings', () => {
    const config = parseMosquitto([
      {
        path: '/m.conf',
        text: 'port 1883\nlistener 8883 0.0.0.0\ncertfile /c\nlistener 9001\nprotocol websockets\nallow_anonymous false\n',
      },
    ]);
    assert.deepEqual(
      config.listeners.map((l) => [l.port, l.tls, l.protocol]),
      [
        [1883, false, 'mqtt'],
        [8883, true, 'mqtt'],
        [9001, false, 'websockets'],
      ],
    );
    assert.equal(config.allowAnonymous[0]?.value, false);
  });
  it('never throw on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        parseLighttpd([{ path: '/x', text }]);
        parseMosquitto([{ path: '/x', text }]);
        weakCipherEntries(text);
      }),
      { numRuns: 300 },
    );
  });
  it('cipher strings: exclusions are not weaknesses', () => {
    assert.deepEqual(weakCipherEntries('HIGH:!aNULL:!MD5:-RC4'), []);
    assert.deepEqual(weakCipherEntries('ALL:EXP-RC4-MD5:+3DES'), ['EXP-RC4-MD5', '3DES']);
  });
});
