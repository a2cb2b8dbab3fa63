// A lock between processes on one machine, in plain Node so that it works wherever Node does
// (Linux, macOS): `flock(1)` is util-linux only. The lock is a directory, because mkdir is atomic
// on every file system; the holder writes its pid inside, so a holder that died (SIGKILL, a
// closed terminal) leaves a lock the next process recognises as stale and takes over, as flock
// would have released it.

import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const OWNER_FILE = 'owner';

/**
 * Runs `fn` while holding the lock at `lockDir`, waiting for another holder first. The wait is
 * bounded: a live holder that keeps the lock longer than `maxWaitMs` (a build takes seconds, a
 * Go build minutes) is reported as an error naming the lock and its pid.
 * @template T
 * @param {string} lockDir
 * @param {() => Promise<T>} fn
 * @param {{ maxWaitMs?: number, onWait?: (pid: number) => void }} [options]
 * @returns {Promise<T>}
 */
export async function withFileLock(lockDir, fn, options = {}) {
  const maxWaitMs = options.maxWaitMs ?? 30 * 60_000;
  const started = Date.now();
  let delayMs = 20;
  let told = false;
  for (;;) {
    if (tryAcquire(lockDir)) break;
    const pid = ownerPid(lockDir);
    if (pid === undefined && ageMs(lockDir) > 10_000) {
      // Made but never owned (its maker died between mkdir and writing its pid): stale too.
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (pid !== undefined && !isAlive(pid)) {
      // Its holder is gone: remove the stale lock, unless another waiter already took it over.
      if (ownerPid(lockDir) === pid) fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - started > maxWaitMs) {
      throw new Error(`waited ${Math.round(maxWaitMs / 1000)} s for the lock ${lockDir} (held by pid ${pid ?? 'unknown'}); if no such process runs, remove that directory`);
    }
    if (!told && pid !== undefined) {
      options.onWait?.(pid);
      told = true;
    }
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 500);
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** @param {string} lockDir */
function tryAcquire(lockDir) {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  try {
    fs.mkdirSync(lockDir);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'EEXIST') return false;
    throw err;
  }
  fs.writeFileSync(path.join(lockDir, OWNER_FILE), String(process.pid));
  return true;
}

/**
 * The holder's pid; undefined while the holder has made the directory but not yet written it.
 * @param {string} lockDir
 */
function ownerPid(lockDir) {
  try {
    const pid = Number(fs.readFileSync(path.join(lockDir, OWNER_FILE), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** @param {string} lockDir */
function ageMs(lockDir) {
  try {
    return Date.now() - fs.statSync(lockDir).mtimeMs;
  } catch {
    return 0; // gone already: the next attempt takes it
  }
}

/** @param {number} pid */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM'; // alive, another user's
  }
}
