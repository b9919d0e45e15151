import { HeartbeatRequest, PROTOCOL_VERSION, RegisterTaskExecutorRequest, ValidationError, validateMessage } from '../index';

const valid = {
  protocolVersion: PROTOCOL_VERSION,
  resourceId: 'tm-1',
  address: 'http://127.0.0.1:1234',
  hostname: 'h',
  pid: 10,
  slots: 3,
  version: '0.1.0',
  cpuCores: 2,
  physicalMemory: 1024,
};

function violationsOf(payload: unknown): Record<string, string[]> {
  try {
    validateMessage(RegisterTaskExecutorRequest, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return Object.fromEntries((error as ValidationError).violations.map((v) => [v.field, [...v.problems]]));
  }
  throw new Error('expected a validation error');
}

describe('validateMessage', () => {
  it('returns a DTO instance for a valid message', () => {
    const dto = validateMessage(RegisterTaskExecutorRequest, valid);
    expect(dto).toBeInstanceOf(RegisterTaskExecutorRequest);
    expect(dto.slots).toBe(3);
  });

  it('names each missing or wrong-typed field', () => {
    const { slots: _slots, ...missing } = valid;
    const violations = violationsOf({ ...missing, pid: 'ten' });
    expect(Object.keys(violations).sort()).toEqual(['pid', 'slots']);
    expect(violations.pid.join()).toMatch(/integer/);
  });

  it('refuses another protocol version', () => {
    const violations = violationsOf({ ...valid, protocolVersion: 99 });
    expect(violations.protocolVersion).toEqual([`protocolVersion must be ${PROTOCOL_VERSION} (the version this service speaks)`]);
  });

  it('refuses unknown fields rather than dropping them silently', () => {
    expect(Object.keys(violationsOf({ ...valid, slotz: 3 }))).toEqual(['slotz']);
  });

  it('refuses non-objects', () => {
    expect(Object.keys(violationsOf([1, 2]))).toEqual(['']);
    expect(Object.keys(violationsOf('x'))).toEqual(['']);
  });

  it('validates nested slot reports with their path', () => {
    expect(() =>
      validateMessage(HeartbeatRequest, {
        protocolVersion: PROTOCOL_VERSION,
        resourceId: 'tm-1',
        registrationId: '9b2f7c1e-4f4e-4b8a-9a51-0c7e8f1d2a3b',
        resourceManagerId: 'rm',
        slotReport: [{ index: 0 }, { index: -1, allocationId: 'nothex' }],
      }),
    ).toThrow(/slotReport\.1\.index.*slotReport\.1\.allocationId/);
  });
});
