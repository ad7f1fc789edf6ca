/**
 * Copyright (c) 2017, Daniel Imms (MIT License).
 * Copyright (c) 2018, Microsoft Corporation (MIT License).
 */
// Ported from microsoft/node-pty src/terminal.test.ts at v1.1.0, commit
// 61b9b071155b84da4f50bac6945e4ac37ffb2c08 (MIT; its notice is ../LICENSE). Changed: the imports
// (pty-under-test.cjs), the runner (node:test through mocha-style.cjs), TypeScript's types dropped.
// Every assertion is upstream's.

const assert = require('assert');
const { describe, it } = require('./mocha-style.cjs');
const { UnixTerminal, WindowsTerminal, Terminal, unixTerminalModule } = require('./pty-under-test.cjs');

const terminalConstructor = (process.platform === 'win32') ? WindowsTerminal : UnixTerminal;
const SHELL = (process.platform === 'win32') ? 'cmd.exe' : '/bin/bash';

let terminalCtor;
if (process.platform === 'win32') {
  terminalCtor = WindowsTerminal;
} else {
  terminalCtor = unixTerminalModule;
}

class TestTerminal extends Terminal {
  checkType(name, value, type, allowArray = false) {
    this._checkType(name, value, type, allowArray);
  }
  _write(data) {
    throw new Error('Method not implemented.');
  }
  resize(cols, rows) {
    throw new Error('Method not implemented.');
  }
  clear() {
    throw new Error('Method not implemented.');
  }
  destroy() {
    throw new Error('Method not implemented.');
  }
  kill(signal) {
    throw new Error('Method not implemented.');
  }
  get process() {
    throw new Error('Method not implemented.');
  }
  get master() {
    throw new Error('Method not implemented.');
  }
  get slave() {
    throw new Error('Method not implemented.');
  }
}

describe('Terminal', () => {
  describe('constructor', () => {
    it('should do basic type checks', () => {
      assert.throws(
        () => new (terminalCtor)('a', 'b', { 'name': {} }),
        'name must be a string (not a object)'
      );
    });
  });

  describe('checkType', () => {
    it('should throw for the wrong type', () => {
      const t = new TestTerminal();
      assert.doesNotThrow(() => t.checkType('foo', 'test', 'string'));
      assert.doesNotThrow(() => t.checkType('foo', 1, 'number'));
      assert.doesNotThrow(() => t.checkType('foo', {}, 'object'));

      assert.throws(() => t.checkType('foo', 'test', 'number'));
      assert.throws(() => t.checkType('foo', 1, 'object'));
      assert.throws(() => t.checkType('foo', {}, 'string'));
    });
    it('should throw for wrong types within arrays', () => {
      const t = new TestTerminal();
      assert.doesNotThrow(() => t.checkType('foo', ['test'], 'string', true));
      assert.doesNotThrow(() => t.checkType('foo', [1], 'number', true));
      assert.doesNotThrow(() => t.checkType('foo', [{}], 'object', true));

      assert.throws(() => t.checkType('foo', ['test'], 'number', true));
      assert.throws(() => t.checkType('foo', [1], 'object', true));
      assert.throws(() => t.checkType('foo', [{}], 'string', true));
    });
  });

  describe('automatic flow control', () => {
    it('should respect ctor flow control options', () => {
      const pty = new terminalConstructor(SHELL, [], {handleFlowControl: true, flowControlPause: 'abc', flowControlResume: '123'});
      assert.equal(pty.handleFlowControl, true);
      assert.equal(pty._flowControlPause, 'abc');
      assert.equal(pty._flowControlResume, '123');
    });
    // (upstream keeps a commented-out 'should do flow control automatically' test here: "I don't
    // think this test ever worked due to pollUntil being used incorrectly")
  });
});

function stripEscapeSequences(data) {
  return data.replace(/\u001b\[0K/, '');
}
