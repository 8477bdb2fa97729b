// The accounts analyzer's checks, on small root filesystems with hashes made by the real tools.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultPassword } from '../../../../src/scan/firmware/accounts/checks/default-password.ts';
import { emptyPassword } from '../../../../src/scan/firmware/accounts/checks/empty-password.ts';
import { universalPassword } from '../../../../src/scan/firmware/accounts/checks/universal-password.ts';
import { unverifiedHash } from '../../../../src/scan/firmware/accounts/checks/unverified-hash.ts';
import { weakPasswordHash } from '../../../../src/scan/firmware/accounts/checks/weak-password-hash.ts';
import { firmwareRuleTester } from '../../../helpers/firmware-rule-tester.ts';
import { tempDir } from '../../../helpers/product.ts';

const mkpasswd = (method: string, password: string) => execFileSync('mkpasswd', ['-m', method, password], { encoding: 'utf8' }).trim();
const htpasswd = (flag: string, user: string, password: string) =>
  execFileSync('htpasswd', [flag, user, password], { encoding: 'utf8' }).trim();

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nadmin:x:1000:1000::/home/admin:/bin/ash\n';
const shadow = (root: string, admin = '!', daemon = '*') =>
  `root:${root}:19000:0:99999:7:::\ndaemon:${daemon}:19000:0:99999:7:::\nadmin:${admin}:19000:0:99999:7:::\n`;
const system = (root: string, admin?: string, daemon?: string) => ({ 'etc/passwd': PASSWD, 'etc/shadow': shadow(root, admin, daemon) });

const strong = mkpasswd('sha-512', 'k7#Qv9!unique-per-lab-image');
const rootDefault = mkpasswd('sha-512', 'xc3511'); // from Mirai's list
const md5 = mkpasswd('md5', 'not-a-default-91!');
const des = mkpasswd('des', 'r8#kq');
const yescrypt = mkpasswd('yescrypt', 'not-a-default-91!');
const slowSha512 = execFileSync('mkpasswd', ['-m', 'sha-512', '-R', '900000', 'root'], { encoding: 'utf8' }).trim();

function mosquittoPasswordFile(user: string, password: string): string {
  const file = join(tempDir(), 'passwd');
  writeFileSync(file, '');
  execFileSync('mosquitto_passwd', ['-b', file, user, password]);
  return readFileSync(file, 'utf8');
}

firmwareRuleTester(universalPassword, {
  valid: [
    { name: 'every account locked', tree: system('!', '!'), result: 'pass', message: /none of the 3 stored credentials/ },
    { name: 'a hash on an account that cannot log in', tree: system('*', '!', strong), result: 'pass' },
    { name: 'no account files at all', tree: { 'etc/hostname': 'x\n' }, result: 'none' },
  ],
  invalid: [
    {
      name: 'root has a sha512crypt hash',
      tree: system(strong),
      message: /account root can log in with a password stored in the image \(sha512crypt/,
      path: '/etc/shadow',
    },
    { name: 'old-style hash in /etc/passwd', tree: { 'etc/passwd': `root:${des}:0:0:root:/root:/bin/sh\n` }, path: '/etc/passwd' },
    {
      name: 'htpasswd user of the web UI',
      tree: { 'etc/lighttpd/.htpasswd': `${htpasswd('-nbB', 'admin', 'S3cret-lab!')}\n` },
      message: /htpasswd user admin has a password/,
    },
    {
      name: 'Mosquitto password file named by the broker config',
      tree: {
        'etc/mosquitto/mosquitto.conf': 'listener 1883\npassword_file /etc/mosquitto/users\n',
        'etc/mosquitto/users': mosquittoPasswordFile('sensor', 'Lab-only-91!'),
      },
      message: /mosquitto user sensor has a password/,
    },
  ],
});

firmwareRuleTester(emptyPassword, {
  valid: [
    { name: 'root locked', tree: system('!'), result: 'none' },
    { name: 'empty field on a nologin account', tree: system('!', '!', ''), result: 'none' },
  ],
  invalid: [{ name: 'root with an empty password field', tree: system(''), message: /account root has no password at all/ }],
});

firmwareRuleTester(defaultPassword, {
  valid: [
    { name: 'a strong unique password', tree: system(strong), result: 'none' },
    { name: 'a locked account whose hash is a default', tree: system(`!${rootDefault}`.replace('!!', '!')), result: 'none' },
  ],
  invalid: [
    {
      name: 'root:xc3511 from the Mirai list',
      tree: system(rootDefault),
      message: /account root has a known default password: x\*{5} \(6 characters\)/,
    },
    { name: 'admin:admin as md5crypt', tree: system('!', mkpasswd('md5', 'admin')), message: /account admin has a known default password/ },
    {
      name: 'the product name as password',
      tree: system(mkpasswd('sha-256', 'hearthstat')),
      product: { name: 'HearthStat', model: 'HS-2' },
      message: /h\*{9} \(10 characters\)/,
    },
    {
      name: 'htpasswd admin:password (apr1)',
      tree: { 'var/www/.htpasswd': `${htpasswd('-nbm', 'admin', 'password')}\n` },
      message: /htpasswd user admin has a known default/,
    },
    {
      name: 'yescrypt root:root, through libxcrypt',
      tree: system(mkpasswd('yescrypt', 'root')),
      message: /account root has a known default password/,
    },
  ],
});

firmwareRuleTester(weakPasswordHash, {
  valid: [
    { name: 'sha512crypt', tree: system(strong), result: 'none' },
    { name: 'yescrypt', tree: system(yescrypt), result: 'none' },
  ],
  invalid: [
    { name: 'md5crypt', tree: system(md5), message: /root's password is stored as md5crypt/ },
    { name: 'DES crypt', tree: system(des), message: /traditional DES crypt/ },
    { name: 'a locked DES hash is still weak', tree: system(`!${des}`), message: /DES crypt/ },
  ],
});

firmwareRuleTester(unverifiedHash, {
  valid: [{ name: 'sha512crypt is verifiable', tree: system(strong), result: 'none' }],
  invalid: [
    { name: 'an unrecognised hash', tree: system('$9$whatever$abc'), result: 'info', message: /root's unrecognised hash was not checked/ },
    { name: 'sha512crypt above the round limit', tree: system(slowSha512), result: 'info', message: /rounds/ },
  ],
});
