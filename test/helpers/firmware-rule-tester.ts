// Tests firmware checks the way ESLint's RuleTester tests lint rules: small root filesystems that must
// pass and ones that must fail, each built on disk and read through the real ImageFs.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/findings/schema.ts';
import { toFinding } from '../../src/scan/check.ts';
import { openDirectoryFs } from '../../src/scan/firmware/directory-fs.ts';
import { type FirmwareCheck, firmwareContext } from '../../src/scan/firmware/firmware-check.ts';
import { tempDir } from './product.ts';

/** A file's content, or a symlink, or content with a mode. */
export type TreeNode = string | Uint8Array | { symlink: string } | { content: string | Uint8Array; mode: number };
export type Tree = Record<string, TreeNode>;

export function buildTree(tree: Tree, root = tempDir('baseline-rootfs-')): string {
  for (const [path, node] of Object.entries(tree)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof node === 'object' && 'symlink' in node) symlinkSync(node.symlink, target);
    else if (typeof node === 'object' && 'mode' in node) {
      writeFileSync(target, node.content);
      chmodSync(target, node.mode);
    } else writeFileSync(target, node);
  }
  return root;
}

export async function runFirmwareCheck(check: FirmwareCheck, tree: Tree, product?: { name?: string; model?: string }): Promise<Finding[]> {
  const fs = openDirectoryFs(buildTree(tree));
  const drafts = await check.run(firmwareContext(fs, 'test rootfs', product));
  return drafts.map((d) => toFinding(check, d));
}

export interface FirmwareCase {
  name: string;
  tree: Tree;
  product?: { name?: string; model?: string };
  /** Expected result of at least one finding; 'none' means the check must stay silent. Valid defaults to none-or-pass. */
  result?: 'pass' | 'fail' | 'info' | 'none';
  message?: RegExp;
  /** Expected location of the matching finding. */
  path?: string;
}

export function firmwareRuleTester(check: FirmwareCheck, cases: { valid: FirmwareCase[]; invalid: FirmwareCase[] }): void {
  describe(check.id, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, async () => {
        const findings = await runFirmwareCheck(check, c.tree, c.product);
        const failing = findings.filter((f) => f.result === 'fail');
        assert.deepEqual(failing, [], `unexpected failure: ${failing.map((f) => f.message).join('; ')}`);
        if (c.result === 'none') assert.equal(findings.length, 0);
        else if (c.result)
          assert.ok(
            findings.some((f) => f.result === c.result),
            `expected a ${c.result} finding`,
          );
        if (c.message)
          assert.ok(
            findings.some((f) => c.message?.test(f.message)),
            `no message matches ${c.message}`,
          );
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, async () => {
        const findings = await runFirmwareCheck(check, c.tree, c.product);
        const want = c.result ?? 'fail';
        const match = findings.find(
          (f) => f.result === want && (!c.message || c.message.test(f.message)) && (!c.path || f.location.path === c.path),
        );
        assert.ok(
          match,
          `expected a ${want} finding${c.message ? ` matching ${c.message}` : ''}; got ${findings.map((f) => `${f.result}: ${f.message}`).join('; ') || 'none'}`,
        );
      });
    }
  });
}
