// close_stdin and resize toward codex 0.116.0, a version-1 runner built before upstream added those
// two message types (PR #15578). Its input loop fails to parse the first one and stops reading: it
// closes the command's stdin on the way out (so close_stdin "works"), but every frame after it,
// terminate included, goes unread. The session then ends the runner after its grace (the runner's
// kill-on-close job takes the tree with it) and says why. Measured under Wine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../src/main/session/session';
import { resolveSessionOptions } from '../../../src/main/session/public-options';
import { codexRelease } from '../../helpers/codex-releases';
import { OutputWatch } from '../../helpers/output-watch';
import { eventually, isAlive } from '../../helpers/process-state';
import { whenRunning } from '../../helpers/sessions';
import { skipUnlessWindows as skip } from '../win32-test-support';
import { realCodexHome, realRunnerOptions, type RealCodexHome } from './real-runner-options';

const RELEASE = '0.116.0';
let codex: RealCodexHome | undefined;
before(() => {
  if (!skip) codex = realCodexHome(codexRelease(RELEASE));
});
after(() => codex?.remove());

const GRACE_MS = 2000;
const UNREAD = /did not report an exit within 2000 ms of terminate \(a version-1 runner built before codex added close_stdin and resize, such as codex 0\.116\.0, stops reading at the first of them; this session sent (close_stdin|resize) before terminate\); killed it and its processes$/;

function early(extra: { tty?: boolean }): Session {
  return new Session(
    resolveSessionOptions(
      {
        command: [process.execPath, '-e', "process.stdin.resume(); process.stdin.on('end', () => console.log('stdin ended')); setInterval(() => {}, 60000)"],
        stdinOpen: true,
        timeouts: { terminateGraceMs: GRACE_MS },
        ...extra,
      },
      realRunnerOptions(codex!),
    ),
  );
}

test('codex 0.116.0: after close_stdin the command sees end-of-file, terminate goes unread; the session says why and the tree ends', { skip, timeout: 120_000 }, async () => {
  const session = early({});
  const printed = new OutputWatch();
  session.stdout.on('data', (d: Buffer) => printed.append(d));
  void session.exited.then(() => printed.end('the session ended'));
  await session.start();
  session.closeStdin();
  await printed.waitFor(/stdin ended/);
  const { childPid, runnerPid } = session.status();
  assert.equal(session.status().protocol?.version, 1);
  session.terminate();
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.match(result.error!.message, UNREAD);
  assert.match(result.error!.message, /sent close_stdin/);
  assert.equal(await eventually(() => !isAlive(childPid) && !isAlive(runnerPid)), true, 'the runner and its command are gone');
});

test('codex 0.116.0: a resize stops its input loop too; terminate then ends the tree the same way', { skip, timeout: 120_000 }, async () => {
  const session = early({ tty: true });
  await session.start();
  await whenRunning(session);
  session.resize(100, 30);
  const { childPid, runnerPid } = session.status();
  session.terminate();
  const result = await session.exited;
  assert.equal(result.state, 'failed');
  assert.match(result.error!.message, UNREAD);
  assert.match(result.error!.message, /sent resize/);
  assert.equal(await eventually(() => !isAlive(childPid) && !isAlive(runnerPid)), true, 'the runner and its command are gone');
});
