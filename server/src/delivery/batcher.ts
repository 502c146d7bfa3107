/**
 * Runs many small, independent database operations as few statements: items added while a
 * batch is being written wait and go together in the next one. Nothing waits on a timer: an
 * item added to an idle batcher goes out on the next turn of the event loop, so a lone
 * delivery is not slowed, and under load each statement carries every item that came in
 * meanwhile.
 */
export class Batcher<I, O> {
  private pending: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    /** Writes the items; resolves with one result per item, in the same order. */
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 100,
    private readonly maxInFlight = 2,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.pending.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      this.inFlight++;
      this.run(batch.map((b) => b.item))
        .then(
          (results) => {
            if (results.length !== batch.length) throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
            batch.forEach((b, i) => b.resolve(results[i]!));
          },
          (error: unknown) => {
            for (const b of batch) b.reject(error);
          },
        )
        .catch((error: unknown) => {
          for (const b of batch) b.reject(error);
        })
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}

/** Runs at most `max` operations at a time; the others wait in turn (in memory, holding nothing). */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await operation();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
