// A run's threads yield the CPU to the server's request thread. On a 2-core machine an estimate
// run in the server keeps one or two threads busy for seconds (decision 025); respondents must not
// notice (issue 6: the p99 of completions during a run at most 3× the p99 without). Linux lets a
// thread have its own nice value: setpriority(PRIO_PROCESS, tid) changes just that thread, and
// /proc/thread-self names the calling thread's id. Elsewhere this does nothing.
import fs from 'node:fs';
import os from 'node:os';

let lowered = false;

/**
 * Lowers the calling thread's scheduling priority to `nice` (default 10: under contention it gets
 * about a tenth of what a nice-0 thread gets). Returns whether it did. Meant for worker threads
 * (the server's estimate worker and its input helper); a command's own thread is left alone.
 */
export function lowerThisThreadPriority(nice = 10): boolean {
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(fs.readlinkSync('/proc/thread-self'))?.[1]);
    if (!Number.isInteger(tid) || tid <= 0) return false;
    os.setPriority(tid, nice);
    lowered = true;
    return true;
  } catch {
    return false;
  }
}

/** Whether this thread lowered its priority (a helper thread it starts should do the same). */
export function threadPriorityLowered(): boolean {
  return lowered;
}
