/**
 * The mutation table (test/foundry/mutations/, docs/TESTING.md "Mutation table") stays runnable: every entry names a
 * patch that exists and applies to the contracts as they are now (`git apply --check`), and every patch is an entry.
 * A contract change that moves a patched line otherwise breaks `npm run fuzz:mutations` only when someone runs it.
 */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..", "..");
const DIR = path.join(ROOT, "test", "foundry", "mutations");

interface Entry {
  id: string;
}

describe("test harness: the mutation table", function () {
  const entries = JSON.parse(fs.readFileSync(path.join(DIR, "mutations.json"), "utf8")) as Entry[];

  it("lists each patch once; a patch the table does not run is in docs/TESTING.md's table as not run", function () {
    const ids = entries.map((e) => e.id);
    expect(new Set(ids).size, "no entry is listed twice").to.equal(ids.length);
    const patches = fs
      .readdirSync(DIR)
      .filter((f) => f.endsWith(".patch"))
      .map((f) => f.slice(0, -".patch".length));
    expect(
      ids.filter((id) => !patches.includes(id)),
      "entries without a patch file",
    ).to.deep.equal([]);
    const doc = fs.readFileSync(path.join(ROOT, "docs", "TESTING.md"), "utf8");
    const unlisted = patches.filter((id) => !ids.includes(id));
    expect(
      unlisted.filter((id) => !new RegExp(`^\\| ${id} \\|.*Not run\\. \\|$`, "m").test(doc)),
      "patches neither run nor documented as not run",
    ).to.deep.equal([]);
  });

  it("every patch applies to the current contracts (git apply --check)", function () {
    const patches = fs.readdirSync(DIR).filter((f) => f.endsWith(".patch"));
    const failing = patches.filter((f) => spawnSync("git", ["apply", "--check", path.join(DIR, f)], { cwd: ROOT }).status !== 0);
    expect(failing, "patches that no longer apply (rebuild them against the current contracts)").to.deep.equal([]);
  });
});
