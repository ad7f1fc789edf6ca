// The same package seen from a CommonJS TypeScript module ("module": "nodenext" resolves the
// exports map in require mode here): the types and the values come through.
import assert = require('node:assert/strict');
import { SessionManager, BUILTIN_PERMISSIONS, type PermissionProfile, type SessionResult } from 'codex-runner-ipc';
import type { RunnerPipesUpdate } from 'codex-runner-ipc/electron';
import { configureAppRunner } from 'codex-runner-ipc/electron/app-runner';

const update: RunnerPipesUpdate = { sessions: [], pools: [], readiness: [] };
const profile: PermissionProfile | undefined = undefined;
void [update, profile];
assert.equal(BUILTIN_PERMISSIONS.length, 3);

async function main(): Promise<void> {
  const { runner, launcher } = configureAppRunner({ isPackaged: false });
  const manager = new SessionManager({ defaults: { runner }, launcher });
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
