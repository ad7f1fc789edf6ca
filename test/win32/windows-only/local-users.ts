// Throwaway local users for the Windows-only tests: random names, random strong passwords, made with
// NetUserAdd (the password never appears on a command line) and removed, profile included, however
// the test ended. Needs an elevated process.
import { randomBytes, randomInt } from 'node:crypto';
import { sidForUser } from '../../../src/os/win32/sid';
import { NERR_USER_NOT_FOUND, testApi, UF_DONT_EXPIRE_PASSWD, UF_NORMAL_ACCOUNT, UF_SCRIPT, USER_PRIV_USER } from '../win32-test-api';
import { describeWin32Error, lastWin32Error } from '../../../src/os/win32/win32-error';

export interface LocalUser {
  name: string;
  password: string;
  sid: string;
}

const ERROR_FILE_NOT_FOUND = 2;
const ERROR_PATH_NOT_FOUND = 3;

/** 24 characters from the CSPRNG with every class Windows' complexity policy counts. */
export function randomPassword(): string {
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '-_.!#%+=@~'];
  const all = classes.join('');
  const chars = classes.map((c) => c[randomInt(c.length)]!);
  while (chars.length < 24) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

/** A new local user named `cxw<role><8 hex>` (at most 20 characters, as SAM requires). */
export function createLocalUser(role: string): LocalUser {
  const name = `cxw${role}${randomBytes(4).toString('hex')}`.slice(0, 20);
  const password = randomPassword();
  const parmErr: [number] = [0];
  const status = testApi().NetUserAdd(null, 1, {
    usri1_name: name,
    usri1_password: password,
    usri1_password_age: 0,
    usri1_priv: USER_PRIV_USER,
    usri1_home_dir: null,
    usri1_comment: 'codex-runner-ipc Windows-only test user; deleted when the test ends',
    usri1_flags: UF_SCRIPT | UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD,
    usri1_script_path: null,
  }, parmErr);
  if (status !== 0) throw new Error(`NetUserAdd(${name}) failed: ${status} (${describeWin32Error(status)})${parmErr[0] ? `, parameter ${parmErr[0]}` : ''}`);
  try {
    return { name, password, sid: sidForUser(name) };
  } catch (err) {
    testApi().NetUserDel(null, name);
    throw err;
  }
}

/**
 * Deletes the user's profile (made by LOGON_WITH_PROFILE; retried while Windows still has it
 * loaded) and then the user. Returns what could not be removed, '' when everything went.
 */
export async function deleteLocalUser(user: LocalUser): Promise<string> {
  const problems: string[] = [];
  const api = testApi();
  for (let attempt = 0; ; attempt++) {
    if (api.DeleteProfileW(user.sid, null, null)) break;
    const err = lastWin32Error(`DeleteProfileW(${user.name})`);
    if (err.code === ERROR_FILE_NOT_FOUND || err.code === ERROR_PATH_NOT_FOUND) break; // never logged on
    if (attempt >= 20) {
      problems.push(err.message);
      break;
    }
    await new Promise((r) => setTimeout(r, 500)); // the profile is unloaded a moment after the last process
  }
  const status = api.NetUserDel(null, user.name);
  if (status !== 0 && status !== NERR_USER_NOT_FOUND) problems.push(`NetUserDel(${user.name}) failed: ${status} (${describeWin32Error(status)})`);
  return problems.join('; ');
}
