/** Inspector call frames as the lines of an Error stack (`    at fn (url:line:col)`). */
export interface CallFrame {
  readonly functionName: string;
  readonly url?: string;
  readonly location: { readonly scriptId: string; readonly lineNumber: number; readonly columnNumber: number };
}

export function formatCallFrames(frames: readonly CallFrame[], scripts: ReadonlyMap<string, string>): string {
  return frames
    .map((f) => {
      const url = f.url || scripts.get(f.location.scriptId) || '<anonymous>';
      return `    at ${f.functionName || '<anonymous>'} (${url}:${f.location.lineNumber + 1}:${f.location.columnNumber + 1})`;
    })
    .join('\n');
}
