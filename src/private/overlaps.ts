import { Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * An S3 grant of a profile, as the overlap check sees it: `keyPattern` is an IAM pattern (literal characters
 * escaped), of a folder prefix without its trailing slash, or of one object.
 */
export interface Location {
  readonly bucket: s3.IBucket;
  readonly keyPattern: string;
  readonly folder: boolean;
  /** the prop, method or component step that granted it */
  readonly label: string;
}

/**
 * Warnings for every write grant that lies inside, on, or above a read grant of the same bucket: a build could
 * then overwrite what later builds download, and read what other builds write there.
 *
 * Only what synthesis can compare is compared: both keys literal up to their first wildcard, and the same
 * bucket (the same construct, or the same literal name).
 */
export function overlappingLocations(reads: readonly Location[], writes: readonly Location[]): string[] {
  const warnings: string[] = [];
  for (const write of writes) {
    for (const read of reads) {
      if (!sameBucket(read.bucket, write.bucket)) {
        continue;
      }
      const relation = relationOf(write, read);
      if (relation) {
        warnings.push(`${write.label} writes to '${where(write)}', which is ${relation} '${where(read)}' that ${read.label} reads: `
          + 'a build could overwrite the files that later builds download there, and read what other builds write; '
          + 'keep the folders that builds write apart from the folders they read');
      }
    }
  }
  return warnings;
}

function relationOf(write: Location, read: Location): string | undefined {
  if (Token.isUnresolved(write.keyPattern) || Token.isUnresolved(read.keyPattern)) {
    return undefined;
  }
  const w = literalPrefix(write.keyPattern);
  const r = literalPrefix(read.keyPattern);
  const wFolder = write.folder ? folderOf(w.text) : w.text;
  const rFolder = read.folder ? folderOf(r.text) : r.text;
  if (write.folder && read.folder && wFolder === rFolder && !w.wildcard && !r.wildcard) {
    return 'the same folder as';
  }
  // a write grant covers every key that starts with its folder (or its text before a wildcard)
  if ((write.folder || w.wildcard) && rFolder.startsWith(wFolder)) {
    return 'above';
  }
  if ((read.folder || r.wildcard) && wFolder.startsWith(rFolder)) {
    return 'inside';
  }
  return undefined;
}

/** The literal text of a pattern up to its first wildcard, unescaped. */
function literalPrefix(pattern: string): { text: string; wildcard: boolean } {
  let text = '';
  for (let i = 0; i < pattern.length; i++) {
    const escape = /^\$\{([*?$])\}/.exec(pattern.slice(i));
    if (escape) {
      text += escape[1];
      i += escape[0].length - 1;
    } else if (pattern[i] === '*' || pattern[i] === '?') {
      return { text, wildcard: true };
    } else {
      text += pattern[i];
    }
  }
  return { text, wildcard: false };
}

function folderOf(prefix: string): string {
  return prefix === '' ? '' : `${prefix}/`;
}

function where(location: Location): string {
  // a bucket whose name is generated is named by its path, as ComponentAccessChecks names it
  const bucket = literalName(location.bucket) ?? `<bucket ${location.bucket.node.path}>`;
  return `s3://${bucket}/${location.keyPattern}${location.folder ? (location.keyPattern === '' ? '*' : '/*') : ''}`;
}

function sameBucket(a: s3.IBucket, b: s3.IBucket): boolean {
  if (a === b) {
    return true;
  }
  const name = literalName(a);
  return name !== undefined && name === literalName(b);
}

/**
 * The literal name of a bucket: an import's, or that of a bucket of the app created with a literal `bucketName`
 * (whose `bucket.bucketName` is a token, a Ref).
 */
function literalName(bucket: s3.IBucket): string | undefined {
  if (!Token.isUnresolved(bucket.bucketName)) {
    return bucket.bucketName;
  }
  const cfn = bucket.node.defaultChild;
  return cfn instanceof s3.CfnBucket && typeof cfn.bucketName === 'string' && !Token.isUnresolved(cfn.bucketName) ? cfn.bucketName : undefined;
}
