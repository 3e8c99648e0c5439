import { describe, expect, it } from 'vitest';
import { type JsonSchema, removeNullOptionalProperties, toStrictJsonSchema } from './strictJsonSchema.js';

/** What `z.toJSONSchema(z.object({ name: z.string().min(1), nickname: z.string().optional(), … }), { io: 'input' })` gives. */
const person: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    nickname: { type: 'string' },
    level: { type: 'string', enum: ['easy', 'hard'] },
    age: { type: 'integer', minimum: 0, default: 30 },
    note: { type: ['string', 'null'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 20 }, maxItems: 5 },
  },
  required: ['name'],
};

describe('toStrictJsonSchema', () => {
  it('closes objects, requires every property and makes the optional ones nullable', () => {
    const { schema, strict } = toStrictJsonSchema(person);

    expect(strict).toBe(true);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', description: '(minLength: 1)' },
        nickname: { type: ['string', 'null'] },
        level: { type: ['string', 'null'], enum: ['easy', 'hard', null] },
        age: { type: ['integer', 'null'], minimum: 0 },
        note: { type: ['string', 'null'] },
        tags: { type: ['array', 'null'], items: { type: 'string', description: '(maxLength: 20)' }, maxItems: 5 },
      },
      required: ['name', 'nickname', 'level', 'age', 'note', 'tags'],
      additionalProperties: false,
    });
  });

  it('does not change its input', () => {
    const before = structuredClone(person);
    toStrictJsonSchema(person);
    expect(person).toEqual(before);
  });

  it('recurses into nested objects, array items, anyOf branches and $defs, and turns oneOf into anyOf', () => {
    const { schema, strict } = toStrictJsonSchema({
      type: 'object',
      properties: {
        stages: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' }, hint: { $ref: '#/$defs/hint' } } },
        },
        answer: {
          oneOf: [
            { type: 'object', properties: { kind: { type: 'string', const: 'a' } }, required: ['kind'] },
            { type: 'object', properties: { kind: { type: 'string', const: 'b' }, n: { type: 'number' } } },
          ],
        },
      },
      required: ['stages', 'answer'],
      $defs: { hint: { type: 'object', properties: { text: { type: 'string', format: 'uri' } }, required: ['text'] } },
    });

    expect(strict).toBe(true);
    expect(schema).toEqual({
      type: 'object',
      properties: {
        stages: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: ['string', 'null'] },
              hint: { anyOf: [{ $ref: '#/$defs/hint' }, { type: 'null' }] },
            },
            required: ['name', 'hint'],
            additionalProperties: false,
          },
        },
        answer: {
          anyOf: [
            {
              type: 'object',
              properties: { kind: { type: 'string', const: 'a' } },
              required: ['kind'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: {
                kind: { anyOf: [{ type: 'string', const: 'b' }, { type: 'null' }] },
                n: { type: ['number', 'null'] },
              },
              required: ['kind', 'n'],
              additionalProperties: false,
            },
          ],
        },
      },
      required: ['stages', 'answer'],
      additionalProperties: false,
      $defs: {
        hint: {
          type: 'object',
          properties: { text: { type: 'string', description: '(format: "uri")' } },
          required: ['text'],
          additionalProperties: false,
        },
      },
    });
  });

  it('keeps the string formats strict mode supports and appends hints to an existing description', () => {
    const { schema } = toStrictJsonSchema({
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        summary: { type: 'string', maxLength: 300, description: 'One paragraph.' },
      },
      required: ['at', 'summary'],
    });
    expect(schema.properties).toEqual({
      at: { type: 'string', format: 'date-time' },
      summary: { type: 'string', description: 'One paragraph. (maxLength: 300)' },
    });
  });

  it.each([
    ['a record', { type: 'object', additionalProperties: { type: 'number' }, propertyNames: { type: 'string' } }],
    ['a loose object', { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: {} }],
    ['a tuple', { type: 'array', prefixItems: [{ type: 'string' }], items: false }],
    ['an intersection', { allOf: [{ type: 'object' }, { type: 'object' }] }],
    ['an unconstrained value', {}],
  ])('gives up on %s and returns the schema with strict: false', (_name, property) => {
    const schema: JsonSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { value: property },
      required: ['value'],
    };
    expect(toStrictJsonSchema(schema)).toEqual({
      schema: { type: 'object', properties: { value: property }, required: ['value'] },
      strict: false,
    });
  });

  it('gives up on a root that is not an object', () => {
    expect(toStrictJsonSchema({ type: 'array', items: { type: 'string' } }).strict).toBe(false);
    expect(toStrictJsonSchema({ anyOf: [{ type: 'object' }, { type: 'string' }] }).strict).toBe(false);
  });
});

describe('removeNullOptionalProperties', () => {
  it('removes nulls where the original schema has an optional, non-nullable property, at any depth', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        nickname: { type: 'string' },
        note: { type: ['string', 'null'] },
        friends: { type: 'array', items: { $ref: '#/$defs/friend' } },
      },
      required: ['name'],
      $defs: { friend: { type: 'object', properties: { name: { type: 'string' }, since: { type: 'integer' } } } },
    };
    const answer = {
      name: 'Ada',
      nickname: null,
      note: null,
      friends: [
        { name: 'Grace', since: null },
        { name: null, since: 1843 },
      ],
    };

    expect(removeNullOptionalProperties(answer, schema)).toBe(3);
    expect(answer).toEqual({ name: 'Ada', note: null, friends: [{ name: 'Grace' }, { since: 1843 }] });
  });

  it('keeps required nulls (the engine reports them) and leaves non-objects alone', () => {
    const schema: JsonSchema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
    const answer = { name: null };
    expect(removeNullOptionalProperties(answer, schema)).toBe(0);
    expect(answer).toEqual({ name: null });
    expect(removeNullOptionalProperties('text', schema)).toBe(0);
  });

  it('follows the anyOf branch that matches the value', () => {
    const schema: JsonSchema = {
      type: 'object',
      properties: {
        value: {
          anyOf: [{ type: 'string' }, { type: 'object', properties: { unit: { type: 'string' } } }],
        },
      },
    };
    const answer = { value: { unit: null } };
    expect(removeNullOptionalProperties(answer, schema)).toBe(1);
    expect(answer).toEqual({ value: {} });
  });
});
