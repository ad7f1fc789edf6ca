import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INVOKE_CHANNELS, RUNNER_PIPES_API_KEYS, RUNNER_PIPES_CHANNELS, SESSIONS_PUSH } from '../../../electron/common/ipc-contract';

test('every channel used is declared once in the contract list, and the API has three functions', () => {
  assert.deepEqual([...INVOKE_CHANNELS, SESSIONS_PUSH].sort(), [...RUNNER_PIPES_CHANNELS].sort());
  assert.equal(new Set(RUNNER_PIPES_CHANNELS).size, RUNNER_PIPES_CHANNELS.length);
  assert.deepEqual([...RUNNER_PIPES_API_KEYS].sort(), ['list', 'subscribe', 'terminate']);
});
