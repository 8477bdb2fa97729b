// What a bounded read waits on: woken by the next arrival (data, close, error) or by its own timeout,
// whichever comes first. Shared by the TCP connection and the UDP channel, which both buffer what arrives.
export class DataSignal {
  private wake: (() => void) | undefined;

  /** Something arrived: wake the read that waits, if any. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves at the next notify(), or after `ms` at the latest. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
