/** A JSON Schema document or subschema, as `z.toJSONSchema` produces it. */
export type JsonSchema = { [keyword: string]: unknown };

export interface StrictJsonSchemaResult {
  /** The schema to send as `response_format.json_schema.schema`. */
  schema: JsonSchema;
  /**
   * Whether `schema` satisfies OpenAI's strict Structured Outputs subset. When false, `schema` is the input
   * unchanged (minus `$schema`) and must be sent with `strict: false`.
   */
  strict: boolean;
}

/** Keywords strict mode rejects and that we cannot rewrite: a schema using them is sent with `strict: false`. */
const structuralKeywords = new Set([
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'propertyNames',
  'prefixItems',
  'dependentSchemas',
  'dependentRequired',
  'dependencies',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contains',
  'minContains',
  'maxContains',
  '$dynamicRef',
  '$dynamicAnchor',
  '$recursiveRef',
  '$recursiveAnchor',
]);

/** Validation keywords strict mode rejects: removed, and told to the model in the description instead. */
const hintKeywords = ['minLength', 'maxLength', 'format', 'uniqueItems', 'minProperties', 'maxProperties'] as const;

/** Annotations strict mode rejects or ignores; dropped. */
const droppedKeywords = [
  'default',
  'examples',
  '$comment',
  'readOnly',
  'writeOnly',
  'contentEncoding',
  'contentMediaType',
];

/** String formats strict mode accepts. */
const supportedFormats = new Set([
  'date-time',
  'time',
  'date',
  'duration',
  'email',
  'hostname',
  'ipv4',
  'ipv6',
  'uuid',
]);

class NotStrictCompatible extends Error {}

function isSchemaObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function allowsNull(schema: JsonSchema): boolean {
  const type = schema.type;
  if (type === 'null' || (Array.isArray(type) && type.includes('null'))) return true;
  if (Array.isArray(schema.enum) && schema.enum.includes(null)) return true;
  if (schema.const === null) return true;
  const branches = schema.anyOf ?? schema.oneOf;
  return Array.isArray(branches) && branches.some((branch) => isSchemaObject(branch) && allowsNull(branch));
}

/** The same schema, also accepting `null` (how strict mode expresses an optional property). */
function makeNullable(schema: JsonSchema): JsonSchema {
  if (allowsNull(schema)) return schema;
  if ('const' in schema) return { anyOf: [schema, { type: 'null' }] };
  if (typeof schema.type === 'string') {
    const nullable: JsonSchema = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum)) nullable.enum = [...schema.enum, null];
    return nullable;
  }
  if (Array.isArray(schema.type) && schema.enum === undefined) return { ...schema, type: [...schema.type, 'null'] };
  if (Array.isArray(schema.anyOf)) return { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  return { anyOf: [schema, { type: 'null' }] };
}

function hintFor(keyword: (typeof hintKeywords)[number], value: unknown): string | undefined {
  if (keyword === 'format' && typeof value === 'string' && supportedFormats.has(value)) return undefined;
  return `${keyword}: ${JSON.stringify(value)}`;
}

function strictNode(node: unknown, isRoot: boolean): JsonSchema {
  if (!isSchemaObject(node)) throw new NotStrictCompatible('boolean or non-object schema');
  const result: JsonSchema = {};
  const hints: string[] = [];
  for (const [keyword, value] of Object.entries(node)) {
    if (structuralKeywords.has(keyword)) throw new NotStrictCompatible(`unsupported keyword ${keyword}`);
    if (keyword === '$schema' || droppedKeywords.includes(keyword)) continue;
    if ((hintKeywords as readonly string[]).includes(keyword)) {
      const hint = hintFor(keyword as (typeof hintKeywords)[number], value);
      if (hint === undefined) result[keyword] = value;
      else hints.push(hint);
      continue;
    }
    if (keyword === '$ref' && (typeof value !== 'string' || !value.startsWith('#'))) {
      throw new NotStrictCompatible('non-local $ref');
    }
    result[keyword] = value;
  }
  if (!['type', 'anyOf', 'oneOf', '$ref', 'enum', 'const'].some((keyword) => keyword in result)) {
    throw new NotStrictCompatible('a schema without a type');
  }
  if (hints.length > 0) {
    const description = typeof result.description === 'string' ? `${result.description} ` : '';
    result.description = `${description}(${hints.join('; ')})`;
  }
  if (result.oneOf !== undefined) {
    // Strict mode has no oneOf; anyOf keeps every branch (zod's discriminated unions are exclusive anyway).
    result.anyOf = result.oneOf;
    delete result.oneOf;
  }
  if (Array.isArray(result.anyOf)) result.anyOf = result.anyOf.map((branch) => strictNode(branch, false));
  for (const definitions of ['$defs', 'definitions'] as const) {
    if (!isSchemaObject(result[definitions])) continue;
    result[definitions] = Object.fromEntries(
      Object.entries(result[definitions]).map(([name, definition]) => [name, strictNode(definition, false)]),
    );
  }
  if (result.items !== undefined) {
    if (!isSchemaObject(result.items)) throw new NotStrictCompatible('tuple items');
    result.items = strictNode(result.items, false);
  }
  const isObject = result.type === 'object' || (Array.isArray(result.type) && result.type.includes('object'));
  if (isObject || result.properties !== undefined) strictObject(result);
  if (isRoot && (result.type !== 'object' || result.anyOf !== undefined)) {
    throw new NotStrictCompatible('the root must be an object');
  }
  return result;
}

/** Closes an object: no additional properties, every property required, optional ones nullable instead. */
function strictObject(schema: JsonSchema): void {
  const additional = schema.additionalProperties;
  if (additional !== undefined && additional !== false) throw new NotStrictCompatible('open or record object');
  const properties = isSchemaObject(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  schema.properties = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => {
      const strict = strictNode(property, false);
      return [name, required.has(name) ? strict : makeNullable(strict)];
    }),
  );
  schema.required = Object.keys(properties);
  schema.additionalProperties = false;
}

/**
 * Rewrites a JSON Schema for OpenAI's strict Structured Outputs: every object gets `additionalProperties: false`
 * and lists all its properties in `required`, optional properties become required-but-nullable (the model answers
 * `null`; {@link removeNullOptionalProperties} turns that back into an absent property), `oneOf` becomes `anyOf`,
 * and keywords strict mode rejects (`minLength`, `maxLength`, unsupported `format`s, …) move into the
 * `description` as hints (the engine still validates them). A schema that cannot be made strict (records, tuples,
 * `allOf`, a non-object root, …) comes back unchanged with `strict: false`.
 */
export function toStrictJsonSchema(schema: JsonSchema): StrictJsonSchemaResult {
  try {
    return { schema: strictNode(schema, true), strict: true };
  } catch (error) {
    if (!(error instanceof NotStrictCompatible)) throw error;
    const { $schema: _dialect, ...rest } = schema;
    return { schema: rest, strict: false };
  }
}

function resolveReference(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let depth = 0; depth < 32 && typeof current.$ref === 'string'; depth += 1) {
    const path = current.$ref.replace(/^#\/?/, '').split('/').filter(Boolean);
    let target: unknown = root;
    for (const segment of path) {
      target = isSchemaObject(target) ? target[segment.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
    }
    if (!isSchemaObject(target)) return current;
    current = target;
  }
  return current;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? 'number' : typeof value;
}

function branchFor(schema: JsonSchema, value: unknown, root: JsonSchema): JsonSchema | undefined {
  const branches = schema.anyOf ?? schema.oneOf;
  if (!Array.isArray(branches)) return undefined;
  const type = jsonTypeOf(value);
  return branches
    .filter(isSchemaObject)
    .map((branch) => resolveReference(branch, root))
    .find((branch) => branch.type === type || (Array.isArray(branch.type) && branch.type.includes(type)));
}

function removeNulls(value: unknown, schema: JsonSchema, root: JsonSchema): number {
  const resolved = resolveReference(schema, root);
  const branch = branchFor(resolved, value, root);
  if (branch) return removeNulls(value, branch, root);
  let removed = 0;
  if (Array.isArray(value)) {
    if (!isSchemaObject(resolved.items)) return 0;
    for (const item of value) removed += removeNulls(item, resolved.items, root);
    return removed;
  }
  if (!isSchemaObject(value) || !isSchemaObject(resolved.properties)) return 0;
  const required = new Set(Array.isArray(resolved.required) ? resolved.required : []);
  for (const [name, property] of Object.entries(resolved.properties)) {
    if (!isSchemaObject(property) || !(name in value)) continue;
    if (value[name] === null && !required.has(name) && !allowsNull(resolveReference(property, root))) {
      delete value[name];
      removed += 1;
    } else {
      removed += removeNulls(value[name], property, root);
    }
  }
  return removed;
}

/**
 * Undoes the nullable-instead-of-optional rewrite of {@link toStrictJsonSchema} on a model's answer: deletes every
 * property that is `null` where the original `schema` has it optional and not nullable, so the answer validates
 * against the original zod schema. Mutates `value`; returns how many properties it removed.
 */
export function removeNullOptionalProperties(value: unknown, schema: JsonSchema): number {
  return removeNulls(value, schema, schema);
}
