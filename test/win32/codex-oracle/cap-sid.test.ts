// The same workspace through codex's own parent (codex.exe sandbox -P :workspace, its default
// unelevated level: it prints `hi` and writes <home>/cap_sid) and through a session with default
// options on a ready home (it saves its capability SIDs before the setup helper's refresh, which
// fails under Wine): both cap_sid files have the same keys, in the same form. The SIDs themselves are
// random per home (S-1-5-21 and four random numbers), so their form is compared, not their values.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SessionManager } from '../../../src/main/session/session-manager';
import { collect } from '../../helpers/sessions';
import { skipUnlessWindows as skip } from '../win32-test-support';
import { codexSandboxEcho, putCodexOnPath } from './codex-exe';
import { freshHome, readyHome } from './homes';

const SID = /^S-1-5-21-\d+-\d+-\d+-\d+$/;

interface CapSidShape {
  top: string[];
  workspace_by_cwd: string[];
  writable_root_by_path: string[];
}

function shapeOf(file: string): CapSidShape {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const sids: string[] = [];
  const tableKeys = (name: string): string[] => {
    const table = (json[name] ?? {}) as Record<string, string>;
    sids.push(...Object.values(table));
    return Object.keys(table).sort();
  };
  for (const k of ['workspace', 'readonly']) if (typeof json[k] === 'string') sids.push(json[k] as string);
  const shape = { top: Object.keys(json).sort(), workspace_by_cwd: tableKeys('workspace_by_cwd'), writable_root_by_path: tableKeys('writable_root_by_path') };
  for (const sid of sids) assert.match(sid, SID, `${file}: ${sid}`);
  return shape;
}

let root = '';
let manager: SessionManager | undefined;
before(() => {
  if (skip) return;
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'codex-oracle-cap-sid-')));
  manager = new SessionManager({ defaults: { timeouts: { connectMs: 60_000, spawnReadyMs: 60_000 } } });
});
after(async () => {
  await manager?.dispose();
  if (root) rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

test('cap_sid for one workspace: codex.exe sandbox -P :workspace and a default session write the same keys in the same form', { skip, timeout: 300_000 }, async () => {
  const install = putCodexOnPath();
  const work = path.join(root, 'work');
  mkdirSync(work);

  const theirs = freshHome(root, 'codex');
  const run = await codexSandboxEcho(install, theirs.home, work, 'unelevated');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'hi');
  const codexShape = shapeOf(path.join(theirs.home, 'cap_sid'));

  const mine = await readyHome(root, 'module');
  const session = manager!.start({ command: ['cmd.exe', '/d', '/c', 'echo hi'], cwd: work, runner: { kind: 'codex', codexHome: mine.home }, permissions: 'workspace-write' });
  const { result } = await collect(session);
  // Under Wine the refresh stops at the sandbox group (first-run.test.ts); the SIDs are saved before it.
  assert.equal(result.error?.stage, 'preparing_sandbox', result.error?.message);
  const moduleShape = shapeOf(path.join(mine.home, 'cap_sid'));

  assert.deepEqual(moduleShape, codexShape);
  assert.deepEqual(codexShape.workspace_by_cwd.length, 1);
});
