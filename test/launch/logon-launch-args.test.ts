// What upstream's parent passes when it logs the runner on (runner_client.rs of today): the
// STARTUPINFOW, the logon flags, and one retry after 1326, 1312 and 1331. The call itself runs on
// Windows only (test/win32/windows-only/logon-session.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOGON_FLAGS_NONE, logonStartupInfo } from '../../src/os/win32/logon-process';
import { STARTUPINFOW_SIZE } from '../../src/os/win32/process-api';
import { REFRESHABLE_LOGON_ERRORS, withLogonRetry } from '../../src/main/launch/logon-retry';

test('STARTUPINFOW: cb = 104 and dwFlags (offset 60 on x64) = STARTF_FORCEOFFFEEDBACK, nothing else; logon flags 0', () => {
  const si = logonStartupInfo();
  assert.equal(si.length, STARTUPINFOW_SIZE);
  assert.equal(si.readUInt32LE(0), 104);
  assert.equal(si.readUInt32LE(60), 0x80);
  const rest = Buffer.concat([si.subarray(4, 60), si.subarray(64)]);
  assert.ok(rest.every((b) => b === 0));
  assert.equal(LOGON_FLAGS_NONE, 0);
});

test('one retry after 1326, 1312 and 1331, with the credentials read again; never for other errors or a third time', async () => {
  assert.deepEqual([...REFRESHABLE_LOGON_ERRORS].sort(), [1312, 1326, 1331]);
  const signal = new AbortController().signal;
  for (const code of [1326, 1312, 1331]) {
    let tries = 0;
    const got = await withLogonRetry(async () => {
      if (++tries === 1) throw Object.assign(new Error('logon failed'), { win32Code: code });
      return 'launched';
    }, true, signal);
    assert.deepEqual([got, tries], ['launched', 2], `error ${code}`);
  }
  let tries = 0;
  const always = () => withLogonRetry(async () => {
    tries++;
    throw Object.assign(new Error('still failing'), { win32Code: 1331 });
  }, true, signal);
  await assert.rejects(always(), /still failing/);
  assert.equal(tries, 2);
  tries = 0;
  await assert.rejects(withLogonRetry(async () => {
    tries++;
    throw Object.assign(new Error('denied'), { win32Code: 5 });
  }, true, signal), /denied/);
  assert.equal(tries, 1);
  tries = 0;
  await assert.rejects(withLogonRetry(async () => {
    tries++;
    throw Object.assign(new Error('fixed password'), { win32Code: 1326 });
  }, false, signal), /fixed password/);
  assert.equal(tries, 1, 'a fixed password read again is the same password: no retry');
});

test("codex's users: a logon error is handed to the recovery (setup) before the one retry; a recovery that throws ends it there", async () => {
  const signal = new AbortController().signal;
  const recovered: number[] = [];
  let tries = 0;
  const got = await withLogonRetry(async () => {
    if (++tries === 1) throw Object.assign(new Error('logon failed'), { win32Code: 1331 });
    return 'launched';
  }, true, signal, async (code) => void recovered.push(code));
  assert.deepEqual([got, tries, recovered], ['launched', 2, [1331]]);
  tries = 0;
  await assert.rejects(withLogonRetry(async () => {
    tries++;
    throw Object.assign(new Error('bad password'), { win32Code: 1326 });
  }, true, signal, async () => {
    throw new Error('not set up: the typed error');
  }), /not set up: the typed error/);
  assert.equal(tries, 1, 'no second launch when the recovery refused');
  tries = 0;
  await assert.rejects(withLogonRetry(async () => {
    tries++;
    throw Object.assign(new Error('denied'), { win32Code: 5 });
  }, true, signal, async () => assert.fail('5 is not a logon error upstream sets up again for')), /denied/);
  assert.equal(tries, 1);
});
