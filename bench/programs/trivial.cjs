// The baseline of P1 and P3: BENCH_COUNT (default 200) dynamic resources whose provider is three
// one-line methods and makes no API call. Whatever the engine costs per dynamic resource, these
// cost it too; what iom-gitops adds on top is the figure.
const pulumi = require("@pulumi/pulumi");

const provider = {
  create: async (inputs) => ({ id: inputs.name, outs: inputs }),
  diff: async () => ({ changes: false }),
  delete: async () => {},
};

const count = Number(process.env.BENCH_COUNT || 200);
for (let i = 0; i < count; i++)
  new pulumi.dynamic.Resource(provider, `trivial-${i}`, { name: `trivial-${i}` });
