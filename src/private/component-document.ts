import { Token } from 'aws-cdk-lib';
import { parse } from 'yaml';

/**
 * One S3 path that a step of a component document reads or writes.
 */
export interface S3Access {
  readonly access: 'read' | 'write';
  readonly bucketName: string;
  /** the object key, or for a folder its prefix without the trailing slash ('' for the whole bucket) */
  readonly key: string;
  readonly folder: boolean;
  readonly step: string;
  readonly uri: string;
}

/**
 * What a component document needs from S3, and what could not be read from it.
 */
export interface ComponentNeeds {
  readonly accesses: S3Access[];
  readonly warnings: string[];
}

const PARAMETER = /{{.*?}}/;

/**
 * Reads the S3Download and S3Upload steps of an AWSTOE component document (schema 1.0).
 *
 * Never guesses: a path whose bucket is a parameter or a token, or an input that is not of the documented
 * shape, gives a warning and no access; a key with a parameter gives the static folder before it.
 *
 * @see https://docs.aws.amazon.com/imagebuilder/latest/userguide/toe-action-modules.html#action-modules-s3download
 */
export function readComponentDocument(data: string, component: string): ComponentNeeds {
  const accesses: S3Access[] = [];
  const warnings: string[] = [];
  let document: any;
  try {
    document = parse(data);
  } catch (e) {
    return { accesses, warnings: [`${component}: the component document is not valid YAML (${(e as Error).message.split('\n')[0]}), so no S3 access was derived from it`] };
  }
  const phases = document?.phases;
  if (!Array.isArray(phases)) {
    return { accesses, warnings: [`${component}: the component document has no list of phases, so no S3 access was derived from it`] };
  }

  for (const phase of phases) {
    for (const step of Array.isArray(phase?.steps) ? phase.steps : []) {
      const action = String(step?.action ?? '');
      if (action !== 'S3Download' && action !== 'S3Upload') {
        continue;
      }
      const where = `${component}, step '${phase?.name ?? '?'}/${step?.name ?? '?'}' (${action})`;
      const inputs = Array.isArray(step.inputs) ? step.inputs : [step.inputs];
      inputs.forEach((input: any, i: number) => {
        const at = inputs.length > 1 ? `${where}, input ${i + 1}` : where;
        const uri = action === 'S3Download' ? input?.source : input?.destination;
        if (typeof uri !== 'string') {
          warnings.push(`${at}: the input has no ${action === 'S3Download' ? 'source' : 'destination'} string, so no S3 access was derived from it`);
          return;
        }
        const folder = action === 'S3Download'
          ? uri.endsWith('/*')
          : uri.endsWith('/') || String(input.source ?? '').includes('*') || input.recurse === true || input.recurse === 'true';
        const access = readS3Uri(uri, folder, at, warnings);
        if (access) {
          accesses.push({ ...access, access: action === 'S3Download' ? 'read' : 'write', step: at, uri });
        }
      });
    }
  }
  return { accesses, warnings };
}

function readS3Uri(uri: string, folder: boolean, at: string, warnings: string[]): { bucketName: string; key: string; folder: boolean } | undefined {
  const match = /^s3:\/\/([^/]*)\/?(.*)$/.exec(uri);
  if (!match) {
    warnings.push(`${at}: '${uri}' is not an s3:// URI, so no S3 access was derived from it`);
    return undefined;
  }
  const [, bucketName, path] = match;
  if (PARAMETER.test(bucketName) || Token.isUnresolved(bucketName) || bucketName === '') {
    warnings.push(`${at}: the bucket of '${uri}' is not known until the build runs, so nothing was granted for it; `
      + 'add its folder with addArtifactLocation (or logLocation) instead');
    return undefined;
  }
  let key = folder ? path.replace(/\/\*$/, '').replace(/\/+$/, '') : path;
  const variable = key.search(/{{|\$\{Token\[|\*/);
  if (variable >= 0) {
    const staticFolder = key.slice(0, variable).replace(/[^/]*$/, '').replace(/\/+$/, '');
    warnings.push(`${at}: the key of '${uri}' depends on a parameter or wildcard, so the static folder before it was granted: `
      + `'s3://${bucketName}/${staticFolder}${staticFolder ? '/' : ''}*'`);
    return { bucketName, key: staticFolder, folder: true };
  }
  if (!folder && key === '') {
    warnings.push(`${at}: '${uri}' names no object, so no S3 access was derived from it`);
    return undefined;
  }
  return { bucketName, key, folder };
}
