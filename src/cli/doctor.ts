// `codex-runner-ipc doctor`: walks every step a session takes on this machine and says what holds,
// what fails, why, and the fix. Users' top complaint about the real thing is a 15 s timeout with
// no cause; every check here names its cause.
import * as path from 'node:path';
import type { DoctorArgs } from './cli-args';
import { doctorChecks, formatDoctorReport } from './doctor-checks';

export async function runDoctor(args: DoctorArgs): Promise<number> {
  const report = await doctorChecks({
    codexHome: args.codexHome,
    ...(args.setupHelper !== undefined ? { setupHelper: path.resolve(args.setupHelper) } : {}),
    ...(args.codexInstall !== undefined ? { codexInstall: args.codexInstall } : {}),
  });
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report)}\n`);
  return report.sessionWorked ? 0 : 1;
}
