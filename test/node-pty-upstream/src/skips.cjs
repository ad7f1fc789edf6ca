// The ported tests that cannot pass on the facade by design, with why (docs/node-pty.md lists
// them). Against node-pty itself (PTY_IMPL=node-pty) nothing is skipped.
// Keys: the describe names and the test name, joined by spaces.
// node-pty forks in spawn(), so pid is there when spawn() returns; the facade's runner starts the
// command after spawn() returns (nothing blocks the main thread), so pid is 0 until then. These child
// scripts print pid right after spawn(), and the test signals it: process.kill(0, 'SIGINT') signals
// the test's own process group.
const PID_AT_SPAWN =
  "reads pty.pid synchronously after spawn(): the facade's command is started by the runner after spawn() returns (the main thread never blocks), so pid is 0 until the runner reports it (docs/node-pty.md: 'pid'); upstream then signals pid 0, i.e. its own process group";
const BY_DESIGN = {
  'Terminal checkType should throw for the wrong type':
    "node-pty's internal abstract class Terminal and its protected _checkType(): not node-pty's public API (typings/node-pty.d.ts); the facade has no such class",
  'Terminal checkType should throw for wrong types within arrays':
    "node-pty's internal abstract class Terminal and its protected _checkType(): not node-pty's public API (typings/node-pty.d.ts); the facade has no such class",
  'UnixTerminal Constructor should set a valid pts name':
    "asserts tty.isatty(term.fd): the facade's terminal is opened by the runner, in another process (on Windows inside the sandbox); this process holds a socket to it, no pty fd",
  'UnixTerminal open should open a pty with access to a master and slave socket':
    'UnixTerminal.open() opens a pty pair in this process with no command: the facade only runs commands through the runner, whose pty stays in the runner (node-pty has no open() on Windows either)',
  'UnixTerminal signals in parent and child SIGINT - custom in parent and child': PID_AT_SPAWN,
  'UnixTerminal signals in parent and child SIGINT - custom in parent, default in child': PID_AT_SPAWN,
};

function skipReason(fullName) {
  if (process.env.PTY_IMPL === 'node-pty') return undefined;
  return BY_DESIGN[fullName];
}

module.exports = { BY_DESIGN, skipReason };
