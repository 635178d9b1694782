// CPU time of processes from /proc: what a page costs each service, steadier than requests/s on
// a shared machine (a busy neighbour slows a page down but does not make it cost more CPU).
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU of a whole process (every thread), in ms; null when it is gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces: count fields after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The ids of every process whose command name is `name` (e.g. all of Postgres's backends). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * The ids of Postgres's backends connected to the database at `databaseUrl`, on this machine: a backend's process
 * title is `postgres: [<cluster>:] <user> <database> <client> <activity>`. Another database's
 * backends (another test's, another user's) and the cluster's own processes are left out.
 */
export function postgresBackendsOf(databaseUrl: string): number[] {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  return pidsNamed('postgres').filter((pid) => {
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').split(' ');
      // the database is the word before the client: host(port), or [local] for a Unix socket
      const client = title.findIndex((word) => /^\S+\(\d+\)$|^\[local\]$/.test(word));
      return client > 0 && title[client - 1] === database;
    } catch {
      return false;
    }
  });
}

/** CPU ms of named groups of processes, read before and after some work. */
export type CpuGroups = Record<string, () => number[]>;

/** Total CPU ms per group now; a process that came and went in between is not counted. */
export function cpuSnapshot(groups: CpuGroups): Map<string, Map<number, number>> {
  const snapshot = new Map<string, Map<number, number>>();
  for (const [group, pids] of Object.entries(groups)) {
    const byPid = new Map<number, number>();
    for (const pid of pids()) {
      const ms = processCpuMs(pid);
      if (ms !== null) byPid.set(pid, ms);
    }
    snapshot.set(group, byPid);
  }
  return snapshot;
}

/** CPU ms each group spent between two snapshots (processes in both, or new ones from zero). */
export function cpuSpent(
  before: ReturnType<typeof cpuSnapshot>,
  after: ReturnType<typeof cpuSnapshot>,
): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const [group, byPid] of after) {
    let total = 0;
    for (const [pid, ms] of byPid) total += ms - (before.get(group)?.get(pid) ?? 0);
    spent[group] = total;
  }
  return spent;
}
