/**
 * Copyright (c) 2019, Microsoft Corporation (MIT License).
 */
// microsoft/node-pty src/testUtils.test.ts at v1.1.0, commit 61b9b071155b84da4f50bac6945e4ac37ffb2c08
// (MIT; ../LICENSE), as CommonJS without its types. (Upstream names it testUtils.test.ts; it holds no tests.)

function pollUntil(cb, timeout, interval) {
  return new Promise((resolve, reject) => {
    const intervalId = setInterval(() => {
      if (cb()) {
        clearInterval(intervalId);
        clearTimeout(timeoutId);
        resolve();
      }
    }, interval);
    const timeoutId = setTimeout(() => {
      clearInterval(intervalId);
      if (cb()) {
        resolve();
      } else {
        reject();
      }
    }, timeout);
  });
}

module.exports = { pollUntil };
