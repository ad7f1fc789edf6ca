// The payload codex's parent hands its setup helper to provision the sandbox (setup.rs
// `elevated_provisioning_payload`): mode "interactive-provision", command_cwd = codex_home, every
// root list empty, refresh_only false. Field for field and in the same order as codex.exe 0.171.0
// sends it (captured under Wine from its own elevated setup): 15 fields, no `user_profile`, and no
// `runtime` (upstream skips it while it is "legacy"). The helper takes standard base64 of the JSON
// as its one argument.
import { OFFLINE_USERNAME, ONLINE_USERNAME, SETUP_VERSION } from '../home/setup-version';
import type { SetupPayloadCommon } from '../sandbox-prep/setup-payload';

export interface ProvisionPayload extends SetupPayloadCommon {
  mode: 'interactive-provision';
  refresh_only: false;
}

export interface ProvisionRequest {
  /** As the app names it (upstream passes CODEX_HOME unchanged). */
  codexHome: string;
  /** `DOMAIN\user` of this process's token (platform/win32/current-user.ts). */
  realUser: string;
  /** The offline user's firewall settings (setup.rs OfflineProxySettings); default none, as codex.exe with no proxy. */
  proxyPorts?: number[];
  allowLocalBinding?: boolean;
}

export function provisionPayload(r: ProvisionRequest): ProvisionPayload {
  if (typeof r.codexHome !== 'string' || r.codexHome === '') throw new TypeError('the codex home must be a non-empty path');
  if (typeof r.realUser !== 'string' || !r.realUser.includes('\\')) throw new TypeError(`real_user must be DOMAIN\\user, got ${JSON.stringify(r.realUser)}`);
  const ports = [...new Set(r.proxyPorts ?? [])].sort((a, b) => a - b);
  const bad = ports.find((p) => !Number.isInteger(p) || p < 1 || p > 65535);
  if (bad !== undefined) throw new RangeError(`proxy port ${bad} is not 1..65535`);
  return {
    version: SETUP_VERSION,
    offline_username: OFFLINE_USERNAME,
    online_username: ONLINE_USERNAME,
    codex_home: r.codexHome,
    command_cwd: r.codexHome,
    read_roots: [],
    write_roots: [],
    deny_read_paths: [],
    deny_write_paths: [],
    proxy_ports: ports,
    allow_local_binding: r.allowLocalBinding === true,
    otel: null,
    real_user: r.realUser,
    mode: 'interactive-provision',
    refresh_only: false,
  };
}

/** The helper's one argument. */
export function encodeProvisionPayload(payload: ProvisionPayload): string {
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64');
}
