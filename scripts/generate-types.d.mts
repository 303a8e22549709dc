/** Every generated file under src/generated/, by file name, as `npm run generate` writes it. */
export function generateTypes(): Promise<Record<string, string>>;
export const SCHEMAS_DIR: string;
export const GENERATED_DIR: string;
