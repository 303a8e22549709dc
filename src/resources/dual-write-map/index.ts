// The dual-write map kind, program side: the settings IOM needs on an out-of-box table map.
import type * as pulumi from "@pulumi/pulumi";
import type { DualWriteMap as DualWriteMapSpec } from "../../generated/dual-write-map.js";
import { IomResource } from "../common/dynamic.js";

export type DualWriteMapInputs = DualWriteMapSpec;

export class DualWriteMap extends IomResource {
  constructor(name: string, args: DualWriteMapInputs, opts?: pulumi.CustomResourceOptions) {
    super("dual-write-map", name, { ...args }, opts);
  }
}
