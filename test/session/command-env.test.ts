// What a command inherits: the app's environment without ELECTRON_RUN_AS_NODE (the packaged app's
// RunAsNode fuse stays on for the runner, so the variable must not reach commands); an explicit
// env is passed exactly. The session tests run real sessions through the real runner.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { inheritedCommandEnv } from '../../src/session/command-env';
import { SessionManager } from '../../src/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { collect } from '../helpers/sessions';

const manager = new SessionManager({ defaults: { runner: realRunner() } });
after(() => manager.dispose());

test('the inherited environment drops ELECTRON_RUN_AS_NODE in any letter case and keeps the rest', () => {
  assert.deepEqual(inheritedCommandEnv({ PATH: '/bin', ELECTRON_RUN_AS_NODE: '1', Electron_Run_As_Node: '1', HOME: '/h', UNSET: undefined }), { PATH: '/bin', HOME: '/h' });
});

const PRINT_FLAG = "process.stdout.write(String(process.env.ELECTRON_RUN_AS_NODE))";

test('a session started from a process that has ELECTRON_RUN_AS_NODE does not pass it to the command', async () => {
  process.env.ELECTRON_RUN_AS_NODE = '1';
  try {
    const session = manager.start({ command: [process.execPath, '-e', PRINT_FLAG] });
    const { stdout, result } = await collect(session);
    assert.equal(result.exitCode, 0);
    assert.equal(stdout.toString(), 'undefined');
  } finally {
    delete process.env.ELECTRON_RUN_AS_NODE;
  }
});

test('an explicit env is the command\'s whole environment, the variable included if the caller asks', async () => {
  const session = manager.start({ command: [process.execPath, '-e', PRINT_FLAG], env: { ELECTRON_RUN_AS_NODE: '1' } });
  const { stdout, result } = await collect(session);
  assert.equal(result.exitCode, 0);
  assert.equal(stdout.toString(), '1');
});
