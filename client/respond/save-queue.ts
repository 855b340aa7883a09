// Partial saves: one request at a time (so an older save never overwrites a newer one), debounced
// typing, immediate on page change, and a keepalive request when the page is being hidden/closed.

export interface SaveQueueOptions<T> {
  snapshot: () => T;
  send: (body: T, keepalive: boolean) => Promise<unknown>;
  /** Decides what a failed save means: try again later, or stop saving for good (e.g. a 409). */
  onFailure: (error: unknown) => 'retry' | 'stop';
  debounceMs?: number;
  retryMs?: number;
  /**
   * The state the server already holds or has no need of (what the page started from, when that
   * is the server's own state or an untouched fresh start): not sent until something changes. A
   * page merely opened then leaves no empty response behind, bound to the questionnaire version of
   * that moment (decision 023).
   */
  alreadySaved?: T;
}

export class SaveQueue<T> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = false;
  private again = false;
  private lastSent: string | null = null;
  private paused = false;
  private stopped = false;

  constructor(private readonly options: SaveQueueOptions<T>) {
    if (options.alreadySaved !== undefined) this.lastSent = JSON.stringify(options.alreadySaved);
  }

  /** Saves after a quiet period (value changes while typing). */
  schedule(): void {
    if (this.stopped || this.paused) return;
    this.clearTimer();
    this.timer = setTimeout(() => void this.flush(), this.options.debounceMs ?? 1500);
  }

  /** Saves now, or right after the save in flight. Resolves when this round is done. */
  async flush(): Promise<void> {
    this.clearTimer();
    if (this.stopped || this.paused) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const body = this.options.snapshot();
    const serialized = JSON.stringify(body);
    if (serialized === this.lastSent) return;
    this.inFlight = true;
    try {
      await this.options.send(body, false);
      this.lastSent = serialized;
    } catch (error) {
      if (!this.stopped && !this.paused) {
        if (this.options.onFailure(error) === 'stop') this.stop();
        else this.timer = setTimeout(() => void this.flush(), this.options.retryMs ?? 5000);
      }
    } finally {
      this.inFlight = false;
    }
    if (this.again) {
      this.again = false;
      await this.flush();
    }
  }

  /** The page may be going away: send with keepalive, without waiting (the browser finishes it). */
  flushOnExit(): void {
    this.clearTimer();
    if (this.stopped || this.paused) return;
    const body = this.options.snapshot();
    const serialized = JSON.stringify(body);
    if (serialized === this.lastSent && !this.inFlight) return;
    this.options.send(body, true).then(
      () => {
        this.lastSent = serialized;
      },
      () => {
        // Best effort: if it fails, the next visibility/page change or value change saves again.
      },
    );
  }

  /** While completing, partial saves would race the completion (and get 409 after it). */
  pause(): void {
    this.paused = true;
    this.clearTimer();
  }

  resume(): void {
    this.paused = false;
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
