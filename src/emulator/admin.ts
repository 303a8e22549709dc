// The administrative side: request counters (benchmarks count API calls with them) and fault
// injection (throttling, outages, latency, dropped connections), deterministic under a seed.
import { ApiError, ErrorCode } from "./errors.js";

export class Counters {
  // Maps while counting (every request under /api/ passes here); plain objects only when served.
  private total = 0;
  private readonly byMethod = new Map<string, number>();
  private readonly byRoute = new Map<string, number>();

  /** Counts a request; ids and query strings are normalised away: `set(id)`, `{id}/FieldMappings`. */
  record(method: string, path: string): void {
    const route = `${method} ${normaliseRoute(path)}`;
    this.total++;
    this.byMethod.set(method, (this.byMethod.get(method) ?? 0) + 1);
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  reset(): void {
    this.total = 0;
    this.byMethod.clear();
    this.byRoute.clear();
  }

  toJSON(): { total: number; byMethod: Record<string, number>; byRoute: Record<string, number> } {
    return {
      total: this.total,
      byMethod: Object.fromEntries(this.byMethod),
      byRoute: Object.fromEntries(this.byRoute),
    };
  }
}

const GATEWAY_ID = /\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\/|$)/gi;

export function normaliseRoute(path: string): string {
  const q = path.indexOf("?");
  const end = q < 0 ? path.length : q;
  // What is inside parentheses at any depth becomes "(id)"; a stray ")" is dropped. Copied by
  // slices between parentheses rather than character by character.
  let out = "";
  let depth = 0;
  let start = 0;
  for (let i = 0; i < end; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x28) {
      if (depth === 0) out += `${path.slice(start, i)}(id)`;
      depth++;
    } else if (c === 0x29) {
      if (depth === 0) out += path.slice(start, i);
      else depth--;
      if (depth === 0) start = i + 1;
    }
  }
  if (depth === 0) out += path.slice(start, end);
  // The dual-write gateway puts ids in path segments (<pid>/FieldMappings, Status/<requestId>).
  return out.replace(GATEWAY_ID, "/{id}");
}

export interface FaultRule {
  status?: number;
  retryAfter?: number;
  count?: number;
  /** Lets the first N matching requests through before the rule applies (a fault mid-sequence). */
  skip?: number;
  probability?: number;
  latencyMs?: number;
  drop?: boolean;
  method?: string;
  path?: string;
}

/** mulberry32: a tiny, well-distributed PRNG, so that a seed replays the same faults. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RULE_FIELDS: Record<keyof FaultRule, string> = {
  status: "number",
  retryAfter: "number",
  count: "number",
  skip: "number",
  probability: "number",
  latencyMs: "number",
  drop: "boolean",
  method: "string",
  path: "string",
};

function invalid(message: string): ApiError {
  return new ApiError(400, ErrorCode.payload, `Invalid fault rules: ${message}`);
}

function checkRule(rule: unknown, index: number): FaultRule {
  if (typeof rule !== "object" || rule === null || Array.isArray(rule))
    throw invalid(`rules[${index}] must be an object`);
  for (const [name, value] of Object.entries(rule)) {
    const type = RULE_FIELDS[name as keyof FaultRule];
    if (!type)
      throw invalid(`rules[${index}].${name} is not a known field (${Object.keys(RULE_FIELDS).join(", ")})`);
    if (typeof value !== type) throw invalid(`rules[${index}].${name} must be a ${type}`);
  }
  const r = rule as FaultRule;
  if (r.status !== undefined && (!Number.isInteger(r.status) || r.status < 400 || r.status > 599))
    throw invalid(`rules[${index}].status must be an HTTP error status (400-599)`);
  if (r.probability !== undefined && (r.probability < 0 || r.probability > 1))
    throw invalid(`rules[${index}].probability must be within 0..1`);
  if (r.count !== undefined && (!Number.isInteger(r.count) || r.count < 1))
    throw invalid(`rules[${index}].count must be a positive integer`);
  if (r.skip !== undefined && (!Number.isInteger(r.skip) || r.skip < 0))
    throw invalid(`rules[${index}].skip must be a non-negative integer`);
  if (r.latencyMs !== undefined && (r.latencyMs < 0 || r.latencyMs > 60_000))
    throw invalid(`rules[${index}].latencyMs must be within 0..60000`);
  if (r.retryAfter !== undefined && (!Number.isInteger(r.retryAfter) || r.retryAfter < 0))
    throw invalid(`rules[${index}].retryAfter must be a non-negative integer`);
  if (r.status === undefined && !r.drop && r.latencyMs === undefined)
    throw invalid(`rules[${index}] does nothing: give status, drop or latencyMs`);
  return { ...r };
}

export class Faults {
  private rules: FaultRule[] = [];
  private seed: number;
  private random: () => number;

  constructor(private readonly defaultSeed: number) {
    this.seed = defaultSeed;
    this.random = prng(defaultSeed);
  }

  /** Replaces the rules (validating the whole body first) and restarts the random sequence. */
  set(body: unknown): void {
    if (typeof body !== "object" || body === null || !Array.isArray((body as { rules?: unknown }).rules))
      throw invalid('the body must be {"seed"?: number, "rules": [...]}');
    const { seed, rules } = body as { seed?: unknown; rules: unknown[] };
    if (seed !== undefined && (typeof seed !== "number" || !Number.isInteger(seed)))
      throw invalid("seed must be an integer");
    const checked = rules.map(checkRule);
    this.rules = checked;
    this.seed = seed ?? this.defaultSeed;
    this.random = prng(this.seed);
  }

  clear(): void {
    this.rules = [];
    this.seed = this.defaultSeed;
    this.random = prng(this.seed);
  }

  toJSON(): { seed: number; rules: FaultRule[] } {
    return { seed: this.seed, rules: this.rules };
  }

  /** The rule that applies to this request, if any; counted rules expire after their count. */
  pick(method: string, path: string): FaultRule | undefined {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i] as FaultRule;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (rule.path !== undefined && !path.includes(rule.path)) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.skip !== undefined && rule.skip > 0) {
        rule.skip--;
        continue;
      }
      if (rule.count !== undefined) {
        rule.count--;
        if (rule.count === 0) this.rules.splice(i, 1);
      }
      return rule;
    }
    return undefined;
  }
}

export function faultError(status: number): ApiError {
  if (status === 429)
    return new ApiError(
      429,
      ErrorCode.throttled,
      "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
    );
  if (status === 503)
    return new ApiError(
      503,
      ErrorCode.unavailable,
      "The service is temporarily unavailable (injected fault).",
    );
  return new ApiError(status, ErrorCode.unexpected, `Injected fault: HTTP ${status}.`);
}
