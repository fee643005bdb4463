/**
 * Query depth and cost limits as validation rules: a query deeper than `maxDepth`, or whose
 * estimated cost (each field 1, multiplied by the page sizes of the lists around it) exceeds
 * `maxCost`, is refused before it runs with extensions.code QUERY_TOO_COMPLEX.
 */
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

const DEFAULT_LIST_COST = 20;

/** Apollo re-codes validation errors as GRAPHQL_VALIDATION_FAILED; `limit` survives it. */
function tooComplex(message: string, limit: 'depth' | 'cost'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit } });
}

export function complexityLimit(maxDepth: number, maxCost: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION)
        fragments.set(definition.name.value, definition);
    }
    const measure = (
      set: SelectionSetNode,
      depth: number,
      seen: Set<string>,
    ): { depth: number; cost: number } => {
      let deepest = depth;
      let cost = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          const first = selection.arguments?.find((a) => a.name.value === 'first');
          const multiplier =
            first && first.value.kind === Kind.INT
              ? Number(first.value.value)
              : first
                ? DEFAULT_LIST_COST
                : 1;
          if (selection.selectionSet) {
            const inner = measure(selection.selectionSet, depth + 1, seen);
            deepest = Math.max(deepest, inner.depth);
            cost += 1 + multiplier * inner.cost;
          } else {
            cost += 1;
          }
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const inner = measure(selection.selectionSet, depth, seen);
          deepest = Math.max(deepest, inner.depth);
          cost += inner.cost;
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) continue;
          const inner = measure(fragment.selectionSet, depth, new Set([...seen, name]));
          deepest = Math.max(deepest, inner.depth);
          cost += inner.cost;
        }
      }
      return { depth: deepest, cost };
    };
    return {
      OperationDefinition(node) {
        const { depth, cost } = measure(node.selectionSet, 1, new Set());
        if (depth > maxDepth)
          context.reportError(
            tooComplex(`The query is ${depth} levels deep; the limit is ${maxDepth}.`, 'depth'),
          );
        else if (cost > maxCost)
          context.reportError(
            tooComplex(`The query's estimated cost is ${cost}; the limit is ${maxCost}.`, 'cost'),
          );
      },
    };
  };
}
