// The dual-write map kind, program side: the settings IOM needs on an out-of-box table map.
import type { DualWriteMap as DualWriteMapSpec } from "../../generated/dual-write-map.js";
import { iomResourceClass } from "../common/dynamic.js";

export type DualWriteMapInputs = DualWriteMapSpec;

export const DualWriteMap = iomResourceClass<DualWriteMapInputs>("dual-write-map");
export type DualWriteMap = InstanceType<typeof DualWriteMap>;
