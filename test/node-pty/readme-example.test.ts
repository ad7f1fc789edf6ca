// The README's node-pty example, run as it is written (only the import points at this build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OutputWatch } from '../helpers/output-watch';
import { posixOnly } from '../helpers/platform';

const skip = posixOnly('the example runs bash');
const root = path.resolve(__dirname, '..', '..', '..');
const FACADE = path.resolve(__dirname, '..', '..', 'src', 'main', 'node-pty', 'index.js');

/** The first ```ts block under "## Coming from node-pty". */
function readmeExample(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Coming from node-pty'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the README has the example');
  return block[1]!;
}

test("the README's node-pty example runs: bash gets the input and exits with its code", { skip }, async () => {
  const example = readmeExample();
  const IMPORT = "import { spawn } from 'codex-runner-ipc/node-pty';";
  assert.ok(example.startsWith(IMPORT), example);
  const script = `const { spawn } = require(${JSON.stringify(FACADE)});${example.slice(IMPORT.length)}`;
  const child = spawn(process.execPath, ['-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const watch = new OutputWatch();
  child.stdout.on('data', (d: Buffer) => watch.append(d));
  child.stderr.on('data', (d: Buffer) => watch.append(d));
  child.once('close', (code) => watch.end(`the example exited with ${code}`));
  try {
    const [, code, signal] = await watch.waitFor(/^exited (-?\d+) (\S+)$/m);
    assert.deepEqual([code, signal], ['3', '0'], watch.text); // node-pty's shape on Linux/macOS: signal 0 when none ended it
    assert.match(watch.text, /ls\r\n/); // bash echoed the first command on its terminal
  } finally {
    child.kill();
  }
});
