// How far a filter is followed, by the validator and by the emulator alike. The OData parser and every walk over its tree recurse
// once per level of parentheses and once per operator in an and/or chain, so a filter of a few
// hundred kilobytes (a hostile file, or a generated one gone wrong) would exhaust the stack
// instead of producing a finding (or, in the emulator, a 400). Filters are measured here first, in
// one linear scan, and refused when they pass bounds no dual-write filter or query comes near.
import { parseFilter } from "./filter.js";
import type { FilterNode } from "./filter.js";

/** Levels of parentheses (groups, function calls, lambdas) a filter may nest. */
export const MAX_FILTER_DEPTH = 64;
/** and / or / not operators a filter may hold. */
export const MAX_FILTER_OPERATORS = 500;

/** A filter beyond the bounds, with the offset in its text where it passes them. */
export class FilterTooComplexError extends Error {
  override readonly name = "FilterTooComplexError";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/**
 * Throws FilterTooComplexError when the filter nests deeper than MAX_FILTER_DEPTH or holds more
 * than MAX_FILTER_OPERATORS operators; text inside string literals does not count.
 */
export function assertFilterWithinLimits(text: string): void {
  let depth = 0;
  let operators = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      // A string literal, '' standing for a quote: skip it whole.
      i++;
      while (i < text.length && !(text.charCodeAt(i) === QUOTE && text.charCodeAt(i + 1) !== QUOTE))
        i += text.charCodeAt(i) === QUOTE ? 2 : 1;
    } else if (ch === OPEN) {
      if (++depth > MAX_FILTER_DEPTH)
        throw new FilterTooComplexError(`nests parentheses more than ${MAX_FILTER_DEPTH} levels deep`, i);
    } else if (ch === CLOSE) {
      depth = Math.max(0, depth - 1);
    } else if (
      isLower(ch) &&
      (i === 0 || !(isWordChar(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === DOT))
    ) {
      // The word starting here, as far as the longest operator and a letter more.
      let end = i + 1;
      while (end < i + 4 && end < text.length && isLower(text.charCodeAt(end))) end++;
      const whole = end >= text.length || !isWordChar(text.charCodeAt(end));
      const word = text.slice(i, end);
      if (whole && (word === "and" || word === "or" || word === "not") && ++operators > MAX_FILTER_OPERATORS)
        throw new FilterTooComplexError(`holds more than ${MAX_FILTER_OPERATORS} and/or/not operators`, i);
    }
  }
}

// Character codes: the scan runs on every query the emulator answers, and a regular expression
// per character cost more than the rest of parsing a short filter.
const QUOTE = 0x27;
const OPEN = 0x28;
const CLOSE = 0x29;
const DOT = 0x2e;

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

/** [A-Za-z0-9_]; NaN (past the end) is not. */
function isWordChar(c: number): boolean {
  return isLower(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/** parseFilter behind the bounds: FilterTooComplexError or the parser's FilterSyntaxError. */
export function parseBoundedFilter(text: string): FilterNode {
  assertFilterWithinLimits(text);
  return parseFilter(text);
}
