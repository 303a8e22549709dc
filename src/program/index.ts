// The iom-gitops Pulumi program (Pulumi.yaml `main`). Until the IOM resource kinds land it deploys
// the engine smoke resource, so `npm run demo` exercises the whole path: emulator, engine,
// language host and dynamic-provider plugin.
export * from "./smoke.js";
