// The panel's entry: subscribes through the preload's bridge and keeps one card per session.
import type { CodexHomeReadiness, PoolStatus, RunnerPipesApi, SessionStatus } from '../electron/common/ipc-contract';
import { poolItems, readinessText, summarize, summaryText } from './format';
import { SessionCard } from './session-card';

declare global {
  interface Window {
    runnerPipes?: RunnerPipesApi;
  }
}

const list = document.getElementById('sessions') as HTMLUListElement;
const empty = document.getElementById('empty') as HTMLElement;
const summary = document.getElementById('summary') as HTMLElement;
const errors = document.getElementById('errors') as HTMLElement;
const pools = document.getElementById('pools-list') as HTMLElement;
const readinessList = document.getElementById('readiness') as HTMLUListElement;
const cards = new Map<string, SessionCard>();

function showError(text: string): void {
  errors.textContent = text;
  errors.hidden = false;
}

function render(sessions: SessionStatus[], warmPools: PoolStatus[], readiness: CodexHomeReadiness[] = []): void {
  const now = Date.now();
  const seen = new Set<string>();
  for (const status of sessions) {
    seen.add(status.id);
    let card = cards.get(status.id);
    if (card) card.update(status, now);
    else {
      card = new SessionCard(status, terminate);
      cards.set(status.id, card);
    }
    list.append(card.root); // keeps the manager's order; moving an element keeps its focus state
  }
  for (const [id, card] of cards) {
    if (seen.has(id)) continue;
    card.root.remove();
    cards.delete(id);
  }
  empty.hidden = sessions.length > 0;
  list.hidden = sessions.length === 0;
  summary.textContent = summaryText(summarize(sessions));
  renderPools(warmPools);
  renderReadiness(readiness);
}

/** One line per codex home in use: its state, and each reason's code with its message as the tooltip. */
function renderReadiness(readiness: CodexHomeReadiness[]): void {
  readinessList.hidden = readiness.length === 0;
  readinessList.replaceChildren(
    ...readiness.map((r) => {
      const item = document.createElement('li');
      item.className = `readiness-item readiness-${r.state}`;
      item.dataset.state = r.state;
      item.textContent = readinessText(r);
      item.title = r.reasons.map((x) => `${x.code}: ${x.message}`).join('\n');
      return item;
    }),
  );
}

/** One span per pool, so a long line wraps between pools, never inside one. */
function renderPools(warmPools: PoolStatus[]): void {
  const items = poolItems(warmPools);
  if (items.length === 0) return void (pools.textContent = 'none');
  pools.replaceChildren(
    ...items.flatMap((text, i) => {
      const span = document.createElement('span');
      span.className = 'pool';
      span.textContent = text;
      return i === 0 ? [span] : [' · ', span];
    }),
  );
}

function terminate(id: string, button: HTMLButtonElement): void {
  button.disabled = true;
  button.textContent = 'Terminating…';
  window.runnerPipes!.terminate(id).catch((err: unknown) => {
    button.disabled = false;
    button.textContent = 'Terminate';
    showError(`Could not terminate ${id}: ${err instanceof Error ? err.message : String(err)}`);
  });
}

if (!window.runnerPipes) {
  showError('The runner-pipes bridge is missing: the preload did not run.');
} else {
  window.runnerPipes.subscribe(render);
  // The current stage's duration keeps counting between pushes.
  setInterval(() => {
    const now = Date.now();
    for (const card of cards.values()) card.tick(now);
  }, 1000);
}
