// Where a session is, as one value, and the only moves between values. Every "may this happen
// now?" in the session asks this machine; a move that cannot happen (a second spawn_ready, setup
// going on after the end began) is refused here instead of being half-done by the caller.
//
// The phase is coarser than the stage `status()` shows: the stages of setup (preparing, queued,
// creating_pipes ...) are one phase, since nothing the session decides depends on which of them it is.

export type SessionPhase =
  /** Preparing, waiting for a launch slot, launching, connecting: no spawn request is out. */
  | 'setting_up'
  /** The spawn request went to a runner; its first reply decides (spawn_ready, a refusal, silence). */
  | 'awaiting_reply'
  /** The first reply was not spawn_ready: the version search decides on another try or the end. */
  | 'replied'
  /** spawn_ready was read: the command runs. */
  | 'running'
  /** terminate() was sent: output is dropped until the runner reports the exit. */
  | 'terminating'
  /** The end is under way: everything the session holds is being released. */
  | 'ending'
  /** The result is published. Nothing follows. */
  | 'ended';

/** The allowed moves. Any phase before the end may end; nothing comes after `ended`. */
export const PHASE_TRANSITIONS: { readonly [P in SessionPhase]: readonly SessionPhase[] } = {
  setting_up: ['awaiting_reply', 'ending'],
  awaiting_reply: ['running', 'replied', 'ending'],
  replied: ['setting_up', 'ending'], // another try on a new runner, or the search failed
  running: ['terminating', 'ending'],
  terminating: ['ending'],
  ending: ['ended'],
  ended: [],
};

export function canMove(from: SessionPhase, to: SessionPhase): boolean {
  return PHASE_TRANSITIONS[from].includes(to);
}

/** Thrown for a move the table does not allow: a bug in the session, never the runner's doing. */
export class PhaseError extends Error {
  constructor(
    readonly from: SessionPhase,
    readonly to: SessionPhase,
  ) {
    super(`a session cannot move from phase ${from} to ${to}`);
    this.name = 'PhaseError';
  }
}

export class PhaseMachine {
  private current: SessionPhase = 'setting_up';
  /** Phases this session has been in: `terminating` stays true for stdin written while it ends. */
  private readonly seen = new Set<SessionPhase>(['setting_up']);

  get phase(): SessionPhase {
    return this.current;
  }

  is(...phases: SessionPhase[]): boolean {
    return phases.includes(this.current);
  }

  /** Whether the session was ever in `phase` (it may have moved on since). */
  reached(phase: SessionPhase): boolean {
    return this.seen.has(phase);
  }

  /** The end began (or is done): no setup, no frames, no timers count any more. */
  get ending(): boolean {
    return this.current === 'ending' || this.current === 'ended';
  }

  /** spawn_ready was read and the result is not published yet (the status shows `running`). */
  get commandStarted(): boolean {
    return this.seen.has('running') && this.current !== 'ended';
  }

  can(to: SessionPhase): boolean {
    return canMove(this.current, to);
  }

  /** Moves to `to`; throws PhaseError when the table does not allow it. */
  to(to: SessionPhase): void {
    if (!canMove(this.current, to)) throw new PhaseError(this.current, to);
    this.current = to;
    this.seen.add(to);
  }
}
