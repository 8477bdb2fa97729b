// The FTP checks, pure functions of an FtpObservation. Default credentials and brute-force protection
// come from ../login.ts.
import type { Check } from '../../check.ts';
import { bannerDisclosure } from '../http/disclosure.ts';
import { at } from '../service.ts';
import { endpointText } from '../target.ts';
import type { FtpObservation } from './observe.ts';

export const ftpCleartextCheck: Check<FtpObservation> = {
  id: 'probe/ftp/cleartext-login',
  title: 'FTP logins and files cross the network unencrypted',
  provisions: ['5.5-1', '5.5-7'],
  severity: 'medium',
  rationale:
    'Plain FTP sends the user name, the password and every file in clear. A server that does not offer AUTH TLS (RFC 4217), or offers it but still takes passwords without it, exposes its accounts to anyone on the network path.',
  remediation: 'Remove the FTP server, or replace it with SFTP; if FTP must stay, require TLS (AUTH TLS) before any login.',
  *run(o) {
    if (o.featCode === undefined) return;
    const where = at(o.service.endpoint);
    if (!o.authTls) {
      const feat = o.features === undefined ? `the server does not support FEAT (${o.featCode})` : 'FEAT lists no AUTH TLS';
      yield { result: 'fail', location: where, message: `FTP without TLS: ${feat}, so logins and files travel in clear`, ...evidence(o) };
    } else if (o.plainUser === 'password-asked') {
      yield {
        result: 'fail',
        location: where,
        severity: 'low',
        message: 'FTP offers AUTH TLS but still asks for a password over the unencrypted connection',
        ...evidence(o),
      };
    } else if (o.plainUser === 'tls-demanded') {
      yield { result: 'pass', location: where, message: 'FTP requires TLS (AUTH TLS) before a login', ...evidence(o) };
    } else {
      yield {
        result: 'info',
        location: where,
        message: 'FTP offers AUTH TLS; whether it also takes plaintext logins was not tested',
        ...evidence(o),
      };
    }
  },
};

function evidence(o: FtpObservation): { evidence?: string } {
  return o.features === undefined ? {} : { evidence: `FEAT: ${o.features.join(', ') || '(empty)'}` };
}

export const ftpAnonymousCheck: Check<FtpObservation> = {
  id: 'probe/ftp/anonymous-login',
  title: 'FTP accepts anonymous logins',
  provisions: ['5.5-4', '5.6-2'],
  severity: 'high',
  rationale:
    'Anonymous FTP lets anyone on the network read (and, if so configured, write) the files the server offers, without any credential; on a consumer device those are often recordings, logs or configuration.',
  remediation: 'Disable anonymous FTP (vsftpd anonymous_enable=NO) and require per-user credentials, or remove the FTP server.',
  *run(o) {
    if (!o.anonymous) return;
    const where = at(o.service.endpoint);
    if (o.anonymous.outcome === 'accepted') {
      yield {
        result: 'fail',
        location: where,
        message: 'FTP logged in USER anonymous without any credential',
        evidence: o.anonymous.reply,
      };
    } else if (o.anonymous.outcome === 'rejected') {
      yield { result: 'pass', location: where, message: 'FTP refuses anonymous logins', evidence: o.anonymous.reply };
    } else {
      yield { result: 'info', location: where, message: `anonymous FTP login could not be judged: ${o.anonymous.reply}` };
    }
  },
};

export const ftpBannerCheck: Check<FtpObservation> = {
  id: 'probe/ftp/banner-disclosure',
  title: 'The FTP greeting names the server software and version',
  provisions: ['5.6-2'],
  severity: 'low',
  rationale: 'A greeting such as "220 (vsFTPd 3.0.3)" tells an unauthenticated client which server and version to attack.',
  remediation: 'Set a neutral greeting (vsftpd ftpd_banner, ProFTPD ServerIdent off).',
  *run(o) {
    if (!o.greeting) return;
    const where = at(o.service.endpoint);
    const disclosure = bannerDisclosure('FTP greeting', o.greeting);
    if (disclosure)
      yield { result: 'fail', location: where, message: `the FTP greeting discloses ${disclosure.text}`, evidence: o.greeting };
    else yield { result: 'pass', location: where, message: 'the FTP greeting names no software version', evidence: o.greeting };
  },
};

export const ftpSummaryCheck: Check<FtpObservation> = {
  id: 'probe/ftp/summary',
  title: 'FTP service seen on the device',
  provisions: ['5.6-1'],
  severity: 'info',
  rationale: 'Records what the FTP service showed.',
  remediation: 'Switch off FTP unless the product needs it.',
  *run(o) {
    const { host, port } = o.service.endpoint;
    const parts = [o.greeting ? `greeting "${o.greeting}"` : o.reached ? 'no greeting' : 'could not connect'];
    if (o.features !== undefined) parts.push(`FEAT: ${o.features.join(', ') || '(empty)'}`);
    else if (o.featCode !== undefined) parts.push(`FEAT answered ${o.featCode}`);
    if (o.anonymous) parts.push(`anonymous login ${o.anonymous.outcome}`);
    if (o.error) parts.push(o.error);
    yield { result: 'info', location: at(o.service.endpoint), message: `FTP on ${endpointText(host, port)}: ${parts.join('; ')}` };
  },
};

export const FTP_CHECKS = [ftpCleartextCheck, ftpAnonymousCheck, ftpBannerCheck, ftpSummaryCheck] as const;
