import type * as TS from 'typescript';

export type JsonSchema = Record<string, unknown>;

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/**
 * The message classes a `BaseMessage` may be, in the order the LangGraph JS server lists
 * them. A message in a state is sent and received as JSON, so its class's TypeScript shape
 * (methods, private fields) says nothing useful: each gets the fields a client sends.
 */
const MESSAGE_CLASSES: Array<[name: string, type: string | null, extra: JsonSchema]> = [
  ['BaseMessageChunk', null, {}],
  ['ToolMessage', 'tool', { tool_call_id: { type: 'string' }, artifact: {}, status: { type: 'string', enum: ['success', 'error'] } }],
  [
    'AIMessage',
    'ai',
    { tool_calls: { type: 'array', items: { type: 'object' } }, invalid_tool_calls: { type: 'array', items: { type: 'object' } }, usage_metadata: { type: 'object' } },
  ],
  ['ChatMessage', 'generic', { role: { type: 'string' } }],
  ['FunctionMessage', 'function', {}],
  ['HumanMessage', 'human', {}],
  ['SystemMessage', 'system', {}],
  ['RemoveMessage', 'remove', {}],
];

function messageDefinitions(): Record<string, JsonSchema> {
  const common = {
    id: { type: 'string' },
    name: { type: 'string' },
    content: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] },
    additional_kwargs: { type: 'object' },
    response_metadata: { type: 'object' },
  };
  const definitions: Record<string, JsonSchema> = {
    BaseMessage: {
      description: 'Base class for all types of messages in a conversation: one of the message classes below.',
      oneOf: MESSAGE_CLASSES.map(([name]) => ({ $ref: `#/definitions/${name}` })),
    },
  };
  for (const [name, type, extra] of MESSAGE_CLASSES) {
    definitions[name] = {
      type: 'object',
      properties: { ...common, ...(type ? { type: { type: 'string', const: type } } : { type: { type: 'string' } }), ...extra },
      required: ['content'],
    };
  }
  return definitions;
}

/**
 * Writes a TypeScript type as a JSON schema (draft 07): primitives, literal unions as
 * enums, arrays, tuples, objects with their required keys, records, dates; anything that
 * is a BaseMessage as `#/definitions/BaseMessage`. Functions are left out; a type it cannot
 * say anything about is `{}` (any value), never a guess.
 */
export class SchemaWriter {
  readonly #ts: typeof TS;
  readonly #checker: TS.TypeChecker;
  readonly #location: TS.Node;
  readonly #baseMessage: TS.Type | undefined;
  #usesMessages = false;
  readonly #open = new Set<TS.Type>();

  constructor(ts: typeof TS, checker: TS.TypeChecker, location: TS.Node, baseMessage: TS.Type | undefined) {
    this.#ts = ts;
    this.#checker = checker;
    this.#location = location;
    this.#baseMessage = baseMessage;
  }

  /** The whole document: an object schema with `$schema`, and definitions when messages appear. */
  document(type: TS.Type): JsonSchema | null {
    if (type.flags & this.#ts.TypeFlags.Never) return null;
    const schema = this.schema(type, 0);
    if (this.#usesMessages) schema.definitions = messageDefinitions();
    schema.$schema = DRAFT_07;
    return schema;
  }

  schema(type: TS.Type, depth: number): JsonSchema {
    const ts = this.#ts;
    const f = type.flags;
    if (depth > 12 || f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (this.#isMessage(type)) {
      this.#usesMessages = true;
      return { $ref: '#/definitions/BaseMessage' };
    }
    if (f & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [(type as TS.StringLiteralType).value] };
    if (f & ts.TypeFlags.NumberLiteral) return { type: 'number', enum: [(type as TS.NumberLiteralType).value] };
    if (f & ts.TypeFlags.BooleanLiteral) return { type: 'boolean', enum: [this.#checker.typeToString(type) === 'true'] };
    if (f & ts.TypeFlags.StringLike) return { type: 'string' };
    if (f & ts.TypeFlags.NumberLike) return { type: 'number' };
    if (f & ts.TypeFlags.BooleanLike) return { type: 'boolean' };
    if (f & ts.TypeFlags.BigIntLike) return { type: 'integer' };
    if (f & ts.TypeFlags.Null) return { type: 'null' };
    if (type.isUnion()) return this.#union(type, depth);
    if (this.#checker.isArrayType(type)) {
      const [item] = this.#checker.getTypeArguments(type as TS.TypeReference);
      return { type: 'array', items: item ? this.schema(item, depth + 1) : {} };
    }
    if (this.#checker.isTupleType(type)) {
      const items = this.#checker.getTypeArguments(type as TS.TypeReference).map((item) => this.schema(item, depth + 1));
      return { type: 'array', items, minItems: items.length, maxItems: items.length };
    }
    if (f & ts.TypeFlags.Object) return this.#object(type, depth);
    if (type.isIntersection()) return this.#object(type, depth);
    return {};
  }

  #isMessage(type: TS.Type): boolean {
    if (!this.#baseMessage || type.flags & (this.#ts.TypeFlags.Any | this.#ts.TypeFlags.Unknown | this.#ts.TypeFlags.Never)) return false;
    if (type.isUnion()) return type.types.every((member) => this.#isMessage(member));
    return (type.flags & this.#ts.TypeFlags.Object) !== 0 && this.#checker.isTypeAssignableTo(type, this.#baseMessage);
  }

  #union(type: TS.UnionType, depth: number): JsonSchema {
    const ts = this.#ts;
    const members = type.types.filter((member) => !(member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    // `boolean` is `true | false` to the checker.
    const booleans = members.filter((member) => member.flags & ts.TypeFlags.BooleanLiteral);
    const rest = members.filter((member) => !(member.flags & ts.TypeFlags.BooleanLiteral));
    const schemas = [
      ...(booleans.length === 2 ? [{ type: 'boolean' }] : booleans.map((member) => this.schema(member, depth + 1))),
      ...rest.map((member) => this.schema(member, depth + 1)),
    ];
    if (schemas.length === 1) return schemas[0]!;
    const literals = rest.filter((member) => member.flags & (ts.TypeFlags.StringLiteral | ts.TypeFlags.NumberLiteral));
    if (booleans.length === 0 && literals.length === rest.length && literals.every((member) => member.flags & ts.TypeFlags.StringLiteral)) {
      return { type: 'string', enum: literals.map((member) => (member as TS.StringLiteralType).value) };
    }
    if (schemas.some((schema) => Object.keys(schema).length === 0)) return {};
    return { anyOf: schemas };
  }

  #object(type: TS.Type, depth: number): JsonSchema {
    const ts = this.#ts;
    if (this.#checker.typeToString(type) === 'Date') return { type: 'string', format: 'date-time' };
    if (type.getCallSignatures().length > 0 || this.#open.has(type)) return {};
    this.#open.add(type);
    try {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const property of this.#checker.getPropertiesOfType(type)) {
        const propertyType = this.#checker.getTypeOfSymbolAtLocation(property, this.#location);
        if (propertyType.getCallSignatures().length > 0 && !propertyType.isUnion()) continue;
        if (property.name.startsWith('__') || property.name.startsWith('~') || property.name.startsWith('#')) continue;
        properties[property.name] = this.schema(propertyType, depth + 1);
        const optional = (property.flags & ts.SymbolFlags.Optional) !== 0 || (propertyType.isUnion() && propertyType.types.some((member) => member.flags & ts.TypeFlags.Undefined));
        if (!optional) required.push(property.name);
      }
      const schema: JsonSchema = { type: 'object', properties };
      if (required.length > 0) schema.required = required;
      const index = this.#checker.getIndexTypeOfType(type, ts.IndexKind.String);
      if (index) schema.additionalProperties = this.schema(index, depth + 1);
      return schema;
    } finally {
      this.#open.delete(type);
    }
  }
}
