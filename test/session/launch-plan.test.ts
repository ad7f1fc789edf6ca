// What a launch is made of, decided before any pipe exists: a fixed password never reaches the
// warm pool (it would have to keep it), a password function may; the policy note per runner kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import * as os from 'node:os';
import { resolvePermissions } from '../../src/protocol/permissions';
import { codexHomeAccess } from '../../src/main/session/codex-home-access';
import { policyStatus, resolveLaunch } from '../../src/main/launch/launch-plan';
import { realRunner } from '../helpers/fixture-paths';

const permissions = resolvePermissions('workspace-write');
/** A directory that exists: a runner that starts in the command's cwd needs it (a missing one fails the plan). */
const here = realpathSync(os.tmpdir());
const base = { command: ['true'], runner: realRunner() };

test('a fixed password makes a launch that is never warmed; a password function and no password may be', async () => {
  const fixed = await resolveLaunch({ ...base, sandbox: { username: 'u', credentials: { password: 'p' } } }, permissions, 'p', codexHomeAccess);
  assert.equal(fixed.warmKey, undefined);
  assert.equal(fixed.plan.logon?.reusable, false);
  const fetched = await resolveLaunch({ ...base, sandbox: { username: 'u', credentials: { password: async () => 'p' } } }, permissions, async () => 'p', codexHomeAccess);
  assert.equal(typeof fetched.warmKey, 'string');
  assert.equal(JSON.stringify(fetched).includes('"p"'), false, 'nothing of the password is in the plan');
  const plain = await resolveLaunch(base, permissions, undefined, codexHomeAccess);
  assert.equal(typeof plain.warmKey, 'string');
  assert.notEqual(plain.warmKey, fetched.warmKey, 'another account is another identity');
});

test('who enforces the profile, for each runner kind', () => {
  const onThisOs = process.platform === 'win32' ? "not enforced: this project's runner refuses it (set allowUnenforcedPolicy to run it anyway)" : "not enforced: this project's runner runs commands as the current user (no sandbox on Linux/macOS)";
  assert.equal(policyStatus('bundled', permissions, false).note, onThisOs);
  assert.deepEqual(policyStatus('bundled', resolvePermissions('full-access'), false), { profile: 'full-access', enforced: false, note: 'full access: nothing to enforce' });
  assert.equal(policyStatus('codex', permissions, false).enforced, process.platform === 'win32');
});

test("codex's runner starts in the command's cwd (upstream never had .sandbox/runner-cwd); sandbox 'current' logs nobody on", async () => {
  const codexKind = { exe: process.execPath, args: ['runner.js'], kind: 'codex' as const };
  const asCurrent = await resolveLaunch({ command: ['true'], cwd: here, runner: codexKind, sandbox: 'current' }, permissions, undefined, codexHomeAccess);
  assert.equal(asCurrent.plan.runnerCwd, here);
  assert.equal(asCurrent.plan.logon, undefined);
  assert.equal(asCurrent.plan.sandboxUsername, undefined, 'the pipes admit the current user');
  const ours = await resolveLaunch({ command: ['true'], cwd: here, runner: realRunner(), codexHome: '/nonexistent-home' }, permissions, undefined, codexHomeAccess);
  assert.equal(ours.plan.runnerCwd, undefined, "this package's runner starts where this process runs");
});

test("any runner started as another account (a logon) starts in the command's cwd, not this process's", async () => {
  const other = await resolveLaunch({ command: ['true'], cwd: here, runner: realRunner(), sandbox: { username: 'u', credentials: { password: async () => 'p' } } }, permissions, async () => 'p', codexHomeAccess);
  assert.ok(other.plan.logon, 'a logon launch');
  assert.equal(other.plan.runnerCwd, here);
});
