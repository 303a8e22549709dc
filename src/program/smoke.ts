// The smallest Pulumi program that exercises the whole engine path: the Node.js language host runs
// it, and its one dynamic resource goes through the dynamic-provider plugin. The end-to-end smoke
// test and `iom demo` (until the IOM resource kinds exist) run it.
import * as pulumi from "@pulumi/pulumi";

interface SmokeInputs {
  label: string;
}

// Dynamic providers are serialised into state with their closure: keep this object free of
// captured values.
const smokeProvider: pulumi.dynamic.ResourceProvider<SmokeInputs, SmokeInputs> = {
  async create(inputs) {
    return { id: `smoke-${inputs.label}`, outs: inputs };
  },
  async diff(_id, olds, news) {
    const changed = olds.label !== news.label;
    return { changes: changed, replaces: changed ? ["label"] : [] };
  },
  async delete() {
    // Nothing outside the state to remove.
  },
};

class SmokeMarker extends pulumi.dynamic.Resource {
  declare readonly label: pulumi.Output<string>;

  constructor(name: string, args: { label: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
    super(smokeProvider, name, args, opts);
  }
}

const config = new pulumi.Config("iom");
const marker = new SmokeMarker("smoke", { label: config.get("smokeLabel") ?? "hello" });

export const markerId = marker.id;
export const markerLabel = marker.label;
