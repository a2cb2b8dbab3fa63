// Child processes a bench or chaos script started, so that an interrupted run (Ctrl-C, timeout's
// SIGTERM) leaves no worker, dev server or emulator process behind.

const live = new Set<() => number | undefined>();

/** Tracks a child by a function that returns its current pid (a restarted server gets a new one). */
export function trackChild(pid: () => number | undefined): () => void {
  live.add(pid);
  return () => live.delete(pid);
}

/** On SIGINT or SIGTERM: SIGKILL every tracked child, then exit with the conventional code. */
export function killChildrenOnSignal(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const pid of live) {
        const id = pid();
        if (id !== undefined) {
          try {
            process.kill(id, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}
