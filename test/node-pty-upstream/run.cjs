// Runs the ported node-pty 1.1.0 tests (src/*.test.cjs) against the implementation PTY_IMPL names
// (default: the facade installed from the tarball; PTY_IMPL=node-pty: node-pty itself), one
// "ok"/"FAIL"/"skip" line per test, then checks that no process they started is left behind.
// Upstream runs them with `mocha --exit`: --test-force-exit is its counterpart, so what a test
// leaves running is found here instead, by an environment mark every process it starts inherits.
// Upstream's 'should not leak child process' counts `ps -ax | grep node`; on a shared machine other
// node processes come and go, so scripts/e2e/check-consumer.mjs starts this in its own PID namespace
// where it can (unshare), and there `ps` sees only these tests' processes.
const { spawnSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const label = process.env.PTY_IMPL === 'node-pty' ? 'node-pty 1.1.0' : 'codex-runner-ipc/node-pty';
const mark = `NODE_PTY_UPSTREAM_RUN=${randomUUID()}`;
const files = ['terminal', 'unixTerminal', 'windowsTerminal'].map((f) => path.join('src', `${f}.test.cjs`));
const r = spawnSync(process.execPath, ['--test', '--test-force-exit', '--test-concurrency=1', `--test-reporter=${path.join(__dirname, 'reporter.mjs')}`, ...files], {
  cwd: __dirname,
  detached: true, // its own process group: a test that signals pid 0 hits only its group
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, NODE_PTY_UPSTREAM_RUN: mark.split('=')[1] },
  timeout: 240_000,
});

/** Processes (other than this one) whose environment carries the mark. */
function marked() {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(mark)) {
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim()}`);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

if (r.status !== 0 && r.signal) {
  // e.g. a test that signals `pty.pid` while it is 0: process.kill(0, sig) hits the test process's group
  console.log(`FAIL ${label}: the test process died by ${r.signal}; the tests after the last line above did not run`);
}

let left = marked();
for (let waited = 0; left.length && waited < 5000; waited += 100) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  left = marked();
}
const leak = left.length > 0;
console.log(`${leak ? 'FAIL' : 'ok  '} ${label}: no process the upstream tests started is left 5 s after they end${leak ? `: ${left.join('; ')}` : ''}`);
process.exit(r.status === 0 && !leak ? 0 : 1);
