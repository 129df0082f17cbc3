import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { appBucketNamed } from '../app-buckets';
import { forMessages, keyPattern, S3Need } from '../component-document';
import { inEveryLanguage } from '../method-names';
import { Location } from '../overlaps';
import { S3Grant, S3Statements } from '../s3-statements';
import { ProfileGrants } from './profile-grants';

const FOLDER_REASON = 'Image Builder reads component artifacts from, and writes logs to, any key under this one S3 folder; '
  + 'the wildcard is limited to that folder.';

/**
 * The S3 grants of a profile: the folders that it reads (artifact locations) and writes (the log folder, upload
 * locations), and the folders and objects that component documents download and upload. Each is granted once, and
 * kept for the read/write overlap check.
 */
export class S3FolderGrants {
  /** what the profile reads, with the prop, method or step that granted it */
  public readonly reads = new Array<Location>();
  /** what the profile writes, with the prop, method or step that granted it */
  public readonly writes = new Array<Location>();
  private readonly granted = new Set<string>();
  private readonly componentBuckets = new Map<string, s3.IBucket>();

  constructor(private readonly profile: ProfileGrants, private readonly statements: S3Statements) {}

  /** A folder that `prop` names: `prefixPattern` is its normalized prefix pattern ('' for the whole bucket). */
  public folder(prop: string, access: 'read' | 'write', bucket: s3.IBucket, prefixPattern: string): void {
    this.grant(prop, { access, bucket, keyPattern: prefixPattern, folder: true }, prefixPattern === '' ? undefined : FOLDER_REASON);
  }

  /** A download or upload of a component document. */
  public need(need: S3Need): void {
    this.grant(need.step, {
      access: need.access,
      bucket: need.appBucket ?? this.componentBucket(need.bucketName),
      keyPattern: keyPattern(need.key),
      folder: need.folder,
      bucketOwner: need.expectedBucketOwner,
      listPrefix: listedPrefix(need),
    }, wildcardReason(need));
  }

  /**
   * @param nagReason why the '*' of the grant is sound, for cdk-nag; none for a whole bucket, which cdk-nag
   *   should go on showing
   */
  private grant(prop: string, grant: S3Grant, nagReason?: string): void {
    const dedupe = `${grant.access}:${grant.folder ? 'folder' : 'object'}:${grant.bucket.node.path}:${grant.keyPattern}:${grant.bucketOwner}:${grant.listPrefix}`;
    if (this.granted.has(dedupe)) {
      return;
    }
    this.profile.assertMutableRole(prop, `${grant.access} access to '${grant.bucket.node.path}/${grant.keyPattern}'`,
      'grant the access outside this app and leave the location out');
    this.granted.add(dedupe);
    (grant.access === 'read' ? this.reads : this.writes).push({ ...grant, label: prop });
    const { objects, policy } = this.statements.grant(grant);
    if (nagReason && (grant.folder || grant.keyPattern.includes('*'))) {
      this.profile.nag.acknowledgeWildcardResource(policy, objects, nagReason);
    }
  }

  /** The bucket a document names: the app's own bucket of that name when there is one (its key is granted too), else an import. */
  private componentBucket(bucketName: string): s3.IBucket {
    let bucket = this.componentBuckets.get(bucketName);
    if (!bucket) {
      bucket = this.appBucket(bucketName) ?? s3.Bucket.fromBucketName(this.profile.scope, `ComponentBucket${bucketName}`, bucketName);
      this.componentBuckets.set(bucketName, bucket);
    }
    return bucket;
  }

  /**
   * The app's bucket of that name, in the profile's stack. One of another stack is not referred to (the reference
   * could make the stacks depend on each other): when it has a KMS key, a warning says how to grant it.
   */
  private appBucket(bucketName: string): s3.IBucket | undefined {
    const scope = this.profile.scope;
    const bucket = appBucketNamed(scope, bucketName);
    if (bucket && Stack.of(bucket) !== Stack.of(scope)) {
      const granted = [...this.reads, ...this.writes].some(location => location.bucket === bucket);
      if (bucket.encryptionKey && !granted) {
        this.profile.warn('cdk-imagebuilder-instance-profile:appBucketOfAnotherStack',
          `A component names the bucket '${bucketName}', which is '${bucket.node.path}' of another stack: its KMS key was not granted. `
          + `Add the folder with ${inEveryLanguage('addArtifactLocation')}, which grants the key, or grant kms:Decrypt on the key yourself`);
      }
      return undefined;
    }
    return bucket;
  }
}

/**
 * Why a grant derived from a component document has a '*' that cdk-nag reports, or undefined when nothing
 * true can be said (a key that is empty or all variable grants the whole bucket: cdk-nag should go on showing it).
 */
function wildcardReason(need: S3Need): string | undefined {
  const literal = need.key.filter((part): part is string => typeof part === 'string').join('');
  if (literal.replace(/\//g, '') === '') {
    return undefined;
  }
  const variables = need.key.filter(part => typeof part !== 'string' && !part.followed).map(part => (part as { variable: string }).variable);
  if (variables.length > 0) {
    return `${need.step} ${need.access === 'read' ? 'downloads' : 'uploads to'} '${need.uri}', whose key holds `
      + `${variables.map(v => `'${forMessages(v)}'`).join(', ')}, known only when the build runs; each '*' stands for one of them, `
      + 'and the rest of the key is literal.';
  }
  if (need.folder) {
    return FOLDER_REASON;
  }
  return `${need.step} ${need.access === 'read' ? 'downloads' : 'uploads to'} '${need.uri}': its '*' is a character of the key, `
    + 'escaped for IAM as ${*}, not a wildcard.';
}

/**
 * The IAM pattern of the prefix that a download of the keys beginning with a prefix (`s3://bucket/<prefix>*`) lists
 * before it gets each object, or undefined for any other need.
 */
function listedPrefix(need: S3Need): string | undefined {
  const last = need.key[need.key.length - 1];
  if (need.access !== 'read' || need.folder || last === undefined || typeof last === 'string' || last.variable !== '*') {
    return undefined;
  }
  return keyPattern(need.key.slice(0, -1));
}
