// A credential parameter for the secret-parameter contract tests: the emulator's catalog gives no
// definition one, so a test adds it to a definition as any Dataverse client could, before the
// provider kind (which sets only the parameters its definition has) or `iom import` meets it.
import { columns, primaryColumns } from "../../../src/iom/facts.js";
import { bind, entitySet, findRows, rowId } from "../../../src/resources/common/records.js";
import type { Session } from "../../../src/resources/runtime/session.js";

const DEFINITION = "msdyn_iomproviderdefinition";
const DEFINITION_PARAMETER = "msdyn_iomproviderdefinitionparameter";

/** Adds parameter `name` to the catalog definition of that display name. */
export async function addDefinitionParameter(s: Session, definition: string, name: string): Promise<void> {
  const [row] = await findRows(s, DEFINITION, { [primaryColumns[DEFINITION].name]: definition }, [
    primaryColumns[DEFINITION].id,
  ]);
  if (!row) throw new Error(`the catalog has no definition "${definition}"`);
  await s.client.create(await entitySet(s, DEFINITION_PARAMETER), {
    [primaryColumns[DEFINITION_PARAMETER].name]: name,
    [columns.definitionParameter.logicalName]: `test_${name.replace(/\W+/g, "").toLowerCase()}`,
    ...(await bind(
      s,
      DEFINITION_PARAMETER,
      columns.definitionParameter.definition,
      DEFINITION,
      rowId(row, primaryColumns[DEFINITION].id),
    )),
  });
}
