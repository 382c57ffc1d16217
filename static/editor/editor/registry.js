import { createContext } from 'react';

export const RegistryContext = createContext({ byType: {}, list: [], edgeSchema: null });

export function buildRegistry(data) {
  const list = (data && data.node_types) || [];
  const byType = {};
  for (const t of list) byType[t.type] = t;
  return { list, byType, edgeSchema: (data && data.edge_schema) || null };
}

// Does `path` (e.g. "assignments.0.expression", "output.total", "url") match
// one of the registry's expression_fields patterns ("assignments[].expression",
// "output.*", "url")?
export function isExpressionPath(spec, path) {
  const fields = (spec && spec.expression_fields) || [];
  const parts = path.split('.');
  return fields.some((pattern) => {
    const pp = pattern.replace(/\[\]/g, '.[]').split('.');
    if (pp.length !== parts.length) return false;
    return pp.every((p, i) => p === parts[i] || p === '*' || (p === '[]' && /^\d+$/.test(parts[i])));
  });
}
