// The bootstrap program (Pulumi.yaml of this folder): reads the settings, declares the pipeline's
// identity and state backend, and exports what the workflows need. See docs/gitops.md.
import * as pulumi from "@pulumi/pulumi";
import { declarePipeline } from "./pipeline";
import { BootstrapSettingsError, readSettings } from "./settings";

const config = new pulumi.Config();

function settings() {
  try {
    return readSettings((key) => config.get(key));
  } catch (err) {
    // A RunError prints its message alone: the findings, without a stack trace of this program.
    if (err instanceof BootstrapSettingsError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

const pipeline = declarePipeline(settings());

export const clientId = pipeline.clientId;
export const tenantId = pipeline.tenantId;
export const principalId = pipeline.principalId;
export const backendUrl = pipeline.backendUrl;
export const federatedSubjects = pipeline.federatedSubjects;
