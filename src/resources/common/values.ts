// Values that IOM and dual-write store as text but the YAML writes as true, 5 or "x": one rule for
// every kind, exact in both directions. The YAML's value is stored as its plain text ("true", "5");
// stored text becomes a boolean or a number only when it is exactly how that value is written, so
// a stored "True" or "05" shows as a difference instead of hiding behind a lenient parse, and a
// change of case in a URL or key is applied and reported like any other change.

export type Scalar = string | number | boolean;

/** The text a YAML value is stored as. */
export function valueText(value: Scalar): string {
  return typeof value === "string" ? value : String(value);
}

/**
 * Stored text in the type the YAML used for it (the hint): true/false or a number only when the
 * text is exactly how that value is written; anything else stays text.
 */
export function typedValue(text: string, hint: unknown): Scalar {
  if (typeof hint === "boolean" && (text === "true" || text === "false")) return text === "true";
  if (typeof hint === "number" && text.trim() !== "" && String(Number(text)) === text) return Number(text);
  return text;
}

/**
 * Stored text with no YAML to follow (`iom import`): true, false or a number only when the text is
 * exactly how that value is written, so that applying the YAML stores the very same text again.
 */
export function valueFromText(text: string): Scalar {
  const flag = typedValue(text, true);
  return typeof flag === "boolean" ? flag : typedValue(text, 0);
}

/** Whether the stored text already holds the YAML's value: then nothing is written. */
export function sameStoredValue(stored: unknown, value: Scalar): boolean {
  return typeof stored === "string" && stored === valueText(value);
}
