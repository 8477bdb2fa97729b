import type { FindingDraft } from '../../../check.ts';
import type { FirmwareCheck } from '../../firmware-check.ts';
import { isLoopback } from '../config-text.ts';
import { lighttpdConfig, nginxFiles, nginxFind, nginxListeners, nginxRedirectsOnly, uhttpdSections } from '../web.ts';

export const webPlainHttp: FirmwareCheck = {
  id: 'firmware/web-plain-http',
  title: 'Web interface served over plain HTTP',
  provisions: ['5.5-1'],
  severity: 'high',
  rationale:
    'A web interface on plain HTTP sends the admin password, session cookies and settings in clear text to anyone on the network path, and lets them be altered. Serving it over TLS only, with port 80 at most redirecting to HTTPS, is the practice.',
  remediation:
    'Serve the interface over HTTPS only; keep port 80 for a redirect (nginx `return 301 https://$host$request_uri;`, lighttpd `url.redirect` under `$HTTP["scheme"] == "http"`, uhttpd `option redirect_https 1`), or bind the plain listener to 127.0.0.1.',
  run(context) {
    const drafts: FindingDraft[] = [];
    for (const { path, directives } of nginxFiles(context)) {
      for (const server of nginxFind(directives, 'server').filter((d) => d.block)) {
        if (nginxRedirectsOnly(server)) continue;
        for (const l of nginxListeners(server, path)) {
          if (l.tls || isLoopback(l.address)) continue;
          drafts.push({
            result: 'fail',
            location: { path: l.path, line: l.line },
            message: `nginx serves a site over plain HTTP on ${l.address} (server block at line ${server.line} does more than redirect to HTTPS)`,
            evidence: `listen ${l.address}`,
          });
        }
      }
    }
    const lighttpd = lighttpdConfig(context);
    if (lighttpd && !lighttpd.redirectsToHttps)
      for (const l of lighttpd.listeners)
        drafts.push({
          result: 'fail',
          location: { path: l.path, line: l.line },
          message: `lighttpd serves plain HTTP on ${l.address} without TLS (ssl.engine) or a redirect to https://`,
          evidence: l.address,
        });
    for (const section of uhttpdSections(context)) {
      const http = (section.lists.get('listen_http') ?? []).filter((l) => !isLoopback(l.value));
      if (!http.length) continue;
      const https = section.lists.get('listen_https') ?? [];
      const redirect = section.options.get('redirect_https');
      const redirects = ['1', 'on', 'true', 'yes'].includes(redirect?.value ?? '0');
      if (https.length && redirects) continue;
      const why = https.length ? `redirect_https is ${redirect ? redirect.value : 'unset (default 0)'}` : 'there is no listen_https';
      for (const l of http)
        drafts.push({
          result: 'fail',
          location: { path: '/etc/config/uhttpd', line: l.line },
          message: `uhttpd ${section.name ?? 'instance'} serves plain HTTP on ${l.value} and ${why}`,
          evidence: `list listen_http '${l.value}'`,
        });
    }
    return drafts;
  },
};
