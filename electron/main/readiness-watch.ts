// The sandbox readiness of each codex home the sessions use, for the panel (read-only). Reading it
// is async (files, NetUserGetInfo on a worker thread), so it is kept here and read again when the
// set of homes changes or a session in a home ends; each answer pokes the pushes. Never blocks the
// main thread; at most one read per home at a time.
import { sandboxReadiness } from '../../src/codex-home/readiness';
import type { SessionStatus } from '../../src/session/session-status';
import type { CodexHomeReadiness } from '../common/ipc-contract';

export type ReadinessReader = (codexHome: string) => Promise<Omit<CodexHomeReadiness, 'codexHome'>>;

export class ReadinessWatch {
  private readonly known = new Map<string, CodexHomeReadiness>();
  private readonly reading = new Set<string>();
  /** Per home: the ended sessions seen, so one ending prompts a new read (setup may have run meanwhile). */
  private readonly ended = new Map<string, number>();
  private disposed = false;

  constructor(
    private readonly onUpdate: () => void,
    private readonly read: ReadinessReader = (codexHome) => sandboxReadiness({ codexHome }).then(({ state, reasons }) => ({ state, reasons })),
  ) {}

  /** Called with the sessions on every change: starts reads for new homes, drops homes no longer in use. */
  sessionsChanged(sessions: readonly SessionStatus[]): void {
    const homes = new Map<string, number>();
    for (const s of sessions) {
      if (!s.codexHome) continue;
      const ended = s.state === 'exited' || s.state === 'failed' ? 1 : 0;
      homes.set(s.codexHome, (homes.get(s.codexHome) ?? 0) + ended);
    }
    for (const home of [...this.known.keys()]) if (!homes.has(home)) this.known.delete(home);
    for (const [home, ended] of homes) {
      if (!this.known.has(home) || (this.ended.get(home) ?? 0) !== ended) this.refresh(home);
      this.ended.set(home, ended);
    }
    for (const home of [...this.ended.keys()]) if (!homes.has(home)) this.ended.delete(home);
  }

  list(): CodexHomeReadiness[] {
    return [...this.known.values()];
  }

  dispose(): void {
    this.disposed = true;
  }

  private refresh(home: string): void {
    if (this.reading.has(home)) return;
    this.reading.add(home);
    this.read(home)
      .then(
        (r) => ({ codexHome: home, state: r.state, reasons: r.reasons }),
        (err: Error): CodexHomeReadiness => ({ codexHome: home, state: 'update_required', reasons: [{ code: 'unreadable', message: `readiness could not be read: ${err.message}` }] }),
      )
      .then((r) => {
        this.reading.delete(home);
        if (this.disposed || !this.ended.has(home)) return;
        this.known.set(home, r);
        this.onUpdate();
      });
  }
}
