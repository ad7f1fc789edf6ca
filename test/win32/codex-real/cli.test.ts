// The CLI under Wine with codex's real runner: `codex-runner-ipc run --runner codex --codex-home H
// --sandbox current --no-sandbox-refresh`, H holding only `.sandbox-bin/codex-command-runner-<release>.exe`.
// The newest release (6-B, a private desktop required) and the earliest (version 1 before
// close_stdin existed: auto searches down from 6); the cap_sid file the run creates is checked too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { canonicalPathKey } from '../../../src/main/codex/sandbox-prep/capability-sids';
import { codexRelease } from '../../helpers/codex-releases';
import { runCli } from '../../helpers/run-cli';
import { runningUnderWine, skipUnlessWindows as skip } from '../win32-test-support';
import { realCodexHome } from './real-runner-options';


for (const release of ['0.171.0', '0.116.0']) {
  test(`codex-runner-ipc run --runner codex with codex ${release}'s runner: the command's output and exit code, the status, the cap_sid file`, { skip, timeout: 120_000 }, async (t) => {
    const r = codexRelease(release);
    const codex = realCodexHome(r);
    t.after(() => codex.remove());
    const { code, stdout, stderr } = await runCli([
      'run', '--runner', 'codex', '--codex-home', codex.home, '--sandbox', 'current', '--no-sandbox-refresh',
      '--cwd', codex.work, '--status', '--connect-timeout', '60000',
      '--', 'cmd.exe', '/d', '/c', 'echo through codex& exit /b 4',
    ]);
    assert.equal(code, 4, `exit code; stderr: ${stderr}`);
    const [firstLine] = stdout.split(/\r?\n/);
    assert.equal(firstLine, 'through codex');
    const status = stderr; // --status goes to stderr, beside the command's own
    assert.match(status, /session \S+: exited with code 4/);
    assert.ok(status.includes(`  runner       ${codex.runner} (codex)`), status);
    assert.match(status, new RegExp(`  protocol     v${r.version} \\(detected\\)`));
    // What the run made and sent: the cwd's SID, saved in upstream's format under upstream's key.
    const caps = JSON.parse(readFileSync(path.join(codex.home, 'cap_sid'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(caps).sort(), ['readonly', 'workspace', 'workspace_by_cwd', 'writable_root_by_path']);
    const cwdSid = (caps.workspace_by_cwd as Record<string, string>)[await canonicalPathKey(codex.work)];
    assert.match(cwdSid ?? '', /^S-1-5-21-\d+-\d+-\d+-\d+$/, JSON.stringify(caps));
    // The SIDs sent (one per write root: the cwd's, and TEMP's), every one of them from the file.
    const sent = /^  cap sids     (.+) \(.+\)$/m.exec(status)?.[1]?.split(', ') ?? [];
    assert.ok(sent.includes(cwdSid!), `the status names the cwd's SID ${cwdSid}: ${status}`);
    const saved = [...Object.values(caps.workspace_by_cwd as object), ...Object.values(caps.writable_root_by_path as object)];
    for (const sid of sent) assert.ok(saved.includes(sid), `${sid} is saved in cap_sid`);
    assert.ok(status.includes(`(${path.join(codex.home, 'cap_sid')})`), 'the status says where the SIDs came from');
    assert.match(status, /  desktop      CodexSandboxDesktop-[0-9a-f]{32}/);
    assert.match(status, /  refresh      off/);
  });
}

test("--sandbox current --sandbox-refresh --setup-helper: codex's real helper runs its refresh before the runner (under Wine it fails, and says why)", { skip, timeout: 120_000 }, async (t) => {
  const r = codexRelease('0.171.0');
  const codex = realCodexHome(r);
  t.after(() => codex.remove());
  const { code, stderr } = await runCli([
    'run', '--runner', 'codex', '--codex-home', codex.home, '--sandbox', 'current', '--sandbox-refresh', '--setup-helper', r.setupHelper,
    '--cwd', codex.work, '--status', '--connect-timeout', '60000', '--', 'cmd.exe', '/d', '/c', 'exit /b 0',
  ]);
  if (runningUnderWine()) {
    // No CodexSandboxUsers group under Wine: the refresh ran and failed, before any runner started.
    assert.equal(code, 125, stderr);
    assert.match(stderr, /session failed during preparing_sandbox: sandbox refresh: codex's sandbox setup helper exited with code \d+: helper_sid_resolve_failed: /);
    assert.match(stderr, /^ {2}runner pid {3}-$/m);
  } else {
    // Windows: the refresh ran (status line), or the helper itself failed (a machine without codex's sandbox set up).
    const ran = new RegExp(`^ {2}refresh {6}ran \\(${r.setupHelper.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`, 'm');
    assert.ok(ran.test(stderr) || /failed during preparing_sandbox: sandbox refresh: codex's sandbox setup helper exited/.test(stderr), stderr);
  }
});
