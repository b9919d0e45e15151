/**
 * Reads the multipart upload of POST /jars/upload while it streams in, and stops at the limits:
 * one file, in the field `jarfile`, of at most ARTIFACT_MAX_BYTES — so a 1 GiB upload costs at most
 * the limit in memory and is answered (400 ARTIFACT_TOO_LARGE) as soon as the limit is passed, not
 * after it was all received. What remains of a refused body is dropped, then the connection cut
 * (service-kit's discardBody). The file is handed on as `req.file`, for `@UploadedFile()`.
 */
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { ArtifactTooLargeError, InvalidArtifactError, ValidationError } from '@runnel/protocol';
import { discardBody } from '@runnel/service-kit';
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { Observable } from 'rxjs';
import { JAR_SETTINGS, JarSettings } from './jar.service';

export const UPLOAD_FIELD = 'jarfile';

export interface UploadedArtifact {
  readonly originalname: string;
  readonly buffer: Buffer;
}

/** The parts an upload may have besides the file: a few small fields (Flink's clients send none). */
const LIMITS = { files: 1, fields: 8, parts: 10, fieldSize: 64 * 1024, headerPairs: 64 };

/** Resolves with the uploaded file, or undefined when the request is not multipart or has none. */
export function readArtifactUpload(req: IncomingMessage, maxBytes: number): Promise<UploadedArtifact | undefined> {
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { ...LIMITS, fileSize: maxBytes } });
    } catch (error) {
      reject(new ValidationError(`Invalid multipart upload: ${(error as Error).message}`, [{ field: 'content-type', problems: [(error as Error).message] }]));
      return;
    }
    let settled = false;
    let file: UploadedArtifact | undefined;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      discardBody(req);
      reject(error);
    };
    parser.on('file', (field, stream, info) => {
      if (field !== UPLOAD_FIELD) {
        stream.resume();
        return fail(new InvalidArtifactError(`The upload has a file in the field "${field}": send the job artifact in the field "${UPLOAD_FIELD}"`));
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // busboy stops passing data on at the limit and says so; the rest is never kept.
      stream.on('limit', () => fail(new ArtifactTooLargeError(undefined, maxBytes)));
      stream.on('end', () => {
        if (!settled && !stream.truncated) file = { originalname: info.filename || 'job.mjs', buffer: Buffer.concat(chunks) };
      });
    });
    parser.on('filesLimit', () => fail(new InvalidArtifactError('The upload has more than one file: send one job artifact per upload')));
    parser.on('fieldsLimit', () => fail(new ValidationError(`The upload has more than ${LIMITS.fields} fields`, [{ field: 'body', problems: ['too many fields'] }])));
    parser.on('partsLimit', () => fail(new ValidationError(`The upload has more than ${LIMITS.parts} parts`, [{ field: 'body', problems: ['too many parts'] }])));
    parser.on('error', (error: Error) => fail(new ValidationError(`Invalid multipart upload: ${error.message}`, [{ field: 'body', problems: [error.message] }])));
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(file);
    });
    req.on('aborted', () => fail(new ValidationError('The upload was aborted by the client', [])));
    req.pipe(parser);
  });
}

@Injectable()
export class ArtifactUploadInterceptor implements NestInterceptor {
  constructor(@Inject(JAR_SETTINGS) private readonly settings: JarSettings) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<IncomingMessage & { file?: UploadedArtifact }>();
    const file = await readArtifactUpload(req, this.settings.maxArtifactBytes);
    if (file) req.file = file;
    return next.handle();
  }
}
