// The harness that runs node-pty's ported tests (test/node-pty-upstream/: mocha's calling convention
// on node:test, and the reporter whose lines the consumer check counts) reports what really
// happened: a passing done-test is "ok", an assertion thrown in an event listener (or reported by
// the facade as a 'listener threw' warning) and a missed done() are "FAIL", a skip keeps its reason,
// and the implementation under test is named on every line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const upstream = path.resolve(__dirname, '..', '..', '..', 'test', 'node-pty-upstream');

/** This process's environment without NODE_TEST_CONTEXT, which would make the inner runner report to us, not print. */
function withoutTestContext(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function runFixture(body: string, env: Record<string, string> = {}): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'upstream-harness-'));
  try {
    const file = path.join(dir, 'fixture.test.cjs');
    writeFileSync(file, `const { describe, it } = require(${JSON.stringify(path.join(upstream, 'src', 'mocha-style.cjs'))});\nconst assert = require('assert');\nconst { EventEmitter } = require('events');\n${body}`);
    const r = spawnSync(process.execPath, ['--test', '--test-force-exit', `--test-reporter=${path.join(upstream, 'reporter.mjs')}`, file], {
      encoding: 'utf8',
      env: { ...withoutTestContext(), ...env },
      timeout: 60_000,
    });
    return r.stdout.split('\n').filter((l) => /^(ok {3}|FAIL |skip )/.test(l));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('done-style and sync tests pass; a failed assertion in a listener, a missed done() and a listener warning fail', () => {
  const lines = runFixture(`
describe('suite', () => {
  it('passes with done', (done) => { setTimeout(() => done(), 10); });
  it('passes sync', () => { assert.strictEqual(1, 1); });
  it('fails in a listener', (done) => {
    const e = new EventEmitter();
    e.on('data', (d) => { assert.strictEqual(d, 'expected'); done(); });
    setTimeout(() => e.emit('data', 'got'), 10);
  });
  it('fails by its timeout', function (done) { this.timeout(200); });
  it('fails by a listener warning', (done) => {
    const w = new Error('a node-pty facade listener threw: boom'); w.name = 'CodexRunnerIpcWarning';
    process.emitWarning(w);
  });
  it('fails by done(err)', (done) => { done('not reachable'); });
});
`);
  assert.deepEqual(lines.map((l) => l.slice(0, 4) + ' ' + l.split(': ')[1]), [
    'ok   suite passes with done',
    'ok   suite passes sync',
    'FAIL suite fails in a listener',
    'FAIL suite fails by its timeout',
    'FAIL suite fails by a listener warning',
    'FAIL suite fails by done(err)',
  ]);
  assert.match(lines[2]!, /Expected values to be strictly equal/);
  assert.match(lines[3]!, /Timeout of 200ms exceeded/);
  assert.match(lines[4]!, /listener threw: boom/);
  assert.match(lines[5]!, /not reachable/);
  assert.ok(lines.every((l) => /^(ok  |FAIL|skip) codex-runner-ipc\/node-pty: /.test(l)), 'every line names the implementation under test');
});

test("a test in skips.cjs is skipped with its reason on the facade, and runs on node-pty itself", () => {
  const body = `describe('UnixTerminal', () => { describe('open', () => { it('should open a pty with access to a master and slave socket', () => {}); }); });`;
  const facade = runFixture(body);
  assert.equal(facade.length, 1);
  assert.match(facade[0]!, /^skip codex-runner-ipc\/node-pty: UnixTerminal open should open a pty with access to a master and slave socket: UnixTerminal\.open\(\) opens a pty pair/);
  assert.deepEqual(runFixture(body, { PTY_IMPL: 'node-pty' }), ['ok   node-pty 1.1.0: UnixTerminal open should open a pty with access to a master and slave socket']);
});
