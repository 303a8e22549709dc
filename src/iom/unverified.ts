// What iom-gitops does on IOM's behalf with no public evidence at all: stored formats and server
// behaviour that no Microsoft source shows. Each is a Fact so that docs/evidence.md lists it; the
// code that relies on it names it in a comment. `iom doctor` probes the stored formats on the rows
// an environment already has.
import { inferred } from "./evidence.js";

export const unverifiedFacts = {
  "rule definition format": inferred(
    "src/iom/formats/rule-definition.ts",
    "msdyn_iomrule's RuleDefinition is documented as a string (IOM:alm.md); its serialization of conditions and set-value actions is ours",
    "IOM:alm.md",
  ),
  "orchestration flow format": inferred(
    "src/iom/formats/orchestration-definition.ts",
    "the designer's steps and edges are stored on msdyn_iomdesigner in a format no source shows; ours references policies, providers and logic definitions by id",
  ),
  "publishing a policy": inferred(
    "msdyn_publishstatus = Published",
    "the UI's Publish button is documented (IOM:policies-rules.md); that setting the status column publishes, and that the server transpiles the flows then, is assumed",
    "IOM:policies-rules.md",
  ),
  "publishing an orchestration flow": inferred(
    "msdyn_publishstatus = Published",
    "Publish and Stop are documented as UI actions (IOM:orchestration-flows.md); that the status column drives them is assumed",
    "IOM:orchestration-flows.md",
  ),
  "activating a provider": inferred(
    "msdyn_providerstatus = Activated",
    "Activate is a UI action that deploys the provider's flows (IOM:work-providers.md); no Web API message is documented for it, so setting the status is assumed to do it",
    "IOM:work-providers.md",
  ),
  "activating a provider connection": inferred(
    "msdyn_connectionstatus = Active",
    "Save then Activate is documented (IOM:lab-onboard-provider.md); the column and what activation does on the server are assumed",
    "IOM:lab-onboard-provider.md",
  ),
  "connection URL": inferred(
    "src/iom/formats/connection-url.ts",
    "IOM asks for the address of the connection's page (IOM:lab-onboard-provider.md); the page's address (…/environments/{environment}/connections/{api}/{id}/details) is seen in third-party examples only, and that IOM reads the id from its end is assumed",
    "IOM:lab-onboard-provider.md",
  ),
  "saving a dual-write map's filters": inferred(
    "a new msdyn_dualwriteentitymap version row, then SwitchActive",
    "the gateway has no save of field mappings (DWA:Engines/DWMapEngine.cs switches versions only); writing a version row through the Web API and switching to it is our reading of how versions come to exist",
    "DWA:Engines/DWMapEngine.cs",
  ),
} as const;
