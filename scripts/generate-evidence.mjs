// Writes docs/evidence.md from the fact trees in src/iom (through the build in dist/): run by
// `npm run generate`. A unit test (test/unit/iom/evidence.test.ts) renders it in memory and fails
// when the committed page differs.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "..");
const { renderEvidenceDoc } = await import(pathToFileURL(path.join(ROOT, "dist/iom/evidence-doc.js")).href);
const emulatorData = JSON.parse(readFileSync(path.join(ROOT, "src/emulator/data/metadata.json"), "utf8"));
writeFileSync(path.join(ROOT, "docs", "evidence.md"), renderEvidenceDoc(emulatorData));
