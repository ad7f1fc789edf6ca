// The private desktops of one owner (a SessionManager, or a lone Session): one per sandbox
// account, made on first use, reused by every later session for that account, and closed when
// the owner is disposed, as upstream's parent keeps one per sandbox SID for its own life.
// Windows only: elsewhere there is no desktop and nothing to close.
import type { CreatedDesktop } from '../../../os/win32/desktop';

export class PrivateDesktops {
  private readonly byAccount = new Map<string, Promise<CreatedDesktop>>();
  private disposed = false;

  /**
   * The desktop name for the runner's account (`undefined`: the current user). Made once per
   * account; a failed creation is forgotten, so a later session tries again.
   */
  async nameFor(sandboxUsername: string | undefined): Promise<string> {
    if (this.disposed) throw new Error('the private desktops were disposed with their session manager');
    if (process.platform !== 'win32') throw new Error('a private desktop exists only on Windows');
    const { currentUserSid, sidForUser } = await import('../../../os/win32/sid');
    const sandboxSid = sandboxUsername === undefined ? currentUserSid() : sidForUser(sandboxUsername);
    let desktop = this.byAccount.get(sandboxSid);
    if (!desktop) {
      const { createPrivateDesktop } = await import('../../../os/win32/desktop');
      // Checked again here: a dispose that ran during the imports must not be outlived by a new desktop.
      desktop = Promise.resolve().then(() => {
        if (this.disposed) throw new Error('the private desktops were disposed with their session manager');
        return createPrivateDesktop(currentUserSid(), sandboxSid);
      });
      this.byAccount.set(sandboxSid, desktop);
      desktop.catch(() => this.byAccount.delete(sandboxSid));
    }
    return (await desktop).name;
  }

  /** The names alive now (status, tests). */
  async names(): Promise<string[]> {
    const made = await Promise.allSettled(this.byAccount.values());
    return made.flatMap((d) => (d.status === 'fulfilled' ? [d.value.name] : []));
  }

  /** Closes every desktop; idempotent. Sessions still running keep theirs until their runner exits (the OS holds it while a process uses it). */
  async dispose(): Promise<void> {
    this.disposed = true;
    const made = await Promise.allSettled(this.byAccount.values());
    this.byAccount.clear();
    if (process.platform !== 'win32') return;
    const { closePrivateDesktop } = await import('../../../os/win32/desktop');
    for (const d of made) if (d.status === 'fulfilled') closePrivateDesktop(d.value);
  }
}
