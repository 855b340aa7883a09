import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { SaveQueue } from '../../../client/respond/save-queue';

interface Body {
  n: number;
}

function setup(onFailure: (e: unknown) => 'retry' | 'stop' = () => 'retry', alreadySaved?: Body) {
  let n = 0;
  const sent: { body: Body; keepalive: boolean }[] = [];
  const pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const queue = new SaveQueue<Body>({
    snapshot: () => ({ n }),
    send: (body, keepalive) => {
      sent.push({ body, keepalive });
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    },
    onFailure,
    debounceMs: 1000,
    retryMs: 5000,
    alreadySaved,
  });
  return { queue, sent, pending, set: (v: number) => (n = v) };
}

// Lets the queue's promise callbacks run.
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('SaveQueue', () => {
  test('debounces value changes into one save of the latest state', async () => {
    const s = setup();
    s.set(1);
    s.queue.schedule();
    await vi.advanceTimersByTimeAsync(500);
    s.set(2);
    s.queue.schedule();
    await vi.advanceTimersByTimeAsync(999);
    expect(s.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.sent).toEqual([{ body: { n: 2 }, keepalive: false }]);
  });

  test('one request at a time; what changed meanwhile goes right after', async () => {
    const s = setup();
    s.set(1);
    void s.queue.flush();
    s.set(2);
    void s.queue.flush();
    expect(s.sent.map((x) => x.body.n)).toEqual([1]);
    s.pending[0].resolve();
    await settle();
    expect(s.sent.map((x) => x.body.n)).toEqual([1, 2]);
  });

  test('an unchanged state is not sent again', async () => {
    const s = setup();
    s.set(1);
    void s.queue.flush();
    s.pending[0].resolve();
    await settle();
    await s.queue.flush();
    expect(s.sent).toHaveLength(1);
  });

  test('a transient failure is retried later; a final one stops the queue', async () => {
    const retrying = setup(() => 'retry');
    retrying.set(1);
    void retrying.queue.flush();
    retrying.pending[0].reject(new Error('offline'));
    await settle();
    await vi.advanceTimersByTimeAsync(5000);
    expect(retrying.sent).toHaveLength(2);

    const stopping = setup(() => 'stop');
    stopping.set(1);
    void stopping.queue.flush();
    stopping.pending[0].reject(new Error('409'));
    await settle();
    stopping.set(2);
    stopping.queue.schedule();
    await stopping.queue.flush();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(stopping.sent).toHaveLength(1);
  });

  test('paused while completing: nothing is sent, not even on exit', async () => {
    const s = setup();
    s.set(1);
    s.queue.schedule();
    s.queue.pause();
    await vi.advanceTimersByTimeAsync(2000);
    s.queue.flushOnExit();
    await s.queue.flush();
    expect(s.sent).toHaveLength(0);
    s.queue.resume();
    void s.queue.flush();
    expect(s.sent).toHaveLength(1);
  });

  test('on exit the latest state goes out with keepalive, even with a save in flight', async () => {
    const s = setup();
    s.set(1);
    void s.queue.flush();
    s.set(2);
    s.queue.flushOnExit();
    expect(s.sent).toEqual([
      { body: { n: 1 }, keepalive: false },
      { body: { n: 2 }, keepalive: true },
    ]);
  });

  test('the state the page started from is not sent, on a save or on exit, until something changes', async () => {
    const s = setup(() => 'retry', { n: 0 });
    await s.queue.flush();
    s.queue.flushOnExit();
    expect(s.sent).toEqual([]);
    s.set(1);
    s.queue.flushOnExit();
    expect(s.sent).toEqual([{ body: { n: 1 }, keepalive: true }]);
  });
});
