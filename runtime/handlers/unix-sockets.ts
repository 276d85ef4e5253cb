// bind/connect on a pathname unix socket: the address carries a path (sun_path), which is
// translated like any other. Abstract sockets (sun_path starting with NUL) and other families
// pass untouched.
import { hostArch, ERRNO } from '../../arch/index.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { AT_FDCWD, baseOf } from './bases.js';
import { accessErrno } from './path-syscalls.js';

const AF_UNIX = 1;
const SUN_PATH = 2; // offsetof(struct sockaddr_un, sun_path)
const SUN_PATH_MAX = 108;

function handle(sv: Supervisor, t: Tracee, creates: boolean): boolean {
  const regs = sv.regs;
  const len = regs.argInt(2);
  if (len <= SUN_PATH || len > SUN_PATH + SUN_PATH_MAX) return false;
  const addr = sv.memory.read(t.pid, regs.arg(1), len);
  if (addr === null) return sv.skip(t, -ERRNO.EFAULT);
  if (addr[0] + (addr[1] << 8) !== AF_UNIX || addr[SUN_PATH] === 0) return false;
  const end = addr.indexOf(0, SUN_PATH);
  const raw = Buffer.from(addr.subarray(SUN_PATH, end < 0 ? len : end)).toString('latin1');
  const base = raw.startsWith('/') ? { guest: '/', host: '/' } : baseOf(sv.translator, t.pid, AT_FDCWD);
  if (typeof base === 'number') return sv.skip(t, -base);
  const r = sv.translator.resolve(raw, base, !creates, t.pid);
  if ('errno' in r) return sv.skip(t, -r.errno);
  const denied = accessErrno(r.rule?.access, creates ? 'create' : 'write');
  if (denied) {
    sv.log.decision(t.pid, creates ? 'bind' : 'connect', [r.guest], 'denied');
    return sv.skip(t, -denied);
  }
  if (!r.mapped) return false;
  const host = Buffer.from(r.host, 'latin1');
  if (host.length >= SUN_PATH_MAX) return sv.skip(t, -ERRNO.ENAMETOOLONG);
  const out = new Uint8Array(SUN_PATH + host.length + 1);
  out[0] = AF_UNIX;
  out.set(host, SUN_PATH);
  regs.setArg(2, out.length);
  sv.runWith(t, [[1, out]]);
  // The length argument was changed too: put it back at the exit stop with the pointer.
  t.pendingExit?.restoreArgs.push([2, BigInt(len)]);
  return true;
}

export function installUnixSocketHandlers(sv: Supervisor): void {
  const sys = hostArch().syscalls;
  sv.on(sys.bind, (s, t) => handle(s, t, true));
  sv.on(sys.connect, (s, t) => handle(s, t, false));
}
