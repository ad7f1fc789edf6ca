import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SessionManager } from '../../../src/main/session/session-manager';
import { DEMO_ENV, demoSpecsFromLaunch, parseDemoSpecs, SAMPLE_DEMO_SESSIONS, startDemoSessions } from '../../../examples/electron-demo/demo-sessions';

test('demo sessions come from the switch, the switch with JSON, or the environment', () => {
  assert.equal(demoSpecsFromLaunch(['electron', 'main.js'], {}), null);
  assert.equal(demoSpecsFromLaunch(['electron', 'main.js', '--demo-sessions'], {}), SAMPLE_DEMO_SESSIONS);
  assert.deepEqual(demoSpecsFromLaunch(['x', '--demo-sessions=[{"script":"1"}]'], { [DEMO_ENV]: '[{"script":"2"}]' }), [{ script: '1' }]);
  assert.deepEqual(demoSpecsFromLaunch(['x'], { [DEMO_ENV]: '[{"script":"2","neverConnects":true,"connectTimeoutMs":500}]' }), [{ script: '2', neverConnects: true, connectTimeoutMs: 500 }]);
  assert.equal(demoSpecsFromLaunch(['x'], { [DEMO_ENV]: 'sample' }), SAMPLE_DEMO_SESSIONS);
  assert.deepEqual(parseDemoSpecs('[{"script":"3","codexSandbox":true}]', 'ENV'), [{ script: '3', codexSandbox: true }]);
});

test('bad demo specs are refused with where and why', () => {
  const refused = (text: string, message: string | RegExp) => assert.throws(() => parseDemoSpecs(text, 'ENV'), { message });
  refused('{', /^ENV: not JSON: Expected property name/); // the rest is V8's wording
  refused('{}', 'ENV: expected an array of demo sessions');
  refused(JSON.stringify(Array(17).fill({ script: '1' })), 'ENV: 17 demo sessions, the limit is 16');
  refused('[1]', 'ENV[0]: expected an object');
  refused('[{"script":""}]', 'ENV[0].script: expected a non-empty string');
  refused(JSON.stringify([{ script: 'x'.repeat(5000) }]), 'ENV[0].script: 5000 characters, the limit is 4096');
  refused('[{"script":"1","command":["rm"]}]', 'ENV[0]: unknown field "command"');
  refused('[{"script":"1","timeoutMs":-5}]', 'ENV[0].timeoutMs: expected a whole number of milliseconds in 1..3600000');
  refused('[{"script":"1","neverConnects":"yes"}]', 'ENV[0].neverConnects: expected true or false');
  refused('[{"script":"1","codexSandbox":1}]', 'ENV[0].codexSandbox: expected true or false');
});

test('started demo sessions run for real: one exits with its code, one never connects and fails', async () => {
  // As the app does (examples/electron-demo/main.ts): on Windows this project's runner refuses the default
  // sandbox profile unless the manager opts in.
  const manager = new SessionManager({ defaults: { runner: { kind: 'bundled', allowUnenforcedPolicy: true } } });
  const [exits, hangs] = startDemoSessions(
    manager,
    [{ script: "process.stdout.write('x'.repeat(100000));process.exitCode=4" }, { script: '0', neverConnects: true, connectTimeoutMs: 300 }],
    { execPath: process.execPath, runAsNode: false, env: process.env },
  );
  // 100 kB of output nobody else reads: the demo drains it, so the command is not held back.
  assert.equal((await exits!.exited).exitCode, 4);
  assert.equal(exits!.status().traffic.stdout.bytes, 100000);
  await hangs!.exited.catch(() => undefined);
  const failed = hangs!.status();
  assert.equal(failed.state, 'failed');
  assert.equal(failed.failure?.stage, 'connecting_in');
  assert.match(failed.failure!.message, /^runner did not connect to pipe-in within 300 ms/);
  await manager.dispose();
});

test("a codexSandbox demo session runs under codex's runner as its sandbox users: in a home never set up it fails at preparing, naming setup", async () => {
  const codexHome = mkdtempSync(path.join(os.tmpdir(), 'demo-codex-sandbox-'));
  const manager = new SessionManager({ defaults: { runner: { kind: 'bundled', codexHome, allowUnenforcedPolicy: true } } });
  try {
    const [session] = startDemoSessions(manager, [{ script: '0', codexSandbox: true }], { execPath: process.execPath, runAsNode: false, env: process.env, codexHome });
    await session!.exited.catch(() => undefined);
    const status = session!.status();
    assert.equal(status.state, 'failed');
    assert.equal(status.failure?.stage, 'preparing');
    assert.match(status.failure!.message, /setup/);
    // What the panel's readiness line is read with: on Windows only (there are no sandbox users elsewhere).
    assert.deepEqual(status.codexSandbox, process.platform === 'win32' ? { codexHome, networkRestricted: true } : undefined);
  } finally {
    await manager.dispose();
    rmSync(codexHome, { recursive: true, force: true });
  }
});
