import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { PANEL_ORIGIN, resolvePanelFile } from '../../../electron/main/panel-files';

const root = path.resolve('/app/renderer');

test('panel URLs map to files in the renderer folder with their content type', () => {
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/`), { file: path.join(root, 'index.html'), contentType: 'text/html; charset=utf-8' });
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/panel.bundle.js?v=1`), { file: path.join(root, 'panel.bundle.js'), contentType: 'text/javascript; charset=utf-8' });
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/panel.css`), { file: path.join(root, 'panel.css'), contentType: 'text/css; charset=utf-8' });
});

test('anything outside the folder, at another origin or of another type is refused', () => {
  // `..`, plain or escaped, is clamped at the panel folder: it never names a file above it.
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/%2e%2e/%2e%2e/etc/passwd.html`), { file: path.join(root, 'etc', 'passwd.html'), contentType: 'text/html; charset=utf-8' });
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/..%2f..%2fsecret.js`), { file: path.join(root, 'secret.js'), contentType: 'text/javascript; charset=utf-8' });
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/..%5c..%5csecret.js`), { error: 'backslash in path: /..\\..\\secret.js', status: 400 });
  assert.deepEqual(resolvePanelFile(root, 'codex-runner://elsewhere/index.html'), { error: 'wrong origin: codex-runner://elsewhere/index.html', status: 404 });
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/main.js.map`), { error: 'not a panel file type: /main.js.map', status: 404 });
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/a%00.js`), { error: 'NUL in path', status: 400 });
  assert.deepEqual(resolvePanelFile(root, `${PANEL_ORIGIN}/%E0%A4%A`), { error: `bad escape in ${PANEL_ORIGIN}/%E0%A4%A`, status: 400 });
  assert.deepEqual(resolvePanelFile(root, 'nonsense'), { error: 'not a URL: nonsense', status: 400 });
});
