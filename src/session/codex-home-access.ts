// The codex home's runner files and sandbox users, as a session needs them.
import type { CodexHomeAccess } from './launch-plan';

export const codexHomeAccess: CodexHomeAccess = {
  async findRunner(codexHome) {
    throw new Error(`reading codex's runner from ${codexHome} is not available yet`);
  },
  async logon(codexHome) {
    throw new Error(`reading codex's sandbox users from ${codexHome} is not available yet`);
  },
};
