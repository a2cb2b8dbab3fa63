// What a process costs, read from Linux's /proc: peak and current resident memory, and bytes it
// caused to be written to storage (temp files included, sockets excluded).

import fs from 'node:fs';
import path from 'node:path';

export interface MemoryStatus {
  /** VmHWM: the peak resident set since the process started. */
  peakRssBytes: number;
  /** VmRSS: the resident set now. */
  rssBytes: number;
  /** RssAnon: the private part of it (heaps, stacks, buffers), without mapped files such as the node binary. */
  anonRssBytes: number;
}

export function readMemoryStatus(pid: number | 'self' = 'self'): MemoryStatus {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { peakRssBytes: kib('VmHWM'), rssBytes: kib('VmRSS'), anonRssBytes: kib('RssAnon') };
}

/**
 * `write_bytes` of /proc/<pid>/io: bytes the process sent (or will send) to the storage layer,
 * counted when pages are dirtied, so a temp file deleted before write-back still counts. Socket
 * writes are not in it (they are in `wchar`).
 */
export function readStorageWriteBytes(pid: number | 'self' = 'self'): number {
  const text = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
  const match = /^write_bytes:\s+(\d+)/m.exec(text);
  if (!match) throw new Error(`/proc/${pid}/io has no write_bytes`);
  return Number(match[1]);
}

/** CPU time (user + system) the process has used so far, in seconds (USER_HZ is 100 on Linux). */
export function readCpuSeconds(pid: number | 'self' = 'self'): number {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / 100;
}

/** Total size of the regular files under `dir` (0 when it does not exist). */
export function directoryBytes(dir: string): number {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    try {
      if (entry.isDirectory()) total += directoryBytes(full);
      else if (entry.isFile()) total += fs.statSync(full).size;
    } catch {
      // removed while we looked: it no longer counts
    }
  }
  return total;
}

export interface ResourceSample {
  /** Highest VmRSS seen while sampling. */
  peakSampledRssBytes: number;
  /** Highest RssAnon seen while sampling. */
  peakSampledAnonRssBytes: number;
  /** Highest growth of the watched temp directory over its size at the start. */
  peakTempDirGrowthBytes: number;
  /** write_bytes over the sampled window. */
  storageWriteBytes: number;
  /** CPU seconds the process used over the window. */
  cpuSeconds: number;
  /** VmRSS in MB about once a second, to tell a plateau from a leak. */
  rssSeriesMB: number[];
}

/**
 * Samples a process's VmRSS and its temp directory every `intervalMs` until stop(), which also
 * reads write_bytes and CPU time over the window. Used around the upload itself, so start-up costs (bundling
 * workflow code, compiling TypeScript) stay out of the figures.
 */
export function sampleResources(pid: number | 'self', tempDir: string, intervalMs = 100): { stop(): ResourceSample } {
  const writeBytesAtStart = readStorageWriteBytes(pid);
  const cpuAtStart = readCpuSeconds(pid);
  const tempAtStart = directoryBytes(tempDir);
  let peakRss = readMemoryStatus(pid).rssBytes;
  let peakAnon = readMemoryStatus(pid).anonRssBytes;
  let peakTemp = 0;
  const series: number[] = [];
  let samples = 0;
  const sample = () => {
    try {
      const status = readMemoryStatus(pid);
      const rss = status.rssBytes;
      peakRss = Math.max(peakRss, rss);
      peakAnon = Math.max(peakAnon, status.anonRssBytes);
      if (samples++ % Math.max(1, Math.round(1000 / intervalMs)) === 0) series.push(Math.round(rss / 1e6));
      peakTemp = Math.max(peakTemp, directoryBytes(tempDir) - tempAtStart);
    } catch {
      // the process is gone; stop() reports what was seen
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return {
        peakSampledRssBytes: peakRss,
        peakSampledAnonRssBytes: peakAnon,
        peakTempDirGrowthBytes: peakTemp,
        storageWriteBytes: readStorageWriteBytes(pid) - writeBytesAtStart,
        cpuSeconds: readCpuSeconds(pid) - cpuAtStart,
        rssSeriesMB: series,
      };
    },
  };
}

/**
 * CPU time of a process and its children: its own, what its reaped children used (cutime,
 * cstime), and what its live children used so far. PostgreSQL's backends are children of the
 * postmaster, so this is what the database spent.
 */
export function readProcessTreeCpuSeconds(pid: number): number {
  const fieldsOf = (p: number | string) => {
    const text = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  };
  const withChildren = (fields: string[]) => (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  let total = withChildren(fieldsOf(pid));
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = fieldsOf(entry);
      if (Number(fields[1]) === pid) total += withChildren(fields);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
