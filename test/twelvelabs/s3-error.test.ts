import { describe, expect, it } from 'vitest';
import { classifyS3Failure, parseS3ErrorXml } from '../../src/twelvelabs/s3-error';

const xml = (code: string, message: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>7D2E41A09C5B3F18</RequestId><HostId>tl-emulator</HostId></Error>`;

describe('S3 XML error bodies', () => {
  it('extracts Code, Message and RequestId', () => {
    const body = parseS3ErrorXml(
      xml('AccessDenied', 'Request has expired', '<X-Amz-Expires>3600</X-Amz-Expires><Expires>2026-01-15T10:00:00Z</Expires>'),
    );
    expect(body).toEqual({ code: 'AccessDenied', message: 'Request has expired', requestId: '7D2E41A09C5B3F18' });
  });

  it('decodes entities and CDATA, and tolerates namespaces and whitespace', () => {
    expect(parseS3ErrorXml('<Error><Code>X</Code><Message>a &lt;b&gt; &amp; &quot;c&quot; &#65;&#x42;</Message></Error>').message).toBe(
      'a <b> & "c" AB',
    );
    expect(parseS3ErrorXml('<Error><Message><![CDATA[x < y]]></Message></Error>').message).toBe('x < y');
    expect(parseS3ErrorXml('<s3:Error xmlns:s3="x">\n  <s3:Code> SlowDown </s3:Code>\n</s3:Error>').code).toBe('SlowDown');
  });

  it('never reads the signature parts S3 may echo back', () => {
    const body = parseS3ErrorXml(
      xml('SignatureDoesNotMatch', 'The request signature we calculated does not match', '<SignatureProvided>deadbeef</SignatureProvided><StringToSign>AWS4…</StringToSign>'),
    );
    expect(JSON.stringify(body)).not.toContain('deadbeef');
    expect(JSON.stringify(body)).not.toContain('AWS4');
  });

  it('returns nothing for non-XML bodies (and never tries JSON)', () => {
    expect(parseS3ErrorXml('{"code":"AccessDenied"}')).toEqual({});
    expect(parseS3ErrorXml('<html><body>Bad gateway</body></html>')).toEqual({});
    expect(parseS3ErrorXml('')).toEqual({});
  });
});

describe('chunk PUT failure classification (contract 4.3)', () => {
  const cases: Array<[number, string, string, string, boolean, boolean]> = [
    [403, 'AccessDenied', 'Request has expired', 'url-expired', true, true],
    [403, 'AccessDenied', 'Presigned URL has already been used', 'url-used', true, true],
    [403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match', 'signature-mismatch', true, true],
    [403, 'AccessDenied', 'Access Denied', 'access-denied', true, true],
    [404, 'NoSuchUpload', 'The specified upload does not exist', 'no-such-upload', false, false],
    [400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', 'bad-digest', true, true],
    [400, 'RequestTimeout', 'Your socket connection to the server was not read from or written to', 'request-timeout', true, true],
    [411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.', 'missing-length', false, false],
    [500, 'InternalError', 'We encountered an internal error.', 'server', true, true],
    [503, 'SlowDown', 'Please reduce your request rate.', 'server', true, true],
    [502, '', '', 'server', true, true],
    [501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', 'server', false, false],
    [400, 'InvalidArgument', 'x', 'unexpected', false, true],
    [302, '', '', 'unexpected', false, true],
  ];
  for (const [status, code, message, reason, retryable, needsFreshUrl] of cases) {
    it(`${status} ${code || '(no code)'} → ${reason}`, () => {
      expect(classifyS3Failure(status, { code, message })).toEqual({ reason, retryable, needsFreshUrl });
    });
  }
});
