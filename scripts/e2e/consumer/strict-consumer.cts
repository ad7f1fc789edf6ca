// The same package seen from a CommonJS TypeScript module ("module": "nodenext" resolves the
// exports map in require mode here): the types and the values come through.
import assert = require('node:assert/strict');
import { SessionManager, sandboxReadiness, type PermissionProfile, type SessionResult } from 'codex-runner-ipc';
import type { RunnerPipesUpdate } from 'codex-runner-ipc/electron';
import { configureAppRunner } from 'codex-runner-ipc/electron/app-runner';

const update: RunnerPipesUpdate = { sessions: [], pools: [], readiness: [] };
const profile: PermissionProfile | undefined = undefined;
void [update, profile];
assert.equal(typeof sandboxReadiness, 'function');

async function main(): Promise<void> {
  const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: configureAppRunner({ isPackaged: false }) } } });
  try {
    const result: SessionResult = await manager.start({ command: ['true'] }).exited;
    assert.equal(result.exitCode, 0);
  } finally {
    await manager.dispose();
  }
  console.log('ok   ts (CommonJS): the types and values of ".", "./electron" and "./electron/app-runner" in require mode; a session exits 0');
}
void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
