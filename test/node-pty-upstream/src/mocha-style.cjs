// Mocha's calling convention on node's test runner, so the ported tests keep upstream's bodies:
// `it(name, (done) => ...)` and `it(name, function () { this.timeout(ms) })`, `describe`, `afterEach`.
// Like mocha, a test fails on an error thrown into the process while it runs (an assertion in an
// event listener; through the facade, the warning it turns that into) and on its timeout (mocha's
// default is 2 s; 10 s here, for a loaded shared machine).
// A test listed in skips.cjs for the implementation under test is skipped with its reason.
const nodeTest = require('node:test');
const { skipReason } = require('./skips.cjs');

const DEFAULT_TIMEOUT_MS = 10_000;
const suites = [];
let current = null; // the running test's finish(err)

process.on('uncaughtException', (err) => {
  if (current) current(err);
  else throw err;
});
// The facade reports an error thrown by a listener as a process warning (node-pty lets it go uncaught):
// the same error, so it fails the running test at once, with its message, instead of by its timeout.
process.on('warning', (warning) => {
  if (current && warning.name === 'CodexRunnerIpcWarning' && /listener threw/.test(warning.message)) current(new Error(warning.message));
});

function describe(name, fn) {
  nodeTest.describe(name, () => {
    suites.push(name);
    try {
      fn();
    } finally {
      suites.pop();
    }
  });
}

function it(name, fn) {
  const skip = skipReason([...suites, name].join(' '));
  nodeTest.it(name, skip ? { skip } : {}, async () => {
    await steadyState();
    return runMochaStyle(fn);
  });
}

/**
 * node-pty keeps no process of its own between tests; the facade keeps one warm runner, refilled in
 * the background after each terminal takes it. Upstream's 'should not leak child process' counts every
 * node process before and after its terminal, so each test starts where that refill has settled (as
 * it would on an idle machine): no runner starting, the warm one there. At most 5 s; node-pty: no wait.
 */
async function steadyState() {
  const { impl } = require('./pty-under-test.cjs');
  if (impl === 'node-pty') return;
  const { defaultManager } = require('codex-runner-ipc/node-pty');
  for (let waited = 0; waited < 5000; waited += 50) {
    const manager = defaultManager?.();
    if (!manager) return;
    const pools = manager.poolStatus();
    const busy = manager.list().some((s) => s.state !== 'exited' && s.state !== 'failed');
    if (!busy && pools.every((p) => p.starting === 0 && p.idle >= 1)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function afterEach(fn) {
  nodeTest.afterEach(() => runMochaStyle(fn));
}

function runMochaStyle(fn) {
  return new Promise((resolve, reject) => {
    let timer;
    let settled = false;
    const finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (current === finish) current = null;
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve();
    };
    const arm = (ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new Error(`Timeout of ${ms}ms exceeded`)), ms);
    };
    const context = { timeout: arm };
    current = finish;
    arm(DEFAULT_TIMEOUT_MS);
    try {
      if (fn.length > 0) fn.call(context, finish);
      else Promise.resolve(fn.call(context)).then(() => finish(), finish);
    } catch (err) {
      finish(err);
    }
  });
}

module.exports = { describe, it, afterEach };
