/**
 * Wall-clock and process-CPU measurement of one benchmark step. CPU time (user + system, all
 * threads of the process) divided by wall time is the number of cores the step kept busy, so
 * throughput per core stays comparable whether a run used one core or several.
 */

export interface Measurement {
  wallMs: number;
  cpuMs: number;
  /** Average cores busy during the step (cpuMs / wallMs). */
  cores: number;
}

export async function measure<T>(step: () => T | Promise<T>): Promise<{ result: T; measurement: Measurement }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = await step();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return { result, measurement: { wallMs, cpuMs, cores: wallMs > 0 ? cpuMs / wallMs : 0 } };
}

export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : 0;
}
