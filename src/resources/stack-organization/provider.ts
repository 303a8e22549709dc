// The organization a stack manages, inside the provider plugin. Created at the stack's first `up`
// with the organization the session reaches (WhoAmI); from then on its diff compares that with the
// organization the program found the configured environment to be, and refuses the whole run when
// they differ. The check is in `diff` because the engine diffs this resource before any resource
// that depends on it is created, updated or deleted, and in `preview` as in `up`: a stack pointed
// at the wrong environment fails its preview, and its `up` writes nothing there. Resources that
// exist also check their own recorded organization (../runtime/session.ts assertSameOrganization);
// this resource is what covers the creates.
import { ConfigError } from "../../dataverse/errors.js";
import type { KindImplementation, Outputs } from "../runtime/kind.js";
import type { StackOrganizationInputs } from "./index.js";

type StackOrganizationOutputs = Outputs<StackOrganizationInputs> & { recordedUrl?: string };

export const stackOrganization: KindImplementation<StackOrganizationInputs, StackOrganizationOutputs> = {
  label: "organization check",
  // No URL among the inputs: the demo's emulator port changes every run (../runtime/session.ts).
  programInputs: ["organizationId"],
  outputsOnly: ["recordedUrl"],

  // Nothing to update: the organization is recorded once, and a change of it is refused.
  canonical: () => ({}),

  refuse(olds, news) {
    const recorded = olds.organizationId?.toLowerCase();
    const now = news.organizationId?.toLowerCase();
    if (!recorded || !now || recorded === now) return undefined;
    return new ConfigError(
      `this stack manages organization ${recorded}` +
        (olds.recordedUrl ? ` (${olds.recordedUrl})` : "") +
        `, recorded at its first \`up\`, but the configured environment is organization ${now}; ` +
        "nothing was changed",
      {
        hint:
          "Point the stack back at the environment it manages (iom:environmentUrl or IOM_DATAVERSE_URL), " +
          'or use a separate stack for the other environment (docs/recovery.md, "Another organization").',
      },
    );
  },

  async create(inputs, s) {
    return {
      id: s.organizationId,
      outs: {
        ...inputs,
        organizationId: s.organizationId,
        recordedUrl: s.client.environmentUrl,
        adopted: false,
      },
    };
  },

  async read(_id, outs) {
    return outs; // the recorded organization is the stack's own fact; read checks it (kind.ts)
  },

  async update(_id, olds) {
    return olds; // never called: nothing compares (canonical), and the record stays as made
  },

  async delete() {
    // Nothing to remove in the environment.
  },
};
