// A node-pty user's code against the "./node-pty" entry (run only when the build has it): spawn
// with cols/rows, onData gives strings, onExit gives { exitCode, signal }.
const assert = require('node:assert/strict');
const pty = require('codex-runner-ipc/node-pty');

const term = pty.spawn('sh', ['-c', 'printf "size %s\\n" "$(stty size)"; exit 4'], { name: 'xterm-color', cols: 100, rows: 30, cwd: process.cwd(), env: process.env });
assert.equal(typeof term.pid, 'number');
let output = '';
term.onData((data) => {
  assert.equal(typeof data, 'string');
  output += data;
});
term.onExit(({ exitCode, signal }) => {
  assert.equal(exitCode, 4);
  assert.ok(signal === undefined || signal === 0 || signal === null, `signal ${signal}`);
  assert.match(output, /size 30 100/);
  console.log('ok   node-pty: spawn with cols/rows, string data, onExit({ exitCode: 4 })');
});
