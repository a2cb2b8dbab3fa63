// Installs the process-wide Temporal Runtime with our logger and, when asked, the Prometheus
// exporter. Must run before anything connects to Temporal (the first connection creates a
// default Runtime that can no longer be changed).

import { Runtime, type LogLevel } from '@temporalio/worker';
import { createLogger, type LogFormat } from './logging';
import { UPLOAD_DURATION_BUCKETS_SECONDS, UploadMetric } from './metric-names';

export interface ObservabilityOptions {
  /** host:port for `GET /metrics` (Temporal's metrics and ours); undefined: no exporter. */
  metricsBindAddress?: string;
  /** Default INFO. */
  logLevel?: LogLevel;
  /** Default json. */
  logFormat?: LogFormat;
  /** Values never to log (the API key). */
  secrets?: readonly string[];
}

export function installRuntime(options: ObservabilityOptions = {}): Runtime {
  const logLevel = options.logLevel ?? 'INFO';
  return Runtime.install({
    logger: createLogger({ level: logLevel, format: options.logFormat ?? 'json', secrets: options.secrets }),
    telemetryOptions: {
      // The Rust core's own logs go through the same logger, so they are JSON lines too.
      logging: { filter: { core: logLevel === 'TRACE' || logLevel === 'DEBUG' ? logLevel : 'WARN', other: 'ERROR' }, forward: {} },
      ...(options.metricsBindAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: options.metricsBindAddress,
                countersTotalSuffix: true,
                histogramBucketOverrides: { [UploadMetric.uploadDurationSeconds]: UPLOAD_DURATION_BUCKETS_SECONDS },
              },
            },
          }
        : {}),
    },
  });
}
