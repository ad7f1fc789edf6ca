import type { SetupStage } from './session-status';

/** A session's failure: `stage` says which step stalled or broke. */
export class SessionError extends Error {
  override readonly name: string = 'SessionError';
  constructor(
    readonly stage: SetupStage,
    message: string,
  ) {
    super(message);
  }
}
