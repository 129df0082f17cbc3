/*
 * Verdicts the check adds to a request's own decision, for what AWS refuses beyond the policies it evaluates:
 * a resource policy that may not exist, a multipart upload to an SSE-KMS bucket, a bucket owner that is not the
 * expected one, a secret read in another region, a bucket of another stack of the app.
 */
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { appBucketNamed } from './app-buckets';
import { Verdict } from './iam/policies';
import { sameText } from './iam/principals';
import { display, Text } from './iam/text';

const ALLOWED: Verdict = { decision: 'allowed', reasons: [] };

// the buckets of the app by literal name, for each role's permissions (one a synthesis)
const BUCKETS_NAMED = new WeakMap<object, Map<string, s3.IBucket | undefined>>();

/**
 * A request decided with and without a resource policy that CloudFormation creates only under `condition`: the same
 * answer when both agree, else unknown.
 */
export function withOrWithoutPolicy(withPolicy: Verdict, without: Verdict, policyName: string, condition: string): Verdict {
  if (without.decision === withPolicy.decision) {
    return withPolicy;
  }
  const why = `'${policyName}' is created only when its Condition '${condition}' holds, which is not known until deployment`;
  return { decision: 'unknown', reasons: [...new Set([...withPolicy.reasons, ...without.reasons, why])] };
}

/**
 * A multipart upload (which the SDK makes for a large file) to an SSE-KMS bucket also decrypts with the key; whether
 * a file is large is not known at synthesis, so a refused `kms:Decrypt` is unknown, never an error.
 *
 * @param decrypt the verdict on kms:Decrypt with the bucket's key through S3; undefined when no key is involved
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions
 */
export function multipartUpload(decrypt: Verdict | undefined): Verdict {
  return !decrypt || decrypt.decision === 'allowed' ? ALLOWED
    : { decision: 'unknown', reasons: decrypt.reasons.map(r => `a multipart upload, which a large file takes, also decrypts with the key: ${r}`) };
}

/** S3 refuses a request whose expectedBucketOwner is not the bucket's account: a bucket of the app is of the role's `account`. */
export function expectedOwner(label: string, account: Text, owner: Text): Verdict {
  const same = sameText(owner, account);
  if (same === true) {
    return ALLOWED;
  }
  return same === false
    ? { decision: 'denied', reasons: [`${label} belongs to the account ${display(account)}, not to the expectedBucketOwner ${display(owner)}`] }
    : { decision: 'unknown', reasons: [`${label} belongs to the account ${display(account)}, which may not be the expectedBucketOwner ${display(owner)}`] };
}

/**
 * A secret or SecureString of the role's stack (of `region`) read by name from a build of another region is the one of
 * that name there (a replica, say), whose key and policy the app does not tell.
 */
export function sameRegion(label: string, region: Text, buildRegion: Text): Verdict {
  return sameText(buildRegion, region) === true ? ALLOWED : {
    decision: 'unknown',
    reasons: [`${label} is of ${display(region)}, and the build reads the one of that name of ${display(buildRegion)}, `
      + 'whose key and policy the app does not tell'],
  };
}

/**
 * A bucket of the app named by the literal `name` that the role's stack does not hold: its bucket policy and key may
 * refuse what the role allows, and the check does not read them. Undefined when the app holds no such bucket.
 *
 * @param cache an object that lives for one synthesis and role: a lookup that misses scans the app, so each name is looked up once
 */
export function bucketOfAnotherStack(cache: object, profile: IConstruct, name: string): Verdict | undefined {
  let named = BUCKETS_NAMED.get(cache);
  if (!named) {
    named = new Map();
    BUCKETS_NAMED.set(cache, named);
  }
  if (!named.has(name)) {
    named.set(name, appBucketNamed(profile, name));
  }
  const bucket = named.get(name);
  return bucket && {
    decision: 'unknown',
    reasons: [`the bucket '${bucket.node.path}' is of another stack than the role's, whose bucket policy and encryption key the check does not read`],
  };
}

/** All must be allowed: denied when any is, allowed when all are. */
export function all(verdicts: Verdict[]): Verdict {
  const denied = verdicts.filter(v => v.decision === 'denied');
  if (denied.length > 0) {
    return { decision: 'denied', reasons: denied.flatMap(v => v.reasons) };
  }
  const unknown = verdicts.filter(v => v.decision === 'unknown');
  return unknown.length > 0 ? { decision: 'unknown', reasons: unknown.flatMap(v => v.reasons) } : { decision: 'allowed', reasons: [] };
}
