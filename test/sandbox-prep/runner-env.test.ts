// The environment codex's runner gets, as upstream's env.rs / sandbox_utils.rs prepare it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { injectGitSafeDirectory, prepareRunnerEnv } from '../../src/main/codex/sandbox-prep/runner-env';

test('null devices become NUL, a pager that never waits, PATH and PATHEXT inherited, the input untouched', async () => {
  const env = { A: '/dev/null', B: ' /DEV/NULL ', C: '\\\\dev\\\\null', D: '/dev/nullx', PAGER: 'less' };
  const out = await prepareRunnerEnv(env, os.tmpdir(), { PATH: 'C:\\Windows', PATHEXT: '.COM;.EXE' });
  assert.deepEqual(out, { A: 'NUL', B: 'NUL', C: 'NUL', D: '/dev/nullx', PAGER: 'less', GIT_PAGER: 'more.com', LESS: '', PATH: 'C:\\Windows', PATHEXT: '.COM;.EXE' });
  assert.equal(env.A, '/dev/null');
  const own = await prepareRunnerEnv({ PATH: 'mine' }, os.tmpdir(), { PATH: 'parent' });
  assert.equal(own.PATH, 'mine', "the session's own PATH wins");
});

test('git safe.directory: the worktree root above the cwd, as the next GIT_CONFIG pair', async (t) => {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'git-safe-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'repo', 'sub'), { recursive: true });
  writeFileSync(path.join(root, 'repo', '.git'), 'gitdir: elsewhere'); // a worktree's .git is a file
  const out = await prepareRunnerEnv({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.x', GIT_CONFIG_VALUE_0: 'y' }, path.join(root, 'repo', 'sub'), {});
  assert.equal(out.GIT_CONFIG_COUNT, '2');
  assert.equal(out.GIT_CONFIG_KEY_1, 'safe.directory');
  assert.equal(out.GIT_CONFIG_VALUE_1, path.join(root, 'repo'));
  assert.equal(out.GIT_CONFIG_KEY_0, 'core.x');
  const outside = await prepareRunnerEnv({}, root, {});
  assert.equal('GIT_CONFIG_COUNT' in outside, false, 'no repository: nothing added');
  const env: Record<string, string> = { GIT_CONFIG_COUNT: 'x' };
  injectGitSafeDirectory(env, 'C:\\r');
  assert.deepEqual(env, { GIT_CONFIG_COUNT: 'x' }, 'an unparsable count: left alone (upstream)');
  const win: Record<string, string> = {};
  injectGitSafeDirectory(win, 'C:\\work\\repo');
  assert.equal(win.GIT_CONFIG_VALUE_0, 'C:/work/repo', '\\ becomes /');
});
