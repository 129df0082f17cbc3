import { Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

// the buckets of each app with a literal name, by name; a bucket added after a lookup is found by the next one
// that misses (see appBucketNamed)
const cache = new WeakMap<IConstruct, Map<string, s3.IBucket[]>>();

/**
 * The bucket of the app whose name is the literal `name`, deployed to the account and region of `scope`'s stack,
 * when there is exactly one: so that a grant on it by name also gets what the construct knows, such as its KMS key.
 *
 * A bucket of another account or region is not the one the build reads in its own (bucket names are global, but a
 * cross-environment reference cannot be made): it is not returned, nor is any when two buckets of the app share
 * the name.
 */
export function appBucketNamed(scope: IConstruct, name: string): s3.IBucket | undefined {
  const root = scope.node.root;
  let buckets = cache.get(root);
  if (!buckets?.has(name)) {
    // a miss: the bucket may have been added since the last scan
    buckets = scan(root);
    cache.set(root, buckets);
  }
  const stack = Stack.of(scope);
  const here = (buckets.get(name) ?? []).filter(bucket => sameEnvironment(Stack.of(bucket), stack));
  return here.length === 1 ? here[0] : undefined;
}

function scan(root: IConstruct): Map<string, s3.IBucket[]> {
  const buckets = new Map<string, s3.IBucket[]>();
  for (const construct of root.node.findAll()) {
    if (!(construct instanceof s3.CfnBucket) || construct.bucketName === undefined || Token.isUnresolved(construct.bucketName)) {
      continue;
    }
    // the L2 that holds it knows its key; a bare CfnBucket is read by aws-cdk-lib itself
    const parent = construct.node.scope;
    const bucket = parent instanceof s3.BucketBase && parent.node.defaultChild === construct ? parent : s3.Bucket.fromCfnBucket(construct);
    buckets.set(construct.bucketName, [...buckets.get(construct.bucketName) ?? [], bucket]);
  }
  return buckets;
}

/** Whether two stacks deploy to the same account and region (the same token for both when environment-agnostic). */
function sameEnvironment(a: Stack, b: Stack): boolean {
  return a.account === b.account && a.region === b.region;
}
