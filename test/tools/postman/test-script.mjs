/** The test scripts of the Postman collection: contract assertions generated for each request. */

/**
 * The pm.test script for one request; `requireSuccess` for business calls, which must answer 2xx.
 * `captures`: collection variables set from a successful answer, `{ status, variable, value }`
 * with `value` a sandbox expression (e.g. `body.id`, where `body` is the parsed JSON answer), so
 * that later requests can name what this one created or found.
 */
export function testScript(contract, { captures = [], requireSuccess = false } = {}) {
  const lines = [
    '// Generated from openapi.yaml by test/tools/postman/build-collection.mjs: checks this response',
    '// against the contract (status documented, Content-Type, required headers, body schema).',
    `const contract = ${JSON.stringify(contract)};`,
    'const status = String(pm.response.code);',
    'const documented = contract.statuses[status];',
    ...(requireSuccess
      ? [
          '// A business call: documented is not enough, it must have succeeded (a wrong key, agent,',
          '// number or template fails the run).',
          'pm.test(`${contract.operation} succeeded (2xx)`, () => {',
          '  pm.expect(pm.response.code, pm.response.text()).to.be.within(200, 299);',
          '});',
        ]
      : []),
    'pm.test(`status ${status} is documented for ${contract.operation}`, () => {',
    '  pm.expect(Object.keys(contract.statuses), `documented: ${Object.keys(contract.statuses).join(", ")}`).to.include(status);',
    '});',
    'if (documented) {',
    "  const contentType = (pm.response.headers.get('Content-Type') || '').split(';')[0].trim().toLowerCase();",
    '  if (documented.mediaTypes.length > 0) {',
    "    pm.test(`Content-Type ${contentType || '(none)'} is documented for ${status}`, () => {",
    '      pm.expect(documented.mediaTypes).to.include(contentType);',
    '    });',
    '  }',
    '  for (const header of documented.requiredHeaders) {',
    '    pm.test(`required header ${header} is present`, () => {',
    '      pm.expect(pm.response.headers.has(header), header).to.be.true;',
    '    });',
    '  }',
    '  if (documented.schema) {',
    '    pm.test(`body matches the schema documented for ${status}`, () => {',
    "      const Ajv = require('ajv');",
    '      const ajv = new Ajv({ allErrors: true });',
    '      const validate = ajv.compile({ definitions: contract.definitions, allOf: [documented.schema] });',
    "      const isJson = contentType === 'application/json' || contentType.endsWith('+json');",
    '      const body = isJson ? pm.response.json() : pm.response.text();',
    '      const valid = validate(body);',
    "      pm.expect(valid, valid ? '' : ajv.errorsText(validate.errors, { dataVar: 'body' })).to.be.true;",
    '    });',
    '  }',
    '}',
  ];
  for (const { status, variable, value } of captures) {
    lines.push(
      `// Remember {{${variable}}} for the requests after this one.`,
      `if (pm.response.code === ${status}) {`,
      '  const body = pm.response.json();',
      `  const value = ${value};`,
      `  if (value !== undefined && value !== null) pm.collectionVariables.set('${variable}', value);`,
      '}',
    );
  }
  return lines;
}

export function testEvent(exec) {
  return { listen: 'test', script: { type: 'text/javascript', exec } };
}
