// Certificates for the TLS tests, made with the openssl command line into a temporary directory: self-signed
// ones, a small CA and certificates it signs, and one whose validity ended years ago (openssl ca with
// explicit start and end dates, the way to backdate a certificate on OpenSSL 3.0).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeyPair {
  certificate: string;
  key: string;
}

/** rsa:2048, rsa:1024, ec:P-256 ... */
export type KeySpec = `rsa:${number}` | `ec:${string}`;

function keyArgs(spec: KeySpec): string[] {
  const [kind, size] = spec.split(':') as [string, string];
  return kind === 'rsa' ? ['-newkey', `rsa:${size}`] : ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${size}`];
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface CertificateOptions {
  dir: string;
  name: string;
  key: KeySpec;
  commonName: string;
  /** subjectAltName value, e.g. "DNS:device.test,IP:127.0.0.1". */
  altNames?: string;
  days?: number;
  /** Signature digest, e.g. sha1 (default sha256). */
  digest?: string;
}

export function selfSigned(options: CertificateOptions): KeyPair {
  const certificate = join(options.dir, `${options.name}.crt`);
  const key = join(options.dir, `${options.name}.key`);
  openssl([
    'req',
    '-x509',
    ...keyArgs(options.key),
    '-nodes',
    `-${options.digest ?? 'sha256'}`,
    '-days',
    String(options.days ?? 30),
    '-subj',
    `/CN=${options.commonName}`,
    ...(options.altNames ? ['-addext', `subjectAltName=${options.altNames}`] : []),
    '-keyout',
    key,
    '-out',
    certificate,
  ]);
  return { certificate, key };
}

/** A certificate signed by `ca`. */
export function signedBy(ca: KeyPair, options: CertificateOptions): KeyPair {
  const certificate = join(options.dir, `${options.name}.crt`);
  const key = join(options.dir, `${options.name}.key`);
  const csr = join(options.dir, `${options.name}.csr`);
  openssl([
    'req',
    '-new',
    ...keyArgs(options.key),
    '-nodes',
    '-subj',
    `/CN=${options.commonName}`,
    ...(options.altNames ? ['-addext', `subjectAltName=${options.altNames}`] : []),
    '-keyout',
    key,
    '-out',
    csr,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certificate,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    String(options.days ?? 30),
    `-${options.digest ?? 'sha256'}`,
    '-copy_extensions',
    'copy',
    '-out',
    certificate,
  ]);
  return { certificate, key };
}

/** A self-signed certificate valid only between two past dates (YYYYMMDDHHMMSSZ). */
export function backdated(options: CertificateOptions & { startDate: string; endDate: string }): KeyPair {
  const certificate = join(options.dir, `${options.name}.crt`);
  const key = join(options.dir, `${options.name}.key`);
  const csr = join(options.dir, `${options.name}.csr`);
  const caDir = join(options.dir, `${options.name}-ca`);
  execFileSync('mkdir', ['-p', caDir]);
  writeFileSync(join(caDir, 'index.txt'), '');
  writeFileSync(join(caDir, 'serial'), '01\n');
  const config = join(caDir, 'ca.cnf');
  writeFileSync(
    config,
    [
      '[ca]',
      'default_ca = here',
      '[here]',
      `dir = ${caDir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir',
      'serial = $dir/serial',
      'default_md = sha256',
      'policy = anything',
      'copy_extensions = copy',
      'unique_subject = no',
      '[anything]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  openssl([
    'req',
    '-new',
    ...keyArgs(options.key),
    '-nodes',
    '-subj',
    `/CN=${options.commonName}`,
    ...(options.altNames ? ['-addext', `subjectAltName=${options.altNames}`] : []),
    '-keyout',
    key,
    '-out',
    csr,
  ]);
  openssl([
    'ca',
    '-batch',
    '-config',
    config,
    '-selfsign',
    '-keyfile',
    key,
    '-in',
    csr,
    '-startdate',
    options.startDate,
    '-enddate',
    options.endDate,
    '-out',
    certificate,
  ]);
  return { certificate, key };
}

/** The DER bytes of a PEM certificate file. */
export function derOf(pemFile: string): Buffer {
  return execFileSync('openssl', ['x509', '-in', pemFile, '-outform', 'DER']);
}

/** DH parameters from a fixed named group (no prime search, so instant): RFC 5114's 1024-bit one or RFC 7919's ffdhe2048. */
export function dhParams(dir: string, group: 'dh_1024_160' | 'ffdhe2048'): string {
  const file = join(dir, `${group}.pem`);
  openssl(['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', `group:${group}`, '-out', file]);
  return file;
}
