// CPU time and peak memory of the sandboxed processes: getrusage(RUSAGE_CHILDREN) of the tsbox
// process, read after the command has been waited for. It covers every process the command
// itself waited for (a build's compilers included); a process left running and killed at the end
// counts only if its parent reaped it.
import { hostArch } from '../arch/index.js';
import { allocNative, syscall6 } from './ffi.js';

const RUSAGE_CHILDREN = BigInt.asUintN(64, -1n);

export interface ChildrenUsage {
  userMs: number;
  systemMs: number;
  maxRssKiB: number;
}

export function childrenUsage(): ChildrenUsage | null {
  const buf = allocNative(144); // struct rusage on x86_64
  if (syscall6(hostArch().syscalls.getrusage!, RUSAGE_CHILDREN, buf.address, 0, 0, 0, 0) !== 0) return null;
  const v = buf.view;
  const ms = (at: number) => Number(v.getBigInt64(at, true)) * 1000 + Number(v.getBigInt64(at + 8, true)) / 1000;
  return { userMs: Math.round(ms(0) * 1000) / 1000, systemMs: Math.round(ms(16) * 1000) / 1000, maxRssKiB: Number(v.getBigInt64(32, true)) };
}
