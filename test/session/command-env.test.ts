// What a command inherits when the caller gives no env: the app's environment minus upstream's
// non-inheritable variables, anything named like a secret, and Electron/Node switches (the
// packaged app keeps RunAsNode on for the runner, so ELECTRON_RUN_AS_NODE must not reach
// commands). An explicit env is passed exactly. Real sessions through the real runner.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCommandEnv, excludedBecause } from '../../src/main/session/command-env';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { collect } from '../helpers/sessions';

// full-access: on Windows this project's runner refuses a sandbox profile it cannot enforce (the
// environment is what these tests are about).
const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() }, permissions: 'full-access' } });
after(() => manager.dispose());

test('the default environment drops secrets, codex-private variables and runtime switches, in any letter case', () => {
  const from = {
    PATH: '/bin',
    HOME: '/h',
    LANG: 'C.UTF-8',
    OPENAI_API_KEY: 'sk-1',
    github_token: 't',
    AWS_SECRET_ACCESS_KEY: 's',
    DB_PASSWORD: 'p',
    CODEX_EXEC_SERVER_NOISE_AUTH_TOKEN: 'n',
    openai_identity_token_file: '/f',
    OPENAI_FEDERATION_RULE_ID: 'r',
    OPENAI_WORKLOAD_IDENTITY_CONTEXT: 'c',
    ELECTRON_RUN_AS_NODE: '1',
    Electron_Run_As_Node: '1',
    ELECTRON_NO_ASAR: '1',
    NODE_OPTIONS: '--require /x.js',
    NODE_PATH: '/m',
    NODE_CHANNEL_FD: '3',
    CODEX_RUNNER_IPC_DEMO: '[]',
    UNSET: undefined,
  };
  assert.deepEqual(defaultCommandEnv(from), { PATH: '/bin', HOME: '/h', LANG: 'C.UTF-8' });
  assert.equal(excludedBecause('OPENAI_IDENTITY_TOKEN_FILE'), 'codex never lets a command inherit it');
  assert.equal(excludedBecause('MY_API_KEY'), 'its name contains KEY');
  assert.equal(excludedBecause('NODE_OPTIONS'), 'it controls Electron or Node');
  assert.equal(excludedBecause('PATHEXT'), null);
});

const PRINT = "process.stdout.write(JSON.stringify([process.env.ELECTRON_RUN_AS_NODE, process.env.OPENAI_API_KEY, process.env.KEEP_ME]))";

test('a session started from a process holding secrets and ELECTRON_RUN_AS_NODE passes neither to the command', async () => {
  Object.assign(process.env, { ELECTRON_RUN_AS_NODE: '1', OPENAI_API_KEY: 'sk-test', KEEP_ME: 'yes' });
  try {
    const session = manager.start({ command: [process.execPath, '-e', PRINT] });
    const { stdout, result } = await collect(session);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(JSON.parse(stdout.toString()), [null, null, 'yes']);
  } finally {
    delete process.env.ELECTRON_RUN_AS_NODE;
    delete process.env.OPENAI_API_KEY;
    delete process.env.KEEP_ME;
  }
});

test("an explicit env is the command's whole environment, anything the caller puts in it included", async () => {
  const session = manager.start({ command: [process.execPath, '-e', PRINT], env: { ELECTRON_RUN_AS_NODE: '1', OPENAI_API_KEY: 'given' } });
  const { stdout, result } = await collect(session);
  assert.equal(result.exitCode, 0);
  assert.deepEqual(JSON.parse(stdout.toString()), ['1', 'given', null]);
});
