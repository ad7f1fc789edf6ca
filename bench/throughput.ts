// throughput_vs_raw_socket and throughput_vs_direct_spawn: one command's stdout read three ways,
// interleaved round by round: through a full session, through a relay process over a plain Unix
// socket (unframed), and straight from child_process.spawn.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { SessionManager } from '../src/main/index';
import { ByteCounter } from './byte-counter';
import { OneClientSocket } from './socket-listener';
import { interleaved, median, MiB } from './stats';

const RELAY = path.join(__dirname, 'relay.js');

/** The producer: `head` writing zeros is cheap, so the transport is what gets measured. */
export function producer(bytes: number): string[] {
  return ['head', '-c', String(bytes), '/dev/zero'];
}

function expectBytes(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: received ${got} bytes, expected ${want}`);
}

export async function sessionThroughput(manager: SessionManager, bytes: number): Promise<number> {
  const session = manager.start({ command: producer(bytes) });
  const counter = new ByteCounter().attach(session.stdout);
  const result = await session.exited;
  if (result.state !== 'exited' || result.exitCode !== 0) throw new Error(`session ${result.state} (${result.exitCode}): ${result.error?.message}`);
  expectBytes('session', counter.bytes, bytes);
  return counter.bytesPerSecond();
}

export async function rawSocketThroughput(bytes: number): Promise<number> {
  const listener = await OneClientSocket.listen();
  try {
    const relay = spawn(process.execPath, [RELAY, listener.path, ...producer(bytes)], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => relay.once('exit', resolve));
    const socket = await listener.client;
    const counter = new ByteCounter().attach(socket);
    await new Promise((resolve) => socket.once('end', resolve));
    socket.destroy();
    const code = await exited;
    if (code !== 0) throw new Error(`relay exited with ${code}`);
    expectBytes('raw socket', counter.bytes, bytes);
    return counter.bytesPerSecond();
  } finally {
    listener.close();
  }
}

export async function directSpawnThroughput(bytes: number): Promise<number> {
  const [file, ...args] = producer(bytes);
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const counter = new ByteCounter().attach(child.stdout!);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`${file} exited with ${code}`);
  expectBytes('direct spawn', counter.bytes, bytes);
  return counter.bytesPerSecond();
}

export interface ThroughputResult {
  session: number;
  rawSocket: number;
  directSpawn: number;
  throughput_vs_raw_socket: number;
  throughput_vs_direct_spawn: number;
  /** Every round's bytes/s, to show the spread behind the medians. */
  samples: Record<'session' | 'rawSocket' | 'directSpawn', number[]>;
}

export async function measureThroughput(rounds: number, bytes = 256 * MiB): Promise<ThroughputResult> {
  const manager = new SessionManager();
  try {
    const samples = await interleaved(rounds, {
      session: () => sessionThroughput(manager, bytes),
      rawSocket: () => rawSocketThroughput(bytes),
      directSpawn: () => directSpawnThroughput(bytes),
    });
    const session = median(samples.session);
    const rawSocket = median(samples.rawSocket);
    const directSpawn = median(samples.directSpawn);
    return { session, rawSocket, directSpawn, throughput_vs_raw_socket: session / rawSocket, throughput_vs_direct_spawn: session / directSpawn, samples };
  } finally {
    await manager.dispose();
  }
}
