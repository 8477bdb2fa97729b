// Mosquitto's configuration as the broker reads it: mosquitto.conf and the files of include_dir, in
// order. Settings before the first `listener` belong to the default listener (`port`, or Mosquitto 1.x's
// implicit one on 1883 on every interface); each `listener <port> [address]` starts a listener that owns
// the TLS settings (certfile, cafile, psk_hint, require_certificate) that follow it.
//
// Defaults changed in 2.0: 1.x allows anonymous clients and, with no listener configured, listens on
// 1883 on every interface; 2.x refuses anonymous clients unless allow_anonymous is true, and with no
// listener configured listens only on the loopback interface.
import type { FirmwareContext } from '../firmware-check.ts';
import { isLoopback, numberedLines, splitWords } from './config-text.ts';

export const MOSQUITTO_CONF = '/etc/mosquitto/mosquitto.conf';

export interface MosquittoListener {
  port: number | undefined;
  address?: string;
  /** The `listener` (or `port`) line; undefined for 1.x's implicit default listener. */
  path: string;
  line?: number;
  tls: boolean;
  requireCertificate?: { path: string; line: number };
  protocol: string;
  explicit: boolean;
}

export interface MosquittoConfig {
  listeners: MosquittoListener[];
  allowAnonymous: { value: boolean; path: string; line: number }[];
  passwordFile: boolean;
  files: string[];
}

export function parseMosquitto(files: readonly { path: string; text: string }[]): MosquittoConfig {
  const config: MosquittoConfig = { listeners: [], allowAnonymous: [], passwordFile: false, files: files.map((f) => f.path) };
  let current: MosquittoListener | undefined;
  const defaultListener: MosquittoListener = {
    port: undefined,
    path: files[0]?.path ?? MOSQUITTO_CONF,
    tls: false,
    protocol: 'mqtt',
    explicit: false,
  };
  for (const { path, text } of files) {
    for (const { line, text: raw } of numberedLines(text)) {
      const [keyword, first, second] = splitWords(raw);
      if (!keyword) continue;
      const target = current ?? defaultListener;
      switch (keyword) {
        case 'listener':
          current = {
            port: Number.isInteger(Number(first)) ? Number(first) : undefined,
            ...(second !== undefined ? { address: second } : {}),
            path,
            line,
            tls: false,
            protocol: 'mqtt',
            explicit: true,
          };
          config.listeners.push(current);
          break;
        case 'port':
          defaultListener.port = Number(first);
          defaultListener.explicit = true;
          defaultListener.path = path;
          defaultListener.line = line;
          break;
        case 'bind_address':
          if (first !== undefined) defaultListener.address = first;
          break;
        case 'certfile':
        case 'psk_hint':
          target.tls = true;
          break;
        case 'require_certificate':
          if (first === 'true') target.requireCertificate = { path, line };
          break;
        case 'protocol':
          if (first) target.protocol = first;
          break;
        case 'allow_anonymous':
          config.allowAnonymous.push({ value: first === 'true', path, line });
          break;
        case 'password_file':
        case 'auth_plugin':
        case 'plugin':
          config.passwordFile = true;
          break;
        default:
      }
    }
  }
  if (defaultListener.explicit) config.listeners.unshift(defaultListener);
  return config;
}

export function mosquittoConfig(context: FirmwareContext): MosquittoConfig | undefined {
  return context.memo('mosquitto-config', () => {
    const main = context.readText(MOSQUITTO_CONF);
    if (main === undefined) return undefined;
    const files = [{ path: MOSQUITTO_CONF, text: main }];
    for (const { text: raw } of numberedLines(main)) {
      const [keyword, dir] = splitWords(raw);
      if (keyword !== 'include_dir' || !dir?.startsWith('/')) continue;
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      for (const e of context
        .files((f) => f.path.startsWith(prefix) && f.path.endsWith('.conf') && !f.path.slice(prefix.length).includes('/'))
        .sort((a, b) => (a.path < b.path ? -1 : 1))) {
        const text = context.readText(e.path);
        if (text !== undefined) files.push({ path: e.path, text });
      }
    }
    return parseMosquitto(files);
  });
}

/** Whether a listener is reachable from the network (not bound to loopback). */
export function networkListener(l: MosquittoListener): boolean {
  return !(l.address && isLoopback(l.address));
}

/** Mosquitto's major version, from the package databases' or the broker binary's evidence: 1, 2, or undefined. */
export function mosquittoMajorVersion(context: FirmwareContext, packageVersion?: string): number | undefined {
  const fromPackage = packageVersion ? Number(/^(?:\d+:)?(\d+)\./.exec(packageVersion)?.[1]) : NaN;
  if (Number.isInteger(fromPackage)) return fromPackage;
  for (const path of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) {
    const entry = context.fs.entry(path);
    if (entry?.type !== 'file') continue;
    try {
      const bytes = Buffer.from(context.fs.read(path, 8 * 1024 * 1024));
      // Only 2.x has the local-only mode it announces when no listener is configured.
      return bytes.indexOf('local only mode') !== -1 ? 2 : bytes.indexOf('mosquitto version') !== -1 ? 1 : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
