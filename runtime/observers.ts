// Several observers at once (a trace and a report in the same run), and the supervisor's
// decisions (denials, remaps: EventLog.decision) routed to them as well.
import type { EventLog } from './event-log.js';
import type { Observer } from './observer.js';

/** An observer that also wants every decision the sandbox takes (a denial or a remap). */
export interface RunObserver extends Observer {
  decision?(pid: number, syscall: string, args: unknown[], action: string, detail?: string): void;
}

/** One observer that forwards every call to each of `list` (traps and result wishes are unions). */
export function combineObservers(list: RunObserver[]): RunObserver {
  if (list.length === 1) return list[0]!;
  return {
    extraTraps: () => [...new Set(list.flatMap((o) => o.extraTraps()))],
    wantsResult: (nr) => list.some((o) => o.wantsResult(nr)),
    enter(sv, t, nr) { for (const o of list) o.enter(sv, t, nr); },
    leave(sv, t, nr, result, skipped) { for (const o of list) o.leave(sv, t, nr, result, skipped); },
    path(t, nr, guest, intent, errno) { for (const o of list) o.path(t, nr, guest, intent, errno); },
    processStart(pid, parent, thread) { for (const o of list) o.processStart(pid, parent, thread); },
    exec(sv, t) { for (const o of list) o.exec(sv, t); },
    processExit(pid, code, signal) { for (const o of list) o.processExit(pid, code, signal); },
    decision(pid, syscall, args, action, detail) { for (const o of list) o.decision?.(pid, syscall, args, action, detail); },
  };
}

/** The event log, with every decision also passed to `onDecision` (after it is logged). */
export function observeDecisions(events: EventLog, onDecision: NonNullable<RunObserver['decision']>): EventLog {
  return {
    logger: events.logger,
    decision(pid, syscall, args, action, detail) {
      events.decision(pid, syscall, args, action, detail);
      onDecision(pid, syscall, args, action, detail);
    },
    processStart: (pid, parent) => events.processStart(pid, parent),
    processExit: (pid, code, signal) => events.processExit(pid, code, signal),
    exec: (pid) => events.exec(pid),
  };
}
