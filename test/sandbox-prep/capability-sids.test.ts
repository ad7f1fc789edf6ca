// Which capability SIDs a command gets: one per existing write root (the cwd's from
// workspace_by_cwd, the others from writable_root_by_path), `readonly` without write access.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtinPermissionProfile, type PermissionProfile } from '../../src/protocol/permissions';
import { canonicalPathKey, capabilitySids } from '../../src/main/codex/sandbox-prep/capability-sids';
import { capSidFile } from '../../src/main/codex/sandbox-prep/cap-sid-file';

function scratch(t: { after(fn: () => void): void }) {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cap-sids-')));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dirs = { home: path.join(root, 'home'), work: path.join(root, 'Work'), extra: path.join(root, 'extra'), tmp: path.join(root, 'tmp') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  return dirs;
}

test("the key is upstream's canonical_path_key: canonical, / for \\, ASCII-lowercased", async (t) => {
  const d = scratch(t);
  assert.equal(await canonicalPathKey(d.work), d.work.toLowerCase());
  assert.equal(await canonicalPathKey(path.join(d.work, '..', 'Work')), d.work.toLowerCase(), 'canonicalized first');
  assert.equal(await canonicalPathKey('C:\\Users\\Dev\\Repo'), 'c:/users/dev/repo', 'a path that does not resolve is keyed as given');
  assert.equal(await canonicalPathKey('C:\\ÄÖ'), 'c:/ÄÖ', 'only ASCII is lowercased');
});

test('workspace-write: one SID per existing write root, the cwd from workspace_by_cwd, sorted', async (t) => {
  const d = scratch(t);
  const profile = builtinPermissionProfile('workspace-write');
  const req = { codexHome: d.home, profile, workspaceRoots: [d.work, d.extra, path.join(d.work, 'missing')], cwd: d.work, env: { TEMP: d.tmp } };
  const got = await capabilitySids(req);
  const saved = JSON.parse(readFileSync(capSidFile(d.home), 'utf8'));
  assert.equal(got.kind, 'write-roots');
  assert.deepEqual(got.roots, [d.work, d.extra, d.tmp, '/tmp'].sort(), 'missing roots drop out, TEMP and /tmp are roots');
  assert.deepEqual(Object.keys(saved.workspace_by_cwd), [d.work.toLowerCase()]);
  assert.deepEqual(Object.keys(saved.writable_root_by_path).sort(), [d.extra, d.tmp, '/tmp'].map((p) => p.toLowerCase()).sort());
  const byRoot = got.roots.map((r) => (r === d.work ? saved.workspace_by_cwd[r.toLowerCase()] : saved.writable_root_by_path[r.toLowerCase()]));
  assert.deepEqual(got.sids, byRoot, 'in root order');
  assert.deepEqual((await capabilitySids(req)).sids, got.sids, 'the same SIDs next time');
  // The same folder as another session's extra root keeps its own SID there.
  const asCwd = await capabilitySids({ ...req, cwd: d.extra, workspaceRoots: [d.extra] });
  assert.equal(asCwd.sids.includes(saved.writable_root_by_path[d.extra.toLowerCase()]), false);
});

test('read-only: only the readonly SID; a write root under the codex home never counts', async (t) => {
  const d = scratch(t);
  const ro = await capabilitySids({ codexHome: d.home, profile: builtinPermissionProfile('read-only'), workspaceRoots: [d.work], cwd: d.work, env: {} });
  assert.deepEqual(ro, { sids: [JSON.parse(readFileSync(capSidFile(d.home), 'utf8')).readonly], kind: 'readonly', roots: [] });
  const intoHome: PermissionProfile = { type: 'managed', network: 'restricted', file_system: { type: 'restricted', entries: [{ path: { type: 'path', path: d.home }, access: 'write' }, { path: { type: 'path', path: d.extra }, access: 'write' }] } };
  assert.deepEqual((await capabilitySids({ codexHome: d.home, profile: intoHome, workspaceRoots: [d.work], cwd: d.work, env: {} })).roots, [d.extra]);
  const nowhere: PermissionProfile = { type: 'managed', network: 'restricted', file_system: { type: 'restricted', entries: [{ path: { type: 'path', path: path.join(d.work, 'nope') }, access: 'write' }] } };
  await assert.rejects(capabilitySids({ codexHome: d.home, profile: nowhere, workspaceRoots: [d.work], cwd: d.work, env: {} }), /none of its write roots exists .*nope/);
});
