// The protocol-version search and the warm-runner takeover as one small decision: given what the
// last try got, what happens next (another version, another runner, fail, or the command runs).
// Pure: no processes, no pipes, no clock, so every case is unit-tested on its own.
//
// The rule behind every branch: once the spawn request reached a runner, the command may have
// started. Only an explicit refusal frame proves it did not (codex's runners of every release
// answer a request they refuse with an error frame, in their own version). So:
// - a refusal of the version moves to another version (the one the refusal names, if any);
// - silence after the request was written (death, exit, a closed pipe) fails the session;
// - a runner is replaced only when the request never reached it (a warm runner known dead first);
// - a refusal of the request's own content (in the version it was sent in) fails the session, and
//   a version found after skipping a version for the request's content is used but not remembered.
import { describeRunnerError, type ErrorPayload } from '../../protocol/messages';
import { isProtocolVersion, NEWEST_PROTOCOL_VERSION, PROTOCOL_VERSIONS, type ProtocolVersion } from '../../protocol/versions';
import { REFRESHABLE_LOGON_ERRORS } from '../launch/logon-retry';

/** What one try got. */
export type TryResult =
  | { kind: 'ready' }
  /** The runner's first frame was an `error`, in `version`. */
  | { kind: 'error'; payload: ErrorPayload; version: number }
  /** The request was written, then the runner ended without a frame: `why` says how ("runner pid 7 exited with code 1"). */
  | { kind: 'silent'; why: string; stderr: string }
  /** The request never reached the runner: it was dead before the write. */
  | { kind: 'undelivered'; why: string; stderr: string }
  /** This version cannot carry what the session asks for; no runner was involved. */
  | { kind: 'unencodable'; message: string };

export type NextStep =
  /** The command runs (spawn_ready). */
  | { kind: 'run' }
  /** Send the request in `version`, on a warm runner if allowed and one is there, else a new one. */
  /** `logonFailure`: the retry follows that logon error (the launch's logon source may recover first). */
  | { kind: 'try'; version: ProtocolVersion; mayTakeWarm: boolean; forgetRemembered?: true; logonFailure?: number }
  /** `spawnFailed`: the runner took the request and reported that the command could not be started. */
  | { kind: 'fail'; stage: 'preparing' | 'spawn_sent'; message: string; spawnFailed?: true };

export type HowChosen = 'given' | 'detected' | 'remembered';

export interface SearchStart {
  /** The version the caller asked for; never searched. */
  given?: ProtocolVersion;
  /** The version this runner file answered earlier (its manager remembers it: protocol-choice.ts). */
  remembered?: ProtocolVersion;
  /** For the error when every version is refused. */
  runnerFile: string;
  /** A logon error after which the credentials are read again and the same version retried once (upstream). */
  isRefreshableLogonError(payload: ErrorPayload): boolean;
  /** The text of a Windows error code, for messages. */
  windowsErrorText?(code: number): string;
}

/** What an error frame as the first reply means. */
export type ErrorMeaning =
  /** The runner does not speak the version sent; `hint` is the one it spoke instead, if it is one we know. */
  | { kind: 'version-refusal'; hint?: ProtocolVersion }
  /** The runner speaks the version sent and refused what the request says. */
  | { kind: 'content-refusal' }
  /** A real failure to start the command. */
  | { kind: 'failure' };

/** Messages of versions 1-3 (code "spawn_failed") that mean the request was not used at all. */
const REFUSAL_TEXT = /unsupported protocol version|expected spawn_request|bad spawn request|missing field|unknown field|unknown variant|invalid type|pipe closed before spawn_request/i;
const VERSION_TEXT = /unsupported protocol version/i;

export function meaningOfError(payload: ErrorPayload, replyVersion: number, sent: ProtocolVersion): ErrorMeaning {
  const refusal = ('stage' in payload && payload.stage === 'read_spawn_request') || REFUSAL_TEXT.test(payload.message);
  if (!refusal) return { kind: 'failure' };
  // A runner answers in its own version: an answer in another one (or one that says so) refuses ours.
  if (replyVersion !== sent || VERSION_TEXT.test(payload.message)) {
    return replyVersion !== sent && isProtocolVersion(replyVersion) ? { kind: 'version-refusal', hint: replyVersion } : { kind: 'version-refusal' };
  }
  return { kind: 'content-refusal' };
}

/** A spawn_child logon error after which upstream reads the credentials again and retries once. */
export function isRefreshableLogonError(payload: ErrorPayload, program: string): boolean {
  if (!('stage' in payload) || payload.stage !== 'spawn_child' || payload.windows_error_code === null) return false;
  const code = payload.windows_error_code;
  // Upstream: AppX activation can return 1312 for a healthy token; new credentials cannot help there.
  const windowsApps = /(^|[\\/])WindowsApps([\\/]|$)/i.test(program);
  return REFRESHABLE_LOGON_ERRORS.has(code) && !(code === 1312 && windowsApps);
}

export class VersionSearch {
  chosen: HowChosen;
  /** The version of the current try. */
  version: ProtocolVersion;
  readonly refused: { version: number; reply: string }[] = [];
  private readonly tried: ProtocolVersion[] = [];
  private logonRetried = false;
  private warmReplaced = false;
  /** False once a version was skipped for the request's content: what follows says nothing about the runner. */
  private learnable = true;
  /** The current version was named by the runner's refusal. */
  private hinted?: ProtocolVersion;

  constructor(private readonly start: SearchStart) {
    this.chosen = start.given !== undefined ? 'given' : start.remembered !== undefined ? 'remembered' : 'detected';
    this.version = start.given ?? start.remembered ?? NEWEST_PROTOCOL_VERSION;
  }

  /** The first try: any warm runner may take it. */
  first(): NextStep {
    this.tried.push(this.version);
    return { kind: 'try', version: this.version, mayTakeWarm: true };
  }

  /** The version to remember for this runner file if the current try gets spawn_ready, if any. */
  learns(): ProtocolVersion | undefined {
    return this.chosen !== 'given' && this.learnable ? this.version : undefined;
  }

  /** What happens after the current try got `result` (`onWarm`: it ran on a warm runner). */
  after(result: TryResult, onWarm: boolean): NextStep {
    const v = this.version;
    switch (result.kind) {
      case 'ready':
        return { kind: 'run' };
      case 'unencodable':
        if (this.chosen === 'given') return { kind: 'fail', stage: 'preparing', message: result.message };
        // The runner named its version: no other one will do.
        if (this.hinted === v) return { kind: 'fail', stage: 'spawn_sent', message: `runner ${this.start.runnerFile} speaks protocol version ${v} (its refusal said so), which cannot carry this request: ${result.message}` };
        this.refused.push({ version: v, reply: `not tried: ${result.message}` });
        this.learnable = false;
        if (this.chosen === 'remembered') this.chosen = 'detected'; // still right for the runner: not forgotten
        return this.nextVersion();
      case 'undelivered':
        // Known not to have started: a warm runner that died waiting is replaced by a new one, once.
        if (onWarm && !this.warmReplaced) {
          this.warmReplaced = true;
          return { kind: 'try', version: v, mayTakeWarm: false };
        }
        return { kind: 'fail', stage: 'spawn_sent', message: `${result.why} before the spawn request reached it${result.stderr}` };
      case 'silent':
        return { kind: 'fail', stage: 'spawn_sent', message: `${result.why} after the spawn request was written, without answering it: the command may have started, so it is not run again${result.stderr}` };
      case 'error':
        return this.afterError(result.payload, result.version);
    }
  }

  private afterError(payload: ErrorPayload, replyVersion: number): NextStep {
    const v = this.version;
    const said = `runner ${describeRunnerError(payload, this.start.windowsErrorText)}`;
    const meaning = meaningOfError(payload, replyVersion, v);
    if (meaning.kind === 'version-refusal') {
      if (this.chosen === 'given') return { kind: 'fail', stage: 'spawn_sent', message: `${said} (the session asked for protocol version ${v}; "auto" finds the runner's own)` };
      this.refused.push({ version: v, reply: 'code' in payload ? `error ${payload.code}: ${payload.message}` : `error at ${payload.stage}: ${payload.message}` });
      const forget = this.chosen === 'remembered';
      if (forget) this.chosen = 'detected'; // the file was replaced in place: search again
      const next = this.nextVersion(meaning.hint);
      return forget && next.kind === 'try' ? { ...next, forgetRemembered: true } : next;
    }
    if (meaning.kind === 'content-refusal') return { kind: 'fail', stage: 'spawn_sent', message: `${said} (a refusal in the version it was sent in: the runner speaks it, so no other version is tried)` };
    if (!this.logonRetried && this.start.isRefreshableLogonError(payload)) {
      this.logonRetried = true;
      // The next launch reads the credentials again (after codex's setup, for codex's users).
      return { kind: 'try', version: v, mayTakeWarm: false, logonFailure: ('windows_error_code' in payload ? payload.windows_error_code : null) ?? 0 };
    }
    return { kind: 'fail', stage: 'spawn_sent', message: said, spawnFailed: true };
  }

  /** The version a refusal named, else the newest not tried yet; or the error listing every try. */
  private nextVersion(hint?: ProtocolVersion): NextStep {
    const hinted = hint !== undefined && !this.tried.includes(hint);
    this.hinted = hinted ? hint : undefined;
    const next = hinted ? hint : PROTOCOL_VERSIONS.find((x) => !this.tried.includes(x));
    if (next === undefined) {
      const tries = this.refused.map((r) => `v${r.version}: ${r.reply}`).join('; ');
      return { kind: 'fail', stage: 'spawn_sent', message: `runner ${this.start.runnerFile} refused every protocol version this module speaks (${tries})` };
    }
    this.tried.push(next);
    this.version = next;
    return { kind: 'try', version: next, mayTakeWarm: false };
  }
}
