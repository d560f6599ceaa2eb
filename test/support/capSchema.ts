import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

const schemaPath = fileURLToPath(new URL('../fixtures/cap/CAP-v1.2.xsd', import.meta.url));

let schema: Promise<string> | undefined;

/** The OASIS schema, read once per test file. */
function loadSchema(): Promise<string> {
  schema ??= readFile(schemaPath, 'utf8');
  return schema;
}

/** What xmllint said, one line per problem ("line 12: Element 'sent': …"). */
export interface XmlCheck {
  valid: boolean;
  errors: string[];
}

function describe(result: Awaited<ReturnType<typeof validateXML>>): XmlCheck {
  return {
    valid: result.valid,
    errors: result.errors.map((error) =>
      error.loc ? `line ${error.loc.lineNumber}: ${error.message}` : error.rawMessage,
    ),
  };
}

/**
 * Validates a CAP document against the OASIS CAP 1.2 XML Schema
 * (`test/fixtures/cap/CAP-v1.2.xsd`) with libxml2 compiled to WebAssembly:
 * well-formedness, element order, enumerations and the date-time pattern
 * that rejects `Z`.
 */
export async function validateCap(xml: string): Promise<XmlCheck> {
  const result = await validateXML({
    xml: { fileName: 'message.cap.xml', contents: xml },
    schema: { fileName: 'CAP-v1.2.xsd', contents: await loadSchema() },
  });
  return describe(result);
}

/** Checks that a document is well-formed XML (no schema), e.g. the Atom feed. */
export async function checkWellFormed(xml: string): Promise<XmlCheck> {
  const result = await validateXML({
    xml: { fileName: 'document.xml', contents: xml },
    normalization: 'format',
  });
  return describe(result);
}
