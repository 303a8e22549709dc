/* global fetch, console, Buffer */
// P3's naive providers: the Dataverse code imported at module scope and used in the provider's
// methods. Pulumi serialises everything a provider's functions capture into the `__provider` of
// every resource's state, inputs and outputs alike; this prints how large that text would be, as
// the SDK makes it (runtime.serializeFunction(() => provider, { allowSecrets: true })), as JSON:
//   {"client": {"error": "..."} | {"bytes": n}, "metadata": ...}
// `client` captures the whole client (src/dataverse/client.ts), `metadata` its metadata reader
// alone (src/dataverse/metadata.ts). Run with IOM_GITOPS_ROOT set to the repository.
const pulumi = require("@pulumi/pulumi");

const dist = `${process.env.IOM_GITOPS_ROOT}/dist/dataverse`;
const { DataverseClient } = require(`${dist}/client.js`);
const { Metadata } = require(`${dist}/metadata.js`);

const providers = {
  client: {
    create: async (inputs) => ({ id: (await DataverseClient.fromEnv().whoAmI()).UserId, outs: inputs }),
    diff: async () => ({ changes: false }),
    delete: async () => {},
  },
  metadata: {
    create: async (inputs) => {
      const metadata = new Metadata({ environmentUrl: process.env.IOM_DATAVERSE_URL, getJson: fetchJson });
      return { id: (await metadata.entity("msdyn_iompolicy")).entitySetName + inputs.name, outs: inputs };
    },
    diff: async () => ({ changes: false }),
    delete: async () => {},
  },
};

async function fetchJson(path) {
  const response = await fetch(`${process.env.IOM_DATAVERSE_URL}/api/data/v9.2/${path}`, {
    headers: { Authorization: `Bearer ${process.env.IOM_TOKEN}` },
  });
  return response.json();
}

(async () => {
  const out = {};
  for (const [name, provider] of Object.entries(providers)) {
    try {
      const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
      out[name] = { bytes: Buffer.byteLength(text) };
    } catch (error) {
      const reason = /could not be serialized because\s+([^\n]+)/.exec(String(error))?.[1];
      out[name] = { error: (reason ?? String(error).split("\n")[0]).trim() };
    }
  }
  console.log(JSON.stringify(out));
})();
