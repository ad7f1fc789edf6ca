// Linux/macOS: two Unix sockets in a fresh directory only the owner may enter (0700), socket
// files 0600. Each server takes exactly one client; the socket file is unlinked once it has.
// The directory also holds an owner record (stale-socket-dirs.ts), so a parent that dies without
// removing it leaves something the next process can recognise and remove; once both clients are in,
// the directory goes.
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeNonce } from '../pipe-names';
import type { PipeRole, RunnerPipePair } from '../runner-pipes';
import { peerCredentials } from './peer-credentials';
import { OWNER_FILE, ownerRecordText, sweepStaleSocketDirs } from './stale-socket-dirs';

// sun_path holds 104 bytes on macOS, 108 on Linux.
const MAX_SOCKET_PATH = 100;

interface Endpoint {
  path: string;
  server: net.Server;
  client?: net.Socket;
  clientPid?: number;
  streamTaken: boolean;
  access?: string;
  waiters: Set<() => void>;
}

async function socketDirectory(): Promise<string> {
  const nonce = pipeNonce();
  let base = os.tmpdir();
  if (path.join(base, `codex-runner-${nonce}`, 'out').length > MAX_SOCKET_PATH) base = '/tmp';
  const dir = path.join(base, `codex-runner-${nonce}`);
  const record = await ownerRecordText();
  await fs.mkdir(dir, { mode: 0o700 }); // fails if anything already has the name
  try {
    const st = await fs.lstat(dir);
    if (!st.isDirectory() || (st.mode & 0o077) !== 0 || (process.getuid && st.uid !== process.getuid())) {
      throw new Error(`socket directory ${dir} is not private (mode ${(st.mode & 0o777).toString(8)})`);
    }
    // Who made it: if we die without removing it, the next process's sweep can tell it is stale.
    await fs.writeFile(path.join(dir, OWNER_FILE), record, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  // Directories left by dead parents (SIGKILLed: nobody removed them) go on our first use of a tmp dir.
  if (!sweptBases.has(base)) {
    sweptBases.add(base);
    void sweepStaleSocketDirs(base).catch(() => {});
  }
  return dir;
}

/** Tmp dirs already swept by this process (TMPDIR may change while it runs). */
const sweptBases = new Set<string>();

export async function createUnixSocketPair(): Promise<RunnerPipePair> {
  const dir = await socketDirectory();
  const endpoints = new Map<PipeRole, Endpoint>();
  let closed = false;

  const close = async () => {
    if (closed) return;
    closed = true;
    for (const ep of endpoints.values()) {
      ep.server.close();
      if (!ep.streamTaken) ep.client?.destroy();
    }
    await fs.rm(dir, { recursive: true, force: true });
  };

  const listen = async (role: PipeRole): Promise<void> => {
    const ep: Endpoint = { path: path.join(dir, role), server: net.createServer({ allowHalfOpen: true, pauseOnConnect: true }), streamTaken: false, waiters: new Set() };
    endpoints.set(role, ep);
    ep.server.on('connection', (socket) => {
      if (ep.client || closed) {
        socket.destroy(); // one client per pipe, like a 1-instance named pipe
        return;
      }
      ep.client = socket;
      socket.on('error', () => {}); // reported through the stream once opened
      const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
      try {
        if (typeof fd === 'number' && fd >= 0) ep.clientPid = peerCredentials(fd).pid;
      } catch {
        ep.clientPid = undefined;
      }
      ep.server.close();
      fs.unlink(ep.path).catch(() => {});
      // Both clients in: the directory (and its owner record) has served its purpose. Removed now,
      // a process that ends without disposing (an idle warm runner at exit) leaves nothing behind.
      if (endpoints.size === 2 && [...endpoints.values()].every((e) => e.client)) fs.rm(dir, { recursive: true, force: true }).catch(() => {});
      for (const wake of ep.waiters) wake();
    });
    ep.server.unref(); // a pending wait must not keep the process alive
    await new Promise<void>((resolve, reject) => {
      ep.server.once('error', reject);
      ep.server.listen(ep.path, () => {
        ep.server.off('error', reject);
        resolve();
      });
    });
    await fs.chmod(ep.path, 0o600);
    const st = await fs.lstat(ep.path);
    ep.access = `unix socket mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} uid ${st.uid}, directory mode 0700`;
  };

  try {
    await listen('in');
    await listen('out');
  } catch (err) {
    await close();
    throw err;
  }

  const endpoint = (role: PipeRole): Endpoint => endpoints.get(role)!;

  return {
    names: { in: endpoint('in').path, out: endpoint('out').path },

    waitForClient(role: PipeRole, signal: AbortSignal): Promise<void> {
      const ep = endpoint(role);
      if (ep.client) return Promise.resolve();
      if (closed) return Promise.reject(new Error('pipes already closed'));
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          ep.waiters.delete(wake);
          reject(signal.reason);
        };
        const wake = () => {
          ep.waiters.delete(wake);
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        ep.waiters.add(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },

    clientProcessId(role: PipeRole): number {
      const pid = endpoint(role).clientPid;
      if (pid === undefined) throw new Error(`no peer credentials for pipe-${role}`);
      return pid;
    },

    openStream(role: PipeRole): Duplex {
      const ep = endpoint(role);
      if (!ep.client) throw new Error(`pipe-${role} has no client`);
      if (ep.streamTaken) throw new Error(`pipe-${role} stream already opened`);
      ep.streamTaken = true; // paused since accept; the reader's 'data' listener starts the flow
      return ep.client;
    },

    describeAccess(role: PipeRole): string | undefined {
      return endpoint(role).access;
    },

    close,
  };
}
