// The store every contender uploads to, as the bench's flags describe it: a latency tail
// (--slow-chunks) and a WAN (--wan, --wan-latency-ms, --wan-mb-per-s), alone or together. The
// emulator applies both to every chunk PUT, whoever sends it.

import { TYPICAL_WAN } from '../../src/emulator/wan-profile';

export interface StoreProfile {
  /** Fraction of chunk PUTs answered slowChunkMs late (the emulator's put_slow knob). */
  slowChunks?: number;
  slowChunkMs?: number;
  /**
   * The tail model: 'after-body' (the slow PUT's body at the link's pace, the answer slowChunkMs
   * after it) or 'at-once' (the body received at once, the answer slowChunkMs after the request).
   */
  slowModel?: SlowModel;
  /** Latency added to every chunk PUT, and bandwidth of each connection in MB/s (10^6 bytes/s). */
  wan?: { putLatencyMs: number; connectionMbPerSecond: number };
}

export const SLOW_MODELS = ['after-body', 'at-once'] as const;
export type SlowModel = (typeof SLOW_MODELS)[number];

export interface StoreFlags {
  'slow-chunks'?: string;
  'slow-chunk-ms'?: string;
  'slow-model'?: string;
  wan?: boolean;
  'wan-latency-ms'?: string;
  'wan-mb-per-s'?: string;
}

/** Flags the bench cannot run with; the message names the flag. */
export class StoreFlagError extends Error {
  override readonly name = 'StoreFlagError';
}

/** The profile the flags ask for; undefined for the default store (loopback, no tail). */
export function parseStoreProfile(flags: StoreFlags): StoreProfile | undefined {
  const profile: StoreProfile = {};
  if (flags['slow-chunks'] !== undefined) {
    const slowChunks = Number(flags['slow-chunks']);
    const slowChunkMs = Number(flags['slow-chunk-ms'] ?? '2000');
    if (!(slowChunks > 0 && slowChunks <= 1)) throw new StoreFlagError('--slow-chunks must be a fraction in (0, 1]');
    if (!Number.isInteger(slowChunkMs) || slowChunkMs < 1) throw new StoreFlagError('--slow-chunk-ms must be a positive integer');
    const slowModel = (flags['slow-model'] ?? 'after-body') as SlowModel;
    if (!SLOW_MODELS.includes(slowModel)) throw new StoreFlagError(`--slow-model must be one of ${SLOW_MODELS.join(', ')}`);
    Object.assign(profile, { slowChunks, slowChunkMs, slowModel });
  } else if (flags['slow-model'] !== undefined) {
    throw new StoreFlagError('--slow-model needs --slow-chunks');
  }
  const latencyText = flags['wan-latency-ms'];
  const rateText = flags['wan-mb-per-s'];
  // Either WAN figure alone implies --wan, with the other at its --wan value.
  if (flags.wan || latencyText !== undefined || rateText !== undefined) {
    const putLatencyMs = latencyText === undefined ? TYPICAL_WAN.putLatencyMs : Number(latencyText);
    const connectionMbPerSecond = rateText === undefined ? TYPICAL_WAN.connectionBytesPerSecond / 1e6 : Number(rateText);
    if (!Number.isInteger(putLatencyMs) || putLatencyMs < 0) throw new StoreFlagError('--wan-latency-ms must be an integer ≥ 0');
    if (!Number.isFinite(connectionMbPerSecond) || connectionMbPerSecond < 0) {
      throw new StoreFlagError('--wan-mb-per-s must be a number ≥ 0 (0 = unlimited)');
    }
    profile.wan = { putLatencyMs, connectionMbPerSecond };
  }
  return Object.keys(profile).length > 0 ? profile : undefined;
}

/** Suffix of the result set's key, so each store profile keeps its own figures. */
export function storeLabel(profile: StoreProfile | undefined): string {
  if (!profile) return '';
  const wan = profile.wan ? `-wan-${profile.wan.putLatencyMs}ms-${profile.wan.connectionMbPerSecond}MBps` : '';
  const model = profile.slowModel === 'at-once' ? '-at-once' : '';
  const slow = profile.slowChunks !== undefined ? `-slow-${profile.slowChunks * 100}pct-${profile.slowChunkMs}ms${model}` : '';
  return `${wan}${slow}`;
}

/** `npm run emulator` flags of the WAN part (the tail is a fault knob, set through the admin API). */
export function wanEmulatorArgs(profile: StoreProfile | undefined): string[] {
  if (!profile?.wan) return [];
  return ['--wan-latency-ms', String(profile.wan.putLatencyMs), '--wan-mb-per-s', String(profile.wan.connectionMbPerSecond)];
}

/** The store in words, for the log and the table's header; '' for the default store. */
export function describeStore(profile: StoreProfile | undefined): string {
  const parts: string[] = [];
  if (profile?.wan) parts.push(`a WAN of ${profile.wan.putLatencyMs} ms per chunk PUT and ${profile.wan.connectionMbPerSecond} MB/s per connection`);
  if (profile?.slowChunks !== undefined) {
    const model = profile.slowModel === 'at-once' ? 'after the request, the body received at once' : 'after the whole body';
    parts.push(`${profile.slowChunks * 100} % of chunk PUTs answered ${profile.slowChunkMs} ms late (${model})`);
  }
  return parts.join(', ');
}
