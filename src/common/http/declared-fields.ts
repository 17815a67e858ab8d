import { getMetadataStorage } from 'class-validator';

type Dto = abstract new (...args: never[]) => object;

const declared = new WeakMap<Dto, ReadonlySet<string>>();
const nested = new WeakMap<object, Map<string, () => Dto>>();

/** Records that a field holds objects of the DTO `type` (`ObjectArrayField` does), so their keys are judged too. */
export function NestedDto(type: () => Dto): PropertyDecorator {
  return (prototype, field) => {
    const fields = nested.get(prototype.constructor) ?? new Map<string, () => Dto>();
    fields.set(String(field), type);
    nested.set(prototype.constructor, fields);
  };
}

/** The names of the fields `dto` declares a rule for, its parents' included. */
function declaredFields(dto: Dto): ReadonlySet<string> {
  let fields = declared.get(dto);
  if (fields === undefined) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
    fields = new Set(rules.map((rule) => rule.propertyName));
    declared.set(dto, fields);
  }
  return fields;
}

/** The DTO a field's objects are validated as ({@link NestedDto}), looked up along `dto`'s parents. */
function nestedDto(dto: Dto, field: string): Dto | undefined {
  for (let type: unknown = dto; typeof type === 'function'; type = Object.getPrototypeOf(type)) {
    const found = nested.get(type)?.get(field);
    if (found) {
      return found();
    }
  }
  return undefined;
}

/**
 * The first key of `value` (an input as it arrived: a parsed query or JSON body) that
 * `dto` does not declare, as a path (`items.0.colour`), {@link NestedDto} fields' included; undefined
 * when every key is declared.
 *
 * Every name is looked up in a Set of declared names, never on an object: the validator's
 * own whitelist looks a name up on a plain object, and the transformer skips a key the new
 * instance inherits, so `constructor`, `toString`, `__proto__`… were dropped unseen
 * instead of refused as any other unknown name is.
 */
export function undeclaredField(value: unknown, dto: Dto, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = undeclaredField(item, dto, `${path}${index}.`);
      if (found !== undefined) {
        return found;
      }
    }
    return undefined;
  }
  const fields = declaredFields(dto);
  for (const key of Object.keys(value)) {
    if (!fields.has(key)) {
      return `${path}${key}`;
    }
    const inner = nestedDto(dto, key);
    const found = inner && undeclaredField((value as Record<string, unknown>)[key], inner, `${path}${key}.`);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}
