// A one-client Unix socket (in a private temp directory) for the baselines; removed on close.
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export class OneClientSocket {
  readonly path: string;
  private readonly dir: string;
  private readonly server: net.Server;
  /** Resolves with the first client; the listener takes no others. */
  readonly client: Promise<net.Socket>;

  private constructor() {
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'codex-bench-'));
    this.path = path.join(this.dir, 'sock');
    this.server = net.createServer({ allowHalfOpen: true });
    this.client = new Promise((resolve) => this.server.once('connection', resolve));
  }

  static async listen(): Promise<OneClientSocket> {
    const listener = new OneClientSocket();
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen(listener.path, () => resolve());
    });
    return listener;
  }

  close(): void {
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
