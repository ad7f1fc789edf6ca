// UTF-8 split at every byte boundary: the command prints 2-, 3- and 4-byte characters one byte at a
// time, each byte in an output frame of its own (it waits for our go-ahead before the next), through
// a terminal and through pipes. The facade's strings carry every character whole, never U+FFFD, and
// never an empty chunk; the Session's own streams carry the same bytes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from '../../src/main/node-pty';
import { SessionManager } from '../../src/main/session/session-manager';
import { realRunner } from '../helpers/fixture-paths';
import { posixOnly } from '../helpers/platform';
import { whenRunning } from '../helpers/sessions';

const skip = posixOnly('the command is sh with stty and printf');
const manager = new SessionManager({ defaults: { runner: { kind: 'custom', spec: realRunner() } } });
after(() => manager.dispose());

const TEXT = 'aé€😀ü'; // 1, 2, 3, 4 and 2 bytes
const BYTES = [...Buffer.from(TEXT, 'utf8')];

for (const tty of [true, false]) {
  test(`every byte of ${JSON.stringify(TEXT)} in a frame of its own, through ${tty ? 'a terminal' : 'pipes'}: whole characters, no U+FFFD`, { skip }, async () => {
    const octal = BYTES.map((b) => `\\\\${b.toString(8).padStart(3, '0')}`).join(' ');
    // On a terminal, "R" says echo is off: a "go" written before stty ran would be echoed back.
    const script = `${tty ? 'stty -echo; printf R; ' : ''}for b in ${octal}; do read go; printf "$b"; done; read go`;
    const ready = tty ? 1 : 0;
    const pty = spawn('sh', ['-c', script], { manager, session: { tty } });
    const chunks: string[] = [];
    pty.onData((text) => chunks.push(text));
    const raw: Buffer[] = [];
    pty.session.stdout.on('data', (d: Buffer) => raw.push(d));
    const exited = new Promise<number>((resolve) => pty.onExit((e) => resolve(e.exitCode)));
    const session = pty.session;
    await whenRunning(session);
    while (session.status().traffic.stdout.bytes < ready) await new Promise((r) => setTimeout(r, 5));
    for (let i = 1 + ready; i <= BYTES.length + ready; i++) {
      pty.write(tty ? 'go\r' : 'go\n');
      // The next byte is printed only after it is here: one byte per frame.
      while (session.status().traffic.stdout.bytes < i) await new Promise((r) => setTimeout(r, 5));
    }
    pty.write(tty ? 'go\r' : 'go\n');
    assert.equal(await exited, 0);
    const status = session.status();
    assert.equal(status.traffic.stdout.bytes, BYTES.length + ready);
    assert.equal(status.traffic.stdout.frames, BYTES.length + ready, 'each byte came in its own frame');
    assert.deepEqual(Buffer.concat(raw), Buffer.from(`${tty ? 'R' : ''}${TEXT}`, 'utf8'));
    if (tty) assert.equal(chunks.shift(), 'R');
    assert.equal(chunks.join(''), TEXT);
    assert.ok(chunks.every((c) => c.length > 0 && !c.includes('\ufffd')), JSON.stringify(chunks));
    // A character is delivered once its last byte is: one chunk per character.
    assert.deepEqual(chunks, [...TEXT]);
  });
}
