import { PROTOCOL_VERSION, RegisterTaskExecutorRequest, ValidationError, payloadShapeProblem, validateMessage } from '../index';

const deep = (depth: number): unknown => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

describe('payload shape', () => {
  it('bounds nesting without recursing itself', () => {
    expect(payloadShapeProblem(deep(10))).toBeUndefined();
    expect(payloadShapeProblem(deep(65))).toMatch(/nested/);
    expect(payloadShapeProblem(deep(100_000))).toMatch(/nested/);
  });

  it('refuses __proto__ keys anywhere', () => {
    expect(payloadShapeProblem(JSON.parse('{"a":{"__proto__":{"x":1}}}'))).toMatch(/__proto__/);
  });

  it('makes validateMessage refuse a deep or poisoned message instead of overflowing', () => {
    expect(() => validateMessage(RegisterTaskExecutorRequest, { protocolVersion: PROTOCOL_VERSION, resourceId: deep(5000) })).toThrow(ValidationError);
    expect(() => validateMessage(RegisterTaskExecutorRequest, JSON.parse(`{"protocolVersion":${PROTOCOL_VERSION},"__proto__":{"slots":3}}`))).toThrow(/__proto__/);
  });
});
