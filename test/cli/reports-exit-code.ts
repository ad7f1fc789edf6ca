// A runner that runs nothing and reports, as the command's exit code, the number its request's
// command ends with (`... -- report 256`): how a Windows runner reports a 32-bit code, on any OS.
import * as net from 'node:net';
import { encodeFrame, FrameDecoder } from '../../src/protocol/framing';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '';
const connect = (path: string) =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ path, allowHalfOpen: true }, () => resolve(socket));
    socket.once('error', reject);
  });

void (async () => {
  const input = await connect(arg('pipe-in'));
  const output = await connect(arg('pipe-out'));
  const decoder = new FrameDecoder();
  input.on('data', (chunk: Buffer) => {
    const [request] = decoder.push(chunk) as { payload: { command: string[] } }[];
    if (!request) return;
    const exitCode = Number(request.payload.command.at(-1));
    output.write(encodeFrame({ type: 'spawn_ready', payload: { process_id: process.pid } } as never, 6));
    output.end(encodeFrame({ type: 'exit', payload: { exit_code: exitCode, timed_out: false } } as never, 6), () => process.exit(0));
  });
})();
