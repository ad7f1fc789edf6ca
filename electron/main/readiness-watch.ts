// The sandbox readiness of each codex home the sessions of codex's sandbox use (Windows; see
// SessionStatus.codexSandbox), for the panel (read-only), read with those sessions' own options
// (codexInstall, setupHelper, network), as their gate reads it. Reading is async (files,
// NetUserGetInfo on a worker thread), so it is kept here and read again when a new set of options
// appears or a session using it ends; each answer pokes the pushes. Never blocks the main thread;
// at most one read per set of options at a time, and a change during a read is read again after it.
import { sandboxReadiness } from '../../src/main/codex/home/readiness';
import { isFinalStage, type CodexSandboxUse, type SessionStatus } from '../../src/main/session/session-status';
import type { CodexHomeReadiness } from '../common/ipc-contract';

export type ReadinessReader = (use: CodexSandboxUse) => Promise<Pick<CodexHomeReadiness, 'state' | 'reasons'>>;

/** The session's gate's reading (sandbox-gate.ts), state and reasons only. */
export const readSandboxReadiness: ReadinessReader = (use) =>
  sandboxReadiness({
    codexHome: use.codexHome,
    ...(use.codexInstall !== undefined ? { codexInstall: use.codexInstall } : {}),
    ...(use.setupHelper ? { setupHelper: use.setupHelper } : {}),
    networkRestricted: use.networkRestricted,
  }).then(({ state, reasons }) => ({ state, reasons }));

interface Watched {
  use: CodexSandboxUse;
  /** Some session listed uses it; an entry no longer used is kept only until its read finishes. */
  inUse: boolean;
  /** The ended sessions seen using it: one more ending prompts a new read (setup may have run meanwhile). */
  ended: number;
  reading: boolean;
  /** Something changed while a read was in flight: read again when it finishes. */
  dirty: boolean;
  known?: CodexHomeReadiness;
}

/** The identity of a set of options: sessions sharing it share one line and one read. */
function keyOf(u: CodexSandboxUse): string {
  return JSON.stringify([u.codexHome, u.codexInstall ?? null, u.setupHelper ?? null, u.networkRestricted]);
}

export class ReadinessWatch {
  private readonly watched = new Map<string, Watched>();
  private disposed = false;

  constructor(
    private readonly onUpdate: () => void,
    private readonly read: ReadinessReader = readSandboxReadiness,
  ) {}

  /** Called with the sessions on every change: starts reads for new options, drops those no longer in use. */
  sessionsChanged(sessions: readonly SessionStatus[]): void {
    const now = new Map<string, { use: CodexSandboxUse; ended: number }>();
    for (const s of sessions) {
      if (!s.codexSandbox) continue;
      const key = keyOf(s.codexSandbox);
      const seen = now.get(key) ?? { use: s.codexSandbox, ended: 0 };
      if (isFinalStage(s.state)) seen.ended++;
      now.set(key, seen);
    }
    for (const [key, w] of this.watched) {
      if (now.has(key)) continue;
      if (w.reading) w.inUse = false;
      else this.watched.delete(key);
    }
    for (const [key, { use, ended }] of now) {
      const w = this.watched.get(key);
      if (!w) {
        const added: Watched = { use: { ...use }, inUse: true, ended, reading: false, dirty: false };
        this.watched.set(key, added);
        this.refresh(key, added);
      } else if (!w.inUse || w.ended !== ended) {
        // Back in use while its last read was in flight (that read may predate a setup), or a session ended.
        w.inUse = true;
        w.ended = ended;
        this.refresh(key, w);
      }
    }
  }

  list(): CodexHomeReadiness[] {
    return [...this.watched.values()].flatMap((w) => (w.inUse && w.known ? [w.known] : []));
  }

  dispose(): void {
    this.disposed = true;
  }

  private refresh(key: string, w: Watched): void {
    if (w.reading) {
      w.dirty = true;
      return;
    }
    w.reading = true;
    w.dirty = false;
    this.read(w.use)
      .then(
        (r): CodexHomeReadiness => ({ ...w.use, state: r.state, reasons: r.reasons }),
        (err: Error): CodexHomeReadiness => ({ ...w.use, state: 'update_required', reasons: [{ code: 'unreadable', message: `readiness could not be read: ${err.message}` }] }),
      )
      .then((r) => {
        w.reading = false;
        if (this.disposed) return;
        if (!w.inUse) {
          this.watched.delete(key);
          return;
        }
        w.known = r;
        this.onUpdate();
        if (w.dirty) this.refresh(key, w);
      });
  }
}
