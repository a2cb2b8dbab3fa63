// With encryption on, failure messages and stack traces travel as an encoded payload (so the
// codec encrypts them) instead of plain text: they can name file paths and presigned-URL paths.
// Loaded by path (DataConverter.failureConverterPath) on the worker's main thread, in the
// workflow bundle and by clients; plain CommonJS so that Node's own require() can load it without
// a TypeScript loader (vitest, embedding services).
'use strict';

const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
