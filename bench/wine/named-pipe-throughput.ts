// Runs INSIDE the Windows node.exe (under Wine): a session over the real named-pipe layer versus
// a relay over Node's own `net` named pipe, the same producer, interleaved. Prints one JSON line.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { Session } from '../../src/main/session/session';
import { ByteCounter } from '../byte-counter';
import { interleaved, median, MiB } from '../stats';

const ZERO_WRITER = path.join(__dirname, 'zero-writer.js');
const RELAY = path.join(__dirname, '..', 'relay.js');
const bytes = Number(process.argv[2] ?? 64 * MiB);
const rounds = Number(process.argv[3] ?? 3);
const producer = [process.execPath, ZERO_WRITER, String(bytes)];

async function sessionPath(): Promise<number> {
  // Node under Wine starts slowly (~1 s per process): generous setup timeouts, not the bench's subject.
  // This package's runner: it refuses sandboxed profiles on Windows unless opted in (a bench measures pipes, not policy).
  const session = new Session({ command: producer, allowUnenforcedPolicy: true, connectTimeoutMs: 60_000, spawnReadyTimeoutMs: 60_000 });
  const counter = new ByteCounter().attach(session.stdout);
  await session.start();
  const result = await session.exited;
  if (result.state !== 'exited' || result.exitCode !== 0 || counter.bytes !== bytes) {
    throw new Error(`session ${result.state} (${result.exitCode}) with ${counter.bytes} of ${bytes} bytes: ${result.error?.message}`);
  }
  return counter.bytesPerSecond();
}

async function netPipePath(): Promise<number> {
  const name = `\\\\.\\pipe\\codex-bench-${randomBytes(8).toString('hex')}`;
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(name, resolve));
  try {
    const client = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const relay = spawn(process.execPath, [RELAY, name, ...producer], { stdio: 'ignore', windowsHide: true });
    const exited = new Promise<number | null>((resolve) => relay.once('exit', resolve));
    const socket = await client;
    const counter = new ByteCounter().attach(socket);
    await new Promise((resolve) => socket.once('end', resolve));
    socket.destroy();
    const code = await exited;
    if (code !== 0 || counter.bytes !== bytes) throw new Error(`net pipe relay exited ${code} with ${counter.bytes} of ${bytes} bytes`);
    return counter.bytesPerSecond();
  } finally {
    server.close();
  }
}

async function main(): Promise<void> {
  const samples = await interleaved(rounds, { session: sessionPath, netPipe: netPipePath });
  const session = median(samples.session);
  const netPipe = median(samples.netPipe);
  console.log(JSON.stringify({ session, netPipe, samples, wine_pipe_throughput_vs_node_net_pipe: session / netPipe }));
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.log(JSON.stringify({ error: err.stack ?? err.message }));
    process.exit(1);
  },
);
