// The baselines' stand-in for the runner: a separate process that starts the command and pipes its
// stdout, unframed, into a socket (Unix socket, or a named pipe under Windows/Wine) the parent
// listens on. Same hop count as the runner, none of the protocol.
// Usage: node relay.js <socket path> <command> [args...]
import { spawn } from 'node:child_process';
import * as net from 'node:net';

const [socketPath, file, ...args] = process.argv.slice(2);
if (!socketPath || !file) {
  process.stderr.write('usage: relay.js <socket path> <command> [args...]\n');
  process.exit(2);
}
const socket = net.connect({ path: socketPath, allowHalfOpen: true });
socket.on('error', (err) => {
  process.stderr.write(`relay: ${err.message}\n`);
  process.exit(3);
});
socket.once('connect', () => {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'], windowsHide: true });
  child.stdout!.pipe(socket);
  child.once('exit', (code) => {
    process.exitCode = code ?? 1;
  });
});
