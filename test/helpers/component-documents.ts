/**
 * An AWSTOE component document (schema 1.0) with one step 'build/Fetch' that downloads `source` with
 * S3Download, in the shape AWS documents; `parameters` are declared as string parameters.
 */
export function downloadDocument(name: string, source: string, destination: string, parameters: string[] = []): string {
  const declared = parameters.length === 0 ? '' : `parameters:\n${parameters.map(p => `  - ${p}:\n      type: string\n`).join('')}`;
  return `
name: ${name}
schemaVersion: 1.0
${declared}phases:
  - name: build
    steps:
      - name: Fetch
        action: S3Download
        inputs:
          - source: ${source}
            destination: ${destination}
`;
}

/**
 * An AWSTOE component document with one step 'build/Configure' that runs `command` with ExecuteBash, where a
 * `{{ aws:ssm:... }}` reference is read like in any other step's inputs.
 */
export function bashDocument(name: string, command: string): string {
  return `
name: ${name}
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Configure
        action: ExecuteBash
        inputs:
          commands:
            - ${command}
`;
}
