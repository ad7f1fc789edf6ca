// Launching as the sandbox user: which logon errors upstream answers with fresh credentials and one
// more try, and that try. Used by the session's runner launch and the version search.

/**
 * Windows logon errors after which upstream re-reads the credentials once and retries: bad
 * password (1326), no logon session (1312), and since 6-B a logon restricted by policy (1331,
 * which codex's setup fixes).
 */
export const REFRESHABLE_LOGON_ERRORS: ReadonlySet<number> = new Set([1326, 1312, 1331]);

/**
 * `once()`, and once more after a logon error upstream retries (REFRESHABLE_LOGON_ERRORS): each
 * try reads the credentials again, which codex's setup may have rotated. Never a third time.
 */
export async function withLogonRetry<T>(once: () => Promise<T>, retry: boolean, signal: AbortSignal, recover?: (code: number) => Promise<void>): Promise<T> {
  try {
    return await once();
  } catch (err) {
    const code = (err as { win32Code?: unknown }).win32Code;
    if (typeof code !== 'number' || !REFRESHABLE_LOGON_ERRORS.has(code) || signal.aborted) throw err;
    if (recover) await recover(code); // throws when setup is not to run (or failed)
    else if (!retry) throw err;
    return once();
  }
}
