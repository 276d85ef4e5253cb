// A small generated C project for the report and learn tests: N translation units sharing a
// header, a main, and a Makefile (`make -j2` builds prog from N+1 object files). Written into a
// folder the given test user owns, so the sandboxed build can write its objects there.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRoot, UNPRIVILEGED_GID, UNPRIVILEGED_UID, type User } from './run.js';

export interface CProject {
  dir: string;
  /** The object files `make` writes (absolute paths). */
  objects: string[];
  sources: string[];
}

/** chown -R to the unprivileged user when the tests run as root and `user` is 'unprivileged'. */
export function giveTo(dir: string, user: User): void {
  if (user !== 'unprivileged' || !isRoot()) return;
  const walk = (p: string) => {
    fs.lchownSync(p, UNPRIVILEGED_UID, UNPRIVILEGED_GID);
    if (fs.lstatSync(p).isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
  };
  walk(dir);
}

export function writeCProject(dir: string, units = 4, user: User = 'self'): CProject {
  fs.mkdirSync(dir, { recursive: true });
  const names = Array.from({ length: units }, (_, i) => `unit${i + 1}`);
  fs.writeFileSync(path.join(dir, 'common.h'), `#include <stdio.h>\n${names.map((n) => `int ${n}(int);`).join('\n')}\n`);
  for (const [i, n] of names.entries()) {
    fs.writeFileSync(path.join(dir, `${n}.c`), `#include "common.h"\nint ${n}(int x) { return x * ${i + 2} + ${i}; }\n`);
  }
  fs.writeFileSync(path.join(dir, 'main.c'),
    `#include "common.h"\nint main(void) {\n  int t = 0;\n${names.map((n) => `  t += ${n}(3);`).join('\n')}\n  printf("total %d\\n", t);\n  return 0;\n}\n`);
  const objects = ['main.o', ...names.map((n) => `${n}.o`)];
  fs.writeFileSync(path.join(dir, 'Makefile'),
    `CC = cc\nCFLAGS = -O1\nOBJS = ${objects.join(' ')}\n\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n\n` +
    `%.o: %.c common.h\n\t$(CC) $(CFLAGS) -c $<\n\nclean:\n\trm -f prog $(OBJS)\n`);
  giveTo(dir, user);
  return { dir, objects: objects.map((o) => path.join(dir, o)), sources: ['main.c', ...names.map((n) => `${n}.c`)] };
}

/** Removes what `make` built. */
export function cleanCProject(p: CProject): void {
  for (const o of [...p.objects, path.join(p.dir, 'prog')]) fs.rmSync(o, { force: true });
}
