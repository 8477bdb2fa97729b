// Hashes made by the real tools that write them on devices and servers: mkpasswd (Debian's whois
// package, on libxcrypt), openssl passwd, htpasswd (apache2-utils), mosquitto_passwd (mosquitto) and
// argon2. fixtures/tool-hashes.json keeps one run of every case, so the tests need none of the tools;
// where a tool is installed, the tests also make fresh hashes (new random salts) with it.
// Regenerate the fixture: node test/scan/firmware/accounts/tool-hashes.ts --write
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scheme } from '../../../../src/scan/firmware/accounts/crypt/identify.ts';

export interface ToolCase {
  /** What the case is, e.g. "mkpasswd -m sha-512 -R 10000". */
  name: string;
  scheme: Scheme;
  password: string;
  /** A password that must not match (for DES, one that differs in the first 8 bytes). */
  wrong: string;
  /** The command, with {password} where the password goes; a mosquitto_passwd case writes to {file}. */
  command: string[];
}

export interface ToolHash extends ToolCase {
  hash: string;
}

const ODD = 'Pa$$ w0rd:ü€';

const cases: ToolCase[] = [];
function add(name: string, scheme: Scheme, command: string[], passwords: [string, string][] = [['admin', 'admin1']]): void {
  for (const [password, wrong] of passwords) cases.push({ name, scheme, password, wrong, command });
}
const both: [string, string][] = [
  ['admin', 'admin1'],
  [ODD, 'Pa$$ w0rd:u€'],
];

// mkpasswd: libxcrypt's crypt_gensalt + crypt, as Debian and most glibc/libxcrypt images hash passwords.
add(
  'mkpasswd -m des',
  'descrypt',
  ['mkpasswd', '-m', 'des', '{password}'],
  [
    ['admin', 'admiN'],
    ['longerpassword', 'Longerpassword'],
  ],
);
add('mkpasswd -m bsdicrypt', 'bsdicrypt', ['mkpasswd', '-m', 'bsdicrypt', '{password}'], both);
add('mkpasswd -m md5', 'md5crypt', ['mkpasswd', '-m', 'md5', '{password}'], both);
add('mkpasswd -m sha-256', 'sha256crypt', ['mkpasswd', '-m', 'sha-256', '{password}'], both);
add('mkpasswd -m sha-256 -R 1000', 'sha256crypt', ['mkpasswd', '-m', 'sha-256', '-R', '1000', '{password}']);
add('mkpasswd -m sha-512', 'sha512crypt', ['mkpasswd', '-m', 'sha-512', '{password}'], both);
add('mkpasswd -m sha-512 -R 10000', 'sha512crypt', ['mkpasswd', '-m', 'sha-512', '-R', '10000', '{password}']);
add('mkpasswd -m sha-512 -S saltsalt', 'sha512crypt', ['mkpasswd', '-m', 'sha-512', '-S', 'saltsalt', '{password}']);
add('mkpasswd -m bcrypt', 'bcrypt', ['mkpasswd', '-m', 'bcrypt', '{password}'], both);
add('mkpasswd -m bcrypt -R 7', 'bcrypt', ['mkpasswd', '-m', 'bcrypt', '-R', '7', '{password}']);
add('mkpasswd -m bcrypt-a', 'bcrypt', ['mkpasswd', '-m', 'bcrypt-a', '{password}'], both);
add('mkpasswd -m yescrypt', 'yescrypt', ['mkpasswd', '-m', 'yescrypt', '{password}'], both);
add('mkpasswd -m yescrypt -R 3', 'yescrypt', ['mkpasswd', '-m', 'yescrypt', '-R', '3', '{password}']);
add('mkpasswd -m gost-yescrypt', 'gost-yescrypt', ['mkpasswd', '-m', 'gost-yescrypt', '{password}']);
add('mkpasswd -m scrypt', 'scrypt', ['mkpasswd', '-m', 'scrypt', '-R', '6', '{password}'], both);
add('mkpasswd -m sunmd5', 'sunmd5', ['mkpasswd', '-m', 'sunmd5', '-R', '1000', '{password}']);
add('mkpasswd -m nt', 'nthash', ['mkpasswd', '-m', 'nt', '{password}']);
// openssl passwd (OpenSSL 3 has no -crypt any more).
add('openssl passwd -1', 'md5crypt', ['openssl', 'passwd', '-1', '{password}'], both);
add('openssl passwd -apr1', 'apr1', ['openssl', 'passwd', '-apr1', '{password}'], both);
add('openssl passwd -5', 'sha256crypt', ['openssl', 'passwd', '-5', '{password}'], both);
add('openssl passwd -6', 'sha512crypt', ['openssl', 'passwd', '-6', '{password}'], both);
// htpasswd: the user:hash line; the hash is after the colon.
add('htpasswd -nbB', 'bcrypt', ['htpasswd', '-nbB', 'user', '{password}'], both);
add('htpasswd -nbm', 'apr1', ['htpasswd', '-nbm', 'user', '{password}'], both);
add('htpasswd -nbs', 'ldap-sha', ['htpasswd', '-nbs', 'user', '{password}'], both);
add('htpasswd -nbd', 'descrypt', ['htpasswd', '-nbd', 'user', '{password}'], [['admin', 'admiN']]);
add('htpasswd -nb2', 'sha256crypt', ['htpasswd', '-nb2', 'user', '{password}']);
add('htpasswd -nb5', 'sha512crypt', ['htpasswd', '-nb5', 'user', '{password}']);
// mosquitto_passwd: PBKDF2-SHA512 ($7$) by default, plain salted SHA-512 ($6$) with -H sha512.
add('mosquitto_passwd -b', 'mosquitto-pbkdf2', ['mosquitto_passwd', '-c', '-b', '{file}', 'user', '{password}'], both);
add(
  'mosquitto_passwd -H sha512 -b',
  'mosquitto-sha512',
  ['mosquitto_passwd', '-c', '-H', 'sha512', '-b', '{file}', 'user', '{password}'],
  both,
);
// argon2 (the reference implementation's CLI): the password on standard input.
add('argon2 -id', 'argon2', ['argon2', 'saltsaltsalt', '-id', '-e', '-m', '12']);
add('argon2 -i', 'argon2', ['argon2', 'saltsaltsalt', '-i', '-e', '-m', '10', '-t', '2']);
add('argon2 -d', 'argon2', ['argon2', 'saltsaltsalt', '-d', '-e', '-m', '10', '-p', '2']);

export const TOOL_CASES: readonly ToolCase[] = cases;

export function toolInstalled(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a case's tool and returns the hash it made. */
export function makeHash(toolCase: ToolCase): string {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-hash-'));
  try {
    const file = join(dir, 'passwd');
    const args = toolCase.command.map((arg) => (arg === '{password}' ? toolCase.password : arg === '{file}' ? file : arg));
    const [tool, ...rest] = args as [string, ...string[]];
    const input = tool === 'argon2' ? toolCase.password : undefined;
    const out = execFileSync(tool, rest, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
    if (tool === 'mosquitto_passwd') return readFileSync(file, 'utf8').trim().split(':').slice(1).join(':');
    if (tool === 'htpasswd') return out.split('\n')[0]!.split(':').slice(1).join(':');
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const FIXTURE_PATH = new URL('./fixtures/tool-hashes.json', import.meta.url);

export function fixtureHashes(): ToolHash[] {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as ToolHash[];
}

if (process.argv[2] === '--write' && import.meta.url === `file://${process.argv[1]}`) {
  const hashes = TOOL_CASES.map((toolCase) => ({ ...toolCase, hash: makeHash(toolCase) }));
  writeFileSync(FIXTURE_PATH, `${JSON.stringify(hashes, null, 2)}\n`);
  console.log(`${hashes.length} hashes written to ${FIXTURE_PATH.pathname}`);
}
