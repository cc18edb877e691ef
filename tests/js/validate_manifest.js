// Validate an unpacked Teams app package with Microsoft's own code and published schemas, offline:
// npm @microsoft/app-manifest ships the schemas (build/json-schemas/teams/vX.Y/) and validates with ajv.
// Usage: node validate_manifest.js DIR...  -> prints [{"dir": DIR, "manifestVersion": ..., "schema": path, "errors": [...]}]
// as JSON (several packages in one run: compiling the schema takes most of the time).
const fs = require("fs");
const path = require("path");
const { AppManifestUtils } = require("@microsoft/app-manifest");
const Ajv04 = require("ajv-draft-04");
const addFormats = require("ajv-formats");

async function validateDir(dir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
  const schemaDir = path.join(path.dirname(require.resolve("@microsoft/app-manifest")), "json-schemas", "teams",
    `v${manifest.manifestVersion}`);
  const read = (name) => JSON.parse(fs.readFileSync(path.join(schemaDir, name), "utf8").replace(/\\a/g, "\\x07"));
  const errors = (await AppManifestUtils.validateAgainstSchema(manifest, read("MicrosoftTeams.schema.json")))
    .map((e) => `manifest.json: ${e}`);
  for (const lang of (manifest.localizationInfo || {}).additionalLanguages || []) {
    const loc = JSON.parse(fs.readFileSync(path.join(dir, lang.file), "utf8"));
    // The localization schema has a pattern ("\\b]") that is invalid in ajv's default unicode mode, so app-manifest's
    // validateAgainstSchema throws on it; compile it with the same ajv (draft-04) and unicodeRegExp off instead.
    const ajv = new Ajv04({ allErrors: true, strictTypes: false, unicodeRegExp: false });
    addFormats(ajv, ["uri", "email", "regex"]);
    const validate = ajv.compile(read("MicrosoftTeams.Localization.schema.json"));
    if (!validate(loc)) {
      errors.push(...validate.errors.map((e) => `${lang.file}: ${e.instancePath} ${e.message}. Details: ${JSON.stringify(e.params)}`));
    }
  }
  return { dir, manifestVersion: manifest.manifestVersion, schema: schemaDir, errors };
}

async function main() {
  const results = [];
  for (const dir of process.argv.slice(2)) results.push(await validateDir(dir));
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => { console.error(e); process.exit(1); });
