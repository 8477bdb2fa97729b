// Work budgets for "never hangs, never blows up" assertions, counted in this process's CPU time (all its
// threads) rather than wall time: a parser that loops or goes quadratic still burns CPU past the budget, but
// a CI machine that is busy with other work no longer fails a test that did nothing wrong.
import { cpuUsage } from 'node:process';

/** Starts a clock; calling the result gives the CPU milliseconds this process has used since. */
export function cpuClock(): () => number {
  const start = cpuUsage();
  return () => {
    const used = cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
}
