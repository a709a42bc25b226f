/**
 * The `condition` of a Sigma rule parsed into a tree. Precedence, loosest first: `or`, `and`, `not`,
 * `1 of` / `all of`, parentheses. Pure.
 */

/** A parsed condition. */
export type Condition =
  | { kind: "identifier"; name: string }
  | { kind: "of"; quantifier: "one" | "all"; target: string }
  | { kind: "not"; operand: Condition }
  | { kind: "and" | "or"; operands: Condition[] };

/** Why a condition cannot be used; the caller names the rule file. */
export class ConditionError extends Error {}

const TOKEN = /\s*(\(|\)|[^\s()]+)/y;

function tokens(text: string): string[] {
  const found: string[] = [];
  let end = 0;
  TOKEN.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = TOKEN.exec(text)) !== null) {
    found.push(match[1]!);
    end = TOKEN.lastIndex;
  }
  if (text.slice(end).trim() !== "") throw new ConditionError(`cannot read condition '${text}'`);
  return found;
}

const IDENTIFIER = /^[\w*.-]+$/;
const WORDS = new Set(["and", "or", "not", "of", "them", "all", "any"]);

/**
 * Parses a condition.
 * @example
 * ```ts
 * parseCondition("selection and not 1 of filter_*");
 * // { kind: "and", operands: [{ kind: "identifier", name: "selection" }, { kind: "not", operand: ... }] }
 * ```
 * @throws {ConditionError} on aggregations (`| count()`), near / correlation syntax and anything malformed
 */
export function parseCondition(text: string): Condition {
  if (text.includes("|")) throw new ConditionError("aggregations in the condition (`| count() ...`) are not supported");
  const list = tokens(text);
  let position = 0;
  const peek = () => list[position]?.toLowerCase();
  const next = () => list[position++];

  // `a or b or c`, `a and b and c`: one list of operands per operator.
  const chain = (kind: "and" | "or", operand: () => Condition) => (): Condition => {
    const operands = [operand()];
    while (peek() === kind) {
      next();
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0]! : { kind, operands };
  };
  const orExpression: () => Condition = chain("or", () => andExpression());
  const andExpression: () => Condition = chain("and", () => notExpression());
  const notExpression = (): Condition => {
    if (peek() === "not") {
      next();
      return { kind: "not", operand: notExpression() };
    }
    return primary();
  };
  const primary = (): Condition => {
    const token = next();
    if (token === undefined) throw new ConditionError(`condition '${text}' ends too early`);
    if (token === "(") {
      const inner = orExpression();
      if (next() !== ")") throw new ConditionError(`condition '${text}' misses a closing parenthesis`);
      return inner;
    }
    const word = token.toLowerCase();
    if (word === "1" || word === "all" || word === "any") {
      if (peek() !== "of") throw new ConditionError(`'${token}' must be followed by 'of' in condition '${text}'`);
      next();
      const target = next();
      if (target === undefined || !IDENTIFIER.test(target) || (WORDS.has(target.toLowerCase()) && target !== "them")) {
        throw new ConditionError(`'${token} of' needs 'them' or a search identifier pattern in condition '${text}'`);
      }
      return { kind: "of", quantifier: word === "all" ? "all" : "one", target };
    }
    if (/^\d+$/.test(word) && peek() === "of") {
      throw new ConditionError(`'${token} of' is not in the specification (only '1 of' and 'all of')`);
    }
    if (!IDENTIFIER.test(token) || WORDS.has(word) || token.includes("*")) {
      throw new ConditionError(`unexpected '${token}' in condition '${text}'`);
    }
    return { kind: "identifier", name: token };
  };

  const condition = orExpression();
  if (position < list.length) throw new ConditionError(`unexpected '${list[position]}' in condition '${text}'`);
  return condition;
}

/**
 * The identifiers `1 of` / `all of` a target stands for: `them` is every identifier not starting
 * with `_`; a pattern matches with `*` standing for any characters (an identifier starting with `_`
 * only when the pattern starts with `_` too).
 */
export function identifiersOf(target: string, identifiers: readonly string[]): string[] {
  if (target === "them") return identifiers.filter((name) => !name.startsWith("_"));
  const pattern = new RegExp(`^${target.replace(/[.+?^${}()|[\]\\-]/g, "\\$&").replaceAll("*", ".*")}$`);
  return identifiers.filter((name) => pattern.test(name) && (!name.startsWith("_") || target.startsWith("_")));
}
