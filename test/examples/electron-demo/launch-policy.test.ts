import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_ENV, SAMPLE_DEMO_SESSIONS } from '../../../examples/electron-demo/demo-sessions';
import { launchPolicy } from '../../../examples/electron-demo/launch-policy';

const dev = (argv: string[], env: Record<string, string> = {}) => launchPolicy({ isPackaged: false, argv: ['electron', 'main.js', ...argv], env });
const packaged = (argv: string[], env: Record<string, string> = {}) => launchPolicy({ isPackaged: true, argv: ['/opt/app/codex-runner-ipc', ...argv], env });

test('unpackaged: demo sessions from the switch or the environment, DevTools on', () => {
  assert.deepEqual(dev([]), { demo: null, devTools: true, notice: null, refusal: null });
  assert.equal(dev(['--demo-sessions']).demo, SAMPLE_DEMO_SESSIONS);
  assert.deepEqual(dev([], { [DEMO_ENV]: '[{"script":"1"}]' }).demo, [{ script: '1' }]);
  // A bad spec in development is an error with where and why, not a silent skip.
  assert.throws(() => dev(['--demo-sessions={']), /^Error: --demo-sessions: not JSON/);
});

test('packaged: demo sessions ignored with one line saying why (not even parsed), DevTools off', () => {
  assert.deepEqual(packaged([]), { demo: null, devTools: false, notice: null, refusal: null });
  const both = packaged(['--demo-sessions={not json'], { [DEMO_ENV]: '[{"script":"require(\'child_process\')"}]' });
  assert.deepEqual(both, {
    demo: null,
    devTools: false,
    notice: `codex-runner-ipc: ignoring --demo-sessions and ${DEMO_ENV}: demo sessions run arbitrary scripts, so only an unpackaged (development) app starts them`,
    refusal: null,
  });
  assert.equal(packaged(['--demo-sessions']).notice?.split(':')[1], ' ignoring --demo-sessions');
  assert.equal(packaged([], { [DEMO_ENV]: '' }).notice?.includes(`ignoring ${DEMO_ENV}:`), true);
  assert.equal(packaged(['--demo-sessions-x']).notice, null); // another switch, not ours
});

test('packaged: remote debugging (DevTools over a port or pipe) refuses the start, in any spelling Chromium reads', () => {
  for (const arg of ['--remote-debugging-port=9222', '--remote-debugging-pipe', '-remote-debugging-port=0', '--REMOTE-DEBUGGING-PORT=1', '/remote-debugging-port=9']) {
    assert.match(packaged([arg]).refusal ?? '', /^codex-runner-ipc: refusing to start with \S*remote-debugging-(port|pipe): remote debugging would open/i, arg);
  }
  assert.equal(packaged(['--', '--remote-debugging-port=9222']).refusal, null); // after `--` it is an argument, not a switch
  assert.equal(packaged(['--remote-debugging-address=127.0.0.1']).refusal, null); // only an address: nothing listens
  assert.equal(dev(['--remote-debugging-port=9222']).refusal, null); // development keeps it
});
