/**
 * The part of expr (the expression language of Argo Rollouts' successCondition and
 * failureCondition) that the AnalysisTemplate uses: `result` (a number, or the list of a
 * vector's values), `result[i]`, `len(x)`, `isNaN(x)`, `isInf(x)`, numbers, `true` /
 * `false`, comparisons, `+ - * /`, `!` / `not`, `&&` / `and`, `||` / `or`, and
 * parentheses. Anything else is a syntax error, never a guess. Comparisons follow Go's
 * float semantics as Argo's do (a NaN compares false with everything).
 */
export type Value = number | boolean | number[];

const TOKEN = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(<=|>=|==|!=|&&|\|\||[-+*/<>!()[\],]))/y;

export function evaluateExpression(source: string, result: number | number[]): Value {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match) {
      if (source.slice(start).trim() === '') {
        break;
      }
      throw new SyntaxError(`${source}: unexpected "${source.slice(start).trim()}"`);
    }
    tokens.push(match[1] ?? match[2] ?? match[3]);
  }
  let position = 0;
  const peek = () => tokens[position];
  const take = (expected?: string) => {
    const token = tokens[position++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new SyntaxError(`${source}: expected ${expected ?? 'more'}, found ${token ?? 'the end'}`);
    }
    return token;
  };
  const number = (value: Value) => {
    if (typeof value !== 'number') {
      throw new TypeError(`${source}: ${JSON.stringify(value)} is not a number`);
    }
    return value;
  };
  const boolean = (value: Value) => {
    if (typeof value !== 'boolean') {
      throw new TypeError(`${source}: ${JSON.stringify(value)} is not a boolean`);
    }
    return value;
  };

  const or = (): Value => {
    let left = and();
    while (peek() === '||' || peek() === 'or') {
      take();
      const right = and();
      left = boolean(left) || boolean(right);
    }
    return left;
  };
  const and = (): Value => {
    let left = comparison();
    while (peek() === '&&' || peek() === 'and') {
      take();
      const right = comparison();
      left = boolean(left) && boolean(right);
    }
    return left;
  };
  const comparison = (): Value => {
    const left = additive();
    const operator = peek();
    if (!['<', '<=', '>', '>=', '==', '!='].includes(operator)) {
      return left;
    }
    take();
    const a = number(left);
    const b = number(additive());
    switch (operator) {
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      case '==':
        return a === b;
      default:
        return a !== b;
    }
  };
  const additive = (): Value => {
    let left = multiplicative();
    while (peek() === '+' || peek() === '-') {
      const operator = take();
      const right = number(multiplicative());
      left = operator === '+' ? number(left) + right : number(left) - right;
    }
    return left;
  };
  const multiplicative = (): Value => {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const operator = take();
      const right = number(unary());
      left = operator === '*' ? number(left) * right : number(left) / right;
    }
    return left;
  };
  const unary = (): Value => {
    if (peek() === '!' || peek() === 'not') {
      take();
      return !boolean(unary());
    }
    if (peek() === '-') {
      take();
      return -number(unary());
    }
    return postfix();
  };
  const postfix = (): Value => {
    let value = primary();
    while (peek() === '[') {
      take('[');
      const index = number(or());
      take(']');
      if (!Array.isArray(value) || !Number.isInteger(index) || index < 0 || index >= value.length) {
        throw new RangeError(`${source}: index ${index} out of range of ${JSON.stringify(value)}`);
      }
      value = value[index];
    }
    return value;
  };
  const FUNCTIONS: Record<string, (value: Value) => Value> = {
    len: (value) => {
      if (!Array.isArray(value)) {
        throw new TypeError(`${source}: len of ${JSON.stringify(value)}`);
      }
      return value.length;
    },
    isNaN: (value) => Number.isNaN(number(value)),
    isInf: (value) => Math.abs(number(value)) === Infinity,
  };
  const primary = (): Value => {
    const token = take();
    if (token === '(') {
      const value = or();
      take(')');
      return value;
    }
    if (/^\d/.test(token)) {
      return Number(token);
    }
    if (token === 'true' || token === 'false') {
      return token === 'true';
    }
    if (token === 'result') {
      return result;
    }
    const fn = FUNCTIONS[token];
    if (fn && peek() === '(') {
      take('(');
      const argument = or();
      take(')');
      return fn(argument);
    }
    throw new SyntaxError(`${source}: unknown name ${token}`);
  };

  const value = or();
  if (position !== tokens.length) {
    throw new SyntaxError(`${source}: unexpected ${tokens[position]}`);
  }
  return value;
}
