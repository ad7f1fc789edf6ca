// Maps a panel URL to a file in the renderer folder, refusing anything outside it. Plain logic so
// the path checks are tested under Node; panel-protocol.ts serves the result.
import * as path from 'node:path';

export const PANEL_SCHEME = 'codex-runner';
export const PANEL_HOST = 'panel';
export const PANEL_ORIGIN = `${PANEL_SCHEME}://${PANEL_HOST}`;
export const PANEL_URL = `${PANEL_ORIGIN}/index.html`;

/** Sent with every panel file (the meta tag in index.html says the same). */
export const PANEL_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export type PanelFile = { file: string; contentType: string } | { error: string; status: number };

/** The file `url` names under `rendererDir`, or why it is refused. */
export function resolvePanelFile(rendererDir: string, url: string, origin = PANEL_ORIGIN): PanelFile {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `not a URL: ${url}`, status: 400 };
  }
  if (`${parsed.protocol}//${parsed.host}` !== origin) return { error: `wrong origin: ${url}`, status: 404 };
  let rel: string;
  try {
    rel = decodeURIComponent(parsed.pathname);
  } catch {
    return { error: `bad escape in ${url}`, status: 400 };
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel.includes('\0')) return { error: 'NUL in path', status: 400 };
  // A backslash is a separator on Windows: `..\` would slip past the posix normalization below.
  if (rel.includes('\\')) return { error: `backslash in path: ${rel}`, status: 400 };
  const root = path.resolve(rendererDir);
  // Normalizing from '/' clamps `..` at the root; the containment check is the second guard.
  const file = path.resolve(root, '.' + path.posix.normalize(rel));
  if (file !== root && !file.startsWith(root + path.sep)) return { error: `outside the panel folder: ${rel}`, status: 403 };
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (!contentType) return { error: `not a panel file type: ${rel}`, status: 404 };
  return { file, contentType };
}
