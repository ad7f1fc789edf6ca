// What an xterm.js backend does with a shell, written once for node-pty's API and run unchanged on
// node-pty itself and on this package's facade (PTY_MODULE names which, default the facade):
// spawn bash, read its prompt, echo, resize and read the size back with `stty size`, Ctrl-C a
// running command (the shell reports it died by SIGINT: $? is 130), `exit 7`, onExit with 7.
// Prints one "ok"/"FAIL" line.
const assert = require('node:assert/strict');
const ptyModule = process.env.PTY_MODULE || 'codex-runner-ipc/node-pty';
const pty = require(ptyModule);

const PROMPT = 'xterm-loop$ ';
const term = pty.spawn('bash', ['--norc', '--noprofile'], {
  name: 'xterm-256color',
  cols: 80,
  rows: 24,
  cwd: process.cwd(),
  env: { ...process.env, PS1: PROMPT },
});

let output = '';
let waiter = null;
term.onData((data) => {
  assert.equal(typeof data, 'string');
  output += data;
  waiter?.();
});
const exited = new Promise((resolve) => term.onExit(resolve));

/** Resolves with the output after `from` once it matches `re`; rejects after 10 s. */
function waitFor(re, from) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${re} in ${JSON.stringify(output.slice(from))}`)), 10_000);
    waiter = () => {
      const m = output.slice(from).match(re);
      if (!m) return;
      clearTimeout(timer);
      waiter = null;
      resolve(m);
    };
    waiter();
  });
}
const prompt = /xterm-loop\$ $/;

async function loop() {
  await waitFor(prompt, 0);
  assert.ok(Number.isInteger(term.pid) && term.pid > 0, `pid ${term.pid}`);

  let mark = output.length;
  term.write('echo hello-$((6 * 7))\r');
  await waitFor(/hello-42\r\n[^]*xterm-loop\$ $/, mark);

  mark = output.length;
  term.resize(100, 30);
  term.write('stty size\r');
  await waitFor(/\b30 100\r\n[^]*xterm-loop\$ $/, mark);
  assert.equal(term.cols, 100);
  assert.equal(term.rows, 30);

  mark = output.length;
  term.write('sleep 30\r');
  await waitFor(/sleep 30\r\n/, mark);
  await new Promise((resolve) => setTimeout(resolve, 300)); // let sleep take the foreground
  mark = output.length;
  term.write('\x03');
  await waitFor(prompt, mark);
  mark = output.length;
  term.write('echo status=$?\r');
  await waitFor(/status=130\r\n/, mark);

  term.write('exit 7\r');
  const { exitCode } = await exited;
  assert.equal(exitCode, 7);
}

const deadline = setTimeout(() => fail(new Error('the loop did not finish in 40 s')), 40_000);
loop().then(
  () => {
    clearTimeout(deadline);
    console.log(`ok   xterm-style loop on ${ptyModule}: prompt, echo, resize read back by stty size, Ctrl-C ($? 130), exit 7 -> onExit 7`);
  },
  fail,
);
function fail(err) {
  console.log(`FAIL xterm-style loop on ${ptyModule}: ${err.message}`);
  try {
    term.kill();
  } catch {}
  process.exit(1);
}
