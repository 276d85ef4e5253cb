// Reading and writing a stopped tracee's memory. The fast path is process_vm_readv/writev: one
// call moves a whole range (the mainline form of UMView's PTRACE_MULTI). PTRACE_PEEKDATA/POKEDATA
// move one word per call; they remain as a fallback for kernels without cross-memory attach and
// can be forced with `--memory=peek` so the two can be measured against each other.
//
// Paths are byte strings: a JS string whose char codes are the bytes (latin1), so file names that
// are not valid UTF-8 survive the round trip unchanged.
import { hostArch } from '../arch/index.js';
import { allocNative, type NativeMemory, processVmReadv, processVmWritev, ptrace, syscall4, lastErrno } from './ffi.js';

const PAGE = 4096;
const FIRST_CHUNK = 256;
export const PATH_MAX = 4096;
const PTRACE_PEEKDATA = 2;
const PTRACE_POKEDATA = 5;
const SYS_ptrace = hostArch().syscalls.ptrace;

export type MemoryMode = 'vm' | 'peek';

export interface TraceeMemory {
  readonly mode: MemoryMode;
  /** Reads len bytes into the shared scratch buffer; returns a view of them, or null on a fault. */
  read(pid: number, addr: number, len: number): Uint8Array | null;
  write(pid: number, addr: number, data: Uint8Array): boolean;
  /** Writes the first `len` bytes of FFI memory (no copy on the process_vm_writev path). */
  writeNative(pid: number, addr: number, source: NativeMemory, len: number): boolean;
  /** Reads a NUL-terminated string (at most PATH_MAX bytes); null on a fault or no terminator. */
  readCString(pid: number, addr: number): string | null;
  /**
   * A path argument as the kernel reads one: the string, or the errno the kernel would give —
   * EFAULT for memory it cannot read, ENAMETOOLONG for no NUL within PATH_MAX bytes.
   */
  readPath(pid: number, addr: number): string | number;
}

const EFAULT = 14, ENAMETOOLONG = 36;

// Transfer buffers: room for two paths at first, grown for the rare bigger transfer (a directory
// listing being filtered, a long argv for a guest loader). An outgrown block is never freed:
// views handed out earlier may still be read; doubling bounds what is kept to twice the largest.
const MAX_TRANSFER = 64 * 1024 * 1024;
let scratch = allocNative(PATH_MAX * 2 + 16);
let outgoing = allocNative(PATH_MAX * 2 + 16);
const grown = (mem: NativeMemory, size: number): NativeMemory =>
  size <= mem.size ? mem : allocNative(Math.max(size, mem.size * 2));
const localIov = allocNative(16);
const remoteIov = allocNative(16);

/** struct iovec { void *base; size_t len; }, written as 32-bit halves (no BigInt per stop). */
function setIov(iov: typeof localIov, base: number, len: number): void {
  iov.view.setUint32(0, base >>> 0, true);
  iov.view.setUint32(4, Math.floor(base / 0x1_0000_0000), true);
  iov.view.setUint32(8, len, true);
  iov.view.setUint32(12, 0, true);
}

abstract class BaseMemory implements TraceeMemory {
  abstract readonly mode: MemoryMode;
  protected abstract readInto(pid: number, addr: number, len: number, offset: number): boolean;
  abstract write(pid: number, addr: number, data: Uint8Array): boolean;

  writeNative(pid: number, addr: number, source: NativeMemory, len: number): boolean {
    return this.write(pid, addr, source.bytes.subarray(0, len));
  }

  read(pid: number, addr: number, len: number): Uint8Array | null {
    if (len > MAX_TRANSFER) return null;
    scratch = grown(scratch, len);
    return this.readInto(pid, addr, len, 0) ? scratch.bytes.subarray(0, len) : null;
  }

  readCString(pid: number, addr: number): string | null {
    const s = this.readPath(pid, addr);
    return typeof s === 'string' ? s : null;
  }

  readPath(pid: number, addr: number): string | number {
    if (addr === 0) return EFAULT;
    let total = 0;
    let chunk = FIRST_CHUNK; // most paths are short: do not copy a whole page for them
    while (total < PATH_MAX) {
      // Never read across a page boundary in one go: the next page may be unmapped.
      const here = addr + total;
      const len = Math.min(PAGE - (here % PAGE), PATH_MAX - total, chunk);
      if (!this.readInto(pid, here, len, total)) return EFAULT;
      const nul = scratch.bytes.indexOf(0, total);
      if (nul >= 0 && nul < total + len) return scratch.bytes.toString('latin1', 0, nul);
      total += len;
      chunk = PAGE;
    }
    return ENAMETOOLONG;
  }
}

class VmMemory extends BaseMemory {
  readonly mode = 'vm' as const;
  protected readInto(pid: number, addr: number, len: number, offset: number): boolean {
    setIov(localIov, scratch.addr + offset, len);
    setIov(remoteIov, addr, len);
    return processVmReadv(pid, localIov.ptr, 1, remoteIov.ptr, 1, 0) === len;
  }
  write(pid: number, addr: number, data: Uint8Array): boolean {
    if (data.length > MAX_TRANSFER) return false;
    outgoing = grown(outgoing, data.length);
    outgoing.bytes.set(data);
    setIov(localIov, outgoing.addr, data.length);
    setIov(remoteIov, addr, data.length);
    return processVmWritev(pid, localIov.ptr, 1, remoteIov.ptr, 1, 0) === data.length;
  }
  override writeNative(pid: number, addr: number, source: NativeMemory, len: number): boolean {
    setIov(localIov, source.addr, len);
    setIov(remoteIov, addr, len);
    return processVmWritev(pid, localIov.ptr, 1, remoteIov.ptr, 1, 0) === len;
  }
}

const word = allocNative(8);
class PeekMemory extends BaseMemory {
  readonly mode = 'peek' as const;
  protected readInto(pid: number, addr: number, len: number, offset: number): boolean {
    const start = addr - (addr % 8);
    for (let at = start; at < addr + len; at += 8) {
      // Raw syscall: the kernel stores the word at *data, so -1 is not ambiguous.
      if (syscall4(SYS_ptrace, PTRACE_PEEKDATA, pid, at, word.address) === -1) return false;
      for (let i = 0; i < 8; i++) {
        const target = at + i - addr;
        if (target >= 0 && target < len) scratch.bytes[offset + target] = word.bytes[i];
      }
    }
    return true;
  }
  write(pid: number, addr: number, data: Uint8Array): boolean {
    const end = addr + data.length;
    for (let at = addr - (addr % 8); at < end; at += 8) {
      const partial = at < addr || at + 8 > end;
      if (partial && syscall4(SYS_ptrace, PTRACE_PEEKDATA, pid, at, word.address) === -1) return false;
      for (let i = 0; i < 8; i++) {
        const source = at + i - addr;
        if (source >= 0 && source < data.length) word.bytes[i] = data[source];
      }
      if (ptrace(PTRACE_POKEDATA, pid, at, word.view.getBigUint64(0, true)) === -1) return false;
    }
    return true;
  }
}

export function createMemory(mode: MemoryMode): TraceeMemory {
  return mode === 'peek' ? new PeekMemory() : new VmMemory();
}

/** True when this kernel allows process_vm_readv on our own children (CONFIG_CROSS_MEMORY_ATTACH). */
export function crossMemoryAttachWorks(pid: number, addr: number): boolean {
  setIov(localIov, scratch.addr, 1);
  setIov(remoteIov, addr, 1);
  return processVmReadv(pid, localIov.ptr, 1, remoteIov.ptr, 1, 0) === 1 || lastErrno() !== 38; // ENOSYS
}
