import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  REQUEST_CHANNELS,
  RUNNER_PIPES_IPC,
  type Invoke,
  type PushPayload,
  type RequestArgs,
  type RequestResult,
  type RunnerPipesUpdate,
  type SessionStatus,
} from '../../../electron/common/ipc-contract';

// Compile-time: what the declaration gives each side (tsc fails this file if a type drifts).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const typesFollowTheDeclaration: [
  Same<RequestArgs<'runner-pipes:list'>, []>,
  Same<RequestArgs<'runner-pipes:terminate'>, [string]>,
  Same<RequestResult<'runner-pipes:list'>, SessionStatus[]>,
  Same<RequestResult<'runner-pipes:terminate'>, void>,
  Same<PushPayload<'runner-pipes:sessions'>, RunnerPipesUpdate>,
  Same<Parameters<Invoke<'runner-pipes:terminate'>>, [string]>,
] = [true, true, true, true, true, true];

test('every channel is declared once, under one prefix, as a request or a push', () => {
  void typesFollowTheDeclaration;
  const requests = Object.keys(RUNNER_PIPES_IPC.requests);
  const pushes = Object.keys(RUNNER_PIPES_IPC.pushes);
  assert.deepEqual(requests, ['runner-pipes:list', 'runner-pipes:terminate', 'runner-pipes:watch', 'runner-pipes:unwatch']);
  assert.deepEqual(pushes, ['runner-pipes:sessions']);
  assert.deepEqual(REQUEST_CHANNELS, requests);
  assert.ok([...requests, ...pushes].every((c) => c.startsWith('runner-pipes:')));
  assert.deepEqual(
    Object.entries(RUNNER_PIPES_IPC.requests).map(([channel, { args }]) => [channel, args]),
    [['runner-pipes:list', []], ['runner-pipes:terminate', ['sessionId']], ['runner-pipes:watch', []], ['runner-pipes:unwatch', []]],
  );
});
