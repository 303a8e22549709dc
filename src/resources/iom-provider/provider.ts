// The IOM provider kind inside the provider plugin: an installed provider (msdyn_iomprovider) of a
// catalog definition, with its parameters. Activation is the IomProviderActivation resource
// (./activation.ts), so `activated` is ignored here.
//
// Natural key (adoption): the installed provider's name (displayName, else the definition's name)
// and its definition. A row found with this stack's derived id is this stack's own interrupted
// create; a row found with another id is adopted.
import { columns, primaryColumns, providerStatus } from "../../iom/facts.js";
import { etagOf, NotFoundError } from "../../dataverse/index.js";
import { registerSecret } from "../../dataverse/redact.js";
import { requireVersion, withReread } from "../common/concurrency.js";
import { derivedId } from "../common/ids.js";
import { bind, choiceValue, entitySet, findRows, isChoice, lookupId, rowId } from "../common/records.js";
import type { KindImplementation, Outputs } from "../runtime/kind.js";
import type { Session } from "../runtime/session.js";
import type { IomProviderInputs } from "./index.js";
import { sameStoredValue, typedValue, valueFromText, valueText, type Scalar } from "../common/values.js";

const PROVIDER = "msdyn_iomprovider";
const DEFINITION = "msdyn_iomproviderdefinition";
const PARAMETER = "msdyn_iomproviderparameter";
const DEFINITION_PARAMETER = "msdyn_iomproviderdefinitionparameter";
const c = columns.provider;
const p = columns.providerParameter;
const providerRow = primaryColumns[PROVIDER];
const definitionRow = primaryColumns[DEFINITION];
const parameterRow = primaryColumns[PARAMETER];
const definitionParameterRow = primaryColumns[DEFINITION_PARAMETER];

type ParameterValue = Scalar;

/** The catalog definition with this display name; a clear error listing the catalog otherwise. */
export async function findDefinition(s: Session, name: string): Promise<{ id: string; name: string }> {
  const rows = await findRows(s, DEFINITION, { [definitionRow.name]: name }, [
    definitionRow.id,
    definitionRow.name,
  ]);
  const row = rows[0];
  if (!row) {
    const all = await s.client.list(await entitySet(s, DEFINITION), { select: [definitionRow.name] });
    throw new NotFoundError(`the provider catalog has no definition "${name}"`, {
      hint: `Use one of: ${all.map((r) => `"${String(r[definitionRow.name])}"`).join(", ")}.`,
    });
  }
  return { id: rowId(row, definitionRow.id), name: String(row[definitionRow.name]) };
}

/** The name the installed provider row carries. */
export function recordName(inputs: Pick<IomProviderInputs, "displayName" | "definition">): string {
  return inputs.displayName ?? inputs.definition;
}

/**
 * The parameters as values. A secret parameter arrives resolved (the program puts the stack
 * config's secret in place of `{ secret: key }`, src/program/secret-parameters.ts); a reference
 * that reaches the provider unresolved is a bug, refused before anything is written.
 */
export function parameterValues(
  inputs: Pick<IomProviderInputs, "parameters">,
): Record<string, ParameterValue> | undefined {
  if (!inputs.parameters) return undefined;
  const out: Record<string, ParameterValue> = {};
  for (const [name, value] of Object.entries(inputs.parameters)) {
    if (typeof value === "object")
      throw new Error(
        `parameter "${name}" still names its secret config key (${String(value.secret)}) instead of its value; declare the provider through src/program/secret-parameters.ts`,
      );
    out[name] = value;
  }
  return out;
}

/**
 * Makes the values of the secret parameters known to redact(), so that no error or log line of
 * this process can show them (src/dataverse/redact.ts). Short values are not registered there.
 */
function registerSecretParameters(
  parameters: Record<string, ParameterValue> | undefined,
  secretNames: readonly string[] | undefined,
): void {
  const secret = new Set((secretNames ?? []).map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(parameters ?? {}))
    if (secret.has(name.toLowerCase())) registerSecret(valueText(value));
}

/**
 * A stored parameter text in the YAML's type when there is no earlier YAML to follow (`iom
 * import`): the one rule of ../common/values.ts.
 */
export function parameterFromText(text: string): ParameterValue {
  return valueFromText(text);
}

/**
 * Sets the provider's parameters. A parameter row is updated on the version found (its ETag): one
 * changed by someone else since is refused (412), and then all are read again and written once
 * more. Re-applying is right here: each value is the YAML's alone, so deciding again on the rows as
 * they are now (which row, created or updated) writes what the YAML says over a change we have
 * seen rather than one we have not. A second refusal is an error naming the provider.
 */
async function writeParameters(
  s: Session,
  providerId: string,
  providerName: string,
  definitionId: string,
  parameters: Record<string, ParameterValue>,
): Promise<void> {
  if (Object.keys(parameters).length === 0) return;
  await withReread(`a parameter of the IOM provider '${providerName}' (${providerId})`, () =>
    writeParametersOnce(s, providerId, definitionId, parameters),
  );
}

async function writeParametersOnce(
  s: Session,
  providerId: string,
  definitionId: string,
  parameters: Record<string, ParameterValue>,
): Promise<void> {
  const definitionParameters = await findRows(
    s,
    DEFINITION_PARAMETER,
    { [`_${columns.definitionParameter.definition}_value`]: definitionId },
    [definitionParameterRow.id, definitionParameterRow.name],
  );
  const existing = await findRows(s, PARAMETER, { [`_${p.provider}_value`]: providerId }, [
    parameterRow.id,
    parameterRow.name,
    p.value,
  ]);
  const set = await entitySet(s, PARAMETER);
  for (const [name, value] of Object.entries(parameters)) {
    const definitionParameter = definitionParameters.find(
      (r) => String(r[definitionParameterRow.name]).toLowerCase() === name.toLowerCase(),
    );
    if (!definitionParameter)
      throw new NotFoundError(`the provider definition has no parameter "${name}"`, {
        hint: `Its parameters are: ${definitionParameters.map((r) => `"${String(r[definitionParameterRow.name])}"`).join(", ") || "none"}.`,
      });
    const row = existing.find((r) => String(r[parameterRow.name]).toLowerCase() === name.toLowerCase());
    if (row) {
      // A parameter that already holds the value is not written again.
      if (sameStoredValue(row[p.value], value)) continue;
      const parameterId = rowId(row, parameterRow.id);
      await s.client.update(
        set,
        parameterId,
        { [p.value]: valueText(value) },
        { etag: requireVersion(etagOf(row), `the provider parameter ${parameterId}`) },
      );
      continue;
    }
    await s.client.create(
      set,
      {
        [parameterRow.name]: String(definitionParameter[definitionParameterRow.name]),
        [p.value]: valueText(value),
        ...(await bind(s, PARAMETER, p.provider, PROVIDER, providerId)),
        ...(await bind(
          s,
          PARAMETER,
          p.definitionParameter,
          DEFINITION_PARAMETER,
          rowId(definitionParameter, definitionParameterRow.id),
        )),
      },
      {
        primaryIdAttribute: parameterRow.id,
        id: derivedId(providerId, "parameter", name.toLowerCase()),
      },
    );
  }
}

async function readParameters(
  s: Session,
  providerId: string,
  wanted: Record<string, ParameterValue> | undefined,
): Promise<Record<string, ParameterValue> | undefined> {
  if (!wanted) return undefined;
  const rows = await findRows(s, PARAMETER, { [`_${p.provider}_value`]: providerId }, [
    parameterRow.name,
    p.value,
  ]);
  const out: Record<string, ParameterValue> = {};
  for (const [name, like] of Object.entries(wanted)) {
    const row = rows.find((r) => String(r[parameterRow.name]).toLowerCase() === name.toLowerCase());
    if (row) out[name] = typedValue(String(row[p.value] ?? ""), like);
  }
  return out;
}

type ProviderOutputs = Outputs<IomProviderInputs>;

export const iomProvider: KindImplementation<IomProviderInputs> = {
  label: "IOM provider",
  schema: "iom-provider",
  programInputs: ["recordId", "secretParameters"],
  replaceOn: ["definition"],

  canonical(inputs) {
    const parameters = Object.entries(parameterValues(inputs) ?? {})
      // Names compare without case, as IOM compares them; values exactly, as they are stored.
      .map(([k, v]) => [k.trim().toLowerCase(), valueText(v)])
      .sort();
    // Which parameters are secret is compared too: a value that becomes secret with the same text
    // is an update, so that the engine writes the outputs again, encrypted (a "same" step would
    // keep the earlier, plain ones). Absent when none is, as in states written before secrets.
    const secretParameters = [...new Set((inputs.secretParameters ?? []).map((n) => n.trim().toLowerCase()))];
    return {
      definition: inputs.definition.trim().toLowerCase(),
      recordName: recordName(inputs).trim(),
      parameters,
      ...(secretParameters.length > 0 ? { secretParameters: secretParameters.sort() } : {}),
    };
  },

  async create(inputs, s) {
    const parameters = parameterValues(inputs) ?? {};
    registerSecretParameters(parameters, inputs.secretParameters);
    const definition = await findDefinition(s, inputs.definition);
    const set = await entitySet(s, PROVIDER);
    const found = await findRows(
      s,
      PROVIDER,
      { [providerRow.name]: recordName(inputs), [`_${c.definition}_value`]: definition.id },
      [providerRow.id],
    );
    let id: string;
    let adopted = false;
    if (found[0]) {
      id = rowId(found[0], providerRow.id);
      adopted = id !== inputs.recordId.toLowerCase();
    } else {
      const created = await s.client.create(
        set,
        {
          [providerRow.name]: recordName(inputs),
          [c.status]: await choiceValue(s, PROVIDER, c.status, providerStatus.installed),
          ...(await bind(s, PROVIDER, c.definition, DEFINITION, definition.id)),
        },
        { primaryIdAttribute: providerRow.id, id: inputs.recordId },
      );
      id = created.id;
    }
    await writeParameters(s, id, recordName(inputs), definition.id, parameters);
    return { id, outs: { ...inputs, organizationId: s.organizationId, adopted } };
  },

  async read(id, outs, s) {
    const applied = parameterValues(outs);
    registerSecretParameters(applied, outs.secretParameters);
    const row = await s.client.retrieveIfExists(await entitySet(s, PROVIDER), id, {
      select: [providerRow.name, `_${c.definition}_value`],
    });
    if (!row) return undefined;
    const definitionId = lookupId(row, c.definition);
    const definition = definitionId
      ? await s.client.retrieveIfExists(await entitySet(s, DEFINITION), definitionId, {
          select: [definitionRow.name],
        })
      : undefined;
    const definitionName = definition ? String(definition[definitionRow.name]) : "";
    const name = String(row[providerRow.name] ?? "");
    const current: ProviderOutputs = { ...outs, definition: definitionName };
    if (outs.displayName !== undefined || name !== definitionName) current.displayName = name;
    else delete current.displayName;
    const parameters = await readParameters(s, id, applied);
    registerSecretParameters(parameters, outs.secretParameters);
    if (parameters) current.parameters = parameters;
    return current;
  },

  async update(id, olds, news, s) {
    const parameters = parameterValues(news) ?? {};
    registerSecretParameters(parameters, news.secretParameters);
    const set = await entitySet(s, PROVIDER);
    if (recordName(olds) !== recordName(news))
      await s.client.update(set, id, { [providerRow.name]: recordName(news) });
    const definition = await findDefinition(s, news.definition);
    await writeParameters(s, id, recordName(news), definition.id, parameters);
    return { ...news, organizationId: olds.organizationId, adopted: olds.adopted };
  },

  async delete(id, outs, s) {
    if (outs.adopted && !s.deleteAdopted) return; // released, not deleted: the stack did not make it
    const set = await entitySet(s, PROVIDER);
    const row = await s.client.retrieveIfExists(set, id, { select: [c.status] });
    if (!row) return;
    // IOM deletes only deactivated providers; activated by hand since the last run, deactivate first.
    if (await isChoice(s, PROVIDER, c.status, row[c.status], providerStatus.activated))
      await s.client.update(set, id, {
        [c.status]: await choiceValue(s, PROVIDER, c.status, providerStatus.installed),
      });
    await s.client.delete(set, id, { ignoreMissing: true });
  },
};
