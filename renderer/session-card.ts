// One session's card. The card and its terminate button persist across updates (focus and screen
// reader position survive the 5-per-second pushes); only the parts inside are redrawn.
import type { PipeStatus, SessionStatus, TrafficCounter } from '../electron/common/ipc-contract';
import { commandLine, endView, formatBytes, formatDuration, isActive, policyView, protocolView, runnerView, stageLabel, stateBadge, timeline, totalDuration } from './format';

type Children = (Node | string | null | undefined | false)[];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Children): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export class SessionCard {
  readonly root: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly title: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly terminate: HTMLButtonElement;
  private readonly setup: HTMLElement;
  private readonly body: HTMLElement;
  private status: SessionStatus;
  /** The last drawn status, serialized: pushes carry every session, most unchanged. */
  private drawn = '';
  /** The setup line changes rarely: redrawn only when it does, so an opened <details> stays open. */
  private drawnSetup = '';

  constructor(status: SessionStatus, onTerminate: (id: string, button: HTMLButtonElement) => void) {
    this.status = status;
    const titleId = `session-${status.id}-title`;
    this.badge = el('span', { class: 'badge' });
    this.title = el('h2', { id: titleId, class: 'command' });
    this.meta = el('p', { class: 'meta' });
    this.terminate = el('button', { type: 'button', class: 'terminate' }, 'Terminate');
    this.terminate.addEventListener('click', () => onTerminate(this.status.id, this.terminate));
    this.setup = el('dl', { class: 'setup', role: 'group', 'aria-label': 'runner setup' });
    this.body = el('div', { class: 'card-body' });
    this.root = el(
      'li',
      { class: 'card', 'aria-labelledby': titleId, 'data-session-id': status.id },
      el('header', { class: 'card-head' }, this.badge, el('div', { class: 'title-block' }, this.title, this.meta), this.terminate),
      this.setup,
      this.body,
    );
    this.update(status, Date.now());
  }

  update(status: SessionStatus, now: number, force = false): void {
    const key = JSON.stringify(status);
    if (key === this.drawn && !force) return;
    this.drawn = key;
    this.status = status;
    const badge = stateBadge(status);
    this.root.dataset.state = status.state;
    this.badge.className = `badge tone-${badge.tone}`;
    this.badge.textContent = badge.text;
    this.badge.setAttribute('aria-label', `state: ${badge.text}`);
    const line = commandLine(status.command);
    this.title.textContent = line;
    this.title.title = line;
    const total = totalDuration(status, now);
    this.meta.textContent = `${status.id} · ${status.tty ? `tty ${status.ttySize ? `${status.ttySize.cols}×${status.ttySize.rows}` : ''} · ` : ''}${total === null ? '' : formatDuration(total)}`;
    const active = isActive(status);
    this.terminate.hidden = !active;
    this.terminate.setAttribute('aria-label', `Terminate session ${status.id}: ${line}`);
    const setupKey = JSON.stringify([status.protocol, status.policy, status.runner]);
    if (setupKey !== this.drawnSetup) {
      this.drawnSetup = setupKey;
      this.setup.replaceChildren(...this.renderSetup(status));
    }
    this.body.replaceChildren(...this.renderBody(status, now));
  }

  /** Redraws only what depends on the clock (the current stage's running duration). */
  tick(now: number): void {
    if (isActive(this.status)) this.update(this.status, now, true);
  }

  /** Protocol version and how it was chosen, whether the policy is enforced, the runner file. */
  private renderSetup(s: SessionStatus): Node[] {
    const item = (name: string, ...value: Children) => el('div', { class: `setup-item setup-${name}` }, el('dt', {}, name), el('dd', {}, ...value));
    const protocol = protocolView(s.protocol);
    const protocolValue = protocol.refused.length
      ? el(
          'details',
          { class: 'refused' },
          el('summary', { title: protocol.refused.join('\n') }, protocol.text, el('span', { class: 'muted' }, ` (${protocol.refused.length} refused)`)),
          el('ul', {}, ...protocol.refused.map((r) => el('li', {}, r))),
        )
      : el('span', s.protocol ? {} : { class: 'muted' }, protocol.text);
    const policy = policyView(s.policy, s.runner);
    const policyValue = el(
      'span',
      { class: `policy ${policy.enforced ? 'enforced' : 'not-enforced'}`, role: 'note', 'aria-label': policy.label, title: s.policy.note },
      policy.text,
    );
    const runner = runnerView(s.runner);
    const runnerValue = runner ? el('span', { class: 'runner-file', title: runner.path }, runner.text) : el('span', { class: 'muted' }, '–');
    return [item('protocol', protocolValue), item('policy', policyValue), item('runner', runnerValue)];
  }

  private renderBody(s: SessionStatus, now: number): Node[] {
    const nodes: Node[] = [];
    if (s.failure) {
      nodes.push(
        el(
          'div',
          { class: 'failure', role: 'alert' },
          el('strong', {}, `Failed at stage “${stageLabel(s.failure.stage)}”`),
          el('pre', { class: 'failure-message' }, s.failure.message),
        ),
      );
    }
    nodes.push(this.renderTimeline(s, now));
    nodes.push(el('div', { class: 'grid' }, this.renderPipes(s), this.renderProcess(s), this.renderTraffic(s)));
    return nodes;
  }

  private renderTimeline(s: SessionStatus, now: number): HTMLElement {
    const steps = timeline(s, now).map((step) =>
      el(
        'li',
        { class: `step${step.current ? ' current' : ''}${step.failedHere ? ' failed-here' : ''} stage-${step.stage}`, ...(step.current ? { 'aria-current': 'step' } : {}) },
        el('span', { class: 'chip' }, el('span', { class: 'step-name' }, step.label), step.ms !== null && el('span', { class: 'step-time' }, formatDuration(step.ms))),
      ),
    );
    return el('ol', { class: 'timeline', 'aria-label': 'stages' }, ...steps);
  }

  private renderPipes(s: SessionStatus): HTMLElement {
    const pipe = (role: string, p: PipeStatus | undefined) =>
      el(
        'div',
        { class: 'pipe' },
        el('dt', {}, `pipe-${role}`),
        el(
          'dd',
          {},
          p ? el('code', { class: 'pipe-name' }, p.name) : el('span', { class: 'muted' }, 'not created'),
          p && el('span', { class: `conn ${p.connected ? 'yes' : 'no'}` }, p.connected ? `connected${p.clientPid !== undefined ? ` · client pid ${p.clientPid}` : ''}` : 'not connected'),
          p?.access && el('code', { class: 'access', title: 'who may open it' }, p.access),
        ),
      );
    return el('section', { class: 'panel-section', 'aria-label': 'pipes' }, el('h3', {}, 'Pipes'), el('dl', {}, pipe('in', s.pipes.in), pipe('out', s.pipes.out)));
  }

  private renderProcess(s: SessionStatus): HTMLElement {
    const row = (k: string, v: string) => el('div', { class: 'kv' }, el('dt', {}, k), el('dd', {}, v));
    const exit = s.exitCode === undefined ? '–' : String(s.exitCode);
    return el(
      'section',
      { class: 'panel-section', 'aria-label': 'processes' },
      el('h3', {}, 'Processes'),
      el('dl', {}, row('runner pid', s.runnerPid?.toString() ?? '–'), row('child pid', s.childPid?.toString() ?? '–'), row('exit code', exit), row('ended', endView(s))),
    );
  }

  private renderTraffic(s: SessionStatus): HTMLElement {
    const row = (name: string, c: TrafficCounter) =>
      el('tr', { 'data-stream': name }, el('th', { scope: 'row' }, name), el('td', { class: 'bytes', 'data-bytes': String(c.bytes) }, formatBytes(c.bytes)), el('td', { class: 'frames' }, String(c.frames)));
    const t = s.traffic;
    return el(
      'section',
      { class: 'panel-section', 'aria-label': 'traffic' },
      el('h3', {}, 'Traffic'),
      el(
        'table',
        { class: 'traffic' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'stream'), el('th', { scope: 'col' }, 'bytes'), el('th', { scope: 'col' }, 'frames'))),
        el('tbody', {}, row('stdout', t.stdout), row('stderr', t.stderr), row('stdin', t.stdin), row('to runner', t.toRunner), row('from runner', t.fromRunner)),
      ),
    );
  }
}
