// The TLS checks: pure functions of a TlsObservation, each with its metadata beside it. Protocol and cipher
// checks bear on best-practice cryptography (5.5-1), on secrets crossing the network (5.5-7) and on personal
// data in transit (5.8-1); certificate checks on whether a client can tell it reached the real device.
// The DTLS prober runs the version, suite and certificate checks on its own observations, which name
// their versions as DTLS ones (observedVersionLabel).
import type { Check, FindingDraft } from '../../check.ts';
import type { Severity } from '../../../findings/schema.ts';
import { at } from '../service.ts';
import { type LegacyKind, loadCipherSuites, type SuiteFacts } from './cipher-suites.ts';
import type { CertificateInfo } from './certificate.ts';
import { acceptedSuites, acceptedVersions, observedVersionLabel, suitesComplete, type TlsObservation } from './observation.ts';
import { gradeProfiles } from './profiles.ts';
import { type TlsVersion, versionLabel } from './versions.ts';

const IN_TRANSIT = ['5.5-1', '5.5-7', '5.8-1'];
const AUTHENTICATION = ['5.5-1', '5.5-7'];
const DAY_MS = 86_400_000;
export const EXPIRY_WARNING_DAYS = 30;

export const KIND_LABEL: Record<LegacyKind, string> = {
  null: 'NULL (unencrypted)',
  export: 'export-grade',
  anon: 'anonymous (unauthenticated)',
  rc4: 'RC4',
  rc2: 'RC2',
  des: 'single-DES',
  '3des': '3DES',
  idea: 'IDEA',
  md5: 'HMAC-MD5',
  cbc: 'CBC',
};

export function listAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function suiteLabel(suite: SuiteFacts): string {
  return suite.openssl ? `${suite.name} (${suite.openssl})` : suite.name;
}

function suiteList(observation: TlsObservation, entries: { suite: SuiteFacts; versions: TlsVersion[] }[], max = 6): string {
  const label = (v: TlsVersion) => observedVersionLabel(observation, v);
  const shown = entries.slice(0, max).map((e) => `${suiteLabel(e.suite)} with ${listAnd(e.versions.map(label))}`);
  return entries.length > max ? `${shown.join('; ')}; and ${entries.length - max} more` : shown.join('; ');
}

function incompleteNote(observation: TlsObservation): string {
  return suitesComplete(observation) ? '' : ' (the cipher suite list is incomplete, see the incomplete parts)';
}

export const legacyVersionCheck: Check<TlsObservation> = {
  id: 'probe/tls/legacy-version',
  title: 'Only TLS 1.2 or newer accepted',
  provisions: IN_TRANSIT,
  severity: 'high',
  rationale:
    'SSL 3.0 is broken (POODLE) and TLS 1.0 and 1.1 rely on SHA-1 and MD5 and lack modern cipher suites; RFC 7568 and RFC 8996 forbid them. A client that can be talked down to them loses the protection of newer versions.',
  remediation: 'Disable SSL 3.0, TLS 1.0 and TLS 1.1 on the device; accept TLS 1.2 and TLS 1.3 only.',
  *run(observation) {
    const location = at(observation.endpoint);
    const label = (v: TlsVersion) => observedVersionLabel(observation, v);
    const legacy = observation.versions.filter((v) => v.version === 'SSLv3' || v.version === 'TLSv1.0' || v.version === 'TLSv1.1');
    const accepted = legacy.filter((v) => v.status === 'accepted');
    const modern = acceptedVersions(observation).filter((v) => !legacy.includes(v));
    if (accepted.length > 0) {
      const labels = accepted.map((v) => label(v.version));
      // CBC suites in SSL 3.0 / TLS 1.0 use a predictable IV: the BEAST attack's precondition.
      const beast = accepted.some(
        (v) => (v.version === 'SSLv3' || v.version === 'TLSv1.0') && v.suites.some((s) => s.name.includes('_CBC_')),
      );
      yield {
        result: 'fail',
        severity: accepted.some((v) => v.version === 'SSLv3') ? 'high' : 'medium',
        location,
        message: `Accepts ${listAnd(labels)}, deprecated protocol version${labels.length > 1 ? 's' : ''}${
          modern.length > 0 ? ` (besides ${listAnd(modern.map((v) => label(v.version)))})` : ' and nothing newer'
        }.${beast ? ' Its CBC suites under TLS 1.0 or SSL 3.0 are open to the BEAST attack.' : ''}`,
        evidence: accepted
          .map((v) => `${label(v.version)}: handshake accepted with ${v.suites[0] ? suiteLabel(v.suites[0]) : 'a suite'}`)
          .join('\n'),
      };
      return;
    }
    if (modern.length === 0) return;
    const untested = legacy.filter((v) => v.status === 'unknown');
    yield untested.length > 0
      ? {
          result: 'info',
          location,
          message: `Accepts ${listAnd(modern.map((v) => label(v.version)))}; whether it accepts ${listAnd(untested.map((v) => label(v.version)))} could not be told.`,
        }
      : {
          result: 'pass',
          location,
          message: `Accepts only ${listAnd(modern.map((v) => label(v.version)))}; ${listAnd([...legacy].reverse().map((v) => label(v.version)))} ${legacy.length === 1 ? 'is' : 'are'} refused.`,
        };
  },
};

export const weakCipherCheck: Check<TlsObservation> = {
  id: 'probe/tls/weak-cipher',
  title: 'No broken or obsolete cipher suites accepted',
  provisions: IN_TRANSIT,
  severity: 'high',
  rationale:
    'NULL, export-grade, anonymous, RC4, DES, 3DES, IDEA and MD5-based cipher suites give an eavesdropper or an active attacker a way in, whatever else the server offers, since a client or an attacker can steer the handshake to them.',
  remediation:
    "Remove these suites from the TLS configuration; offer ECDHE with AES-GCM or ChaCha20-Poly1305 (for OpenSSL-based servers, Mozilla's intermediate cipher list).",
  *run(observation) {
    const registry = loadCipherSuites();
    const location = at(observation.endpoint);
    const suites = acceptedSuites(observation);
    let found = false;
    for (const [kind, weakness] of registry.weaknesses) {
      if (!weakness.perSuite) continue;
      const matching = suites.filter((e) => e.suite.legacy.includes(kind));
      if (matching.length === 0) continue;
      found = true;
      yield {
        result: 'fail',
        severity: weakness.severity,
        location,
        message: `Accepts ${matching.length} ${KIND_LABEL[kind]} cipher suite${matching.length > 1 ? 's' : ''}: ${suiteList(observation, matching, 3)}. ${weakness.rationale}`,
        evidence: suiteList(observation, matching, 40),
      };
    }
    if (found || suites.length === 0) return;
    yield suitesComplete(observation)
      ? { result: 'pass', location, message: `None of the ${suites.length} accepted cipher suites is broken or obsolete.` }
      : {
          result: 'info',
          location,
          message: `None of the ${suites.length} cipher suites found is broken or obsolete${incompleteNote(observation)}.`,
        };
  },
};

export const forwardSecrecyCheck: Check<TlsObservation> = {
  id: 'probe/tls/no-forward-secrecy',
  title: 'Forward secrecy for every connection',
  provisions: IN_TRANSIT,
  severity: 'medium',
  rationale:
    "Without an ephemeral key exchange (ECDHE or DHE), anyone who later obtains the server's private key, from a device taken apart for instance, can decrypt every recorded session.",
  remediation: 'Accept only ECDHE (or DHE) key exchange with TLS 1.2, and TLS 1.3, whose key exchange is always ephemeral.',
  *run(observation) {
    const location = at(observation.endpoint);
    const suites = acceptedSuites(observation).filter((e) => e.suite.known);
    if (suites.length === 0) return;
    const without = suites.filter((e) => !e.suite.forwardSecrecy);
    if (without.length === suites.length) {
      yield {
        result: 'fail',
        location,
        message: `None of the ${suites.length} accepted cipher suites has forward secrecy: ${suiteList(observation, without, 3)}.`,
        evidence: suiteList(observation, without, 40),
      };
    } else if (without.length > 0) {
      yield {
        result: 'fail',
        severity: 'low',
        location,
        message: `Accepts ${without.length} cipher suite${without.length > 1 ? 's' : ''} without forward secrecy besides ephemeral ones: ${suiteList(observation, without, 3)}.`,
        evidence: suiteList(observation, without, 40),
      };
    } else {
      yield {
        result: suitesComplete(observation) ? 'pass' : 'info',
        location,
        message: `Every accepted cipher suite uses an ephemeral key exchange${incompleteNote(observation)}.`,
      };
    }
  },
};

export const aeadCheck: Check<TlsObservation> = {
  id: 'probe/tls/no-aead',
  title: 'Authenticated encryption (AEAD) available',
  provisions: IN_TRANSIT,
  severity: 'medium',
  rationale:
    'CBC suites authenticate before encrypting, the root of padding-oracle and timing attacks (Lucky13, POODLE); a server with nothing better keeps every client on them. RFC 9325 recommends AEAD suites.',
  remediation: 'Enable TLS 1.2 AES-GCM or ChaCha20-Poly1305 suites (and TLS 1.3), and prefer them.',
  *run(observation) {
    const location = at(observation.endpoint);
    const suites = acceptedSuites(observation);
    if (suites.length === 0) return;
    const aead = suites.filter((e) => e.suite.aead);
    if (aead.length > 0) {
      yield {
        result: 'pass',
        location,
        message: `Accepts ${aead.length} AEAD cipher suite${aead.length > 1 ? 's' : ''}, e.g. ${suiteLabel(aead[0]!.suite)}.`,
      };
    } else if (suitesComplete(observation)) {
      yield {
        result: 'fail',
        severity: loadCipherSuites().weaknesses.get('cbc')!.severity,
        location,
        message: `No AEAD cipher suite: all ${suites.length} accepted suites use CBC (or no or stream encryption), e.g. ${suiteLabel(suites[0]!.suite)}.`,
        evidence: suiteList(observation, suites, 40),
      };
    } else {
      yield { result: 'info', location, message: `No AEAD cipher suite among the ${suites.length} found${incompleteNote(observation)}.` };
    }
  },
};

export const dhGroupCheck: Check<TlsObservation> = {
  id: 'probe/tls/weak-dh-group',
  title: 'Diffie-Hellman groups of 2048 bits or more',
  provisions: IN_TRANSIT,
  severity: 'medium',
  rationale:
    'Finite-field Diffie-Hellman groups under 2048 bits are within reach of well-resourced attackers (Logjam); 512-bit export groups are broken outright.',
  remediation: 'Use a DH group of at least 2048 bits (e.g. RFC 7919 ffdhe2048), or drop DHE in favour of ECDHE.',
  *run(observation) {
    const bits = observation.keyExchange.dhPrimeBits;
    if (bits.length === 0) return;
    const smallest = Math.min(...bits);
    const location = at(observation.endpoint);
    if (smallest >= 2048) {
      yield { result: 'pass', location, message: `DHE key exchange uses a ${smallest}-bit group.` };
      return;
    }
    yield {
      result: 'fail',
      severity: smallest < 1024 ? 'high' : 'medium',
      location,
      message: `DHE key exchange uses a ${smallest}-bit Diffie-Hellman group, smaller than 2048 bits.`,
      evidence: `DH group sizes seen: ${bits.join(', ')} bits`,
    };
  },
};

function certificateName(certificate: CertificateInfo, index: number): string {
  return `${index === 0 ? 'server certificate' : `chain certificate ${index + 1}`} "${certificate.subject || '(empty subject)'}"`;
}

function chainOf(observation: TlsObservation): CertificateInfo[] {
  return observation.certificate?.chain ?? [];
}

export const certificateExpiryCheck: Check<TlsObservation> = {
  id: 'probe/tls/certificate-expiry',
  title: 'Certificate within its validity period',
  provisions: AUTHENTICATION,
  severity: 'high',
  rationale:
    'A certificate outside its validity period fails verification, so clients either refuse to connect or are configured to skip verification altogether, which leaves them open to impersonation.',
  remediation: 'Renew the certificate before it expires, and give the device a way to renew it in the field.',
  *run(observation) {
    const chain = chainOf(observation);
    if (chain.length === 0) return;
    const now = Date.parse(observation.observedAt);
    const location = at(observation.endpoint);
    const drafts: FindingDraft[] = [];
    chain.forEach((certificate, index) => {
      const name = certificateName(certificate, index);
      const notBefore = Date.parse(certificate.notBefore);
      const notAfter = Date.parse(certificate.notAfter);
      const dates = `valid from ${certificate.notBefore} to ${certificate.notAfter}`;
      if (notAfter < now) {
        drafts.push({
          result: 'fail',
          severity: 'high',
          location,
          message: `The ${name} expired on ${certificate.notAfter.slice(0, 10)}.`,
          evidence: dates,
        });
      } else if (notBefore > now) {
        drafts.push({
          result: 'fail',
          severity: 'medium',
          location,
          message: `The ${name} is not valid until ${certificate.notBefore.slice(0, 10)}.`,
          evidence: dates,
        });
      } else if (notAfter - now < EXPIRY_WARNING_DAYS * DAY_MS) {
        const days = Math.floor((notAfter - now) / DAY_MS);
        drafts.push({
          result: 'fail',
          severity: 'low',
          location,
          message: `The ${name} expires in ${days} day${days === 1 ? '' : 's'}, on ${certificate.notAfter.slice(0, 10)}.`,
          evidence: dates,
        });
      }
    });
    if (drafts.length > 0) yield* drafts;
    else yield { result: 'pass', location, message: `The server certificate is valid until ${chain[0]!.notAfter.slice(0, 10)}.` };
  },
};

function weakKey(certificate: CertificateInfo): { severity: Severity; why: string } | undefined {
  const bits = certificate.keyBits;
  if (certificate.keyType === 'rsa' || certificate.keyType === 'rsa-pss') {
    if (bits !== undefined && bits < 1024) return { severity: 'critical', why: `a ${bits}-bit RSA key, factorable today` };
    if (bits !== undefined && bits < 2048)
      return { severity: 'high', why: `a ${bits}-bit RSA key, under the 2048 bits required since 2014` };
  }
  if (certificate.keyType === 'ec' && (bits === undefined || bits < 256)) {
    return {
      severity: 'high',
      why: `an EC key on ${certificate.curve ?? 'an unnamed curve'}${bits ? ` (${bits} bits)` : ''}, under 256 bits`,
    };
  }
  if (certificate.keyType === 'dsa')
    return { severity: 'medium', why: `a DSA key${bits ? ` of ${bits} bits` : ''}; DSA is no longer approved for signatures` };
  return undefined;
}

function describeKey(certificate: CertificateInfo): string {
  if (certificate.keyType === 'ec') return `EC ${certificate.curve ?? ''}`.trim();
  return `${certificate.keyType.toUpperCase()}${certificate.keyBits ? ` ${certificate.keyBits}-bit` : ''}`;
}

export const certificateKeyCheck: Check<TlsObservation> = {
  id: 'probe/tls/certificate-key',
  title: 'Certificate keys of adequate strength',
  provisions: AUTHENTICATION,
  severity: 'high',
  rationale: 'A short RSA or EC key can be broken to impersonate the device, or (with RSA key transport) to decrypt recorded sessions.',
  remediation: 'Issue the certificate for an RSA key of at least 2048 bits or an EC key on P-256 or P-384.',
  *run(observation) {
    const chain = chainOf(observation);
    if (chain.length === 0) return;
    const location = at(observation.endpoint);
    let failed = false;
    for (const [index, certificate] of chain.entries()) {
      const weak = weakKey(certificate);
      if (!weak) continue;
      failed = true;
      yield { result: 'fail', severity: weak.severity, location, message: `The ${certificateName(certificate, index)} has ${weak.why}.` };
    }
    if (!failed) yield { result: 'pass', location, message: `The server certificate key is ${describeKey(chain[0]!)}.` };
  },
};

export const certificateSignatureCheck: Check<TlsObservation> = {
  id: 'probe/tls/certificate-signature',
  title: 'Certificates signed with a sound hash',
  provisions: AUTHENTICATION,
  severity: 'high',
  rationale:
    'MD5 and SHA-1 signatures can be forged through chosen-prefix collisions (shown for MD5 in 2008 and for SHA-1 in 2020), so such a certificate proves little.',
  remediation: 'Reissue the certificate signed with SHA-256 or stronger.',
  *run(observation) {
    const chain = chainOf(observation);
    if (chain.length === 0) return;
    const location = at(observation.endpoint);
    let failed = false;
    for (const [index, certificate] of chain.entries()) {
      // A root's self-signature is never relied on; the leaf's always is, even when it signed itself.
      if (index > 0 && certificate.selfSigned) continue;
      const algorithm = certificate.signatureAlgorithm;
      const md5 = /md5|md2/i.test(algorithm);
      const sha1 = /sha1|sha-1|dsaWithSHA\b|shaWithRSA/i.test(algorithm);
      if (!md5 && !sha1) continue;
      failed = true;
      yield {
        result: 'fail',
        severity: md5 ? 'high' : 'medium',
        location,
        message: `The ${certificateName(certificate, index)} is signed with ${algorithm} (${md5 ? 'MD5' : 'SHA-1'}).`,
      };
    }
    if (!failed) yield { result: 'pass', location, message: `The server certificate is signed with ${chain[0]!.signatureAlgorithm}.` };
  },
};

export const selfSignedCheck: Check<TlsObservation> = {
  id: 'probe/tls/self-signed-certificate',
  title: 'Certificate a client can verify',
  provisions: AUTHENTICATION,
  severity: 'medium',
  rationale:
    'A self-signed certificate cannot be told from one an attacker makes, unless every client pins it in advance; in practice clients are told to accept any certificate, which leaves the connection open to a man in the middle.',
  remediation:
    "Issue the device certificate from a CA the companion app or clients trust (a public CA, or a per-product CA whose root ships with the app), or pin the device's key in the clients.",
  *run(observation) {
    const leaf = chainOf(observation)[0];
    if (!leaf) return;
    const location = at(observation.endpoint);
    yield leaf.selfSigned
      ? {
          result: 'fail',
          location,
          message: `The server certificate "${leaf.subject || '(empty subject)'}" is self-signed.`,
          evidence: `subject: ${leaf.subject}\nissuer: ${leaf.issuer}\nSHA-256 fingerprint: ${leaf.fingerprint256}`,
        }
      : {
          result: 'pass',
          location,
          message: `The server certificate is issued by "${leaf.issuer}" (not checked against any trust store).`,
        };
  },
};

export const hostnameCheck: Check<TlsObservation> = {
  id: 'probe/tls/certificate-hostname',
  title: 'Certificate valid for the name the device is reached by',
  provisions: AUTHENTICATION,
  severity: 'medium',
  rationale:
    "A client that verifies certificates properly rejects one issued for another name; one that connects anyway does not check names, and would accept any attacker's certificate as well.",
  remediation: "Put every DNS name and IP address clients use for the device in the certificate's subject alternative names.",
  *run(observation) {
    const certificate = observation.certificate;
    const leaf = certificate?.chain[0];
    if (!certificate || !leaf) return;
    const { name, matches, commonNameOnly } = certificate.hostMatch;
    const location = at(observation.endpoint);
    const names = [...leaf.dnsNames.map((n) => `DNS:${n}`), ...leaf.ipAddresses.map((n) => `IP:${n}`)];
    const evidence = `subject: ${leaf.subject}\nsubject alternative names: ${names.length > 0 ? names.join(', ') : '(none)'}`;
    if (matches) yield { result: 'pass', location, message: `The server certificate is valid for ${name}.`, evidence };
    else if (commonNameOnly) {
      yield {
        result: 'fail',
        severity: 'low',
        location,
        message: `The server certificate names ${name} only in its subject common name, which current clients ignore; it has no matching subject alternative name.`,
        evidence,
      };
    } else
      yield {
        result: 'fail',
        location,
        message: `The server certificate is not valid for ${name}, the name the device was probed as.`,
        evidence,
      };
  },
};

export const mozillaProfileCheck: Check<TlsObservation> = {
  id: 'probe/tls/mozilla-profile',
  title: "Configuration meets Mozilla's intermediate or modern TLS profile",
  provisions: IN_TRANSIT,
  severity: 'low',
  rationale:
    "Mozilla's server-side TLS guidelines are a widely used statement of current best practice for TLS: versions, cipher suites, key exchange groups and certificates together.",
  remediation:
    "Configure TLS after Mozilla's intermediate profile (https://ssl-config.mozilla.org/), or modern where every client supports TLS 1.3.",
  *run(observation) {
    if (acceptedVersions(observation).length === 0) return;
    const location = at(observation.endpoint);
    const grades = gradeProfiles(observation);
    const met = grades.find((g) => g.meets === true);
    const why = (g: (typeof grades)[number]) => `${g.title}: ${g.reasons.join('; ')}`;
    if (met) {
      const stricter = grades.slice(0, grades.indexOf(met));
      yield {
        result: 'pass',
        location,
        message: `Meets ${met.title}.${stricter.length > 0 ? ` Not ${listAnd(stricter.map((g) => g.name))}: ${stricter.map((g) => g.reasons.join('; ')).join(' | ')}.` : ''}`,
      };
      return;
    }
    const undetermined = grades.find((g) => g.meets === undefined);
    if (undetermined) {
      yield {
        result: 'info',
        location,
        message: `Nothing seen breaks ${undetermined.title}, but ${listAnd(undetermined.unknown)} could not be seen.`,
        evidence: grades
          .filter((g) => g.meets === false)
          .map(why)
          .join('\n'),
      };
      return;
    }
    const loosest = grades.at(-1)!;
    yield {
      result: 'fail',
      location,
      message: `Meets neither Mozilla profile. ${loosest.title}: ${loosest.reasons.join('; ')}.`,
      evidence: grades.map(why).join('\n'),
    };
  },
};

export const tlsSummaryCheck: Check<TlsObservation> = {
  id: 'probe/tls/summary',
  title: 'TLS configuration measured',
  provisions: IN_TRANSIT,
  severity: 'info',
  rationale: 'What the prober measured on the port, so that a reader can see the basis of the other TLS findings.',
  remediation: 'None: an observation.',
  *run(observation) {
    const versions = observation.versions.map((v) =>
      v.status === 'accepted'
        ? `${versionLabel(v.version)}: ${v.suites.length}${v.complete ? '' : '+'} suite${v.suites.length === 1 ? '' : 's'}`
        : `${versionLabel(v.version)}: ${v.status === 'refused' ? 'refused' : 'unknown'}`,
    );
    const grades = gradeProfiles(observation);
    const met = grades.find((g) => g.meets === true);
    const leaf = observation.certificate?.chain[0];
    const parts = [
      versions.join(', '),
      leaf
        ? `certificate "${leaf.subject}" (${describeKey(leaf)}, ${leaf.selfSigned ? 'self-signed' : `issued by "${leaf.issuer}"`}, until ${leaf.notAfter.slice(0, 10)})`
        : 'certificate not seen',
      met
        ? `meets ${met.title}`
        : grades.some((g) => g.meets === undefined)
          ? 'Mozilla profile not fully determined'
          : 'meets no Mozilla profile',
    ];
    if (observation.clientCertificateRequested) parts.push('the server asks for a client certificate');
    const evidence = acceptedVersions(observation)
      .map((v) => `${versionLabel(v.version)}: ${v.suites.map((s) => s.openssl ?? s.name).join(' ')}`)
      .concat(
        observation.keyExchange.ecdhGroups.length > 0 ? [`ECDHE groups: ${observation.keyExchange.ecdhGroups.join(', ')}`] : [],
        observation.keyExchange.dhPrimeBits.length > 0 ? [`DH group sizes: ${observation.keyExchange.dhPrimeBits.join(', ')} bits`] : [],
        [`${observation.handshakes} handshakes (cap ${observation.maxHandshakes})`],
      )
      .join('\n');
    yield { result: 'info', location: at(observation.endpoint), message: `TLS: ${parts.join('; ')}.`, evidence };
  },
};

/** The checks of a handshake's outcome that hold for TLS and DTLS alike. */
export const HANDSHAKE_CHECKS: Check<TlsObservation>[] = [
  legacyVersionCheck,
  weakCipherCheck,
  forwardSecrecyCheck,
  aeadCheck,
  dhGroupCheck,
  certificateExpiryCheck,
  certificateKeyCheck,
  certificateSignatureCheck,
  selfSignedCheck,
  hostnameCheck,
];

export const TLS_CHECKS: Check<TlsObservation>[] = [...HANDSHAKE_CHECKS, mozillaProfileCheck, tlsSummaryCheck];
