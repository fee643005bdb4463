/**
 * The running server's own schema (by introspection over HTTP) and what the hostile tests build
 * from it: every root field, valid argument values from the argument types, and a selection set.
 */
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import type { HostileApp } from './app.ts';

export type Operation = 'Query' | 'Mutation' | 'Subscription';

export interface RootField {
  operation: Operation;
  /** `Query.search`, `Mutation.createDataset`… */
  name: string;
  field: GraphQLField<unknown, unknown>;
}

export async function introspect(t: HostileApp): Promise<GraphQLSchema> {
  const r = await t.gql<IntrospectionQuery>(getIntrospectionQuery(), {}, null);
  if (r.errors) throw new Error(`introspection failed: ${JSON.stringify(r.errors)}`);
  return buildClientSchema(r.data);
}

/** Every field of Query, Mutation and Subscription except the `_empty` placeholders. */
export function rootFields(schema: GraphQLSchema): RootField[] {
  const out: RootField[] = [];
  for (const operation of ['Query', 'Mutation', 'Subscription'] as const) {
    const type =
      operation === 'Query'
        ? schema.getQueryType()
        : operation === 'Mutation'
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (field.name === '_empty') continue;
      out.push({ operation, name: `${operation}.${field.name}`, field });
    }
  }
  return out;
}

/** A GraphQL type as written in a variable definition (`[ID!]!`). */
export function typeString(type: GraphQLInputType): string {
  return type.toString();
}

/**
 * A selection of the field's return type: its scalar leaves without required arguments, and
 * `errors { code message }` on payloads — enough to run every resolver the answer needs.
 */
export function selectionFor(field: GraphQLField<unknown, unknown>): string {
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return '';
  const parts: string[] = ['__typename'];
  for (const f of Object.values(type.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type))) continue;
    const inner = getNamedType(f.type);
    if (isScalarType(inner) || isEnumType(inner)) parts.push(f.name);
    else if (f.name === 'errors') parts.push('errors { code message field }');
    else if (isObjectType(inner)) parts.push(`${f.name} { __typename }`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** The operation text for a root field with every argument passed as a variable. */
export function operationFor(root: RootField, argNames: string[]): string {
  const args = root.field.args.filter((a) => argNames.includes(a.name));
  const defs = args.map((a) => `$${a.name}: ${typeString(a.type)}`).join(', ');
  const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const keyword = root.operation.toLowerCase();
  return `${keyword} Op${defs ? `(${defs})` : ''} { ${root.field.name}${call ? `(${call})` : ''} ${selectionFor(root.field)} }`;
}

/**
 * Argument values from their types: the given hints (by `Type.field` or argument name) first,
 * then a default per type — only required values are filled in.
 */
export function valueFor(
  type: GraphQLInputType,
  path: string,
  hints: Record<string, () => unknown>,
  counter: { n: number },
): unknown {
  const hint = hints[path];
  if (hint) return hint();
  if (isNonNullType(type)) return valueFor(type.ofType, path, hints, counter);
  if (isListType(type)) return [valueFor(type.ofType, path, hints, counter)];
  if (isInputObjectType(type)) {
    const whole = hints[type.name];
    if (whole) return whole();
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      const key = `${type.name}.${f.name}`;
      if (hints[key]) out[f.name] = hints[key]();
      else if (isNonNullType(f.type)) out[f.name] = valueFor(f.type, key, hints, counter);
    }
    return out;
  }
  if (isEnumType(type)) return type.getValues()[0]!.value;
  counter.n += 1;
  switch (type.name) {
    case 'Int':
      return 1;
    case 'Float':
      return 0.5;
    case 'Boolean':
      return false;
    case 'String':
      return `value-${counter.n}`;
    default:
      throw new Error(`no value for a required ${type.name} at ${path}: add a hint`);
  }
}
