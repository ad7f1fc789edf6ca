// A job object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, as upstream puts every child in: the
// command's whole tree ends with one call, and if the runner dies, Windows closes the handle and
// ends the tree for it. No breakaway flags: a process in the job cannot leave it, silently or by
// CREATE_BREAKAWAY_FROM_JOB (Windows refuses that with error 5). Every command child is created by
// the runner itself, suspended, and assigned before it runs (JobChild for pipes, ConPty for a
// terminal), so nothing escapes; libuv's own job, which child_process.spawn uses, lets grandchildren go.
import { lazyApi, win32, type Win32Api } from '../../os/win32/win32-api';

interface JobApi {
  CreateJobObjectW(attributes: null, name: null): number;
  SetInformationJobObject(job: number, infoClass: number, info: Buffer, size: number): number;
  AssignProcessToJobObject(job: number, process: number): number;
  TerminateJobObject(job: number, exitCode: number): number;
}

const jobApi = lazyApi<JobApi>((dll) => {
  const kernel32 = dll('kernel32.dll');
  return {
    CreateJobObjectW: kernel32.func('intptr_t __stdcall CreateJobObjectW(void *attributes, void *name)'),
    SetInformationJobObject: kernel32.func('int __stdcall SetInformationJobObject(intptr_t job, int infoClass, uint8_t *info, uint32_t size)'),
    AssignProcessToJobObject: kernel32.func('int __stdcall AssignProcessToJobObject(intptr_t job, intptr_t process)'),
    TerminateJobObject: kernel32.func('int __stdcall TerminateJobObject(intptr_t job, uint32_t exitCode)'),
  };
});

const JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x00002000;
const JobObjectExtendedLimitInformation = 9;
/** sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) on x64; LimitFlags at offset 16. */
const JOB_EXTENDED_LIMIT_SIZE = 144;

export class KillOnCloseJob {
  private constructor(
    private readonly api: Win32Api & JobApi,
    private handle: number,
  ) {}

  static create(): KillOnCloseJob {
    const api = { ...win32(), ...jobApi() };
    const handle = api.CreateJobObjectW(null, null);
    if (!handle) throw new Error(`CreateJobObjectW failed: Win32 error ${api.GetLastError()}`);
    const job = new KillOnCloseJob(api, handle);
    const limits = Buffer.alloc(JOB_EXTENDED_LIMIT_SIZE);
    limits.writeUInt32LE(JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, 16); // BasicLimitInformation.LimitFlags
    if (!api.SetInformationJobObject(handle, JobObjectExtendedLimitInformation, limits, JOB_EXTENDED_LIMIT_SIZE)) {
      const error = new Error(`SetInformationJobObject failed: Win32 error ${api.GetLastError()}`);
      job.close();
      throw error;
    }
    return job;
  }

  /** Puts a process (by handle) in the job. */
  assign(processHandle: number): void {
    if (!this.api.AssignProcessToJobObject(this.handle, processHandle)) {
      throw new Error(`AssignProcessToJobObject failed: Win32 error ${this.api.GetLastError()}`);
    }
  }

  /** Ends every process in the job. */
  terminate(exitCode: number): boolean {
    return this.handle !== 0 && this.api.TerminateJobObject(this.handle, exitCode) !== 0;
  }

  /** Closes the job; whatever is still in it is ended (kill on close). Idempotent. */
  close(): void {
    if (this.handle) this.api.CloseHandle(this.handle);
    this.handle = 0;
  }

  get closed(): boolean {
    return this.handle === 0;
  }
}
