// Validate an unpacked Teams app package with Microsoft's own code and published schemas, offline:
// npm @microsoft/app-manifest ships the schemas (build/json-schemas/teams/vX.Y/) and validates with ajv.
// Usage: node validate_manifest.js DIR  -> prints {"manifestVersion": ..., "schema": path, "errors": [...]} as JSON.
const fs = require("fs");
const path = require("path");
const { AppManifestUtils } = require("@microsoft/app-manifest");
const Ajv04 = require("ajv-draft-04");
const addFormats = require("ajv-formats");

async function main() {
  const dir = process.argv[2];
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
  process.stdout.write(JSON.stringify({ manifestVersion: manifest.manifestVersion, schema: schemaDir, errors }));
}

main().catch((e) => { console.error(e); process.exit(1); });
