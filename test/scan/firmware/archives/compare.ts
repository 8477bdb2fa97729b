// Shared checks: an archive reader's view against the source tree it was made from, and against the
// listing the real tool prints for the same archive.
import assert from 'node:assert/strict';
import { type FsEntry, type ImageFs, normaliseImagePath } from '../../../../src/scan/firmware/image-fs.ts';
import { sha256, type SourceEntry, type ToolEntry } from '../../../helpers/make-archives.ts';
import { modeString } from '../../../helpers/make-squashfs.ts';

/** Every entry matches the source tree: type, mode, size, bytes (sha256), link targets, hard links. */
export function matchesSource(
  fs: ImageFs,
  tree: Map<string, SourceEntry>,
  expectMissing: (path: string, entry?: SourceEntry) => boolean = () => false,
): number {
  const seen = new Set<string>();
  let files = 0;
  for (const entry of fs.entries()) {
    seen.add(entry.path);
    if (entry.path === '/') continue;
    const src = tree.get(entry.path);
    if (!src && expectMissing(entry.path)) continue;
    assert.ok(src, `${entry.path} is in the source tree`);
    const what = `${fs.format} ${entry.path}`;
    if (entry.type === 'hardlink') {
      assert.equal(src.type, 'file', what);
      const target = tree.get(entry.linkTarget ?? '');
      assert.equal(target?.ino, src.ino, `${what}: hard link to the same inode (${entry.linkTarget})`);
      assert.equal(sha256(fs.read(entry.path, Number.MAX_SAFE_INTEGER)), src.sha256, `${what}: bytes through the hard link`);
    } else {
      assert.equal(entry.type, src.type, `${what}: type`);
      assert.equal(entry.mode, src.mode, `${what}: mode ${entry.mode.toString(8)}`);
    }
    if (entry.type === 'file') {
      files++;
      assert.equal(entry.size, src.size, `${what}: size`);
      assert.equal(sha256(fs.read(entry.path, Number.MAX_SAFE_INTEGER)), src.sha256, `${what}: bytes`);
      if (entry.size > 10) assert.equal(fs.read(entry.path, 10).length, 10, `${what}: a bounded read`);
    }
    if (entry.type === 'symlink') assert.equal(entry.linkTarget, src.linkTarget, `${what}: symlink target`);
  }
  for (const [path, src] of tree) if (!seen.has(path)) assert.ok(expectMissing(path, src), `${fs.format}: ${path} (${src.type}) is listed`);
  return files;
}

function kindOf(entry: FsEntry, hardLinkLetter: string): string {
  if (entry.type === 'hardlink') return hardLinkLetter;
  return modeString(entry.type, entry.mode).slice(0, 1);
}

/** The reader lists exactly what the tool lists, with the same type letters, permission strings, sizes and links. */
export function matchesTool(fs: ImageFs, tool: ToolEntry[], hardLinkLetter: '-' | 'h'): void {
  assert.ok(tool.length >= 3, 'the tool listed the archive');
  const listed = new Map<string, ToolEntry>();
  for (const t of tool) listed.set(normaliseImagePath(t.path).path, t);
  for (const [path, t] of listed) {
    const entry = fs.entry(path);
    assert.ok(entry, `${fs.format}: the tool lists ${path}`);
    const what = `${fs.format} ${path}`;
    assert.equal(kindOf(entry, hardLinkLetter), t.kind, `${what}: type letter`);
    const perms = modeString(entry.type === 'hardlink' ? 'file' : entry.type, entry.mode).slice(1);
    assert.equal(perms, t.perms, `${what}: permissions`);
    if (entry.type === 'file' && t.size !== '0') assert.equal(String(entry.size), t.size, `${what}: size`);
    if (entry.type === 'symlink' && t.linkTarget !== undefined) assert.equal(entry.linkTarget, t.linkTarget, `${what}: link target`);
    if (entry.type === 'hardlink' && t.linkTarget !== undefined)
      assert.equal(entry.linkTarget, normaliseImagePath(t.linkTarget).path, `${what}: hard link`);
  }
  for (const entry of fs.entries())
    if (entry.path !== '/') assert.ok(listed.has(entry.path), `${fs.format}: ${entry.path} is in the tool's listing`);
}
