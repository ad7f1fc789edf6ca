// The fields codex's setup helper reads in every mode (setup.rs `Payload`), declared once: the
// refresh (refresh-payload.ts) and the elevated provisioning (sandbox-setup/provision-payload.ts)
// each add their own. Types only: each builder's object literal keeps the order the helper's
// release was sent.
export interface SetupPayloadCommon {
  version: number;
  offline_username: string;
  online_username: string;
  codex_home: string;
  command_cwd: string;
  read_roots: string[];
  write_roots: string[];
  deny_read_paths: string[];
  deny_write_paths: string[];
  proxy_ports: number[];
  allow_local_binding: boolean;
  otel: null;
  real_user: string;
}
