// The one import the ported tests change: node-pty's modules become the implementation under test.
// Default: this package's facade, `codex-runner-ipc/node-pty` (installed from the packed tarball by
// scripts/e2e/check-consumer.mjs). PTY_IMPL=node-pty: node-pty 1.1.0 itself (the dev dependency),
// which proves the port keeps upstream's meaning.
const impl = process.env.PTY_IMPL === 'node-pty' ? 'node-pty' : 'codex-runner-ipc/node-pty';

if (impl === 'node-pty') {
  module.exports = {
    impl,
    ptyModule: 'node-pty', // upstream's `require('./lib/index')` in its child scripts
    unixTerminalModule: require('node-pty/lib/unixTerminal'),
    UnixTerminal: require('node-pty/lib/unixTerminal').UnixTerminal,
    Terminal: require('node-pty/lib/terminal').Terminal,
  };
} else {
  const facade = require('codex-runner-ipc/node-pty');
  module.exports = {
    impl,
    ptyModule: 'codex-runner-ipc/node-pty',
    unixTerminalModule: facade,
    // The class the facade's spawn() constructs, as node-pty's spawn() constructs UnixTerminal.
    UnixTerminal: facade.UnixTerminal ?? facade.SessionPty,
    // node-pty's internal abstract base class; the facade has none (see skips.cjs).
    Terminal: facade.Terminal ?? class NoTerminalBaseClass {},
  };
}
