/**
 * Every place a caller can put text into a root field: each String, ID or JSON argument and
 * input field (nested input objects and lists included), as a function that returns valid
 * arguments with that one place replaced.
 */
import {
  getNamedType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
} from 'graphql';
import type { RootField } from './schema.ts';

export interface TextPosition {
  /** `Mutation.ingestItems(input.items.0.text)` */
  label: string;
  scalar: 'String' | 'ID' | 'JSON';
  with(base: Record<string, unknown>, value: unknown): Record<string, unknown>;
}

const TEXT_SCALARS = new Set(['String', 'ID', 'JSON']);

/** Input objects that take exactly one of some fields: setting one drops the others. */
const ONE_OF: Record<string, string[]> = {
  SearchQueryInput: ['text', 'image', 'file', 'itemId', 'vector'],
  IngestItemInput: ['text', 'base64', 'file'],
};

export function textPositions(root: RootField, base: Record<string, unknown>): TextPosition[] {
  const out: TextPosition[] = [];
  const walk = (
    type: GraphQLInputType,
    path: (string | number)[],
    current: unknown,
    parent: string | null = null,
  ): void => {
    if (isNonNullType(type)) return walk(type.ofType, path, current, parent);
    if (isListType(type)) {
      const inner = type.ofType;
      const named = getNamedType(inner);
      if (isScalarType(named) && TEXT_SCALARS.has(named.name)) {
        out.push(position(root, path, named.name, true, parent));
      } else if (isInputObjectType(named) && Array.isArray(current) && current.length > 0) {
        walk(inner, [...path, 0], current[0], parent);
      }
      return;
    }
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields());
      // An absent optional input object can be given when none of its fields is required.
      if (current == null && fields.some((f) => isNonNullType(f.type))) return;
      const value = (current ?? {}) as Record<string, unknown>;
      for (const f of fields) walk(f.type, [...path, f.name], value[f.name], type.name);
      return;
    }
    if (isScalarType(type) && TEXT_SCALARS.has(type.name))
      out.push(position(root, path, type.name, false, parent));
  };
  for (const arg of root.field.args) walk(arg.type, [arg.name], base[arg.name]);
  return out;
}

function position(
  root: RootField,
  path: (string | number)[],
  scalar: string,
  list: boolean,
  parent: string | null,
): TextPosition {
  const last = path.at(-1)!;
  const siblings = (parent && ONE_OF[parent]?.includes(String(last)) ? ONE_OF[parent] : []) ?? [];
  return {
    label: `${root.name}(${path.join('.')}${list ? '[]' : ''})`,
    scalar: scalar as TextPosition['scalar'],
    with(base, value) {
      const copy = structuredClone(base);
      let node = copy as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) {
        node[key] ??= {};
        node = node[key] as Record<string | number, unknown>;
      }
      for (const sibling of siblings) delete node[sibling];
      node[last] = list ? [value] : value;
      return copy;
    },
  };
}
