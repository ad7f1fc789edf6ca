// `codex-runner-ipc doctor` on Linux, for real: the bin, a real session through this package's
// runner, a codex home folder with runner files; and a machine where sessions cannot work.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { capSidStep, fixFor, type DoctorReport } from '../../src/cli/doctor-checks';
import type { SessionStatus } from '../../src/main/session/session-status';
import { posixOnly } from '../helpers/platform';

const BIN = path.resolve(__dirname, '..', '..', '..', 'bin', 'codex-runner-ipc.js');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'codex-doctor-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function doctor(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'doctor', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a healthy machine: a real session works, exit 0, each step with what it saw', { skip: posixOnly('expects the Linux report; test/win32/doctor.test.ts checks the Windows one') }, async () => {
  const r = await doctor(['--codex-home', path.join(scratch, 'no-such-home')]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok {3}platform: linux /m);
  assert.match(r.stdout, /^-- {3}codex home: .*no-such-home is not a directory\n {7}fix: not needed on Linux\/macOS/m);
  assert.match(r.stdout, /^ok {3}session via this package's runner: true exited 0; protocol v6 \((detected|remembered)\); preparing \d+ ms, creating_pipes \d+ ms, launching_runner \d+ ms, connecting_in \d+ ms, connecting_out \d+ ms, verifying_client \d+ ms, spawn_sent \d+ ms, running \d+ ms, exited$/m);
  assert.match(r.stdout, /a session ran end to end on this machine\n$/);
});

test('--json: the same report as data; a codex home with runner files lists them with versions', { skip: posixOnly('expects the Linux report; test/win32/doctor.test.ts checks the Windows one') }, async () => {
  const home = path.join(scratch, 'home');
  mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
  for (const name of ['codex-command-runner-0.158.0.exe', 'codex-command-runner-0.130.0-alpha.5.exe', 'codex-command-runner.exe']) writeFileSync(path.join(home, '.sandbox-bin', name), 'MZ');
  const r = await doctor(['--codex-home', home, '--json']);
  assert.equal(r.code, 0);
  const report = JSON.parse(r.stdout) as DoctorReport;
  assert.equal(report.codexHome, home);
  assert.equal(report.sessionWorked, true);
  const step = (name: string) => report.steps.find((s) => s.name === name);
  assert.deepEqual(step('runner files'), {
    name: 'runner files',
    ok: true,
    detail: 'codex-command-runner-0.158.0.exe (0.158.0), codex-command-runner-0.130.0-alpha.5.exe (0.130.0-alpha.5), codex-command-runner.exe (legacy)',
  });
  assert.equal(step('sandbox users')?.ok, null);
  // --setup-helper is taken (a relative path made absolute), and said to be for Windows here.
  const withHelper = JSON.parse((await doctor(['--codex-home', home, '--setup-helper', 'setup.exe', '--json'])).stdout) as DoctorReport;
  assert.deepEqual(withHelper.steps.find((s) => s.name === 'setup helper'), { name: 'setup helper', ok: null, detail: `${path.resolve('setup.exe')}: Windows only, run before sessions through codex's runner` });
});

test('a machine where no session can work: exit 1, the failing stage, its cause and a fix', { skip: posixOnly('expects the Linux report; test/win32/doctor.test.ts checks the Windows one') }, async () => {
  // Socket directories cannot be made: every session fails while creating its pipes.
  const r = await doctor(['--codex-home', scratch], { ...process.env, TMPDIR: path.join(scratch, 'not-a-dir', 'x') });
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /^FAIL session via this package's runner: failed during creating_pipes: .*ENOENT/m);
  assert.match(r.stdout, /^ {7}fix: the socket folder could not be made: the temp folder \(.*not-a-dir\/x\) must exist and be writable$/m);
  assert.match(r.stdout, /no session ran end to end on this machine\n$/);
});

test("a runner dying with STATUS_DLL_INIT_FAILED (0xC0000142) is recognised however its exit code is written", () => {
  // Windows reports it signed (-1073741502, what GetExitCodeProcess | 0 gives), or as hex, or unsigned.
  for (const code of ['-1073741502', '0xC0000142', '3221225794']) {
    const status = { failure: { stage: 'connecting_in', message: `runner pid 4242 exited with code ${code} before connecting to pipe-in` } } as unknown as SessionStatus;
    assert.match(fixFor(status) ?? '', /^the runner could not start on this desktop \(session 0 or SSH\)/, code);
  }
});

test("the capability SIDs step names what is wrong with cap_sid and the fix for that shape", async () => {
  const home = mkdtempSync(path.join(scratch, 'caps-'));
  const file = path.join(home, 'cap_sid');
  const step = () => capSidStep(home);

  assert.match((await step()).detail, /cap_sid does not exist yet or is empty: the first session creates it/);

  mkdirSync(file);
  const dir = await step();
  assert.equal(dir.ok, false);
  assert.equal(dir.detail, `codex's capability SID file ${file} is a directory, not a regular file`);
  assert.equal(dir.fix, `${file} must be a file: move what is there away (codex keeps no SIDs in it); the next session (or codex) makes a new cap_sid`);
  rmSync(file, { recursive: true });

  writeFileSync(file, '{"workspace": ');
  const corrupt = await step();
  assert.equal(corrupt.ok, false);
  assert.match(corrupt.fix ?? '', /^move .*cap_sid away and codex \(or the next session\) makes a new one/);
  rmSync(file);

  if (process.platform !== 'win32') {
    symlinkSync(path.join(home, 'gone'), file);
    const dangling = await step();
    assert.equal(dangling.ok, false);
    assert.match(dangling.detail, /is a symbolic link to .*gone, which cannot be followed \(ENOENT\)/);
    assert.equal(dangling.fix, `restore the link's target, or remove the link ${file}; the next session (or codex) then makes a new cap_sid`);
  }
});
