// Selects the Arch of the machine tsbox runs on. Only x86_64 is implemented and tested.
import type { Arch } from './types.js';
import { x86_64 } from './x86_64/index.js';
export type { Arch, RegisterLayout } from './types.js';
export { ERRNO } from './errno.generated.js';

export function hostArch(): Arch {
  if (process.arch === 'x64') return x86_64;
  throw new Error(`tsbox supports x86_64 only (this machine is ${process.arch})`);
}
