// cap_sid writers in two pid spaces at once: Linux node and Windows' node.exe under Wine, adding
// SIDs to one codex home (as WSL and Windows, or a container and its host, can share one). A pid
// in the other space's lock means nothing here: no live lock may be taken over, no SID lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { capSidFile } from '../../src/main/codex/sandbox-prep/cap-sid-file';
import { runWineNode, toWindowsPath, wineNodeMissing } from '../helpers/wine-node';

const run = promisify(execFile);
const WRITER = path.resolve(__dirname, '..', 'fixtures', 'cap-sid-writer.js');
const PER_WRITER = 40;

test('three Linux and three Wine writers adding SIDs to one home at once: every SID is kept', { skip: wineNodeMissing(), timeout: 120_000 }, async (t) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cap-sid-spaces-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = path.join(root, 'home');
  const go = path.join(root, 'go');
  const linux = ['l1', 'l2', 'l3'].map((p) => run(process.execPath, [WRITER, home, p, String(PER_WRITER), go]).then((r) => ({ prefix: p, code: 0, stdout: r.stdout, stderr: r.stderr })));
  const wine = ['w1', 'w2', 'w3'].map((p) =>
    runWineNode([toWindowsPath(WRITER), toWindowsPath(home), p, String(PER_WRITER), toWindowsPath(go)], path.join(root, `${p}.out`)).then((r) => ({ prefix: p, ...r })),
  );
  // Every writer is started and waiting (node.exe under Wine starts in about a second): go.
  const deadline = Date.now() + 60_000;
  while (!['l1', 'l2', 'l3', 'w1', 'w2', 'w3'].every((p) => existsSync(`${go}.${p}.ready`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  writeFileSync(go, '');
  // Every writer ends before anything is judged (none may outlive the test and its folder).
  const settled = await Promise.allSettled([...linux, ...wine]);
  const writers = settled.map((s) => {
    if (s.status === 'rejected') assert.fail(`a writer failed: ${(s.reason as Error).message}`);
    return s.value;
  });
  for (const w of writers) assert.equal(w.code, 0, `writer ${w.prefix} failed: ${w.stderr}`);

  const saved = JSON.parse(readFileSync(capSidFile(home), 'utf8')) as { writable_root_by_path: Record<string, string> };
  let lost = 0;
  for (const w of writers) {
    for (const [key, sid] of Object.entries(JSON.parse(w.stdout) as Record<string, string>)) if (saved.writable_root_by_path[key] !== sid) lost++;
  }
  assert.equal(lost, 0, `${lost} of ${6 * PER_WRITER} SIDs handed out were lost from cap_sid`);
  assert.equal(Object.keys(saved.writable_root_by_path).length, 6 * PER_WRITER);
  assert.deepEqual(readdirSync(home).sort(), ['cap_sid'], 'no lock or temp file left behind');
});
