// The users a Windows-only test file needs and the stage they run from: made before the file's
// tests, removed after them however they ended; the clean-up fails the file if it leaves any.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalUser, deleteLocalUser, type LocalUser } from './local-users';
import { makeStage, type Stage } from './staging';
import { requireAccounts } from './windows-only';

export interface ThrowawayAccounts {
  /** One user per role given, in that order. */
  users: LocalUser[];
  stage: Stage;
}

/** Registers the file's before/after hooks; call the result inside a test (not when `skip`). */
export function useThrowawayAccounts(roles: string[], skip: string | false): () => ThrowawayAccounts {
  const users: LocalUser[] = [];
  let stage: Stage | undefined;

  before(async () => {
    if (skip) return;
    requireAccounts();
    for (const role of roles) users.push(createLocalUser(role));
    stage = await makeStage(users);
  });

  after(async () => {
    const problems: string[] = [];
    await stage?.remove().catch((err: Error) => problems.push(`stage: ${err.message}`));
    for (const user of users) problems.push(await deleteLocalUser(user));
    const left = problems.filter(Boolean);
    assert.deepEqual(left, [], `clean-up left something behind: ${left.join('; ')}`);
  });

  return () => ({ users, stage: stage! });
}
