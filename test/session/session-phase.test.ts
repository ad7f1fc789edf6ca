// The session's phase machine: every move the table allows is taken, every other one is refused,
// and the queries the session asks (ending, commandStarted, reached) follow the moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canMove, PHASE_TRANSITIONS, PhaseError, PhaseMachine, type SessionPhase } from '../../src/main/session/session-phase';

const PHASES = Object.keys(PHASE_TRANSITIONS) as SessionPhase[];

/** The shortest path of allowed moves from setting_up to `phase`. */
function pathTo(phase: SessionPhase): SessionPhase[] {
  const queue: SessionPhase[][] = [['setting_up']];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const last = path[path.length - 1]!;
    if (last === phase) return path.slice(1);
    for (const next of PHASE_TRANSITIONS[last]) if (!path.includes(next)) queue.push([...path, next]);
  }
  throw new Error(`${phase} cannot be reached from setting_up`);
}

function machineAt(phase: SessionPhase): PhaseMachine {
  const m = new PhaseMachine();
  for (const p of pathTo(phase)) m.to(p);
  assert.equal(m.phase, phase);
  return m;
}

test('the table is exactly the session lifecycle', () => {
  assert.deepEqual(PHASE_TRANSITIONS, {
    setting_up: ['awaiting_reply', 'ending'],
    awaiting_reply: ['running', 'replied', 'ending'],
    replied: ['setting_up', 'ending'],
    running: ['terminating', 'ending'],
    terminating: ['ending'],
    ending: ['ended'],
    ended: [],
  });
  assert.equal(new PhaseMachine().phase, 'setting_up');
});

test('every allowed move is taken, from a machine that got there by allowed moves', () => {
  let moves = 0;
  for (const from of PHASES) {
    for (const to of PHASE_TRANSITIONS[from]) {
      const m = machineAt(from);
      assert.ok(m.can(to), `${from} -> ${to}`);
      m.to(to);
      assert.equal(m.phase, to);
      assert.ok(m.reached(from) && m.reached(to));
      moves++;
    }
  }
  assert.equal(moves, 11);
});

test('every other move is refused with a PhaseError, and the phase stays', () => {
  let refused = 0;
  for (const from of PHASES) {
    for (const to of PHASES) {
      if (PHASE_TRANSITIONS[from].includes(to)) continue;
      const m = machineAt(from);
      assert.equal(canMove(from, to), false);
      assert.equal(m.can(to), false);
      assert.throws(() => m.to(to), (err: unknown) => err instanceof PhaseError && err.from === from && err.to === to && err.message === `a session cannot move from phase ${from} to ${to}`);
      assert.equal(m.phase, from);
      refused++;
    }
  }
  assert.equal(refused, PHASES.length * PHASES.length - 11);
});

test('a second spawn_ready is refused: running does not follow running, nor a refused reply', () => {
  assert.throws(() => machineAt('running').to('running'), PhaseError);
  assert.throws(() => machineAt('replied').to('running'), PhaseError);
  // Nothing starts again after the end began.
  assert.throws(() => machineAt('ending').to('setting_up'), PhaseError);
  assert.throws(() => machineAt('ended').to('ending'), PhaseError);
});

test('ending, commandStarted and reached follow the moves', () => {
  const m = new PhaseMachine();
  assert.deepEqual([m.ending, m.commandStarted, m.reached('terminating')], [false, false, false]);
  for (const p of ['awaiting_reply', 'running', 'terminating'] as const) m.to(p);
  assert.deepEqual([m.ending, m.commandStarted, m.is('terminating'), m.is('running', 'terminating')], [false, true, true, true]);
  m.to('ending');
  // The status still shows `running` while the end releases things: stdin written now still goes.
  assert.deepEqual([m.ending, m.commandStarted, m.reached('terminating'), m.is('terminating')], [true, true, true, false]);
  m.to('ended');
  assert.deepEqual([m.ending, m.commandStarted], [true, false]);

  const refused = new PhaseMachine();
  for (const p of ['awaiting_reply', 'replied', 'setting_up', 'awaiting_reply', 'ending'] as const) refused.to(p);
  assert.deepEqual([refused.ending, refused.commandStarted, refused.reached('replied'), refused.reached('running')], [true, false, true, false]);
});
