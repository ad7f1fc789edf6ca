/**
 * Copyright (c) 2017, Daniel Imms (MIT License).
 * Copyright (c) 2018, Microsoft Corporation (MIT License).
 */
// Ported from microsoft/node-pty src/windowsTerminal.test.ts at v1.1.0, commit
// 61b9b071155b84da4f50bac6945e4ac37ffb2c08 (MIT; its notice is ../LICENSE): its platform-neutral
// tests, run on POSIX (upstream's `if (process.platform === 'win32')` becomes `!== 'win32'`).
// Changed: the imports (pty-under-test.cjs; WindowsTerminal becomes the platform's terminal, the
// class spawn() constructs), the runner (node:test through mocha-style.cjs), TypeScript's types
// dropped, and cmd.exe's command lines become /bin/sh's (each marked "upstream:"). `(<any>term)._defer(fn)`, WindowsTerminal's private wait for its conpty
// agent, has nothing to wait for on POSIX (node-pty's UnixTerminal has no _defer): fn runs at once.
// The Windows options stay in every spawn: on POSIX they are accepted and ignored, as node-pty does.
// Left out, not platform-neutral: 'kill should kill the process tree' (cmd.exe, powershell.exe and
// node.exe found by name with ps-list: Windows' console process tree) and 'Args as CommandLine'
// (cmd.exe in a folder with a space, a pre-escaped Windows command line).
// Every assertion kept is upstream's.

const assert = require('assert');
const { describe, it } = require('./mocha-style.cjs');
const { UnixTerminal: WindowsTerminal } = require('./pty-under-test.cjs');

if (process.platform !== 'win32') {
  [[false, false], [true, false], [true, true]].forEach(([useConpty, useConptyDll]) => {
    describe(`WindowsTerminal (useConpty = ${useConpty}, useConptyDll = ${useConptyDll})`, () => {
      describe('kill', () => {
        it('should not crash parent process', function (done) {
          this.timeout(20000);
          const term = new WindowsTerminal('/bin/sh', [], { useConpty, useConptyDll }); // upstream: 'cmd.exe', []
          term.on('exit', () => done());
          term.kill();
        });
      });

      describe('resize', () => {
        it('should throw a non-native exception when resizing an invalid value', function(done) {
          this.timeout(20000);
          const term = new WindowsTerminal('/bin/sh', [], { useConpty, useConptyDll }); // upstream: 'cmd.exe', []
          assert.throws(() => term.resize(-1, -1));
          assert.throws(() => term.resize(0, 0));
          assert.doesNotThrow(() => term.resize(1, 1));
          term.on('exit', () => {
            done();
          });
          term.kill();
        });
        it('should throw a non-native exception when resizing a killed terminal', function(done) {
          this.timeout(20000);
          const term = new WindowsTerminal('/bin/sh', [], { useConpty, useConptyDll }); // upstream: 'cmd.exe', []
          // upstream: (<any>term)._defer(() => { ... });
          term.once('exit', () => {
            assert.throws(() => term.resize(1, 1));
            done();
          });
          term.destroy();
        });
      });

      describe('env', () => {
        it('should set environment variables of the shell', function (done) {
          this.timeout(10000);
          const term = new WindowsTerminal('/bin/sh', ['-c', 'echo $FOO'], { useConpty, useConptyDll, env: { FOO: 'BAR' }}); // upstream: 'cmd.exe', '/C echo %FOO%'
          let result = '';
          term.on('data', (data) => {
            result += data;
          });
          term.on('exit', () => {
            assert.ok(result.indexOf('BAR') >= 0);
            done();
          });
        });
      });

      describe('On close', () => {
        it('should return process zero exit codes', function (done) {
          this.timeout(10000);
          const term = new WindowsTerminal('/bin/sh', ['-c', 'exit'], { useConpty, useConptyDll }); // upstream: 'cmd.exe', '/C exit'
          term.on('exit', (code) => {
            assert.strictEqual(code, 0);
            done();
          });
        });

        it('should return process non-zero exit codes', function (done) {
          this.timeout(10000);
          const term = new WindowsTerminal('/bin/sh', ['-c', 'exit 2'], { useConpty, useConptyDll }); // upstream: 'cmd.exe', '/C exit 2'
          term.on('exit', (code) => {
            assert.strictEqual(code, 2);
            done();
          });
        });
      });

      describe('Write', () => {
        it('should accept input', function (done) {
          this.timeout(10000);
          const term = new WindowsTerminal('/bin/sh', [], { useConpty, useConptyDll }); // upstream: 'cmd.exe', ''
          term.write('exit\r');
          term.on('exit', () => {
            done();
          });
        });
      });
    });
  });
}
