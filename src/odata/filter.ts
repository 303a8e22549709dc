// A parser for the subset of OData `$filter` that Dataverse accepts, keeping the exact offset of
// every node so that `iom validate` can point at a column inside a YAML string and the emulator
// can evaluate the same tree. Keywords are case-sensitive, as in OData; strings use single quotes
// with '' as the escaped quote.

/** A half-open range of 0-based offsets into the filter text. */
export interface Span {
  start: number;
  end: number;
}

export type ValueNode =
  | ({ kind: "property"; path: string[] } & Span)
  | ({
      kind: "literal";
      type: "string" | "number" | "boolean" | "null" | "guid" | "datetime";
      value: string | number | boolean | null;
    } & Span)
  | ({ kind: "list"; items: ValueNode[] } & Span);

export type FilterNode =
  | ({ kind: "and" | "or"; left: FilterNode; right: FilterNode } & Span)
  | ({ kind: "not"; operand: FilterNode } & Span)
  | ({
      kind: "compare";
      op: "eq" | "ne" | "gt" | "ge" | "lt" | "le";
      left: ValueNode;
      right: ValueNode;
    } & Span)
  | ({ kind: "function"; name: string; args: ValueNode[] } & Span)
  | ({ kind: "crm-function"; name: string; parameters: Record<string, ValueNode> } & Span)
  | ({
      kind: "lambda";
      operator: "any" | "all";
      collection: string[];
      variable?: string;
      predicate?: FilterNode;
    } & Span);

export type CompareOperator = Extract<FilterNode, { kind: "compare" }>["op"];

/** A filter that is not well-formed; `position` is the 0-based offset of the offending text. */
export class FilterSyntaxError extends Error {
  override name = "FilterSyntaxError";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** The string functions Dataverse supports in `$filter`, each with its number of arguments. */
export const FILTER_FUNCTIONS: Readonly<Record<string, number>> = {
  contains: 2,
  startswith: 2,
  endswith: 2,
};

const COMPARE_OPERATORS: ReadonlySet<string> = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
/** Words that cannot be a property: the logical and the comparison operators. */
const KEYWORDS: ReadonlySet<string> = new Set(["and", "or", "not", ...COMPARE_OPERATORS]);
const CRM_PREFIX = "Microsoft.Dynamics.CRM.";

type TokenType =
  "ident" | "string" | "number" | "guid" | "datetime" | "(" | ")" | "[" | "]" | "," | "/" | ":" | "=" | "eof";

interface Token extends Span {
  type: TokenType;
  text: string;
  value?: string | number;
}

const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z_])/y;
const DATETIME =
  /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2}))?(?![0-9A-Za-z_])/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![A-Za-z_])/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const PUNCTUATION = new Set(["(", ")", "[", "]", ",", "/", ":", "="]);

function match(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0] : undefined;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
      continue;
    }
    if (PUNCTUATION.has(ch)) {
      tokens.push({ type: ch as TokenType, text: ch, start: i, end: i + 1 });
      i++;
      continue;
    }
    if (ch === "'") {
      // From quote to quote by slices ('' stands for a quote inside): the emulator tokenizes the
      // filter of every query it answers.
      let j = i + 1;
      let value = "";
      for (;;) {
        const quote = text.indexOf("'", j);
        if (quote < 0)
          throw new FilterSyntaxError("unterminated string literal: add the closing quote (')", i);
        value += text.slice(j, quote);
        if (text[quote + 1] === "'") {
          value += "'";
          j = quote + 2;
          continue;
        }
        j = quote;
        break;
      }
      tokens.push({ type: "string", text: text.slice(i, j + 1), value, start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    const code = text.charCodeAt(i);
    const digitOrMinus = (code >= 0x30 && code <= 0x39) || code === 0x2d;
    if (digitOrMinus || (code >= 0x61 && code <= 0x66) || (code >= 0x41 && code <= 0x46)) {
      const guid = match(GUID, text, i);
      if (guid) {
        tokens.push({ type: "guid", text: guid, value: guid.toLowerCase(), start: i, end: i + guid.length });
        i += guid.length;
        continue;
      }
    }
    if (digitOrMinus) {
      const dt = match(DATETIME, text, i);
      if (dt) {
        tokens.push({ type: "datetime", text: dt, value: dt, start: i, end: i + dt.length });
        i += dt.length;
        continue;
      }
      const num = match(NUMBER, text, i);
      if (num) {
        tokens.push({ type: "number", text: num, value: Number(num), start: i, end: i + num.length });
        i += num.length;
        continue;
      }
      throw new FilterSyntaxError(`malformed number starting with '${ch}'`, i);
    }
    const ident = match(IDENT, text, i);
    if (ident) {
      tokens.push({ type: "ident", text: ident, start: i, end: i + ident.length });
      i += ident.length;
      continue;
    }
    if (ch === '"') {
      throw new FilterSyntaxError("string literals use single quotes ('text'), not double quotes", i);
    }
    throw new FilterSyntaxError(`unexpected character '${ch}'`, i);
  }
  tokens.push({ type: "eof", text: "", start: text.length, end: text.length });
  return tokens;
}

type Primary = { tag: "value"; node: ValueNode } | { tag: "filter"; node: FilterNode };

function describe(token: Token): string {
  return token.type === "eof" ? "the end of the filter" : `'${token.text}'`;
}

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return token;
  }

  private expect(type: TokenType, what: string): Token {
    const token = this.peek();
    if (token.type !== type)
      throw new FilterSyntaxError(`expected ${what} but found ${describe(token)}`, token.start);
    return this.next();
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.type === "ident" && token.text === word;
  }

  parse(): FilterNode {
    if (this.peek().type === "eof") throw new FilterSyntaxError("the filter is empty", 0);
    const node = this.parseOr();
    const rest = this.peek();
    if (rest.type !== "eof") {
      const hint =
        rest.type === "ident" && ["AND", "OR", "And", "Or"].includes(rest.text)
          ? `; OData keywords are lower case: use '${rest.text.toLowerCase()}'`
          : rest.type === ")"
            ? "; there is no matching '('"
            : "; expected 'and' or 'or' between conditions";
      throw new FilterSyntaxError(`unexpected ${describe(rest)}${hint}`, rest.start);
    }
    return node;
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isKeyword("or")) {
      this.next();
      const right = this.parseAnd();
      left = { kind: "or", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isKeyword("and")) {
      this.next();
      const right = this.parseUnary();
      left = { kind: "and", left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    if (this.isKeyword("not")) {
      const start = this.next().start;
      const operand = this.parseUnary();
      return { kind: "not", operand, start, end: operand.end };
    }
    return this.parseComparison();
  }

  private parseComparison(): FilterNode {
    const left = this.parsePrimary();
    if (left.tag === "filter") return left.node;
    const opToken = this.peek();
    if (opToken.type !== "ident" || !COMPARE_OPERATORS.has(opToken.text)) {
      const lower = opToken.type === "ident" ? opToken.text.toLowerCase() : "";
      const hint = COMPARE_OPERATORS.has(lower)
        ? `; OData operators are lower case: use '${lower}'`
        : opToken.type === "=" || opToken.text === "!"
          ? "; OData compares with eq, ne, gt, ge, lt, le, not with symbols"
          : "";
      throw new FilterSyntaxError(
        `expected a comparison operator (eq, ne, gt, ge, lt, le) but found ${describe(opToken)}${hint}`,
        opToken.start,
      );
    }
    this.next();
    const right = this.parseValue("a value to compare with");
    return {
      kind: "compare",
      op: opToken.text as CompareOperator,
      left: left.node,
      right,
      start: left.node.start,
      end: right.end,
    };
  }

  private parseValue(what: string): ValueNode {
    const token = this.peek();
    const primary = this.parsePrimary(what);
    if (primary.tag !== "value") {
      throw new FilterSyntaxError(`expected ${what} but found a condition`, token.start);
    }
    return primary.node;
  }

  private parsePrimary(what = "a condition"): Primary {
    const token = this.peek();
    switch (token.type) {
      case "(": {
        this.next();
        const inner = this.parseOr();
        const close = this.peek();
        if (close.type !== ")") {
          throw new FilterSyntaxError(
            `expected ')' to close the '(' at offset ${token.start} but found ${describe(close)}`,
            close.start,
          );
        }
        this.next();
        return { tag: "filter", node: { ...inner, start: token.start, end: close.end } };
      }
      case "string":
        this.next();
        return { tag: "value", node: literal("string", token.value as string, token) };
      case "number":
        this.next();
        return { tag: "value", node: literal("number", token.value as number, token) };
      case "guid":
        this.next();
        return { tag: "value", node: literal("guid", token.value as string, token) };
      case "datetime":
        this.next();
        return { tag: "value", node: literal("datetime", token.value as string, token) };
      case "ident":
        return this.parseIdentifier();
      default:
        throw new FilterSyntaxError(`expected ${what} but found ${describe(token)}`, token.start);
    }
  }

  private parseIdentifier(): Primary {
    const token = this.peek();
    if (token.text === "true" || token.text === "false") {
      this.next();
      return { tag: "value", node: literal("boolean", token.text === "true", token) };
    }
    if (token.text === "null") {
      this.next();
      return { tag: "value", node: literal("null", null, token) };
    }
    if (token.text.includes(".")) {
      if (token.text.startsWith(CRM_PREFIX) && this.peek(1).type === "(") return this.parseCrmFunction();
      throw new FilterSyntaxError(
        `'${token.text}' is not a property: only Microsoft.Dynamics.CRM.<function>(...) names contain dots`,
        token.start,
      );
    }
    if (this.peek(1).type === "(") return this.parseFunction();
    if (KEYWORDS.has(token.text)) {
      throw new FilterSyntaxError(
        `expected a property or value but found the keyword '${token.text}'`,
        token.start,
      );
    }
    return this.parsePath();
  }

  private parseFunction(): Primary {
    const nameToken = this.next();
    const arity = FILTER_FUNCTIONS[nameToken.text];
    if (arity === undefined) {
      const supported = Object.keys(FILTER_FUNCTIONS).join(", ");
      throw new FilterSyntaxError(
        `unknown function '${nameToken.text}': Dataverse supports ${supported}`,
        nameToken.start,
      );
    }
    this.expect("(", "'('");
    const args: ValueNode[] = [];
    if (this.peek().type !== ")") {
      args.push(this.parseValue("a function argument"));
      while (this.peek().type === ",") {
        this.next();
        args.push(this.parseValue("a function argument"));
      }
    }
    const close = this.expect(")", `',' or ')' in the arguments of ${nameToken.text}`);
    if (args.length !== arity) {
      throw new FilterSyntaxError(
        `${nameToken.text} takes ${arity} arguments (a property and a string) but was given ${args.length}`,
        nameToken.start,
      );
    }
    return {
      tag: "filter",
      node: { kind: "function", name: nameToken.text, args, start: nameToken.start, end: close.end },
    };
  }

  private parseCrmFunction(): Primary {
    const nameToken = this.next();
    const name = nameToken.text.slice(CRM_PREFIX.length);
    this.expect("(", "'('");
    const parameters: Record<string, ValueNode> = {};
    if (this.peek().type !== ")") {
      for (;;) {
        const param = this.expect("ident", "a parameter name such as PropertyName");
        if (Object.prototype.hasOwnProperty.call(parameters, param.text)) {
          throw new FilterSyntaxError(`parameter '${param.text}' is given twice`, param.start);
        }
        this.expect("=", `'=' after ${param.text}`);
        parameters[param.text] = this.parseParameterValue();
        if (this.peek().type !== ",") break;
        this.next();
      }
    }
    const close = this.expect(")", `',' or ')' in the parameters of ${name}`);
    return {
      tag: "filter",
      node: { kind: "crm-function", name, parameters, start: nameToken.start, end: close.end },
    };
  }

  private parseParameterValue(): ValueNode {
    const open = this.peek();
    if (open.type !== "[") return this.parseValue("a parameter value");
    this.next();
    const items: ValueNode[] = [];
    if (this.peek().type !== "]") {
      items.push(this.parseValue("a list item"));
      while (this.peek().type === ",") {
        this.next();
        items.push(this.parseValue("a list item"));
      }
    }
    const close = this.expect("]", "',' or ']' in the list");
    return { kind: "list", items, start: open.start, end: close.end };
  }

  private parsePath(): Primary {
    const first = this.next();
    const path = [first.text];
    let end = first.end;
    while (this.peek().type === "/") {
      const slash = this.next();
      if (slash.start !== end)
        throw new FilterSyntaxError("spaces are not allowed inside a property path", end);
      const segment = this.peek();
      if (segment.type !== "ident" || segment.start !== slash.end) {
        throw new FilterSyntaxError(
          `expected a property name after '/' but found ${describe(segment)}`,
          segment.start,
        );
      }
      if ((segment.text === "any" || segment.text === "all") && this.peek(1).type === "(") {
        return this.parseLambda(path, first.start, segment.text);
      }
      this.next();
      path.push(segment.text);
      end = segment.end;
    }
    return { tag: "value", node: { kind: "property", path, start: first.start, end } };
  }

  private parseLambda(collection: string[], start: number, operator: "any" | "all"): Primary {
    this.next(); // any | all
    this.expect("(", "'('");
    if (this.peek().type === ")") {
      const close = this.next();
      if (operator === "all")
        throw new FilterSyntaxError("all() needs a condition: all(x: x/prop eq value)", close.start);
      return { tag: "filter", node: { kind: "lambda", operator, collection, start, end: close.end } };
    }
    const variable = this.expect("ident", "a lambda variable name");
    this.expect(":", `':' after the lambda variable '${variable.text}'`);
    const predicate = this.parseOr();
    const close = this.expect(")", `')' to close ${operator}(`);
    return {
      tag: "filter",
      node: {
        kind: "lambda",
        operator,
        collection,
        variable: variable.text,
        predicate,
        start,
        end: close.end,
      },
    };
  }
}

function literal(
  type: Extract<ValueNode, { kind: "literal" }>["type"],
  value: string | number | boolean | null,
  token: Token,
): ValueNode {
  return { kind: "literal", type, value, start: token.start, end: token.end };
}

/** Parses a `$filter` expression; throws FilterSyntaxError with the offset of the first problem. */
export function parseFilter(text: string): FilterNode {
  return new Parser(tokenize(text)).parse();
}

/**
 * Every attribute the filter refers to, with its span. Inside a lambda, paths that start with the
 * lambda variable are reported relative to the table, through the collection
 * (`lines/any(l: l/quantity gt 1)` gives `lines` and `lines/quantity`), and `PropertyName='x'`
 * of a Microsoft.Dynamics.CRM function gives `x` with the span of the text between the quotes.
 */
export function filterProperties(node: FilterNode): Array<{ path: string[] } & Span> {
  const out: Array<{ path: string[] } & Span> = [];
  const visitValue = (value: ValueNode, scope: Map<string, string[]>): void => {
    if (value.kind === "property") {
      const head = value.path[0] as string;
      const through = scope.get(head);
      const path = through ? [...through, ...value.path.slice(1)] : value.path;
      out.push({ path, start: value.start, end: value.end });
    } else if (value.kind === "list") {
      for (const item of value.items) visitValue(item, scope);
    }
  };
  const visit = (n: FilterNode, scope: Map<string, string[]>): void => {
    switch (n.kind) {
      case "and":
      case "or":
        visit(n.left, scope);
        visit(n.right, scope);
        return;
      case "not":
        visit(n.operand, scope);
        return;
      case "compare":
        visitValue(n.left, scope);
        visitValue(n.right, scope);
        return;
      case "function":
        for (const arg of n.args) visitValue(arg, scope);
        return;
      case "crm-function": {
        const name = n.parameters["PropertyName"];
        if (name && name.kind === "literal" && name.type === "string" && typeof name.value === "string") {
          out.push({ path: [name.value], start: name.start + 1, end: name.end - 1 });
        }
        for (const [key, value] of Object.entries(n.parameters))
          if (key !== "PropertyName") visitValue(value, scope);
        return;
      }
      case "lambda": {
        const collection = scope.get(n.collection[0] as string);
        const fullCollection = collection ? [...collection, ...n.collection.slice(1)] : n.collection;
        out.push({ path: fullCollection, start: n.start, end: n.start + n.collection.join("/").length });
        if (n.predicate && n.variable !== undefined) {
          const inner = new Map(scope);
          inner.set(n.variable, fullCollection);
          visit(n.predicate, inner);
        }
        return;
      }
    }
  };
  visit(node, new Map());
  return out;
}
