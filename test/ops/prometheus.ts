// The Prometheus text reader lives with the other dev tools, where the bench uses it too.
export * from '../../src/dev/prometheus-text';
