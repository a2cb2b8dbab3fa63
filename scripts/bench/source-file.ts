// Source files for benchmarks and chaos runs: patterned pseudo-random bytes (incompressible, so
// MD5 and SHA-256 do real work, and no two chunks are alike), made once and reused; the SHA-256
// is cached beside the file with its size.

import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import { MIB } from '../../src/twelvelabs/limits';

export interface SourceFile {
  path: string;
  sizeBytes: number;
  sha256: string;
}

/** Makes (or reuses) `filePath` with `sizeBytes` bytes; its SHA-256 is cached in `<file>.sha256`. */
export async function ensureSourceFile(filePath: string, sizeBytes: number, log: (line: string) => void = console.log): Promise<SourceFile> {
  const cachePath = `${filePath}.sha256`;
  if (fs.existsSync(filePath) && fs.statSync(filePath).size === sizeBytes && fs.existsSync(cachePath)) {
    const [cachedSize, cachedSha] = fs.readFileSync(cachePath, 'utf8').trim().split(' ');
    if (Number(cachedSize) === sizeBytes && cachedSha) return { path: filePath, sizeBytes, sha256: cachedSha };
  }
  log(`writing a ${sizeBytes}-byte source file at ${filePath} ...`);
  const hash = createHash('sha256');
  const out = fs.createWriteStream(filePath);
  const block = randomBytes(MIB);
  for (let written = 0; written < sizeBytes; written += block.length) {
    // stamp each block so no two chunks are alike
    block.writeUInt32LE(written >>> 0, 0);
    block.writeUInt32LE(Math.floor(written / 2 ** 32), 4);
    const piece = block.subarray(0, Math.min(block.length, sizeBytes - written));
    hash.update(piece);
    if (!out.write(Buffer.from(piece))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  const sha256 = hash.digest('hex');
  fs.writeFileSync(cachePath, `${sizeBytes} ${sha256}\n`);
  return { path: filePath, sizeBytes, sha256 };
}
