import { test } from 'node:test';
import assert from 'node:assert/strict';
import { panelWebPreferences } from '../../../electron/main/window-preferences';

test('the panel window is locked down, with DevTools only in development', () => {
  const dev = panelWebPreferences({ preload: '/p.js', isPackaged: false });
  assert.deepEqual(dev, {
    preload: '/p.js',
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: true,
  });
  assert.equal(panelWebPreferences({ preload: '/p.js', isPackaged: false, devTools: false }).devTools, false);
  assert.equal(panelWebPreferences({ preload: '/p.js', isPackaged: true }).devTools, false);
  assert.equal(panelWebPreferences({ preload: '/p.js', isPackaged: true, devTools: true }).devTools, false); // cannot be turned on
});
