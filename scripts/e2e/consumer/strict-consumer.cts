// The same package seen from a CommonJS TypeScript module ("module": "nodenext" resolves the
// exports map in require mode here): the types and the values come through.
import assert = require('node:assert/strict');
import { SessionManager, sandboxReadiness, type PermissionProfile, type SessionResult } from 'codex-runner-ipc';
// "./electron" needs Electron to load: its types only here.
import type { AppFacts, OpenRunnerPipesPanelOptions } from 'codex-runner-ipc/electron';

const facts: AppFacts = { isPackaged: false };
const panelOptions: Omit<OpenRunnerPipesPanelOptions, 'manager'> = { title: 'Runner pipes' };
const profile: PermissionProfile | undefined = undefined;
void [facts, panelOptions, profile];
assert.equal(typeof sandboxReadiness, 'function');

async function main(): Promise<void> {
  const manager = new SessionManager();
  try {
    const result: SessionResult = await manager.start({ command: ['true'] }).exited;
    assert.equal(result.exitCode, 0);
  } finally {
    await manager.dispose();
  }
  console.log('ok   ts (CommonJS): the types and values of "." and the types of "./electron" in require mode; a session exits 0');
}
void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
