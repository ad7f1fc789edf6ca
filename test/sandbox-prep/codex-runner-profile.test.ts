// codex's runner enforces only restricted profiles: the others are refused before anything starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtinPermissionProfile } from '../../src/protocol/permissions';
import { codexRunnerRefusal } from '../../src/main/codex/sandbox-prep/codex-runner-profile';
import { Session } from '../../src/main/session/session';

test('full access, external and unrestricted are refused with what to use instead; restricted ones pass', () => {
  const refusals = [
    builtinPermissionProfile('full-access'),
    { type: 'external', network: 'enabled' } as const,
    { type: 'managed', network: 'restricted', file_system: { type: 'unrestricted' } } as const,
  ].map(codexRunnerRefusal);
  for (const r of refusals) {
    assert.match(r ?? '', /^codex's runner enforces only restricted profiles and refuses /);
    assert.match(r ?? '', /use permissions 'read-only', 'workspace-write'.*this package's runner/);
  }
  assert.match(refusals[0]!, /full access/);
  assert.match(refusals[1]!, /"external"/);
  assert.match(refusals[2]!, /"unrestricted"/);
  assert.equal(codexRunnerRefusal(builtinPermissionProfile('read-only')), null);
  assert.equal(codexRunnerRefusal(builtinPermissionProfile('workspace-write')), null);
});

test('a session asking codex\'s runner for full access fails at preparing, before any file or process', async (t) => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'codex-refuse-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const session = new Session({ command: ['true'], runner: 'codex', codexHome: home, sandbox: 'current', permissions: 'full-access' });
  void session.start();
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.equal(result.error?.stage, 'preparing');
  assert.match(result.error?.message ?? '', /codex's runner enforces only restricted profiles and refuses full access/);
  assert.deepEqual(readdirSync(home), [], 'nothing was looked up or made in the codex home');
  assert.equal(session.status().pipes.in, undefined);
});
