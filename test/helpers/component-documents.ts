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

/**
 * An AWSTOE component document with one step 'build/Publish' that uploads the local `source` to `destination`
 * with S3Upload, in the shape AWS documents.
 */
export function uploadDocument(name: string, source: string, destination: string): string {
  return `
name: ${name}
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Publish
        action: S3Upload
        inputs:
          - source: ${source}
            destination: ${destination}
`;
}

/**
 * `text` with its one occurrence of `search` replaced; throws when `search` does not occur exactly once, so
 * that a change of a document's shape cannot silently leave a test's document as it was.
 */
export function replaceOnce(text: string, search: string, replacement: string): string {
  const count = text.split(search).length - 1;
  if (count !== 1) {
    throw new Error(`expected '${search}' once in the document, found it ${count} times:\n${text}`);
  }
  return text.replace(search, () => replacement);
}
