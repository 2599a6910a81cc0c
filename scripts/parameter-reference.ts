/**
 * Rewrites the parameter file reference of docs/DEPLOYMENT.md (between its markers) from the schema and the bounds.
 * Run: npm run docs:parameters. test/deploy/reference.test.ts fails while the document is out of step.
 */
import fs from "node:fs";
import path from "node:path";
import { REFERENCE_BEGIN, REFERENCE_END, renderParameterReference } from "../src/config/reference";

export const DEPLOYMENT_DOC = path.join(__dirname, "..", "docs", "DEPLOYMENT.md");

const doc = fs.readFileSync(DEPLOYMENT_DOC, "utf8");
const begin = doc.indexOf(REFERENCE_BEGIN);
const end = doc.indexOf(REFERENCE_END);
if (begin < 0 || end < begin) throw new Error(`${DEPLOYMENT_DOC}: reference markers not found`);
fs.writeFileSync(DEPLOYMENT_DOC, doc.slice(0, begin) + renderParameterReference() + doc.slice(end + REFERENCE_END.length));
console.log(`updated the parameter reference in ${path.relative(process.cwd(), DEPLOYMENT_DOC)}`);
