// Builds product files in a temporary folder for tests: a complete, conformant V2.1.1 product
// that each test bends to the case it needs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { applicability } from '../../src/assess/applicability.ts';
import { loadEtsiCatalog } from '../../src/catalog/load.ts';
import { loadProduct, type Product } from '../../src/product/load.ts';

export function tempDir(prefix = 'baseline-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Conditions of a mains-powered Linux device with passwords and network updates. */
export const LINUX_DEVICE_CONDITIONS: Record<string, boolean> = {
  'passwords-used': true,
  'preinstalled-passwords': true,
  'software-not-updatable': false,
  'constrained-device': false,
  'telemetry-collected': true,
  'consent-based-processing': true,
  'user-authentication': true,
  'automatic-updates-or-notifications': true,
  'hardcoded-unique-identity': false,
  'updates-over-network': true,
  'update-mechanism': true,
  'physical-debug-interface': false,
};

export function conformantProductData(conditions: Record<string, boolean> = LINUX_DEVICE_CONDITIONS): Record<string, unknown> {
  const catalog = loadEtsiCatalog('2.1.1');
  const numbers = new Map<number, boolean>();
  for (const c of catalog.conditions) {
    const v = conditions[c.key];
    if (v !== undefined) numbers.set(c.number, v);
  }
  for (const c of catalog.conditions) if (c.negates !== undefined && !numbers.has(c.number)) numbers.set(c.number, !numbers.get(c.negates));
  const provisions: Record<string, unknown> = {};
  for (const p of catalog.provisions) {
    if (!p.inTableB1) continue;
    if (applicability(p, { catalog, conditions: numbers, features: new Map() }).applies === true) {
      provisions[p.id] = { support: 'Y', detail: `Implemented: how ${p.id} is met on the test product.` };
    }
  }
  return {
    standard: { id: 'etsi-en-303-645', version: '2.1.1' },
    product: { name: 'Test Thermostat', model: 'TT-1', type: 'smart thermostat', batch: 'rev A, serials 1-1000', firmwareVersion: '1.0.0' },
    manufacturer: { name: 'Test Devices Ltd', address: '1 Test Street, Cambridge CB1 1AA, United Kingdom' },
    supportPeriod: { endDate: '2031-12-31', publishedAt: 'https://test.example/support' },
    vulnerabilityDisclosure: {
      contact: 'security@test.example',
      policyUrl: 'https://test.example/security',
      acknowledgement: 'within 5 working days',
      statusUpdates: 'every 30 days until resolved',
    },
    conditions: { ...conditions },
    provisions,
    statement: {
      preparedBy: 'manufacturer',
      signatory: { name: 'Ada Example', function: 'Head of Product Security' },
      place: 'Cambridge',
      date: '2026-11-01',
    },
  };
}

export function writeProduct(data: unknown, dir = tempDir(), name = 'baseline.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, typeof data === 'string' ? data : stringify(data));
  return path;
}

export function productFrom(data: unknown): Product {
  return loadProduct(writeProduct(data));
}

export function writeResults(findings: unknown[], dir = tempDir(), name = 'results.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ tool: 'test-scanner', version: '1.0', target: 'image.bin', findings }));
  return path;
}
