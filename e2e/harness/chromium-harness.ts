// The chromium-harness project: Debian's Chromium (Edge on Windows) loads the REAL renderer (dist/renderer) and the
// REAL preload bundle, backed by a REAL SessionManager running real sessions with the real runner
// over real sockets. Only Electron's IPC transport is stood in for: `ipcRenderer.invoke` becomes a
// Playwright binding that calls the real main-side handlers (electron/main/ipc-handlers.ts) with a
// caller describing the calling frame, and `webContents.send` becomes a page.evaluate.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { SessionManager as SessionManagerClass } from '../../src/main/session/session-manager';
import type * as HandlersModule from '../../electron/main/ipc-handlers';
import type * as DemoModule from '../../examples/electron-demo/demo-sessions';
import type * as PanelFilesModule from '../../electron/main/panel-files';
import type * as ContractModule from '../../electron/common/ipc-contract';
import type { IpcCaller } from '../../electron/main/ipc-caller';
import { dist, requireBuilt } from './repo-paths';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
/** The panel's stand-in origin: routed by Playwright to dist/renderer, never a network request. */
export const HARNESS_ORIGIN = 'http://runner-panel.test';
const INVOKE_BINDING = '__runnerPipesHarnessInvoke';
const SESSIONS_PUSH = 'runner-pipes:sessions' satisfies ContractModule.PushChannel;
const PUSH_KEY = 'runnerPipesHarnessPush';

/** `executablePath`: from findHarnessBrowser() (Debian's Chromium, or Edge on Windows). */
export function launchHarnessBrowser(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export interface HarnessPanel {
  page: Page;
  manager: SessionManagerClass;
  close(): Promise<void>;
}

let nextContentsId = 1;

export async function openHarnessPanel(browser: Browser, demo: DemoModule.DemoSessionSpec[]): Promise<HarnessPanel> {
  const { SessionManager } = requireBuilt<{ SessionManager: typeof SessionManagerClass }>('src', 'main', 'session', 'session-manager.js');
  const { createRunnerPipesHandlers } = requireBuilt<typeof HandlersModule>('electron', 'main', 'ipc-handlers.js');
  const { startDemoSessions } = requireBuilt<typeof DemoModule>('examples', 'electron-demo', 'demo-sessions.js');
  const { resolvePanelFile, PANEL_CSP } = requireBuilt<typeof PanelFilesModule>('electron', 'main', 'panel-files.js');
  const { REQUEST_CHANNELS } = requireBuilt<typeof ContractModule>('electron', 'common', 'ipc-contract.js');

  const codexHome = await fs.mkdtemp(path.join(os.tmpdir(), 'runner-panel-e2e-'));
  // As the app's main process (examples/electron-demo/main.ts): this project's runner, opted in to running the
  // default profile unenforced (on Windows it refuses to otherwise; elsewhere it changes nothing).
  const manager = new SessionManager({ defaults: { runner: { kind: 'bundled', codexHome, allowUnenforcedPolicy: true } } });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const contentsId = nextContentsId++;
  const ipc = createRunnerPipesHandlers({ manager, policy: { origin: HARNESS_ORIGIN, isAppContents: (id) => id === contentsId } });

  // Serve the built renderer as Electron's panel-protocol.ts does: same path checks, same CSP.
  await page.route(`${HARNESS_ORIGIN}/**`, async (route) => {
    const found = resolvePanelFile(dist('renderer'), route.request().url(), HARNESS_ORIGIN);
    if ('error' in found) return route.fulfill({ status: found.status, body: found.error });
    await route.fulfill({ status: 200, body: await fs.readFile(found.file), headers: { 'content-type': found.contentType, 'content-security-policy': PANEL_CSP } });
  });

  await page.exposeBinding(INVOKE_BINDING, async (source, channel: unknown, args: unknown) => {
    if (typeof channel !== 'string' || !(REQUEST_CHANNELS as readonly string[]).includes(channel)) throw new Error(`no handler for channel ${String(channel)}`);
    const frame = source.frame;
    const caller: IpcCaller = {
      contentsId,
      frame: frame.isDetached() ? null : { url: frame.url(), isTop: frame.parentFrame() === null },
      push: (update) => {
        page
          .evaluate(([key, channelName, payload]) => (window as unknown as Record<symbol, (c: string, p: unknown) => void>)[Symbol.for(key)]?.(channelName, payload), [PUSH_KEY, SESSIONS_PUSH, update] as const)
          .catch(() => undefined); // the page closed mid-push: nothing to deliver to
      },
      // The page's 'close' stands in for the window's 'destroyed'.
      onGone: (listener) => {
        const fire = () => {
          page.off('close', fire);
          listener();
        };
        page.on('close', fire);
        return () => void page.off('close', fire);
      },
    };
    const handler = ipc.handlers[channel as ContractModule.RequestChannel] as (c: IpcCaller, a: readonly unknown[]) => Promise<unknown>;
    return handler(caller, Array.isArray(args) ? args : [args]);
  });

  const preload = await fs.readFile(dist('electron', 'preload', 'preload.bundle.js'), 'utf8');
  await page.addInitScript({ content: electronStandIn(preload) });

  startDemoSessions(manager, demo, { execPath: process.execPath, runAsNode: false, env: process.env, codexHome });
  await page.goto(`${HARNESS_ORIGIN}/index.html`);

  return {
    page,
    manager,
    async close() {
      ipc.dispose();
      await context.close();
      await manager.dispose();
      await fs.rm(codexHome, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }); // Windows: a runner's files may be released a moment after its exit
    },
  };
}

/**
 * The stand-in for Electron's side of the preload: `require('electron')` yields an ipcRenderer
 * whose invoke goes to the binding and whose `on` receives pushes, and a contextBridge that
 * exposes a frozen copy on window. The preload bundle itself runs unchanged.
 */
function electronStandIn(preloadSource: string): string {
  return `(() => {
  const invokeMain = window[${JSON.stringify(INVOKE_BINDING)}];
  // Electron pages have no such global: hide the binding like the rest of the transport.
  try { delete window[${JSON.stringify(INVOKE_BINDING)}]; } catch {}
  const listeners = new Map();
  const ipcRenderer = {
    invoke: (channel, ...args) => invokeMain(channel, args),
    on(channel, listener) { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(listener); return ipcRenderer; },
    removeListener(channel, listener) { listeners.get(channel)?.delete(listener); return ipcRenderer; },
  };
  const event = { sender: ipcRenderer, senderId: 0 };
  Object.defineProperty(window, Symbol.for(${JSON.stringify(PUSH_KEY)}), {
    value: (channel, payload) => { for (const l of [...(listeners.get(channel) ?? [])]) l(event, payload); },
  });
  const contextBridge = {
    exposeInMainWorld(key, api) { Object.defineProperty(window, key, { value: Object.freeze({ ...api }), enumerable: true }); },
  };
  const require = (name) => {
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error('sandboxed preload cannot require ' + name);
  };
  const module = { exports: {} };
  (function (require, module, exports) {
${preloadSource}
  })(require, module, module.exports);
})();`;
}
