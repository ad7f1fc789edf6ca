// A runner that starts and never opens its pipes (the users' most reported failure).
setTimeout(() => {}, 60_000);
