// The chaos run's figures: a plain-text summary for the console and a Markdown block for
// docs/RELIABILITY.md.

import os from 'node:os';
import { mb, RECOVERY_BOUND_S, type ChaosReport } from './run-chaos';

export function summaryLines(report: ChaosReport): string[] {
  const lines: string[] = [];
  const kills = report.events.filter((e) => e.kind === 'worker-kill');
  const restarts = report.events.filter((e) => e.kind === 'server-restart');
  lines.push(
    `chaos ${report.label}: ${report.uploads.length} uploads (${report.uploads.filter((u) => u.route === 'direct').length} direct, ` +
      `${report.uploads.filter((u) => u.route === 'multipart').length} multipart), ${mb(report.uploads.reduce((a, u) => a + u.sizeBytes, 0))}, ` +
      `${report.seconds.toFixed(0)} s, seed ${report.seed}, load ${report.loadAverage.start.join(' ')} → ${report.loadAverage.end.join(' ')}`,
  );
  lines.push(`faults injected: ${Object.entries(report.faultsInjected).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  lines.push(`worker kills: ${kills.length}, server restarts: ${restarts.length}`);
  for (const [i, e] of report.events.entries()) {
    lines.push(
      `  #${i + 1} ${e.kind === 'worker-kill' ? `SIGKILL worker ${e.workerPid}` : 'server SIGKILL + restart'} at ${e.atSeconds.toFixed(1)} s ` +
        `(${(e.progress * 100).toFixed(0)}%): ${e.inFlightChunks} chunk PUTs in flight, re-sent ${mb(e.resentBytes)} of a ${mb(e.boundBytes)} bound, ` +
        `${e.directInFlight} direct in flight, moving again ${e.recoverySeconds === undefined ? 'never' : `after ${e.recoverySeconds.toFixed(1)} s`} (bound ${RECOVERY_BOUND_S[e.kind]} s)`,
    );
  }
  lines.push(
    `bytes: ${mb(report.bytes.received)} received for ${mb(report.bytes.multipartFiles)} of multipart files; retransmitted ${mb(report.bytes.retransmitted)} ` +
      `(${mb(report.bytes.resentAfterCrashes)} after crashes, the rest after injected faults)`,
  );
  lines.push(
    `sessions created: ${report.sessionsCreated}, assets: ${report.assetsCreated}, direct create calls (A1, with fault retries): ${report.directCreateCalls}`,
  );
  for (const c of report.checks) lines.push(`${c.holds ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
  return lines;
}

export function markdown(report: ChaosReport): string {
  const lines: string[] = [];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  lines.push(
    `Run \`${report.label}\` of ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC, seed ${report.seed}, ${report.seconds.toFixed(0)} s; ` +
      `${cpu}, ${os.cpus().length} cores, Node ${process.version}; load average ${report.loadAverage.start.join(' ')} at the start, ${report.loadAverage.end.join(' ')} at the end.`,
  );
  lines.push('');
  lines.push(
    `Faults set: ${Object.entries(report.faultKnobs).map(([k, v]) => `\`${k}=${v}\``).join(', ')}. Multipart tuning: ${JSON.stringify(report.multipart)}; chunk size ${mb(report.chunkSizeBytes)}.`,
  );
  lines.push('');
  lines.push('| upload | size | route | seconds | SHA-256 | chunk retries | session restarts |');
  lines.push('|---|---:|---|---:|---|---:|---:|');
  for (const u of report.uploads) {
    lines.push(
      `| ${u.name} | ${mb(u.sizeBytes)} | ${u.route ?? '**failed**'} | ${u.seconds?.toFixed(1) ?? '–'} | ${u.sha256Matches ? 'matches' : '**differs**'} | ${u.chunkRetries} | ${u.sessionRestarts} |`,
    );
  }
  lines.push('');
  lines.push(`Faults injected: ${Object.entries(report.faultsInjected).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}.`);
  lines.push('');
  lines.push('| # | crash | at | progress | chunks in lanes (before / after) | chunk PUTs in flight (the store) | bound | re-sent | direct in flight | time to recover (bound) |');
  lines.push('|---:|---|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const [i, e] of report.events.entries()) {
    lines.push(
      `| ${i + 1} | ${e.kind === 'worker-kill' ? `SIGKILL worker (pid ${e.workerPid})` : 'SIGKILL + restart Temporal dev server'} | ${e.atSeconds.toFixed(1)} s | ${(e.progress * 100).toFixed(0)}% | ` +
        `${e.inFlightBefore} / ${e.inFlightAfter} | ${e.inFlightChunks} | ${mb(e.boundBytes)} | ${mb(e.resentBytes)} | ${e.directInFlight} | ${e.recoverySeconds === undefined ? '**never**' : `${e.recoverySeconds.toFixed(1)} s`} (${RECOVERY_BOUND_S[e.kind]} s) |`,
    );
  }
  lines.push('');
  lines.push(
    `Bytes: the store read ${mb(report.bytes.received)} for ${mb(report.bytes.multipartFiles)} of multipart files: ${mb(report.bytes.retransmitted)} retransmitted, ` +
      `of which ${mb(report.bytes.resentAfterCrashes)} after crashes (abandoned bodies and chunks stored twice) and the rest after injected faults. ` +
      `Sessions created: ${report.sessionsCreated}; assets: ${report.assetsCreated}; A1 calls: ${report.directCreateCalls}.`,
  );
  lines.push('');
  lines.push('| check | holds | detail |');
  lines.push('|---|---|---|');
  for (const c of report.checks) lines.push(`| ${c.name} | ${c.holds ? 'yes' : '**no**'} | ${c.detail.replace(/\|/g, '\\|')} |`);
  return lines.join('\n');
}
