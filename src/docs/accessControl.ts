/**
 * Renders the role table of src/deploy/roles.ts as the Markdown section of docs/ACCESS_CONTROL.md between the
 * `<!-- roles:begin -->` and `<!-- roles:end -->` markers. `npm run docs:roles` rewrites it; a test fails when the
 * document and the table disagree.
 */
import { ADMIN_FUNCTIONS, FUNCTION_ROLES, type RestrictedContract } from "../deploy/roles";

export const BEGIN = "<!-- roles:begin -->";
export const END = "<!-- roles:end -->";

export function renderRoleTable(): string {
  const lines = ["| contract | function | role |", "|---|---|---|"];
  for (const contract of Object.keys(ADMIN_FUNCTIONS) as RestrictedContract[]) {
    const rows: [string, string][] = [
      ...ADMIN_FUNCTIONS[contract].map((f): [string, string] => [f, "ADMIN (timelock)"]),
      ...FUNCTION_ROLES[contract].RISK_MANAGER.map((f): [string, string] => [f, "RISK_MANAGER"]),
      ...FUNCTION_ROLES[contract].GUARDIAN.map((f): [string, string] => [f, "GUARDIAN"]),
    ];
    for (const [f, role] of rows) lines.push(`| \`${contract}\` | \`${f}\` | ${role} |`);
  }
  return `${BEGIN}\n${lines.join("\n")}\n${END}`;
}

/** `doc` with its generated section replaced by the current table. */
export function withRoleTable(doc: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`ACCESS_CONTROL.md lacks the ${BEGIN} / ${END} markers`);
  return doc.slice(0, start) + renderRoleTable() + doc.slice(end + END.length);
}
