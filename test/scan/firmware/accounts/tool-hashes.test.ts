// Every scheme against hashes the real tools made: the right password matches, a wrong one does not,
// and the scheme is identified. Schemes only libxcrypt verifies are unverifiable without the binding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identifyScheme } from '../../../../src/scan/firmware/accounts/crypt/identify.ts';
import { verify } from '../../../../src/scan/firmware/accounts/crypt/verify.ts';
import { xcryptBinding } from '../../../../src/scan/firmware/accounts/crypt/xcrypt-binding.ts';
import { fixtureHashes, makeHash, TOOL_CASES, toolInstalled, type ToolHash } from './tool-hashes.ts';

const binding = xcryptBinding();

function checkHash(entry: ToolHash): void {
  const identification = identifyScheme(entry.hash);
  assert.equal(identification.scheme, entry.scheme, `${entry.hash} identified as ${identification.scheme}`);
  if (identification.verifier === 'libxcrypt') {
    assert.deepEqual(verify(entry.password, entry.hash, { xcrypt: null }), { unverifiable: 'libxcrypt binding not built' });
    if (!binding) return;
  }
  assert.equal(verify(entry.password, entry.hash), 'match', `${entry.name}: ${JSON.stringify(entry.password)} against ${entry.hash}`);
  assert.equal(verify(entry.wrong, entry.hash), 'no-match', `${entry.name}: ${JSON.stringify(entry.wrong)} against ${entry.hash}`);
}

describe('hashes made by mkpasswd, openssl passwd, htpasswd, mosquitto_passwd and argon2 (fixture)', () => {
  const fixture = fixtureHashes();

  it('has every case of the table', () => {
    assert.deepEqual(
      fixture.map((f) => [f.name, f.password]),
      TOOL_CASES.map((c) => [c.name, c.password]),
    );
  });

  for (const entry of fixture) {
    it(`${entry.name} (${JSON.stringify(entry.password)}): ${entry.scheme}`, () => checkHash(entry));
  }
});

describe('hashes made now by the tools installed on this machine (fresh salts)', () => {
  for (const toolCase of TOOL_CASES) {
    const tool = toolCase.command[0]!;
    it(`${toolCase.name} (${JSON.stringify(toolCase.password)})`, { skip: toolInstalled(tool) ? false : `${tool} is not installed` }, () =>
      checkHash({ ...toolCase, hash: makeHash(toolCase) }),
    );
  }
});
