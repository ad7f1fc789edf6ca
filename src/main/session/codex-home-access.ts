// The codex home's runner files and sandbox users, as a session needs them.
import { findCodexRunner } from '../codex/home/runner-discovery';
import { loadSandboxLogon } from '../codex/home/sandbox-users';
import type { CodexHomeAccess } from '../launch/launch-plan';

export const codexHomeAccess: CodexHomeAccess = {
  async findRunner(codexHome, codexVersion) {
    return (await findCodexRunner(codexHome, { codexVersion })).path;
  },
  async logon(codexHome, networkRestricted) {
    // Read (and decrypt) once now, so a broken setup fails the session while preparing, naming the
    // file. The password itself is not kept: each launch reads it again and wipes it after.
    const first = await loadSandboxLogon(codexHome, { networkRestricted });
    first.password.wipe();
    const username = first.username;
    return {
      username,
      async password() {
        const logon = await loadSandboxLogon(codexHome, { networkRestricted });
        if (logon.username !== username) {
          logon.password.wipe();
          // The pipes admit only the user they were made for.
          throw new Error(`codex's ${logon.identity} sandbox user changed from ${username} to ${logon.username} in ${logon.usersFile} while this session was starting`);
        }
        return logon.password;
      },
      retryOnLogonFailure: true,
      reusable: true,
    };
  },
};
