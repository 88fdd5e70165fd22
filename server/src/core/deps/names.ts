import { essentialNameLen } from '../core-relo/types';

/**
 * A name as libbpf's candidate search compares it (`task_struct___pre514` → `task_struct`); the search itself is
 * core-relo/candidates.ts's `candidateIds`.
 */
export function essentialName(name: string): string {
  return name.slice(0, essentialNameLen(name));
}
