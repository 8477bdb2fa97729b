// Versions of software that package databases often miss in embedded images, read from the files
// themselves: the banner strings compiled into BusyBox, OpenSSL's libcrypto and Dropbear, the kernel's
// "Linux version" string and its /lib/modules/<version> directory. Each search is one bounded indexOf over
// a bounded read, with a short regular expression applied only to the few bytes after a hit.

export interface VersionPattern {
  name: string;
  /** Literal text every hit starts with. */
  needle: string;
  /** Applied to the text from the needle on (at most 80 characters); group 1 is the version. */
  pattern: RegExp;
}

export const BUSYBOX: VersionPattern = {
  name: 'busybox',
  needle: 'BusyBox v',
  pattern: /^BusyBox v(\d{1,3}\.\d{1,3}(?:\.\d{1,3})?[0-9A-Za-z.+~-]{0,24})/,
};
export const OPENSSL: VersionPattern = {
  name: 'openssl',
  needle: 'OpenSSL ',
  pattern: /^OpenSSL (\d{1,2}\.\d{1,2}\.\d{1,2}[a-z]{0,2})(?:-[A-Za-z0-9]{1,16})? {1,2}\d{1,2} [A-Z][a-z]{2} \d{4}/,
};
export const DROPBEAR: VersionPattern = { name: 'dropbear', needle: 'dropbear_', pattern: /^dropbear_(\d{4}\.\d{1,3})/ };
export const DROPBEAR_BANNER: VersionPattern = { name: 'dropbear', needle: 'Dropbear v', pattern: /^Dropbear v(\d{4}\.\d{1,3})/ };
export const LINUX: VersionPattern = {
  name: 'linux',
  needle: 'Linux version ',
  pattern: /^Linux version (\d{1,2}\.\d{1,3}(?:\.\d{1,4})?[0-9A-Za-z.+_~-]{0,64})/,
};

const MAX_HITS = 256;
const decoder = new TextDecoder('latin1');

/** The first version a pattern finds in the bytes, trying each occurrence of the needle in turn. */
export function findVersion(bytes: Uint8Array, pattern: VersionPattern): string | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let from = 0;
  for (let hits = 0; hits < MAX_HITS; hits++) {
    const at = buffer.indexOf(pattern.needle, from, 'latin1');
    if (at === -1) return undefined;
    const window = decoder.decode(bytes.subarray(at, Math.min(bytes.length, at + 80)));
    const match = pattern.pattern.exec(window);
    if (match?.[1]) return match[1];
    from = at + 1;
  }
  return undefined;
}
