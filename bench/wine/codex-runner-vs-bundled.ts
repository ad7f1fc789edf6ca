// Runs INSIDE the Windows node.exe (under Wine): codex's real runner (the newest fetched release,
// launched as the current user with the module's preparation, no refresh: see
// test/win32/codex-real/) against this package's runner, interleaved. Start: session start to
// `running` (spawn_ready: the command started), for `node.exe -e 0`. Throughput: the same producer's N bytes through each.
// Prints one JSON line.
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Session } from '../../src/main/session/session';
import type { SessionConfig } from '../../src/main/session/session-options';
import { codexReleaseOfShape } from '../../test/helpers/codex-releases';
import { ByteCounter } from '../byte-counter';
import { interleaved, median, MiB } from '../stats';

const ZERO_WRITER = path.join(__dirname, 'zero-writer.js');
const bytes = Number(process.argv[2] ?? 64 * MiB);
const rounds = Number(process.argv[3] ?? 5);

const release = codexReleaseOfShape('v6-B');
const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'codex-bench-real-')));
const home = path.join(root, 'home');
mkdirSync(path.join(home, '.sandbox-bin'), { recursive: true });
copyFileSync(release.runner, path.join(home, '.sandbox-bin', `codex-command-runner-${release.release}.exe`));

// Node under Wine starts slowly: generous setup bounds, not the bench's subject.
const bounds = { connectTimeoutMs: 60_000, spawnReadyTimeoutMs: 60_000, cwd: root };
const runners: Record<'codex' | 'bundled', Partial<SessionConfig>> = {
  codex: { ...bounds, runner: 'codex', codexHome: home, sandbox: 'current', refreshSandbox: false },
  // This package's runner refuses sandboxed profiles on Windows unless opted in (a bench measures pipes, not policy).
  bundled: { ...bounds, allowUnenforcedPolicy: true },
};

async function startMs(which: keyof typeof runners): Promise<number> {
  const session = new Session({ ...runners[which], command: [process.execPath, '-e', '0'] });
  await session.start();
  const result = await session.exited;
  if (result.state !== 'exited' || result.exitCode !== 0) throw new Error(`${which}: ${result.state} (${result.exitCode}): ${result.error?.message}`);
  const stages = session.status().stages;
  const running = stages.find((s) => s.stage === 'running');
  if (!running) throw new Error(`${which}: never running`);
  return running.at - stages[0]!.at;
}

async function bytesPerSecond(which: keyof typeof runners): Promise<number> {
  const session = new Session({ ...runners[which], command: [process.execPath, ZERO_WRITER, String(bytes)] });
  const counter = new ByteCounter().attach(session.stdout);
  await session.start();
  const result = await session.exited;
  if (result.state !== 'exited' || result.exitCode !== 0 || counter.bytes !== bytes) {
    throw new Error(`${which}: ${result.state} (${result.exitCode}) with ${counter.bytes} of ${bytes} bytes: ${result.error?.message}`);
  }
  return counter.bytesPerSecond();
}

async function main(): Promise<void> {
  // One of each first, so neither pays the first-run costs (auto's search, Wine's DLL loads) in the samples.
  await startMs('codex');
  await startMs('bundled');
  const start = await interleaved(rounds, { codex: () => startMs('codex'), bundled: () => startMs('bundled') });
  const flow = await interleaved(Math.max(1, Math.floor(rounds / 2)), { codex: () => bytesPerSecond('codex'), bundled: () => bytesPerSecond('bundled') });
  const out = {
    release: release.release,
    codexStartMs: median(start.codex),
    bundledStartMs: median(start.bundled),
    codexBytesPerSecond: median(flow.codex),
    bundledBytesPerSecond: median(flow.bundled),
    samples: { start, flow },
  };
  console.log(JSON.stringify({
    ...out,
    codex_runner_start_vs_bundled_runner: out.codexStartMs / out.bundledStartMs,
    codex_runner_throughput_vs_bundled_runner: out.codexBytesPerSecond / out.bundledBytesPerSecond,
  }));
}

main()
  .finally(() => rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }))
  .then(
    () => process.exit(0),
    (err: Error) => {
      console.log(JSON.stringify({ error: err.stack ?? err.message }));
      process.exit(1);
    },
  );
