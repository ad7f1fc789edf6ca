// An ES module consumer of the installed tarball: Node's ESM import of the CommonJS build gives
// named exports (cjs-module-lexer reads them), and import.meta.resolve follows the exports map.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SessionManager, SessionError, SandboxNotReadyError, sandboxReadiness } from 'codex-runner-ipc';
import { runnerPipesBuilderConfig, RECOMMENDED_FUSES } from 'codex-runner-ipc/electron-builder';

const ok = (what) => console.log(`ok   esm: ${what}`);

assert.equal(typeof SessionError, 'function');
assert.equal(typeof SandboxNotReadyError, 'function');
assert.equal(typeof sandboxReadiness, 'function');
assert.equal(RECOMMENDED_FUSES.runAsNode, true);
assert.equal(typeof runnerPipesBuilderConfig, 'function');
ok('named imports from "." and "./electron-builder"');

// "./electron" needs Electron to load (it imports `electron`): resolved here, not imported.
assert.ok(existsSync(fileURLToPath(import.meta.resolve('codex-runner-ipc/electron'))));
ok('import.meta.resolve of the "./electron" entry');

const manager = new SessionManager();
try {
  const session = manager.start({ command: ['sh', '-c', 'read line; echo "got $line"'], stdinOpen: true });
  let stdout = '';
  session.stdout.on('data', (d) => (stdout += d));
  session.write('typed\n');
  session.closeStdin();
  const result = await session.exited;
  assert.equal(result.exitCode, 0);
  assert.equal(stdout, 'got typed\n');
} finally {
  await manager.dispose();
}
ok('a session with stdin: what was written came back on stdout');
