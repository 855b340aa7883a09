// The media type every API request body must have (decision 001): UTF-8 JSON, or 415.
import type { RequestHandler } from 'express';
import { UnsupportedMediaTypeError } from './errors';

/**
 * Bodies must be JSON in UTF-8 (decision 001): a request that has a body of another media type,
 * or declares any charset but UTF-8, gets 415 before the body is read. (express.json alone would
 * decode UTF-16 and UTF-32, and skip a text/plain body without a word.)
 */
export const requireUtf8Json: RequestHandler = (req, _res, next) => {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody) return next();
  const type = req.headers['content-type'] ?? '';
  const [mediaType = '', ...params] = type.split(';').map((p) => p.trim().toLowerCase());
  const isJson = mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
  const charset = params.map((p) => /^charset\s*=\s*"?([^"]*)"?$/.exec(p)?.[1]).find((c) => c !== undefined);
  if (!isJson) return next(new UnsupportedMediaTypeError(`The request body must be JSON (Content-Type: application/json), not "${type || 'none'}".`));
  if (charset !== undefined && charset !== 'utf-8') {
    return next(new UnsupportedMediaTypeError(`The request body must be UTF-8 JSON, not charset "${charset}".`));
  }
  next();
};
