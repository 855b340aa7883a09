// A small JSON Schema 2020-12 checker for the keywords the public API's OpenAPI document uses
// (type, properties, required, additionalProperties, items, prefixItems, min/maxItems, enum,
// const, anyOf, oneOf, minimum, maximum, pattern, $ref into components). Unknown keywords fail
// loudly, so the checker cannot silently pass a document it does not understand.

type Schema = Record<string, unknown> | boolean;

const KNOWN = new Set([
  'type', 'properties', 'required', 'additionalProperties', 'items', 'prefixItems', 'minItems', 'maxItems', 'enum', 'const',
  'anyOf', 'oneOf', 'minimum', 'maximum', 'pattern', '$ref', 'description', 'default', 'propertyNames', 'exclusiveMinimum',
]);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Every violation of `schema` by `value`, as "path: problem" lines (empty when valid). */
export function checkJsonSchema(value: unknown, schema: Schema, root: Record<string, unknown>, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: no value is allowed here`];
  const errors: string[] = [];
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) errors.push(`${path}: the checker does not know the keyword "${k}"`);
  if (typeof schema.$ref === 'string') {
    const m = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref);
    const target = m ? ((root.components as Record<string, Record<string, Schema>>).schemas[m[1]!]) : undefined;
    if (target === undefined) return [...errors, `${path}: unresolved $ref ${schema.$ref}`];
    errors.push(...checkJsonSchema(value, target, root, path));
  }
  const t = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const ok = types.some((x) => x === t || (x === 'number' && t === 'integer'));
    if (!ok) return [...errors, `${path}: expected ${types.join('|')}, got ${t} ${JSON.stringify(value)?.slice(0, 60)}`];
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => e === value)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.const !== undefined && schema.const !== value) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${path}: ${value} < minimum ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${path}: ${value} > maximum ${schema.maximum}`);
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${path}: "${value}" does not match ${schema.pattern}`);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key] as Schema[] | undefined;
    if (!options) continue;
    const passing = options.filter((o) => checkJsonSchema(value, o, root, path).length === 0).length;
    if (key === 'anyOf' ? passing === 0 : passing !== 1) errors.push(`${path}: matches ${passing} of the ${key} alternatives`);
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) errors.push(`${path}: missing required property "${r}"`);
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errors.push(...checkJsonSchema(v, props[k]!, root, `${path}.${k}`));
      else if (schema.additionalProperties !== undefined) errors.push(...checkJsonSchema(v, schema.additionalProperties as Schema, root, `${path}.${k}`));
    }
  }
  if (t === 'array') {
    const arr = value as unknown[];
    const prefix = (schema.prefixItems ?? []) as Schema[];
    if (typeof schema.minItems === 'number' && arr.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && arr.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
    arr.forEach((v, i) => {
      if (i < prefix.length) errors.push(...checkJsonSchema(v, prefix[i]!, root, `${path}[${i}]`));
      else if (schema.items !== undefined) errors.push(...checkJsonSchema(v, schema.items as Schema, root, `${path}[${i}]`));
    });
  }
  return errors;
}
