// Unix socket addresses carry a path (sun_path), in both directions:
//   in:  bind, connect, sendto, sendmsg, sendmmsg name a socket file: translated like any other path;
//   out: getsockname, getpeername, accept, accept4, recvfrom report one: shown in guest terms.
// Abstract (sun_path starting with NUL) and unnamed addresses, and other families, pass
// untouched. recvmsg's and recvmmsg's sender addresses (inside struct msghdr, written at the exit)
// are left in host terms: translating them would cost two stops on every receive of every socket.
import { hostArch, ERRNO } from '../../arch/index.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { AT_FDCWD, resolveNamed } from './bases.js';
import { accessErrno } from './access.js';

const arch = hostArch();
const AF_UNIX = 1;
const SUN_PATH = 2; // offsetof(struct sockaddr_un, sun_path)
const SUN_PATH_MAX = 108;

/** The path in a sockaddr_un, or null for other families, abstract and unnamed sockets. */
function unixPath(addr: Uint8Array, len: number): string | null {
  if (len <= SUN_PATH || addr[0] + (addr[1] << 8) !== AF_UNIX || addr[SUN_PATH] === 0) return null;
  const end = addr.indexOf(0, SUN_PATH);
  return Buffer.from(addr.subarray(SUN_PATH, end < 0 || end > len ? len : end)).toString('latin1');
}

function sockaddr(path: string): Uint8Array {
  const bytes = Buffer.from(path, 'latin1');
  const out = new Uint8Array(SUN_PATH + bytes.length + 1);
  out[0] = AF_UNIX;
  out.set(bytes, SUN_PATH);
  return out;
}

/**
 * The address to give the kernel instead of a unix socket path the program named: a new
 * sockaddr_un, null to let the call run as it is, or a number: answer the call with it.
 */
function socketAddressFor(sv: Supervisor, t: Tracee, name: string, addrAt: number, len: number, creates: boolean): Uint8Array | null | number {
  if (len <= SUN_PATH || len > SUN_PATH + SUN_PATH_MAX || addrAt === 0) return null;
  const addr = sv.memory.read(t.pid, addrAt, len);
  if (addr === null) return -ERRNO.EFAULT;
  const raw = unixPath(addr, len);
  if (raw === null) return null;
  const r = resolveNamed(sv.translator, t.pid, raw, AT_FDCWD, !creates);
  if (typeof r === 'number') return -r;
  const denied = accessErrno(r.rule?.access, creates ? 'create' : 'write');
  if (denied) {
    sv.log.decision(t.pid, name, [r.guest], 'denied');
    return -denied;
  }
  if (!r.mapped) return null;
  const out = sockaddr(r.host);
  return out.length - SUN_PATH > SUN_PATH_MAX ? -ERRNO.ENAMETOOLONG : out;
}

function translateIn(sv: Supervisor, t: Tracee, name: string, addrArg: number, lenArg: number, creates: boolean): boolean {
  const out = socketAddressFor(sv, t, name, sv.regs.arg(addrArg), sv.regs.argInt(lenArg), creates);
  if (out === null) return false;
  if (typeof out === 'number') return sv.skip(t, out);
  const at = sv.scratchAddress(out.length);
  if (!sv.memory.write(t.pid, at, out)) return sv.skip(t, -ERRNO.EFAULT);
  return sv.runWithArgs(t, [[addrArg, at], [lenArg, out.length]], false);
}

/**
 * Gives the kernel a copy of `headers` (`count` msghdr-led records of `stride` bytes) whose
 * entries in `translated` point at their translated addresses; all of it goes below the red
 * zone, and the program's own memory stays untouched. The copy's address, or null on a fault.
 */
function placeTranslated(sv: Supervisor, t: Tracee, headers: Uint8Array, stride: number, count: number,
  translated: ReadonlyArray<[entry: number, address: Uint8Array]>): number | null {
  const { nameOffset, nameLenOffset } = arch.msghdr;
  const view = new DataView(headers.buffer, headers.byteOffset, headers.byteLength);
  let at = sv.scratchAddress(0);
  for (const [i, address] of translated) {
    at = Math.floor((at - address.length) / 16) * 16;
    if (!sv.memory.write(t.pid, at, address)) return null;
    view.setBigUint64(i * stride + nameOffset, BigInt(at), true);
    view.setUint32(i * stride + nameLenOffset, address.length, true);
  }
  const copyAt = Math.floor((at - count * stride) / 16) * 16;
  return sv.memory.write(t.pid, copyAt, headers.subarray(0, count * stride)) ? copyAt : null;
}

/** The translated address of each msghdr-led record (`stride` bytes apart), as socketAddressFor answers. */
function addressOf(sv: Supervisor, t: Tracee, name: string, headers: Uint8Array, stride: number, i: number): Uint8Array | null | number {
  const { nameOffset, nameLenOffset } = arch.msghdr;
  const view = new DataView(headers.buffer, headers.byteOffset, headers.byteLength);
  const nameAt = Number(view.getBigUint64(i * stride + nameOffset, true));
  return socketAddressFor(sv, t, name, nameAt, view.getUint32(i * stride + nameLenOffset, true), false);
}

/** sendmsg(fd, msg, flags): the address is msg->msg_name. */
function translateMsgIn(sv: Supervisor, t: Tracee): boolean {
  const { size } = arch.msghdr;
  const msgAt = sv.regs.arg(1);
  if (msgAt === 0) return false;
  const read = sv.memory.read(t.pid, msgAt, size);
  if (read === null) return false; // the kernel reports the fault itself
  const msg = Uint8Array.from(read); // a copy: the next read reuses the buffer
  const out = addressOf(sv, t, 'sendmsg', msg, size, 0);
  if (out === null) return false;
  if (typeof out === 'number') return sv.skip(t, out);
  const copyAt = placeTranslated(sv, t, msg, size, 1, [[0, out]]);
  return copyAt === null ? sv.skip(t, -ERRNO.EFAULT) : sv.runWithArgs(t, [[1, copyAt]], false);
}

const UIO_MAXIOV = 1024; // the kernel sends at most this many messages per sendmmsg

/**
 * sendmmsg(fd, msgvec, vlen, flags): an address in each message's msghdr. As for sendmsg, a copy
 * with translated addresses is sent; at the exit stop the kernel's msg_len of each message sent
 * is put into the program's array (read and written back whole: two calls, not one per message).
 * A message whose address is refused ends the batch there, as the kernel ends it at a failed
 * send: the messages before it are sent (the call returns their count), or the call fails if it
 * is the first.
 */
function translateMmsgIn(sv: Supervisor, t: Tracee): boolean {
  const { size, lenOffset } = arch.mmsghdr;
  const vecAt = sv.regs.arg(1);
  const count = Math.min(sv.regs.argInt(2) >>> 0, UIO_MAXIOV);
  if (vecAt === 0 || count === 0) return false;
  const read = sv.memory.read(t.pid, vecAt, count * size);
  if (read === null) return false; // the kernel reports the fault itself
  const vec = Uint8Array.from(read);
  const translated: Array<[entry: number, address: Uint8Array]> = [];
  let sendable = count;
  for (let i = 0; i < count; i++) {
    const out = addressOf(sv, t, 'sendmmsg', vec, size, i);
    if (typeof out === 'number') {
      if (i === 0) return sv.skip(t, out);
      sendable = i;
      break;
    }
    if (out !== null) translated.push([i, out]);
  }
  if (translated.length === 0 && sendable === count) return false;
  const original = vec.slice(0, sendable * size); // before placeTranslated points it elsewhere
  const copyAt = placeTranslated(sv, t, vec, size, sendable, translated);
  if (copyAt === null) return sv.skip(t, -ERRNO.EFAULT);
  sv.runWithArgs(t, [[1, copyAt], [2, sendable]], false);
  t.pendingExit!.after = (sent) => {
    if (sent <= 0) return;
    const sentCopy = sv.memory.read(t.pid, copyAt, sent * size);
    if (sentCopy === null) return;
    for (let i = 0; i < sent; i++) original.set(sentCopy.subarray(i * size + lenOffset, i * size + lenOffset + 4), i * size + lenOffset);
    sv.memory.write(t.pid, vecAt, original.subarray(0, sent * size));
  };
  return true;
}

function translateOut(sv: Supervisor, t: Tracee, addrArg: number, lenPtrArg: number): boolean {
  const regs = sv.regs;
  const addrAt = regs.arg(addrArg), lenAt = regs.arg(lenPtrArg);
  if (addrAt === 0 || lenAt === 0) return false;
  const capBytes = sv.memory.read(t.pid, lenAt, 4);
  if (capBytes === null) return false;
  const capacity = new DataView(capBytes.buffer, capBytes.byteOffset, 4).getUint32(0, true);
  return sv.runThen(t, (result) => {
    if (result < 0) return;
    const lenNow = sv.memory.read(t.pid, lenAt, 4);
    if (lenNow === null) return;
    const len = Math.min(new DataView(lenNow.buffer, lenNow.byteOffset, 4).getUint32(0, true), capacity);
    const addr = sv.memory.read(t.pid, addrAt, len);
    const host = addr && unixPath(addr, len);
    if (!host || !host.startsWith('/')) return;
    const guest = sv.translator.toGuest(host);
    if (guest === null || guest === host) return;
    const out = sockaddr(guest);
    sv.memory.write(t.pid, addrAt, out.subarray(0, Math.min(out.length, capacity)));
    const newLen = new Uint8Array(4);
    new DataView(newLen.buffer).setUint32(0, out.length, true); // the full length, as the kernel reports it
    sv.memory.write(t.pid, lenAt, newLen);
  });
}

export function installUnixSocketHandlers(sv: Supervisor): void {
  const sys = arch.syscalls;
  sv.on(sys.bind, (s, t) => translateIn(s, t, 'bind', 1, 2, true));
  sv.on(sys.connect, (s, t) => translateIn(s, t, 'connect', 1, 2, false));
  sv.on(sys.sendto, (s, t) => translateIn(s, t, 'sendto', 4, 5, false));
  sv.trapOnlyIfSet.set(sys.sendto, 4); // send() is sendto without an address: no stop
  sv.on(sys.sendmsg, (s, t) => translateMsgIn(s, t)); // the address is in memory: every sendmsg stops
  sv.on(sys.sendmmsg, (s, t) => translateMmsgIn(s, t)); // likewise
  if (!sv.translator.hasMapping) return; // results are already in guest terms
  for (const [name, addrArg, lenArg] of [['getsockname', 1, 2], ['getpeername', 1, 2], ['accept', 1, 2], ['accept4', 1, 2], ['recvfrom', 4, 5]] as const) {
    sv.on(sys[name], (s, t) => translateOut(s, t, addrArg, lenArg));
    sv.trapOnlyIfSet.set(sys[name], addrArg);
  }
}
