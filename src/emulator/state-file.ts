// Keeps the emulator's world in its data dir, so that a restart finds the sessions, assets and
// chunks it had acknowledged, as the real API would. One JSON snapshot, replaced atomically
// (write, then rename). Every reply to a request that may change something waits until a
// snapshot taken after the change is on disk; requests that arrive while one is being written
// share the next write (group commit), so a busy store writes a few times a second, not per PUT.

import { readFile, rename, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import type { AssetSnapshot } from './asset';
import type { CounterSnapshot } from './counters';
import type { CreatedAssetView } from './creation-ledger';
import type { UploadSessionSnapshot } from './upload-session';

export const STATE_FILE_NAME = 'emulator-state.json';

export interface EmulatorSnapshot {
  version: 1;
  /** base64 of the presigned-URL signing key. */
  signingSecret: string;
  clockOffsetMs: number;
  sequence: number;
  sessions: UploadSessionSnapshot[];
  assets: AssetSnapshot[];
  creations: CreatedAssetView[];
  counters: Omit<CounterSnapshot, 'faults_injected'>;
}

/** The snapshot in `dataDir`, or undefined for a fresh dir. A damaged file fails loudly. */
export async function readSnapshot(dataDir: string): Promise<EmulatorSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, STATE_FILE_NAME), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const snapshot = JSON.parse(text) as EmulatorSnapshot;
  if (snapshot.version !== 1) throw new Error(`${path.join(dataDir, STATE_FILE_NAME)}: unknown version ${String(snapshot.version)}`);
  return snapshot;
}

export class StateFile {
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly take: () => EmulatorSnapshot,
  ) {}

  /** Resolves once a snapshot taken after this call is on disk. */
  save(): Promise<void> {
    this.next ??= (async () => {
      await this.writing?.catch(() => undefined);
      this.next = undefined;
      this.writing = this.write(this.take());
      return this.writing;
    })();
    return this.next;
  }

  private async write(snapshot: EmulatorSnapshot): Promise<void> {
    const target = path.join(this.dataDir, STATE_FILE_NAME);
    const temp = `${target}.tmp`;
    await writeFile(temp, JSON.stringify(snapshot));
    await rename(temp, target);
  }
}

/**
 * Holds `res`'s reply (status, headers, body) until `saved()` resolves: what a client was told
 * has happened is on disk first. Wraps whatever writeHead/end the response has (a lost-reply
 * fault armed before it still loses the reply, after the save).
 */
export function replyAfterSave(res: ServerResponse, saved: () => Promise<void>): void {
  const writeHead = res.writeHead;
  const write = res.write;
  const end = res.end;
  const held: Array<() => void> = [];
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    held.push(() => (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args));
    return this;
  } as ServerResponse['writeHead'];
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    held.push(() => (write as (...a: unknown[]) => boolean).apply(this, args));
    return true;
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    const release = () => {
      res.writeHead = writeHead;
      res.write = write;
      res.end = end;
      for (const step of held.splice(0)) step();
      (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    };
    saved().then(release, (error: unknown) => {
      console.error('emulator: could not save its state; the reply is withheld:', error);
      this.destroy();
    });
    return this;
  } as ServerResponse['end'];
}
