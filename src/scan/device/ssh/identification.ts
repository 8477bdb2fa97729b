// The identification string an SSH server sends first (RFC 4253 section 4.2):
// "SSH-protoversion-softwareversion SP comments", e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3" or
// "SSH-2.0-dropbear_2022.83". A server may send other lines before it; they are counted and capped.
import { type Connection, ProbeError } from '../connection.ts';

export type SshSoftwareFamily = 'openssh' | 'dropbear' | 'other';

export interface SshIdentification {
  /** The line as sent, without CR LF. */
  line: string;
  /** "2.0", "1.99" (speaks both), "1.5" (SSH-1 only). */
  protocolVersion: string;
  /** The softwareversion field as sent, e.g. "OpenSSH_9.2p1". */
  softwareVersion: string;
  /** The software's name, e.g. "OpenSSH", "Dropbear", "libssh". */
  software: string;
  family: SshSoftwareFamily;
  /** The version number when the field carries one, e.g. "9.2p1", "2022.83". */
  version?: string;
  /** The comment after the space, e.g. "Debian-2+deb12u3" (often the OS and its patch level). */
  comment?: string;
}

/** RFC 4253 caps the identification at 255 bytes; a little slack for servers that overrun it. */
export const MAX_IDENTIFICATION_LENGTH = 512;
/** Lines a server may send before its identification: RFC 4253 allows some, a hostile server could send forever. */
export const MAX_PRE_IDENTIFICATION_LINES = 32;

/** Parses an identification line; undefined when the line is not one. */
export function parseSshIdentification(line: string): SshIdentification | undefined {
  const text = line.replace(/\r?\n$/, '').replace(/\r$/, '');
  if (text.length > MAX_IDENTIFICATION_LENGTH) return undefined;
  const match = /^SSH-(\d+\.\d+)-([^ \r\n]+)(?: (.*))?$/.exec(text);
  if (!match) return undefined;
  const protocolVersion = match[1] ?? '';
  const softwareVersion = match[2] ?? '';
  const comment = match[3]?.trim();
  const identification: SshIdentification = {
    line: text,
    protocolVersion,
    softwareVersion,
    ...splitSoftware(softwareVersion),
    ...(comment ? { comment } : {}),
  };
  return identification;
}

function splitSoftware(field: string): Pick<SshIdentification, 'software' | 'family' | 'version'> {
  const openssh = /^OpenSSH(?:_for_Windows)?_(\d[\w.+~-]*)/i.exec(field);
  if (openssh) return { software: 'OpenSSH', family: 'openssh', ...(openssh[1] ? { version: openssh[1] } : {}) };
  if (/^OpenSSH/i.test(field)) return { software: 'OpenSSH', family: 'openssh' };
  const dropbear = /^dropbear(?:[_-](\d[\w.+~-]*))?/i.exec(field);
  if (dropbear) return { software: 'Dropbear', family: 'dropbear', ...(dropbear[1] ? { version: dropbear[1] } : {}) };
  // Generic "name_1.2", "name-1.2", "name1.2", "name_v1.2": the name runs up to the first digit that follows
  // a letter or a separator. Found by a scan rather than a backtracking pattern: the field is untrusted.
  for (let i = 1; i < field.length; i++) {
    if (!/\d/.test(field[i] ?? '') || !/[A-Za-z_-]/.test(field[i - 1] ?? '')) continue;
    const software = field
      .slice(0, i)
      .replace(/[_-]v$/i, '')
      .replace(/[_-]+$/, '');
    if (/[A-Za-z]/.test(software)) return { software, family: 'other', version: field.slice(i) };
  }
  return { software: field, family: 'other' };
}

/** True for identifications of servers that still speak SSH-1 ("SSH-1.5-", or "SSH-1.99-" alongside SSH-2). */
export function speaksSsh1(identification: SshIdentification): boolean {
  return identification.protocolVersion.startsWith('1.');
}

/** True when the server speaks SSH-2 ("2.0", or "1.99" which means both). */
export function speaksSsh2(identification: SshIdentification): boolean {
  return identification.protocolVersion === '2.0' || identification.protocolVersion === '1.99';
}

export interface IdentificationRead {
  identification: SshIdentification;
  /** Lines the server sent before its identification (often a legal notice or a greeting). */
  preIdentificationLines: string[];
}

/**
 * Reads lines until the identification, within one deadline, at most MAX_PRE_IDENTIFICATION_LINES lines
 * before it, each at most MAX_IDENTIFICATION_LENGTH bytes. Fails with a ProbeError on anything else.
 */
export async function readIdentification(connection: Connection, timeoutMs: number): Promise<IdentificationRead> {
  const deadline = Date.now() + timeoutMs;
  const before: string[] = [];
  for (;;) {
    const left = Math.max(1, deadline - Date.now());
    const line = await connection.readLine(left, MAX_IDENTIFICATION_LENGTH, 'SSH identification');
    if (line.startsWith('SSH-')) {
      const identification = parseSshIdentification(line);
      if (!identification) throw new ProbeError('protocol', `malformed SSH identification: ${JSON.stringify(line.slice(0, 80))}`);
      return { identification, preIdentificationLines: before };
    }
    before.push(line);
    if (before.length > MAX_PRE_IDENTIFICATION_LINES)
      throw new ProbeError('protocol', `more than ${MAX_PRE_IDENTIFICATION_LINES} lines arrived before an SSH identification`);
  }
}
