// What the emulator has seen, for tests that assert on traffic (GET /_emulator/counters).

/** Wire shape of GET /_emulator/counters; snake_case like the rest of the HTTP surface. */
export interface CounterSnapshot {
  /** Every PUT body byte the server read, including failed and aborted PUTs. */
  bytes_received: number;
  /** Bytes of chunk PUTs that succeeded (200) and were kept in the store. */
  bytes_stored: number;
  /** PUT responses by HTTP status. */
  puts_by_status: Record<string, number>;
  /** PUTs whose socket the emulator destroyed on purpose (put_reset). */
  puts_reset: number;
  /** PUTs the client abandoned before the body was complete. */
  puts_aborted: number;
  /** Body bytes of those abandoned PUTs (part of bytes_received): what a crashed client sends again. */
  bytes_aborted: number;
  /** Bytes of successful PUTs of a chunk index the session had already stored: chunks sent twice. */
  bytes_stored_again: number;
  /** PUTs that presented a URL an earlier PUT had already presented (whatever either outcome). */
  puts_reusing_url: number;
  /** M4 requests that got past validation and were applied. */
  reports: number;
  /** M4 entries counted as duplicates. */
  duplicate_chunks: number;
  sessions_created: number;
  /** Assets made by M1 (with its session) and A1, whatever became of them. */
  assets_created: number;
  /** Assets removed by A4. */
  assets_deleted: number;
  /** M5 requests that minted URLs. */
  presigned_url_requests: number;
  /** URLs minted by M1 and M5 together. */
  presigned_urls_minted: number;
  /** Faults that fired, by knob name (see faults.ts); knobs that never fired are absent. */
  faults_injected: Record<string, number>;
  /** Requests by endpoint id of the contract (M1…M5, S1, A1…A7), whatever their outcome. */
  requests_by_endpoint: Record<string, number>;
}

type ScalarCounter = Exclude<keyof CounterSnapshot, 'puts_by_status' | 'faults_injected' | 'requests_by_endpoint'>;

export class EmulatorCounters {
  private values = EmulatorCounters.zero();

  private static zero(): Omit<CounterSnapshot, 'faults_injected'> {
    return {
      bytes_received: 0,
      bytes_stored: 0,
      puts_by_status: {},
      puts_reset: 0,
      puts_aborted: 0,
      bytes_aborted: 0,
      bytes_stored_again: 0,
      puts_reusing_url: 0,
      reports: 0,
      duplicate_chunks: 0,
      sessions_created: 0,
      assets_created: 0,
      assets_deleted: 0,
      presigned_url_requests: 0,
      presigned_urls_minted: 0,
      requests_by_endpoint: {},
    };
  }

  add(counter: ScalarCounter, amount = 1): void {
    this.values[counter] += amount;
  }

  putAnswered(status: number): void {
    const key = String(status);
    this.values.puts_by_status[key] = (this.values.puts_by_status[key] ?? 0) + 1;
  }

  endpointCalled(endpointId: string): void {
    this.values.requests_by_endpoint[endpointId] = (this.values.requests_by_endpoint[endpointId] ?? 0) + 1;
  }

  /** Fault counts live in the injector, which rolls the dice; they are joined in here. */
  snapshot(faultsInjected: CounterSnapshot['faults_injected']): CounterSnapshot {
    return structuredClone({ ...this.values, faults_injected: faultsInjected });
  }

  reset(): void {
    this.values = EmulatorCounters.zero();
  }

  /** For a restart from the data dir: the counts go on where they were. */
  restore(values: Omit<CounterSnapshot, 'faults_injected'>): void {
    this.values = { ...EmulatorCounters.zero(), ...structuredClone(values) };
  }

  /** The counts without the fault tallies (which live in the injector). */
  current(): Omit<CounterSnapshot, 'faults_injected'> {
    return structuredClone(this.values);
  }
}
