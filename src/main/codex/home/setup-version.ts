// codex's SETUP_VERSION (windows-sandbox-rs setup.rs): the marker, the users file and the helper's
// payload must all carry it; codex runs its elevated setup again for any other. 5 from codex ~0.150
// to 0.171.0 (the helper says "setup version mismatch: expected 5, got N").
export const SETUP_VERSION = 5;

/** codex's sandbox accounts (setup.rs OFFLINE_USERNAME / ONLINE_USERNAME). */
export const OFFLINE_USERNAME = 'CodexSandboxOffline';
export const ONLINE_USERNAME = 'CodexSandboxOnline';
