// A figure: a ratio of two measurements taken in the same run, and the target it is held to.

export interface Target {
  /** The figure meets its target when it is at most this... */
  atMost?: number;
  /** ...or at least this. */
  atLeast?: number;
  /** What the target aims for beyond the one it must meet, e.g. "aim 0.1". */
  aim?: string;
}

export interface Figure {
  id: string;
  name: string;
  value: number;
  target: Target;
  /** The measurements behind the figure, printed under the summary. */
  details: string[];
}

export function met(figure: Figure): boolean {
  const { atMost, atLeast } = figure.target;
  return (
    Number.isFinite(figure.value) &&
    (atMost === undefined || figure.value <= atMost) &&
    (atLeast === undefined || figure.value >= atLeast)
  );
}

function targetText(target: Target): string {
  const parts = [
    ...(target.atMost !== undefined ? [`at most ${target.atMost}`] : []),
    ...(target.atLeast !== undefined ? [`at least ${target.atLeast}`] : []),
    ...(target.aim ? [target.aim] : []),
  ];
  return parts.join(", ");
}

/** `P1 engine overhead: 1.12 (target at most 1.3)`, and `NOT MET` when it is not. */
export function figureLine(figure: Figure): string {
  const value = Number.isFinite(figure.value) ? figure.value.toFixed(2) : String(figure.value);
  return `${figure.id} ${figure.name}: ${value} (target ${targetText(figure.target)})${met(figure) ? "" : " NOT MET"}`;
}

/** Milliseconds, rounded, for the details. */
export const ms = (value: number): string => `${Math.round(value)} ms`;

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("the median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
