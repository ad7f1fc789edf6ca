// How the setup helper gets its payload (helper-launch.ts) and which payload its release reads
// (setup-helper-shape.ts): plain logic, checked here; the real helpers' parses are in
// test/win32/codex-oracle/refresh-payload.test.ts (under Wine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ARGUMENT_HARD_LIMIT_UNITS, ARGUMENT_LIMIT_UNITS, CHUNK_BYTES, helperLaunch, HelperPayloadTooLargeError } from '../../src/main/codex/sandbox-prep/helper-launch';
import { LATEST_HELPER_SHAPE, PAYLOAD_FIELDS, setupHelperShape, SetupHelperShapeError, shapeFromMarkers } from '../../src/main/codex/sandbox-prep/setup-helper-shape';

const old = { fields: PAYLOAD_FIELDS[15]!, envTransport: false };

test('up to 24,000 units the payload is the one argument, and inherited CODEX_SANDBOX_LAUNCH_ variables are dropped (any case)', () => {
  const b64 = 'A'.repeat(ARGUMENT_LIMIT_UNITS);
  const launch = helperLaunch(b64, LATEST_HELPER_SHAPE, { PATH: 'p', CODEX_SANDBOX_LAUNCH_COUNT: '1', codex_sandbox_launch_0: 'x' });
  assert.deepEqual(launch, { args: [b64], env: { PATH: 'p' }, transport: 'argument' });
});

test('above it, a helper with the transport gets --launch-payload-env and 16 KiB chunks that join back to the payload', () => {
  const b64 = Buffer.from('x'.repeat(40_000)).toString('base64');
  const launch = helperLaunch(b64, LATEST_HELPER_SHAPE, { PATH: 'p', CODEX_SANDBOX_LAUNCH_STRAY: 'y' });
  assert.equal(launch.transport, 'environment');
  assert.deepEqual(launch.args, ['--launch-payload-env']);
  const count = Number(launch.env.CODEX_SANDBOX_LAUNCH_COUNT);
  assert.equal(count, Math.ceil(b64.length / CHUNK_BYTES));
  assert.equal(launch.env.CODEX_SANDBOX_LAUNCH_BYTES, String(b64.length));
  const chunks = Array.from({ length: count }, (_, i) => launch.env[`CODEX_SANDBOX_LAUNCH_${i}`]!);
  assert.ok(chunks.every((c) => c.length > 0 && c.length <= CHUNK_BYTES));
  assert.equal(chunks.join(''), b64);
  // Exactly COUNT + 2 variables of the prefix: the helper refuses any other.
  assert.equal(Object.keys(launch.env).filter((k) => k.startsWith('CODEX_SANDBOX_LAUNCH_')).length, count + 2);
  assert.equal(launch.env.PATH, 'p');
});

test('a release without the transport keeps the argument up to the command line\'s room, then refuses clearly', () => {
  const fits = 'A'.repeat(ARGUMENT_HARD_LIMIT_UNITS);
  assert.deepEqual(helperLaunch(fits, old, {}).args, [fits]);
  assert.throws(() => helperLaunch(fits + 'A', old, {}), (err: unknown) => err instanceof HelperPayloadTooLargeError && /has no --launch-payload-env/.test(err.message));
});

test('the shape: a known field count gives its fields; an unknown one or none is refused, naming the file', () => {
  assert.deepEqual(shapeFromMarkers(10, false, 'h.exe').fields, PAYLOAD_FIELDS[10]);
  assert.deepEqual(shapeFromMarkers(17, true, 'h.exe'), LATEST_HELPER_SHAPE);
  for (const fields of Object.values(PAYLOAD_FIELDS)) {
    assert.equal(fields[0], 'version');
    assert.equal(fields.at(-1), 'refresh_only');
    assert.ok(fields.includes('real_user'));
  }
  assert.throws(() => shapeFromMarkers(16, true, 'h.exe'), (e: unknown) => e instanceof SetupHelperShapeError && /h\.exe reads a payload of 16 fields/.test(e.message));
  assert.throws(() => shapeFromMarkers(undefined, false, 'h.exe'), /h\.exe does not look like codex's sandbox setup helper/);
});

test('the shape is read from the file, a marker split across the 1 MiB read chunks included', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'helper-shape-'));
  try {
    const file = path.join(dir, 'helper.exe');
    const marker = Buffer.from('refresh_onlystruct Payload with 13 elements');
    const body = Buffer.alloc((1 << 20) * 2 + 100, 0);
    marker.copy(body, (1 << 20) - 20); // straddles the first chunk's end
    Buffer.from('--launch-payload-env').copy(body, (1 << 20) * 2 - 5);
    writeFileSync(file, body);
    assert.deepEqual(await setupHelperShape(file), { fields: PAYLOAD_FIELDS[13], envTransport: true });
    writeFileSync(file, Buffer.from('MZ nothing here'));
    await assert.rejects(setupHelperShape(file), SetupHelperShapeError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
