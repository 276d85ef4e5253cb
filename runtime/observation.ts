// The supervisor Worker's side of trace, report, learn and progress: which observers to install,
// the plan tweak a report needs (kernel denials traced so they can be counted), the shared
// progress counters, and what is posted back when the run ends (`ObservedRun`).
import type { Logger } from 'pino';
import type { Plan } from '../policy/plan.js';
import type { EventLog } from './event-log.js';
import { dangerousSyscallNumbers } from './learn/dangerous.js';
import { combineObservers, observeDecisions, type RunObserver } from './observers.js';
import { progressCounters, SLOT } from './progress.js';
import { Collector, type Collected } from './report/collector.js';
import { childrenUsage, type ChildrenUsage } from './rusage.js';
import type { Supervisor } from './supervisor.js';
import type { TraceClass } from './trace/classes.js';
import { Tracer } from './trace/tracer.js';

export interface ObserveOptions {
  /** --trace: the classes to trace, 'all', or null for no trace. */
  trace: TraceClass[] | 'all' | null;
  /** --report / learn: gather a Collected summary. */
  collect: boolean;
  /** learn: also trap the dangerous syscalls, to know which ones were used. */
  learn: boolean;
  /** Shared progress counters (progress.ts), or null. */
  progress: SharedArrayBuffer | null;
}

/** Posted with the Worker's done / error message when something was collected. */
export interface ObservedRun {
  collected: Collected;
  /** Time spent handling stops, in ms (hrtime around each stop). */
  supervisorMs: number;
  children: ChildrenUsage | null;
}

export interface Observation {
  /** The plan to enforce: the policy's, with errno denials traced when collecting (to count them). */
  readonly plan: Plan;
  readonly events: EventLog;
  /** Installs the observer and counters on the supervisor (before installHandlers). */
  attach(sv: Supervisor): void;
  launched(pid: number): void;
  /** What was collected, or undefined when not collecting. */
  finish(sv: Supervisor | null): ObservedRun | undefined;
}

export function observe(plan: Plan, events: EventLog, logger: Logger, o: ObserveOptions): Observation {
  const observers: RunObserver[] = [];
  const collector = o.collect ? new Collector(o.learn ? dangerousSyscallNumbers() : []) : null;
  if (collector) observers.push(collector);
  if (o.trace !== null) observers.push(new Tracer(logger, o.trace));
  const observer = observers.length > 0 ? combineObservers(observers) : null;
  const counters = o.progress ? progressCounters(o.progress) : null;

  let watched = events;
  if (observer?.decision || counters) {
    watched = observeDecisions(events, (pid, syscall, args, action, detail) => {
      if (counters) Atomics.add(counters, action === 'remapped' ? SLOT.remaps : SLOT.denials, 1);
      observer?.decision?.(pid, syscall, args, action, detail);
    });
  }
  // Kernel (seccomp) denials are invisible unless the filter traces them, as `log.denials` does.
  const enforced = collector && !plan.log.denials ? { ...plan, log: { ...plan.log, denials: true } } : plan;
  let trapped: Iterable<number> = [];

  return {
    plan: enforced,
    events: watched,
    attach(sv) {
      sv.observer = observer;
      sv.sharedStops = counters;
      sv.timeStops = collector !== null;
    },
    launched(pid) {
      collector?.root(pid);
    },
    finish(sv) {
      if (!collector) return undefined;
      if (sv) trapped = sv.trappedSyscalls();
      return {
        collected: collector.collected(trapped),
        supervisorMs: sv ? Number(sv.busyNs) / 1e6 : 0,
        children: childrenUsage(),
      };
    },
  };
}
