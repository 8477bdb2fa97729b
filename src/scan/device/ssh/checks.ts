// The SSH checks: pure functions of an SshObservation, each with the metadata that explains it.
import type { Check, FindingDraft } from '../../check.ts';
import { at, printable } from '../service.ts';
import { disableHint, hostKeyVerdict, MIN_DH_GROUP_BITS, terrapinExposure, weakOffers } from './grade.ts';
import { speaksSsh1 } from './identification.ts';
import { bothDirections, isKexExtensionMarker } from './kexinit.ts';
import type { SshObservation } from './observation.ts';

const KIND_LABEL = { kex: 'key exchange', signature: 'host key algorithm', cipher: 'cipher', mac: 'MAC' } as const;

export const sshProtocol1Check: Check<SshObservation> = {
  id: 'probe/ssh/protocol-1',
  title: 'SSH server still speaks protocol version 1',
  provisions: ['5.5-1'],
  severity: 'high',
  rationale:
    'SSH-1 has known design flaws (CRC-32 integrity, session hijacking and key recovery attacks) and was abandoned in favour of SSH-2; OpenSSH removed it in 7.6. A server announcing 1.x or 1.99 lets a client fall back to it.',
  remediation: 'Disable SSH protocol 1 so that the server announces SSH-2.0 only.',
  *run(o) {
    if (!o.identification) return;
    const where = at(o.endpoint);
    const version = o.identification.protocolVersion;
    if (speaksSsh1(o.identification)) {
      yield {
        result: 'fail',
        location: where,
        message:
          version === '1.99'
            ? 'the server announces protocol 1.99: it accepts SSH-1 as well as SSH-2'
            : `the server announces protocol ${version}: it speaks only SSH-1`,
        evidence: printable(o.identification.line),
      };
    } else
      yield {
        result: 'pass',
        location: where,
        message: `the server speaks SSH-${version} only`,
        evidence: printable(o.identification.line),
      };
  },
};

export const sshWeakAlgorithmsCheck: Check<SshObservation> = {
  id: 'probe/ssh/weak-algorithms',
  title: 'SSH server offers outdated algorithms',
  provisions: ['5.5-1'],
  severity: 'medium',
  rationale:
    'The algorithms a server lists in its KEXINIT are the ones a client, or an attacker in the path steering the negotiation, may end up with. SHA-1 key exchanges and signatures, 1024-bit groups, CBC modes, RC4, 64-bit block ciphers and MD5 or truncated MACs are no longer best practice (RFC 9142, RFC 8758, RFC 8332). The list is catalog/rules/ssh-algorithms.yaml, shared with the firmware scan.',
  remediation:
    'Remove the listed algorithms from the server configuration (OpenSSH: KexAlgorithms, HostKeyAlgorithms, Ciphers, MACs; Dropbear: build options in localoptions.h), keeping curve25519, AES-GCM/CTR or ChaCha20-Poly1305, and SHA-2 MACs.',
  *run(o) {
    if (!o.kexinit) return;
    const where = at(o.endpoint);
    const offers = weakOffers(o.kexinit);
    for (const offer of offers) {
      const alone = offer.noAlternative ? ` No other ${KIND_LABEL[offer.kind]} is offered, so every client must use a weak one.` : '';
      yield {
        result: 'fail',
        severity: offer.severity,
        location: where,
        message: `offers ${KIND_LABEL[offer.kind]} ${printable(offer.name, 80)}: ${offer.rule.rationale}${alone}`,
        evidence: `${offer.field} (source: ${offer.rule.source}); ${disableHint(o.identification?.family, offer.kind, offer.name)}`,
      };
    }
    if (offers.length === 0) yield { result: 'pass', location: where, message: 'no algorithm on the weak SSH algorithm list is offered' };
  },
};

export const sshDhGroupSizeCheck: Check<SshObservation> = {
  id: 'probe/ssh/dh-group-size',
  title: 'SSH Diffie-Hellman group exchange hands out small groups',
  provisions: ['5.5-1'],
  severity: 'high',
  rationale:
    'With group exchange (RFC 4419) the server chooses the prime. A prime under 2048 bits is within reach of precomputation attacks such as Logjam; RFC 9142 asks for 2048 bits at least, whatever the client requests.',
  remediation:
    'Give the server only primes of 2048 bits or more (OpenSSH: remove the smaller lines from /etc/ssh/moduli; it refuses requests below 2048 since 7.0), or drop group exchange for curve25519.',
  *run(o) {
    const gex = o.groupExchange;
    if (!gex) return;
    const where = at(o.endpoint);
    const refused = gex.smallRequestRefused ? `; a request allowing 1024 bits was refused (${gex.smallRequestRefused})` : '';
    const asked = `asked for min ${gex.request.min} / preferred ${gex.request.preferred} / max ${gex.request.max} bits with ${gex.algorithm}${refused}`;
    if (gex.groupBits === undefined) {
      yield {
        result: 'info',
        severity: 'info',
        location: where,
        message: `group exchange (${gex.algorithm}) is offered but the group size was not measured: ${gex.error ?? 'no group received'}`,
        evidence: asked,
      };
    } else if (gex.groupBits < MIN_DH_GROUP_BITS) {
      yield {
        result: 'fail',
        location: where,
        message: `group exchange handed out a ${gex.groupBits}-bit prime, below ${MIN_DH_GROUP_BITS} bits`,
        evidence: asked,
      };
    } else {
      yield {
        result: 'pass',
        location: where,
        message: `group exchange gave a ${gex.groupBits}-bit prime when asked for ${gex.request.min} bits at least${gex.smallRequestRefused ? ', and refused to go lower' : ''}`,
        evidence: asked,
      };
    }
  },
};

export const sshHostKeyCheck: Check<SshObservation> = {
  id: 'probe/ssh/host-key',
  title: 'SSH host key type and size',
  provisions: ['5.5-1'],
  severity: 'high',
  rationale:
    'The host key is what lets a client know it reached the device and not an impostor. DSA keys (1024 bits, SHA-1) and RSA keys under 2048 bits no longer give that assurance; Ed25519, ECDSA and RSA of 3072 bits or more do.',
  remediation: 'Generate an Ed25519 (or RSA 3072+) host key per device, and remove DSA and short RSA host keys from the server.',
  *run(o) {
    const where = at(o.endpoint);
    for (const key of o.hostKeys) {
      const verdict = hostKeyVerdict(key);
      yield {
        result: verdict.result,
        severity: verdict.severity,
        location: where,
        message: `the server presents ${verdict.reason} (${key.fingerprint})`,
        evidence: `${printable(key.algorithm, 80)}: ${key.type}${key.bits !== undefined ? ` ${key.bits} bits` : ''} ${key.fingerprint}`,
      };
    }
  },
};

export const sshTerrapinCheck: Check<SshObservation> = {
  id: 'probe/ssh/terrapin',
  title: 'SSH server open to the Terrapin prefix truncation attack',
  provisions: ['5.5-1'],
  severity: 'medium',
  rationale:
    'CVE-2023-48795 (Terrapin) lets an attacker in the path delete messages at the start of the encrypted session, for example to turn off keystroke timing protections, when chacha20-poly1305 or a CBC cipher with an encrypt-then-MAC MAC is negotiated. Servers that implement strict key exchange (kex-strict-s-v00@openssh.com) are not affected.',
  remediation:
    'Update the SSH server to a release with strict key exchange (OpenSSH 9.6, Dropbear 2024.84, or a distribution backport), or disable chacha20-poly1305 and the CBC ciphers with -etm MACs.',
  *run(o) {
    if (!o.kexinit) return;
    const where = at(o.endpoint);
    const exposure = terrapinExposure(o.kexinit);
    if (exposure.vulnerable) {
      yield {
        result: 'fail',
        location: where,
        message: `the server offers ${exposure.exposedBy.join(' and ')} without strict key exchange`,
        evidence: `kex_algorithms: ${printable(o.kexinit.kex.join(','), 600)}`,
      };
    } else {
      yield {
        result: 'pass',
        location: where,
        message: exposure.strictKex
          ? 'the server implements strict key exchange (kex-strict-s-v00@openssh.com)'
          : 'the server offers neither chacha20-poly1305 nor a CBC cipher with an -etm MAC',
      };
    }
  },
};

export const sshVersionDisclosureCheck: Check<SshObservation> = {
  id: 'probe/ssh/version-disclosure',
  title: 'SSH identification discloses software version',
  provisions: ['5.6-2'],
  severity: 'low',
  rationale:
    'Every SSH server names its software before any login; an exact version number, and a comment naming the operating system and its patch level, tell an unauthenticated attacker which published vulnerabilities to try.',
  remediation:
    'Keep the identification to what the protocol needs: drop the comment (Debian OpenSSH: DebianBanner no) and, where the software allows, the exact version; above all keep the software up to date.',
  *run(o) {
    const id = o.identification;
    if (!id) return;
    const where = at(o.endpoint);
    const disclosed: string[] = [];
    if (id.version) disclosed.push(`${id.software} ${id.version}`);
    if (id.comment && /\d/.test(id.comment)) disclosed.push(`"${id.comment}"`);
    if (disclosed.length > 0) {
      yield {
        result: 'fail',
        location: where,
        message: `the identification string discloses ${disclosed.map((d) => printable(d, 100)).join(' and ')} to anyone who connects`,
        evidence: printable(id.line, 300),
      };
    } else
      yield {
        result: 'pass',
        location: where,
        message: 'the identification string carries no version number',
        evidence: printable(id.line, 300),
      };
  },
};

export const sshNoAuthenticationCheck: Check<SshObservation> = {
  id: 'probe/ssh/no-authentication',
  title: 'SSH server lets users in without authentication',
  provisions: ['5.1-1'],
  severity: 'critical',
  rationale:
    'An SSH server that accepts the "none" authentication method gives a session to anyone who connects: no password at all is the weakest default credential there is.',
  remediation:
    'Require authentication for every account (OpenSSH: PermitEmptyPasswords no; Dropbear: do not build with empty-password logins allowed).',
  *run(o) {
    if (!o.auth) return;
    const where = at(o.endpoint);
    if (o.auth.noneAccepted)
      yield { result: 'fail', location: where, message: `the server accepted a login as ${o.auth.username} with no authentication at all` };
    else
      yield {
        result: 'pass',
        location: where,
        message: `a login as ${o.auth.username} without credentials was refused`,
      };
  },
};

export const sshPasswordAuthCheck: Check<SshObservation> = {
  id: 'probe/ssh/password-auth',
  title: 'SSH server accepts password logins',
  provisions: ['5.1-1', '5.1-5'],
  severity: 'info',
  rationale:
    'Password and keyboard-interactive logins are what default credentials and brute force are tried against; a server that takes only public keys is not exposed to either over SSH.',
  remediation: 'Prefer public-key authentication; where passwords stay, make them unique per device and slow down repeated failures.',
  *run(o) {
    if (!o.auth || o.auth.noneAccepted) return;
    const where = at(o.endpoint);
    const methods = o.auth.methods.join(', ') || '(none listed)';
    const guessable = o.auth.methods.filter((m) => m === 'password' || m === 'keyboard-interactive');
    if (guessable.length > 0)
      yield {
        result: 'info',
        location: where,
        message: `the server offers ${guessable.join(' and ')} logins (methods: ${methods}); default credentials and brute-force protection were examined over them`,
      };
    else
      yield {
        result: 'pass',
        location: where,
        message: `the server offers no password login (methods: ${methods}): passwords cannot be guessed over SSH`,
      };
  },
};

export const sshSummaryCheck: Check<SshObservation> = {
  id: 'probe/ssh/summary',
  title: 'SSH service summary',
  provisions: ['5.5-1', '5.6-2'],
  severity: 'info',
  rationale: 'A record of what the SSH server announced and offered, so that the report shows what the other SSH findings were judged on.',
  remediation: 'None: informational.',
  *run(o) {
    const id = o.identification;
    if (!id) return;
    const parts: string[] = [
      `${id.software}${id.version ? ` ${id.version}` : ''}${id.comment ? ` (${id.comment})` : ''}, protocol ${id.protocolVersion}`,
    ];
    const k = o.kexinit;
    if (k) {
      parts.push(`kex: ${k.kex.filter((n) => !isKexExtensionMarker(n)).join(',')}`);
      parts.push(`host key algorithms: ${k.hostKey.join(',')}`);
      parts.push(`ciphers: ${bothDirections(k.ciphersClientToServer, k.ciphersServerToClient).join(',')}`);
      parts.push(`MACs: ${bothDirections(k.macsClientToServer, k.macsServerToClient).join(',')}`);
      parts.push(`compression: ${bothDirections(k.compressionClientToServer, k.compressionServerToClient).join(',')}`);
    }
    if (o.hostKeys.length > 0)
      parts.push(`host keys: ${o.hostKeys.map((h) => `${h.type}${h.bits !== undefined ? ` ${h.bits}` : ''} ${h.fingerprint}`).join('; ')}`);
    if (o.groupExchange?.groupBits !== undefined) parts.push(`group exchange prime: ${o.groupExchange.groupBits} bits`);
    if (o.auth) parts.push(o.auth.noneAccepted ? 'auth: none accepted' : `auth methods: ${o.auth.methods.join(',') || '(none listed)'}`);
    const draft: FindingDraft = {
      result: 'info',
      location: at(o.endpoint),
      message: printable(parts.join('; '), 1500),
    };
    if (o.preIdentificationLines.length > 0)
      draft.evidence = `lines before the identification: ${printable(o.preIdentificationLines.join('\n'), 1500)}`;
    yield draft;
  },
};

export const SSH_CHECKS: Check<SshObservation>[] = [
  sshSummaryCheck,
  sshProtocol1Check,
  sshVersionDisclosureCheck,
  sshWeakAlgorithmsCheck,
  sshDhGroupSizeCheck,
  sshHostKeyCheck,
  sshTerrapinCheck,
  sshNoAuthenticationCheck,
  sshPasswordAuthCheck,
];
