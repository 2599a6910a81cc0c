/** Rewrites the generated role table in docs/ACCESS_CONTROL.md from src/deploy/roles.ts. Usage: npm run docs:roles */
import fs from "node:fs";
import path from "node:path";
import { withRoleTable } from "../src/docs/accessControl";

const file = path.join(__dirname, "..", "docs", "ACCESS_CONTROL.md");
fs.writeFileSync(file, withRoleTable(fs.readFileSync(file, "utf8")));
console.log(`updated ${file}`);
