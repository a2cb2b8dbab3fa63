// The URLs a multipart workflow holds for handing out to lanes: each single use (taken once, never
// handed out again), each with the batch (generation) it was minted in, so a batch is dropped
// together when its drop timer fires or when the store refuses one of it. Pure: the workflow
// decides when to drop (by timers), unit tests drive it directly.

import type { PresignedUrl } from '../../domain/types';

export type HeldUrl = PresignedUrl & { generation: number };

export class UrlPool {
  private readonly urls = new Map<number, HeldUrl>();
  private generations = 0;

  /** Holds a freshly minted batch; answers its generation (undefined for an empty batch). */
  hold(minted: readonly PresignedUrl[]): number | undefined {
    if (minted.length === 0) return undefined;
    const generation = ++this.generations;
    for (const url of minted) this.urls.set(url.chunkIndex, { ...url, generation });
    return generation;
  }

  has(chunkIndex: number): boolean {
    return this.urls.has(chunkIndex);
  }

  /** Hands the chunk's URL out, once: a URL handed out may be used up, so it is never given again. */
  take(chunkIndex: number): HeldUrl | undefined {
    const url = this.urls.get(chunkIndex);
    this.urls.delete(chunkIndex);
    return url;
  }

  /** Drops what is left of a batch (near expiry: its timer fired). */
  drop(generation: number): void {
    for (const [chunkIndex, url] of this.urls) if (url.generation === generation) this.urls.delete(chunkIndex);
  }

  /** Drops every URL: the store refused one, and the others were signed the same way. */
  clear(): void {
    this.urls.clear();
  }

  /** Of these chunks, those holding no URL. */
  missing(chunkIndices: readonly number[]): number[] {
    return chunkIndices.filter((chunkIndex) => !this.urls.has(chunkIndex));
  }

  get size(): number {
    return this.urls.size;
  }
}
