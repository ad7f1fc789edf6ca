// What went wrong reading a codex home, with the file or folder it concerns, so a UI can point
// at it and a doctor command can tell the cases apart.

export type CodexHomeProblem =
  /** No runner file in `.sandbox-bin` (or no such folder). */
  | 'runner-not-found'
  /** A setup file is missing, or not a regular file. */
  | 'setup-missing'
  /** A setup file exists but could not be read. */
  | 'setup-unreadable'
  /** A setup file is not what codex writes: bad JSON, a field of the wrong type, bad base64. */
  | 'setup-corrupt'
  /** The marker and the users file disagree (version or usernames). */
  | 'setup-mismatch'
  /** DPAPI refused the password blob, or it decrypted to something that is not a password. */
  | 'password-undecryptable'
  /** Not on Windows: there is no DPAPI to decrypt with. */
  | 'dpapi-unavailable';

export class CodexHomeError extends Error {
  override readonly name = 'CodexHomeError';
  /** The file the problem is in, when it is about one file. */
  readonly file: string | undefined;
  /** The folder the problem is in, when it is about a folder. */
  readonly folder: string | undefined;

  constructor(
    readonly problem: CodexHomeProblem,
    message: string,
    where: { file?: string; folder?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.file = where.file;
    this.folder = where.folder;
  }
}
