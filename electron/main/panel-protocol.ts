// Electron glue: serves the panel from its own `codex-runner://panel` origin instead of file://, so
// the sender check has a real origin to compare and the page cannot read other local files.
import { protocol, type CustomScheme, type Session } from 'electron';
import { promises as fs } from 'node:fs';
import { PANEL_CSP, PANEL_SCHEME, resolvePanelFile } from './panel-files';

/**
 * The panel's scheme, for an app that registers privileged schemes of its own: Electron takes them
 * in one `protocol.registerSchemesAsPrivileged` call, so add this entry to it.
 */
export const PANEL_SCHEME_PRIVILEGES: CustomScheme = { scheme: PANEL_SCHEME, privileges: { standard: true, secure: true } };

/** Must run before the app's `ready` event (Electron only accepts privileged schemes then). */
export function registerPanelScheme(): void {
  protocol.registerSchemesAsPrivileged([PANEL_SCHEME_PRIVILEGES]);
}

const served = new WeakSet<Session>();

/** Serves `rendererDir` on the panel scheme in `session` (once per session). */
export function servePanel(session: Session, rendererDir: string): void {
  if (served.has(session)) return;
  served.add(session);
  session.protocol.handle(PANEL_SCHEME, async (request) => {
    const found = resolvePanelFile(rendererDir, request.url);
    if ('error' in found) return new Response(found.error, { status: found.status, headers: { 'content-type': 'text/plain' } });
    try {
      const body = await fs.readFile(found.file);
      return new Response(body, { headers: { 'content-type': found.contentType, 'content-security-policy': PANEL_CSP } });
    } catch {
      return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    }
  });
}
