import { ValidationError } from '@runnel/protocol';
import { checkParallelism } from '../jars/run-options.validator';
import { parseResourceId, parseTriggerId } from './ids';
import { restBodyPipe } from './rest-body.pipe';
import { RunJarBody } from '../jars/dto/run-jar.body';
import { SavepointBody } from './savepoint.body';

const body = (metatype: new () => object, value: unknown) => restBodyPipe.transform(value, { type: 'body', metatype });

describe('REST inputs', () => {
  it('checks trigger and TaskManager ids', () => {
    expect(parseTriggerId('0b0e3f7c-2a5e-4f4e-9a53-0c1f3a9e2b11')).toBeDefined();
    for (const bad of ['', 'x', '../x', '0B0E3F7C-2A5E-4F4E-9A53-0C1F3A9E2B11', 'a'.repeat(5000)]) expect(() => parseTriggerId(bad)).toThrow(ValidationError);
    expect(parseResourceId('tm-0')).toBe('tm-0');
    for (const bad of ['', '..', '.tm', 'tm/0', 'tm 0', 'x'.repeat(129)]) expect(() => parseResourceId(bad)).toThrow(ValidationError);
  });

  it('bounds the parallelism by MAX_JOB_PARALLELISM', () => {
    expect(() => checkParallelism(1024, 1024)).not.toThrow();
    expect(() => checkParallelism(1025, 1024)).toThrow(/MAX_JOB_PARALLELISM/);
    expect(() => checkParallelism(undefined, 1)).not.toThrow();
  });

  it('refuses deep, non-object and __proto__ bodies with 400s, and empty paths', async () => {
    const deep = JSON.parse(`{"programArgsList":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(() => body(RunJarBody, deep)).toThrow(/nested/);
    expect(() => body(RunJarBody, [])).toThrow(ValidationError);
    expect(() => body(SavepointBody, JSON.parse('{"__proto__":{"targetDirectory":"/etc"}}'))).toThrow(/__proto__/);
    await expect(body(SavepointBody, { 'target-directory': '' })).rejects.toThrow(ValidationError);
    await expect(body(RunJarBody, { savepointPath: '' })).rejects.toThrow(ValidationError);
    await expect(body(RunJarBody, { parallelism: 40_000 })).rejects.toThrow(/parallelism/);
  });
});
