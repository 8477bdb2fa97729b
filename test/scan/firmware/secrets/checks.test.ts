// The secrets analyzer's checks, on small root filesystems with keys and certificates made by Node's
// crypto, OpenSSL and ssh-keygen, and a dropbear host key written in dropbear's own format.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { certificateInventory, sharedDeviceIdentity, weakCertificate } from '../../../../src/scan/firmware/secrets/checks/certificates.ts';
import { hardCodedPassword } from '../../../../src/scan/firmware/secrets/checks/hard-coded-password.ts';
import { privateKey } from '../../../../src/scan/firmware/secrets/checks/private-key.ts';
import { sshHostKey } from '../../../../src/scan/firmware/secrets/checks/ssh-host-key.ts';
import { tokenChecks } from '../../../../src/scan/firmware/secrets/checks/tokens.ts';
import { secretChecks } from '../../../../src/scan/firmware/secrets/index.ts';
import { describeCertificate, fingerprintOf } from '../../../../src/scan/firmware/secrets/key-material.ts';
import { firmwareRuleTester, runFirmwareCheck, type Tree } from '../../../helpers/firmware-rule-tester.ts';
import { tempDir } from '../../../helpers/product.ts';
import { privateKey as privateKeyCheck } from '../../../../src/scan/firmware/secrets/checks/private-key.ts';
import { hardCodedPassword as hardCodedPasswordCheck } from '../../../../src/scan/firmware/secrets/checks/hard-coded-password.ts';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ed = generateKeyPairSync('ed25519');
const pem = (k: KeyObject, type: 'pkcs1' | 'pkcs8' | 'sec1') => k.export({ type, format: 'pem' }) as string;
const der = (k: KeyObject, type: 'pkcs1' | 'pkcs8' | 'sec1') => k.export({ type, format: 'der' });

function sshKeygen(type: string, passphrase = ''): { key: string; fingerprint: string } {
  const file = join(tempDir(), 'key');
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'lab', '-f', file]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
  return { key: readFileSync(file, 'utf8'), fingerprint };
}

function openssl(args: string[], input?: string): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'ignore'] });
}

/** A self-signed certificate (or one signed by `ca`) for the key in keyFile, as PEM. */
function certificate(opts: { bits?: number; digest?: string; days?: number; cn: string }): { cert: string; key: string } {
  const dir = tempDir();
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${opts.bits ?? 2048}`, '-out', keyFile]);
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    keyFile,
    `-${opts.digest ?? 'sha256'}`,
    '-subj',
    `/CN=${opts.cn}`,
    '-days',
    String(opts.days ?? 3650),
    '-out',
    certFile,
  ]);
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** A certificate signed by a separate CA, so its signature algorithm matters. */
function issuedCertificate(digest: string, bits: number): string {
  const dir = tempDir();
  const ca = certificate({ cn: 'Lab CA' });
  writeFileSync(join(dir, 'ca.pem'), ca.cert);
  writeFileSync(join(dir, 'ca.key'), ca.key);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', join(dir, 'leaf.key')]);
  openssl(['req', '-new', '-key', join(dir, 'leaf.key'), '-subj', '/CN=leaf', '-out', join(dir, 'leaf.csr')]);
  openssl([
    'x509',
    '-req',
    '-in',
    join(dir, 'leaf.csr'),
    '-CA',
    join(dir, 'ca.pem'),
    '-CAkey',
    join(dir, 'ca.key'),
    `-${digest}`,
    '-days',
    '30',
    '-out',
    join(dir, 'leaf.pem'),
  ]);
  return readFileSync(join(dir, 'leaf.pem'), 'utf8');
}

function pkcs12(extra: string[]): Buffer {
  const dir = tempDir();
  const { cert, key } = certificate({ cn: 'p12' });
  writeFileSync(join(dir, 'c.pem'), cert);
  writeFileSync(join(dir, 'k.pem'), key);
  return openssl(['pkcs12', '-export', '-in', join(dir, 'c.pem'), '-inkey', join(dir, 'k.pem'), '-passout', 'pass:lab', ...extra]);
}

function pkcs12CertOnly(): Buffer {
  const dir = tempDir();
  writeFileSync(join(dir, 'c.pem'), certificate({ cn: 'only-cert' }).cert);
  return openssl(['pkcs12', '-export', '-nokeys', '-in', join(dir, 'c.pem'), '-passout', 'pass:lab']);
}

/** dropbear's host key format: SSH strings, no header (dropbear's signkey.c / ed25519.c). */
function dropbearEd25519(pair: { privateKey: KeyObject; publicKey: KeyObject }): Buffer {
  const s = (b: Buffer) => {
    const l = Buffer.alloc(4);
    l.writeUInt32BE(b.length);
    return Buffer.concat([l, b]);
  };
  const jwk = pair.privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d as string, 'base64url');
  const pub = Buffer.from(jwk.x as string, 'base64url');
  return Buffer.concat([s(Buffer.from('ssh-ed25519')), s(Buffer.concat([seed, pub]))]);
}

const openssh = sshKeygen('ed25519');
const opensshRsa = sshKeygen('rsa');
const opensshEncrypted = sshKeygen('ed25519', 'lab-passphrase');
const selfSigned = certificate({ cn: 'device.example' });
const weakRsa = certificate({ cn: 'weak', bits: 1024 });

firmwareRuleTester(privateKey, {
  valid: [
    {
      name: 'only a public key and a certificate',
      tree: {
        'etc/keys/update.pub': rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
        'etc/ssl/device.crt': selfSigned.cert,
      },
      result: 'none',
    },
    {
      name: 'a script mentioning a PEM header without a block',
      tree: { 'usr/bin/mkkey.sh': '#!/bin/sh\necho "-----BEGIN PRIVATE KEY-----"\n' },
      result: 'none',
    },
    { name: 'SSH host keys are left to their own check', tree: { 'etc/ssh/ssh_host_ed25519_key': openssh.key }, result: 'none' },
  ],
  invalid: [
    {
      name: 'PEM PKCS#1 RSA',
      tree: { 'etc/ssl/private/device.key': pem(rsa.privateKey, 'pkcs1') },
      message: /RSA 2048 \(PEM PKCS#1; SPKI SHA256:/,
      path: '/etc/ssl/private/device.key',
    },
    { name: 'PEM SEC1 EC', tree: { 'etc/mqtt/client.key': pem(ec.privateKey, 'sec1') }, message: /EC prime256v1 \(PEM SEC1/ },
    {
      name: 'PEM PKCS#8 Ed25519',
      tree: { 'etc/app/signing.pem': pem(ed.privateKey, 'pkcs8') },
      message: new RegExp(`Ed25519 \\(PEM PKCS#8; SPKI ${fingerprintOf(ed.publicKey).replaceAll('+', '\\+').replaceAll('/', '\\/')}`),
    },
    { name: 'DER PKCS#8 by ASN.1 shape', tree: { 'etc/app/key.bin': der(ec.privateKey, 'pkcs8') }, message: /EC prime256v1 \(DER PKCS#8/ },
    { name: 'DER PKCS#1 by ASN.1 shape', tree: { 'lib/firmware/k': der(rsa.privateKey, 'pkcs1') }, message: /RSA 2048 \(DER PKCS#1/ },
    { name: 'DER SEC1 by ASN.1 shape', tree: { 'lib/firmware/k.der': der(ec.privateKey, 'sec1') }, message: /EC prime256v1 \(DER SEC1/ },
    {
      name: 'OpenSSH Ed25519 with the ssh-keygen fingerprint',
      tree: { 'root/.ssh/id_ed25519': openssh.key },
      message: new RegExp(`SSH ${openssh.fingerprint.replaceAll('+', '\\+')}`),
    },
    {
      name: 'OpenSSH RSA',
      tree: { 'home/admin/.ssh/id_rsa': opensshRsa.key },
      message: new RegExp(`RSA \\d{4} \\(OpenSSH; SPKI SHA256:\\S+, SSH ${opensshRsa.fingerprint.replaceAll('+', '\\+')}`),
    },
    {
      name: 'passphrase-protected OpenSSH key',
      tree: { 'root/.ssh/id_ed25519': opensshEncrypted.key },
      message: /passphrase-protected private key Ed25519/,
    },
    {
      name: 'encrypted PKCS#8',
      tree: {
        'etc/ssl/private/enc.pem': rsa.privateKey.export({
          type: 'pkcs8',
          format: 'pem',
          cipher: 'aes-256-cbc',
          passphrase: 'lab',
        }) as string,
      },
      message: /passphrase-protected private key .*PEM PKCS#8/,
    },
    {
      name: 'a private key inside a JSON service-account file',
      tree: { 'etc/cloud/service-account.json': JSON.stringify({ type: 'service_account', private_key: pem(rsa.privateKey, 'pkcs8') }) },
      message: /RSA 2048 \(PEM PKCS#8/,
    },
    {
      name: 'a PEM block inside a binary',
      tree: {
        'usr/bin/agent': Buffer.concat([
          Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]),
          Buffer.from(pem(ec.privateKey, 'pkcs8')),
          Buffer.alloc(64),
        ]),
      },
      message: /EC prime256v1/,
      path: '/usr/bin/agent',
    },
    {
      name: 'PKCS#12 with a password-protected key',
      tree: { 'etc/certs/device.p12': pkcs12([]) },
      message: /passphrase-protected private key .*PKCS#12/,
    },
    {
      name: 'PKCS#12 with an unencrypted key bag',
      tree: { 'etc/certs/device.pfx': pkcs12(['-keypbe', 'NONE', '-certpbe', 'NONE', '-nomac']) },
      message: /RSA 2048 \(PKCS#12 \(unencrypted key bag\)/,
    },
    {
      name: 'PKCS#12 whose parts are all encrypted',
      tree: { 'etc/certs/bundle.p12': pkcs12CertOnly() },
      result: 'info',
      message: /key container that could not be opened/,
    },
  ],
});

firmwareRuleTester(sshHostKey, {
  valid: [
    {
      name: 'only public host keys',
      tree: { 'etc/ssh/ssh_host_ed25519_key.pub': 'ssh-ed25519 AAAA lab\n', 'etc/ssh/sshd_config': 'Port 22\n' },
      result: 'none',
    },
    { name: 'no SSH at all', tree: { 'etc/hostname': 'cam\n' }, result: 'none' },
  ],
  invalid: [
    {
      name: 'OpenSSH host key',
      tree: { 'etc/ssh/ssh_host_ed25519_key': openssh.key },
      message: new RegExp(`SSH host key Ed25519 \\(OpenSSH;.*${openssh.fingerprint.replaceAll('+', '\\+')}`),
    },
    { name: 'old PEM RSA host key', tree: { 'etc/ssh/ssh_host_rsa_key': pem(rsa.privateKey, 'pkcs1') }, message: /SSH host key RSA 2048/ },
    {
      name: 'dropbear Ed25519 host key',
      tree: { 'etc/dropbear/dropbear_ed25519_host_key': dropbearEd25519(ed) },
      message: /SSH host key Ed25519 \(dropbear; SPKI SHA256:\S+, SSH SHA256:/,
    },
    {
      name: 'dropbear host key in an unknown format',
      tree: { 'etc/dropbear/dropbear_rsa_host_key': Buffer.from([0, 0, 0, 1, 0xff, 1, 2, 3]) },
      message: /format not recognised/,
    },
  ],
});

const ca = certificate({ cn: 'Lab CA' });
firmwareRuleTester(weakCertificate, {
  valid: [
    { name: 'a sound self-signed certificate', tree: { 'etc/ssl/device.crt': selfSigned.cert }, result: 'none' },
    {
      name: 'a weak CA in the system trust store is not reported one by one',
      tree: { 'etc/ssl/certs/ca-certificates.crt': weakRsa.cert },
      result: 'none',
    },
  ],
  invalid: [
    { name: 'RSA 1024', tree: { 'etc/ssl/weak.crt': weakRsa.cert }, message: /RSA key of 1024 bits/ },
    {
      name: 'SHA-1 signature by a CA',
      tree: { 'etc/ssl/leaf.crt': issuedCertificate('sha1', 2048) },
      message: /signature sha1WithRSAEncryption/,
    },
  ],
});

describe('certificate expiry', () => {
  it('a certificate past its validTo is marked expired', () => {
    const der = openssl(['x509', '-outform', 'DER'], selfSigned.cert);
    assert.equal(describeCertificate('/c', undefined, der)?.expired, false);
    const later = describeCertificate('/c', undefined, der, new Date(Date.UTC(2200, 0, 1)));
    assert.equal(later?.expired, true);
    assert.match(later?.validTo ?? '', /^20\d\d-/);
  });
});

firmwareRuleTester(sharedDeviceIdentity, {
  valid: [
    { name: 'certificate without its key', tree: { 'etc/ssl/device.crt': selfSigned.cert, 'etc/ssl/ca.crt': ca.cert }, result: 'none' },
    {
      name: 'certificate and an unrelated key',
      tree: { 'etc/ssl/device.crt': selfSigned.cert, 'etc/ssl/other.key': pem(rsa.privateKey, 'pkcs8') },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'certificate and key side by side',
      tree: { 'etc/ssl/device.crt': selfSigned.cert, 'etc/ssl/private/device.key': selfSigned.key },
      message: /shipped with its private key \(\/etc\/ssl\/private\/device.key\)/,
      path: '/etc/ssl/device.crt',
    },
    {
      name: 'both in one PEM bundle',
      tree: { 'etc/uhttpd.pem': `${selfSigned.key}${selfSigned.cert}` },
      message: /device\.example.*shipped with its private key/,
    },
  ],
});

firmwareRuleTester(certificateInventory, {
  valid: [
    {
      name: 'a certificate is listed with its details',
      tree: { 'etc/ssl/device.crt': selfSigned.cert },
      result: 'info',
      message: /certificate "CN=device.example" \(self-signed\): RSA 2048, sha256WithRSAEncryption, valid to 20\d\d-/,
    },
    {
      name: 'the trust store is summarised',
      tree: { 'etc/ssl/certs/ca-certificates.crt': `${ca.cert}${selfSigned.cert}` },
      result: 'info',
      message: /system trust store: 2 CA certificates in 1 file/,
    },
    {
      name: 'a DER certificate',
      tree: { 'etc/ssl/device.der': openssl(['x509', '-outform', 'DER'], selfSigned.cert) },
      result: 'info',
      message: /CN=device.example/,
    },
    { name: 'nothing', tree: { 'etc/hostname': 'x\n' }, result: 'none' },
  ],
  invalid: [],
});

const AWS_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const GOOGLE = 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY';
const GITHUB = `ghp_${'a1B2c3D4e5'.repeat(3)}x9Y8z7`;
const SLACK = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const tokenCheck = (id: string) => tokenChecks().find((c) => c.id === `firmware/secret/${id}`) as (typeof secretChecks)[number];

firmwareRuleTester(tokenCheck('aws-access-key-id'), {
  valid: [
    { name: 'an id embedded in a longer identifier', tree: { 'etc/app.conf': `id=XAKIAIOSFODNN7EXAMPLEQ\n` }, result: 'none' },
    {
      name: 'environment variable names only',
      tree: { 'etc/profile.d/aws.sh': 'export AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID"\n' },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'key id with its secret key nearby',
      tree: { 'etc/uploader/credentials': `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n` },
      message: /AWS access key AKIA…MPLE \[redacted\] with its secret part nearby/,
      path: '/etc/uploader/credentials',
    },
    { name: 'key id alone', tree: { 'usr/bin/upload.sh': `#!/bin/sh\nKEY=${AWS_ID}\n` }, message: /no secret part found nearby/ },
  ],
});
firmwareRuleTester(tokenCheck('google-api-key'), {
  valid: [{ name: 'too short to be a key', tree: { 'www/js/app.js': 'var k = "AIzaShort";\n' }, result: 'none' }],
  invalid: [
    {
      name: 'a Maps key in the web UI',
      tree: { 'www/js/app.js': `const key = "${GOOGLE}";\n` },
      message: /Google API key AIza…MBWY \[redacted\]/,
    },
  ],
});
firmwareRuleTester(tokenCheck('github-token'), {
  valid: [{ name: 'the prefix alone', tree: { 'etc/ci.conf': 'token=ghp_\n' }, result: 'none' }],
  invalid: [
    { name: 'a classic token', tree: { 'opt/ota/fetch.sh': `curl -H "Authorization: token ${GITHUB}"\n` }, message: /GitHub token ghp_…/ },
  ],
});
firmwareRuleTester(tokenCheck('slack-token'), {
  valid: [{ name: 'a word like xoxb without a token', tree: { 'etc/notes.txt': 'use xoxb- tokens\n' }, result: 'none' }],
  invalid: [{ name: 'a bot token', tree: { 'etc/alert.json': `{"slack":"${SLACK}"}\n` }, message: /Slack token xoxb…UvWx/ }],
});
firmwareRuleTester(tokenCheck('azure-storage-connection-string'), {
  valid: [
    {
      name: 'a connection string without a key',
      tree: { 'etc/az.conf': 'conn=DefaultEndpointsProtocol=https;AccountName=lab\n' },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'AccountKey=',
      tree: {
        'etc/az.conf': `conn=DefaultEndpointsProtocol=https;AccountName=lab;AccountKey=${'Ab3+'.repeat(21)}Ab==;EndpointSuffix=core.windows.net\n`,
      },
      message: /Azure storage account key Ab3\+…Ab== \[redacted\]/,
    },
  ],
});

firmwareRuleTester(hardCodedPassword, {
  valid: [
    {
      name: 'variables, placeholders, file references and comments',
      tree: {
        'etc/init.d/app': '#!/bin/sh\nPASSWORD=$1\npassword="${APP_PASSWORD}"\nsecret=$(cat /data/secret)\n# password=hunter2\n',
        'etc/app.conf': 'password = <password>\npassword_file = /etc/app/pw\nsecret: /run/secrets/app\nadmin_password=\n',
        'etc/config/wireless': "config wifi-iface\n\toption encryption 'psk2'\n\toption key_mgmt 'WPA-PSK'\n",
      },
      result: 'none',
    },
    { name: 'library documentation is not configuration', tree: { 'usr/share/doc/app/README': 'password = hunter2\n' }, result: 'none' },
  ],
  invalid: [
    {
      name: 'a shell script',
      tree: { 'usr/sbin/start-mqtt.sh': '#!/bin/sh\nMQTT_PASSWORD="S3cr3t-lab!"\nmosquitto_sub -P "$MQTT_PASSWORD"\n' },
      message: /MQTT_PASSWORD is set to a literal value S3…b! \[redacted\]/,
      path: '/usr/sbin/start-mqtt.sh',
    },
    {
      name: 'changeme is a default, reported',
      tree: { 'etc/app/app.ini': '[admin]\npassword = changeme\n' },
      message: /password is set to a literal value ch…me \[redacted\]/,
    },
    {
      name: 'a uci Wi-Fi key',
      tree: { 'etc/config/wireless': "config wifi-iface\n\toption ssid 'lab'\n\toption key 'wifi-lab-1234'\n" },
      message: /key is set to a literal value/,
    },
    {
      name: 'a YAML secret',
      tree: { 'etc/app/config.yaml': 'cloud:\n  client_secret: "0123456789abcdef"\n' },
      message: /client_secret is set/,
    },
  ],
});

describe('secrets never appear in findings', () => {
  it('messages and evidence carry only redacted values and fingerprints', async () => {
    const tree: Tree = {
      'etc/uploader/credentials': `aws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n`,
      'www/js/app.js': `const key = "${GOOGLE}";\nconst gh = "${GITHUB}";\nconst s = "${SLACK}";\n`,
      'etc/app.conf': 'password = VerySecretLabPassword\n',
      'etc/ssl/private/device.key': selfSigned.key,
      'etc/ssl/device.crt': selfSigned.cert,
      'etc/ssh/ssh_host_ed25519_key': openssh.key,
    };
    const secrets = [AWS_ID, AWS_SECRET, GOOGLE, GITHUB, SLACK, 'VerySecretLabPassword'];
    const keyBody = selfSigned.key.split('\n')[1] as string;
    let count = 0;
    for (const check of secretChecks) {
      for (const f of await runFirmwareCheck(check, tree)) {
        count++;
        for (const text of [f.message, f.evidence ?? '']) {
          for (const s of secrets) assert.equal(text.includes(s), false, `${check.id} leaks ${s.slice(0, 4)}…`);
          assert.equal(text.includes(keyBody.slice(0, 20)), false, `${check.id} leaks key material`);
        }
      }
    }
    assert.ok(count >= 8, `expected findings from several checks, got ${count}`);
  });

  it('every check id is unique and the list is non-empty', () => {
    const ids = secretChecks.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.includes('firmware/secret/aws-access-key-id'));
  });
});

// Regressions met on a real Debian root filesystem.

const libraryKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
firmwareRuleTester(privateKeyCheck, {
  valid: [
    {
      name: 'a self-test key inside a crypto library',
      tree: { 'usr/lib/libgnutls.so.30.34.3': `\0ELF\0${libraryKey}\0` },
      result: 'info',
      message: /embedded in a shared library/,
    },
  ],
  invalid: [{ name: 'the same key in /etc', tree: { 'etc/device.key': libraryKey }, message: /shared by every unit/ }],
});
firmwareRuleTester(hardCodedPasswordCheck, {
  valid: [
    {
      name: 'nsswitch.conf names the passwd database',
      tree: { 'etc/nsswitch.conf': 'passwd:         files systemd\ngroup: files\n' },
      result: 'none',
    },
  ],
  invalid: [
    {
      name: 'a PSK in a shell script',
      tree: { 'etc/init.d/wifi': '#!/bin/sh\nWIFI_PASSWORD="hunter2-factory"\n' },
      message: /literal value/,
    },
  ],
});
