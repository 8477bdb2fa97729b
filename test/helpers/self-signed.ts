// A throwaway self-signed P-256 certificate and key, made by the real `openssl req`, for the TLS and DTLS
// servers the probe tests start on loopback.
import { execFileSync } from 'node:child_process';

export function makeSelfSignedCertificate(
  paths: { cert: string; key: string },
  options: { commonName?: string; days?: number } = {},
): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      String(options.days ?? 1),
      '-subj',
      `/CN=${options.commonName ?? 'localhost'}`,
      '-keyout',
      paths.key,
      '-out',
      paths.cert,
    ],
    { stdio: 'ignore' },
  );
}
