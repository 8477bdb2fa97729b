// Shared by the MCUboot tests: run the kind's real scan over bytes, and pick out one check's findings.
import { readFileSync } from 'node:fs';
import type { Finding } from '../../../../src/findings/schema.ts';
import type { ConfigScan, ConfigScanOptions } from '../../../../src/scan/config/config-kind.ts';
import { mcubootKind } from '../../../../src/scan/config/mcuboot/index.ts';
import { configFileFrom } from '../../../../src/scan/config/scan-config.ts';
import type { SigningKey } from '../../../helpers/mcuboot-image-builder.ts';

export const FIXTURES = new URL('../../../fixtures/mcuboot/', import.meta.url);

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FIXTURES)));
}

export function fixtureKey(name: string): { path: string; pem: string } {
  return { path: name, pem: readFileSync(new URL(name, FIXTURES), 'utf8') };
}

export function keyOption(key: SigningKey, path = `${key.type}.pub.pem`): { path: string; pem: string } {
  return { path, pem: key.publicPem };
}

export function scanImage(bytes: Uint8Array, options: ConfigScanOptions = {}, path = 'app.signed.bin'): ConfigScan {
  return mcubootKind.scan(configFileFrom(path, bytes), options);
}

export function findingsOf(scan: ConfigScan, rule: string): Finding[] {
  return scan.findings.filter((f) => f.check === `config/mcuboot/${rule}`);
}

/** The results of one rule's findings, e.g. ['pass'] or ['fail']. */
export function resultsOf(scan: ConfigScan, rule: string): string[] {
  return findingsOf(scan, rule).map((f) => f.result);
}
