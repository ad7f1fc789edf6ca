// What a child or a session printed so far, and waits for a pattern in it that give up, showing
// the text, once nothing more can come. The tests' one way to wait on output.
export class OutputWatch {
  private printed = '';
  private ended?: string;
  private readonly waiters = new Set<() => void>();

  /** `view` is what patterns are matched against (e.g. the text without VT sequences). */
  constructor(private readonly view: (text: string) => string = (text) => text) {}

  get text(): string {
    return this.printed;
  }

  append(chunk: Buffer | string): void {
    this.printed += chunk.toString();
    this.wake();
  }

  /** Nothing more will come; `why` begins the error of every wait still open. */
  end(why: string): void {
    this.ended ??= why;
    this.wake();
  }

  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.view(this.printed).match(pattern);
        if (match) {
          this.waiters.delete(check);
          resolve(match);
        } else if (this.ended !== undefined) {
          this.waiters.delete(check);
          reject(new Error(`${this.ended} without printing ${pattern}; it printed ${JSON.stringify(this.printed)}`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
