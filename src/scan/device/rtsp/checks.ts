// The RTSP checks, pure functions of an RtspObservation: a stream described without credentials, video
// travelling without encryption, the software named by the Server header, and a summary. Default
// credentials and brute-force protection come from ../login.ts.
import type { Check } from '../../check.ts';
import { disclosureVerdict } from '../http/disclosure.ts';
import { at } from '../service.ts';
import { endpointText } from '../target.ts';
import type { DescribeAnswer, RtspObservation } from './observe.ts';

/** Most characters of SDP media lines kept as evidence. */
export const MAX_SDP_EVIDENCE = 1000;

function mediaEvidence(answer: DescribeAnswer): string {
  const text = (answer.sdp?.mediaLines ?? []).join('\n');
  return text.length > MAX_SDP_EVIDENCE ? `${text.slice(0, MAX_SDP_EVIDENCE)}…` : text;
}

function printablePath(path: string): string {
  return path.replace(/[^\x21-\x7e]/g, '?');
}

function media(answer: DescribeAnswer): string {
  const kinds = (answer.sdp?.mediaLines ?? []).filter((l) => l.startsWith('m=')).map((l) => l.slice(2).split(' ')[0]);
  return [...new Set(kinds)].join(' and ') || 'media';
}

export const rtspUnauthenticatedStreamCheck: Check<RtspObservation> = {
  id: 'probe/rtsp/unauthenticated-stream',
  title: 'The camera describes its stream to anyone, without credentials',
  provisions: ['5.5-4', '5.6-2'],
  severity: 'high',
  rationale:
    'An RTSP server that answers DESCRIBE with a session description to a client that sent no credentials will also set up and play the stream: anyone who reaches the port can watch (and listen to) what the camera sees, which is device functionality reached without authentication.',
  remediation:
    'Require RTSP Digest authentication (not Basic, which travels readable) for every stream path, with per-device credentials; turn off anonymous or "guest" stream access and the RTSP server itself when no client needs it.',
  *run(o) {
    const where = at(o.service.endpoint);
    if (o.stream) {
      const any = o.anyPath ? '; it describes a stream for a random path too, so any path plays' : '';
      yield {
        result: 'fail',
        location: where,
        message: `DESCRIBE ${printablePath(o.stream.path)} without credentials returned a session description with ${media(o.stream)}${any}`,
        evidence: mediaEvidence(o.stream),
      };
    } else if (o.protectedPath) {
      const any = o.anyPath ? ' (every path, a random one included, asks for them)' : '';
      yield {
        result: 'pass',
        location: where,
        message: `DESCRIBE ${printablePath(o.protectedPath.path)} asks for credentials${any}`,
        ...(o.protectedPath.authenticate ? { evidence: `WWW-Authenticate: ${o.protectedPath.authenticate}` } : {}),
      };
    } else if (o.random) {
      yield {
        result: 'info',
        location: where,
        message: `none of the ${o.described.length} stream paths tried was described or asked for credentials (${o.described.map((d) => `${printablePath(d.path)} ${d.status}`).join(', ')})`,
      };
    }
  },
};

export const rtspPlaintextCheck: Check<RtspObservation> = {
  id: 'probe/rtsp/plaintext-stream',
  title: 'Camera video is served over RTSP without encryption',
  provisions: ['5.8-1'],
  severity: 'high',
  rationale:
    'Video and audio from a camera in a home are personal data. Plain RTSP sends the session description and, over RTP, every frame as readable bytes, and Basic credentials in the clear; anyone on the network path can watch or record it. RTSP over TLS (RTSPS, with SRTP) protects it in transit.',
  remediation:
    'Serve streams only over RTSPS (RTSP over TLS, conventionally port 322) with SRTP, or through an encrypted channel such as a TLS-protected web stream, and close the plain RTSP port.',
  *run(o) {
    const found = o.stream ?? o.protectedPath;
    if (!found) return;
    const where = at(o.service.endpoint);
    if (o.service.tls) {
      yield { result: 'pass', location: where, message: 'RTSP on this port runs inside TLS' };
      return;
    }
    const how = o.stream ? 'is described to anyone' : '(behind a login) is served';
    yield {
      result: 'fail',
      location: where,
      message: `the stream at ${printablePath(found.path)} ${how} over plain RTSP on port ${o.service.endpoint.port}: its video crosses the network unencrypted (RTSP over TLS is not offered here)`,
      evidence: o.stream ? mediaEvidence(o.stream) : `DESCRIBE ${printablePath(found.path)}: RTSP ${found.status}`,
    };
  },
};

export const rtspSoftwareDisclosureCheck: Check<RtspObservation> = {
  id: 'probe/rtsp/software-disclosure',
  title: 'The RTSP server names its software and version to anyone',
  provisions: ['5.6-2'],
  severity: 'low',
  rationale:
    'A Server header with a product and version, sent to any client before a login, tells an attacker which published vulnerabilities of the camera firmware or streaming library to try.',
  remediation: 'Remove the version (or the whole Server header) from RTSP responses.',
  *run(o) {
    if (!o.options) return;
    yield disclosureVerdict(
      at(o.service.endpoint),
      o.disclosures,
      'RTSP server',
      'no software name or version in the RTSP response headers',
    );
  },
};

export const rtspSummaryCheck: Check<RtspObservation> = {
  id: 'probe/rtsp/summary',
  title: 'RTSP service seen on the device',
  provisions: ['5.6-1'],
  severity: 'info',
  rationale: 'Records what the RTSP service showed before any login: its methods, its software and the stream paths asked for.',
  remediation: 'Switch off RTSP when no local client needs it.',
  *run(o) {
    const { host, port } = o.service.endpoint;
    const parts: string[] = [];
    if (o.options) {
      parts.push(`OPTIONS ${o.options.status}`);
      if (o.options.methods.length > 0) parts.push(`methods ${o.options.methods.join(', ')}`);
      if (o.options.server) parts.push(`Server "${o.options.server}"`);
    }
    if (o.random) parts.push(`random path ${o.random.status}`);
    if (o.described.length > 0) parts.push(`described ${o.described.map((d) => `${printablePath(d.path)} ${d.status}`).join(', ')}`);
    if (o.error) parts.push(o.error);
    yield {
      result: 'info',
      location: at(o.service.endpoint),
      message: `RTSP on ${endpointText(host, port)}: ${parts.join('; ') || 'no answer'}`,
      ...(o.stream?.sdp?.sessionName !== undefined ? { evidence: `SDP session name: ${o.stream.sdp.sessionName}` } : {}),
    };
  },
};

export const RTSP_CHECKS = [rtspUnauthenticatedStreamCheck, rtspPlaintextCheck, rtspSoftwareDisclosureCheck, rtspSummaryCheck] as const;
