import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { lighttpdConfig, nginxFiles, nginxFind, WEAK_TLS_PROTOCOLS, weakCipherEntries } from '../web.ts';

export const webWeakTls: FirmwareCheck = {
  id: 'firmware/web-weak-tls',
  title: 'Web server allows outdated TLS versions or ciphers',
  provisions: ['5.5-1'],
  severity: 'medium',
  rationale:
    'SSL 3.0, TLS 1.0 and TLS 1.1 are deprecated (RFC 8996) and ciphers such as RC4, DES/3DES, export and NULL suites are broken or weak; offering them lets an attacker on the path downgrade the connection.',
  remediation:
    'Allow TLS 1.2 and 1.3 only (nginx `ssl_protocols TLSv1.2 TLSv1.3;`, lighttpd `ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2")`) and drop weak cipher entries, or leave the library defaults.',
  run(context) {
    const drafts: FindingDraft[] = [];
    for (const { path, directives } of nginxFiles(context)) {
      for (const d of nginxFind(directives, 'ssl_protocols')) {
        const weak = d.args.filter((a) => WEAK_TLS_PROTOCOLS.has(a.toLowerCase()));
        if (weak.length)
          drafts.push({
            result: 'fail',
            location: { path, line: d.line },
            message: `nginx ssl_protocols allows ${weak.join(', ')}`,
            evidence: `ssl_protocols ${d.args.join(' ')}`,
          });
      }
      for (const d of nginxFind(directives, 'ssl_ciphers')) {
        const weak = weakCipherEntries(d.args.join(' '));
        if (weak.length)
          drafts.push({
            result: 'fail',
            location: { path, line: d.line },
            message: `nginx ssl_ciphers enables weak ciphers: ${weak.join(', ')}`,
            evidence: `ssl_ciphers ${d.args.join(' ')}`,
          });
      }
    }
    for (const a of lighttpdConfig(context)?.assignments ?? []) {
      let problem: string | undefined;
      if (a.key === 'ssl.use-sslv3' && /"enable"/i.test(a.value)) problem = 'ssl.use-sslv3 enables SSL 3.0';
      if (a.key === 'ssl.openssl.ssl-conf-cmd') {
        const min = /"MinProtocol"\s*=>\s*"([^"]{0,20})"/i.exec(a.value)?.[1];
        if (min && WEAK_TLS_PROTOCOLS.has(min.toLowerCase())) problem = `ssl-conf-cmd sets MinProtocol ${min}`;
      }
      if (a.key === 'ssl.cipher-list') {
        const weak = weakCipherEntries(/"([^"]{0,4000})"/.exec(a.value)?.[1] ?? '');
        if (weak.length) problem = `ssl.cipher-list enables weak ciphers: ${weak.join(', ')}`;
      }
      if (problem)
        drafts.push({
          result: 'fail',
          location: { path: a.path, line: a.line },
          message: `lighttpd ${problem}`,
          evidence: `${a.key} = ${a.value}`,
        });
    }
    return drafts;
  },
};
