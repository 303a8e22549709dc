// The iom-gitops Pulumi program (Pulumi.yaml `main`). It validates the stack's desired state first
// (stacks/<stack>.iom.yaml) and stops with located findings if it is invalid. Until the IOM
// resource kinds land it then deploys the engine smoke resource, so `npm run demo` exercises the
// whole path: emulator, engine, language host and dynamic-provider plugin.
import * as pulumi from "@pulumi/pulumi";
import path from "node:path";
import { projectDirectory, validateDesiredState } from "./desired-state.js";

export = async () => {
  const config = new pulumi.Config("iom");
  const desiredState = await validateDesiredState(config);
  const smoke = await import("./smoke.js");
  return {
    // Relative, so the output is the same on every machine that runs the stack.
    desiredState: path.relative(projectDirectory(), desiredState),
    markerId: smoke.markerId,
    markerLabel: smoke.markerLabel,
  };
};
