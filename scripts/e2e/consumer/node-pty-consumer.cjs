// A node-pty user's code against the "./node-pty" entry (run only when the build has it): spawn
// with cols/rows, onData gives strings, onExit gives { exitCode, signal }. The size given at spawn
// reaches the terminal before any input (docs/node-pty.md, "cols/rows at spawn"), so the command reads its
// size after a line of input: before it, a program may still see 80x24.
const assert = require('node:assert/strict');
const pty = require('codex-runner-ipc/node-pty');

const term = pty.spawn('sh', ['-c', 'read line; printf "size %s\\n" "$(stty size)"; exit 4'], { name: 'xterm-color', cols: 100, rows: 30, cwd: process.cwd(), env: process.env });
assert.equal(typeof term.pid, 'number');
let output = '';
let ended = false;
term.onData((data) => {
  if (typeof data !== 'string') fail(new Error(`onData gave ${typeof data}, not a string`));
  output += data;
});
term.write('go\n');
term.onExit(({ exitCode, signal }) => {
  // The facade reports a throwing listener as a warning: fail the process ourselves.
  try {
    assert.equal(exitCode, 4);
    assert.ok(signal === undefined || signal === 0 || signal === null, `signal ${signal}`);
    assert.match(output, /size 30 100/);
    ended = true;
    console.log('ok   node-pty: spawn with cols/rows, string data, onExit({ exitCode: 4 })');
  } catch (err) {
    fail(err);
  }
});
process.on('exit', () => {
  if (!ended && process.exitCode === undefined) fail(new Error('onExit never reported the command\'s end'));
});
function fail(err) {
  console.log(`FAIL node-pty consumer: ${err.message}`);
  process.exitCode = 1;
}
